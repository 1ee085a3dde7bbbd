//! 8. Whole processes, as people and scripts run them against a running emulator: one `rockit
//!    tasks list` per invocation against `curl` fetching the same page, and `rockit tasks list
//!    --all` against a shell loop of `curl` over the same pages. Each side is a fresh process per
//!    invocation, startup included; the figures are wall time (the CPU of child processes is not
//!    this thread's, so there is no cpu ratio). And the peak memory of `rockit builds list --all`
//!    against `rockit tasks list --all` over the same listing: both write rows as they come.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use anyhow::{Context as _, Result, ensure};
use rockit_emulator::demo;
use rockit_tasks::STREAM_PAGE_LIMIT;

use crate::harness::alternate;
use crate::report::{Figure, Row, Verdict};

/// One `rockit tasks list` may cost at most what one `curl` of the same page costs.
const TARGET_ONE_PAGE: f64 = 1.0;
/// A whole listing in one process must cost less than a process per page.
const TARGET_ALL: f64 = 1.0;
/// Every build of a listing may hold at most twice the memory every task of it holds.
const TARGET_BUILDS_MEMORY: f64 = 2.0;

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
    let mut rows = vec![one_page(setup).await?, all_pages(setup).await?];
    rows.extend(builds_memory(setup)?);
    Ok(rows)
}

/// Peak resident memory of `rockit builds list --all` against `rockit tasks list --all`; none
/// where `/proc` does not tell a process's peak (not Linux).
fn builds_memory(setup: &Processes) -> Result<Option<Row>> {
    let Some(tasks_peak) = peak_rss(&mut rockit(setup, &["tasks", "list", "--all"]))? else {
        return Ok(None);
    };
    let builds_peak = peak_rss(&mut rockit(setup, &["builds", "list", "--all"]))?.unwrap_or_default();
    let float = crate::harness::float;
    let kib = |bytes: usize| Figure::new(float(bytes), "bytes", format!("{} KiB", bytes / 1024));
    let ratio = float(builds_peak) / float(tasks_peak.max(1));
    Ok(Some(Row {
        id: "process.builds_memory",
        title: format!(
            "process: peak RSS of `rockit builds list --all` vs `tasks list --all`, {} tasks",
            setup.tasks
        ),
        rockit: kib(builds_peak),
        baseline: Some(kib(tasks_peak)),
        ratio: Some(ratio),
        cpu_ratio: None,
        target: format!("≤ {TARGET_BUILDS_MEMORY:.2}"),
        verdict: if ratio <= TARGET_BUILDS_MEMORY { Verdict::Ok } else { Verdict::Missed },
        seconds: None,
    }))
}

/// The peak resident memory of `command` run to its end (its output drained and dropped), read
/// from `/proc/PID/status` (`VmHWM`, which only grows) until it exits; `None` without `/proc`.
fn peak_rss(command: &mut Command) -> Result<Option<usize>> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run {}", command.get_program().display()))?;
    let mut stdout = child.stdout.take().context("piped")?;
    let drain = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = None;
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(&status_file).ok().as_deref().and_then(high_water_kib) {
            peak = Some(peak.unwrap_or(0).max(kib * 1024));
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let _ = drain.join();
    ensure!(status.success(), "{} failed ({status})", command.get_program().display());
    Ok(peak)
}

/// `VmHWM` of a `/proc/PID/status`, in KiB.
fn high_water_kib(status: &str) -> Option<usize> {
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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
