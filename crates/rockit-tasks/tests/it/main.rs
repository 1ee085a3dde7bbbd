//! Integration tests of rockit-tasks against the emulator over loopback.

mod auth;
mod builds;
mod demo;
mod faults;
mod marks;
mod stream;
mod support;
mod wait;
