//! A downstream crate: ROCKIT Edge endpoints that rockit-rs does not cover, and a helper on its
//! Tasks client, built outside the rockit-rs workspace from the published crates alone.
//!
//! - [`TriggerRetry`]: `POST /be/v1/trigger`, retry a failed task; answered by
//!   `{"status": "success"}` ([`StatusResponse`]).
//! - [`ListApps`]: `GET /be/v1/apps?nameContains=…&offset=…&limit=…&order[]=…`; answered by a list
//!   envelope with the apps under `"apps"` ([`AppList`], a [`ListResponse`]).
//!   It is a [`PagedEndpoint`], so [`TasksExt::apps`] walks every app exactly once with the
//!   transport's [`Pager`].
//! - [`GetApp`]: `GET /be/v1/apps/{appName}`; answered by `{"status": "success", "app": {…}}`.
//! - [`CreateApiKey`]: `POST /be/v1/apikeys`, whose answer holds the new key's secret once: its
//!   response is declared sensitive, so no error ever quotes the body, and [`NewApiKey`] keeps the
//!   secret a [`SecretString`].
//! - [`TasksExt`]: [`TasksExt::call`] runs any endpoint through a [`Tasks`] client's transport
//!   with the crate's one error type, [`Error`] (rockit-tasks's), and [`TasksExt::retry_failed`]
//!   triggers a retry of every failed task of a listing.
//!
//! The vendor publishes that `POST /be/v1/trigger` retries failed tasks and needs `trigger.create`,
//! not its body; the apps endpoints are not published at all. Every shape here is a **guess** of
//! this example, as a studio would have to make one.
//!
//! serde and `serde_json` come from `rockit_model`'s re-exports; serde's derives find them through
//! `#[serde(crate = "rockit_model::serde")]`, so this crate depends on neither.
//!
//! ```
//! use downstream::{ListApps, TriggerRetry};
//! use rockit_model::{Endpoint, Order};
//!
//! let retry = TriggerRetry::new("exampleorg-sushi-0003-1733240117-dltar".parse()?);
//! assert_eq!(retry.body()?.unwrap().as_bytes(), br#"{"taskName":"exampleorg-sushi-0003-1733240117-dltar"}"#);
//! assert!(!retry.idempotent());
//!
//! let apps = ListApps::new().name_contains("sushi").limit(2).order(Order::desc("name"));
//! let query: Vec<_> = apps.query().iter().map(|(key, value)| format!("{key}={value}")).collect();
//! assert_eq!(query, ["nameContains=sushi", "limit=2", "order[]=-name"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::future::Future;

use rockit_model::serde::{Deserialize, Serialize};
use rockit_model::{
    Endpoint, JsonBody, ListKey, ListResponse, Method, Order, PagedEndpoint, PathSegments, QueryPairs,
    StatusResponse, TaskName, serde_json,
};
use rockit_tasks::{ListTasks, TaskStatus, Tasks};
use rockit_transport::{Pager, SecretString};

/// The crate's one error type: rockit-tasks's. Failures of this crate's own endpoints are its
/// `Transport` variant, naming what was being done; the transport error inside keeps the status,
/// the API code and the endpoint's permission.
pub use rockit_tasks::{Error, Result};

/// The permission `POST /be/v1/trigger` needs (documented by the vendor).
pub const PERMISSION_TRIGGER_CREATE: &str = "trigger.create";
/// The permission the apps endpoints need (a guess, after the vendor's `<resource>.<action>` names).
pub const PERMISSION_APPS_READ: &str = "apps.read";

const TRIGGER_PATH: &[&str] = &["be", "v1", "trigger"];
const APPS_PATH: &[&str] = &["be", "v1", "apps"];
const API_KEYS_PATH: &[&str] = &["be", "v1", "apikeys"];
/// The permission `POST /be/v1/apikeys` needs (a guess).
pub const PERMISSION_API_KEYS_CREATE: &str = "apikeys.create";

/// `POST /be/v1/trigger`: retry a failed task. Body `{"taskName": "<task>"}` (a guess).
///
/// Not idempotent: each call starts a retry, so the transport never repeats it after the request
/// may have reached the server (a `503` is returned, not retried).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(crate = "rockit_model::serde", rename_all = "camelCase")]
pub struct TriggerRetry {
    task_name: TaskName,
}

