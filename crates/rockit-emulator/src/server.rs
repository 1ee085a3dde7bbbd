//! The HTTP side: the shared state, the router with the three Tasks routes and the emulator's own
//! routes, the front door every request passes first (request log, body limit, maintenance mode,
//! rate limit, refused methods), the firewall's `404` for what no route serves, and the gate in
//! front of every route (faults, authentication).

pub(crate) mod conn;

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rockit_model::{ApiStatus, PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE};
use serde_json::Value;

use crate::api_error::{ApiError, encoded_response, json_response, shown};
use crate::auth::{Caller, Credentials};
use crate::clock::{Clock, lock};
use crate::faults::{Fault, FaultState};
use crate::infra::{self, FirewallAnswer, MAINTENANCE_PATH, RateLimiter};
use crate::log::{Received, RequestLog};
use crate::query::ListQuery;
use crate::store::{Store, UpdateFlags};
use conn::ConnHandle;

/// The largest request body accepted; larger ones get `413` (a **guess**).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How much of an oversized body is read and thrown away before the connection is closed, so the
/// client sees the `413` instead of a reset.
const DRAIN_LIMIT: usize = 16 * MAX_BODY_BYTES;

/// Everything the server and the handle share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) clock: Clock,
    pub(crate) store: Mutex<Store>,
    pub(crate) credentials: Mutex<Credentials>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) log: Mutex<RequestLog>,
    pub(crate) latency: Mutex<Duration>,
    pub(crate) next_id: AtomicU64,
    /// Whether the vendor's API answers with the gateway's maintenance answer.
    pub(crate) maintenance: AtomicBool,
    /// The total rate limit of the vendor's API.
    pub(crate) rate_limit: Mutex<RateLimiter>,
}

/// The emulator's routes, the mounted ones, and the layers in front of them.
///
/// The front door runs for every request; the gate only for a request a route serves (axum's
/// `route_layer`), so that a path no route serves, or a method its route does not serve, gets the
/// firewall's `404` without authentication, as from the vendor's firewall. The method fallback is
/// set after the gate, so the gate does not wrap it.
pub(crate) fn router(shared: Arc<Shared>, mounted: Vec<Router>) -> Router {
    let tasks = Router::new()
        .route("/be/v1/tasks", get(list_tasks).patch(update_task))
        .route("/be/v1/tasks/{name}", get(get_task))
        .route(MINT_TOKEN_PATH, post(mint_token))
        .route(MAINTENANCE_PATH, get(maintenance_state).post(switch_maintenance))
        .with_state(shared.clone());
    let mut app = Router::new();
    for extra in mounted {
        app = app.merge(extra);
    }
    let app = app
        .merge(tasks)
        .route_layer(middleware::from_fn_with_state(shared.clone(), gate))
        .method_not_allowed_fallback(wrong_method)
        .fallback(no_route);
    // The front door wraps the whole router rather than each route (which `Router::layer` does),
    // so it sees the answers of the method fallbacks whole, the `Allow` header axum adds included.
    Router::new().fallback_service(app).layer(middleware::from_fn_with_state(shared, front_door))
}

