//! Reading the taxonomy files (embedded or from a directory) into a `Taxonomy`. Every row is
//! checked here, so look-ups never meet malformed data; problems are reported with file and
//! line. Rows that are valid but unusable in the shipped extract (an occupation group without
//! a code) are skipped with a warning rather than failing the whole load.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::model::{ConceptId, GeoPoint, Occupation, SsykCode};

use super::error::TaxonomyError;
use super::fold::fold;
use super::lexicon::{LexiconBuilder, Origin};
use super::swedish::SwedishLevels;
use super::{Language, Licence, LicenceKind, Municipality, Skill, Taxonomy};

/// The files of a taxonomy, relative to the fixtures directory.
pub(crate) const SKILLS: &str = "taxonomy/skills.csv";
pub(crate) const SKILL_ALIASES: &str = "taxonomy/skill_aliases.csv";
pub(crate) const OCCUPATIONS: &str = "taxonomy/occupations.csv";
pub(crate) const OCCUPATION_NAMES: &str = "taxonomy/occupation_names.csv";
pub(crate) const OCCUPATION_SKILLS: &str = "taxonomy/occupation_skills.csv";
pub(crate) const OCCUPATION_ALIASES: &str = "taxonomy/occupation_aliases.csv";
pub(crate) const MUNICIPALITIES: &str = "taxonomy/municipalities.csv";
pub(crate) const LANGUAGES: &str = "taxonomy/languages.csv";
pub(crate) const LICENCES: &str = "taxonomy/licences.csv";
pub(crate) const SWEDISH_LEVELS: &str = "swedish_levels.csv";

/// One file's name (as errors should show it) and contents.
pub(crate) struct Source {
    pub name: String,
    pub text: Cow<'static, str>,
}

impl Source {
    pub fn embedded(name: &str, text: &'static str) -> Self {
        Source {
            name: format!("fixtures/{name}"),
            text: Cow::Borrowed(text),
        }
    }

    pub fn read(dir: &Path, name: &str) -> Result<Self, TaxonomyError> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|source| TaxonomyError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Source {
            name: path.display().to_string(),
            text: Cow::Owned(text),
        })
    }

    /// An optional file: absent is `None`, any other read failure is still an error.
    pub fn read_optional(dir: &Path, name: &str) -> Result<Option<Self>, TaxonomyError> {
        match Source::read(dir, name) {
            Err(TaxonomyError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(None)
            }
            other => other.map(Some),
        }
    }

    fn table(&self) -> Result<Table<'_>, TaxonomyError> {
        Table::new(
            &self.name,
            self.text.strip_prefix('\u{feff}').unwrap_or(&self.text),
        )
    }
}

/// All the files one taxonomy is built from.
pub(crate) struct Sources {
    pub skills: Source,
    /// Curated; a directory without it loads with labels only.
    pub skill_aliases: Option<Source>,
    pub occupations: Source,
    pub occupation_names: Source,
    /// Curated everyday job titles; a directory without it resolves names from the data alone.
    pub occupation_aliases: Option<Source>,
    pub occupation_skills: Source,
    pub municipalities: Source,
    pub languages: Source,
    pub licences: Source,
    pub swedish_levels: Source,
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

impl Taxonomy {
    pub(crate) fn from_sources(src: &Sources) -> Result<Taxonomy, TaxonomyError> {
        let mut tax = Taxonomy::default();
        tax.load_skills(&src.skills, src.skill_aliases.as_ref())?;
        tax.load_occupations(
            &src.occupations,
            &src.occupation_names,
            src.occupation_aliases.as_ref(),
        )?;
        tax.load_occupation_skills(&src.occupation_skills)?;
        tax.load_municipalities(&src.municipalities)?;
        tax.load_languages(&src.languages)?;
        tax.load_licences(&src.licences)?;
        tax.swedish = SwedishLevels::parse(&src.swedish_levels.table()?)?;
        Ok(tax)
    }

