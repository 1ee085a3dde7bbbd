//! The three Tasks endpoints as sans-IO requests: `ListTasks`, `GetTask` and `UpdateTask`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::endpoint::{Endpoint, JsonBody, Method, PathSegments, QueryPairs};
use crate::envelope::TaskListResponse;
use crate::error::Error;
use crate::task::TaskDetails;
use crate::task_name::TaskName;
use crate::vocab::{TaskKind, TaskStatus};

/// Path segments shared by the three endpoints.
const TASKS_PATH: &[&str] = &["be", "v1", "tasks"];

/// The permission that listing and reading tasks needs.
pub const PERMISSION_TASKS_READ: &str = "tasks.read";
/// The permission that acknowledging and expiring tasks needs.
pub const PERMISSION_TASKS_UPDATE: &str = "tasks.update";

/// `GET /be/v1/tasks`: one page of the organization's tasks, filtered and sorted.
///
/// Only `offset`, `limit` and `appName` are documented. The names of the status, type, group,
/// creation-time and acknowledgement filters and of the `order[]` sort parameter are **guesses**;
/// [`ListTasks::param`] sends any other pair verbatim. Only the parameters that were set are sent,
/// in a fixed order, so the server's defaults apply to the rest (`limit` defaults to 10).
///
/// ```
/// use rockit_model::{Endpoint, ListTasks, Order, TaskStatus};
///
/// let request = ListTasks::new().app("sushi").status(TaskStatus::Pending).limit(50).order(Order::desc("name"));
/// let pairs: Vec<_> = request.query().iter().map(|(k, v)| format!("{k}={v}")).collect();
/// assert_eq!(pairs, ["limit=50", "appName=sushi", "status=pending", "order[]=-name"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListTasks {
    offset: Option<u64>,
    limit: Option<u32>,
    app: Option<String>,
    status: Option<TaskStatus>,
    kind: Option<TaskKind>,
    group: Option<String>,
    created_after: Option<u64>,
    created_before: Option<u64>,
    acknowledged: Option<bool>,
    build: Option<u32>,
    order: Vec<Order>,
    params: Vec<(String, String)>,
}

impl ListTasks {
    /// The server's first page with its default size and order.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every task of the apps whose name contains `app`.
    pub fn for_app(app: impl Into<String>) -> Self {
        Self::new().app(app)
    }

    /// Every task in state `status`.
    pub fn for_status(status: TaskStatus) -> Self {
        Self::new().status(status)
    }

    /// Every task with a warning nobody has acknowledged yet (`acknowledged=false`, **guessed**).
    pub fn unacknowledged_warnings() -> Self {
        Self::new().acknowledged(false)
    }

    /// Every task of build `build` of the apps whose name contains `app`.
    pub fn for_build(app: impl Into<String>, build: u32) -> Self {
        Self::new().app(app).build(build)
    }