/// Runs before every route: reads the body (up to [`MAX_BODY_BYTES`]), records the request,
/// answers as the vendor's gateway and firewall do where they would (maintenance, rate limit,
/// refused methods), and records the answer. Requests it lets through go to the router.
async fn front_door(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let mut record = Received::new(
        shared.next_id.fetch_add(1, Ordering::Relaxed) + 1,
        shared.clock.now(),
        &parts.method,
        &parts.uri,
        &parts.headers,
    );
    let latency = *lock(&shared.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let body = read_body(body).await;
    if let Ok(bytes) = &body {
        record.body = bytes.clone();
    }
    let vendor = infra::is_vendor_path(parts.uri.path());
    let mut response = if vendor && shared.maintenance.load(Ordering::Relaxed) {
        infra::maintenance()
    } else if vendor && !lock(&shared.rate_limit).admit(Instant::now()) {
        infra::too_many_requests(infra::RATE_LIMIT_RETRY_AFTER)
    } else if !infra::firewall_allows(&parts.method) {
        infra::firewall(StatusCode::BAD_REQUEST, None, FirewallAnswer::Other)
    } else {
        match body {
            Err(error) => error.into_response(),
            Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        }
    };
    let verdict = response.extensions_mut().remove::<Verdict>().unwrap_or_default();
    record.fault = verdict.fault;
    if let Some(answer) = response.extensions_mut().remove::<FirewallAnswer>() {
        let allowed = response.headers_mut().remove(header::ALLOW);
        explain(answer, &record, allowed.as_ref());
    }
    record.status = (!verdict.connection_cut).then(|| response.status().as_u16());
    tracing::debug!(
        id = record.id,
        method = %record.method,
        path = record.uri.path(),
        query = record.uri.query().unwrap_or_default(),
        status = ?record.status,
        fault = ?record.fault,
        "rockit-emulator request"
    );
    lock(&shared.log).push(record);
    response
}

/// Tells a person reading the logs what the firewall's terse `404` means here.
fn explain(answer: FirewallAnswer, record: &Received, allowed: Option<&HeaderValue>) {
    let path = shown(record.uri.path());
    match answer {
        FirewallAnswer::NoRoute => tracing::debug!(
            "no route for {} {path}; the emulator serves GET and PATCH /be/v1/tasks and GET \
             /be/v1/tasks/{{taskName}} (plus any mounted routes)",
            record.method
        ),
        FirewallAnswer::WrongMethod => tracing::debug!(
            "{} is not supported on {path}; use {}",
            record.method,
            allowed.and_then(|value| value.to_str().ok()).unwrap_or("another method")
        ),
        FirewallAnswer::Other => {}
    }
}

/// What the gate did to a request, passed back to the front door (which logs it) in the
/// response's extensions.
#[derive(Debug, Clone, Default)]
struct Verdict {
    fault: Option<Fault>,
    connection_cut: bool,
}

/// Runs before every route that serves the request (not before the fallbacks): injects a fault if
/// one is due, then authenticates. The emulator's maintenance switch needs neither.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if request.uri().path() == MAINTENANCE_PATH {
        return next.run(request).await;
    }
    let conn = request.extensions().get::<ConnectInfo<ConnHandle>>().map(|info| info.0.clone());
    let fault = lock(&shared.faults).pick(request.method().as_str(), request.uri().path());
    let mut connection_cut = false;
    let mut response = match &fault {
        None => serve(&shared, request, next).await,
        Some(Fault::Unavailable) => {
            ApiError::unavailable("the service is unavailable (injected fault); retry later").into_response()
        }
        Some(Fault::RateLimited { retry_after }) => infra::too_many_requests(whole_seconds(*retry_after)),
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(*delay).await;
            serve(&shared, request, next).await
        }
        Some(Fault::Drop) => {
            connection_cut = cut(conn.as_ref(), ConnHandle::kill);
            ApiError::unavailable("the connection was dropped (injected fault)").into_response()
        }
        Some(Fault::DropAfterApply) => {
            let response = serve(&shared, request, next).await;
            connection_cut = cut(conn.as_ref(), ConnHandle::kill);
            response
        }
        Some(Fault::Truncate) => {
            let (head, body) = serve(&shared, request, next).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let budget = bytes.len() / 2;
            cut(conn.as_ref(), |conn| conn.truncate_body(budget));
            Response::from_parts(head, Body::from(bytes))
        }
    };
    response.extensions_mut().insert(Verdict { fault, connection_cut });
    response
}

/// Cuts the connection with `how`, if the request came through the emulator's listener.
fn cut(conn: Option<&ConnHandle>, how: impl FnOnce(&ConnHandle)) -> bool {
    conn.map(how).is_some()
}

/// Authenticates the request and hands it to its route.
async fn serve(shared: &Shared, mut request: Request, next: Next) -> Response {
    let caller = lock(&shared.credentials).authenticate(request.headers(), shared.clock.now());
    match caller {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

/// Reads the body up to [`MAX_BODY_BYTES`]; a larger body is drained (up to a limit) and refused.
async fn read_body(mut body: Body) -> Result<Bytes, ApiError> {
    let mut collected = Vec::new();
    let mut seen = 0_usize;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame =
            frame.map_err(|err| ApiError::invalid_body(format!("cannot read the request body: {err}")))?;
        let Ok(data) = frame.into_data() else { continue };
        seen = seen.saturating_add(data.len());
        if seen <= MAX_BODY_BYTES {
            collected.extend_from_slice(&data);
        } else if seen > DRAIN_LIMIT {
            break;
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiStatus::InvalidBody,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes; send a smaller body"),
        ));
    }
    Ok(Bytes::from(collected))
}

fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// `GET /be/v1/tasks`.
async fn list_tasks(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    uri: Uri,
) -> Result<Response, ApiError> {
    caller.require(PERMISSION_TASKS_READ)?;
    let query = ListQuery::parse(uri.query())?;
    let page = {
        let mut store = lock(&shared.store);
        store.settle(&shared.clock);
        store.list_json(&query)
    };
    Ok(encoded_response(StatusCode::OK, page))
}

/// `GET /be/v1/tasks/{taskName}`: the last path segment, percent-decoded, names the task.
async fn get_task(State(shared): State<Arc<Shared>>, caller: Caller, uri: Uri) -> Result<Response, ApiError> {
    caller.require(PERMISSION_TASKS_READ)?;
    let raw = uri.path().rsplit('/').next().unwrap_or_default();
    let name = percent_encoding::percent_decode_str(raw).decode_utf8().map_err(|_| {
        ApiError::not_found(format!("no task named {}: the name is not valid UTF-8", shown(raw)))
    })?;
    let details = {
        let mut store = lock(&shared.store);
        store.settle(&shared.clock);
        store.details_json(&name)
    };
    let details = details.ok_or_else(|| {
        ApiError::not_found(format!("no task named {}; list tasks to see their names", shown(&name)))
    })?;
    Ok(encoded_response(StatusCode::OK, details))
}

/// The emulator's own route (not the vendor's) that mints backend auth tokens.
pub const MINT_TOKEN_PATH: &str = "/_emulator/tokens";

/// `POST /_emulator/tokens`: mints a fresh backend auth token for the caller (any valid
/// credentials), with the caller's permissions, valid for the emulator's token lifetime from now on
/// its clock; answers `{"token": "..."}`. For testing token commands end to end (`curl -sf -X POST
/// -H 'x-rockit-orgname: …' -H 'x-rockit-username: …' -H 'x-rockit-api-key: …' URL/_emulator/tokens`
/// prints what a token command prints). No expiry is sent: the emulator's clock need not be real
/// time.
async fn mint_token(State(shared): State<Arc<Shared>>, caller: Caller) -> Response {
    let now = shared.clock.now();
    let token = lock(&shared.credentials).issue_token(
        caller.user().to_owned(),
        caller.permissions().map(str::to_owned).collect(),
        now,
    );
    json_response(StatusCode::OK, &serde_json::json!({ "token": token }))
}

/// `GET /_emulator/maintenance`: `{"status": "success", "maintenance": <bool>}`, whether
/// maintenance mode is on. Needs no credentials.
async fn maintenance_state(State(shared): State<Arc<Shared>>) -> Response {
    maintenance_answer(shared.maintenance.load(Ordering::Relaxed))
}

/// `POST /_emulator/maintenance` with `{"enabled": true|false}`: switches maintenance mode on or
/// off and answers `{"status": "success", "maintenance": <bool>}`. Needs no credentials: it is the
/// emulator's remote control, like [`Emulator::set_maintenance`](crate::Emulator::set_maintenance).
async fn switch_maintenance(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    const EXAMPLE: &str = r#"send {"enabled": true} or {"enabled": false}"#;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::missing_param(format!("the request body is empty; {EXAMPLE}")));
    }
    let value: Value = serde_json::from_slice(&body).map_err(|err| {
        ApiError::invalid_body(format!("the request body is not valid JSON ({err}); {EXAMPLE}"))
    })?;
    let Value::Object(object) = &value else {
        return Err(ApiError::invalid_body(format!(
            "the request body is a JSON {}, not an object; {EXAMPLE}",
            json_type(&value)
        )));
    };
    let enabled = match object.get("enabled") {
        Some(Value::Bool(enabled)) => *enabled,
        None | Some(Value::Null) => {
            return Err(ApiError::missing_param(format!("missing \"enabled\"; {EXAMPLE}")));
        }
        Some(other) => {
            return Err(ApiError::invalid_body(format!(
                "\"enabled\" must be true or false, not a JSON {}; {EXAMPLE}",
                json_type(other)
            )));
        }
    };
    shared.maintenance.store(enabled, Ordering::Relaxed);
    tracing::debug!(enabled, "rockit-emulator maintenance mode switched");
    Ok(maintenance_answer(enabled))
}

