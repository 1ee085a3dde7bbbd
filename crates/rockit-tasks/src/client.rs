//! `Tasks`: the user-facing verbs, each one call (or a loop of calls) through the transport.

use rockit_model::{GetTask, ListTasks, TaskDetails, TaskListResponse, TaskName, UpdateTask};
use rockit_transport::Client;

use crate::error::{Error, Result};
use crate::page::Page;
use crate::stream::{StreamPosition, TaskStream};

/// The Tasks API of one ROCKIT Edge organization.
///
/// Cheap to clone: clones share the transport's client (its connection pool, credentials and
/// retry policy).
#[derive(Debug, Clone)]
pub struct Tasks {
    client: Client,
}

impl Tasks {
    /// The Tasks API reached through `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The transport client, for endpoints this crate does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// One page of tasks: `GET /be/v1/tasks`.
    pub async fn list(&self, request: ListTasks) -> Result<Page> {
        let response =
            self.client.execute(&request).await.map_err(|err| Error::transport("list tasks", err))?;
        Ok(Page::new(&request, response.tasks, response.total_count))
    }

    /// Every task matching `request`, across pages, lazily; see [`TaskStream`] for how it keeps
    /// each task exactly once while the listing changes underneath.
    ///
    /// `request`'s `limit` sets the page size (at least 2; [`crate::STREAM_PAGE_LIMIT`] without
    /// one); its `offset`, if any, is where the listing starts.
    pub fn stream(&self, request: ListTasks) -> TaskStream {
        TaskStream::new(self.client.clone(), request, StreamPosition::default(), false)
    }

    /// Like [`stream`](Self::stream), fetching the next page in the background while the current
    /// one is consumed. Needs a Tokio runtime.
    pub fn stream_prefetch(&self, request: ListTasks) -> TaskStream {
        TaskStream::new(self.client.clone(), request, StreamPosition::default(), true)
    }

    /// Resumes a listing from a position saved with [`TaskStream::position`].
    pub fn stream_from(&self, request: ListTasks, position: StreamPosition) -> TaskStream {
        TaskStream::new(self.client.clone(), request, position, false)
    }

    /// The details of one task: `GET /be/v1/tasks/{name}`.
    pub async fn get(&self, name: &TaskName) -> Result<TaskDetails> {
        self.client
            .execute(&GetTask::new(name.clone()))
            .await
            .map_err(|err| Error::transport(format!("get {name}"), err))
    }

    /// Marks the task's warning as reviewed. It fixes and retries nothing; acknowledging twice is
    /// harmless.
    pub async fn acknowledge(&self, name: &TaskName) -> Result<()> {
        self.send(UpdateTask::acknowledge(name.clone()), "acknowledge").await.map(drop)
    }

    /// Marks an upload task as failed and acknowledged. It starts no new upload; expiring twice is
    /// harmless.
    pub async fn expire(&self, name: &TaskName) -> Result<()> {
        self.send(UpdateTask::expire(name.clone()), "expire").await.map(drop)
    }

    /// Sends an update with both flags as given: `PATCH /be/v1/tasks`. Returns the server's answer,
    /// the first page of the organization's tasks.
    pub async fn update(&self, update: UpdateTask) -> Result<TaskListResponse> {
        if update.is_empty() {
            return Err(Error::EmptyUpdate { name: update.name });
        }
        self.send(update, "update").await
    }

    async fn send(&self, update: UpdateTask, verb: &str) -> Result<TaskListResponse> {
        self.client
            .execute(&update)
            .await
            .map_err(|err| Error::transport(format!("{verb} {}", update.name), err))
    }
}
