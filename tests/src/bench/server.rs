//! The server side of the benchmarks, in a child process: the emulator with a generated fixture,
//! and the "floor", a minimal axum server that answers fixed bodies copied from the emulator.
//!
//! [`serve`] runs in the child (`bench --serve N`): it prints `ready <emulator URL> <floor URL>
//! <task>`, naming the task whose details the floor answers, and serves until its standard input
//! closes. [`ServerProcess`] is the parent's handle on it;
//! dropping the handle closes that input, so the child never outlives the benchmark.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use rockit_emulator::{Emulator, Fixture};

use crate::baseline;

/// How many requests the emulator's log keeps. Small on purpose: the log stores bodies, and a
/// long one would distort memory and latency.
const LOG_CAPACITY: usize = 16;

/// The floor's route answering the task-details body.
pub(crate) const FLOOR_DETAIL: &str = "/detail";
/// The floor's route answering the list-page body.
pub(crate) const FLOOR_LIST: &str = "/list";
/// The page size of the list pages the floor answers and the emulator benchmark asks for.
pub(crate) const LIST_PAGE: u32 = 100;

/// The child's side: serves until standard input closes.
pub(crate) fn serve(tasks: usize) -> Result<()> {
    // Two workers: the machine's two cores, shared with the client process.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    let (emulator, floor, detail_task) = runtime.block_on(start(tasks))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "ready {} {floor} {detail_task}", emulator.base_url())?;
    stdout.flush()?;
    drop(stdout);
    // The parent holds our standard input open for as long as it needs us.
    let _ = std::io::stdin().lock().read_to_end(&mut Vec::new());
    drop(emulator);
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// Starts the emulator and the floor; returns the emulator, the floor's base URL and the task
/// whose details the floor answers.
async fn start(tasks: usize) -> Result<(Emulator, String, String)> {
    let emulator = Emulator::builder()
        .fixture(Fixture::generated(tasks))
        .speed(0.0)
        .log_capacity(LOG_CAPACITY)
        .start()
        .await
        .context("cannot start the emulator")?;
    // The floor answers exactly the bytes the emulator answers, so both send bodies of one size.
    let http = baseline::client()?;
    let base = emulator.base_url();
    // The last task: the other benchmarks acknowledge the first ones, which changes their details.
    let last_page = baseline::list_page(&http, &base, tasks.saturating_sub(1) as u64, 1).await?;
    let detail_task = last_page.tasks.into_iter().next().context("the emulator has no tasks")?.name;
    let detail = baseline::get_bytes(&http, &format!("{base}/be/v1/tasks/{detail_task}")).await?;
    let list_body = baseline::get_bytes(&http, &format!("{base}/be/v1/tasks?limit={LIST_PAGE}")).await?;
    let floor = floor_router(detail, list_body);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.context("cannot bind the floor")?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, floor).await });
    Ok((emulator, format!("http://{addr}"), detail_task))
}

/// The least a server can do: answer a fixed body with the emulator's content type.
fn floor_router(detail: Bytes, list: Bytes) -> Router {
    let fixed =
        |body: Bytes| move || std::future::ready(([(CONTENT_TYPE, "application/json")], body.clone()));
    Router::new().route(FLOOR_DETAIL, get(fixed(detail))).route(FLOOR_LIST, get(fixed(list)))
}

/// The parent's handle on the child serving the emulator and the floor.
pub(crate) struct ServerProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The emulator's base URL.
    pub(crate) emulator: String,
    /// The floor's base URL.
    pub(crate) floor: String,
    /// The task whose details the floor answers.
    pub(crate) detail_task: String,
}

impl ServerProcess {
    /// Starts `bench --serve <tasks>` and waits until it is ready.
    pub(crate) fn spawn(tasks: usize) -> Result<Self> {
        let exe = std::env::current_exe().context("cannot find the bench binary")?;
        let mut child = Command::new(exe)
            .arg("--serve")
            .arg(tasks.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the bench server process")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("the bench server has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).context("cannot read from the bench server")?;
        let mut words = line.split_whitespace();
        let (Some("ready"), Some(emulator), Some(floor), Some(detail_task)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            let status = child.wait()?;
            bail!("the bench server did not start ({status}); its output was {line:?}");
        };
        let (emulator, floor, detail_task) = (emulator.to_owned(), floor.to_owned(), detail_task.to_owned());
        Ok(Self { child, stdin, emulator, floor, detail_task })
    }

    /// Asks the child to stop and waits for it, killing it after a grace period.
    pub(crate) fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let Some(stdin) = self.stdin.take() else { return };
        drop(stdin);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_)) | Err(_)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.shut_down();
    }
}
