//! Facts of the wire protocol that both sides of a connection need: the `x-rockit-*` header names,
//! the session header of the login flow, and the server's default page size. The client
//! (`rockit-transport`, `rockit-tasks`) and the emulator read them from here, so they cannot drift.

/// The header carrying the organization's name (documented).
pub const HEADER_ORG: &str = "x-rockit-orgname";
/// The header carrying the (machine) user's name (documented).
pub const HEADER_USER: &str = "x-rockit-username";
/// The header carrying a machine user's API key (documented); it needs [`HEADER_ORG`] and [`HEADER_USER`].
pub const HEADER_API_KEY: &str = "x-rockit-api-key";
/// The header carrying a short-lived backend auth token of a user login (documented).
pub const HEADER_TOKEN: &str = "x-rockit-beauth-token";
/// The header carrying the 24-hour session token of `POST /be/v1/auth` (documented); this SDK never
/// sends it, but treats it as a secret wherever it appears.
pub const HEADER_SESSION_TOKEN: &str = "x-rockit-besession-token";

/// The headers whose values are secrets: never logged, printed or recorded.
pub const SECRET_HEADERS: &[&str] = &[HEADER_API_KEY, HEADER_TOKEN, HEADER_SESSION_TOKEN];

/// The server's page size when a list request sets no `limit` (documented).
pub const DEFAULT_LIMIT: u32 = 10;

/// The longest task name accepted, in bytes.
pub const MAX_TASK_NAME_LEN: usize = 256;
