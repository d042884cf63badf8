//! Free text → concept index: an exact map over folded labels and aliases, then a fuzzy scan
//! over the same keys. One `Lexicon` per kind of concept (skills, occupations, languages,
//! licences); it knows concept indices only, never ids or labels, so the rules for "what
//! counts as the same word" live in one place.

use std::collections::HashMap;

use super::error::TaxonomyError;
use super::fold::compact;

/// Inputs shorter than this (folded, in characters) are never fuzzy-matched: at four letters
/// one edit turns "stål" into "städ", a different trade.
const MIN_FUZZY_CHARS: usize = 5;
/// Jaro-Winkler rewards a shared beginning, which is how typos in Swedish compounds look.
const MIN_JARO_WINKLER: f64 = 0.93;
/// Normalised Damerau-Levenshtein caps the number of edits relative to length, which
/// Jaro-Winkler alone does not ("lastbil" and "lastning" share a prefix, not a meaning).
const MIN_DAMERAU_LEVENSHTEIN: f64 = 0.8;
/// Below this length (of the longer string) a fuzzy match may differ by one edit, from it by
/// two. The relative cap alone lets "åklagare" reach "takläggare" and "fastighetsjurist"
/// reach "fastighetsdrift"; real typos are one slip, or two in a long compound.
const TWO_EDITS_FROM_CHARS: usize = 15;

/// The folded keys of one kind of concept, ready for look-up.
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    /// Keys are compared without spaces (licence codes: "C E" is "CE").
    compact: bool,
    exact: HashMap<String, u32>,
    /// Every key once, folded, sorted by (length in chars, text): the length window a fuzzy
    /// match can fall in is a contiguous slice, and iteration order is the tie-break.
    fuzzy: Vec<Candidate>,
}

#[derive(Debug)]
struct Candidate {
    chars: usize,
    text: Box<str>,
    concept: u32,
}

impl Lexicon {
    /// Exact key first, then the best fuzzy candidate. `folded` must come from `fold`.
    pub fn find(&self, folded: &str) -> Option<u32> {
        self.exact(folded).or_else(|| self.fuzzy(folded))
    }

    pub fn exact(&self, folded: &str) -> Option<u32> {
        if self.compact {
            self.exact.get(&compact(folded)).copied()
        } else {
            self.exact.get(folded).copied()
        }
    }

    /// The candidate that passes both similarity thresholds with the highest combined score;
    /// equal scores go to the shorter, then lexicographically first key, so the answer never
    /// depends on load order.
    pub fn fuzzy(&self, folded: &str) -> Option<u32> {
        let n = folded.chars().count();
        if n < MIN_FUZZY_CHARS {
            return None;
        }
        // Every edit changes the length by at most one, and there are at most two (and no more
        // than normalised DL >= 0.8 allows), so only this window of lengths can pass.
        let (lo, hi) = (
            (4 * n).div_ceil(5).max(n.saturating_sub(2)),
            (5 * n / 4).min(n + 2),
        );
        let start = self.fuzzy.partition_point(|c| c.chars < lo);
        let end = self.fuzzy.partition_point(|c| c.chars <= hi);
        let first = folded.chars().next();
        let mut best: Option<(f64, u32)> = None;
        for c in &self.fuzzy[start..end] {
            // The cheapest guard of `plausible_typo`, checked before any scoring.
            if c.text.chars().next() != first {
                continue;
            }
            let jw = strsim::jaro_winkler(folded, &c.text);
            if jw < MIN_JARO_WINKLER {
                continue;
            }
            let longest = n.max(c.chars);
            let edits = strsim::damerau_levenshtein(folded, &c.text);
            let dl = 1.0 - edits as f64 / longest as f64;
            if dl < MIN_DAMERAU_LEVENSHTEIN || !plausible_typo(folded, &c.text, edits, longest) {
                continue;
            }
            let score = jw + dl;
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, c.concept));
            }
        }
        best.map(|(_, concept)| concept)
    }

    pub fn len(&self) -> usize {
        self.exact.len()
    }
}

