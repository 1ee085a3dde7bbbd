//! What an offset-paged listing is, sans IO: `Page`, an answer holding some items and perhaps the
//! count of all, and `PagedEndpoint`, a request that can ask for any page of its listing and says
//! which key orders it. `rockit-transport`'s `Pager` walks any such listing exactly once;
//! `ListTasks` is one, and so is a downstream crate's endpoint answering a [`ListResponse`].

use std::hash::Hash;

use crate::endpoint::Endpoint;
use crate::envelope::TaskListResponse;
use crate::generic::ListResponse;
use crate::task::TaskSummary;
use crate::task_name::TaskName;
use crate::tasks_api::ListTasks;

/// One page of a listing: its items, and how many items the whole listing holds if the server
/// counts them.
pub trait Page {
    /// What the listing lists.
    type Item;

    /// The server's count of every item the query matches (`totalCount`), if it sends one.
    fn total(&self) -> Option<u64>;

    /// The items of this page, in the server's order.
    fn items(&self) -> &[Self::Item];

    /// The items, owned.
    fn into_items(self) -> Vec<Self::Item>;
}

impl<T, K> Page for ListResponse<T, K> {
    type Item = T;

    fn total(&self) -> Option<u64> {
        self.total_count
    }

    fn items(&self) -> &[T] {
        &self.items
    }

    fn into_items(self) -> Vec<T> {
        self.items
    }
}

impl Page for TaskListResponse {
    type Item = TaskSummary;

    fn total(&self) -> Option<u64> {
        Some(self.total_count)
    }

    fn items(&self) -> &[TaskSummary] {
        &self.tasks
    }

    fn into_items(self) -> Vec<TaskSummary> {
        self.tasks
    }
}

/// The items of a [`PagedEndpoint`]'s pages.
pub type PageItem<E> = <<E as Endpoint>::Response as Page>::Item;

/// A listing request that pages by `offset` and `limit`, such as `GET /be/v1/tasks`.
///
/// A pager asks for each page with [`with_page`](Self::with_page). In the server's default order,
/// which a pager assumes is ascending by [`key`](Self::key) (and checks on every page), it keeps
/// its place by the last key it yielded, so items added or removed during a listing never make it
/// yield one twice or miss one; with an order of the request's own it can only drop repeats of the
/// previous page.
///
/// ```
/// use rockit_model::{
///     Endpoint, ListKey, ListResponse, Method, PagedEndpoint, PathSegments, QueryPairs,
/// };
///
/// /// `GET /be/v1/roles?offset=…&limit=…`, by role name.
/// #[derive(Clone)]
/// struct ListRoles {
///     offset: u64,
///     limit: Option<u32>,
/// }
///
/// enum Roles {}
/// impl ListKey for Roles {
///     const KEY: &'static str = "roles";
/// }
///
/// impl Endpoint for ListRoles {
///     type Response = ListResponse<String, Roles>;
///     fn method(&self) -> Method {
///         Method::Get
///     }
///     fn path(&self) -> PathSegments<'_> {
///         PathSegments::from_static(&["be", "v1", "roles"])
///     }
///     fn query(&self) -> QueryPairs<'_> {
///         let mut pairs = QueryPairs::new();
///         pairs.push("offset", self.offset.to_string());
///         if let Some(limit) = self.limit {
///             pairs.push("limit", limit.to_string());
///         }
///         pairs
///     }
/// }
///
/// impl PagedEndpoint for ListRoles {
///     type Key = String;
///     fn key(role: &String) -> &String {
///         role
///     }
///     fn page_offset(&self) -> u64 {
///         self.offset
///     }
///     fn page_limit(&self) -> Option<u32> {
///         self.limit
///     }
///     fn with_page(&self, offset: u64, limit: u32) -> Self {
///         Self { offset, limit: Some(limit) }
///     }
/// }
///
/// let second = ListRoles { offset: 0, limit: None }.with_page(500, 500);
/// assert_eq!(second.query().iter().collect::<Vec<_>>(), [("offset", "500"), ("limit", "500")]);
/// ```
pub trait PagedEndpoint: Endpoint<Response: Page> + Clone {
    /// What identifies an item, and orders the listing in the server's default order.
    type Key: Ord + Hash + Clone;

    /// The key of `item`.
    fn key(item: &PageItem<Self>) -> &Self::Key;

    /// Where the listing starts: the request's own offset (0 if it sets none).
    fn page_offset(&self) -> u64;

    /// The page size the request asks for, if it sets one.
    fn page_limit(&self) -> Option<u32>;

    /// The same request for the page at `offset` of at most `limit` items.
    #[must_use]
    fn with_page(&self, offset: u64, limit: u32) -> Self;

    /// Whether the request asks for an order of its own; then a pager cannot keep its place by
    /// key, only drop repeats of the previous page. None by default.
    fn has_custom_order(&self) -> bool {
        false
    }
}

impl PagedEndpoint for ListTasks {
    type Key = TaskName;

    fn key(task: &TaskSummary) -> &TaskName {
        &task.name
    }

    fn page_offset(&self) -> u64 {
        ListTasks::page_offset(self).unwrap_or(0)
    }

    fn page_limit(&self) -> Option<u32> {
        ListTasks::page_limit(self)
    }

    fn with_page(&self, offset: u64, limit: u32) -> Self {
        self.clone().offset(offset).limit(limit)
    }

    fn has_custom_order(&self) -> bool {
        ListTasks::has_custom_order(self)
    }
}
