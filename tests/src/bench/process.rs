//! 8. Whole processes, as people and scripts run them against a running emulator: one `rockit
//!    tasks list` per invocation against `curl` fetching the same page, and `rockit tasks list
//!    --all` against a shell loop of `curl` over the same pages. Each side is a fresh process per
//!    invocation, startup included; the figures are wall time (the CPU of child processes is not
//!    this thread's, so there is no cpu ratio).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use anyhow::{Context as _, Result, ensure};
use rockit_emulator::demo;
use rockit_tasks::STREAM_PAGE_LIMIT;

use crate::harness::alternate;
use crate::report::{Figure, Row};

/// One `rockit tasks list` may cost at most what one `curl` of the same page costs.
const TARGET_ONE_PAGE: f64 = 1.0;
/// A whole listing in one process must cost less than a process per page.
const TARGET_ALL: f64 = 1.0;

/// What the process benchmarks run against, and how often.
pub(crate) struct Processes {
    /// The `rockit` binary.
    pub(crate) rockit: PathBuf,
    /// The emulator's base URL.
    pub(crate) emulator: String,
    /// Tasks in the emulator.
    pub(crate) tasks: usize,
    /// Invocations of the one-page command per round.
    pub(crate) invocations: usize,
    pub(crate) rounds: usize,
}

/// Both rows, or none (with a note on stderr) when `curl` is missing.
pub(crate) async fn process(setup: &Processes) -> Result<Vec<Row>> {
    if Command::new("curl").arg("--version").stdout(Stdio::null()).status().is_err() {
        eprintln!("bench: note: `curl` is not installed here; the whole-process rows are left out");
        return Ok(Vec::new());
    }
    Ok(vec![one_page(setup).await?, all_pages(setup).await?])
}

async fn one_page(setup: &Processes) -> Result<Row> {
    let url = format!("{}/be/v1/tasks", setup.emulator);
    // The same single request on both sides: without the FLAGS column, whose two extra requests
    // curl would not make.
    let rockit = || rockit(setup, &["tasks", "list", "--no-markers"]);
    let curl = || curl(&url);
    // Both print the first page (the server's default size): ten task names.
    let rockit_rows = task_rows(&run(&mut rockit())?);
    let curl_names = run(&mut curl())?.matches(r#""name":"#).count();
    ensure!(
        rockit_rows == 10 && curl_names == 10,
        "expected one page of 10 tasks, got {rockit_rows} rows from rockit and {curl_names} from curl"
    );
    let invocations = setup.invocations;
    let paired = alternate(
        setup.rounds,
        async || (0..invocations).try_for_each(|_| run(&mut rockit()).map(drop)),
        async || (0..invocations).try_for_each(|_| run(&mut curl()).map(drop)),
    )
    .await?;
    let per_call = |total: std::time::Duration| {
        let millis = total.as_secs_f64() * 1e3 / crate::harness::float(invocations);
        Figure::new(millis, "ms", format!("{millis:.1} ms/run"))
    };
    let title =
        format!("process: `rockit tasks list --no-markers` vs `curl` of the same page, {invocations} runs");
    let mut row = Row::timed("process.list", title, &paired, per_call, Some(TARGET_ONE_PAGE));
    row.cpu_ratio = None;
    Ok(row)
}

async fn all_pages(setup: &Processes) -> Result<Row> {
    let tasks = setup.tasks;
    let rockit = || rockit(setup, &["tasks", "list", "--all"]);
    let script = r#"off=0
while [ "$off" -lt "$TOTAL" ]; do
  curl -sSf -H "x-rockit-orgname: $ORG" -H "x-rockit-username: $ROCKIT_USER" -H "x-rockit-api-key: $KEY" \
    "$BASE/be/v1/tasks?offset=$off&limit=$PAGE" || exit 1
  off=$((off + PAGE))
done"#;
    let shell_loop = || {
        let mut command = Command::new("sh");
        command
            .args(["-c", script])
            .env("TOTAL", tasks.to_string())
            .env("PAGE", STREAM_PAGE_LIMIT.to_string())
            .env("BASE", &setup.emulator)
            .env("ORG", demo::ORG)
            .env("ROCKIT_USER", demo::USER)
            .env("KEY", demo::API_KEY);
        command
    };
    // Both see every task: a row per task, and a name per task.
    let rockit_rows = task_rows(&run(&mut rockit())?);
    let curl_names = run(&mut shell_loop())?.matches(r#""name":"#).count();
    ensure!(
        rockit_rows == tasks && curl_names == tasks,
        "expected {tasks} tasks, got {rockit_rows} rows from rockit and {curl_names} from the curl loop"
    );
    let paired = alternate(
        setup.rounds,
        async || run(&mut rockit()).map(drop),
        async || run(&mut shell_loop()).map(drop),
    )
    .await?;
    let title = format!(
        "process: `rockit tasks list --all` vs a shell loop of `curl`, {tasks} tasks in pages of \
         {STREAM_PAGE_LIMIT}"
    );
    let mut row = Row::timed("process.all", title, &paired, Figure::millis, Some(TARGET_ALL));
    row.cpu_ratio = None;
    Ok(row)
}

/// The rows of a `rockit tasks list` table that show a task: those that start with a task name
/// of the demo organization (not the header, not the `N of M tasks` line).
fn task_rows(table: &str) -> usize {
    let prefix = format!("{}-", demo::ORG.to_ascii_lowercase());
    table.lines().filter(|line| line.starts_with(&prefix)).count()
}

/// `rockit ARGS` against the emulator with the demo credentials from the environment, and
/// nothing else from it: no profile, no config file.
fn rockit(setup: &Processes, args: &[&str]) -> Command {
    let mut command = Command::new(&setup.rockit);
    command
        .args(args)
        .env_clear()
        .env("ROCKIT_ENDPOINT", &setup.emulator)
        .env("ROCKIT_ORG", demo::ORG)
        .env("ROCKIT_USER", demo::USER)
        .env("ROCKIT_API_KEY", demo::API_KEY)
        .env("ROCKIT_CONFIG", "/nonexistent/rockit-bench/config.toml");
    command
}

fn curl(url: &str) -> Command {
    let mut command = Command::new("curl");
    command.args([
        "-sSf",
        "-H",
        &format!("x-rockit-orgname: {}", demo::ORG),
        "-H",
        &format!("x-rockit-username: {}", demo::USER),
        "-H",
        &format!("x-rockit-api-key: {}", demo::API_KEY),
        url,
    ]);
    command
}

/// Runs `command` to the end and returns what it printed; an error if it failed.
fn run(command: &mut Command) -> Result<String> {
    let Output { status, stdout, stderr } = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", command.get_program().display()))?;
    ensure!(
        status.success(),
        "{} failed ({status}): {}",
        command.get_program().display(),
        String::from_utf8_lossy(&stderr).lines().next().unwrap_or_default()
    );
    String::from_utf8(stdout).context("the output is not UTF-8")
}

/// `rockit` beside the bench binary (`cargo xtask bench` builds both), if it is there.
pub(crate) fn rockit_beside_bench() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent().map(|dir| dir.join(format!("rockit{}", std::env::consts::EXE_SUFFIX)))?;
    path.is_file().then_some(path)
}
