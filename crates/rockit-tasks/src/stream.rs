//! `TaskStream`: every task of a listing, page by page, lazily, exactly once.
//!
//! The API pages by offset, and offsets shift when tasks are added or removed during a listing.
//! In the server's default order (by name, ascending: a **guess** drawn from the vendor's example,
//! which the stream checks on every page) the stream keeps a cursor, the last name it
//! yielded, and asks for each page from one position early, so that the page must begin with a
//! task it has already seen: tasks inserted before the cursor are skipped as seen, and when tasks
//! before the cursor were removed the first task is a new one, so the stream steps back until the
//! overlap is found again. Every task that exists throughout the listing is then yielded exactly
//! once, in order. With a custom `order[]` the stream can only drop repeats of the previous page;
//! [`ListingReport::total_changed`] tells callers that such a listing may be incomplete.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::{Stream, StreamExt as _};
use rockit_model::{ListTasks, TaskListResponse, TaskName, TaskSummary};
use rockit_transport::Client;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How far the stream has come: save it to resume a listing later with
/// [`crate::Tasks::stream_from`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamPosition {
    /// The offset of the first task not yet seen, as far as the stream knows.
    pub offset: u64,
    /// The last task yielded, if any; in the default order, the stream resumes after it.
    pub last: Option<TaskName>,
}

/// What a listing observed; see [`TaskStream::report`].
///
/// `#[non_exhaustive]`: new observations may join these without a breaking change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
// Independent observations, each read on its own: a state machine would hide them.
#[allow(clippy::struct_excessive_bools)]
pub struct ListingReport {
    /// Whether the request asked for a sort order of its own (typed or raw), which gives the
    /// weaker guarantee: only repeats of the previous page can be dropped.
    pub custom_order: bool,
    /// Pages requested (steps back included).
    pub pages: u64,
    /// Tasks yielded.
    pub yielded: u64,
    /// Tasks dropped because they had been yielded already (they moved across a page boundary).
    pub skipped_repeats: u64,
    /// Times the stream stepped back because tasks before its cursor disappeared.
    pub steps_back: u64,
    /// `totalCount` of the first page.
    pub first_total: Option<u64>,
    /// `totalCount` of the latest page.
    pub last_total: Option<u64>,
    /// Whether `totalCount` changed during the listing: tasks were added or removed meanwhile, and
    /// with a custom sort order the listing may have missed some.
    pub total_changed: bool,
    /// Whether a page came back out of name order although no sort order was asked for; the stream
    /// then fell back to dropping repeats of the previous page only, as for a custom order.
    pub unordered: bool,
    /// Whether the stream gave up looking for its place after tasks disappeared (more than
    /// [`MAX_STEPS_BACK`] steps back for one page): tasks may be missing from the listing.
    pub incomplete: bool,
}

impl ListingReport {
    /// Whether the listing may have missed tasks that existed throughout it: tasks came or went
    /// while it ran and it could not keep its place by name (a custom order, or pages that came
    /// back out of name order), or it gave up looking for its place.
    ///
    /// In the default order a listing keeps its place by name, so tasks coming and going never
    /// make it miss one; this is then `false` unless it gave up.
    pub fn may_have_missed(&self) -> bool {
        self.missed_reason().is_some()
    }

    /// Why the listing may have missed tasks, if it may have: for a display to say.
    pub fn missed_reason(&self) -> Option<MissedReason> {
        if self.incomplete {
            Some(MissedReason::GaveUp)
        } else if !self.total_changed {
            None
        } else if self.custom_order {
            Some(MissedReason::ChangedInCustomOrder)
        } else if self.unordered {
            Some(MissedReason::ChangedOutOfOrder)
        } else {
            None
        }
    }
}

/// Why a listing may have missed tasks ([`ListingReport::missed_reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissedReason {
    /// Tasks came or went while a listing in a sort order of its own ran: only repeats of the
    /// previous page could be dropped.
    ChangedInCustomOrder,
    /// Tasks came or went while pages came back out of name order.
    ChangedOutOfOrder,
    /// The stream gave up looking for its place after tasks disappeared.
    GaveUp,
}

impl std::fmt::Display for MissedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ChangedInCustomOrder => {
                "tasks were added or removed during the listing; in a sort order of its own it may have missed some"
            }
            Self::ChangedOutOfOrder => {
                "tasks were added or removed during the listing, whose pages came out of name order; it may have missed some"
            }
            Self::GaveUp => {
                "tasks disappeared during the listing faster than it could find its place again; it may have missed some"
            }
        })
    }
}

type Fetch = Pin<Box<dyn Future<Output = rockit_transport::Result<TaskListResponse>> + Send>>;

