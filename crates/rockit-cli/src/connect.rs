//! From the global options, the `ROCKIT_*` environment and the config file's profile to a
//! [`Tasks`] client, through `rockit_transport::Resolver` (the SDK's own rules: a flag beats its
//! variable, which beats the profile; every error names where a value came from); and with
//! `--emulator` an in-process emulator serving the demo tasks.
//!
//! Secrets are handed to the transport at once, which never shows them; messages here name flags,
//! variables and profiles, never values.

use rockit_emulator::{Emulator, Fixture, demo};
use rockit_tasks::Tasks;
use rockit_transport::{
    ConfigFile, Credentials, ErrorKind, Origin, Resolved, Resolver, Setting, Settings, Sourced, split_command,
};
use secrecy::SecretString;

use crate::cli::GlobalArgs;
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

/// A configuration mistake found by the transport's resolver, as a usage error (exit 2) with the
/// resolver's message, which names where each value came from.
fn configuration(err: rockit_transport::Error) -> anyhow::Error {
    match err.kind() {
        ErrorKind::InvalidConfig { message } => usage(message.clone()),
        _ => anyhow::Error::new(err),
    }
}

/// The flag that sets `setting`: `--` and its profile key with `-` for `_` (`ca_cert` is
/// `--ca-cert`), which a test holds to the flags `rockit` has.
pub(crate) fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Endpoint => "--endpoint",
        Setting::Org => "--org",
        Setting::User => "--user",
        Setting::Timeout => "--timeout",
        Setting::Retries => "--retries",
        Setting::CaCert => "--ca-cert",
        Setting::ApiKey => "--api-key",
        Setting::Token => "--token",
        Setting::ApiKeyCommand => "--api-key-command",
        Setting::TokenCommand => "--token-command",
        _ => "an explicit value",
    }
}

/// The flags as the resolver's highest layer.
fn flags(global: &GlobalArgs) -> anyhow::Result<Settings> {
    let command = |raw: &Option<String>, setting: Setting| {
        raw.as_deref()
            .map(|raw| split_command(raw, &Origin::Explicit(flag(setting))).map_err(configuration))
            .transpose()
    };
    let mut settings = Settings::default();
    settings.endpoint.clone_from(&global.endpoint);
    settings.org.clone_from(&global.org);
    settings.user.clone_from(&global.user);
    settings.api_key = global.api_key.clone().map(SecretString::from);
    settings.token = global.token.clone().map(SecretString::from);
    settings.token_command = command(&global.token_command, Setting::TokenCommand)?;
    settings.api_key_command = command(&global.api_key_command, Setting::ApiKeyCommand)?;
    settings.timeout = global.timeout;
    settings.retries = global.retries;
    settings.ca_cert.clone_from(&global.ca_cert);
    Ok(settings)
}

/// The configuration the flags, the environment and the config file describe, each value with its
/// origin. `--emulator` reads neither the environment nor the file: the demo must not pick up a
/// real configuration by accident.
pub(crate) fn resolve(global: &GlobalArgs, var: Lookup<'_>) -> anyhow::Result<Resolved> {
    let flags = flags(global)?;
    if global.emulator {
        return Resolver::new().explicit_as(flags, flag).resolve().map_err(configuration);
    }
    let path = ConfigFile::default_path(var);
    let file = match &path {
        Some(path) => ConfigFile::load(path).map_err(configuration)?,
        None => None,
    };
    let env = Settings::from_env(var).map_err(configuration)?;
    let named =
        global.profile.as_deref().map(|value| Sourced { value, origin: Origin::Explicit("--profile") });
    Resolver::new()
        .explicit_as(flags, flag)
        .env(env)
        .profile_from(file.as_ref(), named, var, path.as_deref())
        .and_then(Resolver::resolve)
        .map_err(configuration)
}

