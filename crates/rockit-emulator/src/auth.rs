//! Authentication: the organization's API keys and backend auth tokens, checking the `x-rockit-*`
//! headers of a request, and `Caller`, who a request comes from and what they may do.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use rockit_model::{HEADER_API_KEY, HEADER_ORG, HEADER_TOKEN, HEADER_USER};

use crate::api_error::{ApiError, shown};

/// Which credential a request authenticated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialKind {
    /// `x-rockit-api-key` with `x-rockit-orgname` and `x-rockit-username`.
    ApiKey,
    /// `x-rockit-beauth-token`.
    Token,
    /// Both at once, as the vendor's curl sample sends them; both were valid.
    Both,
}

/// Who an authenticated request comes from and which permissions it carries.
///
/// The emulator authenticates every request before it reaches a route and stores the `Caller` in
/// the request's extensions; handlers of mounted routes take it as an extractor and check the
/// permission their route needs:
///
/// ```
/// use axum::{Router, routing::get};
/// use rockit_emulator::{ApiError, Caller};
///
/// async fn list_apps(caller: Caller) -> Result<&'static str, ApiError> {
///     caller.require("apps.read")?;
///     Ok(r#"{"status":"success","apps":[]}"#)
/// }
///
/// let extra: Router = Router::new().route("/be/v1/apps", get(list_apps));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    user: String,
    permissions: BTreeSet<String>,
    kind: CredentialKind,
}

impl Caller {
    /// The user's name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Which credential the request used.
    pub fn credential(&self) -> CredentialKind {
        self.kind
    }

    /// Whether the caller has `permission` (such as `tasks.read`).
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }

    /// The caller's permissions, sorted.
    pub fn permissions(&self) -> impl Iterator<Item = &str> {
        self.permissions.iter().map(String::as_str)
    }

    /// `Ok` if the caller has `permission`, else `403 forbidden` naming it.
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        if self.has_permission(permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "user {} lacks the permission {permission}; use credentials that have it",
                shown(&self.user)
            )))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("the request was not authenticated"))
    }
}