enum InFlight {
    /// Polled only when the consumer polls the stream.
    Inline(Fetch),
    /// Running on the runtime while the consumer works through the current page.
    Spawned(tokio::task::JoinHandle<rockit_transport::Result<TaskListResponse>>),
}

/// The stream returned by [`crate::Tasks::stream`]: yields every matching task once, holding about
/// one page in memory (two with prefetching).
///
/// After an error the stream can be polled again to retry the failed page, or dropped.
pub struct TaskStream {
    client: Client,
    request: ListTasks,
    limit: u32,
    keyed: bool,
    prefetch: bool,
    buffer: VecDeque<TaskSummary>,
    in_flight: Option<(u64, InFlight)>,
    next_offset: u64,
    last: Option<TaskName>,
    previous_page: HashSet<TaskName>,
    steps_back_for_page: u32,
    done: bool,
    report: ListingReport,
}

/// The page size of a stream whose request sets no `limit`: the server's default of 10 would cost
/// a request per ten tasks. 500, as kubectl pages, is measured against the emulator at 200,000
/// tasks (`rockit tasks list --all`): 100 per page took 31.8 s, 500 took 8.5 s, 1000 took 3.7 s on a
/// loaded 2-core machine. The emulator accepts up to 1000; the vendor publishes no maximum, so the
/// default stays below it, and a server that caps pages smaller is paged through all the same.
pub const STREAM_PAGE_LIMIT: u32 = 500;

/// Steps back at most this many times for one page; after that the stream goes on and the report
/// says the listing may be incomplete.
pub const MAX_STEPS_BACK: u32 = 64;

impl TaskStream {
    pub(crate) fn new(client: Client, request: ListTasks, position: StreamPosition, prefetch: bool) -> Self {
        let keyed = !request.has_custom_order();
        // The overlap costs one task per page, so a page must hold at least two.
        let limit = request.page_limit().unwrap_or(STREAM_PAGE_LIMIT).max(2);
        let next_offset = if position.last.is_none() {
            position.offset.max(request.page_offset().unwrap_or(0))
        } else {
            position.offset
        };
        Self {
            client,
            request: request.limit(limit),
            limit,
            keyed,
            prefetch,
            buffer: VecDeque::new(),
            in_flight: None,
            next_offset,
            last: position.last,
            previous_page: HashSet::new(),
            steps_back_for_page: 0,
            done: false,
            report: ListingReport { custom_order: !keyed, ..ListingReport::default() },
        }
    }

    /// Where the listing stands now; pass it to [`crate::Tasks::stream_from`] to resume.
    pub fn position(&self) -> StreamPosition {
        // Tasks still buffered have not been yielded: the position is right after the last one that was.
        let offset = self.next_offset.saturating_sub(self.buffer.len() as u64);
        StreamPosition { offset, last: self.last.clone() }
    }

    /// What the listing has observed so far.
    pub fn report(&self) -> &ListingReport {
        &self.report
    }

    /// The next task, `None` at the end of the listing: the stream consumed without importing a
    /// stream trait. After an error, calling it again retries the failed page.
    pub async fn try_next(&mut self) -> Result<Option<TaskSummary>> {
        self.next().await.transpose()
    }

    /// The offset the next request starts at: in the default order, one early once a task has
    /// been seen, so that the page overlaps the last task of the previous one.
    fn fetch_offset(&self) -> u64 {
        let seen = self.last.is_some() || !self.buffer.is_empty();
        if self.keyed && seen { self.next_offset.saturating_sub(1) } else { self.next_offset }
    }

    fn start_fetch(&mut self, offset: u64) {
        if self.buffer.is_empty() {
            // Free the last page's allocation before the next page arrives.
            self.buffer = VecDeque::new();
        }
        let client = self.client.clone();
        let request = self.request.clone().offset(offset);
        let fetch: Fetch = Box::pin(async move { client.execute(&request).await });
        self.report.pages += 1;
        // Equivalent mutant: `||` would spawn a fetch without prefetching too, which the stream
        // then awaits at once: the same requests, in the same order, with the same results.
        let in_flight = if self.prefetch && tokio::runtime::Handle::try_current().is_ok() {
            InFlight::Spawned(tokio::spawn(fetch))
        } else {
            InFlight::Inline(fetch)
        };
        self.in_flight = Some((offset, in_flight));
    }

