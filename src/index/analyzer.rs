//! The Swedish text analyzers: Snowball stemming plus a few suffix rules for job words, and at
//! indexing time compounds split into their parts ([`super::compounds`]).
//!
//! Snowball's Swedish stemmer folds inflections (`städare`, `städaren`, `städarna` → `städ`;
//! `städning`, `städningen` → `städning`) but not derivations, so the person who cleans
//! (`städare`, `städerska`) and the work (`städning`) end up as different terms. Job ads and
//! profiles use both forms for the same thing, so after Snowball we strip a small, documented
//! set of derivational endings, where the vocabulary knows the word they derive from
//! (`städning` from `städare`, never `tidning` from a `tidare` there is no such word).
//!
//! Compounds are split only in the index: a document with "lagerarbetare" also holds
//! "lager" and "arbetare", so searching either finds it, while a search for "lagerarbetare"
//! still means the compound, not each of its parts.

use super::compounds::Vocabulary;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Name under which the Swedish analyzers are registered: the indexing one with the index's
/// tokenizer manager, the query one with the query parser's.
///
/// The name is part of the schema, so it carries a version: an index built by an analyzer of
/// another name (before compounds were split) fails the schema check and is rebuilt.
pub const SWEDISH: &str = "sv_stem_compounds_1";

/// Tokens longer than this many bytes are dropped: they are URLs or noise, not words.
const MAX_TOKEN_BYTES: usize = 40;

/// Residual endings left by Snowball that mark a derivation of the same job word, longest
/// first, with what replaces them.
///
/// - `ning`: the activity (`städning` → `städ`, `svetsning` → `svets`, `packning` → `pack`).
/// - `erskan`, `ersk`: the female agent noun (`städerska`, `undersköterskan` → `städ`,
///   `undersköt`, meeting `städare`, `undersköterskor`).
/// - `örskan`, `örsk` → `ör`: the same after `ör` (`kassörska` → `kassör`).
/// - `ar`: an agent noun whose genitive Snowball only half-strips (`städares` → `städar` →
///   `städ`, as `städare` → `städ`).
const SUFFIX_RULES: &[(&str, &str)] = &[
    ("erskan", ""),
    ("örskan", "ör"),
    ("ning", ""),
    ("ersk", ""),
    ("örsk", "ör"),
    ("ar", ""),
];

/// A rule applies only if at least this many characters of the word stay before the suffix,
/// so short words (`svar`, `ning`) are left alone.
const MIN_STEM_CHARS: usize = 3;

/// The analyzer queries are read with: split on non-alphanumerics, drop very long tokens,
/// lowercase, Snowball Swedish, then [`SwedishJobSuffixes`].
pub fn swedish() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Swedish))
        .filter(SwedishJobSuffixes)
        .build()
}

/// The analyzer registered as [`SWEDISH`], which documents are indexed with: as [`swedish`],
/// with each compound's parts added at its position ([`Decompound`]) before stemming.
pub fn swedish_indexing() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Decompound)
        .filter(Stemmer::new(Language::Swedish))
        .filter(SwedishJobSuffixes)
        .build()
}

/// Adds, after each compound the [`Vocabulary`] can split, its parts at the same position.
/// Expects lowercased tokens.
#[derive(Clone, Copy, Debug, Default)]
pub struct Decompound;

impl TokenFilter for Decompound {
    type Tokenizer<T: Tokenizer> = DecompoundFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        DecompoundFilter { inner: tokenizer }
    }
}

/// The tokenizer produced by [`Decompound`].
#[derive(Clone)]
pub struct DecompoundFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for DecompoundFilter<T> {
    type TokenStream<'a> = DecompoundStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DecompoundStream {
            tail: self.inner.token_stream(text),
            token: Token::default(),
            parts: Vec::new(),
        }
    }
}

/// The token stream produced by [`Decompound`].
pub struct DecompoundStream<T> {
    tail: T,
    token: Token,
    /// The current compound's parts still to emit, last first.
    parts: Vec<String>,
}