    fn load_skills(
        &mut self,
        skills: &Source,
        aliases: Option<&Source>,
    ) -> Result<(), TaxonomyError> {
        let table = skills.table()?;
        let [id, label, demand] = table.columns(["concept_id", "label", "demand"])?;
        let mut lex = LexiconBuilder::new(false);
        let mut folded_labels = Vec::new();
        for row in table.rows() {
            let row = row?;
            let concept = row.required(id, "concept_id")?;
            let text = row.required(label, "label")?;
            let d = row.get(demand);
            let d: u32 = d.parse().map_err(|_| {
                row.error(format!("demand {d:?} is not a whole number of occupations"))
            })?;
            let i = index(self.skills.len());
            insert_id(&mut self.skill_ids, concept, i, &row)?;
            let folded = fold(text);
            lex.label(&folded, i);
            folded_labels.push(folded);
            self.skills.push(Skill {
                id: ConceptId(concept.to_owned()),
                label: text.to_owned(),
                demand: d,
                rarity: 1.0,
            });
        }
        let max_demand = self.skills.iter().map(|s| s.demand).max().unwrap_or(0);
        for s in &mut self.skills {
            s.rarity = rarity(s.demand, max_demand);
        }

        if let Some(aliases) = aliases {
            let table = aliases.table()?;
            let [id, label_en, list] = table.columns(["concept_id", "label_en", "aliases"])?;
            let skills = &self.skills;
            let describe = |i: u32| {
                let s = &skills[i as usize];
                format!("{} ({})", s.id, s.label)
            };
            for row in table.rows() {
                let row = row?;
                let concept = row.required(id, "concept_id")?;
                let &i = self.skill_ids.get(concept).ok_or_else(|| {
                    row.error(format!(
                        "concept id {concept:?} is not in {SKILLS}; aliases can only name known skills"
                    ))
                })?;
                let own = &folded_labels[i as usize];
                let en = row.get(label_en);
                for alias in std::iter::once(en)
                    .filter(|s| !s.is_empty())
                    .chain(pipe_list(row.get(list)))
                {
                    lex.alias(&fold(alias), i, own, row.origin(), &describe)?;
                }
                self.skill_alias_count += 1;
            }
        }
        self.skill_lexicon = lex.build();
        Ok(())
    }

