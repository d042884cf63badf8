//! jobmatch: matches participants of Swedish municipal labour-market programmes with
//! vacancies and internship slots, and explains every suggestion.
//!
//! Layers, dependencies pointing down only: `api` (HTTP) → `service` (use cases) → `store`
//! (sqlx), `index` (tantivy), `rank` (pure scoring) and `taxonomy` (concepts, normalisation),
//! all on `model` (domain types). `cli` wires them up for the binary.

pub mod api;
pub mod cli;
pub mod demo;
pub mod index;
pub mod model;
pub mod rank;
pub mod service;
pub mod store;
pub mod taxonomy;
