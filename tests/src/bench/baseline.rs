//! The baseline: what a careful user writes by hand with reqwest and `serde_json`, and the rockit
//! client built with the same connection settings.
//!
//! Both clients send the same headers (the three `x-rockit-*` API-key headers, `accept:
//! application/json` and the same `user-agent`), use the same timeouts, never follow redirects and
//! bypass proxies (the server is on loopback). The baseline decodes into plain structs with
//! `String` fields and checks what hand-written code would check: the HTTP status, and the
//! envelope's `status` where there is one.

use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use rockit_emulator::demo;
use rockit_transport::{Credentials, HEADER_API_KEY, HEADER_ORG, HEADER_USER};
use serde::{Deserialize, Serialize};

/// The rockit client's defaults, repeated for the baseline.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_secs(30);
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
const USER_AGENT: &str = concat!("rockit-rs/", env!("CARGO_PKG_VERSION"));

/// One task as the baseline sees it, in a list or as details (other fields are ignored).
// The benchmarks decode the fields and hand them to `black_box` without reading them.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
pub(crate) struct Task {
    /// The task's name.
    pub(crate) name: String,
    /// The back end that runs it.
    pub(crate) service: String,
    /// Its state.
    pub(crate) status: String,
}

/// A list response as the baseline sees it.
#[derive(Debug, Deserialize)]
pub(crate) struct TaskList {
    /// `success`, or an error code.
    pub(crate) status: String,
    /// How many tasks match in all.
    #[serde(rename = "totalCount")]
    pub(crate) total_count: u64,
    /// This page's tasks.
    pub(crate) tasks: Vec<Task>,
}

/// The body of an acknowledge request.
#[derive(Debug, Serialize)]
pub(crate) struct Acknowledge<'a> {
    /// The task.
    pub(crate) name: &'a str,
    /// Always true.
    pub(crate) acknowledged: bool,
}

/// The hand-written client: reqwest with the rockit client's settings and the demo API key.
pub(crate) fn client() -> Result<reqwest::Client> {
    let mut headers = HeaderMap::new();
    headers.insert(HEADER_ORG, HeaderValue::from_static(demo::ORG));
    headers.insert(HEADER_USER, HeaderValue::from_static(demo::USER));
    let mut key = HeaderValue::from_static(demo::API_KEY);
    key.set_sensitive(true);
    headers.insert(HEADER_API_KEY, key);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    // The workspace builds reqwest without a crypto provider (rustls-no-provider): the one rockit
    // uses, for the whole process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .user_agent(USER_AGENT)
        .no_proxy()
        .build()
        .context("cannot build the baseline client")
}

/// The rockit client, as its docs say to build one.
pub(crate) fn rockit(base_url: &str) -> Result<rockit_tasks::Tasks> {
    let client = rockit_transport::Client::builder()
        .base_url(base_url)
        .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
        .build()
        .context("cannot build the rockit client")?;
    Ok(rockit_tasks::Tasks::new(client))
}

/// `GET url`, failing on a non-success status; the whole body.
pub(crate) async fn get_bytes(http: &reqwest::Client, url: &str) -> Result<bytes::Bytes> {
    let response = http.get(url).send().await?.error_for_status()?;
    Ok(response.bytes().await?)
}

/// One task's details, by hand.
pub(crate) async fn get_task(http: &reqwest::Client, base: &str, name: &str) -> Result<Task> {
    let body = get_bytes(http, &format!("{base}/be/v1/tasks/{name}")).await?;
    Ok(serde_json::from_slice(&body)?)
}

/// One page of tasks, by hand.
pub(crate) async fn list_page(
    http: &reqwest::Client,
    base: &str,
    offset: u64,
    limit: u32,
) -> Result<TaskList> {
    let body = get_bytes(http, &format!("{base}/be/v1/tasks?offset={offset}&limit={limit}")).await?;
    let page: TaskList = serde_json::from_slice(&body)?;
    ensure!(page.status == "success", "list answered status {:?}", page.status);
    Ok(page)
}

/// Every task, page by page, handed to `each`; returns how many there were.
pub(crate) async fn list_all(
    http: &reqwest::Client,
    base: &str,
    limit: u32,
    mut each: impl FnMut(Task),
) -> Result<u64> {
    let mut offset = 0;
    loop {
        let page = list_page(http, base, offset, limit).await?;
        let len = page.tasks.len() as u64;
        page.tasks.into_iter().for_each(&mut each);
        offset += len;
        if len == 0 || offset >= page.total_count {
            return Ok(offset);
        }
    }
}

/// Acknowledges one task, by hand; the answer is a list page, checked and dropped.
pub(crate) async fn acknowledge(http: &reqwest::Client, base: &str, name: &str) -> Result<()> {
    let body = serde_json::to_vec(&Acknowledge { name, acknowledged: true })?;
    let response = http
        .patch(format!("{base}/be/v1/tasks"))
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await?
        .error_for_status()?;
    let page: TaskList = serde_json::from_slice(&response.bytes().await?)?;
    ensure!(page.status == "success", "acknowledge answered status {:?}", page.status);
    Ok(())
}