    /// Skips the first `offset` matching tasks (`offset`, documented).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Asks for at most `limit` tasks (`limit`, documented; the server's default is 10).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Only tasks of apps whose name contains `app` (`appName`, documented, partial match).
    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.app = Some(app.into());
        self
    }

    /// Only tasks in this state (`status`, **guessed** name).
    pub fn status(mut self, status: TaskStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only tasks of this kind (`type`, **guessed** name).
    pub fn kind(mut self, kind: TaskKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Only tasks of this task group (`group`, **guessed** name and values).
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Only tasks created at or after this Unix time in seconds (`createdAfter`, **guessed**).
    pub fn created_after(mut self, unix_seconds: u64) -> Self {
        self.created_after = Some(unix_seconds);
        self
    }

    /// Only tasks created before this Unix time in seconds (`createdBefore`, **guessed**).
    pub fn created_before(mut self, unix_seconds: u64) -> Self {
        self.created_before = Some(unix_seconds);
        self
    }

    /// Only tasks with a warning that is (`true`) or is not yet (`false`) acknowledged
    /// (`acknowledged`, **guessed**).
    pub fn acknowledged(mut self, acknowledged: bool) -> Self {
        self.acknowledged = Some(acknowledged);
        self
    }

    /// Only tasks of this build number (`build`, **guessed**; the build is the number after the
    /// app in a task's name).
    pub fn build(mut self, build: u32) -> Self {
        self.build = Some(build);
        self
    }

    /// Adds a sort key (`order[]`, repeated; **guessed** for tasks from sibling endpoints).
    /// Keys apply in the order they are added.
    pub fn order(mut self, order: Order) -> Self {
        self.order.push(order);
        self
    }

    /// Sends `key=value` verbatim, after every typed parameter: the escape hatch for parameters
    /// this SDK does not model. Keys may repeat.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((key.into(), value.into()));
        self
    }

    /// The offset that was set with [`ListTasks::offset`], if any.
    pub fn page_offset(&self) -> Option<u64> {
        self.offset
    }

    /// The page size that was set with [`ListTasks::limit`], if any (the server's default is
    /// [`DEFAULT_LIMIT`](crate::DEFAULT_LIMIT)).
    pub fn page_limit(&self) -> Option<u32> {
        self.limit
    }

    /// The sort keys that were set with [`ListTasks::order`].
    pub fn sort_keys(&self) -> &[Order] {
        &self.order
    }

    /// Whether the request asks for a sort order, typed or through [`ListTasks::param`] (`order[]`
    /// or `order`). Without one the server uses its default order, by name ascending (a **guess**
    /// drawn from the vendor's example).
    pub fn has_custom_order(&self) -> bool {
        !self.order.is_empty() || self.params.iter().any(|(key, _)| key == "order[]" || key == "order")
    }
}

impl Endpoint for ListTasks {
    type Response = TaskListResponse;

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(TASKS_PATH)
    }

    fn query(&self) -> QueryPairs<'_> {
        let mut pairs = QueryPairs::new();
        if let Some(offset) = self.offset {
            pairs.push("offset", offset.to_string());
        }
        if let Some(limit) = self.limit {
            pairs.push("limit", limit.to_string());
        }
        if let Some(app) = &self.app {
            pairs.push("appName", app.as_str());
        }
        if let Some(status) = &self.status {
            pairs.push("status", status.as_str());
        }
        if let Some(kind) = &self.kind {
            pairs.push("type", kind.as_str());
        }
        if let Some(group) = &self.group {
            pairs.push("group", group.as_str());
        }
        if let Some(after) = self.created_after {
            pairs.push("createdAfter", after.to_string());
        }
        if let Some(before) = self.created_before {
            pairs.push("createdBefore", before.to_string());
        }
        if let Some(acknowledged) = self.acknowledged {
            pairs.push("acknowledged", if acknowledged { "true" } else { "false" });
        }
        if let Some(build) = self.build {
            pairs.push("build", build.to_string());
        }
        for order in &self.order {
            pairs.push("order[]", order.to_string());
        }
        for (key, value) in &self.params {
            pairs.push(key.as_str(), value.as_str());
        }
        pairs
    }

    fn permission(&self) -> Option<&'static str> {
        Some(PERMISSION_TASKS_READ)
    }
}

/// One sort key of `order[]`: a field name and a direction, written `+field` or `-field`.
///
/// The syntax is a **guess** taken from sibling list endpoints. Field names are not validated
/// here; the emulator knows `name`, `status`, `service`, `type` and `created`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Order {
    field: String,
    descending: bool,
}

impl Order {
    /// Ascending by `field` (`+field`).
    pub fn asc(field: impl Into<String>) -> Self {
        Self { field: field.into(), descending: false }
    }

    /// Descending by `field` (`-field`).
    pub fn desc(field: impl Into<String>) -> Self {
        Self { field: field.into(), descending: true }
    }

    /// The field name.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Whether the order is descending.
    pub fn is_descending(&self) -> bool {
        self.descending
    }
}

/// Reads `+field`, `-field` or a bare `field` (ascending); the field must not be empty.
impl FromStr for Order {
    type Err = Error;

