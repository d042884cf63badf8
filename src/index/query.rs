//! Queries on the opening index: free-text search for people and candidate generation for
//! the ranking core. Filters never contribute to scores; only text and concept matches do.

use std::collections::BTreeSet;
use std::f64::consts::FRAC_PI_2;
use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, RegexQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::{Order, Score, Searcher, Term};

use super::schema::{self, ID};
use super::{IndexError, OpeningIndex};
use crate::model::{EARTH_RADIUS_KM, GeoPoint, Id, OpeningKind};

/// One clause of a [`BooleanQuery`].
type Clause = (Occur, Box<dyn Query>);

/// A concept match weighs twice a text term: concepts are what the taxonomy understood.
const CONCEPT_BOOST: Score = 2.0;

/// Shortest search word that also matches as the first part of a compound: shorter ones
/// ("bil", "vård" is four) would match too many unrelated words.
const MIN_COMPOUND_PREFIX: usize = 4;

/// Weight of a compound-prefix match relative to a whole-word match.
const COMPOUND_PREFIX_BOOST: Score = 0.5;

/// Widening of the distance prefilter box, in degrees (about 10 cm), so that rounding never
/// drops an opening exactly at the limit; the exact distance is checked by the ranking core.
const BOX_MARGIN_DEG: f64 = 1e-6;

/// A search by people (coaches, matchers) over open openings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchQuery {
    /// Query text in tantivy's query syntax over title and description: terms are ORed,
    /// `"…"` is a phrase, `+`/`-` require or exclude. `None` or blank lists every open opening.
    pub text: Option<String>,
    pub kind: Option<OpeningKind>,
    pub municipality_code: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// One page of search results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchPage {
    /// How many openings match in all, across pages.
    pub total: usize,
    /// `(id, BM25 score)`, best first and newest first among equals. Without query text
    /// every score is 0 and the order is newest (highest id) first.
    pub hits: Vec<(Id, f32)>,
}

/// What a participant brings to candidate generation: hard filters and terms to score by.
#[derive(Clone, Debug, PartialEq)]
pub struct CandidateQuery {
    /// Skill, occupation (with `ssyk…:` prefixes) and licence concept ids.
    pub concepts: Vec<String>,
    /// Free text that matched no concept. Tokenized with the Swedish analyzer, never parsed
    /// as query syntax.
    pub text: Vec<String>,
    pub kind: Option<OpeningKind>,
    /// The participant's Swedish level step, 0 for none, 1..6 for A1..C2. Openings with a
    /// strict minimum above it are excluded; `None` applies no Swedish filter.
    pub swedish_step: Option<u8>,
    /// Licences held; `None` applies no licence filter.
    pub licences_held: Option<Vec<String>>,
    /// Every licence concept id there is; openings requiring one of these that the participant
    /// does not hold are excluded.
    pub all_licences: Vec<String>,
    /// Centre and radius in km. Openings with a point outside the enclosing lat/lon box are
    /// excluded (the exact distance is the ranking core's to check); openings without a point
    /// stay candidates.
    pub within: Option<(GeoPoint, f64)>,
    /// Openings whose deadline is before this day are excluded; `None` applies no deadline
    /// filter.
    pub today: Option<NaiveDate>,
    pub limit: usize,
}

impl OpeningIndex {
    /// Searches open openings by text, kind and municipality, one page at a time.
    ///
    /// Query text that does not parse is the user's error: [`IndexError::Query`].
    pub fn search(&self, q: &SearchQuery) -> Result<SearchPage, IndexError> {
        let f = &self.fields;
        let mut filters = vec![must(bool_term(f.open, true))];
        if let Some(kind) = q.kind {
            filters.push(must(text_term(f.kind, kind.as_str())));
        }
        if let Some(code) = &q.municipality_code {
            filters.push(must(text_term(f.municipality, code)));
        }
        let filter = as_filter(filters);
        let searcher = self.reader.searcher();
        let window = page(&searcher, q.offset, q.limit);

        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let Some(text) = text else {
            let Some(window) = window else {
                let total = searcher.search(&filter, &Count)?;
                return Ok(SearchPage {
                    total,
                    hits: Vec::new(),
                });
            };
            let top = window.order_by_fast_field::<i64>(ID, Order::Desc);
            let (total, top) = searcher.search(&filter, &(Count, top))?;
            let hits = top
                .into_iter()
                .filter_map(|(id, _)| Some((id?, 0.0)))
                .collect();
            return Ok(SearchPage { total, hits });
        };

        let parsed = self
            .parser
            .parse_query(text)
            .map_err(|e| IndexError::Query {
                message: format!(
                    "cannot parse {text:?} ({e}); close quotes and parentheses, name only \
                     title or description before ':', or escape special characters with \\"
                ),
            })?;
        let matched = self.with_compound_prefixes(parsed, text)?;
        let query = BooleanQuery::new(vec![(Occur::Must, matched), (Occur::Must, filter)]);
        let Some(window) = window else {
            let total = searcher.search(&query, &Count)?;
            return Ok(SearchPage {
                total,
                hits: Vec::new(),
            });
        };
        let top = window.order_by((
            (SortBySimilarityScore, Order::Desc),
            (SortByStaticFastValue::<i64>::for_field(ID), Order::Desc),
        ));
        let (total, top) = searcher.search(&query, &(Count, top))?;
        let hits = top
            .into_iter()
            .filter_map(|((score, id), _)| Some((id?, score)))
            .collect();
        Ok(SearchPage { total, hits })
    }

