//! Integration tests of rockit-model: the vendor seed, snapshots, properties and hostile input.

mod hostile;
mod properties;
mod seed;
mod snapshots;
