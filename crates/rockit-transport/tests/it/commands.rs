//! Credential commands and the resolver at their edges: the output cap to the byte, secrets that
//! are not one word, what a failing command's error quotes (and redacts) of its stderr, what a
//! command provider prints and reports, how command lines split, which credential a command
//! setting chooses, and where the config file is looked for.

use std::time::Duration;

use rockit_transport::{
    Client, CommandCredentials, ConfigFile, CredentialChoice, CredentialProvider, Credentials,
    DEFAULT_TOKEN_LIFETIME, Origin, Resolver, Settings, StaticCredentials, split_command,
};
use secrecy::ExposeSecret as _;

use crate::support::api_key;

fn sh(script: &str) -> Vec<String> {
    vec!["sh".to_owned(), "-c".to_owned(), script.to_owned()]
}

/// The token `script` prints, or the error's message.
async fn token_from(script: &str) -> Result<String, String> {
    let provider = CommandCredentials::token(sh(script), None).unwrap();
    match provider.credentials().await.map_err(|err| err.to_string())? {
        Credentials::Token { token, .. } => Ok(token.expose_secret().to_owned()),
        other => panic!("not a token: {other:?}"),
    }
}

#[tokio::test]
async fn a_command_may_print_up_to_64_kib() {
    let at_cap = token_from("head -c 65536 /dev/zero | tr '\\0' a").await.unwrap();
    assert_eq!(at_cap.len(), 64 * 1024);
    let err = token_from("head -c 65537 /dev/zero | tr '\\0' a").await.unwrap_err();
    assert!(err.contains("printed more than 65536 bytes"), "{err}");
}

