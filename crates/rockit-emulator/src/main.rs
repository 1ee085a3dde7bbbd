//! The `rockit-emulator` binary: serves the emulated ROCKIT Edge Tasks API until Ctrl-C.
//!
//! It prints `listening on http://ADDR` on its first line, then the credentials a client should
//! use, one per line. Without credential flags those are the fixed, public demo credentials. The
//! flags and the serving loop live in the library (`rockit_emulator::cli`), so that
//! `rockit emulator` offers exactly the same ones.

use std::process::ExitCode;

use clap::Parser;
use rockit_emulator::cli::{self, EmulatorArgs};

/// A stand-in ROCKIT Edge Tasks API server for tests and local use.
#[derive(Debug, Parser)]
#[command(name = "rockit-emulator", version)]
struct Args {
    #[command(flatten)]
    args: EmulatorArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let Args { args } = Args::parse();
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    match cli::run(args, &mut stdout, &mut stderr).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rockit-emulator: error: {err}");
            ExitCode::from(2)
        }
    }
}
