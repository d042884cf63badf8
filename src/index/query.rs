//! Queries on the opening index: free-text search for people and the text relevance of the
//! open openings for the ranking core. Filters never contribute to scores; only text does.

use std::collections::BTreeSet;
use std::collections::hash_map::{Entry, HashMap};
use std::sync::Arc;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RegexQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, Token};
use tantivy::{DocId, Order, Score, Searcher, Term};

use super::schema::ID;
use super::{IndexError, OpeningIndex};
use crate::model::{Id, OpeningKind};

/// Shortest search word that also matches as the beginning of longer words: shorter ones
/// ("bil", "tid") would match too many unrelated words.
const MIN_PREFIX: usize = 4;

/// Weight of a prefix match relative to a whole-word match.
const PREFIX_BOOST: Score = 0.5;

/// How many texts [`OpeningIndex::relevance`] remembers the terms of, at most: all the
/// taxonomy's labels, which participants' words mostly are, and more. Forgotten all at once
/// when full.
const ANALYZED_TEXTS: usize = 50_000;

/// Each segment's id column, by segment.
pub(super) type IdColumns = rustc_hash::FxHashMap<tantivy::index::SegmentId, Column<i64>>;

/// The terms of the texts [`OpeningIndex::relevance`] analyzed lately.
pub(super) type Analyzed = rustc_hash::FxHashMap<Box<str>, Arc<[String]>>;

/// A word in more than one in this many openings is common (see `OpeningIndex::relevance`).
/// One in 20 already costs some ranking quality in `jobmatch eval`; one in 10 does not.
const COMMON_SHARE: u64 = 10;

/// Below this many openings no word counts as common: in a small index a word in a tenth of
/// the openings may well be what tells them apart.
const COMMON_FROM_DOCS: u64 = 1_000;

/// One clause of a [`BooleanQuery`].
type Clause = (Occur, Box<dyn Query>);

/// A search by people (coaches, matchers) over open openings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchQuery {
    /// Query text in tantivy's query syntax over title and description: terms are ORed,
    /// `"…"` is a phrase, `+`/`-` require or exclude, `title:` names a field; text the syntax
    /// cannot read is searched as plain words. `None` or blank lists every open opening.
    pub text: Option<String>,
    pub kind: Option<OpeningKind>,
    pub municipality_code: Option<String>,
    /// An SSYK code of any level, 1 to 4 digits: openings in that group.
    pub occupation_code: Option<String>,
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

impl OpeningIndex {
    /// Searches open openings by text, kind, municipality and occupation, one page at a time. Compounds in
    /// the index are split (see `analyzer`), so a word finds the compounds it is part of.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchPage, IndexError> {
        let f = &self.fields;
        let mut filters = Vec::new();
        if let Some(kind) = q.kind {
            filters.push(must(text_term(f.kind, kind.as_str())));
        }
        if let Some(code) = &q.municipality_code {
            filters.push(must(text_term(f.municipality, code)));
        }
        if let Some(code) = &q.occupation_code {
            filters.push(must(text_term(f.occupation, code)));
        }
        let filtered = !filters.is_empty();
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