    /// Swedish writes compounds as one word ("lagerarbetare"), so a search for the first part
    /// ("lager") finds them through a prefix match on the indexed words, at a lower weight
    /// than a whole-word match. Only plain words of [`MIN_COMPOUND_PREFIX`] letters or more
    /// take part; query syntax is left to the parser.
    fn with_compound_prefixes(
        &self,
        parsed: Box<dyn Query>,
        text: &str,
    ) -> Result<Box<dyn Query>, IndexError> {
        let words: BTreeSet<String> = text
            .split_whitespace()
            .filter(|w| {
                w.chars().count() >= MIN_COMPOUND_PREFIX && w.chars().all(char::is_alphabetic)
            })
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return Ok(parsed);
        }
        let mut clauses: Vec<Clause> = vec![(Occur::Should, parsed)];
        for word in &words {
            for field in [self.fields.title, self.fields.description] {
                // `word` is letters only, so it needs no escaping in the pattern.
                let prefix = RegexQuery::from_pattern(&format!("{word}.+"), field)?;
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(prefix), COMPOUND_PREFIX_BOOST)),
                ));
            }
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Candidate openings for a participant: every open opening that passes the hard filters
    /// and matches at least one concept or text term, as `(id, BM25 score)`, best first, ties
    /// by ascending id. With neither concepts nor text, every filtered opening is a candidate
    /// with score 0.
    ///
    /// An invalid `within` centre is the caller's error: [`IndexError::Query`].
    pub fn candidates(&self, q: &CandidateQuery) -> Result<Vec<(Id, f32)>, IndexError> {
        let query = BooleanQuery::new(self.candidate_clauses(q)?);
        let searcher = self.reader.searcher();
        let Some(window) = page(&searcher, 0, q.limit) else {
            return Ok(Vec::new());
        };
        let top = window.order_by((
            (SortBySimilarityScore, Order::Desc),
            (SortByStaticFastValue::<i64>::for_field(ID), Order::Asc),
        ));
        Ok(searcher
            .search(&query, &top)?
            .into_iter()
            .filter_map(|((score, id), _)| Some((id?, score)))
            .collect())
    }

    fn candidate_clauses(&self, q: &CandidateQuery) -> Result<Vec<Clause>, IndexError> {
        let f = &self.fields;
        let mut filters = vec![must(bool_term(f.open, true))];
        if let Some(kind) = q.kind {
            filters.push(must(text_term(f.kind, kind.as_str())));
        }
        if let Some(today) = q.today {
            filters.push(must(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.deadline, schema::epoch_days(today))),
                Bound::Unbounded,
            ))));
        }
        if let Some(step) = q.swedish_step {
            let above_step = RangeQuery::new(
                Bound::Excluded(Term::from_field_u64(f.swedish_min, u64::from(step))),
                Bound::Unbounded,
            );
            filters.push((
                Occur::MustNot,
                Box::new(BooleanQuery::intersection(vec![
                    bool_term(f.swedish_strict, true),
                    Box::new(above_step),
                ])),
            ));
        }
        if let Some(held) = &q.licences_held {
            let held: BTreeSet<&str> = held.iter().map(String::as_str).collect();
            let missing: Vec<Term> = q
                .all_licences
                .iter()
                .filter(|licence| !held.contains(licence.as_str()))
                .map(|licence| Term::from_field_text(f.licences, licence))
                .collect();
            if !missing.is_empty() {
                filters.push((Occur::MustNot, Box::new(TermSetQuery::new(missing))));
            }
        }
        if let Some((centre, km)) = q.within {
            if !centre.is_valid() {
                return Err(IndexError::Query {
                    message: format!(
                        "invalid centre point ({}, {}); expected latitude -90..90 and \
                         longitude -180..180",
                        centre.lat, centre.lon
                    ),
                });
            }
            filters.push(must(self.within_box(bounding_box(centre, km))));
        }

        let mut scoring: Vec<Box<dyn Query>> = Vec::new();
        let concepts: BTreeSet<&str> = q.concepts.iter().map(String::as_str).collect();
        for concept in concepts {
            let term = TermQuery::new(
                Term::from_field_text(f.concepts, concept),
                IndexRecordOption::Basic,
            );
            scoring.push(Box::new(BoostQuery::new(Box::new(term), CONCEPT_BOOST)));
        }
        for token in self.text_tokens(&q.text) {
            for field in [f.title, f.description] {
                scoring.push(Box::new(TermQuery::new(
                    Term::from_field_text(field, &token),
                    IndexRecordOption::WithFreqs,
                )));
            }
        }

        let mut clauses = vec![(Occur::Must, as_filter(filters))];
        if !scoring.is_empty() {
            clauses.push((Occur::Must, Box::new(BooleanQuery::union(scoring))));
        }
        Ok(clauses)
    }

    /// Openings without a point, or with one inside `bbox`.
    fn within_box(&self, bbox: GeoBox) -> Box<dyn Query> {
        let f = &self.fields;
        let mut inside = vec![f64_range(f.lat, bbox.lat)];
        if let Some(lon) = bbox.lon {
            inside.push(f64_range(f.lon, lon));
        }
        Box::new(BooleanQuery::union(vec![
            bool_term(f.has_point, false),
            Box::new(BooleanQuery::intersection(inside)),
        ]))
    }

    /// The distinct terms the Swedish analyzer makes of `texts`.
    fn text_tokens(&self, texts: &[String]) -> BTreeSet<String> {
        let mut analyzer = self.analyzer.clone();
        let mut tokens = BTreeSet::new();
        for text in texts {
            analyzer.token_stream(text).process(&mut |token: &Token| {
                tokens.insert(token.text.clone());
            });
        }
        tokens
    }
}

