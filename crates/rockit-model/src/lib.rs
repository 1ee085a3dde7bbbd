//! Wire types and sans-IO endpoint descriptions for the ROCKIT Edge Tasks API.
//!
//! This crate is pure data: it serialises and deserialises, validates and describes requests, and
//! never performs I/O. [`TaskName`] is the validated identifier of a task; [`TaskSummary`] and
//! [`TaskDetails`] are what the server says about tasks, wrapped in a [`TaskListResponse`] for lists.
//! [`ListTasks`], [`GetTask`] and [`UpdateTask`] describe the three Tasks endpoints through the
//! [`Endpoint`] trait, which `rockit-transport` executes and downstream crates implement for routes
//! this SDK does not cover.
//!
//! The vendor documents only part of its API. Decoding is lenient (unknown enum values survive in
//! `Unknown(String)` variants, unknown fields never break decoding and task details keep them in
//! [`TaskDetails::extra`]), encoding is exact, and every item built on a guess says so.
//!
//! ```
//! use rockit_model::{Endpoint, TaskKind, TaskListResponse, TaskName, TaskStatus, UpdateTask};
//!
//! let body = r#"{"status":"success","totalCount":13,"tasks":[
//!     {"name":"exampleorg-sushi-0002-1733149403-dltar","service":"engine","status":"pending"}]}"#;
//! let page: TaskListResponse = serde_json::from_str(body)?;
//! let stuck = &page.tasks[0];
//! assert_eq!(stuck.status, TaskStatus::Pending);
//! assert_eq!(stuck.name.parts().map(|p| p.kind()), Some(TaskKind::Dltar));
//!
//! let expire = UpdateTask::expire(stuck.name.clone());
//! assert_eq!(expire.path().to_string(), "/be/v1/tasks");
//! assert_eq!(
//!     expire.body()?.unwrap().as_bytes(),
//!     br#"{"name":"exampleorg-sushi-0002-1733149403-dltar","expired":true}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Adding an endpoint in your own crate
//!
//! A route this SDK does not cover is a type implementing [`Endpoint`]; `rockit-transport` runs it
//! like ours. Everything the trait names is reachable from this crate: [`serde`] (with its
//! `derive` feature) and [`serde_json`] are re-exported, so a crate depending on `rockit-model`
//! needs neither as a dependency of its own. serde's derive macros write paths to a crate called
//! `serde`; in a crate without that dependency, point them at the re-export with
//! `#[serde(crate = "rockit_model::serde")]` on every derived type.
//!
//! Answers follow the vendor's envelope pattern (a **guess** for routes outside the Tasks group):
//! `rockit-transport` turns a `2xx` whose top-level `status` is not `success` into an error, so a
//! response type names only the fields it wants. [`StatusResponse`] is the answer that has nothing
//! else, and [`ListResponse`] a list under a key a [`ListKey`] marker names. On the server side,
//! [`decode_path_segments`] and [`decode_query_pairs`] undo the transport's encoding.
//!
//! ```
//! use rockit_model::serde::{Deserialize, Serialize};
//! use rockit_model::serde_json;
//! use rockit_model::{Endpoint, JsonBody, ListKey, ListResponse, Method, PathSegments, QueryPairs};
//!
//! /// `POST /be/v1/trigger`: retry a failed task (the body is unpublished; a guess).
//! #[derive(Serialize)]
//! #[serde(crate = "rockit_model::serde", rename_all = "camelCase")]
//! struct RetryTask {
//!     task_name: String,
//! }
//!
//! /// Its answer: the envelope's `status` is checked by the transport, so it is not a field here.
//! #[derive(Debug, Deserialize)]
//! #[serde(crate = "rockit_model::serde", rename_all = "camelCase")]
//! struct Triggered {
//!     trigger_id: u64,
//! }
//!
//! impl Endpoint for RetryTask {
//!     type Response = Triggered;
//!     fn method(&self) -> Method { Method::Post }
//!     fn path(&self) -> PathSegments<'_> { PathSegments::from_static(&["be", "v1", "trigger"]) }
//!     fn body(&self) -> Result<Option<JsonBody>, serde_json::Error> {
//!         JsonBody::from_serialize(self).map(Some)
//!     }
//!     fn permission(&self) -> Option<&'static str> { Some("trigger.create") }
//! }
//!
//! /// `GET /be/v1/apps?nameContains=…`: a list envelope with its items under `apps`.
//! struct ListApps<'a> {
//!     name_contains: &'a str,
//! }
//!
//! enum Apps {}
//! impl ListKey for Apps {
//!     const KEY: &'static str = "apps";
//! }
//!
//! impl Endpoint for ListApps<'_> {
//!     type Response = ListResponse<String, Apps>;
//!     fn method(&self) -> Method { Method::Get }
//!     fn path(&self) -> PathSegments<'_> { PathSegments::from_static(&["be", "v1", "apps"]) }
//!     fn query(&self) -> QueryPairs<'_> { [("nameContains", self.name_contains)].into_iter().collect() }
//!     fn permission(&self) -> Option<&'static str> { Some("apps.read") }
//! }
//!
//! let retry = RetryTask { task_name: "exampleorg-sushi-0002-1733149403-dltar".to_owned() };
//! assert_eq!(
//!     retry.body()?.unwrap().as_bytes(),
//!     br#"{"taskName":"exampleorg-sushi-0002-1733149403-dltar"}"#
//! );
//! assert_eq!(retry.decode(br#"{"status":"success","triggerId":7}"#)?.trigger_id, 7);
//! let apps = ListApps { name_contains: "su" }.decode(br#"{"status":"success","apps":["sushi"]}"#)?;
//! assert_eq!(apps.items, ["sushi"]);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! `examples/downstream` in the repository is such a crate, in a workspace of its own, tested
//! against `rockit-emulator`.

