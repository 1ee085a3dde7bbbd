//! Credentials for people and pipelines: profiles of a config file and their precedence, the
//! file-mode rule for literal secrets, `rockit auth status`, `rockit config`, and token commands —
//! including one minting 5-minute tokens from the emulator through a 20-minute `builds wait`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rockit_emulator::{BuildPlan, Emulator, MINT_TOKEN_PATH, demo};
use rockit_model::{PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE, TaskKind};

use crate::{Run, demo_builder, rockit_env, start_demo};

/// A config file in a fresh directory, removed when dropped.
struct Config {
    dir: PathBuf,
    path: PathBuf,
}

impl Config {
    fn new(name: &str, text: &str, mode: u32) -> Self {
        let dir = std::env::temp_dir().join(format!("rockit-cli-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        set_mode(&path, mode);
        Self { dir, path }
    }

    fn env(&self) -> (&'static str, &str) {
        ("ROCKIT_CONFIG", self.path.to_str().unwrap())
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

const PROFILE_KEY: &str = "profile-secret-key-4b1d";
const COMMAND_TOKEN: &str = "command-secret-token-9e2a";

fn profiles(url: &str) -> String {
    format!(
        r#"default_profile = "local"

[profiles.local]
endpoint = "{url}"
org = "{org}"
user = "{user}"
api_key = "{PROFILE_KEY}"

[profiles.readonly]
endpoint = "{url}"
org = "{org}"
user = "{viewer}"
api_key = "{viewer_key}"

[profiles.command]
endpoint = "{url}"
org = "{org}"
token_command = ["sh", "-c", "echo {COMMAND_TOKEN}"]
"#,
        org = demo::ORG,
        user = demo::USER,
        viewer = demo::VIEWER_USER,
        viewer_key = demo::VIEWER_API_KEY,
    )
}

async fn emulator() -> Emulator {
    let both = [PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE];
    demo_builder()
        .demo_credentials()
        .api_key(demo::USER, PROFILE_KEY, both)
        .token(COMMAND_TOKEN, demo::USER, both)
        .api_key("nobody", "no-permissions-key", Vec::<String>::new())
        .start()
        .await
        .unwrap()
}

fn assert_no_secret(run: &Run) {
    for secret in [PROFILE_KEY, COMMAND_TOKEN, "emu-token-"] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{secret} shown: {run:#?}");
    }
}

#[tokio::test]
async fn profiles_fill_in_what_flags_and_variables_leave_open_in_that_order() {
    let emulator = emulator().await;
    let config = Config::new("precedence", &profiles(&emulator.base_url()), 0o600);
    let run = rockit_env(&["-vv", "tasks", "list"], &[config.env()]).await.expect(0);
    assert!(run.stdout.ends_with("10 of 13 tasks\n"), "default_profile: {run:#?}");
    assert!(run.stderr.contains("credentials=API key from profile local in "), "{}", run.stderr);
    assert_no_secret(&run);

    // The read-only profile can list but not acknowledge: 403, naming the permission.
    let ack = ["tasks", "ack", demo::WARNED_PUBLISH];
    let run = rockit_env(&[&["--profile", "readonly"][..], &ack].concat(), &[config.env()]).await.expect(3);
    assert!(run.stderr.contains("403 forbidden") && run.stderr.contains("tasks.update"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("this needs the"),
        "the server named the permission already: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "; the credentials in use: the API key, the org and the user from profile readonly in "
        ),
        "{}",
        run.stderr
    );
    // --profile beats ROCKIT_PROFILE, which beats default_profile.
    let env = [config.env(), ("ROCKIT_PROFILE", "readonly")];
    rockit_env(&ack, &env).await.expect(3);
    rockit_env(&[&["--profile", "local"][..], &ack].concat(), &env).await.expect(0);
    // A variable beats the profile (a wrong org is refused), and a flag beats the variable.
    let env = [config.env(), ("ROCKIT_ORG", "wrong-org")];
    rockit_env(&["tasks", "list"], &env).await.expect(3);
    rockit_env(&["--org", demo::ORG, "tasks", "list"], &env).await.expect(0);
    // The token command of a profile, whose token the emulator accepts.
    let run = rockit_env(&["--profile", "command", "-vv", "tasks", "list"], &[config.env()]).await.expect(0);
    assert!(run.stderr.contains("credentials=token command (sh) from profile command in "), "{}", run.stderr);
    assert_no_secret(&run);

    let run = rockit_env(&["--profile", "qa", "tasks", "list"], &[config.env()]).await.expect(2);
    assert!(
        run.stderr.contains("there is no profile qa in ")
            && run.stderr.contains("(profiles there: command, local, readonly)"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_literal_secret_in_a_file_others_can_read_is_refused() {
    let emulator = start_demo().await;
    let config = Config::new("mode", &profiles(&emulator.base_url()), 0o644);
    let run = rockit_env(&["tasks", "list"], &[config.env()]).await.expect(2);
    assert!(
        run.stderr
            .contains("holds an API key, but other users can read the file (mode 644); run `chmod 600 "),
        "{}",
        run.stderr
    );
    assert_no_secret(&run);
    assert_eq!(emulator.request_count(), 0);
    // A profile with a command instead of a secret is fine in such a file.
    let run = rockit_env(&["--profile", "command", "tasks", "list"], &[config.env()]).await;
    assert_ne!(run.code, 2, "{run:#?}");
}

#[tokio::test]
async fn auth_status_says_where_each_value_came_from_and_checks_them() {
    let emulator = emulator().await;
    let config = Config::new("status", &profiles(&emulator.base_url()), 0o600);
    let env = [config.env(), ("ROCKIT_USER", demo::USER)];
    let run = rockit_env(&["auth", "status", "--org", demo::ORG], &env).await.expect(0);
    let path = config.path.display().to_string();
    let expected = [
        format!("endpoint:     {} (profile local in {path})", emulator.base_url()),
        format!("org:          {} (--org)", demo::ORG),
        format!("user:         {} (ROCKIT_USER)", demo::USER),
        format!("credentials:  API key (profile local in {path})"),
        "profile:      local".to_owned(),
        format!("config file:  {path}"),
        "check:        ok: GET /be/v1/tasks?limit=1 answered with 13 tasks in all".to_owned(),
    ];
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected);
    assert_no_secret(&run);

    let url = emulator.base_url();
    let nobody = [
        "--endpoint",
        url.as_str(),
        "--org",
        demo::ORG,
        "--user",
        "nobody",
        "--api-key",
        "no-permissions-key",
    ];
    let run = rockit_env(&[&nobody[..], &["auth", "status"]].concat(), &[config.env()]).await.expect(3);
    assert!(
        run.stdout.contains("check:        list tasks: GET /be/v1/tasks: 403 forbidden"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("the credentials lack the tasks.read permission"), "{}", run.stdout);
    let document = rockit_env(&[&nobody[..], &["auth", "status", "-o", "json"]].concat(), &[config.env()])
        .await
        .expect(3)
        .json();
    assert_eq!(
        (document["status"].as_u64(), document["missingPermission"].as_str()),
        (Some(403), Some("tasks.read"))
    );
    assert_eq!(document["credentials"]["from"], "--api-key");
}

#[tokio::test]
async fn config_commands_show_the_file_without_its_secrets() {
    let config = Config::new("show", &profiles("https://edge.example.com"), 0o600);
    let path = config.path.display().to_string();
    let run = rockit_env(&["config", "path"], &[config.env()]).await.expect(0);
    assert_eq!(run.stdout, format!("{path}\n"));
    let run = rockit_env(&["config", "list"], &[config.env()]).await.expect(0);
    assert_eq!(run.stdout, "  command\n* local\n  readonly\n");
    let run = rockit_env(&["config", "show"], &[config.env()]).await.expect(0);
    assert_eq!(
        run.stdout,
        format!(
            "profile local in {path}\n  endpoint         https://edge.example.com\n  org              {}\n  user             {}\n  api_key          [redacted]\n",
            demo::ORG,
            demo::USER
        )
    );
    let run = rockit_env(&["config", "show", "command"], &[config.env()]).await.expect(0);
    assert!(run.stdout.contains("  token_command    sh (and 2 arguments, not shown)\n"), "{}", run.stdout);
    assert_no_secret(&run);
    let missing = [("ROCKIT_CONFIG", "/nonexistent/rockit/config.toml")];
    let run = rockit_env(&["config", "show"], &missing).await.expect(2);
    assert!(
        run.stderr.starts_with("error: no config file at /nonexistent/rockit/config.toml"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_failing_token_command_is_an_auth_error_without_its_output() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let command = format!("sh -c 'echo {COMMAND_TOKEN}; echo login refused: session expired >&2; exit 7'");
    let run =
        rockit_env(&["--endpoint", &url, "--token-command", &command, "tasks", "list"], &[]).await.expect(3);
    assert!(
        run.stderr.starts_with("error: list tasks: GET /be/v1/tasks: credentials unavailable: credential command \"sh\" exited with status 7: login refused: session expired; run the command yourself to see its full output"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run);
}

/// Runs the binary while moving the emulator's clock `step` after each request it makes.
async fn drive(emulator: &Emulator, run: tokio::task::JoinHandle<Run>, step: Duration) -> Run {
    for _ in 0..5_000 {
        if run.is_finished() {
            break;
        }
        let seen = emulator.request_count();
        tokio::select! {
            () = emulator.wait_for_requests(seen + 1) => emulator.advance(step),
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    assert!(run.is_finished(), "the command ends within 5,000 steps of the clock");
    run.await.unwrap()
}

#[tokio::test]
async fn a_twenty_minute_build_wait_outlives_five_minute_tokens_through_the_token_command() {
    // Tokens live 5 minutes of the frozen emulator clock; the pipeline takes 20.
    let emulator = demo_builder().token_ttl(Some(Duration::from_secs(300))).start().await.unwrap();
    let plan = [TaskKind::Dltar, TaskKind::Mkraw, TaskKind::Mkpat, TaskKind::Mkdxf, TaskKind::Publish]
        .into_iter()
        .fold(BuildPlan::empty(), |plan, kind| plan.stage(kind, Duration::from_secs(240)));
    let build = emulator.start_build("sushi", &plan).unwrap();
    assert_eq!(build.to_string(), "sushi/4");
    let url = emulator.base_url();
    let mint = format!(
        "curl -sf -X POST -H 'x-rockit-orgname: {org}' -H 'x-rockit-username: {user}' -H 'x-rockit-api-key: {key}' {url}{MINT_TOKEN_PATH}",
        org = demo::ORG,
        user = demo::USER,
        key = demo::API_KEY,
    );
    let args = ["--endpoint", &url, "--org", demo::ORG, "--token-command", &mint, "-vv"];
    let args: Vec<String> =
        [&args[..], &["builds", "wait", "sushi", "4", "--interval", "20ms", "--timeout", "2m"]]
            .concat()
            .into_iter()
            .map(str::to_owned)
            .collect();
    let run = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rockit_env(&args, &[]).await
    });
    let run = drive(&emulator, run, Duration::from_secs(20)).await.expect(0);
    assert!(run.stdout.starts_with("sushi 0004 succeeded after "), "{run:#?}");
    assert!(
        emulator.now() >= Duration::from_secs(20 * 60),
        "the wait lasted {:?} of emulator time",
        emulator.now()
    );
    let minted = emulator.requests().iter().filter(|request| request.raw_path == MINT_TOKEN_PATH).count();
    assert!(minted >= 4, "a fresh token every 5 minutes of 20: {minted} minted");
    let expired = emulator.requests().iter().filter(|request| request.status == Some(401)).count();
    assert!(expired >= 3, "the tokens did expire: {expired} answers 401");
    assert!(run.stderr.contains("token expired; refreshing credentials"), "{}", run.stderr);
    assert_no_secret(&run);
}

#[tokio::test]
async fn config_show_of_a_file_it_would_refuse_shows_it_redacted_and_says_how_to_fix_it() {
    let config = Config::new("world-readable", &profiles("https://edge.example.com"), 0o644);
    let path = config.path.display().to_string();
    let run = rockit_env(&["config", "show", "local"], &[config.env()]).await.expect(2);
    assert!(run.stdout.starts_with(&format!("profile local in {path}\n")), "{}", run.stdout);
    assert!(run.stdout.contains("  api_key          [redacted]\n"), "{}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("warning: rockit will not use this profile: profile local in ")
            && run.stderr.contains(&format!("run `chmod 600 {path}`")),
        "{}",
        run.stderr
    );
    assert_no_secret(&run);
    // Using it is still refused.
    let run = rockit_env(&["tasks", "list"], &[config.env()]).await;
    assert!(run.one_line_error(2).contains("other users can read the file"));
}