        // What a person types is never a syntax error: input the query syntax cannot read
        // ("AND OR NOT", an unclosed quote) is searched as the words it holds.
        let parsed = match self.parser.parse_query(text) {
            Ok(parsed) => parsed,
            Err(_) => self.words(text),
        };
        let matched = self.with_prefixes(parsed, text)?;
        let query = if filtered {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, matched),
                (Occur::Must, filter),
            ]))
        } else {
            matched
        };
        let Some(window) = window else {
            let total = searcher.search(&*query, &Count)?;
            return Ok(SearchPage {
                total,
                hits: Vec::new(),
            });
        };
        let top = window.order_by((
            (SortBySimilarityScore, Order::Desc),
            (SortByStaticFastValue::<i64>::for_field(ID), Order::Desc),
        ));
        let (total, top) = searcher.search(&*query, &(Count, top))?;
        let hits = top
            .into_iter()
            .filter_map(|((score, id), _)| Some((id?, score)))
            .collect();
        Ok(SearchPage { total, hits })
    }

    /// A word typed is also the beginning of longer ones ("lagerarb", "ordning" in
    /// "ordning12"): a prefix match on the indexed words, at a lower weight than a whole-word
    /// match. Compounds are found by their parts already (the index splits them); this finds
    /// what the vocabulary cannot split. Only plain words of [`MIN_PREFIX`] letters or more
    /// take part; query syntax is left to the parser.
    fn with_prefixes(
        &self,
        parsed: Box<dyn Query>,
        text: &str,
    ) -> Result<Box<dyn Query>, IndexError> {
        let words: BTreeSet<String> = text
            .split_whitespace()
            .filter(|w| w.chars().count() >= MIN_PREFIX && w.chars().all(char::is_alphabetic))
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
                    Box::new(BoostQuery::new(Box::new(prefix), PREFIX_BOOST)),
                ));
            }
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Any text as plain words: each term the query analyzer makes of it, in title or
    /// description, ORed; no word matches nothing.
    fn words(&self, text: &str) -> Box<dyn Query> {
        let tokens = distinct_tokens(&super::analyzer::swedish(), [text]);
        Box::new(BooleanQuery::union(self.term_queries(tokens)))
    }

    /// A term query per token and text field: what a union of words searches.
    fn term_queries(&self, tokens: BTreeSet<String>) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut terms: Vec<Box<dyn Query>> = Vec::new();
        for token in tokens {
            for field in [f.title, f.description] {
                terms.push(Box::new(TermQuery::new(
                    Term::from_field_text(field, &token),
                    IndexRecordOption::WithFreqs,
                )));
            }
        }
        terms
    }

    /// The id column of the searcher's segment `ord`, opened once per segment while the segment
    /// is searched: opening it costs more than reading a match's 500 ids from it. A segment
    /// never changes (deletions are kept beside it), so neither does its column.
    fn id_column(&self, searcher: &Searcher, ord: u32) -> Result<Column<i64>, IndexError> {
        let segment = searcher.segment_reader(ord);
        let id = segment.segment_id();
        if let Some(column) = self.id_columns.lock().get(&id) {
            return Ok(column.clone());
        }
        let column = segment.fast_fields().i64(ID)?;
        let mut columns = self.id_columns.lock();
        // Segments merged away since leave their columns (and their files' maps) behind.
        columns.retain(|kept, _| {
            searcher
                .segment_readers()
                .iter()
                .any(|s| s.segment_id() == *kept)
        });
        columns.insert(id, column.clone());
        Ok(column)
    }

    /// The distinct terms the indexing analyzer makes of `texts`, each text analyzed once
    /// while it is remembered: a participant's words are mostly the taxonomy's labels, the
    /// same few thousand over and over, and splitting compounds and stemming anew cost about
    /// a tenth of a match's text relevance.
    fn terms_of(&self, texts: &[String]) -> BTreeSet<String> {
        let mut terms = BTreeSet::new();
        for text in texts {
            let known = self.analyzed.lock().get(text.as_str()).cloned();
            let analyzed = known.unwrap_or_else(|| {
                let made: Arc<[String]> = distinct_tokens(&self.analyzer, [text.as_str()])
                    .into_iter()
                    .collect();
                let mut analyzed = self.analyzed.lock();
                if analyzed.len() >= ANALYZED_TEXTS {
                    analyzed.clear();
                }
                analyzed.insert(text.as_str().into(), Arc::clone(&made));
                made
            });
            terms.extend(analyzed.iter().cloned());
        }
        terms
    }

    /// The text relevance of the open openings to `texts` (a participant's words, tokenized
    /// with the indexing analyzer, so compounds meet their parts both ways; never parsed as
    /// query syntax): `(id, BM25 score)` of the openings whose title or description holds one
    /// of the words, best first, scored over title and description as one text (the `words`
    /// field: one posting list per word rather than two). At most `limit`; when more match,
    /// the ones tied at the `limit`-th score are left out as well, so the answer does not
    /// depend on how ties are broken. Empty when no word matches.
    ///
    /// Words in more than one in [`COMMON_SHARE`] of the openings (once there are
    /// [`COMMON_FROM_DOCS`]) are left out, as a search engine's stopwords, unless every word
    /// is that common: "och", "m.fl.", the "vana" of "Inköpsvana" say little about a match
    /// and cost the most to look up. `jobmatch eval` at 100k openings reads NDCG@10 0.930 /
    /// 0.954 (tuning / held-out) without it and 0.930 / 0.955 with it.
    ///
    /// Scored term at a time within spans of documents: each word's postings are read block
    /// by block and its BM25 (the weight tantivy's own term scorer uses) added to a
    /// per-document sum, every word over one span before the next. A profile's words
    /// are few and, being telling, rare; summing their postings outright is several times
    /// cheaper than tantivy's document-at-a-time union with block-max WAND, whose top 500
    /// keeps the threshold too low to skip much (benches/compare).
    pub fn relevance(&self, texts: &[String], limit: usize) -> Result<Vec<(Id, f32)>, IndexError> {
        let searcher = self.reader.searcher();
        let tokens = self.terms_of(texts);
        if tokens.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let field = self.fields.words;
        let segments = searcher.segment_readers();
        let indexes = segments
            .iter()
            .map(|segment| segment.inverted_index(field))
            .collect::<Result<Vec<_>, _>>()?;
        // Each word looked up once per segment, for its document frequency and its postings.
        let mut words = Vec::with_capacity(tokens.len());
        for token in &tokens {
            let term = Term::from_field_text(field, token);
            let infos = indexes
                .iter()
                .map(|index| index.get_term_info(&term))
                .collect::<Result<Vec<_>, _>>()?;
            let doc_freq: u64 = infos.iter().flatten().map(|t| u64::from(t.doc_freq)).sum();
            words.push((infos, doc_freq));
        }
        let words = telling(words, searcher.num_docs());
        // BM25's statistics as tantivy's own term scorer takes them (`Bm25Weight::for_terms`):
        // every document of every segment, deleted or not.
        let all_docs: u64 = segments.iter().map(|s| u64::from(s.max_doc())).sum();
        let all_tokens: u64 = indexes.iter().map(|i| i.total_num_tokens()).sum();
        let average_norm = all_tokens as Score / all_docs as Score;
        let terms: Vec<_> = words
            .into_iter()
            .map(|(infos, doc_freq)| {
                let weight =
                    Bm25Weight::for_one_term_without_explain(doc_freq, all_docs, average_norm);
                (infos, weight)
            })
            .collect();
        let by_score = |a: &(f32, u32, DocId), b: &(f32, u32, DocId)| {
            b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2)))
        };
        // (score, segment, document) of the live documents a word is in that may still be
        // among the best `limit`: above `floor`, the (limit + 1)-th best score found so far.
        // What scores no more cannot be kept: the (limit + 1)-th best of all scores at least
        // the floor, and the cut at the end leaves out every score tied with it. So when no
        // more than `limit` score above the floor, those are the answer.
        let mut floor = f32::NEG_INFINITY;
        let trim_at = limit.saturating_mul(4).max(TRIM_FROM);
        // Room for a trim's worth and the span that passes it, so it seldom grows (bounded:
        // the limit is the caller's).
        let room = trim_at.saturating_mul(2).min(1 << 16);
        let mut found: Vec<(f32, u32, DocId)> = Vec::with_capacity(room);
        let mut scores: Vec<f32> = Vec::with_capacity(room);
        for (ord, (segment, index)) in segments.iter().zip(&indexes).enumerate() {
            let norms = segment.get_fieldnorms_reader(field)?;
            let mut words = Vec::with_capacity(terms.len());
            for (infos, weight) in &terms {
                if let Some(info) = &infos[ord] {
                    let block = index
                        .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
                    words.push((block, 0usize, weight));
                }
            }
            SCRATCH.with_borrow_mut(|scratch| {
                let Scratch {
                    sums,
                    touched,
                    clean,
                } = scratch;
                // A call that panicked midway left its sums behind.
                if !*clean {
                    sums.clear();
                }
                sums.resize(SUMS_SPAN as usize, 0.0);
                // One more than a span's documents: a touched document's offset is written
                // past the list's end too.
                touched.resize(SUMS_SPAN as usize + 1, 0);
                *clean = false;
                // Slices, not the vectors, in the loops: their lengths and addresses stay in
                // registers instead of being read again for every posting.
                let (sums, touched) = (sums.as_mut_slice(), touched.as_mut_slice());
                let mut count = 0usize;
                // The documents a span at a time, every word's postings within it before the
                // next: the span's sums stay in the core's cache instead of each word's
                // postings reaching across all of the segment's.
                let mut from: DocId = 0;
                while from < segment.max_doc() {
                    let to = from.saturating_add(SUMS_SPAN);
                    for (block, at, weight) in &mut words {
                        let mut i = *at;
                        while !block.docs().is_empty() {
                            let (docs, freqs) = (block.docs(), block.freqs());
                            // The block's postings in this span: all of them, unless the
                            // block reaches past the span's end.
                            let end = match docs.last() {
                                Some(&last) if last < to => docs.len(),
                                _ => docs.partition_point(|&d| d < to),
                            };
                            for (&doc, &freq) in docs[i..end].iter().zip(&freqs[i..end]) {
                                let offset = doc - from;
                                let sum = &mut sums[offset as usize];
                                // Without a branch, which would guess wrong for every
                                // other posting: the offset goes past the list's end
                                // either way, and the list grows over it when the
                                // document is new to the span (BM25 is above 0).
                                touched[count] = offset;
                                count += usize::from(*sum == 0.0);
                                *sum += weight.score(norms.fieldnorm_id(doc), freq);
                            }
                            i = end;
                            if i < docs.len() {
                                break;
                            }
                            block.advance();
                            i = 0;
                        }
                        *at = i;
                    }
                    for &offset in &touched[..std::mem::take(&mut count)] {
                        let score = std::mem::take(&mut sums[offset as usize]);
                        let doc = from + offset;
                        if score > floor && !segment.is_deleted(doc) {
                            found.push((score, ord as u32, doc));
                        }
                    }
                    if found.len() >= trim_at {
                        // Selected among the scores alone, cheaper to move than the found.
                        scores.clear();
                        scores.extend(found.iter().map(|f| f.0));
                        floor = *scores
                            .select_nth_unstable_by(limit, |a, b| b.total_cmp(a))
                            .1;
                        found.retain(|f| f.0 > floor);
                    }
                    from = to;
                }
                *clean = true;
            });
        }
        if found.len() > limit {
            // The first one left out tells whether the last one kept is tied with it.
            let cut = found.select_nth_unstable_by(limit, by_score).1.0;
            found.truncate(limit);
            found.retain(|f| f.0 > cut);
        }
        found.sort_unstable_by(by_score);
        let mut columns = HashMap::new();
        let mut hits = Vec::with_capacity(found.len());
        for (score, ord, doc) in found {
            let column = match columns.entry(ord) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.id_column(&searcher, ord)?),
            };
            if let Some(id) = column.first(doc) {
                hits.push((id, score));
            }
        }
        Ok(hits)
    }
}

