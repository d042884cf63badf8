//! Reading the taxonomy files (embedded or from a directory) into a `Taxonomy`. Every row is
//! checked here, so look-ups never meet malformed data; problems are reported with file and
//! line. Rows that are valid but unusable in the shipped extract (an occupation group without
//! a code) are skipped with a warning rather than failing the whole load.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::model::SsykCode;

use super::error::TaxonomyError;
use super::fold::fold;
use super::lexicon::Origin;

mod tables;

/// The files of a taxonomy, relative to the fixtures directory.
pub(crate) const SKILLS: &str = "taxonomy/skills.csv";
pub(crate) const SKILL_ALIASES: &str = "taxonomy/skill_aliases.csv";
pub(crate) const OCCUPATIONS: &str = "taxonomy/occupations.csv";
pub(crate) const OCCUPATION_NAMES: &str = "taxonomy/occupation_names.csv";
pub(crate) const OCCUPATION_SKILLS: &str = "taxonomy/occupation_skills.csv";
pub(crate) const OCCUPATION_ALIASES: &str = "taxonomy/occupation_aliases.csv";
pub(crate) const RELATED_SKILLS: &str = "taxonomy/related_skills.csv";
pub(crate) const RELATED_OCCUPATIONS: &str = "taxonomy/related_occupations.csv";
pub(crate) const MUNICIPALITIES: &str = "taxonomy/municipalities.csv";
pub(crate) const LANGUAGES: &str = "taxonomy/languages.csv";
pub(crate) const LICENCES: &str = "taxonomy/licences.csv";
pub(crate) const SWEDISH_LEVELS: &str = "swedish_levels.csv";
pub(crate) const SWEDISH_PHRASES: &str = "swedish_phrases.csv";

/// One file's name (as errors should show it) and contents.
pub(crate) struct Source<'a> {
    pub name: String,
    pub text: Cow<'a, str>,
}

impl Source<'static> {
    #[cfg(test)]
    pub fn embedded(name: &str, text: &'static str) -> Self {
        Source {
            name: format!("fixtures/{name}"),
            text: Cow::Borrowed(text),
        }
    }
}

impl Source<'_> {
    pub(crate) fn table(&self) -> Result<Table<'_>, TaxonomyError> {
        Table::new(
            &self.name,
            self.text.strip_prefix('\u{feff}').unwrap_or(&self.text),
        )
    }
}

/// All the files one taxonomy is built from.
pub(crate) struct Sources<'a> {
    pub skills: Source<'a>,
    /// Curated; a directory without it loads with labels only.
    pub skill_aliases: Option<Source<'a>>,
    pub occupations: Source<'a>,
    pub occupation_names: Source<'a>,
    /// Curated everyday job titles; a directory without it resolves names from the data alone.
    pub occupation_aliases: Option<Source<'a>>,
    pub occupation_skills: Source<'a>,
    /// Derived relatedness; a directory without them relates nothing.
    pub related_skills: Option<Source<'a>>,
    pub related_occupations: Option<Source<'a>>,
    pub municipalities: Source<'a>,
    pub languages: Source<'a>,
    pub licences: Source<'a>,
    pub swedish_levels: Source<'a>,
    pub swedish_phrases: Source<'a>,
}

/// A CSV file with a header row; columns are found by name so they may come in any order.
pub(crate) struct Table<'a> {
    file: &'a str,
    text: &'a str,
    headers: csv::StringRecord,
}

/// One data row, with what it takes to report a problem in it.
pub(crate) struct Row<'a> {
    file: &'a str,
    line: u64,
    record: csv::StringRecord,
}

impl<'a> Table<'a> {
    fn new(file: &'a str, text: &'a str) -> Result<Self, TaxonomyError> {
        let headers = reader(text)
            .headers()
            .map_err(|e| csv_error(file, &e))?
            .clone();
        Ok(Table {
            file,
            text,
            headers,
        })
    }

    /// The positions of the named columns, or an error naming the header that was expected.
    pub fn columns<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N], TaxonomyError> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self
                .headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| {
                    TaxonomyError::parse(
                        self.file,
                        1,
                        format!(
                            "missing column {name:?}; the header must name {}",
                            names.join(",")
                        ),
                    )
                })?;
        }
        Ok(out)
    }

    pub fn rows(&self) -> impl Iterator<Item = Result<Row<'a>, TaxonomyError>> + use<'a> {
        let file = self.file;
        reader(self.text).into_records().map(move |r| match r {
            Ok(record) => Ok(Row {
                file,
                line: record.position().map_or(0, csv::Position::line),
                record,
            }),
            Err(e) => Err(csv_error(file, &e)),
        })
    }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes())
}

