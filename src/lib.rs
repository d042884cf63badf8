//! jobmatch: matches participants of Swedish municipal labour-market programmes with
//! vacancies and internship slots, and explains every suggestion.
//!
//! Layers, dependencies pointing down only: `api` (HTTP) → `service` (use cases) → `store`
//! (sqlx), `index` (tantivy), `rank` (pure scoring) and `taxonomy` (concepts, normalisation),
//! all on `model` (domain types). `config` reads the settings, `startup` builds and serves the
//! application, and `cli` only parses the command line and calls them.

pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod eval;
pub mod index;
pub mod model;
pub mod projection;
pub mod rank;
pub mod service;
pub mod startup;
pub mod store;
pub mod taxonomy;
pub mod web;
