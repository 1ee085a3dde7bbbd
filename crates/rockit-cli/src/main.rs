//! The `rockit` binary: parses the command line, sets up logging for `-v`, runs the command on a
//! Tokio runtime and exits with its code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use rockit_cli::{Cli, Exit, Io};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with code 0; mistakes to stderr with code 2.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(Exit::Usage.code()));
        }
    };
    init_logging(cli.verbosity());
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return Exit::Failure.into();
        }
    };
    Io::with_std(|io| runtime.block_on(rockit_cli::run_until_interrupted(cli, io))).into()
}

/// `-v`: debug logs of rockit's crates, one line per HTTP call; `-vv`: their trace logs and the
/// HTTP stack's debug logs. Neither the transport nor the CLI ever logs a secret.
fn init_logging(verbosity: u8) {
    let (ours, others) = match verbosity {
        0 => return,
        1 => (LevelFilter::DEBUG, LevelFilter::WARN),
        _ => (LevelFilter::TRACE, LevelFilter::DEBUG),
    };
    let filter = Targets::new().with_default(others).with_targets(
        ["rockit_cli", "rockit_tasks", "rockit_transport", "rockit_emulator"].map(|target| (target, ours)),
    );
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_span_events(FmtSpan::CLOSE),
        )
        .with(filter)
        .try_init();
}
