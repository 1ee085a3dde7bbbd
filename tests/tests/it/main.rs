//! End-to-end and downstream-extension tests, one binary.

mod downstream;
mod hostile;
mod soak;