/// `{"status": "success", "maintenance": <bool>}`, in that order.
fn maintenance_answer(enabled: bool) -> Response {
    #[derive(serde::Serialize)]
    struct State {
        status: &'static str,
        maintenance: bool,
    }
    json_response(StatusCode::OK, &State { status: "success", maintenance: enabled })
}

/// `PATCH /be/v1/tasks`: acknowledge and/or expire the task named in the body; answers with the
/// first page of the organization's tasks, as the vendor's example does.
async fn update_task(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(PERMISSION_TASKS_UPDATE)?;
    let (name, flags) = parse_update(&body)?;
    let page = {
        let mut store = lock(&shared.store);
        store.settle(&shared.clock);
        store.apply_update(&name, flags, &shared.clock)?;
        store.list_json(&ListQuery::default())
    };
    Ok(encoded_response(StatusCode::OK, page))
}

/// Reads `{"name": ..., "acknowledged": bool?, "expired": bool?}`; unknown fields are ignored.
fn parse_update(body: &[u8]) -> Result<(String, UpdateFlags), ApiError> {
    const EXAMPLE: &str =
        r#"send {"name": "<task name>", "acknowledged": true} or {"name": "<task name>", "expired": true}"#;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::missing_param(format!("the request body is empty; {EXAMPLE}")));
    }
    let value: Value = serde_json::from_slice(body).map_err(|err| {
        ApiError::invalid_body(format!("the request body is not valid JSON ({err}); {EXAMPLE}"))
    })?;
    let Value::Object(object) = value else {
        return Err(ApiError::invalid_body(format!(
            "the request body is a JSON {}, not an object; {EXAMPLE}",
            json_type(&value)
        )));
    };
    let name = match object.get("name") {
        None | Some(Value::Null) => {
            return Err(ApiError::missing_param(format!("missing \"name\"; {EXAMPLE}")));
        }
        Some(Value::String(name)) if name.is_empty() => {
            return Err(ApiError::missing_param(format!("\"name\" is empty; {EXAMPLE}")));
        }
        Some(Value::String(name)) => name.clone(),
        Some(other) => {
            return Err(ApiError::invalid_body(format!(
                "\"name\" must be a string, not a JSON {}; {EXAMPLE}",
                json_type(other)
            )));
        }
    };
    let flag = |key: &str| match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(other) => Err(ApiError::invalid_body(format!(
            "\"{key}\" must be true or false, not a JSON {}",
            json_type(other)
        ))),
    };
    let flags = UpdateFlags { acknowledged: flag("acknowledged")?, expired: flag("expired")? };
    if flags.acknowledged.is_none() && flags.expired.is_none() {
        return Err(ApiError::missing_param(format!(
            "give \"acknowledged\" or \"expired\" (or both) for task {}",
            shown(&name)
        )));
    }
    Ok((name, flags))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A method that the path's route does not serve: the firewall's `404`, since its allow list
/// names method and route together \[infra\].
async fn wrong_method() -> Response {
    infra::firewall(StatusCode::NOT_FOUND, None, FirewallAnswer::WrongMethod)
}

/// A path no route serves: the firewall's `404` \[infra\].
async fn no_route() -> Response {
    infra::firewall(StatusCode::NOT_FOUND, None, FirewallAnswer::NoRoute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_bodies_are_checked_in_order() {
        let code = |body: &str| parse_update(body.as_bytes()).map(|_| ()).unwrap_err().code().clone();
        assert_eq!(code(""), ApiStatus::MissingParam);
        assert_eq!(code("{"), ApiStatus::InvalidBody);
        assert_eq!(code("[]"), ApiStatus::InvalidBody);
        assert_eq!(code(r#"{"acknowledged":true}"#), ApiStatus::MissingParam);
        assert_eq!(code(r#"{"name":"","acknowledged":true}"#), ApiStatus::MissingParam);
        assert_eq!(code(r#"{"name":7,"acknowledged":true}"#), ApiStatus::InvalidBody);
        assert_eq!(code(r#"{"name":"t","acknowledged":"yes"}"#), ApiStatus::InvalidBody);
        assert_eq!(code(r#"{"name":"t"}"#), ApiStatus::MissingParam);
        let (name, flags) = parse_update(br#"{"name":"t","expired":true,"extra":1}"#).unwrap();
        assert_eq!(name, "t");
        assert_eq!(flags, UpdateFlags { acknowledged: None, expired: Some(true) });
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
    }
}
