//! Integration tests: the real server on an ephemeral port, a fresh data directory per test,
//! driven over HTTP. One binary, a module per feature, so it links once.

mod access;
mod cli;
mod crash;
mod errors;
mod golden;
mod helpers;
mod lifecycle;
mod matching;
mod openapi;