impl TriggerRetry {
    /// Retries the task called `task_name`.
    pub fn new(task_name: TaskName) -> Self {
        Self { task_name }
    }

    /// The task to retry.
    pub fn task_name(&self) -> &TaskName {
        &self.task_name
    }
}

impl Endpoint for TriggerRetry {
    type Response = StatusResponse;

    fn method(&self) -> Method {
        Method::Post
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(TRIGGER_PATH)
    }

    fn body(&self) -> Result<Option<JsonBody>, serde_json::Error> {
        JsonBody::from_serialize(self).map(Some)
    }

    fn permission(&self) -> Option<&'static str> {
        Some(PERMISSION_TRIGGER_CREATE)
    }
}

/// An app, as the apps endpoints describe it (a guess). Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(crate = "rockit_model::serde", rename_all = "camelCase")]
pub struct App {
    /// The app's name, as in task names (`sushi`).
    pub name: String,
    /// The name shown to people, if set.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The number of the app's newest build, if it has one.
    #[serde(default)]
    pub latest_build: Option<u32>,
}

/// The key of [`ListApps`]'s items: `"apps"`.
#[derive(Debug)]
pub enum Apps {}

impl ListKey for Apps {
    const KEY: &'static str = "apps";
}

/// The answer of [`ListApps`]: `{"status": "success", "totalCount": N, "apps": [...]}`.
pub type AppList = ListResponse<App, Apps>;

/// `GET /be/v1/apps`: one page of the organization's apps, filtered and sorted.
///
/// Query parameters, each sent only when set, in this order: `nameContains`, `offset`, `limit`,
/// then one `order[]` per sort key (`-name`, `+latestBuild`), as the Tasks API sorts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListApps {
    name_contains: Option<String>,
    offset: Option<u64>,
    limit: Option<u32>,
    order: Vec<Order>,
}

impl ListApps {
    /// The first page, in the server's order.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only apps whose name contains `text`.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }

    /// Skips the first `offset` apps.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// At most `limit` apps.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds a sort key; the first one added sorts first.
    pub fn order(mut self, order: Order) -> Self {
        self.order.push(order);
        self
    }
}

impl Endpoint for ListApps {
    type Response = AppList;

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(APPS_PATH)
    }

    fn query(&self) -> QueryPairs<'_> {
        let mut query = QueryPairs::new();
        if let Some(text) = &self.name_contains {
            query.push("nameContains", text.as_str());
        }
        if let Some(offset) = self.offset {
            query.push("offset", offset.to_string());
        }
        if let Some(limit) = self.limit {
            query.push("limit", limit.to_string());
        }
        for order in &self.order {
            query.push("order[]", order.to_string());
        }
        query
    }

    fn permission(&self) -> Option<&'static str> {
        Some(PERMISSION_APPS_READ)
    }
}

/// The pager reads the apps in name order unless the request sorts them its own way; a server
/// that counts (`totalCount`) or not, or caps its pages, is paged through all the same.
impl PagedEndpoint for ListApps {
    type Key = String;

    fn key(app: &App) -> &String {
        &app.name
    }

    fn page_offset(&self) -> u64 {
        self.offset.unwrap_or(0)
    }

    fn page_limit(&self) -> Option<u32> {
        self.limit
    }

    fn with_page(&self, offset: u64, limit: u32) -> Self {
        self.clone().offset(offset).limit(limit)
    }

    fn has_custom_order(&self) -> bool {
        !self.order.is_empty()
    }
}

/// `POST /be/v1/apikeys`: a new API key for a machine user. Body `{"user": "<user>"}`; answered by
/// `{"status": "success", "apikey": {"id": "…", "secret": "…"}}` (both guesses), the only time
/// the secret is ever shown.
///
/// The response is sensitive: a body that does not decode is never quoted in an error, a log line
/// or a `Debug` print (the error says what failed and how long the body was). Not idempotent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(crate = "rockit_model::serde")]
pub struct CreateApiKey {
    user: String,
}

impl CreateApiKey {
    /// A new key for the machine user `user`.
    pub fn new(user: impl Into<String>) -> Self {
        Self { user: user.into() }
    }
}