#[tokio::test]
async fn a_secret_with_a_space_is_refused() {
    let err = token_from(r#"echo '{"token": "two words"}'"#).await.unwrap_err();
    assert!(err.contains("printed no usable token"), "{err}");
    assert!(!err.contains("two words"), "the output is never quoted: {err}");
}

/// The provider's part of a credentials error: from `credential command` on.
fn failure_of(err: &rockit_transport::Error) -> String {
    let text = err.to_string();
    let at = text.find("credential command").unwrap_or_else(|| panic!("not a command failure: {text}"));
    text[at..].to_owned()
}

#[tokio::test]
async fn a_failed_command_names_its_status_once_and_redacts_secrets_in_its_stderr() {
    let provider = CommandCredentials::token(
        sh("echo 'login failed: password=hunter2 token=abc123' >&2; echo 'second line' >&2; exit 7"),
        None,
    )
    .unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    let text = err.to_string();
    assert_eq!(text.matches("exited with status 7").count(), 1, "{text}");
    assert!(text.contains("password=[redacted]"), "{text}");
    for shown in ["hunter2", "abc123", "exit status", "second line"] {
        assert!(!text.contains(shown), "{shown:?} in {text}");
    }
    assert_eq!(
        failure_of(&err),
        r#"credential command "sh" exited with status 7: login failed: password=[redacted] token=[redacted]; run the command yourself to see its full output"#
    );

    let quiet = CommandCredentials::token(sh("exit 4"), None).unwrap().credentials().await.unwrap_err();
    assert_eq!(
        failure_of(&quiet),
        r#"credential command "sh" exited with status 4; run the command yourself to see its full output"#
    );
}

#[tokio::test]
async fn a_command_killed_by_a_signal_says_so() {
    let provider =
        CommandCredentials::token(sh("echo 'Authorization: Bearer abc.def' >&2; kill -9 $$"), None).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert_eq!(
        failure_of(&err),
        r#"credential command "sh" was killed by signal 9: Authorization: Bearer [redacted]; run the command yourself to see its full output"#
    );
}

#[tokio::test]
async fn a_long_stderr_line_is_cut_with_an_ellipsis() {
    let provider =
        CommandCredentials::token(sh("head -c 300 /dev/zero | tr '\\0' x >&2; echo >&2; exit 1"), None)
            .unwrap();
    let err = provider.credentials().await.unwrap_err();
    let text = failure_of(&err);
    assert_eq!(
        text,
        format!(
            r#"credential command "sh" exited with status 1: {}…; run the command yourself to see its full output"#,
            "x".repeat(120)
        )
    );
}

#[tokio::test]
async fn a_failing_refresh_never_shows_the_secret_handed_out_before() {
    let dir = std::env::temp_dir().join(format!("rockit-commands-refresh-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, api_key) in [("token", false), ("api-key", true)] {
        // First run: prints the secret. Later runs: fail, echoing it on stderr without any key.
        let marker = dir.join(name);
        let script = format!(
            "if [ -e '{0}' ]; then echo 'rejected: old tok-first-secret, use (tok-first-secret)?' >&2; \
             echo 'second line tok-first-secret' >&2; exit 2; fi; touch '{0}'; echo tok-first-secret",
            marker.display()
        );
        let provider: Box<dyn CredentialProvider> = if api_key {
            Box::new(CommandCredentials::api_key(sh(&script), "ExampleOrg", "ci").unwrap())
        } else {
            Box::new(CommandCredentials::token(sh(&script), None).unwrap())
        };
        let first = match provider.credentials().await.unwrap() {
            Credentials::Token { token, .. } => token.expose_secret().to_owned(),
            Credentials::ApiKey { key, .. } => key.expose_secret().to_owned(),
            other => panic!("{other:?}"),
        };
        assert_eq!(first, "tok-first-secret");
        let err = provider.refresh().await.unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("tok-first-secret") && !text.contains("second line"), "{text}");
        assert_eq!(
            failure_of(&err),
            r#"credential command "sh" exited with status 2: rejected: old [redacted], use ([redacted])?; run the command yourself to see its full output"#,
            "{name}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_command_provider_names_its_program_and_org_but_not_its_arguments() {
    assert_eq!(DEFAULT_TOKEN_LIFETIME, Duration::from_secs(4 * 60), "the documented 4 minutes");
    let token = CommandCredentials::token(sh("echo secret-argument"), Some("ExampleOrg".to_owned())).unwrap();
    assert_eq!(token.argv(), sh("echo secret-argument"));
    assert_eq!(token.org(), Some("ExampleOrg"));
    let debug = format!("{token:?}");
    assert_eq!(
        debug,
        r#"CommandCredentials { program: "sh", arguments: 2, kind: Token { org: Some("ExampleOrg") }, lifetime: 240s, timeout: 30s, .. }"#
    );
    let key = CommandCredentials::api_key(vec!["vault".to_owned()], "ExampleOrg", "ci").unwrap();
    assert!(format!("{key:?}").contains("arguments: 0"), "{key:?}");
}

#[test]
fn static_credentials_name_their_org() {
    assert_eq!(StaticCredentials::new(api_key()).org(), Some("ExampleOrg"));
    assert_eq!(StaticCredentials::new(Credentials::token("t")).org(), None);
    let client = Client::builder()
        .base_url("https://edge.example.com")
        .credential_provider(StaticCredentials::new(api_key()))
        .build()
        .unwrap();
    assert_eq!(client.org(), Some("ExampleOrg"));
}

#[test]
fn a_command_line_splits_like_a_shell_would_split_it() {
    let words = split_command("vault read -field=token 'secret/rockit ci'", &Origin::Default).unwrap();
    assert_eq!(words, ["vault", "read", "-field=token", "secret/rockit ci"]);
}

#[test]
fn an_api_key_command_chooses_an_api_key_command() {
    let argv = vec!["vault".to_owned(), "read".to_owned()];
    let mut settings = Settings::default();
    settings.api_key_command = Some(argv.clone());
    settings.endpoint = Some("https://edge.example.com".to_owned());
    let resolved = Resolver::new().explicit(settings.clone()).resolve().unwrap();
    let endpoint = format!("{:?}", resolved.endpoint);
    assert!(
        endpoint.starts_with(r#"Some(Sourced { value: "https://edge.example.com", origin: "#),
        "{endpoint}"
    );
    let choice = resolved.credential.map(|credential| credential.value);
    assert!(
        matches!(&choice, Some(CredentialChoice::ApiKeyCommand(chosen)) if *chosen == argv),
        "{choice:?}"
    );

    settings.token = Some("t".to_owned().into());
    let err = Resolver::new().explicit(settings).resolve().unwrap_err().to_string();
    assert!(err.contains("an API key command"), "{err}");
}

#[test]
fn the_config_file_is_where_rockit_config_says() {
    let named =
        ConfigFile::default_path(|name| (name == "ROCKIT_CONFIG").then(|| "/etc/rockit.toml".to_owned()));
    assert_eq!(named, Some("/etc/rockit.toml".into()));
    let default = ConfigFile::default_path(|_| None);
    assert!(default.as_ref().is_none_or(|path| path.ends_with("rockit/config.toml")), "{default:?}");
}

#[test]
fn a_config_path_that_cannot_be_read_is_an_error_not_a_missing_file() {
    let dir = std::env::temp_dir().join(format!("rockit-commands-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(ConfigFile::load(&dir.join("absent.toml")).unwrap().is_none());
    let err = ConfigFile::load(&dir).unwrap_err().to_string();
    assert!(err.contains("cannot read the config file"), "{err}");

    let file = dir.join("empty-command.toml");
    std::fs::write(
        &file,
        "[profiles.ci]\ntoken_command = []\n\n[profiles.dev]\napi_key = \"sk-file-SECRET\"\n",
    )
    .unwrap();
    let config = ConfigFile::load(&file).unwrap().unwrap();
    let err = config.profile("ci").unwrap_err().to_string();
    assert!(err.contains("is empty; name a program"), "{err}");
    let debug = format!("{config:?}");
    assert!(
        debug.contains("ProfileEntry { endpoint: None, org: None, user: None,")
            && debug.contains("api_key: Some(SecretBox<str>([REDACTED]))")
            && debug.contains("token_command: Some(CommandLine([redacted]))"),
        "{debug}"
    );
    assert!(!debug.contains("SECRET"), "{debug}");
    std::fs::remove_dir_all(&dir).unwrap();
}
