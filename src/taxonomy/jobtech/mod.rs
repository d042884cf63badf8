//! Deriving a taxonomy from the files JobTech publishes (the shape of
//! `../shared/reference/jobtech_taxonomy/`): `concept-to-taxonomy.json` for every concept's
//! preferred label and type, `ssyk_level4_concepts.csv` for the groups' official SSYK codes,
//! `occupation_name_to_ssyk2012.csv` for each occupation name's group, and a municipality file
//! (`municipalities_290.csv`) for the codes and positions the concepts lack.
//!
//! The result is a [`TaxonomyData`] in the layout of `fixtures/`, built over a base (the
//! taxonomy in force): **extend** keeps every base concept and adds or relabels the imported
//! ones; **replace** keeps only the imported concepts. Either way jobmatch's own curated
//! files (aliases, certificates, Swedish levels and phrases) and the derived demand and
//! relatedness are carried over for the concepts that remain, and a concept id never changes
//! meaning, so stored openings and profiles stay valid.
//!
//! What this module must not do: store anything, or build the lexicons (the result is checked
//! by building it, through `load`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::data::TaxonomyData;
use super::error::TaxonomyError;
use super::fold::fold;
use super::load::{self, Source};

/// JobTech's file of every concept by id.
pub const CONCEPTS_FILE: &str = "concept-to-taxonomy.json";
/// SSYK 2012 level-4 groups with their official four-digit codes.
pub const GROUPS_FILE: &str = "ssyk_level4_concepts.csv";
/// Occupation names with their group's code (`*` marks a code inferred through the group).
pub const NAMES_FILE: &str = "occupation_name_to_ssyk2012.csv";
/// Municipalities with official codes and positions, looked for in the directory and in
/// `../municipalities/` beside it (the reference layout).
pub const MUNICIPALITIES_FILE: &str = "municipalities_290.csv";

/// How an import meets the taxonomy in force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Every concept in force stays; imported ones are added, and relabelled where JobTech
    /// changed the label.
    #[default]
    Extend,
    /// Only the imported concepts remain (jobmatch's own certificates stay).
    Replace,
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Extend => "extend",
            ImportMode::Replace => "replace",
        }
    }
}

impl fmt::Display for ImportMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "extend" => Ok(ImportMode::Extend),
            "replace" => Ok(ImportMode::Replace),
            other => Err(format!(
                "unknown import mode {other:?}; expected extend or replace"
            )),
        }
    }
}

/// Where the JobTech files are.
#[derive(Clone, Debug)]
pub struct JobTechFiles {
    pub dir: PathBuf,
    /// The municipality file; without it, [`MUNICIPALITIES_FILE`] in `dir` or in
    /// `dir/../municipalities/`, and without that the positions of the taxonomy in force.
    pub municipalities: Option<PathBuf>,
}

/// What a derivation took in and left out, for the import's summary line and the stored
/// version's record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeriveSummary {
    pub mode: ImportMode,
    pub skills: usize,
    /// Imported skills the taxonomy in force did not have.
    pub skills_added: usize,
    /// Skills whose preferred label JobTech changed.
    pub skills_relabelled: usize,
    /// Skills in force that a replacing import does not have.
    pub skills_dropped: usize,
    pub occupation_groups: usize,
    pub occupation_names: usize,
    pub municipalities: usize,
    pub languages: usize,
    pub driving_licences: usize,
    pub certificates: usize,
    /// The municipality file positions came from, or `taxonomy in force`.
    pub positions_from: String,
    /// What was left out and why, one sentence each.
    pub left_out: Vec<String>,
}

impl DeriveSummary {
    /// One line for a terminal.
    pub fn line(&self) -> String {
        format!(
            "{} skills ({} new, {} relabelled, {} dropped), {} occupation groups, {} occupation names, {} municipalities, {} languages, {} driving licences, {} certificates",
            self.skills,
            self.skills_added,
            self.skills_relabelled,
            self.skills_dropped,
            self.occupation_groups,
            self.occupation_names,
            self.municipalities,
            self.languages,
            self.driving_licences,
            self.certificates
        )
    }
}

#[derive(Deserialize)]
struct RawConcept {
    #[serde(rename = "preferredLabel", default)]
    label: String,
    #[serde(rename = "type", default)]
    kind: String,
}