/// Guards that similarity scores alone do not give, each from a wrong match the shipped data
/// produced without it:
/// - the first letter is kept: people rarely mistype it, and compounds differ there
///   ("parkarbetare" is not "markarbetare", "Ystad" is not "städ");
/// - at most one edit, two in long words (`TWO_EDITS_FROM_CHARS`);
/// - in words up to that length, a same-length edit must be a transposition, not a
///   substitution ("trädgård" is not "trädvård", "handläggare" is not "handlangare");
/// - short words and numbers are identities and must agree exactly (`same_anchors`).
///
/// The first-letter check is made by the caller, before scoring.
fn plausible_typo(a: &str, b: &str, edits: usize, longest: usize) -> bool {
    let budget = if longest >= TWO_EDITS_FROM_CHARS {
        2
    } else {
        1
    };
    if edits > budget {
        return false;
    }
    if edits == 1 && longest < TWO_EDITS_FROM_CHARS && a.chars().count() == b.chars().count() {
        let (mut x, mut y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        x.sort_unstable();
        y.sort_unstable();
        if x != y {
            return false;
        }
    }
    same_anchors(a, b)
}

/// Short words and numbers carry the meaning a fuzzy match must not change: "körkort C1" is
/// not "körkort D1", "APV 1" is not "APV 2", "körkort X" is not "körkort". Both sides must
/// have the same set of them.
fn same_anchors(a: &str, b: &str) -> bool {
    fn anchors(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> = s
            .split(' ')
            .filter(|w| w.chars().count() <= 2 || w.chars().any(char::is_numeric))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    anchors(a) == anchors(b)
}

/// Collects keys for one `Lexicon`, enforcing which claim wins.
pub(crate) struct LexiconBuilder {
    compact: bool,
    entries: HashMap<String, Entry>,
}

struct Entry {
    concept: u32,
    /// The folded text the key came from (differs from the key only in compact mode).
    text: String,
    curated: bool,
}

/// Where a curated alias came from, for the collision error.
pub(crate) struct Origin<'a> {
    pub file: &'a str,
    pub line: u64,
}

impl LexiconBuilder {
    pub fn new(compact: bool) -> Self {
        LexiconBuilder {
            compact,
            entries: HashMap::new(),
        }
    }

    fn key(&self, folded: &str) -> String {
        if self.compact {
            compact(folded)
        } else {
            folded.to_owned()
        }
    }

    /// A label or a key derived from one. The first claim wins and later ones are dropped:
    /// source data has duplicate labels ("Gesällbrev, konstgjutare" twice), and refusing to
    /// load it would help no one.
    pub fn label(&mut self, folded: &str, concept: u32) {
        let key = self.key(folded);
        if key.is_empty() {
            return;
        }
        self.entries.entry(key).or_insert_with(|| Entry {
            concept,
            text: folded.to_owned(),
            curated: false,
        });
    }

    /// A hand-curated alias. Two concepts claiming one folded alias is an error: it would make
    /// free text resolve by accident of file order. An alias that is the concept's own label is
    /// allowed to take the key over from another concept with the same label, because that is
    /// the curator settling a duplicate.
    pub fn alias(
        &mut self,
        folded: &str,
        concept: u32,
        own_label: &str,
        origin: Origin<'_>,
        describe: &dyn Fn(u32) -> String,
    ) -> Result<(), TaxonomyError> {
        let key = self.key(folded);
        if key.is_empty() {
            return Err(TaxonomyError::parse(
                origin.file,
                origin.line,
                format!("an alias of {} has no letters or digits", describe(concept)),
            ));
        }
        let own_label = key == self.key(own_label);
        match self.entries.get_mut(&key) {
            None => {
                self.entries.insert(
                    key,
                    Entry {
                        concept,
                        text: folded.to_owned(),
                        curated: true,
                    },
                );
            }
            Some(e) if e.concept == concept => e.curated = true,
            Some(e) if own_label && !e.curated => {
                e.concept = concept;
                e.curated = true;
            }
            Some(e) => {
                return Err(TaxonomyError::AliasCollision {
                    file: origin.file.to_owned(),
                    line: origin.line,
                    alias: folded.to_owned(),
                    concept: describe(concept),
                    other: describe(e.concept),
                });
            }
        }
        Ok(())
    }

    pub fn build(self) -> Lexicon {
        let mut fuzzy: Vec<Candidate> = self
            .entries
            .values()
            .map(|e| Candidate {
                chars: e.text.chars().count(),
                text: e.text.as_str().into(),
                concept: e.concept,
            })
            .collect();
        fuzzy.sort_unstable_by(|a, b| (a.chars, &a.text).cmp(&(b.chars, &b.text)));
        // Compact mode can map two spellings to one key; keep one candidate per text.
        fuzzy.dedup_by(|a, b| a.text == b.text);
        Lexicon {
            compact: self.compact,
            exact: self
                .entries
                .into_iter()
                .map(|(k, e)| (k, e.concept))
                .collect(),
            fuzzy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(i: u32) -> String {
        format!("#{i}")
    }

    fn origin() -> Origin<'static> {
        Origin {
            file: "test.csv",
            line: 7,
        }
    }

    #[test]
    fn first_label_wins_and_aliases_collide() {
        let mut b = LexiconBuilder::new(false);
        b.label("lagerarbete", 0);
        b.label("lagerarbete", 1);
        assert!(
            b.alias("lagerjobb", 0, "lagerarbete", origin(), &describe)
                .is_ok()
        );
        let err = b
            .alias("lagerjobb", 2, "annat", origin(), &describe)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.csv:7: alias \"lagerjobb\" of #2 is already used by #0; an alias must name one concept"
        );
        // A duplicate label settled by the curator: concept 1's own label takes the key.
        assert!(
            b.alias("lagerarbete", 1, "lagerarbete", origin(), &describe)
                .is_ok()
        );
        let lex = b.build();
        assert_eq!(lex.exact("lagerarbete"), Some(1));
        assert_eq!(lex.exact("lagerjobb"), Some(0));
    }

    #[test]
    fn fuzzy_needs_both_measures_and_same_anchors() {
        let mut b = LexiconBuilder::new(false);
        for (i, k) in [
            "lagerarbetare",
            "lastning",
            "korkort c1",
            "korkort d1",
            "korkort",
        ]
        .iter()
        .enumerate()
        {
            b.label(k, i as u32);
        }
        let lex = b.build();
        assert_eq!(lex.fuzzy("lagerarbtare"), Some(0));
        assert_eq!(lex.fuzzy("lastbil"), None);
        assert_eq!(lex.fuzzy("korkort c2"), None);
        assert_eq!(lex.fuzzy("korkort x"), None);
        assert_eq!(lex.fuzzy("korkrt"), Some(4));
        assert_eq!(lex.fuzzy("stal"), None);
        // One deletion or a transposition is a typo; a substitution in a short word is not.
        assert_eq!(lex.fuzzy("lagerarbteare"), Some(0));
        assert_eq!(lex.fuzzy("lagerarbetrae"), Some(0));
        assert_eq!(lex.fuzzy("lagerarbetere"), None);
        assert_eq!(lex.fuzzy("magerarbetare"), None);
    }

    #[test]
    fn compact_keys_ignore_spaces() {
        let mut b = LexiconBuilder::new(true);
        b.label("ce", 3);
        let lex = b.build();
        assert_eq!(lex.exact("c e"), Some(3));
    }
}