/// The organization and its credentials.
#[derive(Debug)]
pub(crate) struct Credentials {
    org: String,
    api_keys: Vec<ApiKeyEntry>,
    tokens: HashMap<String, TokenEntry>,
    token_ttl: Option<Duration>,
    issued: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct ApiKeyEntry {
    pub(crate) user: String,
    pub(crate) key: String,
    pub(crate) permissions: BTreeSet<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenEntry {
    pub(crate) user: String,
    pub(crate) permissions: BTreeSet<String>,
    /// Emulator time at which the token stops working; `None` never.
    pub(crate) expires_at: Option<Duration>,
}

impl Credentials {
    pub(crate) fn new(org: String, token_ttl: Option<Duration>) -> Self {
        Self { org, api_keys: Vec::new(), tokens: HashMap::new(), token_ttl, issued: 0 }
    }

    pub(crate) fn org(&self) -> &str {
        &self.org
    }

    pub(crate) fn token_ttl(&self) -> Option<Duration> {
        self.token_ttl
    }

    pub(crate) fn add_api_key(&mut self, entry: ApiKeyEntry) {
        self.api_keys.retain(|existing| existing.user != entry.user || existing.key != entry.key);
        self.api_keys.push(entry);
    }

    /// Adds (or replaces) a token valid from `now` for `ttl`.
    pub(crate) fn add_token(
        &mut self,
        token: String,
        user: String,
        permissions: BTreeSet<String>,
        now: Duration,
        ttl: Option<Duration>,
    ) {
        let expires_at = ttl.map(|ttl| now.saturating_add(ttl));
        self.tokens.insert(token, TokenEntry { user, permissions, expires_at });
    }

    /// Mints a fresh token for `user`, valid from `now` for the default lifetime.
    pub(crate) fn issue_token(
        &mut self,
        user: String,
        permissions: BTreeSet<String>,
        now: Duration,
    ) -> String {
        self.issued += 1;
        let token = format!("emu-token-{}-{:016x}", self.issued, fastrand::u64(..));
        let ttl = self.token_ttl;
        self.add_token(token.clone(), user, permissions, now, ttl);
        token
    }

    pub(crate) fn revoke_token(&mut self, token: &str) -> bool {
        self.tokens.remove(token).is_some()
    }

    /// Checks the `x-rockit-*` headers at emulator time `now`. Every credential present must be
    /// valid; with both, the caller gets the permissions both carry.
    pub(crate) fn authenticate(&self, headers: &HeaderMap, now: Duration) -> Result<Caller, ApiError> {
        let org = header(headers, HEADER_ORG)?;
        let user = header(headers, HEADER_USER)?;
        let key = header(headers, HEADER_API_KEY)?;
        let token = header(headers, HEADER_TOKEN)?;
        if key.is_none() && token.is_none() {
            return Err(ApiError::unauthorized(
                "no credentials: send x-rockit-api-key with x-rockit-orgname and x-rockit-username, \
                 or x-rockit-beauth-token",
            ));
        }
        if let Some(org) = org
            && !org.eq_ignore_ascii_case(&self.org)
        {
            return Err(ApiError::unauthorized(format!(
                "unknown organization {} in x-rockit-orgname; this server hosts {}",
                shown(org),
                shown(&self.org)
            )));
        }
        let from_token = token.map(|token| self.check_token(token, user, now)).transpose()?;
        let from_key = key.map(|key| self.check_api_key(key, org, user)).transpose()?;
        match (from_token, from_key) {
            (Some(token), Some(key)) => {
                if token.user != key.user {
                    return Err(ApiError::unauthorized(format!(
                        "the backend auth token belongs to {}, the API key to {}; send credentials of one user",
                        shown(&token.user),
                        shown(&key.user)
                    )));
                }
                let permissions = token.permissions.intersection(&key.permissions).cloned().collect();
                Ok(Caller { user: key.user, permissions, kind: CredentialKind::Both })
            }
            (Some(token), None) => Ok(token),
            (None, Some(key)) => Ok(key),
            (None, None) => Err(ApiError::unauthorized("no credentials")),
        }
    }

    fn check_token(&self, token: &str, user: Option<&str>, now: Duration) -> Result<Caller, ApiError> {
        let entry = self.tokens.get(token).ok_or_else(|| {
            ApiError::unauthorized(
                "the backend auth token in x-rockit-beauth-token is not valid; log in again",
            )
        })?;
        if entry.expires_at.is_some_and(|expires_at| now >= expires_at) {
            return Err(ApiError::token_expired(
                "the backend auth token in x-rockit-beauth-token has expired; log in again for a new one",
            ));
        }
        if let Some(user) = user
            && user != entry.user
        {
            return Err(ApiError::unauthorized(format!(
                "the backend auth token does not belong to x-rockit-username {}",
                shown(user)
            )));
        }
        Ok(Caller {
            user: entry.user.clone(),
            permissions: entry.permissions.clone(),
            kind: CredentialKind::Token,
        })
    }

    fn check_api_key(&self, key: &str, org: Option<&str>, user: Option<&str>) -> Result<Caller, ApiError> {
        let (Some(_), Some(user)) = (org, user) else {
            return Err(ApiError::unauthorized(
                "x-rockit-api-key needs x-rockit-orgname and x-rockit-username as well",
            ));
        };
        let entry =
            self.api_keys.iter().find(|entry| entry.user == user && entry.key == key).ok_or_else(|| {
                ApiError::unauthorized(format!(
                    "invalid API key for user {} in x-rockit-api-key; check the key and the user name",
                    shown(user)
                ))
            })?;
        Ok(Caller {
            user: entry.user.clone(),
            permissions: entry.permissions.clone(),
            kind: CredentialKind::ApiKey,
        })
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ApiError> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(Some)
            .map_err(|_| ApiError::unauthorized(format!("header {name} is not valid visible ASCII text"))),
    }
}

/// A set of permissions from any list of names.
pub(crate) fn permission_set<I, P>(permissions: I) -> BTreeSet<String>
where
    I: IntoIterator<Item = P>,
    P: Into<String>,
{
    permissions.into_iter().map(Into::into).collect()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use rockit_model::ApiStatus;

    use super::*;

    fn credentials() -> Credentials {
        let mut credentials = Credentials::new("ExampleOrg".into(), Some(Duration::from_secs(300)));
        let both = permission_set(["tasks.read", "tasks.update"]);
        credentials.add_api_key(ApiKeyEntry {
            user: "admin".into(),
            key: "k".into(),
            permissions: both.clone(),
        });
        credentials.add_token(
            "t".into(),
            "admin".into(),
            permission_set(["tasks.read"]),
            Duration::ZERO,
            Some(Duration::from_secs(300)),
        );
        credentials
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn api_key_needs_org_and_user() {
        let creds = credentials();
        let ok = creds
            .authenticate(
                &headers(&[(HEADER_ORG, "exampleorg"), (HEADER_USER, "admin"), (HEADER_API_KEY, "k")]),
                Duration::ZERO,
            )
            .unwrap();
        assert_eq!(ok.credential(), CredentialKind::ApiKey);
        assert!(ok.has_permission("tasks.update"));
        let err = creds.authenticate(&headers(&[(HEADER_API_KEY, "k")]), Duration::ZERO).unwrap_err();
        assert_eq!(err.code(), &ApiStatus::Unauthorized);
    }

    #[test]
    fn tokens_expire_on_the_emulator_clock() {
        let creds = credentials();
        let request = headers(&[(HEADER_TOKEN, "t")]);
        assert!(creds.authenticate(&request, Duration::from_secs(299)).is_ok());
        let err = creds.authenticate(&request, Duration::from_secs(300)).unwrap_err();
        assert_eq!(err.code(), &ApiStatus::TokenExpired);
    }

    #[test]
    fn both_credentials_must_be_valid_and_permissions_intersect() {
        let creds = credentials();
        let both = headers(&[
            (HEADER_ORG, "ExampleOrg"),
            (HEADER_USER, "admin"),
            (HEADER_API_KEY, "k"),
            (HEADER_TOKEN, "t"),
        ]);
        let caller = creds.authenticate(&both, Duration::ZERO).unwrap();
        assert_eq!(caller.credential(), CredentialKind::Both);
        assert_eq!(caller.permissions().collect::<Vec<_>>(), ["tasks.read"]);
        assert_eq!(caller.require("tasks.update").unwrap_err().code(), &ApiStatus::Forbidden);
        let bad_key = headers(&[
            (HEADER_ORG, "ExampleOrg"),
            (HEADER_USER, "admin"),
            (HEADER_API_KEY, "x"),
            (HEADER_TOKEN, "t"),
        ]);
        assert_eq!(
            creds.authenticate(&bad_key, Duration::ZERO).unwrap_err().code(),
            &ApiStatus::Unauthorized
        );
    }

    #[test]
    fn issued_tokens_are_fresh_and_revocable() {
        let mut creds = credentials();
        let token =
            creds.issue_token("admin".into(), permission_set(["tasks.read"]), Duration::from_secs(1000));
        let request = headers(&[(HEADER_TOKEN, &token)]);
        assert!(creds.authenticate(&request, Duration::from_secs(1200)).is_ok());
        assert!(creds.revoke_token(&token));
        assert!(creds.authenticate(&request, Duration::from_secs(1200)).is_err());
    }
}