mod build;
mod endpoint;
mod envelope;
mod error;
mod generic;
mod paging;
mod query_decode;
mod task;
mod task_name;
mod tasks_api;
mod text;
mod vocab;
mod wire;

pub use crate::build::{BuildId, STAGE_ORDER, parse_build_number};
pub use crate::endpoint::{Endpoint, JsonBody, Method, PathSegments, QueryPairs, decode_path_segments};
pub use crate::envelope::{ErrorBody, TaskListResponse};
pub use crate::error::TaskNameError;
pub use crate::error::{Error, Result};
pub use crate::generic::{ListKey, ListResponse, StatusResponse};
pub use crate::paging::{Page, PageItem, PagedEndpoint};
pub use crate::query_decode::decode_query_pairs;
pub use crate::task::{
    Exception, FileReadFailed, HttpDownloadFailed, TaskDetails, TaskSummary, Timestamp, Warning,
};
pub use crate::task_name::{TaskApp, TaskName, TaskNameParts};
pub use crate::tasks_api::{
    GetTask, ListTasks, Order, PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE, UpdateTask,
};
pub use crate::text::printable;
pub use crate::vocab::{ApiStatus, Service, TaskKind, TaskStatus};
pub use crate::wire::{
    DEFAULT_LIMIT, HEADER_API_KEY, HEADER_ORG, HEADER_SESSION_TOKEN, HEADER_TOKEN, HEADER_USER,
    MAX_TASK_NAME_LEN, SECRET_HEADERS,
};

/// serde, with its `derive` feature: request and response types of an [`Endpoint`] implement its
/// traits. Derive them without a serde dependency of your own through
/// `#[serde(crate = "rockit_model::serde")]` (see the crate docs).
pub use serde;
/// `serde_json`, whose `Error` [`Endpoint::body`] and [`Endpoint::decode`] return, and whose
/// `json!` works through this path too.
pub use serde_json;

/// The examples of this crate's README, compiled and run as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
