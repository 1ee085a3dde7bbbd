//! The emulator's command line, shared by the `rockit-emulator` binary and `rockit emulator`:
//! [`EmulatorArgs`] (the flags, for `#[command(flatten)]`) and [`run`] (start, print the banner,
//! serve until Ctrl-C or SIGTERM).
//!
//! Compiled only with the `cli` feature, which brings in clap.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use rockit_model::{Exception, PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE, TaskKind};

use crate::{BuildPlan, Emulator, Fault, Faults, Fixture, MAINTENANCE_PATH, demo};

/// The emulator's flags. Flatten them into a clap command with `#[command(flatten)]`.
///
/// Without credential flags the emulator accepts the fixed, public [`demo`] credentials. Its
/// `Debug` output shows `[redacted]` for a given API key or token.
#[derive(Clone, clap::Args)]
#[non_exhaustive]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", env = "ROCKIT_EMULATOR_LISTEN")]
    pub listen: SocketAddr,
    /// Allow a --listen address that other machines can reach (the demo credentials are public,
    /// and POST /_emulator/maintenance asks for none).
    #[arg(long)]
    pub allow_remote: bool,
    /// Tasks to start with: `demo` (the vendor seed's story), `empty`, or a JSON file (see the
    /// crate docs for its format).
    #[arg(long, value_name = "demo|empty|PATH.json", default_value = "demo")]
    pub fixture: String,
    /// Start with N synthetic tasks across several apps and builds instead of --fixture.
    #[arg(long, value_name = "N", conflicts_with = "fixture")]
    pub generate: Option<usize>,
    /// The organization's name (x-rockit-orgname).
    #[arg(long, default_value = demo::ORG)]
    pub org: String,
    /// The user the API key and the token belong to (x-rockit-username).
    #[arg(long, default_value = demo::USER)]
    pub user: String,
    /// The user's API key (x-rockit-api-key) [default: demo-api-key].
    #[arg(long, env = "ROCKIT_EMULATOR_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// A backend auth token of the user (x-rockit-beauth-token) [default: demo-token].
    #[arg(long, env = "ROCKIT_EMULATOR_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// How long tokens live, in seconds of emulator time; 0 means they never expire.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub token_ttl: u64,
    /// How fast emulator time runs against real time (0 freezes it; 60 makes a minute a second).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Share of requests (0 to 1) that get a random fault: 503, 429, a delay, a dropped
    /// connection or a truncated body.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Seed of the random faults; the same seed gives the same faults to the same requests.
    #[arg(long, default_value_t = 0)]
    pub fault_seed: u64,
    /// Milliseconds of latency added to every request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Milliseconds the delay fault waits before answering.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub fault_delay: u64,
    /// Seconds the Retry-After header of 429 faults asks for.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    pub retry_after: u64,
    /// Start in maintenance mode: every request under /be/ gets the vendor gateway's answer, 503
    /// with Retry-After: 900 and {"status":"failed","error":"maintenance",...}, until POST
    /// /_emulator/maintenance with {"enabled": false} ends it.
    #[arg(long)]
    pub maintenance: bool,
    /// Allow at most N requests a second under /be/, for all clients together, as the vendor's
    /// gateway does (800/s; 33/s on its free tier); more get the firewall's 429 with Retry-After:
    /// 60. 0 means no limit.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub rate_limit: u32,
    /// Start a new build of --build-app every SECS seconds of real time, the first at once: its
    /// stages (dltar, mkraw, mkpat, mkdxf, publish, deploy) appear one after another, about 17 s
    /// of emulator time in all. 0 starts none.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub build_every: u64,
    /// The app whose builds --build-every starts.
    #[arg(long, value_name = "APP", default_value = "sushi")]
    pub build_app: String,
    /// Make the builds --build-every starts fail at this stage (dltar, mkraw, mkpat, mkdxf,
    /// publish or deploy); nothing after it runs.
    #[arg(long, value_name = "KIND")]
    pub build_fail_at: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (the server's certificate first); needs
    /// --tls-key. The certificate should name 127.0.0.1 (the banner's URL) or localhost.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for EmulatorArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        /// Stands in for a secret.
        struct Redacted;
        impl std::fmt::Debug for Redacted {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("[redacted]")
            }
        }
        let Self {
            listen,
            allow_remote,
            fixture,
            generate,
            org,
            user,
            api_key,
            token,
            token_ttl,
            speed,
            fault_rate,
            fault_seed,
            latency,
            fault_delay,
            retry_after,
            maintenance,
            rate_limit,
            build_every,
            build_app,
            build_fail_at,
            tls_cert,
            tls_key,
        } = self;
        f.debug_struct("EmulatorArgs")
            .field("listen", listen)
            .field("allow_remote", allow_remote)
            .field("fixture", fixture)
            .field("generate", generate)
            .field("org", org)
            .field("user", user)
            .field("api_key", &api_key.as_ref().map(|_| Redacted))
            .field("token", &token.as_ref().map(|_| Redacted))
            .field("token_ttl", token_ttl)
            .field("speed", speed)
            .field("fault_rate", fault_rate)
            .field("fault_seed", fault_seed)
            .field("latency", latency)
            .field("fault_delay", fault_delay)
            .field("retry_after", retry_after)
            .field("maintenance", maintenance)
            .field("rate_limit", rate_limit)
            .field("build_every", build_every)
            .field("build_app", build_app)
            .field("build_fail_at", build_fail_at)
            .field("tls_cert", tls_cert)
            .field("tls_key", tls_key)
            .finish()
    }
}

