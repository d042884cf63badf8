//! [`TaxonomyData`]: the files one taxonomy is built from, as text in the layout of
//! `fixtures/`, wherever they came from (compiled in, a directory, a version stored in the
//! database). Holding the text rather than the built [`Taxonomy`] is what lets a version be
//! stored, compared by checksum and rebuilt identically on every instance.
//!
//! What this module must not do: interpret the files (that is `load`) or derive them from
//! JobTech's own files (that is `jobtech`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::Taxonomy;
use super::error::TaxonomyError;
use super::load::{self, Source, Sources};

/// Every file of a taxonomy by its path under `fixtures/`, whether it must be present, and the
/// shipped copy compiled into the binary.
const FILES: [(&str, bool, &str); 13] = [
    (
        load::SKILLS,
        true,
        include_str!("../../fixtures/taxonomy/skills.csv"),
    ),
    (
        load::SKILL_ALIASES,
        false,
        include_str!("../../fixtures/taxonomy/skill_aliases.csv"),
    ),
    (
        load::OCCUPATIONS,
        true,
        include_str!("../../fixtures/taxonomy/occupations.csv"),
    ),
    (
        load::OCCUPATION_NAMES,
        true,
        include_str!("../../fixtures/taxonomy/occupation_names.csv"),
    ),
    (
        load::OCCUPATION_ALIASES,
        false,
        include_str!("../../fixtures/taxonomy/occupation_aliases.csv"),
    ),
    (
        load::OCCUPATION_SKILLS,
        true,
        include_str!("../../fixtures/taxonomy/occupation_skills.csv"),
    ),
    (
        load::RELATED_SKILLS,
        false,
        include_str!("../../fixtures/taxonomy/related_skills.csv"),
    ),
    (
        load::RELATED_OCCUPATIONS,
        false,
        include_str!("../../fixtures/taxonomy/related_occupations.csv"),
    ),
    (
        load::MUNICIPALITIES,
        true,
        include_str!("../../fixtures/taxonomy/municipalities.csv"),
    ),
    (
        load::LANGUAGES,
        true,
        include_str!("../../fixtures/taxonomy/languages.csv"),
    ),
    (
        load::LICENCES,
        true,
        include_str!("../../fixtures/taxonomy/licences.csv"),
    ),
    (
        load::SWEDISH_LEVELS,
        true,
        include_str!("../../fixtures/swedish_levels.csv"),
    ),
    // Language, not taxonomy: a directory without its own table reads ads as shipped.
    (
        load::SWEDISH_PHRASES,
        false,
        include_str!("../../fixtures/swedish_phrases.csv"),
    ),
];

/// The text of a taxonomy's files, keyed by their path under `fixtures/`
/// (`taxonomy/skills.csv`, `swedish_levels.csv`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxonomyData {
    /// Where the files came from, as errors name them: `fixtures`, a directory, a version.
    origin: String,
    files: BTreeMap<String, String>,
}

impl TaxonomyData {
    /// The files compiled into the binary from `fixtures/`.
    pub fn embedded() -> TaxonomyData {
        TaxonomyData {
            origin: "fixtures".to_owned(),
            files: FILES
                .iter()
                .map(|&(name, _, text)| (name.to_owned(), text.to_owned()))
                .collect(),
        }
    }

    /// The files of a directory in the layout of `fixtures/`. Every file is required but the
    /// curated aliases and the derived relatedness; a directory without its own Swedish phrase
    /// table gets the shipped one.
    pub fn read_dir(dir: &Path) -> Result<TaxonomyData, TaxonomyError> {
        let mut files = BTreeMap::new();
        for (name, required, shipped) in FILES {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    files.insert(name.to_owned(), text);
                }
                Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                    if name == load::SWEDISH_PHRASES {
                        files.insert(name.to_owned(), shipped.to_owned());
                    }
                }
                Err(source) => return Err(TaxonomyError::Io { path, source }),
            }
        }
        Ok(TaxonomyData {
            origin: dir.display().to_string(),
            files,
        })
    }

    /// Files as stored (see [`TaxonomyData::to_json`]); `origin` names them in errors.
    pub fn from_json(origin: &str, json: &str) -> Result<TaxonomyData, TaxonomyError> {
        let files = serde_json::from_str(json).map_err(|e| {
            TaxonomyError::parse(origin, e.line() as u64, format!("stored files: {e}"))
        })?;
        Ok(TaxonomyData {
            origin: origin.to_owned(),
            files,
        })
    }

    /// One JSON object of file path → text, in path order: the form a version is stored in.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.files).unwrap_or_default()
    }

    /// SHA-256 over every file's path and text, in path order: two imports that would build
    /// the same taxonomy have the same checksum.
    pub fn checksum(&self) -> String {
        let mut hash = Sha256::new();
        for (name, text) in &self.files {
            for part in [name.as_bytes(), &[0], text.as_bytes(), &[0]] {
                hash.update(part);
            }
        }
        hex::encode(hash.finalize())
    }

    /// Builds and checks the taxonomy these files describe.
    pub fn build(&self) -> Result<Taxonomy, TaxonomyError> {
        Taxonomy::from_sources(&self.sources()?)
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }

    /// A file's text, if the data has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// Sets (or, with `None`, removes) one file.
    pub(crate) fn set(&mut self, name: &str, text: Option<String>) {
        match text {
            Some(text) => self.files.insert(name.to_owned(), text),
            None => self.files.remove(name),
        };
    }

    pub(crate) fn source(&self, name: &str) -> Option<Source<'_>> {
        self.files.get(name).map(|text| Source {
            name: format!("{}/{name}", self.origin),
            text: Cow::Borrowed(text.as_str()),
        })
    }

    fn required(&self, name: &str) -> Result<Source<'_>, TaxonomyError> {
        self.source(name).ok_or_else(|| {
            TaxonomyError::parse(&format!("{}/{name}", self.origin), 0, "the file is missing")
        })
    }

    fn sources(&self) -> Result<Sources<'_>, TaxonomyError> {
        Ok(Sources {
            skills: self.required(load::SKILLS)?,
            skill_aliases: self.source(load::SKILL_ALIASES),
            occupations: self.required(load::OCCUPATIONS)?,
            occupation_names: self.required(load::OCCUPATION_NAMES)?,
            occupation_aliases: self.source(load::OCCUPATION_ALIASES),
            occupation_skills: self.required(load::OCCUPATION_SKILLS)?,
            related_skills: self.source(load::RELATED_SKILLS),
            related_occupations: self.source(load::RELATED_OCCUPATIONS),
            municipalities: self.required(load::MUNICIPALITIES)?,
            languages: self.required(load::LANGUAGES)?,
            licences: self.required(load::LICENCES)?,
            swedish_levels: self.required(load::SWEDISH_LEVELS)?,
            swedish_phrases: self.required(load::SWEDISH_PHRASES)?,
        })
    }
}