    /// Takes in one page fetched at `offset`, or decides to step back and fetch again.
    fn accept(&mut self, offset: u64, page: TaskListResponse) {
        let total = page.total_count;
        if self.report.first_total.is_none() {
            self.report.first_total = Some(total);
        } else if self.report.last_total != Some(total) {
            self.report.total_changed = true;
        }
        self.report.last_total = Some(total);
        let len = page.tasks.len() as u64;

        if self.keyed && !page.tasks.windows(2).all(|pair| pair[0].name.as_str() < pair[1].name.as_str()) {
            // The default order is not by name after all: keep only the weaker guarantee.
            self.keyed = false;
            self.report.unordered = true;
            if let Some(last) = &self.last {
                self.previous_page.insert(last.clone());
            }
        }
        if self.keyed
            && let Some(last) = &self.last
            && offset > 0
        {
            let lost_overlap = page.tasks.first().is_none_or(|first| first.name.as_str() > last.as_str());
            if lost_overlap {
                self.report.total_changed = true;
                if self.steps_back_for_page < MAX_STEPS_BACK {
                    // Tasks before the cursor disappeared; look further back for the overlap.
                    self.steps_back_for_page += 1;
                    self.report.steps_back += 1;
                    let back = offset.saturating_sub(u64::from(self.limit) - 1);
                    self.next_offset = back + 1;
                    return;
                }
                self.report.incomplete = true;
            }
        }
        self.steps_back_for_page = 0;

        // Filter the decoded page in place and hand its allocation to the buffer: no second copy
        // of a page is ever alive.
        let mut tasks = page.tasks;
        let last = self.last.as_ref().filter(|_| self.keyed);
        let previous_page = &self.previous_page;
        tasks.retain(|task| match last {
            Some(last) => task.name.as_str() > last.as_str(),
            None => !previous_page.contains(&task.name),
        });
        self.report.skipped_repeats += len - tasks.len() as u64;
        if !self.keyed {
            self.previous_page = tasks.iter().map(|task| task.name.clone()).collect();
        }
        if self.buffer.is_empty() {
            self.buffer = VecDeque::from(tasks);
        } else {
            self.buffer.extend(tasks);
        }
        self.next_offset = offset + len;
        if len == 0 || offset + len >= total {
            self.done = true;
        }
    }
}

impl Stream for TaskStream {
    type Item = Result<TaskSummary>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(task) = this.buffer.pop_front() {
                if this.keyed {
                    // Reuses the previous name's allocation: no allocation per task.
                    match &mut this.last {
                        Some(last) => last.clone_from(&task.name),
                        empty => *empty = Some(task.name.clone()),
                    }
                }
                if this.buffer.is_empty() && !this.done && this.prefetch && this.in_flight.is_none() {
                    this.start_fetch(this.fetch_offset());
                }
                this.report.yielded += 1;
                return Poll::Ready(Some(Ok(task)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.in_flight.is_none() {
                this.start_fetch(this.fetch_offset());
            }
            let Some((offset, in_flight)) = this.in_flight.as_mut() else { continue };
            let offset = *offset;
            let result = match in_flight {
                InFlight::Inline(fetch) => ready!(fetch.as_mut().poll(cx)),
                InFlight::Spawned(handle) => match ready!(Pin::new(handle).poll(cx)) {
                    Ok(result) => result,
                    Err(join) => {
                        this.in_flight = None;
                        return Poll::Ready(Some(Err(Error::Background { source: join })));
                    }
                },
            };
            this.in_flight = None;
            match result {
                Ok(page) => {
                    this.accept(offset, page);
                    if !this.done && this.prefetch && !this.buffer.is_empty() {
                        this.start_fetch(this.fetch_offset());
                    }
                }
                Err(source) => {
                    let action = format!("list tasks (page at offset {offset})");
                    return Poll::Ready(Some(Err(Error::transport(action, source))));
                }
            }
        }
    }
}

impl Drop for TaskStream {
    fn drop(&mut self) {
        if let Some((_, InFlight::Spawned(handle))) = &self.in_flight {
            handle.abort();
        }
    }
}

impl std::fmt::Debug for TaskStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskStream")
            .field("request", &self.request)
            .field("position", &self.position())
            .field("buffered", &self.buffer.len())
            .field("done", &self.done)
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_listing_that_could_not_keep_its_place_may_have_missed_tasks() {
        let report = |custom_order, unordered, total_changed, incomplete| ListingReport {
            custom_order,
            total_changed,
            unordered,
            incomplete,
            ..ListingReport::default()
        };
        // In name order a changing listing keeps its place: nothing is missed.
        assert!(!report(false, false, true, false).may_have_missed());
        assert!(!report(false, false, false, false).may_have_missed());
        // A custom order, or pages out of name order, with tasks coming and going.
        assert!(report(true, false, true, false).may_have_missed());
        assert!(report(false, true, true, false).may_have_missed());
        assert!(!report(true, true, false, false).may_have_missed());
        // Giving up on finding its place, whatever else happened.
        assert!(report(false, false, false, true).may_have_missed());
    }
}
