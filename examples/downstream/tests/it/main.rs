//! The downstream endpoints against rockit-emulator, over real loopback HTTP: the emulated routes
//! are mounted into the emulator (so its authentication, faults and request log apply to them) and
//! answer literal JSON, never this crate's own types, so a bug in a type cannot hide behind the
//! same bug in the emulated server.

mod apikeys;
mod apps;
mod heap;
mod paging;
mod tasks;
mod trigger;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rockit_emulator::axum::Router;
use rockit_emulator::axum::body::Bytes;
use rockit_emulator::axum::extract::{Path, RawQuery, State};
use rockit_emulator::axum::http::StatusCode;
use rockit_emulator::axum::response::Response;
use rockit_emulator::axum::routing::{get, post};
use rockit_emulator::{ApiError, Caller, Emulator, Fixture, RecordedRequest, demo, json_response};
use rockit_model::serde_json::{self, Value, json};
use rockit_model::{TaskName, decode_query_pairs};
use rockit_transport::{Client, Credentials, RetryPolicy};

/// A machine user with every permission this crate's endpoints need, besides the Tasks API's.
const OPS_USER: &str = "ops";
const OPS_KEY: &str = "ops-key";

/// The apps the emulated apps endpoints know, in name order: name, display name, newest build.
const APPS: &[(&str, &str, u32)] = &[
    ("gyoza", "Gyoza Rush", 7),
    ("sushi", "Sushi Go", 3),
    ("sushi & co", "Sushi & Co", 1),
    ("udon", "Udon Run", 12),
];

/// The mounted routes' data, and what they were asked, as they decoded it.
#[derive(Debug, Default)]
struct Seen {
    /// The apps `GET /be/v1/apps` lists, in name order: name, display name, newest build.
    apps: Vec<(String, String, u32)>,
    /// Whether `POST /be/v1/apikeys` answers a body that does not decode (the secret inside).
    malformed_keys: bool,
    /// `taskName` of each `POST /be/v1/trigger` served.
    triggers: Vec<String>,
    /// The decoded query pairs of each `GET /be/v1/apps` served.
    app_queries: Vec<Vec<(String, String)>>,
    /// The `{appName}` of each `GET /be/v1/apps/{appName}` served.
    app_names: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

/// A running emulator with the demo fixture on a frozen clock, the demo credentials, the `ops`
/// user, and the three emulated routes.
struct Harness {
    emulator: Emulator,
    seen: Shared,
}

impl Harness {
    /// The harness with the four [`APPS`].
    async fn start() -> Self {
        let apps =
            APPS.iter().map(|(name, display, build)| ((*name).to_owned(), (*display).to_owned(), *build));
        Self::with_apps(apps.collect()).await
    }

    /// The harness listing `apps` (in name order).
    async fn with_apps(apps: Vec<(String, String, u32)>) -> Self {
        let seen = Arc::new(Mutex::new(Seen { apps, ..Seen::default() }));
        let routes = Router::new()
            .route("/be/v1/trigger", post(trigger))
            .route("/be/v1/apps", get(list_apps))
            .route("/be/v1/apps/{name}", get(get_app))
            .route("/be/v1/apikeys", post(create_api_key))
            .with_state(seen.clone());
        let emulator = Emulator::builder()
            .fixture(Fixture::demo())
            .speed(0.0)
            .demo_credentials()
            .api_key(
                OPS_USER,
                OPS_KEY,
                ["tasks.read", "tasks.update", "trigger.create", "apps.read", "apikeys.create"],
            )
            .mount(routes)
            .start()
            .await
            .expect("the emulator starts");
        Self { emulator, seen }
    }

    /// A client of the `ops` user.
    fn ops(&self) -> Client {
        self.client(OPS_USER, OPS_KEY)
    }

    /// A client of the demo admin, who has `tasks.read` and `tasks.update` only.
    fn admin(&self) -> Client {
        self.client(demo::USER, demo::API_KEY)
    }

    /// A client with the transport's default number of attempts and millisecond delays, so that
    /// retries are visible and fast.
    fn client(&self, user: &str, key: &str) -> Client {
        Client::builder()
            .base_url(self.emulator.base_url())
            .credentials(Credentials::api_key(demo::ORG, user, key))
            .retry_policy(
                RetryPolicy::default()
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(2)),
            )
            .build()
            .expect("the client builds")
    }

