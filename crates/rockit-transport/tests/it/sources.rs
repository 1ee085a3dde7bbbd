//! Where settings come from: the resolver's precedence and messages, the config file and its
//! permission rule, and credential commands (output forms, failures, caching, one run for many
//! callers, refresh on `token-expired` over a real connection).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rockit_model::ListTasks;
use rockit_test_support::mock::{MockServer, Reply};
use rockit_transport::{
    Client, CommandCredentials, ConfigFile, CredentialChoice, CredentialProvider, ErrorKind, Origin,
    Resolver, Setting, Settings, Sourced,
};
use secrecy::{ExposeSecret as _, SecretString};

use crate::support::LIST_OK;

/// A fresh directory under the system's temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("rockit-sources-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, file: &str, text: &str, mode: u32) -> PathBuf {
        let path = self.0.join(file);
        std::fs::write(&path, text).unwrap();
        set_mode(&path, mode);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |name| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
}

const FILE: &str = r#"
default_profile = "staging"

[profiles.staging]
endpoint = "https://staging.example.com"
org = "exampleorg"
user = "jane"
token_command = ["sh", "-c", "echo staging-token"]
timeout = "45s"
retries = 2

[profiles.production]
endpoint = "https://edge.example.com"
org = "exampleorg"
user = "ci"
api_key = "prod-secret-key"
"#;

#[test]
fn every_value_takes_the_highest_layer_that_sets_it() {
    let dir = TempDir::new("precedence");
    let file = ConfigFile::load(&dir.write("config.toml", FILE, 0o600)).unwrap().unwrap();
    let mut flags = Settings::default();
    flags.org = Some("flag-org".to_owned());
    let env = Settings::from_env(vars(&[("ROCKIT_ORG", "env-org"), ("ROCKIT_USER", "env-user")])).unwrap();
    let resolved = Resolver::new()
        .explicit(flags)
        .env(env)
        .profile_from(Some(&file), None, vars(&[]), None)
        .unwrap()
        .resolve()
        .unwrap();
    let staging = Origin::Profile { name: "staging".to_owned(), path: file.path().to_owned() };
    assert_eq!(resolved.profile.as_ref(), Some(&staging), "default_profile picks the profile");
    assert_eq!(
        resolved.org.as_ref().map(|org| (org.value.as_str(), &org.origin)),
        Some(("flag-org", &Origin::Explicit("org"))),
        "an explicit value the program did not name goes by its key"
    );
    assert_eq!(
        resolved.user.as_ref().map(|user| (user.value.as_str(), &user.origin)),
        Some(("env-user", &Origin::Env("ROCKIT_USER")))
    );
    let endpoint = resolved.endpoint.as_ref().unwrap();
    assert_eq!((endpoint.value.as_str(), &endpoint.origin), ("https://staging.example.com", &staging));
    assert_eq!(resolved.timeout.as_ref().map(|timeout| timeout.value), Some(Duration::from_secs(45)));
    assert_eq!(resolved.retries.as_ref().map(|retries| retries.value), Some(2));
    let credential = resolved.credential.as_ref().unwrap();
    assert!(
        matches!(&credential.value, CredentialChoice::TokenCommand(argv) if argv == &["sh", "-c", "echo staging-token"])
    );
    assert_eq!(credential.value.describe(), "token command (sh)");
    assert_eq!(credential.origin.to_string(), format!("profile staging in {}", file.path().display()));

    // The environment's credential beats the profile's; a flag's beats both, whole.
    let env = Settings::from_env(vars(&[("ROCKIT_TOKEN", "env-token")])).unwrap();
    let resolved = Resolver::new().env(env.clone()).profile(&file, "staging").unwrap().resolve().unwrap();
    assert_eq!(resolved.credential.as_ref().unwrap().origin, Origin::Env("ROCKIT_TOKEN"));
    let mut flags = Settings::default();
    flags.api_key = Some(SecretString::from("flag-key"));
    let flag = |setting| if setting == Setting::ApiKey { "--api-key" } else { "--other" };
    let resolved = Resolver::new()
        .explicit_as(flags, flag)
        .env(env)
        .profile(&file, "staging")
        .unwrap()
        .resolve()
        .unwrap();
    let credential = resolved.credential.unwrap();
    assert_eq!(credential.origin, Origin::Explicit("--api-key"), "named as the program names it");
    assert!(matches!(credential.value, CredentialChoice::ApiKey(key) if key.expose_secret() == "flag-key"));

    // --profile beats ROCKIT_PROFILE beats default_profile.
    let named = |flag: Option<&'static str>, env: &[(&str, &str)]| {
        let flag = flag.map(|value| Sourced { value, origin: Origin::Explicit("--profile") });
        let resolved =
            Resolver::new().profile_from(Some(&file), flag, vars(env), None).unwrap().resolve().unwrap();
        resolved.endpoint.unwrap().value
    };
    assert_eq!(named(None, &[("ROCKIT_PROFILE", "production")]), "https://edge.example.com");
    assert_eq!(named(Some("staging"), &[("ROCKIT_PROFILE", "production")]), "https://staging.example.com");
}

