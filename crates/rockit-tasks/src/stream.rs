//! `TaskStream`: every task of a listing, page by page, lazily, exactly once: the transport's
//! [`Pager`] over `GET /be/v1/tasks`, with this crate's errors.
//!
//! In the server's default order (by name, ascending: a **guess** drawn from the vendor's example,
//! which the pager checks on every page) the stream keeps its place by the last name it yielded,
//! so tasks added or removed during the listing never make it yield one twice or miss one; with a
//! custom `order[]` it can only drop repeats of the previous page, and
//! [`ListingReport::total_changed`] tells callers that such a listing may be incomplete. See
//! [`rockit_transport::Pager`] for how.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use rockit_model::{ListTasks, TaskName, TaskSummary};
use rockit_transport::{Client, ListingReport, PageError, PagePosition, Pager};

use crate::error::{Error, Result};

/// How far the stream has come: save it to resume a listing later with
/// [`crate::Tasks::stream_from`]. `offset` is the offset of the first task not yet seen, as far as
/// the stream knows; `last` the last task yielded, if any: in the default order, the stream
/// resumes after it.
pub type StreamPosition = PagePosition<TaskName>;

/// The page size of a stream whose request sets no `limit`: the transport's
/// [`DEFAULT_PAGE_LIMIT`](rockit_transport::DEFAULT_PAGE_LIMIT).
pub const STREAM_PAGE_LIMIT: u32 = rockit_transport::DEFAULT_PAGE_LIMIT;

/// The stream returned by [`crate::Tasks::stream`]: yields every matching task once, holding about
/// one page in memory (two with prefetching).
///
/// After an error the stream can be polled again to retry the failed page, or dropped.
pub struct TaskStream {
    pager: Pager<ListTasks>,
}

impl TaskStream {
    pub(crate) fn new(client: Client, request: ListTasks, position: StreamPosition, prefetch: bool) -> Self {
        Self { pager: Pager::resume(client, request, position).prefetch(prefetch) }
    }

    /// Where the listing stands now; pass it to [`crate::Tasks::stream_from`] to resume.
    pub fn position(&self) -> StreamPosition {
        self.pager.position()
    }

    /// What the listing has observed so far.
    pub fn report(&self) -> &ListingReport {
        self.pager.report()
    }

    /// The next task, `None` at the end of the listing: the stream consumed without importing a
    /// stream trait. After an error, calling it again retries the failed page.
    pub async fn try_next(&mut self) -> Result<Option<TaskSummary>> {
        self.pager.try_next().await.map_err(page_error)
    }
}

/// A page that could not be had, as this crate's error naming the listing.
fn page_error(error: PageError) -> Error {
    let offset = error.offset();
    match error {
        PageError::Fetch { source, .. } => {
            Error::transport(format!("list tasks (page at offset {offset})"), source)
        }
        PageError::Background { source, .. } => Error::Background { source },
    }
}

impl Stream for TaskStream {
    type Item = Result<TaskSummary>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.pager).poll_next(cx).map(|item| item.map(|result| result.map_err(page_error)))
    }
}

impl std::fmt::Debug for TaskStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        /// The position under this crate's name for it.
        struct Position(StreamPosition);
        impl std::fmt::Debug for Position {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("StreamPosition")
                    .field("offset", &self.0.offset)
                    .field("last", &self.0.last)
                    .finish()
            }
        }
        f.debug_struct("TaskStream")
            .field("request", self.pager.request())
            .field("position", &Position(self.position()))
            .field("buffered", &self.pager.buffered())
            .field("done", &self.pager.fetched_all())
            .field("report", self.report())
            .finish_non_exhaustive()
    }
}
