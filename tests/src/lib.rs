//! End-to-end and downstream-extension tests for rockit-rs; the tests live in `tests/it/`.
//!
//! This package is never published. Its tests use only the public APIs of the workspace's crates,
//! exactly as a downstream crate would.