#[test]
fn errors_name_where_each_value_came_from() {
    let dir = TempDir::new("errors");
    let file = ConfigFile::load(&dir.write("config.toml", FILE, 0o600)).unwrap().unwrap();
    let config_error = |result: Result<(), rockit_transport::Error>| {
        let err = result.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidConfig { .. }), "{err:?}");
        let text = err.to_string();
        assert!(!text.contains("prod-secret-key") && !text.contains("env-key"), "no secret in {text}");
        text
    };
    let both =
        Settings::from_env(vars(&[("ROCKIT_API_KEY", "env-key"), ("ROCKIT_TOKEN_COMMAND", "my-login")]))
            .unwrap();
    let text = config_error(Resolver::new().env(both).resolve().map(drop));
    assert!(
        text.contains("both an API key (ROCKIT_API_KEY) and a token command (ROCKIT_TOKEN_COMMAND) are set"),
        "{text}"
    );

    let qa = Sourced { value: "qa", origin: Origin::Explicit("--profile") };
    let text = config_error(Resolver::new().profile_from(Some(&file), Some(qa), vars(&[]), None).map(drop));
    assert!(
        text.contains("there is no profile qa in ")
            && text.ends_with("(profiles there: production, staging)"),
        "{text}"
    );

    let no_user = Settings::from_env(vars(&[
        ("ROCKIT_ENDPOINT", "https://e.example.com"),
        ("ROCKIT_API_KEY", "env-key"),
        ("ROCKIT_ORG", "o"),
    ]))
    .unwrap();
    let resolved = Resolver::new().env(no_user.clone()).resolve().unwrap();
    let text = config_error(resolved.client_builder().map(drop));
    assert!(text.contains("an API key (ROCKIT_API_KEY) needs the organization and the machine user; set the user (ROCKIT_USER or `user` in a profile)"), "{text}");
    // A program that names its explicit values (a CLI's flags) has them named in the advice too.
    let resolved =
        Resolver::new().explicit_as(Settings::default(), |_| "--flag").env(no_user).resolve().unwrap();
    let text = config_error(resolved.client_builder().map(drop));
    assert!(text.ends_with("set the user (--flag, ROCKIT_USER or `user` in a profile)"), "{text}");

    let nothing = Resolver::new().resolve().unwrap();
    let text = config_error(nothing.client_builder().map(drop));
    assert!(text.contains("no endpoint; set it with ROCKIT_ENDPOINT or `endpoint` in a profile"), "{text}");

    let missing_file = dir.0.join("absent.toml");
    assert!(ConfigFile::load(&missing_file).unwrap().is_none(), "no file is no error");
    let text = config_error(
        Resolver::new()
            .profile_from(None, None, vars(&[("ROCKIT_PROFILE", "staging")]), Some(&missing_file))
            .map(drop),
    );
    assert!(
        text.starts_with(
            "invalid configuration: ROCKIT_PROFILE names profile staging, but there is no config file at "
        ),
        "{text}"
    );

    let typo =
        dir.write("typo.toml", "[profiles.a]\nendpont = \"x\"\napi_key = \"prod-secret-key\"\n", 0o600);
    let text = config_error(ConfigFile::load(&typo).map(drop));
    assert!(text.contains("is not valid at line 2: unknown field `endpont`"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_literal_secret_needs_a_file_only_its_owner_can_read() {
    let dir = TempDir::new("modes");
    let open = ConfigFile::load(&dir.write("open.toml", FILE, 0o644)).unwrap().unwrap();
    let err = open.profile("production").unwrap_err().to_string();
    assert!(
        err.contains("holds an API key, but other users can read the file (mode 644); run `chmod 600 "),
        "{err}"
    );
    assert!(!err.contains("prod-secret-key"), "{err}");
    // Commands are no secret: a profile with a token command is fine in a readable file.
    assert!(open.profile("staging").is_ok());
    let private = ConfigFile::load(&dir.write("private.toml", FILE, 0o600)).unwrap().unwrap();
    let production = private.profile("production").unwrap();
    assert_eq!(
        production.api_key.as_ref().map(|key| key.expose_secret().to_owned()).as_deref(),
        Some("prod-secret-key")
    );
}

fn sh(script: &str) -> Vec<String> {
    vec!["sh".to_owned(), "-c".to_owned(), script.to_owned()]
}

async fn token_of(provider: &CommandCredentials) -> Result<String, rockit_transport::Error> {
    let credentials = provider.credentials().await?;
    match credentials {
        rockit_transport::Credentials::Token { token, .. } => Ok(token.expose_secret().to_owned()),
        other => panic!("not a token: {other:?}"),
    }
}

#[tokio::test]
async fn a_token_command_prints_a_line_or_json_with_an_expiry() {
    let line = CommandCredentials::token(sh("echo ' tok-line '"), None).unwrap();
    assert_eq!(token_of(&line).await.unwrap(), "tok-line");
    let json = CommandCredentials::token(
        sh(r#"echo '{"token": "tok-json", "expiresAt": "2999-01-01T00:00:00Z"}'"#),
        Some("o".into()),
    )
    .unwrap();
    assert_eq!(token_of(&json).await.unwrap(), "tok-json");
    assert_eq!(json.org(), Some("o"));
    let key = CommandCredentials::api_key(sh(r#"echo '{"apiKey": "key-json"}'"#), "o", "u").unwrap();
    assert!(
        matches!(key.credentials().await.unwrap(), rockit_transport::Credentials::ApiKey { key, .. } if key.expose_secret() == "key-json")
    );
}

#[tokio::test]
async fn a_failing_command_is_an_auth_error_with_its_status_and_first_stderr_line_never_its_stdout() {
    let cases = [
        (sh("echo; echo"), "printed no usable token"),
        (sh("true"), "printed no usable token"),
        (sh("echo not json at all; echo second line"), "printed several lines"),
        (sh(r#"echo '{"token": 42}'"#), "printed JSON that does not read (a field of the wrong type"),
        (
            sh(r#"echo '{"token": "t", "expiresAt": "soon"}'"#),
            "printed an expiresAt that is not an RFC 3339 time",
        ),
        (
            sh("echo stdout-secret; echo 'login failed: no session' >&2; echo more >&2; exit 3"),
            "exited with status 3: login failed: no session",
        ),
        (sh("echo stdout-secret >&2; exit 1"), "exited with status 1: stdout-secret"),
        (vec!["/nonexistent/rockit-login".to_owned()], "could not start"),
    ];
    for (argv, says) in cases {
        let provider = CommandCredentials::token(argv.clone(), None).unwrap();
        let err = provider.credentials().await.unwrap_err();
        assert!(err.is_auth(), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(says), "{argv:?}: {text}");
        if !says.contains("stdout-secret") {
            assert!(!text.contains("stdout-secret") && !text.contains("not json"), "{text}");
        }
    }
    // The token printed on stderr is shown only as stderr's first line, and never on success.
    let quiet = CommandCredentials::token(sh("echo tok; echo stderr-secret >&2"), None).unwrap();
    assert_eq!(token_of(&quiet).await.unwrap(), "tok");
    assert!(
        !format!("{quiet:?}").contains("tok") && !format!("{quiet:?}").contains("stderr-secret"),
        "{quiet:?}"
    );
}

#[tokio::test]
async fn a_hanging_command_is_stopped_at_its_timeout() {
    let provider =
        CommandCredentials::token(sh("sleep 30"), None).unwrap().timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = provider.credentials().await.unwrap_err();
    assert!(err.to_string().contains("did not finish within 0.3s and was stopped"), "{err}");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

/// A command that counts its runs in `file` and prints `tok-<run>`.
fn counting(file: &Path) -> Vec<String> {
    sh(&format!("echo run >> '{0}'; echo tok-$(wc -l < '{0}' | tr -d ' ')", file.display()))
}

fn runs(file: &Path) -> usize {
    std::fs::read_to_string(file).map_or(0, |text| text.lines().count())
}

#[tokio::test]
async fn the_token_is_cached_and_many_callers_share_one_run() {
    let dir = TempDir::new("cache");
    let count = dir.0.join("runs");
    let provider = Arc::new(CommandCredentials::token(counting(&count), None).unwrap());
    let callers: Vec<_> = (0..64)
        .map(|_| {
            let provider = Arc::clone(&provider);
            tokio::spawn(async move { token_of(&provider).await.unwrap() })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap(), "tok-1");
    }
    assert_eq!(runs(&count), 1, "64 first callers, one run");
    assert_eq!(token_of(&provider).await.unwrap(), "tok-1", "cached");

    // 64 callers that hit the same expiry: one run.
    let refreshers: Vec<_> = (0..64)
        .map(|_| {
            let provider = Arc::clone(&provider);
            tokio::spawn(async move { provider.refresh().await.unwrap() })
        })
        .collect();
    for refresher in refreshers {
        refresher.await.unwrap();
    }
    assert_eq!(runs(&count), 2, "64 refreshes at once, one run");

    // Past its lifetime the token is fetched again.
    let short = CommandCredentials::token(counting(&count), None).unwrap().lifetime(Duration::ZERO);
    token_of(&short).await.unwrap();
    token_of(&short).await.unwrap();
    assert_eq!(runs(&count), 4);
}

#[tokio::test]
async fn a_token_expired_answer_runs_the_command_again_and_repeats_the_call() {
    let dir = TempDir::new("expired");
    let count = dir.0.join("runs");
    let server = MockServer::start().await;
    server.script([
        Reply::json(200, LIST_OK),
        Reply::json(401, r#"{"status":"token-expired","message":"log in again"}"#),
        Reply::json(200, LIST_OK),
    ]);
    let client = Client::builder()
        .base_url(server.url())
        .credential_provider(CommandCredentials::token(counting(&count), Some("exampleorg".into())).unwrap())
        .build()
        .unwrap();
    assert_eq!(client.org(), Some("exampleorg"));
    client.execute(&ListTasks::new()).await.unwrap();
    client.execute(&ListTasks::new()).await.unwrap();
    let tokens: Vec<String> = server
        .requests()
        .iter()
        .map(|request| request.header("x-rockit-beauth-token").unwrap().to_owned())
        .collect();
    assert_eq!(tokens, ["tok-1", "tok-1", "tok-2"], "cached, then fetched again after token-expired");
    assert_eq!(runs(&count), 2);
}
