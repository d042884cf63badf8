//! The Swedish text analyzer: Snowball stemming plus a few suffix rules for job words.
//!
//! Snowball's Swedish stemmer folds inflections (`städare`, `städaren`, `städarna` → `städ`;
//! `städning`, `städningen` → `städning`) but not derivations, so the person who cleans
//! (`städare`, `städerska`) and the work (`städning`) end up as different terms. Job ads and
//! profiles use both forms for the same thing, so after Snowball we strip a small, documented
//! set of derivational endings. It trades a little precision for recall (`tidning` becomes
//! `tid`), which BM25 and the ranking core absorb better than a missed opening.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Name under which the Swedish analyzer is registered with the index's tokenizer manager.
///
/// The title and description fields are indexed with it, and query text is tokenized with
/// it, so that both sides meet on the same stems.
pub const SWEDISH: &str = "sv_stem";

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

/// Builds the analyzer registered as [`SWEDISH`]: split on non-alphanumerics, drop very
/// long tokens, lowercase, Snowball Swedish, then [`SwedishJobSuffixes`].
pub fn swedish() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::Swedish))
        .filter(SwedishJobSuffixes)
        .build()
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
fn strip_job_suffix(word: &str) -> Option<String> {
    SUFFIX_RULES.iter().find_map(|(suffix, replacement)| {
        let stem = word.strip_suffix(suffix)?;
        (stem.chars().count() >= MIN_STEM_CHARS).then(|| format!("{stem}{replacement}"))
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
