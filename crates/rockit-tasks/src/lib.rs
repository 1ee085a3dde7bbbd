//! The ROCKIT Edge Tasks client: list, stream, read, acknowledge, expire and wait for tasks.
//!
//! [`Tasks`] wraps a [`rockit_transport::Client`] and speaks in the wire types of
//! [`rockit_model`]; it is composed only from the public APIs of those two crates.
//!
//! ```no_run
//! use rockit_tasks::{ListTasks, Tasks, WaitOptions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let tasks = Tasks::new(rockit_transport::Client::from_env()?);
//! let page = tasks.list(ListTasks::for_build("sushi", 2)).await?;
//! println!("{} of {} tasks", page.tasks.len(), page.total_count);
//! # Ok(())
//! # }
//! ```

mod client;
mod error;
mod page;
mod stream;
mod wait;

pub use rockit_model::{ListTasks, TaskDetails, TaskName, TaskStatus, TaskSummary, UpdateTask};

pub use crate::client::Tasks;
pub use crate::error::{Error, Result};
pub use crate::page::{DEFAULT_LIMIT, Page};
pub use crate::stream::{ListingReport, StreamPosition, TaskStream};
pub use crate::wait::{TaskWatch, WaitOptions, WaitOutcome};
