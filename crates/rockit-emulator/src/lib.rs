//! A stateful stand-in for the ROCKIT Edge Tasks API: a real HTTP server (axum on tokio) for tests
//! and local use.
//!
//! [`Emulator::builder`] configures an emulator (organization, credentials and their permissions,
//! a [`Fixture`] of tasks, clock speed, [`Faults`], maintenance mode, a rate limit, extra routes)
//! and [`EmulatorBuilder::start`] runs it on a free loopback port. The returned [`Emulator`] is the
//! test's remote control: its base URL, live access to the task store ([`Task`], [`Timeline`]), the
//! clock, scripted faults ([`Matcher`], [`Fault`]), the maintenance switch and the rate limit, and
//! a log of every request ([`RecordedRequest`], [`Counters`]). Dropping it shuts the server down.
//!
//! It serves the three Tasks endpoints as the vendor documents them:
//!
//! - `GET /be/v1/tasks` (`tasks.read`): the list envelope
//!   `{"status":"success","totalCount":N,"tasks":[{"name","service","status"}]}`, filtered with
//!   `appName`, `status`, `type`, `group`, `build`, `createdAfter`, `createdBefore` and
//!   `acknowledged`,
//!   paged with `offset` and `limit` (default 10, at most [`MAX_LIMIT`]), sorted with repeated
//!   `order[]` (`+field`/`-field`; fields `name`, `status`, `service`, `type`, `created`; default
//!   name ascending, ties by name);
//! - `GET /be/v1/tasks/{taskName}` (`tasks.read`): the task's details as a bare object;
//! - `PATCH /be/v1/tasks` (`tasks.update`): acknowledge (`"acknowledged": true`) and/or expire
//!   (`"expired": true`) the task named in the body; answers with the first page of the
//!   organization's tasks.
//!
//! Every error is JSON. The application's errors come in the vendor's envelope,
//! `{"status": "failed", "error": "<code>", "message": "..."}` (see [`ApiError`]); what the
//! vendor's gateway and firewall answer themselves, the emulator answers byte for byte as they do
//! (see "What the emulator takes from the vendor's infrastructure" below).
//!
//! # In a downstream test suite
//!
//! Add `rockit-emulator` as a dev-dependency (with `default-features = false` to skip the
//! binary's CLI parser), start one emulator per test and point the client under test at it:
//!
//! ```
//! use std::time::Duration;
//!
//! use rockit_emulator::{Emulator, Fault, Fixture, Matcher, demo};
//! use rockit_model::TaskStatus;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // The seed's 13 tasks, a frozen clock, a free port on 127.0.0.1.
//!     let emulator = Emulator::builder().fixture(Fixture::demo()).speed(0.0).start().await?;
//!
//!     // The next list call gets a 503, to test the client's retries.
//!     emulator.script(Matcher::list_tasks(), 1, Fault::Unavailable);
//!
//!     // The client under test talks HTTP to `emulator.base_url()` with the demo credentials;
//!     // here, by hand.
//!     let mut stream = tokio::net::TcpStream::connect(emulator.addr()).await?;
//!     let request = format!(
//!         "GET /be/v1/tasks?limit=1 HTTP/1.1\r\nhost: {}\r\nx-rockit-orgname: {}\r\n\
//!          x-rockit-username: {}\r\nx-rockit-api-key: {}\r\nconnection: close\r\n\r\n",
//!         emulator.addr(), demo::ORG, demo::USER, demo::API_KEY,
//!     );
//!     stream.write_all(request.as_bytes()).await?;
//!     let mut response = String::new();
//!     stream.read_to_string(&mut response).await?;
//!     assert!(response.starts_with("HTTP/1.1 503"));
//!
//!     // Assert on what the server saw (secrets are redacted in the log).
//!     let seen = emulator.requests();
//!     assert_eq!(seen[0].query_values("limit").collect::<Vec<_>>(), ["1"]);
//!     assert_eq!(seen[0].header("x-rockit-api-key"), Some("[redacted]"));
//!
//!     // Drive time instead of sleeping: the demo's running download is done 5 s after start.
//!     emulator.advance(Duration::from_secs(5));
//!     assert_eq!(emulator.task(demo::RUNNING_DOWNLOAD).unwrap().status, TaskStatus::Done);
//!
//!     emulator.shutdown().await?;
//!     Ok(())
//! }
//! ```
//!
//! [`EmulatorBuilder::mount`] serves a downstream crate's own routes behind the same
//! authentication, faults and log, to emulate endpoints this SDK does not cover yet. Everything a
//! mounted route needs comes through this crate and `rockit-model`, with no dependency of the
//! test suite's own: the [`axum`] re-export for the router and extractors, [`Caller`] for the
//! credentials' permissions, [`ApiError`] for error answers, [`json_response`] for success
//! answers, `rockit_model::serde_json` for bodies, and `rockit_model::decode_query_pairs` for
//! query strings. Scripted faults reach mounted routes too (`Matcher::new(Method::Post,
//! "/be/v1/trigger")`). The repository's `examples/downstream` workspace tests its own endpoints
//! this way.
//!
//! # The binary
//!
//! `cargo run -p rockit-emulator -- --fixture demo` serves the seed's tasks on
//! `127.0.0.1:8080` and prints `listening on http://ADDR` followed by the credentials to use;
//! `--help` lists the flags (`--listen`, `--fixture demo|PATH.json`, `--generate N`, `--org`,
//! `--user`, `--api-key`, `--token`, `--token-ttl`, `--speed`, `--fault-rate`, `--fault-seed`,
//! `--latency`, `--maintenance`, `--rate-limit N`, ...). A non-loopback `--listen` address needs
//! `--allow-remote`. The flags and the serving loop are in the `cli` module (feature `cli`), which
//! `rockit emulator` reuses.
//!
//! # Demo credentials
//!
//! Without any configured credential the emulator accepts the fixed, public [`demo`] credentials:
//! org `ExampleOrg`, user `adminPrincipal` with API key `demo-api-key` (`tasks.read`,
//! `tasks.update`), token `demo-token` of the same user (both permissions, expiring after
//! [`DEFAULT_TOKEN_TTL`] of emulator time unless configured otherwise), and the read-only machine
//! user `viewer` with key `demo-viewer-key` (`tasks.read`).
//!
//! # What the emulator takes from the vendor's infrastructure \[infra\]
//!
//! The vendor's gateway and web application firewall answer some requests before the application
//! sees them, and their answers are written in the vendor's public infrastructure code (`API.md`,
//! "Error answers"). The emulator sends them verbatim, in this order, before faults and
//! authentication:
//!
//! 1. **Maintenance mode** ([`EmulatorBuilder::maintenance`], [`Emulator::set_maintenance`],
//!    `POST` [`MAINTENANCE_PATH`] with `{"enabled": true|false}`, `--maintenance`): every request
//!    under `/be/`, mounted routes included, gets `503` with `Content-Type: application/json`,
//!    `Retry-After: 900` and `{"status":"failed","error":"maintenance","message":"The service is
//!    in maintenance mode. Please retry later.","retryAfter":"900"}`.
//! 2. **The total rate limit** ([`EmulatorBuilder::rate_limit`], [`Emulator::set_rate_limit`],
//!    `--rate-limit N`; off by default, the vendor's gateway allows 800/s, 33/s on its free tier):
//!    requests under `/be/` over N a second, all clients together, get `429` with `Retry-After:
//!    60` and `{"code":429,"message":"Too Many Requests"}`. A token bucket of N, refilled at N a
//!    second of real time.
//! 3. **Methods the firewall refuses** (anything but GET, POST, PATCH and DELETE, such as HEAD,
//!    OPTIONS or PUT), on any path: `400` with `{"code":400,"message":"Bad Request"}`.
//! 4. **Routes not on the firewall's allow list**: a path no route serves, or a method its route
//!    does not serve (`DELETE /be/v1/tasks`; the allow list names method and route together):
//!    `404` with `{"code":404,"message":"Not Found"}` and no `Allow` header. With logging on
//!    (`RUST_LOG=rockit_emulator=debug`) a debug line names the routes the emulator serves.
//!
//! [`Fault::RateLimited`] answers with the firewall's `429` body too (with its own
//! `Retry-After`). What is **not** from the vendor: which requests the emulator's maintenance and
//! rate limit cover (`/be/…`, never the emulator's own `/_emulator/…` routes), the order of the
//! four checks, and that the rate limit is a token bucket. The emulator's own routes
//! ([`MINT_TOKEN_PATH`], [`MAINTENANCE_PATH`]) are not the vendor's; the maintenance switch needs
//! no credentials and is never faulted.
//!
//! # What the emulator guesses
//!
//! The vendor documents little (see `API.md`). Where it is silent the emulator decides as listed
//! here, in one place, so each choice can be revisited when the real service says otherwise.
//!
//! - **Statuses.** `pending` and `done` are documented; `running` and `failed` are guesses.
//!   Expiring sets `failed` (the vendor says expiring "marks it as failed"), never `expired`.
//! - **Error bodies.** The envelope `{"status": "failed", "error": "<code>", "message": "..."}`
//!   is the gateway's maintenance answer's \[infra\]; that the application uses it too is a strong
//!   guess. `missing-param` (400) and `token-expired` (401) are documented. Guessed:
//!   `invalid-param` (400), `invalid-body` (400; also 413 for a body over [`MAX_BODY_BYTES`]),
//!   `unauthorized` (401), `forbidden` (403), `not-found` (404, for a task that does not exist;
//!   an unknown route gets the firewall's 404 instead), `unavailable` (503, the
//!   [`Fault::Unavailable`] fault). The `message` of the application's error bodies is a guess
//!   too.
//! - **List parameters.** Only `offset`, `limit` (default 10) and `appName` are documented.
//!   `limit` is at most [`MAX_LIMIT`]: larger values get `400 invalid-param`, not a clamp;
//!   `limit=0`, negative or non-numeric `offset`/`limit` get `400 invalid-param` too, and so does
//!   an offset above `u64::MAX`. An offset past the end gives an empty page with the full
//!   `totalCount`. `appName` matches a case-insensitive substring of the app part of task names
//!   (`<org>-<app>-<build>-<unix>-<kind>`). `status` and `type` (the kind) match exactly; unknown
//!   values match nothing rather than fail. `group` is one of `upload` (`dltar`), `build`
//!   (`mkraw`, `mkpat`, `mkdxf`) and `release` (`publish`, `deploy`); other groups get
//!   `400 invalid-param`. `build` is the build number in the name (`2` or `0002` for `…-0002-…`;
//!   not a number from 0 to 2^32−1 → `400 invalid-param`; unconventional names match no build).
//!   `createdAfter` (inclusive) and `createdBefore` (exclusive) take Unix
//!   seconds. `acknowledged=true|false` keeps the tasks that have a warning whose acknowledgement
//!   matches. `order[]` (or `order`) takes `+field`, `-field` or `field`; a leading space counts as
//!   `+`, since an unencoded `+` decodes to one. A repeated parameter counts with its last value,
//!   except `order[]`; an empty text filter counts as absent; unknown parameters are ignored.
//! - **Task details.** A bare object: `name`, `service`, `status`, `acknowledged`, `expired`
//!   (always present), `warning` (`{"code", "message"}`), `exception` (`httpDownloadFailed`,
//!   `fileReadFailed` or `error`), `createdAt` and `updatedAt` in Unix seconds, plus any fields a
//!   fixture adds. A name segment that does not decode to valid UTF-8, or decodes to a name no task
//!   has (one with a `/` included), gets `404 not-found`.
//! - **Updates.** An empty body or a missing/empty `name` or neither flag → `400 missing-param`;
//!   malformed JSON, a non-object body, or a flag that is not a boolean → `400 invalid-body`;
//!   unknown fields are ignored and `Content-Type` is not checked. `acknowledged: true` sets the
//!   flag even on a task without a warning; `acknowledged: false` takes an acknowledgement back.
//!   Any task can be expired, not only uploads (the vendor speaks of uploads): it becomes `failed`,
//!   `expired` and `acknowledged`, and its timeline stops. Expiring cannot be undone:
//!   `expired: false` on an expired task, or `acknowledged: false` together with or after
//!   expiring, gets `400 invalid-param` (on a task that is not expired, `expired: false` changes
//!   nothing). A change sets `updatedAt`; a repeat changes nothing, `updatedAt` included. The
//!   answer is always the first page (10 tasks by name) of all tasks.
//! - **Authentication.** Every route the emulator serves needs credentials, except the
//!   maintenance switch; answers of the gateway and firewall (above) come before authentication,
//!   so an unknown route gets `404` without credentials. Org names compare
//!   case-insensitively (the vendor writes `ExampleOrg` in headers and `exampleorg` in task
//!   names). An API key needs `x-rockit-orgname` and `x-rockit-username` (else `401
//!   unauthorized`). A token sent with `x-rockit-username` must belong to that user. Token and API
//!   key together (as the vendor's curl sample sends them) are accepted when both are valid and
//!   belong to the same user; the request gets the permissions both carry. Tokens live 5 minutes
//!   of emulator time by default. Checks run in the order 401, 403, then 400/404.
//! - **Timelines.** A warning raised by a timeline step is unacknowledged, even if an earlier one
//!   was acknowledged.
//! - **The demo fixture.** Only the first ten tasks' names, services and statuses come from the
//!   seed; their timestamps, the warnings, the exception, the three further tasks and the rest of
//!   build 0003's pipeline (appearing after 5.5 s, see [`demo::BUILD_3_STAGES`]) are invented to
//!   tell the story.
//! - **Pipelines** ([`BuildPlan`], [`Emulator::start_build`], generated fixtures). Read from the
//!   vendor's example: stages run in the order `dltar`, `mkraw`, `mkpat`, `mkdxf`, `publish`,
//!   `deploy`, each as a new task appearing when the stage before it ended; a first build has no
//!   `mkpat`; a failed stage ends the build; a retry is a new task of the same kind with a later
//!   timestamp. Generated fixtures add apps that never deploy (`udon`, `gyoza`) and leave the
//!   newest build of each app running.
//! - **Limits.** Request bodies are at most [`MAX_BODY_BYTES`] (64 KiB); larger ones get `413`.
//! - **Faults** apply to every request a route serves (mounted routes included), after the
//!   gateway's and firewall's answers and before authentication; see [`Fault`] for what each one
//!   does to the store.

