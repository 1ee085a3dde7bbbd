//! From the global options and the `ROCKIT_*` environment to a [`Tasks`] client: the endpoint,
//! exactly one kind of credentials, the per-call deadline, the retry policy, and with
//! `--emulator` an in-process emulator serving the demo tasks.
//!
//! A flag beats its environment variable. Secrets are handed to `rockit_transport::Credentials`
//! at once, which never shows them; messages here name flags and variables, never values.

use rockit_emulator::{Emulator, Fixture, demo};
use rockit_tasks::Tasks;
use rockit_transport::{
    Client, Credentials, ENV_API_KEY, ENV_ENDPOINT, ENV_ORG, ENV_TOKEN, ENV_USER, ErrorKind, RetryPolicy,
};

use crate::cli::{GlobalArgs, Redacted};
use crate::exit::usage;

/// A client ready for commands, and what the table output needs to know about it.
pub(crate) struct Connection {
    /// The Tasks client.
    pub(crate) tasks: Tasks,
    /// The organization, when known: task names start with it, so the APP column can drop it.
    pub(crate) org: Option<String>,
    /// The in-process emulator of `--emulator`; it serves as long as the connection lives.
    _emulator: Option<Emulator>,
}

/// Looks up an environment variable.
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A setting and where it came from, so that messages name the flag or the variable.
#[derive(Clone)]
struct Setting {
    value: String,
    source: String,
}

/// Shows only the source: the value may be a secret.
impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setting").field("value", &Redacted).field("source", &self.source).finish()
    }
}

/// Reads one setting: the flag's value, else the environment variable's (empty counts as unset),
/// unless `env` is off.
fn setting(flag: &str, value: Option<&String>, var: &str, env: Option<Lookup<'_>>) -> Option<Setting> {
    if let Some(value) = value {
        return Some(Setting { value: value.clone(), source: flag.to_owned() });
    }
    let value = env?(var).filter(|value| !value.trim().is_empty())?;
    Some(Setting { value, source: var.to_owned() })
}

/// Builds the client the global options describe. With `per_call_deadline`, `--timeout` is each
/// call's deadline; `tasks wait` and `tasks watch` pass `false`, as their `--timeout` bounds the
/// whole wait.
pub(crate) async fn connect(
    global: &GlobalArgs,
    var: Lookup<'_>,
    per_call_deadline: bool,
) -> anyhow::Result<Connection> {
    // `--emulator` is the no-account demo: it must not pick up a real configuration by accident.
    let env = (!global.emulator).then_some(var);
    let endpoint = setting("--endpoint", global.endpoint.as_ref(), ENV_ENDPOINT, env);
    let org = setting("--org", global.org.as_ref(), ENV_ORG, env);
    let user = setting("--user", global.user.as_ref(), ENV_USER, env);
    let api_key = setting("--api-key", global.api_key.as_ref(), ENV_API_KEY, env);
    let token = setting("--token", global.token.as_ref(), ENV_TOKEN, env);

    if let (Some(key), Some(token)) = (&api_key, &token) {
        return Err(usage(format!(
            "both an API key ({}) and a token ({}) are set; a request carries one kind of credentials, so pass only one",
            key.source, token.source
        )));
    }

    let mut builder = Client::builder();
    if let Some(timeout) = global.timeout
        && per_call_deadline
    {
        builder = builder.deadline(timeout);
    }
    if let Some(retries) = global.retries {
        builder = builder.retry_policy(RetryPolicy::default().max_attempts(retries.saturating_add(1)));
    }

    let (base_url, emulator) = if global.emulator {
        if let Some(endpoint) = &endpoint {
            return Err(usage(format!(
                "--emulator and {} both name a server; pass only one",
                endpoint.source
            )));
        }
        let emulator = Emulator::builder().fixture(Fixture::demo()).start().await?;
        tracing::debug!(url = %emulator.base_url(), "started the built-in emulator with the demo tasks");
        (emulator.base_url(), Some(emulator))
    } else {
        let endpoint = endpoint.ok_or_else(|| {
            usage(format!(
                "no endpoint; pass --endpoint https://your-edge-host or set {ENV_ENDPOINT}, \
                 or add --emulator to try the commands against built-in demo tasks"
            ))
        })?;
        (endpoint.value, None)
    };

    let credentials = credentials(global.emulator, org, user, api_key, token)?;
    let org = credentials.org().map(str::to_owned);
    tracing::debug!(endpoint = %base_url, credentials = %credentials, "configured");
    let client = builder.base_url(base_url).credentials(credentials).build().map_err(|err| match err.kind() {
        ErrorKind::InsecureEndpoint { url } => usage(format!(
            "refusing to send credentials over plain http to {url}; use https (plain http is allowed only to loopback addresses)"
        )),
        _ => anyhow::Error::new(err),
    })?;
    Ok(Connection { tasks: Tasks::new(client), org, _emulator: emulator })
}

