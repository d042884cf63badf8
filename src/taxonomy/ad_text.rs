//! Reading what an ad's text says: the Swedish it asks for (a level, whether it is a strict
//! requirement, or that none is needed) and, for ads that list no skills, the skills its
//! headline and description name.
//!
//! The phrases are data (`fixtures/swedish_phrases.csv`); this module only matches them. A
//! phrase is a sequence of folded words, where `…` allows up to [`MAX_GAP`] words between its
//! neighbours and a trailing `*` matches any word beginning so. Text is read sentence by
//! sentence; a short line ending in `:` ("Krav för tjänsten:", "Meriterande:") sets whether the
//! sentences under it are requirements or merits, until the next such line.

use crate::model::SwedishLevel;

use super::error::TaxonomyError;
use super::fold::fold;
use super::load::Table;

/// Most words a `…` in a phrase may stand for.
const MAX_GAP: usize = 4;
/// Longest line (in words) read as a section heading.
const MAX_HEADING_WORDS: usize = 8;
/// Longest phrase kept as evidence, in characters.
const MAX_EVIDENCE_CHARS: usize = 240;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Prefix(String),
    Gap,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern(Vec<Token>);

impl Pattern {
    fn parse(phrase: &str) -> Option<Pattern> {
        let mut tokens = Vec::new();
        for raw in phrase.split_whitespace() {
            if raw == "…" || raw == "..." {
                tokens.push(Token::Gap);
            } else if let Some(stem) = raw.strip_suffix('*') {
                let folded = fold(stem);
                let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
                let last = words.pop()?;
                tokens.extend(words.into_iter().map(|w| Token::Word(w.to_owned())));
                tokens.push(Token::Prefix(last.to_owned()));
            } else {
                tokens.extend(
                    fold(raw)
                        .split(' ')
                        .filter(|w| !w.is_empty())
                        .map(|w| Token::Word(w.to_owned())),
                );
            }
        }
        let words = tokens.iter().filter(|t| **t != Token::Gap).count();
        (words > 0 && tokens.first() != Some(&Token::Gap) && tokens.last() != Some(&Token::Gap))
            .then_some(Pattern(tokens))
    }

    /// Whether the pattern occurs anywhere in the folded words of one sentence.
    fn occurs_in(&self, words: &[&str]) -> bool {
        (0..words.len()).any(|start| self.matches_at(&self.0, words, start))
    }

    fn matches_at(&self, tokens: &[Token], words: &[&str], at: usize) -> bool {
        let Some((first, rest)) = tokens.split_first() else {
            return true;
        };
        match first {
            Token::Gap => (0..=MAX_GAP)
                .any(|skip| at + skip <= words.len() && self.matches_at(rest, words, at + skip)),
            Token::Word(w) => {
                words.get(at).is_some_and(|x| x == w) && self.matches_at(rest, words, at + 1)
            }
            Token::Prefix(p) => {
                words.get(at).is_some_and(|x| x.starts_with(p.as_str()))
                    && self.matches_at(rest, words, at + 1)
            }
        }
    }
}

/// Whether a sentence makes what it says a requirement or a merit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Force {
    Strict,
    Soft,
    Neutral,
}

/// The phrase table, parsed.
#[derive(Debug, Default)]
pub(crate) struct SwedishPhrases {
    levels: Vec<(Pattern, SwedishLevel)>,
    negations: Vec<Pattern>,
    strict: Vec<Pattern>,
    soft: Vec<Pattern>,
}

/// What an ad's text says about Swedish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwedishReading {
    /// The lowest level the text asks for; `None` when it only says Swedish is not needed.
    pub level: Option<SwedishLevel>,
    /// The level is a requirement ("krav", "måste", "required"), not a merit.
    pub strict: bool,
    /// The text says Swedish is not required.
    pub negated: bool,
    /// The sentence it was read from, as written.
    pub phrase: String,
}