/// Starts an emulator as `args` say, prints `listening on http://ADDR` and the credentials to use
/// on `out` (one per line; a key or token other than the public demo ones is named by its flag,
/// not echoed), then serves until Ctrl-C or SIGTERM. Progress notes go to `log`.
///
/// Output errors are ignored: a server must not die because whoever started it stopped reading
/// its output.
pub async fn run(args: EmulatorArgs, out: &mut impl Write, log: &mut impl Write) -> crate::Result<()> {
    run_until(args, out, log, stop_signal()).await
}

/// Like [`run`], serving until `stop` resolves instead of waiting for a signal.
pub async fn run_until(
    args: EmulatorArgs,
    out: &mut impl Write,
    log: &mut impl Write,
    stop: impl Future<Output = ()>,
) -> crate::Result<()> {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        return Err(crate::Error::RemoteListen { addr: args.listen });
    }
    let fixture = match (args.generate, args.fixture.as_str()) {
        (Some(count), _) => Fixture::generated(count),
        (None, "demo") => Fixture::demo(),
        (None, "empty") => Fixture::empty(),
        (None, path) => Fixture::from_path(path)?,
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
        .maintenance(args.maintenance)
        .rate_limit(Some(args.rate_limit))
        .faults(Faults::new(args.fault_rate).seed(args.fault_seed).mix([
            (Fault::Unavailable, 1),
            (Fault::RateLimited { retry_after: Duration::from_secs(args.retry_after) }, 1),
            (Fault::Delay(Duration::from_millis(args.fault_delay)), 1),
            (Fault::Drop, 1),
            (Fault::Truncate, 1),
        ]));
    builder = if demo_credentials {
        builder.demo_credentials_for(&args.user)
    } else {
        // What one flag names is used; the other credential stays the public demo one.
        builder.api_key(&args.user, &api_key, both).token(&token, &args.user, both)
    };
    let emulator = with_tls(builder, &args)?.start().await?;

    let banner = banner(&args, &emulator, &api_key, &token, token_ttl, demo_credentials);
    for line in banner {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    let _ = writeln!(log, "rockit-emulator: serving {} tasks; press Ctrl-C to stop", emulator.task_count());
    note_gateway(&args, log);
    let _ = log.flush();

    let builds = async {
        if args.build_every == 0 {
            return std::future::pending().await;
        }
        let mut plan = BuildPlan::new();
        if let Some(kind) = &args.build_fail_at {
            let kind = TaskKind::from(kind.as_str());
            let exception = Exception::error(format!("{kind} step exited with code 1 (--build-fail-at)"));
            plan = plan.fail_at(kind, exception);
        }
        let mut every = tokio::time::interval(Duration::from_secs(args.build_every));
        loop {
            every.tick().await;
            match emulator.start_build(&args.build_app, &plan) {
                Ok(id) => drop(writeln!(log, "rockit-emulator: started build {id}")),
                Err(err) => drop(writeln!(log, "rockit-emulator: cannot start a build: {err}")),
            }
            let _ = log.flush();
        }
    };
    tokio::select! {
        () = stop => {}
        () = builds => {}
    }
    let _ = writeln!(log, "rockit-emulator: shutting down");
    let _ = log.flush();
    emulator.shutdown().await
}

/// The builder serving TLS with the files of `--tls-cert` and `--tls-key`, if given.
fn with_tls(builder: crate::EmulatorBuilder, args: &EmulatorArgs) -> crate::Result<crate::EmulatorBuilder> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else { return Ok(builder) };
    let read = |path: &std::path::Path| {
        std::fs::read(path)
            .map_err(|err| crate::Error::Tls { message: format!("cannot read {} ({err})", path.display()) })
    };
    Ok(builder.tls(read(cert)?, read(key)?))
}