mod api_error;
mod auth;
#[cfg(feature = "cli")]
pub mod cli;
mod clock;
pub mod demo;
mod emulator;
mod error;
mod faults;
mod fixture;
mod infra;
mod log;
mod pipeline;
mod query;
mod server;
mod store;
mod task;

pub use crate::api_error::{ApiError, json_response};
pub use crate::auth::{Caller, CredentialKind};
pub use crate::emulator::{DEFAULT_TOKEN_TTL, Emulator, EmulatorBuilder};
pub use crate::error::{Error, Result};
pub use crate::faults::{Fault, Faults, Matcher};
pub use crate::fixture::Fixture;
pub use crate::infra::MAINTENANCE_PATH;
pub use crate::log::{Counters, GENERIC_SECRET_HEADERS, RecordedRequest, is_redacted};
pub use crate::pipeline::BuildPlan;
pub use crate::query::MAX_LIMIT;
pub use crate::server::{MAX_BODY_BYTES, MINT_TOKEN_PATH};
pub use crate::task::{Change, Task, Timeline};
/// axum, the server framework this crate's public API speaks: [`EmulatorBuilder::mount`] takes an
/// `axum::Router`, and [`Caller`], [`ApiError`] and [`json_response`] are its extractor, error and
/// response types. Mounted routes use this re-export, so a test suite never depends on a second,
/// mismatched axum version. Only its `http1` and `tokio` features are sure to be on, not `json` or
/// `query`: read bodies as `axum::body::Bytes` and queries with `axum::extract::RawQuery`.
pub use axum;
/// The `x-rockit-*` header names, defined once in `rockit-model` for the client and the emulator.
pub use rockit_model::{HEADER_API_KEY, HEADER_ORG, HEADER_TOKEN, HEADER_USER};

/// The examples of this crate's README, compiled and run as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