impl SwedishPhrases {
    pub fn parse(table: &Table<'_>) -> Result<Self, TaxonomyError> {
        let [kind, phrase, level] = table.columns(["kind", "phrase", "level"])?;
        let mut out = SwedishPhrases::default();
        for row in table.rows() {
            let row = row?;
            let pattern = Pattern::parse(row.get(phrase)).ok_or_else(|| {
                row.error(format!(
                    "phrase {:?} has no words, or begins or ends with …",
                    row.get(phrase)
                ))
            })?;
            match row.get(kind) {
                "level" => {
                    let l = SwedishLevel::ALL
                        .into_iter()
                        .find(|l| l.as_str() == row.get(level))
                        .ok_or_else(|| {
                            row.error(format!(
                                "level {:?} is not a CEFR level A1..C2",
                                row.get(level)
                            ))
                        })?;
                    out.levels.push((pattern, l));
                }
                "negation" => out.negations.push(pattern),
                "strict" => out.strict.push(pattern),
                "soft" => out.soft.push(pattern),
                other => {
                    return Err(row.error(format!(
                        "kind {other:?} is not one of level, negation, strict, soft"
                    )));
                }
            }
        }
        Ok(out)
    }

    fn force(&self, words: &[&str]) -> Force {
        // A merit word wins: "krav: B-körkort, meriterande: flytande svenska" must not exclude.
        if self.soft.iter().any(|p| p.occurs_in(words)) {
            Force::Soft
        } else if self.strict.iter().any(|p| p.occurs_in(words)) {
            Force::Strict
        } else {
            Force::Neutral
        }
    }

    /// Reads the Swedish an ad's text asks for. Strict readings come first: the level is the
    /// highest strictly required one, else the highest merit. Without a strict reading, a
    /// negation anywhere makes any level a merit. `None` when the text says nothing of Swedish.
    pub fn read(&self, text: &str) -> Option<SwedishReading> {
        let mut section = Force::Neutral;
        let mut best: Option<(bool, SwedishLevel, String)> = None;
        let mut negation: Option<String> = None;
        for line in text.lines() {
            let trimmed = line.trim();
            let folded_line = fold(trimmed);
            let line_words: Vec<&str> = folded_line.split(' ').filter(|w| !w.is_empty()).collect();
            if trimmed.ends_with(':') && line_words.len() <= MAX_HEADING_WORDS {
                section = self.force(&line_words);
                continue;
            }
            for sentence in trimmed.split(['.', '!', '?', ';']) {
                let folded = fold(sentence);
                let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
                if words.is_empty() {
                    continue;
                }
                if self.negations.iter().any(|p| p.occurs_in(&words)) {
                    negation.get_or_insert_with(|| evidence(sentence));
                    continue;
                }
                let Some(level) = self
                    .levels
                    .iter()
                    .filter(|(p, _)| p.occurs_in(&words))
                    .map(|&(_, l)| l)
                    .max()
                else {
                    continue;
                };
                let strict = match self.force(&words) {
                    Force::Neutral => section == Force::Strict,
                    f => f == Force::Strict,
                };
                let better = match &best {
                    None => true,
                    Some((s, l, _)) => (strict, level) > (*s, *l),
                };
                if better {
                    best = Some((strict, level, evidence(sentence)));
                }
            }
        }
        match (best, negation) {
            (None, None) => None,
            (None, Some(phrase)) => Some(SwedishReading {
                level: None,
                strict: false,
                negated: true,
                phrase,
            }),
            // A requirement stated outright stands beside a negation elsewhere, which may be
            // about something less ("du behöver inte kunna svenska flytande").
            (Some((true, level, phrase)), _) => Some(SwedishReading {
                level: Some(level),
                strict: true,
                negated: false,
                phrase,
            }),
            (Some((false, level, phrase)), negation) => Some(SwedishReading {
                level: Some(level),
                strict: false,
                negated: negation.is_some(),
                phrase: negation.unwrap_or(phrase),
            }),
        }
    }
}

