//! Spellings of Swedish proficiency (CEFR, SFI courses, Svenska som andraspråk) mapped onto the
//! one CEFR scale `model::SwedishLevel`. The mapping itself is data
//! (`fixtures/swedish_levels.csv`); this module only decides when two spellings are the same.

use std::collections::HashMap;

use crate::model::SwedishLevel;

use super::error::TaxonomyError;
use super::fold::fold;
use super::load::Table;

/// Words people add that do not change the level: "SFI kurs D", "SAS grund nivå", "level B1".
const FILLER: [&str; 4] = ["kurs", "course", "niva", "level"];

/// Accepted spellings, keyed by their canonical comparison form.
#[derive(Debug, Default)]
pub(crate) struct SwedishLevels {
    by_key: HashMap<String, SwedishLevel>,
}

/// Fold, drop filler words, remove spaces: "SFI-A", "sfi a", "Sfi kurs A" and "SFIA" are one key.
fn key(input: &str) -> String {
    fold(input)
        .split(' ')
        .filter(|w| !FILLER.contains(w))
        .collect()
}

fn parse_cefr(s: &str) -> Option<SwedishLevel> {
    SwedishLevel::ALL
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
}

impl SwedishLevels {
    pub fn parse(table: &Table<'_>) -> Result<Self, TaxonomyError> {
        let [input, cefr] = table.columns(["input", "cefr"])?;
        let mut by_key = HashMap::new();
        for row in table.rows() {
            let row = row?;
            let spelling = row.get(input);
            let level = parse_cefr(row.get(cefr)).ok_or_else(|| {
                row.error(format!(
                    "cefr {:?} is not a CEFR level; expected one of A1, A2, B1, B2, C1, C2",
                    row.get(cefr)
                ))
            })?;
            let k = key(spelling);
            if k.is_empty() {
                return Err(row.error("input is empty"));
            }
            match by_key.insert(k, level) {
                Some(prev) if prev != level => {
                    return Err(row.error(format!(
                        "{spelling:?} is the same spelling as an earlier row mapped to {prev}, but maps to {level}"
                    )));
                }
                _ => {}
            }
        }
        // The canonical names are always accepted, whatever the file says.
        for level in SwedishLevel::ALL {
            by_key.entry(key(level.as_str())).or_insert(level);
        }
        Ok(SwedishLevels { by_key })
    }

    pub fn get(&self, input: &str) -> Result<SwedishLevel, TaxonomyError> {
        self.by_key
            .get(&key(input))
            .copied()
            .ok_or_else(|| TaxonomyError::UnknownSwedishLevel(input.trim().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_drops_filler_and_spaces() {
        assert_eq!(key("Sfi kurs D"), "sfid");
        assert_eq!(key("SFI-A"), "sfia");
        assert_eq!(
            key("Svenska som andraspråk, grundläggande nivå"),
            "svenskasomandrasprakgrundlaggande"
        );
        assert_eq!(key("level B1"), "b1");
    }
}
