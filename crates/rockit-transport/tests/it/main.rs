//! Integration tests of rockit-transport: real HTTP over loopback against a scripted server.

mod config;
mod decode;
mod headers;
mod paths;
mod redaction;
mod redirects;
mod refresh;
mod retries;
mod security;
mod sources;
mod support;
mod timing;
mod unauthorized;