/// A latitude range and, unless the circle reaches a pole or the antimeridian, a longitude
/// range, in degrees, that together enclose a circle on the sphere.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct GeoBox {
    pub lat: (f64, f64),
    pub lon: Option<(f64, f64)>,
}

/// The smallest lat/lon box enclosing every point within `km` of `centre` (on a sphere with
/// the radius [`GeoPoint::distance_km`] uses), slightly widened.
///
/// The longitude half-width is `asin(sin(r) / cos(lat))` for the angular radius `r`, not
/// `r / cos(lat)`: the circle is widest north or south of its centre's latitude.
pub(super) fn bounding_box(centre: GeoPoint, km: f64) -> GeoBox {
    let radius = km.max(0.0) / EARTH_RADIUS_KM;
    let lat = centre.lat.to_radians();
    let (lat_min, lat_max) = (lat - radius, lat + radius);
    let lat_range = (
        (lat_min.to_degrees() - BOX_MARGIN_DEG).max(-90.0),
        (lat_max.to_degrees() + BOX_MARGIN_DEG).min(90.0),
    );
    let lon_range = if lat_min > -FRAC_PI_2 && lat_max < FRAC_PI_2 {
        let half_width = (radius.sin() / lat.cos()).min(1.0).asin().to_degrees() + BOX_MARGIN_DEG;
        let (west, east) = (centre.lon - half_width, centre.lon + half_width);
        (west >= -180.0 && east <= 180.0).then_some((west, east))
    } else {
        None
    };
    GeoBox {
        lat: lat_range,
        lon: lon_range,
    }
}

/// The TopDocs window for `offset..offset + limit`, clamped to the documents there are (so a
/// huge limit allocates nothing), or `None` if it is empty.
fn page(searcher: &Searcher, offset: usize, limit: usize) -> Option<TopDocs> {
    let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let limit = limit.min(num_docs.saturating_sub(offset));
    (limit > 0).then(|| TopDocs::with_limit(limit).and_offset(offset))
}

/// Wraps filters so they select documents without adding to their score.
fn as_filter(clauses: Vec<Clause>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        0.0,
    ))
}

fn must(query: Box<dyn Query>) -> Clause {
    (Occur::Must, query)
}

fn bool_term(field: Field, value: bool) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_bool(field, value),
        IndexRecordOption::Basic,
    ))
}

fn text_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn f64_range(field: Field, (low, high): (f64, f64)) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_f64(field, low)),
        Bound::Included(Term::from_field_f64(field, high)),
    ))
}
