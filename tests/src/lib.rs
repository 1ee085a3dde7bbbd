//! End-to-end and downstream-extension tests for rockit-rs; the tests live in `tests/it/`.
//!
//! This package is never published. Its tests use only the public APIs of the workspace's crates,
//! exactly as a downstream crate would.

/// The Rust examples of the workspace's README, compiled as doctests (with the dependencies a
/// downstream crate would have) so that they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