/// A key [`CreateApiKey`] made. Its `Debug` shows the id, never the secret.
#[derive(Debug, Deserialize)]
#[serde(crate = "rockit_model::serde")]
pub struct NewApiKey {
    /// The key's id, for deleting it later.
    pub id: String,
    /// The key itself: read it with `rockit_transport::ExposeSecret`, store it, drop it.
    pub secret: SecretString,
}

/// `{"status": "success", "apikey": {…}}`: only `apikey` is read.
#[derive(Deserialize)]
#[serde(crate = "rockit_model::serde")]
struct ApiKeyAnswer {
    apikey: NewApiKey,
}

impl Endpoint for CreateApiKey {
    type Response = NewApiKey;

    fn method(&self) -> Method {
        Method::Post
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(API_KEYS_PATH)
    }

    fn body(&self) -> Result<Option<JsonBody>, serde_json::Error> {
        JsonBody::from_serialize(self).map(Some)
    }

    fn permission(&self) -> Option<&'static str> {
        Some(PERMISSION_API_KEYS_CREATE)
    }

    fn sensitive_response(&self) -> bool {
        true
    }

    /// The key, out of its envelope.
    fn decode(&self, body: &[u8]) -> Result<NewApiKey, serde_json::Error> {
        serde_json::from_slice::<ApiKeyAnswer>(body).map(|answer| answer.apikey)
    }
}

/// `GET /be/v1/apps/{appName}`: one app. The name is one path segment whatever it holds: the
/// transport percent-encodes it, and refuses `""`, `.` and `..` before sending anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetApp {
    name: String,
}

impl GetApp {
    /// Reads the app called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

/// `{"status": "success", "app": {…}}`: the transport checks `status`, so only `app` is read.
#[derive(Deserialize)]
#[serde(crate = "rockit_model::serde")]
struct AppAnswer {
    app: App,
}

impl Endpoint for GetApp {
    type Response = App;

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> PathSegments<'_> {
        let mut path = PathSegments::from_static(APPS_PATH);
        path.push(Cow::Borrowed(self.name.as_str()));
        path
    }

    fn permission(&self) -> Option<&'static str> {
        Some(PERMISSION_APPS_READ)
    }

    /// The app, out of its envelope.
    fn decode(&self, body: &[u8]) -> Result<App, serde_json::Error> {
        serde_json::from_slice::<AppAnswer>(body).map(|answer| answer.app)
    }
}

/// What this crate adds to rockit-tasks's [`Tasks`] client.
pub trait TasksExt {
    /// Runs any endpoint through the client's transport (its credentials, retries and timeouts);
    /// a failure is an [`Error::Transport`] whose `action` says what was being done.
    fn call<E>(&self, action: &str, endpoint: &E) -> impl Future<Output = Result<E::Response>> + Send
    where
        E: Endpoint + Sync,
        E::Response: Send;

    /// Triggers a retry of every failed task that `request` lists (expired ones included: a
    /// listing does not tell them apart), in listing order, each once; returns their names.
    ///
    /// The listing is rockit-tasks's exactly-once stream, consumed with its inherent `try_next`.
    /// The first failure ends the loop: the tasks before it were retried, the rest were not.
    fn retry_failed(&self, request: ListTasks) -> impl Future<Output = Result<Vec<TaskName>>> + Send;

    /// Every app `request` lists, each once, page by page (`request`'s limit, else 500 a page):
    /// the transport's [`Pager`], whose report says whether the listing may have missed any.
    fn apps(&self, request: ListApps) -> Pager<ListApps>;
}

impl TasksExt for Tasks {
    async fn call<E>(&self, action: &str, endpoint: &E) -> Result<E::Response>
    where
        E: Endpoint + Sync,
        E::Response: Send,
    {
        self.client()
            .execute(endpoint)
            .await
            .map_err(|source| Error::Transport { action: action.to_owned(), source })
    }

    async fn retry_failed(&self, request: ListTasks) -> Result<Vec<TaskName>> {
        let mut failed = self.stream(request.status(TaskStatus::Failed));
        let mut retried = Vec::new();
        while let Some(task) = failed.try_next().await? {
            let action = format!("retry {}", task.name);
            self.call(&action, &TriggerRetry::new(task.name.clone())).await?;
            retried.push(task.name);
        }
        Ok(retried)
    }

    fn apps(&self, request: ListApps) -> Pager<ListApps> {
        Pager::new(self.client().clone(), request)
    }
}

/// The examples of this crate's README, compiled as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
