//! Integration tests of rockit-transport: real HTTP over loopback against a scripted server.

mod attempts;
mod builder;
mod commands;
mod config;
mod decode;
mod errors;
mod headers;
mod limits;
mod pager;
mod paths;
mod redaction;
mod redirects;
mod refresh;
mod retries;
mod retry_budget;
mod security;
mod sensitive;
mod sources;
mod support;
mod timing;
mod unauthorized;
mod vendor_errors;
