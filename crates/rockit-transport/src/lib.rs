//! Credentials, headers, HTTP, retries, timeouts and typed errors for the ROCKIT Edge backend API.
//!
//! [`Client`] executes any [`rockit_model::Endpoint`], ours and those of downstream crates. It
//! owns everything between a typed request and a typed response: the base URL and percent-encoded
//! path segments, [`Credentials`] (from a [`CredentialProvider`]) turned into `x-rockit-*`
//! headers, timeouts per attempt and per call, retries by [`RetryPolicy`], a cap on response
//! bodies, decoding, and one [`Error`] type. It knows nothing about tasks.
//!
//! ```no_run
//! use rockit_model::{GetTask, TaskName};
//! use rockit_transport::Client;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // ROCKIT_ENDPOINT, ROCKIT_ORG, ROCKIT_USER and ROCKIT_API_KEY (or ROCKIT_TOKEN)
//! let client = Client::from_env()?;
//! let name: TaskName = "exampleorg-sushi-0002-1733149403-dltar".parse()?;
//! let details = client.execute(&GetTask::new(name)).await?;
//! println!("{} is {}", details.name, details.status);
//! # Ok(())
//! # }
//! ```
//!
//! # What goes on the wire
//!
//! Everything [`Client::execute`] sends for an [`Endpoint`](rockit_model::Endpoint), ours and
//! downstream ones alike, comes from the endpoint's methods and the client's configuration:
//!
//! | part | what is sent |
//! |---|---|
//! | method | [`Endpoint::method`](rockit_model::Endpoint::method); one this version does not know is an [`ErrorKind::InvalidRequest`], never sent as another |
//! | path | the base URL's path without its trailing `/`, then each segment of [`Endpoint::path`](rockit_model::Endpoint::path) percent-encoded on its own: every byte but `A-Z a-z 0-9 - . _ ~` (`a/b` is `a%2Fb`, `100%` is `100%25`), so no segment adds, removes or climbs a level; an empty, `.` or `..` segment is an [`ErrorKind::InvalidRequest`] before anything is sent |
//! | query | [`Endpoint::query`](rockit_model::Endpoint::query)'s pairs in order, repeated keys kept, form-encoded (a space is `+`, `+` is `%2B`, `order[]` is `order%5B%5D`); no `?` when there are none |
//! | every request | `accept: application/json`; `user-agent: rockit-rs/<version>` ([`ClientBuilder::user_agent`]); `host`; the credentials' headers: an API key sends `x-rockit-orgname`, `x-rockit-username` and `x-rockit-api-key`, a token `x-rockit-beauth-token` (and `x-rockit-orgname` from [`Credentials::token_for_org`]). Nothing else: no `accept-encoding`, no cookies |
//! | with a body | when [`Endpoint::body`](rockit_model::Endpoint::body) returns one: its bytes exactly as the [`JsonBody`](rockit_model::JsonBody) holds them (compact JSON, the `Serialize` impl's field order), `content-type: application/json` and `content-length`. It is serialised once, before the first attempt, and every attempt sends the same bytes; a body that does not serialise is an [`ErrorKind::InvalidRequest`] |
//! | without a body | whatever the method: no body, no `content-type`, no `content-length` |
//!
//! The answer decides the outcome. A `2xx` is decoded by
//! [`Endpoint::decode`](rockit_model::Endpoint::decode) (`serde_json` into the endpoint's
//! `Response` by default), unless the endpoint [checks the API
//! status](rockit_model::Endpoint::checks_api_status) (the default) and the body's top-level
//! `status` is present and not `success`: that is an [`ErrorKind::Api`] like a `4xx`. So a
//! response type needs no `status` field of its own. A body that does not decode is an
//! [`ErrorKind::Decode`]; a `3xx` is an [`ErrorKind::Redirect`], never followed; any other status
//! is an [`ErrorKind::Api`] with the code and message the body holds (read leniently, as
//! [`ErrorBody`](rockit_model::ErrorBody)) and its `Retry-After`.
//!
//! Retries depend on [`Endpoint::idempotent`](rockit_model::Endpoint::idempotent), by default
//! true for `GET` only, within the [`RetryPolicy`] (4 attempts by default) and the deadline:
//!
//! | failure | idempotent endpoint | other endpoint |
//! |---|---|---|
//! | connect error: the request never left | retried | retried |
//! | attempt timeout, connection broken mid-response | retried | returned |
//! | `408 429 500 502 503 504` | retried, `Retry-After` honoured | returned after one attempt |
//! | `429`, `503` whose `Retry-After` (or body `retryAfter`) is past `max_delay` or the deadline | returned at once as [`ErrorKind::RetryLater`] | the same |
//! | `401 token-expired` | credentials refreshed once, the request repeated once | the same |
//! | any other answer | returned | returned |
//!
//! Every [`Error`] of a call names the call: [`Error::method`], [`Error::path`] (unencoded),
//! [`Error::attempts`] (0 when nothing was sent), and [`Error::permission`], the endpoint's
//! [`Endpoint::permission`](rockit_model::Endpoint::permission), whatever the server's answer
//! says or leaves out: a `403` of a downstream endpoint names the permission it most likely
//! lacks.
//!
//! # Rules this crate keeps
//!
//! - **One kind of credentials per request.** An API key sends `x-rockit-orgname`,
//!   `x-rockit-username` and `x-rockit-api-key`; a token sends `x-rockit-beauth-token` (and
//!   `x-rockit-orgname` if set). Never both.
//! - **Secrets stay secret.** Keys and tokens are `secrecy::SecretString` from the moment they are
//!   read; `Debug`, `Display`, errors and tracing show `[redacted]` or nothing. Header values and
//!   bodies are never logged.
//! - **Credentials go only where they should.** Plain `http` is refused unless the host is
//!   loopback or [`ClientBuilder::allow_insecure_http`] is set; redirects are never followed
//!   (a `3xx` is an [`ErrorKind::Redirect`] naming the `Location`), so credentials never reach
//!   another origin.
//! - **Retries are classified.** Connect failures are retried for every endpoint (the request
//!   never left); timeouts, broken connections and `408 429 500 502 503 504` only for idempotent
//!   endpoints. `Retry-After` is honoured up to the policy's maximum delay and the deadline. A
//!   `401 token-expired` makes the provider refresh once and the request repeat once.
//! - **Trust is the system's, plus what you name.** `https` is verified against the operating
//!   system's trust store (`SSL_CERT_FILE`/`SSL_CERT_DIR` on Linux) and any
//!   [`ClientBuilder::ca_file`]; never switched off. A refused certificate ([`ErrorKind::Tls`]) or
//!   a proxy that will not tunnel ([`ErrorKind::Proxy`]) is never retried (an unreachable proxy is,
//!   as any connection failure). Proxies come from
//!   `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` as curl reads them, checked at `build()`; loopback
//!   endpoints never use one.
//! - **Retries are budgeted.** Every retry, a connect failure's included, is paid from the
//!   client's [`RetryBudget`] (a token bucket its clones share, on by default); when it cannot
//!   pay, as in an outage, the call returns its error without retrying, so failing calls do not
//!   multiply the load. Successes refill it.
//! - **Bodies are bounded.** A success body larger than [`ClientBuilder::max_response_bytes`] is
//!   an [`ErrorKind::BodyTooLarge`] error, never an out-of-memory; an error body is cut at the cap
//!   and keeps its status.
//! - **Errors quote no secret.** An excerpt of a body in an error has every secret the client
//!   knows (its API key, its token) redacted before it is cut; an endpoint whose answer holds a
//!   secret of its own ([`Endpoint::sensitive_response`](rockit_model::Endpoint::sensitive_response))
//!   has its `2xx` bodies never quoted, only their length.

