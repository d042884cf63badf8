//! jobmatch: matches participants of Swedish municipal labour-market programmes with
//! vacancies and internship slots, and explains every suggestion.
//!
//! Layers, dependencies pointing down only: `rank` (pure scoring) and `taxonomy` (concepts,
//! normalisation) stand on `model` (domain types).

pub mod model;
pub mod rank;
pub mod taxonomy;