/// Concepts of the types jobmatch uses, each by id in id order.
#[derive(Default)]
struct Concepts {
    skills: BTreeMap<String, String>,
    groups: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
    municipalities: BTreeMap<String, String>,
    languages: BTreeMap<String, String>,
    driving_licences: BTreeMap<String, String>,
}

impl Concepts {
    fn read(dir: &Path) -> Result<Concepts, TaxonomyError> {
        let path = dir.join(CONCEPTS_FILE);
        let file = path.display().to_string();
        let text = read(&path)?;
        let raw: BTreeMap<String, RawConcept> = serde_json::from_str(&text).map_err(|e| {
            TaxonomyError::parse(
                &file,
                e.line() as u64,
                format!("{e}; expected one object of concept id → {{preferredLabel, type}}"),
            )
        })?;
        let mut concepts = Concepts::default();
        for (id, c) in raw {
            let label = c.label.trim().to_owned();
            if id.trim().is_empty() || label.is_empty() {
                continue;
            }
            let into = match c.kind.as_str() {
                "skill" => &mut concepts.skills,
                "ssyk-level-4" => &mut concepts.groups,
                "occupation-name" => &mut concepts.names,
                "municipality" => &mut concepts.municipalities,
                "language" => &mut concepts.languages,
                "driving-licence" => &mut concepts.driving_licences,
                _ => continue,
            };
            into.insert(id, label);
        }
        if concepts.skills.is_empty() && concepts.groups.is_empty() {
            return Err(TaxonomyError::parse(
                &file,
                1,
                "no skill or ssyk-level-4 concepts; is this JobTech's concept-to-taxonomy.json?",
            ));
        }
        Ok(concepts)
    }
}