fn evidence(sentence: &str) -> String {
    let s = sentence
        .trim()
        .trim_start_matches(['*', '-', '•', ' '])
        .trim();
    match s.char_indices().nth(MAX_EVIDENCE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Taxonomy;

    /// Real phrasings from Platsbanken ads, with what they must read as: (text, level, strict,
    /// negated).
    const PHRASINGS: &[(&str, Option<SwedishLevel>, bool, bool)] = &[
        (
            "Vi söker dig som har flytande svenska i tal och skrift.",
            Some(SwedishLevel::C1),
            false,
            false,
        ),
        (
            "Krav: goda kunskaper i svenska i tal och skrift.",
            Some(SwedishLevel::B2),
            true,
            false,
        ),
        (
            "Du behöver kunna kommunicera på svenska.",
            Some(SwedishLevel::B1),
            true,
            false,
        ),
        (
            "Grundläggande svenska är meriterande.",
            Some(SwedishLevel::A2),
            false,
            false,
        ),
        (
            "Svenska är inget krav, men engelska krävs.",
            None,
            false,
            true,
        ),
        (
            "Du behöver inte kunna svenska för att söka.",
            None,
            false,
            true,
        ),
        ("Vi har inga krav på svenskkunskaper.", None, false, true),
        (
            "Fluent Swedish is required.",
            Some(SwedishLevel::C1),
            true,
            false,
        ),
        (
            "Basic Swedish is an advantage.",
            Some(SwedishLevel::A2),
            false,
            false,
        ),
        (
            "No Swedish required, English is our working language.",
            None,
            false,
            true,
        ),
        (
            "Krav för tjänsten:\n\n* Exemplarisk kommunikationsförmåga i både Engelska och Svenska.",
            Some(SwedishLevel::B2),
            true,
            false,
        ),
        (
            "Meriterande:\n- God svenska\n- B-körkort",
            Some(SwedishLevel::B2),
            false,
            false,
        ),
        (
            "Krav: B-körkort. Meriterande är flytande svenska.",
            Some(SwedishLevel::C1),
            false,
            false,
        ),
        (
            "Du behärskar svenskan väl och trivs med kundkontakt.",
            Some(SwedishLevel::B2),
            false,
            false,
        ),
        // Strict and merit readings together: the strict one sets the rule.
        (
            "Du måste kunna göra dig förstådd på svenska. Flytande svenska är meriterande.",
            Some(SwedishLevel::A2),
            true,
            false,
        ),
        // A negation makes a merit of a level no sentence requires...
        (
            "Goda kunskaper i svenska är ett plus. Svenska är inte ett krav.",
            Some(SwedishLevel::B2),
            false,
            true,
        ),
        // ...but not of one another sentence requires.
        (
            "Du behöver inte kunna svenska flytande. Grundläggande svenska är ett krav.",
            Some(SwedishLevel::A2),
            true,
            false,
        ),
    ];

    /// Texts that mention Swedish, requirements or similar words without asking for Swedish.
    const NEAR_MISSES: &[&str] = &[
        "Vi ställer höga krav på kvalitet och noggrannhet.",
        "Vi är ett svenskt familjeföretag med kunder i hela Norden.",
        "Du översätter från svenska till engelska i vår tidning.",
        "Arbetet kräver god fysik.",
    ];

    #[test]
    fn real_phrasings_read_as_expected() {
        let tax = Taxonomy::embedded().expect("taxonomy");
        for &(text, level, strict, negated) in PHRASINGS {
            let r = tax
                .swedish_in_text(text)
                .unwrap_or_else(|| panic!("nothing read from {text:?}"));
            assert_eq!(
                (r.level, r.strict, r.negated),
                (level, strict, negated),
                "{text:?}: {r:?}"
            );
            assert!(
                !r.phrase.is_empty() && text.contains(r.phrase.trim_end_matches('…')),
                "{text:?}: {r:?}"
            );
        }
        for text in NEAR_MISSES {
            assert_eq!(tax.swedish_in_text(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_bad_phrase_table_is_refused_with_its_line() {
        for (csv, wanted) in [
            ("kind,phrase,level\nlevel,god svenska,B9\n", "csv:2: level"),
            ("kind,phrase,level\nlevel,… svenska,B2\n", "begins or ends"),
            ("kind,phrase,level\nmaybe,svenska,\n", "not one of"),
        ] {
            let source = crate::taxonomy::load::Source::embedded("swedish_phrases.csv", csv);
            let err = SwedishPhrases::parse(&source.table().expect("table")).expect_err(csv);
            assert!(err.to_string().contains(wanted), "{err}");
        }
    }

    #[test]
    fn patterns_read_gaps_and_prefixes() {
        let p = Pattern::parse("goda kunskaper … svenska").expect("pattern");
        let words = |s: &'static str| s.split(' ').collect::<Vec<_>>();
        assert!(p.occurs_in(&words("du har goda kunskaper i svenska")));
        assert!(p.occurs_in(&words("goda kunskaper i bade engelska och svenska")));
        assert!(!p.occurs_in(&words(
            "goda kunskaper i excel word och powerpoint samt svenska"
        )));
        let q = Pattern::parse("behärska* svenska*").expect("pattern");
        assert!(q.occurs_in(&words("du beharskar svenskan")));
        assert!(!q.occurs_in(&words("svenska beharskas")));
        assert_eq!(Pattern::parse("… svenska"), None);
        assert_eq!(Pattern::parse("  "), None);
    }
}
