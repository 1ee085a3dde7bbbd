//! Integration tests of rockit-tasks against the emulator over loopback.

mod auth;
mod build_edges;
mod builds;
mod demo;
mod details;
mod faults;
mod listing_changes;
mod maintenance;
mod marks;
mod outcomes;
mod pacing;
mod paging;
mod stream;
mod support;
mod wait;