/// How many documents [`OpeningIndex::relevance`] sums at a time: 128 KiB of sums, within a
/// core's L2 cache. The tests' indexes are small: spans of a few documents there, so that
/// their words' postings cross many spans and blocks.
const SUMS_SPAN: DocId = if cfg!(test) { 5 } else { 1 << 15 };

/// How many found documents [`OpeningIndex::relevance`] holds at least before it keeps only
/// the best and raises its floor (four times its limit, when more): a few selections per
/// match. None in the tests, whose limits are a few documents.
const TRIM_FROM: usize = if cfg!(test) { 1 } else { 4096 };

/// A thread's per-document sums of one span for [`OpeningIndex::relevance`] and the
/// documents it touched (from the span's start): kept between calls and left zeroed, so a
/// match does not clear them whole.
#[derive(Default)]
struct Scratch {
    sums: Vec<f32>,
    touched: Vec<DocId>,
    /// The sums are all 0 (false while a call is at work: one that panicked left them so).
    clean: bool,
}

/// The words not common in the index (see [`OpeningIndex::relevance`]), each with what was
/// looked up of it and its document frequency, of `docs` live openings; all of them when each
/// one is.
fn telling<T>(words: Vec<(T, u64)>, docs: u64) -> Vec<(T, u64)> {
    if docs < COMMON_FROM_DOCS
        || words
            .iter()
            .all(|(_, doc_freq)| doc_freq.saturating_mul(COMMON_SHARE) > docs)
    {
        return words;
    }
    words
        .into_iter()
        .filter(|(_, doc_freq)| doc_freq.saturating_mul(COMMON_SHARE) <= docs)
        .collect()
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// The distinct terms `analyzer` makes of `texts`.
pub(super) fn distinct_tokens<'t>(
    analyzer: &TextAnalyzer,
    texts: impl IntoIterator<Item = &'t str>,
) -> BTreeSet<String> {
    let mut analyzer = analyzer.clone();
    let mut tokens = BTreeSet::new();
    for text in texts {
        analyzer.token_stream(text).process(&mut |token: &Token| {
            tokens.insert(token.text.clone());
        });
    }
    tokens
}

/// The TopDocs window for `offset..offset + limit`, clamped to the documents there are (so a
/// huge limit allocates nothing), or `None` if it is empty.
fn page(searcher: &Searcher, offset: usize, limit: usize) -> Option<TopDocs> {
    let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let limit = limit.min(num_docs.saturating_sub(offset));
    (limit > 0).then(|| TopDocs::with_limit(limit).and_offset(offset))
}

/// Wraps filters so they select documents without adding to their score; no filter selects
/// every document, each of them open.
fn as_filter(clauses: Vec<Clause>) -> Box<dyn Query> {
    if clauses.is_empty() {
        return Box::new(AllQuery);
    }
    Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        0.0,
    ))
}

fn must(query: Box<dyn Query>) -> Clause {
    (Occur::Must, query)
}

fn text_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}
