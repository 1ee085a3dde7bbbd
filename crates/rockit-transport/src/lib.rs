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
//! - **Bodies are bounded.** A success body larger than [`ClientBuilder::max_response_bytes`] is
//!   an [`ErrorKind::BodyTooLarge`] error, never an out-of-memory; an error body is cut at the cap
//!   and keeps its status.

mod client;
mod command;
mod config;
mod credentials;
mod error;
mod resolve;
mod retry;

pub use crate::client::Client;
pub use crate::command::{CommandCredentials, DEFAULT_COMMAND_TIMEOUT, DEFAULT_TOKEN_LIFETIME};
pub use crate::config::{
    ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, ENV_API_KEY, ENV_ENDPOINT, ENV_ORG, ENV_TOKEN, ENV_USER,
};
pub use crate::credentials::{CredentialFuture, CredentialProvider, Credentials, StaticCredentials};
pub use crate::error::{Error, ErrorKind, Result};
pub use crate::resolve::{
    ConfigFile, CredentialChoice, ENV_API_KEY_COMMAND, ENV_CONFIG, ENV_PROFILE, ENV_TOKEN_COMMAND, Origin,
    Resolved, Resolver, Setting, Settings, Sourced, split_command,
};
pub use crate::retry::RetryPolicy;
/// The `x-rockit-*` header names, defined once in `rockit-model` for the client and the emulator.
pub use rockit_model::{HEADER_API_KEY, HEADER_ORG, HEADER_TOKEN, HEADER_USER};

/// The examples of this crate's README, compiled and run as doctests so that they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
