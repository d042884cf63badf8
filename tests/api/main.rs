//! Integration tests: the real server on an ephemeral port, a fresh data directory per test,
//! driven over HTTP. One binary, a module per feature, so it links once. Every test runs on
//! both database backends (`helpers::on_both_backends!`).

#[macro_use]
mod helpers;

mod access;
mod ads;
mod alerts;
mod allocations;
mod cli;
mod crash;
mod errors;
mod gaps;
mod golden;
mod instances;
mod lifecycle;
mod matching;
mod openapi;
mod placements;
mod programme;
mod taxonomy;
mod web;