/// Builds the client the configuration describes. With `per_call_deadline`, the timeout is each
/// call's deadline; `tasks wait`, `tasks watch` and `builds wait` pass `false`, as their
/// `--timeout` bounds the whole wait.
pub(crate) async fn connect(
    global: &GlobalArgs,
    var: Lookup<'_>,
    per_call_deadline: bool,
) -> anyhow::Result<Connection> {
    let mut resolved = resolve(global, var)?;
    if !per_call_deadline {
        resolved.timeout = None;
    }
    let emulator = if global.emulator {
        if let Some(endpoint) = &resolved.endpoint {
            return Err(usage(format!(
                "--emulator and {} both name a server; pass only one",
                endpoint.origin
            )));
        }
        let emulator = Emulator::builder().fixture(Fixture::demo()).start().await?;
        tracing::debug!(url = %emulator.base_url(), "started the built-in emulator with the demo tasks");
        Some(emulator)
    } else {
        if resolved.endpoint.is_none() {
            return Err(usage(
                "no endpoint; pass --endpoint https://your-edge-host, set ROCKIT_ENDPOINT or `endpoint` in a profile \
                 (rockit config path), or add --emulator to try the commands against built-in demo tasks",
            ));
        }
        None
    };
    let builder = match &emulator {
        // Whatever is missing comes from the demo credentials.
        Some(emulator) => rockit_transport::Client::builder()
            .base_url(emulator.base_url())
            .credentials(demo_credentials(&resolved)),
        None => resolved.client_builder().map_err(configuration)?,
    };
    let builder = match &resolved.timeout {
        Some(timeout) if emulator.is_some() => builder.deadline(timeout.value),
        _ => builder,
    };
    let builder = match &resolved.retries {
        Some(retries) if emulator.is_some() => {
            builder.retry_policy(rockit_transport::RetryPolicy::default().retries(retries.value))
        }
        _ => builder,
    };
    let credentials = resolved.credential.as_ref().map_or_else(
        || "the demo's".to_owned(),
        |credential| format!("{} from {}", credential.value.describe(), credential.origin),
    );
    tracing::debug!(
        endpoint = resolved.endpoint.as_ref().map_or("the built-in emulator", |endpoint| endpoint.value.as_str()),
        org = resolved.org.as_ref().map(|org| org.value.as_str()),
        user = resolved.user.as_ref().map(|user| user.value.as_str()),
        %credentials,
        "configured"
    );
    let client = builder.build().map_err(|err| match err.kind() {
        ErrorKind::InsecureEndpoint { url } => usage(format!(
            "refusing to send credentials over plain http to {url}; use https (plain http is allowed only to loopback addresses)"
        )),
        _ => anyhow::Error::new(err),
    })?;
    let org = client.org().map(str::to_owned);
    Ok(Connection { tasks: Tasks::new(client), org, _emulator: emulator })
}

/// Reports `error` as [`report`](crate::exit::report) does, naming the credentials in use and where they came from
/// after the server refused them; returns the exit code the error calls for.
pub(crate) fn report_failure(
    error: &anyhow::Error,
    global: &crate::cli::GlobalArgs,
    var: &dyn Fn(&str) -> Option<String>,
    stderr: &mut dyn std::io::Write,
) -> crate::Exit {
    let exit = crate::exit::classify(error);
    let credentials = (exit == crate::Exit::Auth).then(|| credential_sources(global, var)).flatten();
    crate::exit::report(error, global.verbose > 0, credentials.as_deref(), stderr);
    exit
}