fn csv_error(file: &str, e: &csv::Error) -> TaxonomyError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("found {len} fields, expected {expected_len} as in the header"),
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_owned(),
        _ => e.to_string(),
    };
    TaxonomyError::parse(file, line, message)
}

impl Row<'_> {
    /// A field, trimmed; columns come from `Table::columns`, so they exist.
    pub fn get(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("").trim()
    }

    /// A field that must not be empty.
    fn required(&self, column: usize, what: &str) -> Result<&str, TaxonomyError> {
        let v = self.get(column);
        if v.is_empty() {
            Err(self.error(format!("{what} is empty")))
        } else {
            Ok(v)
        }
    }

    pub fn error(&self, message: impl Into<String>) -> TaxonomyError {
        TaxonomyError::parse(self.file, self.line, message)
    }

    fn origin(&self) -> Origin<'_> {
        Origin {
            file: self.file,
            line: self.line,
        }
    }

    fn ssyk(&self, column: usize) -> Result<SsykCode, TaxonomyError> {
        let v = self.get(column);
        v.parse().map_err(|()| {
            self.error(format!(
                "SSYK code {v:?} is not four digits (write 0110, not 110)"
            ))
        })
    }
}

/// Pipe-separated list, trimmed, empty items dropped.
fn pipe_list(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|x| !x.is_empty())
}

/// Rows skipped as unusable, reported once per file so a replaced data set shows its gaps.
fn warn_skipped(file: &str, what: &str, lines: &[u64]) {
    if let Some(first) = lines.first() {
        tracing::warn!(
            file,
            count = lines.len(),
            first_line = first,
            "skipped taxonomy rows: {what}"
        );
    }
}

/// Weight of a skill from its demand, in [1, 2]:
///
/// `w(d) = 1 + (r(d) - r(N)) / (r(0) - r(N))` with `r(d) = ln(1 + N / (1 + d))` and `N` the
/// highest demand in the file. `r` falls as demand rises, so the most asked-for skill weighs
/// exactly 1 and one no occupation asks for exactly 2; the logarithm keeps the middle from
/// collapsing toward either end. With no demand data at all every skill weighs 1.
pub(crate) fn rarity(demand: u32, max_demand: u32) -> f32 {
    if max_demand == 0 {
        return 1.0;
    }
    let n = f64::from(max_demand);
    let r = |d: u32| (1.0 + n / (1.0 + f64::from(d.min(max_demand)))).ln();
    let (common, never) = (r(max_demand), r(0));
    (1.0 + (r(demand) - common) / (never - common)) as f32
}

fn insert_id(
    ids: &mut HashMap<String, u32>,
    id: &str,
    index: u32,
    row: &Row<'_>,
) -> Result<(), TaxonomyError> {
    if ids.insert(id.to_owned(), index).is_some() {
        return Err(row.error(format!("duplicate concept id {id:?}")));
    }
    Ok(())
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// A slash-separated label's parts ("Soldat/Sjöman"), each also without its qualifier after
/// the first comma ("Undersköterska, hemtjänst, …" → "Undersköterska"): how people write an
/// occupation when they do not know its full name.
fn occupation_keys(label: &str) -> (Vec<String>, Vec<String>) {
    let mut parts = Vec::new();
    let mut heads = Vec::new();
    for part in label.split('/') {
        let folded = fold(part);
        if let Some((head, _)) = part.split_once(',') {
            let head = fold(head);
            if head.chars().count() >= 3 {
                heads.push(head);
            }
        }
        parts.push(folded);
    }
    (parts, heads)
}

/// How a municipality name is matched before folding: case and spacing ignored, letters kept.
pub(crate) fn exact_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarity_spans_one_to_two_and_falls_with_demand() {
        assert_eq!(rarity(0, 234), 2.0);
        assert!((rarity(234, 234) - 1.0).abs() < 1e-6);
        let mut last = f32::INFINITY;
        for d in 0..=234 {
            let w = rarity(d, 234);
            assert!((1.0..=2.0).contains(&w) && w <= last, "{d}: {w}");
            last = w;
        }
        assert_eq!(rarity(5, 0), 1.0);
    }

    #[test]
    fn occupation_keys_split_slashes_and_qualifiers() {
        let (parts, heads) = occupation_keys("Steriltekniker/Undersköterska, sterilcentral");
        assert_eq!(parts, ["steriltekniker", "underskoterska sterilcentral"]);
        assert_eq!(heads, ["underskoterska"]);
    }
}
