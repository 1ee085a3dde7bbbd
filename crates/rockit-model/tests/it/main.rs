//! Integration tests of rockit-model: the vendor seed, snapshots, properties and hostile input.

mod details;
mod endpoints;
mod envelopes;
mod errors;
mod hostile;
mod names;
mod properties;
mod seed;
mod snapshots;
