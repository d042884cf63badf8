//! Swedish compounds split into their parts against a vocabulary: every word of the shipped
//! taxonomy's skill and occupation labels, occupation names and aliases, plus the curated
//! `fixtures/compound_parts.txt`. Swedish writes compounds as one word ("lagerarbetare",
//! "hemstädare", "truckvana"), so a search for "arbetare" or "städ" finds them only if the
//! index also holds the parts.
//!
//! A word is a compound when it ends in a known word of at least [`MIN_HEAD`] letters (the
//! head, which carries the meaning) and what comes before is a known word of at least
//! [`MIN_PART`] letters, or is itself such a compound, with an optional linking `s`
//! ("arbetsledare" is "arbet(e)" + "s" + "ledare" only if "arbets"' stem is known). The longest
//! head wins. Nothing is split that the vocabulary cannot account for whole, so "tidning" is
//! never "tid" + "ning".

use std::collections::HashSet;
use std::sync::LazyLock;

/// Shortest modifier part, in characters.
pub const MIN_PART: usize = 3;
/// Shortest head part, in characters.
pub const MIN_HEAD: usize = 4;
/// Shortest word looked at.
const MIN_COMPOUND: usize = MIN_PART + MIN_HEAD;

/// Known words, lowercase with their diacritics, as the analyzer's tokens are before stemming.
#[derive(Debug, Default)]
pub struct Vocabulary {
    words: HashSet<String>,
}

static SHIPPED: LazyLock<Vocabulary> = LazyLock::new(|| {
    macro_rules! fixture {
        ($name:expr) => {
            include_str!(concat!("../../fixtures/", $name))
        };
    }
    let mut v = Vocabulary::default();
    for (text, columns) in [
        (fixture!("taxonomy/skills.csv"), &["label"][..]),
        (
            fixture!("taxonomy/skill_aliases.csv"),
            &["label", "aliases"][..],
        ),
        (fixture!("taxonomy/occupations.csv"), &["label"][..]),
        (fixture!("taxonomy/occupation_names.csv"), &["label"][..]),
        (fixture!("taxonomy/occupation_aliases.csv"), &["alias"][..]),
    ] {
        v.add_csv(text, columns);
    }
    v.add_list(fixture!("compound_parts.txt"));
    v
});

impl Vocabulary {
    /// The vocabulary of the shipped taxonomy and `fixtures/compound_parts.txt`, built once.
    pub fn shipped() -> &'static Vocabulary {
        &SHIPPED
    }

    /// Adds every word of the named columns of a CSV text.
    fn add_csv(&mut self, text: &str, columns: &[&str]) {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let Ok(headers) = reader.headers().cloned() else {
            return;
        };
        let wanted: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| columns.contains(h))
            .map(|(i, _)| i)
            .collect();
        for record in reader.records().flatten() {
            for &i in &wanted {
                self.add_words(record.get(i).unwrap_or(""));
            }
        }
    }

    /// Adds the words of a list, one a line (`#` comments), removing those written `-word`.
    fn add_list(&mut self, text: &str) {
        for line in text.lines().map(str::trim) {
            if let Some(word) = line.strip_prefix('-') {
                self.words.remove(word.trim());
            } else if !line.is_empty() && !line.starts_with('#') {
                self.add_words(line);
            }
        }
    }

    fn add_words(&mut self, text: &str) {
        for word in text.split(|c: char| !c.is_alphabetic()) {
            if word.chars().count() >= MIN_PART {
                self.words.insert(word.to_lowercase());
            }
        }
    }

    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// The parts of a compound, modifiers first, or `None` when the word is not one.
    pub fn split<'w>(&self, word: &'w str) -> Option<Vec<&'w str>> {
        if word.chars().count() < MIN_COMPOUND {
            return None;
        }
        self.split_at_head(word)
    }

    fn split_at_head<'w>(&self, word: &'w str) -> Option<Vec<&'w str>> {
        // Heads from the longest: the first boundary that leaves a known head and a modifier
        // the vocabulary accounts for.
        for (k, _) in word.char_indices().skip(MIN_PART) {
            let head = &word[k..];
            if head.chars().count() < MIN_HEAD {
                break;
            }
            if !self.contains(head) {
                continue;
            }
            let modifier = &word[..k];
            let linked = modifier
                .strip_suffix('s')
                .filter(|m| m.chars().count() >= MIN_PART);
            for m in [Some(modifier), linked].into_iter().flatten() {
                if self.contains(m) {
                    return Some(vec![m, head]);
                }
                if m.chars().count() >= MIN_COMPOUND
                    && let Some(mut parts) = self.split_at_head(m)
                {
                    parts.push(head);
                    return Some(parts);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compounds_split_into_known_words() {
        let v = Vocabulary::shipped();
        for (word, parts) in [
            ("lagerarbetare", vec!["lager", "arbetare"]),
            ("hemstädare", vec!["hem", "städare"]),
            ("truckvana", vec!["truck", "vana"]),
            ("kassavana", vec!["kassa", "vana"]),
            ("lagerpersonal", vec!["lager", "personal"]),
        ] {
            assert_eq!(v.split(word), Some(parts), "{word}");
        }
    }

    #[test]
    fn words_the_vocabulary_cannot_account_for_stay_whole() {
        let v = Vocabulary::shipped();
        for word in ["tidning", "lager", "arbetare", "och", "kontor", "förare"] {
            assert_eq!(v.split(word), None, "{word}");
        }
        // Function words are removed from the vocabulary, so they split nothing.
        assert!(!v.contains("och") && !v.contains("för"));
    }
}
