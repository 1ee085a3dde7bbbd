//! Integration tests of the emulator: real HTTP over loopback, literal JSON expectations.

mod auth;
#[cfg(feature = "cli")]
mod binary;
mod client;
mod details;
mod extension;
mod faults;
mod gateway;
mod hostile;
mod latency;
mod lifecycle;
mod list;
mod load;
mod seed;
mod timeline;
mod update;

use rockit_emulator::{Emulator, EmulatorBuilder, Fixture};

/// The Unix time emulator time zero maps to in these tests: after every demo task's creation.
pub(crate) const EPOCH: u64 = 1_733_300_000;

/// A builder for the demo fixture with a frozen clock and a fixed epoch.
pub(crate) fn demo_builder() -> EmulatorBuilder {
    Emulator::builder().fixture(Fixture::demo()).speed(0.0).epoch(EPOCH)
}

/// A started demo emulator (frozen clock, fixed epoch).
pub(crate) async fn start_demo() -> Emulator {
    demo_builder().start().await.expect("the demo emulator starts")
}
