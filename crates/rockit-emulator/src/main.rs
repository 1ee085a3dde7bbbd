//! The `rockit-emulator` binary: serves the emulated ROCKIT Edge Tasks API until Ctrl-C.
//!
//! It prints `listening on http://ADDR` on its first line, then the credentials a client should
//! use, one per line. Without credential flags those are the fixed, public demo credentials.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use rockit_emulator::{Emulator, Fault, Faults, Fixture, demo};
use rockit_model::{PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE};

/// A stand-in ROCKIT Edge Tasks API server for tests and local use.
#[derive(Debug, Parser)]
#[command(name = "rockit-emulator", version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", env = "ROCKIT_EMULATOR_LISTEN")]
    listen: SocketAddr,
    /// Allow a --listen address that other machines can reach (the demo credentials are public).
    #[arg(long)]
    allow_remote: bool,
    /// Tasks to start with: `demo` (the vendor seed's story), `empty`, or a JSON file (see the
    /// crate docs for its format).
    #[arg(long, value_name = "demo|empty|PATH.json", default_value = "demo")]
    fixture: String,
    /// Start with N synthetic tasks across several apps and builds instead of --fixture.
    #[arg(long, value_name = "N", conflicts_with = "fixture")]
    generate: Option<usize>,
    /// The organization's name (x-rockit-orgname).
    #[arg(long, default_value = demo::ORG)]
    org: String,
    /// The user the API key and the token belong to (x-rockit-username).
    #[arg(long, default_value = demo::USER)]
    user: String,
    /// The user's API key (x-rockit-api-key) [default: demo-api-key].
    #[arg(long, env = "ROCKIT_EMULATOR_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// A backend auth token of the user (x-rockit-beauth-token) [default: demo-token].
    #[arg(long, env = "ROCKIT_EMULATOR_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// How long tokens live, in seconds of emulator time; 0 means they never expire.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    token_ttl: u64,
    /// How fast emulator time runs against real time (0 freezes it; 60 makes a minute a second).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Share of requests (0 to 1) that get a random fault: 503, 429, a delay, a dropped
    /// connection or a truncated body.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    fault_rate: f64,
    /// Seed of the random faults; the same seed gives the same faults to the same requests.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Milliseconds of latency added to every request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,
    /// Milliseconds the delay fault waits before answering.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    fault_delay: u64,
    /// Seconds the Retry-After header of 429 faults asks for.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    retry_after: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rockit-emulator: error: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        return Err(format!(
            "refusing to listen on {}: other machines could reach it and the demo credentials are public; \
             pass --allow-remote to do it anyway",
            args.listen
        ));
    }
    let fixture = match (args.generate, args.fixture.as_str()) {
        (Some(count), _) => Fixture::generated(count),
        (None, "demo") => Fixture::demo(),
        (None, "empty") => Fixture::empty(),
        (None, path) => Fixture::from_path(path).map_err(|err| err.to_string())?,
    };
    let both = [PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE];
    let demo_credentials = args.api_key.is_none() && args.token.is_none();
    let api_key = args.api_key.clone().unwrap_or_else(|| demo::API_KEY.to_owned());
    let token = args.token.clone().unwrap_or_else(|| demo::TOKEN.to_owned());
    let token_ttl = (args.token_ttl > 0).then(|| Duration::from_secs(args.token_ttl));
    let mut builder = Emulator::builder()
        .listen(args.listen)
        .org(&args.org)
        .fixture(fixture)
        .speed(args.speed)
        .token_ttl(token_ttl)
        .latency(Duration::from_millis(args.latency))
        .api_key(&args.user, &api_key, both)
        .token(&token, &args.user, both)
        .faults(Faults::new(args.fault_rate).seed(args.fault_seed).mix([
            (Fault::Unavailable, 1),
            (Fault::RateLimited { retry_after: Duration::from_secs(args.retry_after) }, 1),
            (Fault::Delay(Duration::from_millis(args.fault_delay)), 1),
            (Fault::Drop, 1),
            (Fault::Truncate, 1),
        ]));
    if demo_credentials {
        builder = builder.api_key(demo::VIEWER_USER, demo::VIEWER_API_KEY, [PERMISSION_TASKS_READ]);
    }
    let emulator = builder.start().await.map_err(|err| err.to_string())?;

    let mut banner = vec![
        format!("listening on {}", emulator.base_url()),
        format!("org: {}", args.org),
        format!("user: {}", args.user),
        format!("api-key: {api_key}"),
        match token_ttl {
            Some(ttl) => format!("token: {token} (expires after {} s of emulator time)", ttl.as_secs()),
            None => format!("token: {token}"),
        },
    ];
    if demo_credentials {
        banner.push(format!("read-only user: {} with api-key {}", demo::VIEWER_USER, demo::VIEWER_API_KEY));
    }
    // A server must not die because whoever started it stopped reading its output.
    let mut stdout = std::io::stdout().lock();
    for line in banner {
        let _ = writeln!(stdout, "{line}");
    }
    let _ = stdout.flush();
    drop(stdout);
    eprintln!("rockit-emulator: serving {} tasks; press Ctrl-C to stop", emulator.task_count());

    stop_signal().await;
    eprintln!("rockit-emulator: shutting down");
    emulator.shutdown().await.map_err(|err| err.to_string())
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