    fn load_occupations(
        &mut self,
        groups: &Source,
        names: &Source,
        aliases: Option<&Source>,
    ) -> Result<(), TaxonomyError> {
        let table = groups.table()?;
        let [code, id, label] = table.columns(["ssyk_code", "concept_id", "label"])?;
        let mut rows: Vec<(Occupation, u64)> = Vec::new();
        let mut skipped = Vec::new();
        for row in table.rows() {
            let row = row?;
            if row.get(code).is_empty() {
                skipped.push(row.line);
                continue;
            }
            let occupation = Occupation {
                code: row.ssyk(code)?,
                concept_id: ConceptId(row.required(id, "concept_id")?.to_owned()),
                label: row.required(label, "label")?.to_owned(),
            };
            rows.push((occupation, row.line));
        }
        warn_skipped(
            &groups.name,
            "occupation groups without an SSYK code",
            &skipped,
        );
        rows.sort_by_key(|(o, _)| o.code);
        for (i, (o, line)) in rows.iter().enumerate() {
            let duplicate = if self.occupation_codes.insert(o.code, index(i)).is_some() {
                format!("duplicate SSYK code {}", o.code)
            } else if self
                .occupation_ids
                .insert(o.concept_id.0.clone(), index(i))
                .is_some()
            {
                format!("duplicate concept id {:?}", o.concept_id.0)
            } else {
                continue;
            };
            return Err(TaxonomyError::parse(&groups.name, *line, duplicate));
        }
        self.occupations = rows.into_iter().map(|(o, _)| o).collect();

        let table = names.table()?;
        let [id, label, code] = table.columns(["concept_id", "label", "ssyk_code"])?;
        let mut named: Vec<(u32, String)> = Vec::new();
        let mut skipped = Vec::new();
        for row in table.rows() {
            let row = row?;
            let c = row.ssyk(code)?;
            let Some(&group) = self.occupation_codes.get(&c) else {
                skipped.push(row.line);
                continue;
            };
            insert_id(
                &mut self.occupation_ids,
                row.required(id, "concept_id")?,
                group,
                &row,
            )?;
            named.push((group, row.required(label, "label")?.to_owned()));
        }
        warn_skipped(
            &names.name,
            "occupation names whose SSYK group is not in the group file",
            &skipped,
        );
        // Names are sorted by group so that a shortened name several groups share resolves to
        // the lowest code, whatever order the file is in.
        named.sort_by_key(|(g, _)| *g);

        // Tiers, each complete before the next: group labels, full occupation names, the parts
        // of slash-separated labels, then the parts without their qualifier. Within a tier the
        // lowest SSYK code wins.
        let mut lex = LexiconBuilder::new(false);
        let groups: Vec<(u32, &str)> = self
            .occupations
            .iter()
            .enumerate()
            .map(|(i, o)| (index(i), o.label.as_str()))
            .chain(named.iter().map(|(g, l)| (*g, l.as_str())))
            .collect();
        for (g, l) in &groups {
            lex.label(&fold(l), *g);
        }
        // Curated titles come before the derived tiers: they settle what a shortened name that
        // several groups share ("Undersköterska") means in everyday use.
        if let Some(aliases) = aliases {
            let table = aliases.table()?;
            let [alias, code] = table.columns(["alias", "ssyk_code"])?;
            let occupations = &self.occupations;
            let describe = |i: u32| {
                let o = &occupations[i as usize];
                format!("{} ({})", o.code, o.label)
            };
            for row in table.rows() {
                let row = row?;
                let c = row.ssyk(code)?;
                let &g = self
                    .occupation_codes
                    .get(&c)
                    .ok_or_else(|| row.error(format!("SSYK code {c} is not in {OCCUPATIONS}")))?;
                let own = fold(&occupations[g as usize].label);
                let text = row.required(alias, "alias")?;
                lex.alias(&fold(text), g, &own, row.origin(), &describe)?;
            }
        }
        let derived: Vec<(u32, Vec<String>, Vec<String>)> = groups
            .iter()
            .map(|(g, l)| {
                let (parts, heads) = occupation_keys(l);
                (*g, parts, heads)
            })
            .collect();
        for (g, parts, _) in &derived {
            parts.iter().for_each(|p| lex.label(p, *g));
        }
        for (g, _, heads) in &derived {
            heads.iter().for_each(|h| lex.label(h, *g));
        }
        self.occupation_lexicon = lex.build();
        Ok(())
    }

    fn load_occupation_skills(&mut self, source: &Source) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [code, ids] = table.columns(["ssyk_code", "skill_ids"])?;
        for row in table.rows() {
            let row = row?;
            let c = row.ssyk(code)?;
            let mut list = Vec::new();
            for id in pipe_list(row.get(ids)) {
                if !self.skill_ids.contains_key(id) {
                    return Err(row.error(format!("skill {id:?} is not in {SKILLS}")));
                }
                list.push(ConceptId(id.to_owned()));
            }
            if self.occupation_skills.insert(c, list).is_some() {
                return Err(row.error(format!("SSYK code {c} is listed twice")));
            }
        }
        Ok(())
    }