    fn seen<T>(&self, read: impl FnOnce(&mut Seen) -> T) -> T {
        read(&mut self.seen.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The one request the emulator logged since the last call, checked to be the only one.
    fn only_request(&self) -> RecordedRequest {
        let mut requests = self.emulator.requests();
        assert_eq!(requests.len(), 1, "{requests:#?}");
        self.emulator.clear_requests();
        requests.remove(0)
    }
}

/// The headers of a request, sorted by name, with the port of `host` and the version of the
/// `user-agent` left out, which vary by run and release.
fn headers(request: &RecordedRequest) -> Vec<(String, String)> {
    let mut headers: Vec<_> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let value = match name.as_str() {
                "host" => value.split(':').next().unwrap_or_default().to_owned(),
                "user-agent" => value.split('/').next().unwrap_or_default().to_owned(),
                _ => value.clone(),
            };
            (name.clone(), value)
        })
        .collect();
    headers.sort();
    headers
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
}

fn task(name: &str) -> TaskName {
    name.parse().expect("a valid task name")
}

/// `POST /be/v1/trigger`, emulated. Its `403` names no permission, as a real server's may not.
async fn trigger(State(seen): State<Shared>, caller: Caller, body: Bytes) -> Result<Response, ApiError> {
    if !caller.has_permission("trigger.create") {
        return Err(ApiError::forbidden("not allowed"));
    }
    let body: Value = serde_json::from_slice(&body).map_err(|err| ApiError::invalid_body(err.to_string()))?;
    let name = body["taskName"].as_str().ok_or_else(|| ApiError::missing_param("taskName is required"))?;
    seen.lock().unwrap_or_else(PoisonError::into_inner).triggers.push(name.to_owned());
    Ok(json_response(StatusCode::OK, &json!({"status": "success"})))
}

/// `GET /be/v1/apps`, emulated: `nameContains`, `offset`, `limit` and `order[]` (`name`,
/// `latestBuild`), as the query decodes.
async fn list_apps(
    State(seen): State<Shared>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    caller.require("apps.read")?;
    let query = decode_query_pairs(raw.as_deref().unwrap_or_default());
    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    seen.app_queries.push(query.clone());
    let value = |key: &str| query.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let number = |key: &str| {
        value(key)
            .map(|raw| {
                raw.parse::<usize>().map_err(|_| ApiError::invalid_param(format!("{key} must be a number")))
            })
            .transpose()
    };
    let (offset, limit) = (number("offset")?.unwrap_or(0), number("limit")?.unwrap_or(10));
    let mut apps: Vec<_> =
        seen.apps.iter().filter(|(name, ..)| name.contains(value("nameContains").unwrap_or(""))).collect();
    for (_, order) in query.iter().filter(|(key, _)| key == "order[]").rev() {
        match order.as_str() {
            "+name" | "name" => apps.sort_by_key(|(name, ..)| name),
            "-name" => apps.sort_by_key(|(name, ..)| std::cmp::Reverse(name)),
            "+latestBuild" | "latestBuild" => apps.sort_by_key(|(.., build)| *build),
            "-latestBuild" => apps.sort_by_key(|(.., build)| std::cmp::Reverse(*build)),
            other => return Err(ApiError::invalid_param(format!("cannot sort by {other:?}"))),
        }
    }
    let page: Vec<Value> = apps
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(name, display, build)| json!({"name": name, "displayName": display, "latestBuild": build}))
        .collect();
    Ok(json_response(StatusCode::OK, &json!({"status": "success", "totalCount": apps.len(), "apps": page})))
}

/// `GET /be/v1/apps/{appName}`, emulated.
async fn get_app(
    State(seen): State<Shared>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    caller.require("apps.read")?;
    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    seen.app_names.push(name.clone());
    let (name, display, build) = seen
        .apps
        .iter()
        .find(|(known, ..)| *known == name)
        .ok_or_else(|| ApiError::not_found(format!("no app named {name:?}")))?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"status": "success", "app": {"name": name, "displayName": display, "latestBuild": build}}),
    ))
}

/// The secret every key `POST /be/v1/apikeys` makes: the tests look for it in every error.
const NEW_SECRET: &str = "sk-live-5e1f0c2a9b7d-NEW-KEY-SECRET";

/// `POST /be/v1/apikeys`, emulated: a new key for `user`, or, when told to, an answer that does not
/// decode (the secret under a misspelled key), as a broken server might send.
async fn create_api_key(
    State(seen): State<Shared>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require("apikeys.create")?;
    let body: Value = serde_json::from_slice(&body).map_err(|err| ApiError::invalid_body(err.to_string()))?;
    body["user"].as_str().ok_or_else(|| ApiError::missing_param("user is required"))?;
    let answer = if seen.lock().unwrap_or_else(PoisonError::into_inner).malformed_keys {
        json!({"status": "success", "apiKey": {"id": "k-1", "secret": NEW_SECRET}})
    } else {
        json!({"status": "success", "apikey": {"id": "k-1", "secret": NEW_SECRET}})
    };
    Ok(json_response(StatusCode::OK, &answer))
}
