//! Warning marks for a listing: which of its tasks carry a warning, acknowledged or not.
//!
//! List entries carry no warning (the vendor's example shows `name`, `service` and `status`
//! only), so [`Tasks::warning_marks`] asks two filtered listings instead: the tasks with an
//! unacknowledged warning and those with an acknowledged one. The `acknowledged` filter is a
//! **guess**; a server that ignores it answers both queries with the same tasks, which the marks
//! detect and report as [`MarksUnknown::FilterIgnored`] rather than marking every task.

use std::collections::HashSet;

use rockit_model::{ListTasks, TaskName};

use crate::client::Tasks;
use crate::error::Result;

/// The page size of the two marker queries: big enough that one request usually covers every
/// task with a warning, small enough for any server.
const MARKS_PAGE: u32 = 100;
/// The most pages one marker query reads.
const MARKS_PAGES: u64 = 5;
/// The most tasks with a warning of one kind that [`Tasks::warning_marks`] collects; beyond it
/// the marks are [`MarksUnknown::TooMany`] rather than costing a request per hundred tasks.
pub const MAX_WARNING_MARKS: u64 = MARKS_PAGES * MARKS_PAGE as u64;

/// Which tasks carry a warning, or why that is not known; see [`Tasks::warning_marks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningMarks {
    known: std::result::Result<Known, MarksUnknown>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    unacknowledged: HashSet<TaskName>,
    acknowledged: HashSet<TaskName>,
}

/// The warning state of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningMark {
    /// It has a warning nobody has acknowledged yet.
    Unacknowledged,
    /// It has a warning that was acknowledged.
    Acknowledged,
    /// It has no warning.
    None,
}

/// Why the warning marks are not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MarksUnknown {
    /// The server answered both queries with overlapping tasks: it ignores the (guessed)
    /// `acknowledged` filter.
    #[error("the server ignores the acknowledged filter")]
    FilterIgnored,
    /// More than [`MAX_WARNING_MARKS`] tasks have a warning of one kind.
    #[error("more than {limit} tasks have warnings")]
    TooMany {
        /// The cap, [`MAX_WARNING_MARKS`].
        limit: u64,
    },
}

impl WarningMarks {
    /// Known marks: the tasks with a warning nobody acknowledged, and those whose warning was
    /// acknowledged (a task in both counts as unacknowledged).
    pub fn new(unacknowledged: HashSet<TaskName>, acknowledged: HashSet<TaskName>) -> Self {
        Self { known: Ok(Known { unacknowledged, acknowledged }) }
    }

    /// The mark of the task called `name`; `None` when the marks are not known.
    ///
    /// A task outside the filters the marks were asked with reads [`WarningMark::None`]: ask with
    /// the filters of the listing whose tasks are to be marked.
    pub fn mark(&self, name: &TaskName) -> Option<WarningMark> {
        let known = self.known.as_ref().ok()?;
        Some(if known.unacknowledged.contains(name) {
            WarningMark::Unacknowledged
        } else if known.acknowledged.contains(name) {
            WarningMark::Acknowledged
        } else {
            WarningMark::None
        })
    }

    /// Why the marks are not known, if they are not.
    pub fn unknown(&self) -> Option<&MarksUnknown> {
        self.known.as_ref().err()
    }
}

/// What one marker query found.
enum Found {
    Names(HashSet<TaskName>),
    TooMany,
}

impl Tasks {
    /// Which tasks matching `filters` carry a warning, and whether it was acknowledged: for
    /// markers beside a listing. Costs two listings of at most [`MAX_WARNING_MARKS`] tasks each
    /// (usually one request each), run concurrently.
    ///
    /// Pass the typed filters of the listing to mark (app, status, kind, build…) and no raw
    /// parameters; the offset, page size and `acknowledged` filter are set here. When the marks
    /// cannot be known the result says why ([`WarningMarks::unknown`]) instead of failing; a
    /// transport error is returned as an error.
    pub async fn warning_marks(&self, filters: &ListTasks) -> Result<WarningMarks> {
        let (unacknowledged, acknowledged) = futures_util::future::join(
            self.marked(filters.clone().acknowledged(false)),
            self.marked(filters.clone().acknowledged(true)),
        )
        .await;
        let known = match (unacknowledged?, acknowledged?) {
            (Found::TooMany, _) | (_, Found::TooMany) => {
                Err(MarksUnknown::TooMany { limit: MAX_WARNING_MARKS })
            }
            // A task cannot be both: the server ignored the filter, and every task would be marked.
            (Found::Names(unacknowledged), Found::Names(acknowledged))
                if !unacknowledged.is_disjoint(&acknowledged) =>
            {
                Err(MarksUnknown::FilterIgnored)
            }
            (Found::Names(unacknowledged), Found::Names(acknowledged)) => {
                Ok(Known { unacknowledged, acknowledged })
            }
        };
        Ok(WarningMarks { known })
    }

    /// The names of every task `request` matches, reading at most [`MARKS_PAGES`] pages.
    async fn marked(&self, request: ListTasks) -> Result<Found> {
        let mut names = HashSet::new();
        let mut offset = 0;
        for _ in 0..MARKS_PAGES {
            let page = self.list(request.clone().offset(offset).limit(MARKS_PAGE)).await?;
            if page.total_count > MAX_WARNING_MARKS {
                return Ok(Found::TooMany);
            }
            let count = page.tasks.len() as u64;
            names.extend(page.tasks.into_iter().map(|task| task.name));
            offset += count;
            if count == 0 || offset >= page.total_count {
                return Ok(Found::Names(names));
            }
        }
        Ok(Found::TooMany)
    }
}