    fn load_municipalities(&mut self, source: &Source) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [code, name, county, lat, lon, id] =
            table.columns(["code", "name", "county_code", "lat", "lon", "concept_id"])?;
        for row in table.rows() {
            let row = row?;
            let c = row.get(code);
            if c.len() != 4 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(row.error(format!("municipality code {c:?} is not four digits")));
            }
            let coordinate = |col: usize, what: &str| {
                let v = row.get(col);
                v.parse::<f64>()
                    .map_err(|_| row.error(format!("{what} {v:?} is not a number")))
            };
            let point = GeoPoint {
                lat: coordinate(lat, "lat")?,
                lon: coordinate(lon, "lon")?,
            };
            if !point.is_valid() {
                return Err(row.error("lat/lon is outside -90..90 / -180..180"));
            }
            let m = Municipality {
                code: c.to_owned(),
                name: row.required(name, "name")?.to_owned(),
                county_code: row.get(county).to_owned(),
                point,
                concept_id: ConceptId(row.get(id).to_owned()),
            };
            let i = index(self.municipalities.len());
            for key in [m.code.clone(), m.concept_id.0.clone(), exact_name(&m.name)] {
                if key.is_empty() {
                    continue;
                }
                if let Some(prev) = self.municipality_exact.insert(key.clone(), i) {
                    return Err(row.error(format!(
                        "{key:?} already names {}",
                        self.municipalities[prev as usize].name
                    )));
                }
            }
            // Folding merges "Håbo" and "Habo"; such a key answers neither.
            self.municipality_folded
                .entry(fold(&m.name))
                .and_modify(|v| *v = None)
                .or_insert(Some(i));
            self.municipalities.push(m);
        }
        Ok(())
    }

    fn load_languages(&mut self, source: &Source) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [id, label] = table.columns(["concept_id", "label"])?;
        let mut lex = LexiconBuilder::new(false);
        for row in table.rows() {
            let row = row?;
            let i = index(self.languages.len());
            let concept = row.required(id, "concept_id")?;
            insert_id(&mut self.language_ids, concept, i, &row)?;
            let label = row.required(label, "label")?;
            lex.label(&fold(label), i);
            self.languages.push(Language {
                id: ConceptId(concept.to_owned()),
                label: label.to_owned(),
            });
        }
        self.language_lexicon = lex.build();
        Ok(())
    }

    fn load_licences(&mut self, source: &Source) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [id, code, label, kind, implies, aliases] =
            table.columns(["concept_id", "code", "label", "kind", "implies", "aliases"])?;
        let mut rows = Vec::new();
        for row in table.rows() {
            let row = row?;
            let k = match row.get(kind) {
                "driving" => LicenceKind::Driving,
                "certificate" => LicenceKind::Certificate,
                other => {
                    return Err(
                        row.error(format!("kind {other:?} is not one of driving, certificate"))
                    );
                }
            };
            let i = index(self.licences.len());
            let concept = row.required(id, "concept_id")?;
            insert_id(&mut self.licence_ids, concept, i, &row)?;
            let c = row.required(code, "code")?;
            if self.licence_codes.insert(c.to_owned(), i).is_some() {
                return Err(row.error(format!("duplicate licence code {c:?}")));
            }
            self.licences.push(Licence {
                concept_id: ConceptId(concept.to_owned()),
                code: c.to_owned(),
                label: row.required(label, "label")?.to_owned(),
                kind: k,
                implies: pipe_list(row.get(implies)).map(str::to_owned).collect(),
            });
            rows.push(row);
        }
        let licences = &self.licences;
        let describe = |i: u32| {
            let l = &licences[i as usize];
            format!("{} ({})", l.concept_id, l.code)
        };
        let mut lex = LexiconBuilder::new(true);
        for (i, (l, row)) in licences.iter().zip(&rows).enumerate() {
            if let Some(missing) = l
                .implies
                .iter()
                .find(|c| !self.licence_codes.contains_key(*c))
            {
                return Err(row.error(format!(
                    "implied licence {missing:?} is not a code in this file"
                )));
            }
            let own = fold(&l.label);
            let names = [l.code.as_str(), l.label.as_str()];
            for name in names.into_iter().chain(pipe_list(row.get(aliases))) {
                lex.alias(&fold(name), index(i), &own, row.origin(), &describe)?;
            }
        }
        self.licence_lexicon = lex.build();
        Ok(())
    }
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