/// Exactly one kind of credentials. With `--emulator`, whatever is missing comes from the demo.
fn credentials(
    emulator: bool,
    org: Option<Setting>,
    user: Option<Setting>,
    api_key: Option<Setting>,
    token: Option<Setting>,
) -> anyhow::Result<Credentials> {
    let value = |setting: Option<Setting>| setting.map(|setting| setting.value);
    if emulator {
        let org = value(org).unwrap_or_else(|| demo::ORG.to_owned());
        return Ok(match (api_key, token) {
            (_, Some(token)) => Credentials::token_for_org(token.value, org),
            (key, None) => Credentials::api_key(
                org,
                value(user).unwrap_or_else(|| demo::USER.to_owned()),
                value(key).unwrap_or_else(|| demo::API_KEY.to_owned()),
            ),
        });
    }
    match (api_key, token) {
        (Some(key), None) => {
            let missing: Vec<String> =
                [("--org", ENV_ORG, org.is_none()), ("--user", ENV_USER, user.is_none())]
                    .into_iter()
                    .filter(|(_, _, missing)| *missing)
                    .map(|(flag, var, _)| format!("{flag} (or {var})"))
                    .collect();
            if !missing.is_empty() {
                return Err(usage(format!(
                    "an API key ({}) needs the organization and the machine user; pass {}",
                    key.source,
                    missing.join(" and ")
                )));
            }
            Ok(Credentials::api_key(
                value(org).unwrap_or_default(),
                value(user).unwrap_or_default(),
                key.value,
            ))
        }
        (None, Some(token)) => Ok(match value(org) {
            Some(org) => Credentials::token_for_org(token.value, org),
            None => Credentials::token(token.value),
        }),
        _ => Err(usage(format!(
            "no credentials; pass --api-key with --org and --user (or set {ENV_API_KEY}, {ENV_ORG} and {ENV_USER}), \
             or --token (or {ENV_TOKEN})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{Exit, classify};

    #[allow(clippy::unnecessary_wraps)] // Every caller wants an `Option`.
    fn setting(value: &str, source: &str) -> Option<Setting> {
        Some(Setting { value: value.to_owned(), source: source.to_owned() })
    }

    #[test]
    fn an_api_key_needs_org_and_user() {
        let err =
            credentials(false, None, setting("u", "--user"), setting("k", ENV_API_KEY), None).unwrap_err();
        assert_eq!(classify(&err), Exit::Usage);
        assert_eq!(
            err.to_string(),
            "an API key (ROCKIT_API_KEY) needs the organization and the machine user; pass --org (or ROCKIT_ORG)"
        );
    }

    #[test]
    fn the_emulator_fills_in_the_demo_credentials() {
        let demo = credentials(true, None, None, None, None).unwrap();
        assert_eq!(demo.to_string(), "API key of adminPrincipal in ExampleOrg ([redacted])");
        let viewer =
            credentials(true, None, setting("viewer", "--user"), setting("k", "--api-key"), None).unwrap();
        assert_eq!(viewer.to_string(), "API key of viewer in ExampleOrg ([redacted])");
        let token = credentials(true, None, None, None, setting("t", "--token")).unwrap();
        assert_eq!(token.to_string(), "auth token for ExampleOrg ([redacted])");
    }

    #[test]
    fn a_token_may_come_without_org() {
        let token = credentials(false, None, None, None, setting("t", ENV_TOKEN)).unwrap();
        assert_eq!(token.org(), None);
    }
}