/// The lines `run` prints first: where it listens and the credentials to use. Only the public demo
/// credentials are echoed: a key of one's own may be a real one, and this output may end up in a
/// CI log.
fn banner(
    args: &EmulatorArgs,
    emulator: &Emulator,
    api_key: &str,
    token: &str,
    token_ttl: Option<Duration>,
    demo_credentials: bool,
) -> Vec<String> {
    let mut banner = vec![
        format!("listening on {}", emulator.base_url()),
        format!("org: {}", args.org),
        format!("user: {}", args.user),
        // Only the public demo credentials are echoed: a key of one's own may be a real one, and
        // this output may end up in a CI log.
        if api_key == demo::API_KEY {
            format!("api-key: {api_key}")
        } else {
            "api-key: (as given by --api-key or ROCKIT_EMULATOR_API_KEY)".to_owned()
        },
        {
            let token = if token == demo::TOKEN {
                token.to_owned()
            } else {
                "(as given by --token or ROCKIT_EMULATOR_TOKEN)".to_owned()
            };
            match token_ttl {
                Some(ttl) => format!("token: {token} (expires after {} s of emulator time)", ttl.as_secs()),
                None => format!("token: {token}"),
            }
        },
    ];
    if demo_credentials {
        banner.push(format!("read-only user: {} with api-key {}", demo::VIEWER_USER, demo::VIEWER_API_KEY));
    }
    banner
}

/// Notes maintenance mode and the rate limit, if set, on `log`.
fn note_gateway(args: &EmulatorArgs, log: &mut impl Write) {
    if args.maintenance {
        let _ = writeln!(
            log,
            "rockit-emulator: in maintenance mode: /be/ answers 503 until POST {MAINTENANCE_PATH} \
             with {{\"enabled\": false}}"
        );
    }
    if args.rate_limit > 0 {
        let _ = writeln!(log, "rockit-emulator: at most {} requests a second under /be/", args.rate_limit);
    }
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one. The handlers are installed when this is
/// called, not when the future is first polled, so a signal that arrives while the emulator starts
/// stops it cleanly instead of killing the process.
fn stop_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::EmulatorArgs;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    #[test]
    fn debug_shows_the_flags_but_no_secret() {
        let Command { args } = Command::try_parse_from([
            "rockit-emulator",
            "--api-key",
            "key-sekrit",
            "--token",
            "token-sekrit",
            "--org",
            "Acme",
        ])
        .unwrap();
        let shown = format!("{args:?}");
        assert!(!shown.contains("sekrit"), "{shown}");
        for field in
            [r#"org: "Acme""#, "api_key: Some([redacted])", "token: Some([redacted])", "allow_remote: false"]
        {
            assert!(shown.contains(field), "{field} in {shown}");
        }
    }
}