    fn from_str(raw: &str) -> Result<Self, Error> {
        let order = match raw.as_bytes().first() {
            Some(b'-') => Self::desc(&raw[1..]),
            Some(b'+') => Self::asc(&raw[1..]),
            _ => Self::asc(raw),
        };
        if order.field.is_empty() {
            return Err(Error::invalid_order(raw));
        }
        Ok(order)
    }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.descending { '-' } else { '+' };
        write!(f, "{sign}{}", self.field)
    }
}

/// `GET /be/v1/tasks/{taskName}`: the details of one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetTask {
    /// The task to read.
    pub name: TaskName,
}

impl GetTask {
    /// Reads the task called `name`.
    pub fn new(name: TaskName) -> Self {
        Self { name }
    }
}

impl Endpoint for GetTask {
    type Response = TaskDetails;

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> PathSegments<'_> {
        let mut path = PathSegments::from_static(TASKS_PATH);
        path.push(Cow::Borrowed(self.name.as_str()));
        path
    }

    fn permission(&self) -> Option<&'static str> {
        Some(PERMISSION_TASKS_READ)
    }

    /// The details body may be a bare task whose own `status` is the task's state.
    fn checks_api_status(&self) -> bool {
        false
    }

    /// Any of the three shapes of a details answer; from a list envelope, the task asked for.
    fn decode(&self, body: &[u8]) -> Result<TaskDetails, serde_json::Error> {
        TaskDetails::from_json_for(body, &self.name)
    }
}

/// `PATCH /be/v1/tasks`: acknowledge a task's warning and/or expire it.
///
/// Encodes as `{"name": ..., "acknowledged": ..., "expired": ...}` in that order, leaving out the
/// flags that are not set, exactly as the vendor's example. The server answers with the list
/// envelope. Both operations are idempotent: repeating one changes nothing further.
///
/// ```
/// use rockit_model::{TaskName, UpdateTask};
///
/// let name: TaskName = "exampleorg-sushi-0002-1733149403-dltar".parse()?;
/// let body = serde_json::to_string(&UpdateTask::expire(name))?;
/// assert_eq!(body, r#"{"name":"exampleorg-sushi-0002-1733149403-dltar","expired":true}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[must_use]
pub struct UpdateTask {
    /// The task to change.
    pub name: TaskName,
    /// Marks the task's warning as reviewed. It fixes and retries nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<bool>,
    /// Marks an upload task as failed and acknowledged. It starts no new upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired: Option<bool>,
}

impl UpdateTask {
    /// An update of `name` with no flag set yet; the server rejects it with `missing-param` until
    /// one is.
    pub fn new(name: TaskName) -> Self {
        Self { name, acknowledged: None, expired: None }
    }

    /// Acknowledges the warning of `name`.
    pub fn acknowledge(name: TaskName) -> Self {
        Self::new(name).acknowledged(true)
    }

    /// Expires `name`, which also acknowledges it.
    pub fn expire(name: TaskName) -> Self {
        Self::new(name).expired(true)
    }

    /// Sets the `acknowledged` flag.
    pub fn acknowledged(mut self, acknowledged: bool) -> Self {
        self.acknowledged = Some(acknowledged);
        self
    }

    /// Sets the `expired` flag.
    pub fn expired(mut self, expired: bool) -> Self {
        self.expired = Some(expired);
        self
    }

    /// Whether neither flag is set, which the server rejects with `missing-param`.
    pub fn is_empty(&self) -> bool {
        self.acknowledged.is_none() && self.expired.is_none()
    }
}

impl Endpoint for UpdateTask {
    type Response = TaskListResponse;

    fn method(&self) -> Method {
        Method::Patch
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(TASKS_PATH)
    }

    fn body(&self) -> Result<Option<JsonBody>, serde_json::Error> {
        JsonBody::from_serialize(self).map(Some)
    }

    /// Acknowledging or expiring twice has the effect of doing it once.
    fn idempotent(&self) -> bool {
        true
    }

    fn permission(&self) -> Option<&'static str> {
        Some(PERMISSION_TASKS_UPDATE)
    }
}
