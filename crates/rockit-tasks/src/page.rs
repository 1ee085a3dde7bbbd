//! `Page`: one page of a task listing, and the request for the next one.

use rockit_model::{DEFAULT_LIMIT, ListTasks, TaskSummary};

/// One page of tasks, as returned by [`crate::Tasks::list`].
///
/// `#[non_exhaustive]`: what the server says about a page may grow.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// The tasks on this page, in the server's order.
    pub tasks: Vec<TaskSummary>,
    /// How many tasks match the query in all.
    pub total_count: u64,
    /// The offset this page starts at.
    pub offset: u64,
    /// The page size asked for (the server's default, 10, if the request set none).
    pub limit: u32,
    next: Option<ListTasks>,
}

impl Page {
    pub(crate) fn new(request: &ListTasks, tasks: Vec<TaskSummary>, total_count: u64) -> Self {
        let offset = request.page_offset().unwrap_or(0);
        let limit = request.page_limit().unwrap_or(DEFAULT_LIMIT);
        let after = offset.saturating_add(tasks.len() as u64);
        let next = (!tasks.is_empty() && after < total_count).then(|| request.clone().offset(after));
        Self { tasks, total_count, offset, limit, next }
    }

    /// The request for the next page, or `None` if this is the last one.
    ///
    /// The next page starts right after this page's tasks (not at `offset + limit`), so a server
    /// that caps the page size below `limit` still pages through everything.
    pub fn next_request(&self) -> Option<&ListTasks> {
        self.next.as_ref()
    }

    /// Whether there are tasks after this page.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }
}
