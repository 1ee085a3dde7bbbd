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

mod build;
mod endpoint;
mod envelope;
mod error;
mod task;
mod task_name;
mod tasks_api;
mod text;
mod vocab;
mod wire;

pub use crate::build::{BuildId, STAGE_ORDER, parse_build_number};
pub use crate::endpoint::{Endpoint, JsonBody, Method, PathSegments, QueryPairs, decode_path_segments};
pub use crate::envelope::{ErrorBody, TaskListResponse};
pub use crate::error::{Error, Result};
pub use crate::task::{
    Exception, FileReadFailed, HttpDownloadFailed, TaskDetails, TaskSummary, Timestamp, Warning,
};
pub use crate::task_name::{MAX_TASK_NAME_LEN, TaskName, TaskNameError, TaskNameParts};
pub use crate::tasks_api::{
    GetTask, ListTasks, Order, PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE, UpdateTask,
};
pub use crate::text::printable;
pub use crate::vocab::{ApiStatus, Service, TaskKind, TaskStatus};
pub use crate::wire::{
    DEFAULT_LIMIT, HEADER_API_KEY, HEADER_ORG, HEADER_SESSION_TOKEN, HEADER_TOKEN, HEADER_USER,
    SECRET_HEADERS,
};

/// The examples of this crate's README, compiled and run as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