fn read(path: &Path) -> Result<String, TaxonomyError> {
    std::fs::read_to_string(path).map_err(|source| TaxonomyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the named columns of every row of a CSV source, in file order.
fn columns<const N: usize>(
    source: &Source<'_>,
    names: [&str; N],
) -> Result<Vec<[String; N]>, TaxonomyError> {
    let table = source.table()?;
    let cols = table.columns(names)?;
    let mut out = Vec::new();
    for row in table.rows() {
        let row = row?;
        out.push(cols.map(|c| row.get(c).to_owned()));
    }
    Ok(out)
}

/// The named columns of a base file; an absent optional file has no rows.
fn base_rows<const N: usize>(
    base: &TaxonomyData,
    name: &str,
    names: [&str; N],
) -> Result<Vec<[String; N]>, TaxonomyError> {
    match base.source(name) {
        Some(source) => columns(&source, names),
        None => Ok(Vec::new()),
    }
}

fn file_rows<const N: usize>(
    path: &Path,
    names: [&str; N],
) -> Result<Vec<[String; N]>, TaxonomyError> {
    let source = Source {
        name: path.display().to_string(),
        text: Cow::Owned(read(path)?),
    };
    columns(&source, names)
}

/// Sets a file to these rows, keeping the base's text as it is when its rows are the same
/// (so a file nothing changed in keeps its bytes, and an import of what is in force is
/// recognised as such by its checksum).
fn set_table<const N: usize>(
    out: &mut TaxonomyData,
    base: &TaxonomyData,
    name: &str,
    header: [&str; N],
    rows: &[[String; N]],
) -> Result<(), TaxonomyError> {
    let unchanged = base.get(name).is_some() && base_rows(base, name, header)? == rows;
    if unchanged {
        out.set(name, base.get(name).map(str::to_owned));
    } else {
        out.set(name, Some(csv_text(header, rows)));
    }
    Ok(())
}

fn csv_text<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory fails only on a bug; an empty table would then fail to load.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Derives the taxonomy that importing `files` over `base` gives, and checks that it loads.
pub fn derive(
    files: &JobTechFiles,
    base: &TaxonomyData,
    mode: ImportMode,
) -> Result<(TaxonomyData, DeriveSummary), TaxonomyError> {
    let dir = files.dir.as_path();
    let concepts = Concepts::read(dir)?;
    let replace = mode == ImportMode::Replace;
    let mut summary = DeriveSummary {
        mode,
        ..DeriveSummary::default()
    };
    let mut out = base.clone();

    // Skills: demand is the base's (it comes from ad data, not from the taxonomy).
    let base_skills = base_rows(base, load::SKILLS, ["concept_id", "label", "demand"])?;
    let demand: HashMap<&str, &str> = base_skills
        .iter()
        .map(|[id, _, d]| (id.as_str(), d.as_str()))
        .collect();
    let mut skills: BTreeMap<String, (String, String)> = BTreeMap::new();
    if !replace {
        for [id, label, d] in &base_skills {
            skills.insert(id.clone(), (label.clone(), d.clone()));
        }
    }
    let base_labels: HashMap<&str, &str> = base_skills
        .iter()
        .map(|[id, l, _]| (id.as_str(), l.as_str()))
        .collect();
    // A former label stays an alias, so people who learnt it still find the concept.
    let mut former: BTreeMap<String, String> = BTreeMap::new();
    for (id, label) in &concepts.skills {
        match base_labels.get(id.as_str()) {
            None => summary.skills_added += 1,
            Some(old) if *old != label => {
                summary.skills_relabelled += 1;
                former.insert(id.clone(), (*old).to_owned());
            }
            Some(_) => {}
        }
        let d = demand.get(id.as_str()).map_or("0", |d| d).to_owned();
        skills.insert(id.clone(), (label.clone(), d));
    }
    if replace {
        summary.skills_dropped = base_skills
            .iter()
            .filter(|[id, ..]| !concepts.skills.contains_key(id))
            .count();
    }
    summary.skills = skills.len();
    let skill_rows: Vec<[String; 3]> = skills
        .iter()
        .map(|(id, (l, d))| [id.clone(), l.clone(), d.clone()])
        .collect();
    set_table(
        &mut out,
        base,
        load::SKILLS,
        ["concept_id", "label", "demand"],
        &skill_rows,
    )?;

    // Occupation groups: the official code from JobTech's group file, else the base's.
    let base_groups = base_rows(
        base,
        load::OCCUPATIONS,
        ["ssyk_code", "concept_id", "label"],
    )?;
    let base_code: HashMap<&str, &str> = base_groups
        .iter()
        .map(|[c, id, _]| (id.as_str(), c.as_str()))
        .collect();
    let group_file = file_rows(
        &dir.join(GROUPS_FILE),
        ["ssyk_level4_concept_id", "ssyk_2012_code", "label"],
    )?;
    let official: HashMap<&str, &str> = group_file
        .iter()
        .filter(|[_, c, _]| !c.is_empty())
        .map(|[id, c, _]| (id.as_str(), c.as_str()))
        .collect();
    // The group file's labels are SSYK's own; the concept file's differ in a few spellings.
    let official_label: HashMap<&str, &str> = group_file
        .iter()
        .filter(|[_, _, l]| !l.is_empty())
        .map(|[id, _, l]| (id.as_str(), l.as_str()))
        .collect();
    let mut groups: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut uncoded = 0;
    let mut clashing = 0;
    for (id, label) in &concepts.groups {
        let Some(code) = official
            .get(id.as_str())
            .or_else(|| base_code.get(id.as_str()))
        else {
            uncoded += 1;
            continue;
        };
        if groups.contains_key(*code) {
            clashing += 1;
            continue;
        }
        let label = official_label
            .get(id.as_str())
            .map_or(label.as_str(), |l| l);
        groups.insert((*code).to_owned(), (id.clone(), label.to_owned()));
    }
    if !replace {
        for [code, id, label] in &base_groups {
            if !concepts.groups.contains_key(id) && !groups.contains_key(code) {
                groups.insert(code.clone(), (id.clone(), label.clone()));
            }
        }
    }
    note(
        &mut summary.left_out,
        uncoded,
        "occupation groups with no SSYK code in the group file or in force",
    );
    note(
        &mut summary.left_out,
        clashing,
        "occupation groups whose SSYK code another group already has",
    );
    summary.occupation_groups = groups.len();
    let group_rows: Vec<[String; 3]> = groups
        .iter()
        .map(|(code, (id, l))| [code.clone(), id.clone(), l.clone()])
        .collect();
    set_table(
        &mut out,
        base,
        load::OCCUPATIONS,
        ["ssyk_code", "concept_id", "label"],
        &group_rows,
    )?;

    // Occupation names, each under a group that is in the result.
    let base_names = base_rows(
        base,
        load::OCCUPATION_NAMES,
        ["concept_id", "label", "ssyk_code"],
    )?;
    let base_name_code: HashMap<&str, &str> = base_names
        .iter()
        .map(|[id, _, c]| (id.as_str(), c.as_str()))
        .collect();
    let name_file = file_rows(
        &dir.join(NAMES_FILE),
        ["occupation_concept_id", "ssyk_2012_code"],
    )?;
    let name_code: HashMap<&str, &str> = name_file
        .iter()
        .map(|[id, c]| (id.as_str(), c.trim_end_matches('*')))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let mut names: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut ungrouped = 0;
    for (id, label) in &concepts.names {
        match name_code
            .get(id.as_str())
            .or_else(|| base_name_code.get(id.as_str()))
            .filter(|c| groups.contains_key(**c))
        {
            Some(code) => {
                names.insert(id.clone(), (label.clone(), (*code).to_owned()));
            }
            None => ungrouped += 1,
        }
    }
    if !replace {
        for [id, label, code] in &base_names {
            if !names.contains_key(id) && groups.contains_key(code) {
                names.insert(id.clone(), (label.clone(), code.clone()));
            }
        }
    }
    note(
        &mut summary.left_out,
        ungrouped,
        "occupation names with no SSYK group",
    );
    summary.occupation_names = names.len();
    let mut name_rows: Vec<[String; 3]> = names
        .iter()
        .map(|(id, (l, c))| [id.clone(), l.clone(), c.clone()])
        .collect();
    name_rows.sort_by(|a, b| (&a[2], &a[1], &a[0]).cmp(&(&b[2], &b[1], &b[0])));
    set_table(
        &mut out,
        base,
        load::OCCUPATION_NAMES,
        ["concept_id", "label", "ssyk_code"],
        &name_rows,
    )?;

    summary.municipalities =
        municipalities(files, base, &concepts, replace, &mut out, &mut summary)?;
    summary.languages = languages(base, &concepts, replace, &mut out)?;
    let (driving, certificates) = licences(base, &concepts, replace, &mut out, &mut summary)?;
    summary.driving_licences = driving;
    summary.certificates = certificates;

    curated_for(
        &mut out,
        base,
        Kept {
            skills: &skills,
            former: &former,
            groups: &groups,
            names: &names,
        },
        &mut summary,
    )?;

    out = out.with_origin(format!("import of {}", dir.display()));
    out.build()?;
    Ok((out, summary))
}

fn note(left_out: &mut Vec<String>, count: usize, what: &str) {
    if count > 0 {
        left_out.push(format!("{count} {what}"));
    }
}

/// Municipalities: names from the concepts, codes and positions from the municipality file
/// (or the base) by concept id, since JobTech's own ids for them are not the official codes.
fn municipalities(
    files: &JobTechFiles,
    base: &TaxonomyData,
    concepts: &Concepts,
    replace: bool,
    out: &mut TaxonomyData,
    summary: &mut DeriveSummary,
) -> Result<usize, TaxonomyError> {
    const HEADER: [&str; 6] = ["code", "name", "county_code", "lat", "lon", "concept_id"];
    let base_rows = base_rows(base, load::MUNICIPALITIES, HEADER)?;
    let file = files.municipalities.clone().or_else(|| {
        [
            files.dir.join(MUNICIPALITIES_FILE),
            files
                .dir
                .join("../municipalities")
                .join(MUNICIPALITIES_FILE),
        ]
        .into_iter()
        .find(|p| p.is_file())
    });
    // Each row as the base file lays it out, by concept id.
    let mut positions: HashMap<String, [String; 6]> = HashMap::new();
    for row in &base_rows {
        positions.insert(row[5].clone(), row.clone());
    }
    summary.positions_from = "taxonomy in force".to_owned();
    if let Some(path) = &file {
        let rows = file_rows(
            path,
            [
                "municipality_code",
                "name",
                "region_code",
                "lat",
                "lon",
                "jobtech_concept_id",
            ],
        )?;
        for row in rows {
            positions.insert(row[5].clone(), row);
        }
        summary.positions_from = path.display().to_string();
    }
    let mut by_code: BTreeMap<String, [String; 6]> = BTreeMap::new();
    let mut unplaced = 0;
    for (id, name) in &concepts.municipalities {
        match positions.get(id) {
            Some(row) if !by_code.contains_key(&row[0]) => {
                let mut row = row.clone();
                row[1] = name.clone();
                by_code.insert(row[0].clone(), row);
            }
            _ => unplaced += 1,
        }
    }
    if !replace {
        for row in base_rows {
            if !concepts.municipalities.contains_key(&row[5]) && !by_code.contains_key(&row[0]) {
                by_code.insert(row[0].clone(), row);
            }
        }
    }
    note(
        &mut summary.left_out,
        unplaced,
        "municipalities with no official code and position",
    );
    let rows: Vec<[String; 6]> = by_code.into_values().collect();
    set_table(out, base, load::MUNICIPALITIES, HEADER, &rows)?;
    Ok(rows.len())
}

fn languages(
    base: &TaxonomyData,
    concepts: &Concepts,
    replace: bool,
    out: &mut TaxonomyData,
) -> Result<usize, TaxonomyError> {
    let mut langs: BTreeMap<String, String> = BTreeMap::new();
    if !replace {
        for [id, label] in base_rows(base, load::LANGUAGES, ["concept_id", "label"])? {
            langs.insert(id, label);
        }
    }
    langs.extend(concepts.languages.clone());
    let mut rows: Vec<[String; 2]> = langs.into_iter().map(|(id, l)| [id, l]).collect();
    rows.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
    set_table(out, base, load::LANGUAGES, ["concept_id", "label"], &rows)?;
    Ok(rows.len())
}

/// Driving licences from the concepts, keeping the base's codes, inclusions and aliases for
/// those it knows; the certificates are jobmatch's own and always stay. Returns the number of
/// driving licences and of certificates.
fn licences(
    base: &TaxonomyData,
    concepts: &Concepts,
    replace: bool,
    out: &mut TaxonomyData,
    summary: &mut DeriveSummary,
) -> Result<(usize, usize), TaxonomyError> {
    const HEADER: [&str; 6] = ["concept_id", "code", "label", "kind", "implies", "aliases"];
    let base_rows = base_rows(base, load::LICENCES, HEADER)?;
    let mut rows: Vec<[String; 6]> = base_rows
        .iter()
        .filter(|r| r[3] != "driving" || !replace || concepts.driving_licences.contains_key(&r[0]))
        .cloned()
        .collect();
    let known: BTreeSet<&str> = base_rows.iter().map(|r| r[0].as_str()).collect();
    let mut clashing = 0;
    for (id, label) in &concepts.driving_licences {
        if known.contains(id.as_str()) {
            continue;
        }
        let code: String = label
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if rows.iter().any(|r| fold(&r[1]) == fold(&code)) {
            clashing += 1;
            continue;
        }
        rows.push([
            id.clone(),
            code,
            label.clone(),
            "driving".to_owned(),
            String::new(),
            String::new(),
        ]);
    }
    note(
        &mut summary.left_out,
        clashing,
        "driving licences whose code another licence already has",
    );
    // An inclusion of a licence no longer listed would not load.
    let codes: BTreeSet<String> = rows.iter().map(|r| r[1].clone()).collect();
    for r in &mut rows {
        r[4] = r[4]
            .split('|')
            .map(str::trim)
            .filter(|c| codes.contains(*c))
            .collect::<Vec<_>>()
            .join("|");
    }
    let driving = rows.iter().filter(|r| r[3] == "driving").count();
    let certificates = rows.len() - driving;
    set_table(out, base, load::LICENCES, HEADER, &rows)?;
    Ok((driving, certificates))
}

/// The concepts a derivation keeps, by id (skills, names) or code (groups).
struct Kept<'a> {
    skills: &'a BTreeMap<String, (String, String)>,
    /// Skills JobTech relabelled, with the label in force before.
    former: &'a BTreeMap<String, String>,
    groups: &'a BTreeMap<String, (String, String)>,
    names: &'a BTreeMap<String, (String, String)>,
}

/// The curated aliases and the derived skill lists and relatedness, kept for the concepts that
/// remain, and a relabelled skill's former label as an alias. An alias that is now another
/// concept's own label gives way to it (JobTech made that word a concept of its own), and is
/// listed as left out.
fn curated_for(
    out: &mut TaxonomyData,
    base: &TaxonomyData,
    kept: Kept<'_>,
    summary: &mut DeriveSummary,
) -> Result<(), TaxonomyError> {
    let Kept {
        skills,
        former,
        groups,
        names,
    } = kept;
    // The first concept to claim each folded label, as the loader's lexicon settles it.
    let mut skill_label: HashMap<String, &str> = HashMap::new();
    for (id, (label, _)) in skills {
        skill_label.entry(fold(label)).or_insert(id);
    }
    let mut given_way = Vec::new();
    let header = ["concept_id", "label", "label_en", "aliases"];
    let mut rows: Vec<[String; 4]> = base_rows(base, load::SKILL_ALIASES, header)?;
    for (id, old) in former {
        if skills
            .get(id)
            .is_some_and(|(new, _)| fold(new) == fold(old))
        {
            continue;
        }
        match rows.iter_mut().find(|r| r[0] == *id) {
            Some(row) if row[3].split('|').any(|a| fold(a) == fold(old)) => {}
            Some(row) if row[3].is_empty() => row[3] = old.clone(),
            Some(row) => row[3] = format!("{}|{old}", row[3]),
            None => rows.push([id.clone(), String::new(), String::new(), old.clone()]),
        }
    }
    if !rows.is_empty() {
        let mut out_rows = Vec::new();
        for [id, _, en, list] in rows {
            let Some((label, _)) = skills.get(&id) else {
                continue;
            };
            let own = fold(label);
            let free = |alias: &str| {
                let key = fold(alias);
                key == own || skill_label.get(&key).is_none_or(|owner| *owner == id)
            };
            let mut keep = |alias: &str| {
                let ok = free(alias);
                if !ok {
                    given_way.push(alias.to_owned());
                }
                ok
            };
            let en = if en.is_empty() || keep(&en) {
                en
            } else {
                String::new()
            };
            let list = list
                .split('|')
                .map(str::trim)
                .filter(|a| !a.is_empty() && keep(a))
                .collect::<Vec<_>>()
                .join("|");
            out_rows.push([id.clone(), label.clone(), en, list]);
        }
        set_table(out, base, load::SKILL_ALIASES, header, &out_rows)?;
    }

    // Occupations: group labels, then names in group order, as the loader claims them.
    let mut occupation_label: HashMap<String, &str> = HashMap::new();
    for (code, (_, label)) in groups {
        occupation_label.entry(fold(label)).or_insert(code);
    }
    let mut by_group: Vec<(&str, &str)> = names
        .values()
        .map(|(l, c)| (c.as_str(), l.as_str()))
        .collect();
    by_group.sort();
    for (code, label) in by_group {
        occupation_label.entry(fold(label)).or_insert(code);
    }
    if base.get(load::OCCUPATION_ALIASES).is_some() {
        let header = ["alias", "ssyk_code", "note"];
        let mut rows = Vec::new();
        for [alias, code, note] in base_rows(base, load::OCCUPATION_ALIASES, header)? {
            let Some((_, label)) = groups.get(&code) else {
                continue;
            };
            let key = fold(&alias);
            if key != fold(label) && occupation_label.get(&key).is_some_and(|c| *c != code) {
                given_way.push(alias);
                continue;
            }
            rows.push([alias, code, note]);
        }
        set_table(out, base, load::OCCUPATION_ALIASES, header, &rows)?;
    }
    if !given_way.is_empty() {
        summary.left_out.push(format!(
            "{} curated aliases that are now another concept's label: {}",
            given_way.len(),
            given_way.join(", ")
        ));
    }

    let header = ["ssyk_code", "skill_ids"];
    let rows: Vec<[String; 2]> = base_rows(base, load::OCCUPATION_SKILLS, header)?
        .into_iter()
        .filter(|[code, _]| groups.contains_key(code))
        .map(|[code, ids]| {
            let ids = ids
                .split('|')
                .map(str::trim)
                .filter(|id| skills.contains_key(*id))
                .collect::<Vec<_>>()
                .join("|");
            [code, ids]
        })
        .collect();
    set_table(out, base, load::OCCUPATION_SKILLS, header, &rows)?;

    if base.get(load::RELATED_SKILLS).is_some() {
        let header = ["skill_id", "related_id", "similarity"];
        let rows: Vec<[String; 3]> = base_rows(base, load::RELATED_SKILLS, header)?
            .into_iter()
            .filter(|[a, b, _]| skills.contains_key(a) && skills.contains_key(b))
            .collect();
        set_table(out, base, load::RELATED_SKILLS, header, &rows)?;
    }
    if base.get(load::RELATED_OCCUPATIONS).is_some() {
        let header = ["ssyk_code", "related_code", "similarity"];
        let rows: Vec<[String; 3]> = base_rows(base, load::RELATED_OCCUPATIONS, header)?
            .into_iter()
            .filter(|[a, b, _]| groups.contains_key(a) && groups.contains_key(b))
            .collect();
        set_table(out, base, load::RELATED_OCCUPATIONS, header, &rows)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