/// The credential and the org and user in use, each with where it came from, for the hints after
/// a refusal (`the token command (my-login) from --token-command and the org from ROCKIT_ORG`);
/// `None` without a configured credential (the demo's) or when the configuration no longer
/// resolves.
pub(crate) fn credential_sources(global: &GlobalArgs, var: Lookup<'_>) -> Option<String> {
    let resolved = resolve(global, var).ok()?;
    let credential = resolved.credential.as_ref()?;
    let mut sources = vec![(format!("the {}", credential.value.describe()), &credential.origin)];
    for (what, value) in [("the org", &resolved.org), ("the user", &resolved.user)] {
        if let Some(value) = value {
            sources.push((what.to_owned(), &value.origin));
        }
    }
    // Neighbours from one place are named together: `the API key, the org and the user from
    // profile ci in …`.
    let mut groups: Vec<(Vec<String>, &Origin)> = Vec::new();
    for (what, origin) in sources {
        match groups.last_mut() {
            Some((names, last)) if *last == origin => names.push(what),
            _ => groups.push((vec![what], origin)),
        }
    }
    let groups: Vec<String> =
        groups.into_iter().map(|(names, origin)| format!("{} from {origin}", and_list(&names))).collect();
    Some(and_list(&groups))
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The demo's credentials, with whatever the flags set instead.
fn demo_credentials(resolved: &Resolved) -> Credentials {
    let org = resolved.org.as_ref().map_or_else(|| demo::ORG.to_owned(), |org| org.value.clone());
    let user = resolved.user.as_ref().map_or_else(|| demo::USER.to_owned(), |user| user.value.clone());
    match resolved.credential.as_ref().map(|credential| &credential.value) {
        Some(rockit_transport::CredentialChoice::Token(token)) => {
            Credentials::Token { token: token.clone(), org: Some(org) }
        }
        Some(rockit_transport::CredentialChoice::ApiKey(key)) => {
            Credentials::ApiKey { org, user, key: key.clone() }
        }
        _ => Credentials::api_key(org, user, demo::API_KEY),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::Cli;
    use crate::exit::{Exit, classify};

    fn global(args: &[&str]) -> GlobalArgs {
        let mut all = vec!["rockit"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["tasks", "list"]);
        Cli::try_parse_from(all).unwrap().global
    }

    #[test]
    fn an_api_key_needs_org_and_user() {
        let env = |name: &str| match name {
            "ROCKIT_API_KEY" => Some("k".to_owned()),
            "ROCKIT_CONFIG" => Some("/nonexistent/rockit/config.toml".to_owned()),
            _ => None,
        };
        let resolved =
            resolve(&global(&["--user", "u", "--endpoint", "https://e.example.com"]), &env).unwrap();
        let err = configuration(resolved.client_builder().map(drop).unwrap_err());
        assert_eq!(classify(&err), Exit::Usage);
        assert!(
            err.to_string().ends_with(
                "an API key (ROCKIT_API_KEY) needs the organization and the machine user; set the org (--org, ROCKIT_ORG or `org` in a profile)"
            ),
            "{err}"
        );
    }

    #[test]
    fn the_emulator_fills_in_the_demo_credentials_and_ignores_the_environment() {
        let env = |name: &str| (name == "ROCKIT_TOKEN").then(|| "real-token".to_owned());
        let demo = demo_credentials(&resolve(&global(&["--emulator"]), &env).unwrap());
        assert_eq!(demo.to_string(), "API key of adminPrincipal in ExampleOrg ([redacted])");
        let viewer = demo_credentials(
            &resolve(&global(&["--emulator", "--user", "viewer", "--api-key", "k"]), &env).unwrap(),
        );
        assert_eq!(viewer.to_string(), "API key of viewer in ExampleOrg ([redacted])");
        let token = demo_credentials(&resolve(&global(&["--emulator", "--token", "t"]), &env).unwrap());
        assert_eq!(token.to_string(), "auth token for ExampleOrg ([redacted])");
    }

    #[test]
    fn a_token_may_come_without_org() {
        let env = |name: &str| match name {
            "ROCKIT_TOKEN" => Some("t".to_owned()),
            "ROCKIT_CONFIG" => Some("/nonexistent/rockit/config.toml".to_owned()),
            _ => None,
        };
        let resolved = resolve(&global(&["--endpoint", "https://e.example.com"]), &env).unwrap();
        assert!(resolved.org.is_none());
        assert!(resolved.client_builder().unwrap().build().unwrap().org().is_none());
    }

    #[test]
    fn every_setting_is_named_by_a_flag_rockit_has() {
        use clap::CommandFactory as _;
        let command = Cli::command();
        for &setting in Setting::ALL {
            let name = flag(setting);
            assert_eq!(name, format!("--{}", setting.key().replace('_', "-")), "{setting:?}");
            let long = &name[2..];
            assert!(command.get_arguments().any(|arg| arg.get_long() == Some(long)), "rockit has no {name}");
        }
    }
}
