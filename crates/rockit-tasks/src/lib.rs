//! The ROCKIT Edge Tasks client: list, stream, read, acknowledge, expire and wait for tasks.
//!
//! [`Tasks`] wraps a [`rockit_transport::Client`] and speaks in the wire types of
//! [`rockit_model`]; it is composed only from the public APIs of those two crates. Pages come as
//! [`Page`]s, whole listings as a [`TaskStream`] that yields each task once even while the listing
//! changes, and [`Tasks::wait`] / [`Tasks::watch`] poll a task until it settles.
//!
//! People upload **builds**, and each runs a pipeline of tasks: [`Tasks::build`] gives one build's
//! tasks as [`Stage`]s in pipeline order with their attempts, [`Tasks::builds`] streams every build
//! of a listing, and [`Tasks::wait_build`] / [`Tasks::watch_build`] follow a build until it is
//! through, fail fast when a stage fails, and wait for a build that has not appeared yet. The stage
//! order and what counts as an attempt are our reading of the vendor's example (a guess); see
//! [`rockit_model::STAGE_ORDER`].
//!
//! A complete session (it runs as a doctest against the emulator, with the demo fixture of the
//! vendor's example; against a real ROCKIT Edge build the client with `Client::from_env()`):
//!
//! ```
//! use std::time::Duration;
//!
//! use futures_util::TryStreamExt;
//! use rockit_tasks::{ListTasks, TaskStatus, Tasks, WaitOptions, WaitOutcome};
//! use rockit_transport::{Client, Credentials};
//! # use rockit_emulator::{Emulator, Fixture, Task, Timeline, demo};
//! # use rockit_model::{Service, TaskKind};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = Emulator::builder().fixture(Fixture::demo()).speed(100.0).start().await?;
//! # emulator.insert(Task::new("exampleorg-sushi-0002-1733155600-deploy".parse()?, Service::Edge, TaskStatus::Running)
//! #     .timeline(Timeline::new().at(Duration::from_secs(3), TaskStatus::Done)));
//! // Connect.
//! let client = Client::builder()
//!     .base_url(emulator.base_url())
//!     .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
//!     .build()?;
//! let tasks = Tasks::new(client);
//!
//! // List the tasks of build 2 of app sushi.
//! let build = tasks.list(ListTasks::for_build("sushi", 2).limit(50)).await?;
//! for task in &build.tasks {
//!     println!("{} {} {}", task.name, task.service, task.status);
//! }
//!
//! // Acknowledge every warning nobody has reviewed yet.
//! let warned: Vec<_> = tasks.stream(ListTasks::unacknowledged_warnings()).try_collect().await?;
//! for task in &warned {
//!     tasks.acknowledge(&task.name).await?;
//! }
//! assert_eq!(tasks.list(ListTasks::unacknowledged_warnings()).await?.total_count, 0);
//!
//! // Expire the upload that is stuck in `pending`.
//! let stuck = build.tasks.iter().find(|task| {
//!     task.status == TaskStatus::Pending && task.name.parts().is_some_and(|p| p.kind() == TaskKind::Dltar)
//! });
//! if let Some(stuck) = stuck {
//!     tasks.expire(&stuck.name).await?;
//!     assert_eq!(tasks.get(&stuck.name).await?.expired, Some(true));
//! }
//!
//! // Wait for the deploy to finish.
//! let deploy = tasks.list(ListTasks::for_build("sushi", 2).kind(TaskKind::Deploy)).await?;
//! let options = WaitOptions::new().timeout(Duration::from_secs(60)).interval(Duration::from_millis(10));
//! match tasks.wait(&deploy.tasks[0].name, options).await? {
//!     WaitOutcome::Succeeded(details) => println!("{} is done", details.name),
//!     other => return Err(other.into_result().unwrap_err().into()),
//! }
//! # Ok(())
//! # }
//! ```

mod advice;
mod build;
mod build_wait;
mod client;
mod error;
mod marks;
mod pacing;
mod page;
mod poll;
mod stream;
mod wait;

pub use rockit_model::{
    BuildId, DEFAULT_LIMIT, ListTasks, Order, Service, TaskDetails, TaskKind, TaskName, TaskStatus,
    TaskSummary, UpdateTask,
};

pub use crate::advice::{NextStep, StageSlot};
pub use crate::build::{Build, BuildState, BuildStream, STALL_AFTER, Stage};
pub use crate::build_wait::{
    BuildChange, BuildOutcome, BuildProgress, BuildTarget, BuildWaitOptions, PREVIOUS_BUILDS,
};
pub use crate::client::Tasks;
pub use crate::error::{Error, Result};
pub use crate::marks::{MAX_WARNING_MARKS, MarksUnknown, WarningMark, WarningMarks};
pub use crate::pacing::{Pacing, Pause, PauseReason};
pub use crate::page::Page;
pub use crate::poll::Watch;
pub use crate::stream::{STREAM_PAGE_LIMIT, StreamPosition, TaskStream};
pub use crate::wait::{TaskEvent, WaitOptions, WaitOutcome};
pub use rockit_transport::{ListingReport, MAX_STEPS_BACK, MissedReason};

/// The stream traits, for code that needs more than the inherent `try_next` of [`TaskStream`],
/// [`BuildStream`] and [`Watch`]: `use rockit_tasks::prelude::*;` brings
/// `futures_util`'s `StreamExt` and `TryStreamExt` methods (`next`, `try_collect`, `map_ok`, …)
/// into scope for every stream this crate returns ([`Watch`] included), and names the
/// `Stream` trait, without a `futures-util` dependency of your own.
pub mod prelude {
    pub use futures_util::stream::{Stream, StreamExt as _, TryStreamExt as _};
}

/// The examples of this crate's README, compiled and run as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