mod client;
mod command;
mod config;
mod credentials;
mod error;
mod pager;
mod proxy;
mod resolve;
mod retry;
mod setting;
mod tls;

pub use crate::client::{Client, Network};
pub use crate::command::{CommandCredentials, DEFAULT_COMMAND_TIMEOUT, DEFAULT_TOKEN_LIFETIME};
pub use crate::config::{
    ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, ENV_API_KEY, ENV_ENDPOINT, ENV_ORG, ENV_TOKEN, ENV_USER,
};
pub use crate::credentials::{CredentialFuture, CredentialProvider, Credentials, StaticCredentials};
pub use crate::error::{Error, ErrorKind, ProxyInfo, ProxyProblem, Result, TlsProblem};
pub use crate::pager::{
    DEFAULT_PAGE_LIMIT, ListingReport, MAX_STEPS_BACK, MissedReason, PageError, PagePosition, Pager,
};
pub use crate::resolve::{
    ConfigFile, CredentialChoice, ENV_API_KEY_COMMAND, ENV_CONFIG, ENV_PROFILE, ENV_TOKEN_COMMAND, Origin,
    Resolved, Resolver, Setting, Settings, Sourced, split_command,
};
pub use crate::retry::{RetryBudget, RetryPolicy};
pub use crate::tls::{CaFile, ENV_CA_CERT, Roots};
/// The trait [`Pager`] implements, for combinators from `futures-util` or `tokio-stream`.
pub use futures_core::Stream;
/// The `x-rockit-*` header names, defined once in `rockit-model` for the client and the emulator.
pub use rockit_model::{HEADER_API_KEY, HEADER_ORG, HEADER_TOKEN, HEADER_USER};
/// `secrecy`'s secret string and the trait that reads it, used in public fields and signatures
/// ([`Credentials`], [`Settings`]): a downstream crate needs no `secrecy` dependency of its own.
pub use secrecy::{ExposeSecret, SecretString};

/// The examples of this crate's README, compiled and run as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
