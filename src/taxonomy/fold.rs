//! Case and diacritic folding: the one canonical form every label, alias and user input is
//! compared in. Pure string functions; nothing here knows about concepts.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text into the form all look-ups compare: lowercase, decomposed (NFD) with combining
/// marks removed (å, ä → a, ö → o, é → e), every character that is not a letter or digit
/// turned into a space, runs of spaces collapsed, trimmed.
///
/// Users type "Truckkörkort", "truckkorkort" and "TRUCK-KÖRKORT" for the same thing; folding
/// once on both sides makes them one key. The price is that "Håbo" and "Habo" fold alike,
/// which is why municipality names are also matched before folding.
///
/// ```
/// use jobmatch::taxonomy::fold;
/// assert_eq!(fold("  Städ/Lokalvård, Hotell  "), "stad lokalvard hotell");
/// assert_eq!(fold("C-E"), "c e");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    let mut push = |c: char| {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    };
    if s.is_ascii() {
        // Most labels and inputs are ASCII; skip the decomposition machinery for them.
        s.chars()
            .map(|c| c.to_ascii_lowercase())
            .for_each(&mut push);
    } else {
        for c in s.nfd().filter(|&c| !is_combining_mark(c)) {
            c.to_lowercase().for_each(&mut push);
        }
    }
    out
}

/// The folded form without spaces, for codes users write with or without separators
/// ("C-E", "c e", "CE"; "SFI-A", "sfi a", "sfia").
pub fn compact(folded: &str) -> String {
    folded.chars().filter(|&c| c != ' ').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_punctuation() {
        assert_eq!(fold("Truckkörkort"), "truckkorkort");
        assert_eq!(fold("ÅÄÖ éü"), "aao eu");
        assert_eq!(
            fold("Terminal- och lagerarbete"),
            "terminal och lagerarbete"
        );
        assert_eq!(fold("--a__b--"), "a b");
        assert_eq!(fold(" \t "), "");
        assert_eq!(fold("TLP10"), "tlp10");
    }

    #[test]
    fn compact_drops_spaces() {
        assert_eq!(compact(&fold("C-E")), "ce");
        assert_eq!(compact(&fold("Sfi kurs D")), "sfikursd");
    }
}