impl<T: TokenStream> TokenStream for DecompoundStream<T> {
    fn advance(&mut self) -> bool {
        if let Some(part) = self.parts.pop() {
            self.token.text = part;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        if let Some(parts) = Vocabulary::shipped().split(&token.text) {
            self.parts = parts.into_iter().rev().map(str::to_owned).collect();
        }
        self.token.clone_from(token);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Strips a few derivational endings (`ning`, `ersk(an)`, `örsk(an)`, a residual `ar`) from
/// Snowball stems, so that a query for `städare` finds an ad about `städning` and back.
///
/// Expects lowercased, Snowball-stemmed tokens.
#[derive(Clone, Copy, Debug, Default)]
pub struct SwedishJobSuffixes;

impl TokenFilter for SwedishJobSuffixes {
    type Tokenizer<T: Tokenizer> = SwedishJobSuffixesFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        SwedishJobSuffixesFilter { inner: tokenizer }
    }
}

/// The tokenizer produced by [`SwedishJobSuffixes`].
#[derive(Clone)]
pub struct SwedishJobSuffixesFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for SwedishJobSuffixesFilter<T> {
    type TokenStream<'a> = SwedishJobSuffixesStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SwedishJobSuffixesStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream produced by [`SwedishJobSuffixes`].
pub struct SwedishJobSuffixesStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for SwedishJobSuffixesStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stripped) = strip_job_suffix(&token.text) {
            token.text = stripped;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Applies the first matching rule of [`SUFFIX_RULES`], or returns `None` if none applies.
/// The activity ending `ning` is stripped only where the vocabulary knows the agent noun or
/// the verb it derives from (`städning`: `städare`; `tidning`: neither `tidare` nor `tida`).
fn strip_job_suffix(word: &str) -> Option<String> {
    SUFFIX_RULES.iter().find_map(|(suffix, replacement)| {
        let stem = word.strip_suffix(suffix)?;
        if stem.chars().count() < MIN_STEM_CHARS {
            return None;
        }
        if *suffix == "ning" {
            let v = Vocabulary::shipped();
            if !(v.contains(&format!("{stem}are")) || v.contains(&format!("{stem}a"))) {
                return None;
            }
        }
        Some(format!("{stem}{replacement}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let mut analyzer = swedish();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn snowball_alone_keeps_the_agent_and_the_activity_apart() {
        // Why `SwedishJobSuffixes` exists: if a future stemmer folds these, it can go.
        let mut snowball = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::Swedish))
            .build();
        let mut stems = Vec::new();
        snowball
            .token_stream("städare städning")
            .process(&mut |t: &Token| stems.push(t.text.clone()));
        assert_eq!(stems, ["städ", "städning"]);
    }

    #[test]
    fn job_word_forms_share_one_term() {
        let forms = "Städare städaren städarna städares städning städningen städningar \
                     städerska städerskan städerskor städa städar";
        let stems = tokens(forms);
        assert_eq!(stems.len(), 12);
        assert!(stems.iter().all(|s| s == "städ"), "{stems:?}");
    }

    #[test]
    fn other_job_words_meet_too() {
        assert_eq!(tokens("undersköterska undersköterskor"), ["undersköt"; 2]);
        assert_eq!(tokens("kassörska kassör"), ["kassör"; 2]);
        assert_eq!(tokens("svetsare svetsning"), ["svets"; 2]);
    }

    #[test]
    fn an_activity_ending_is_stripped_only_from_a_known_job_word() {
        assert_eq!(tokens("tidning tidningar"), ["tidning"; 2]);
        assert_eq!(tokens("packning packare"), ["pack"; 2]);
    }

    #[test]
    fn the_index_holds_each_compound_and_its_parts_at_its_position() {
        let mut analyzer = swedish_indexing();
        let mut out = Vec::new();
        analyzer
            .token_stream("Lagerarbetare och hemstädare")
            .process(&mut |t: &Token| out.push((t.text.clone(), t.position)));
        assert_eq!(
            out,
            [
                ("lagerarbet".to_owned(), 0),
                ("lag".to_owned(), 0),
                ("arbet".to_owned(), 0),
                ("och".to_owned(), 1),
                ("hemstäd".to_owned(), 2),
                ("hem".to_owned(), 2),
                ("städ".to_owned(), 2),
            ]
        );
        // Queries are read without splitting: a compound asks for the compound.
        assert_eq!(tokens("lagerarbetare"), ["lagerarbet"]);
    }

    #[test]
    fn short_words_are_left_alone() {
        assert_eq!(tokens("svar ning"), ["svar", "ning"]);
    }

    #[test]
    fn positions_survive_the_filter() {
        let mut analyzer = swedish();
        let mut positions = Vec::new();
        analyzer
            .token_stream("städning av kontor")
            .process(&mut |t: &Token| positions.push((t.text.clone(), t.position)));
        assert_eq!(positions[0], ("städ".to_string(), 0));
        assert_eq!(positions[2].1, 2);
    }
}
