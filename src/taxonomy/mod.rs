//! Concepts, normalisation, Swedish levels, municipalities and licences.
//!
//! This module owns the reference data matching is built on (JobTech skills, SSYK 2012
//! occupation groups and names, municipalities with positions, languages, driving licences and
//! certificates, spellings of Swedish levels) and the one way free text is turned into those
//! concepts: fold case and diacritics, try labels and curated aliases exactly, then a fuzzy
//! match that must satisfy both Jaro-Winkler and normalised Damerau-Levenshtein. Text that
//! matches nothing stays free text; it is never forced onto the nearest concept.
//!
//! It is plain data and functions: it loads CSV once (embedded at build time, or from a
//! directory a unit can replace) and then only answers questions. It must not do I/O after
//! loading, know about HTTP, storage or the index, or score anything (that is `rank`).

mod ad_text;
mod data;
mod error;
mod fold;
pub mod jobtech;
mod lexicon;
mod load;
mod swedish;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::model::{ConceptId, GeoPoint, Occupation, SsykCode, SwedishLevel, Term};

pub use ad_text::SwedishReading;
pub use data::TaxonomyData;
pub use error::TaxonomyError;
pub use fold::fold;

use ad_text::SwedishPhrases;
use lexicon::Lexicon;
use swedish::SwedishLevels;

/// One of Sweden's 290 municipalities, with the main town's position for distances.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Municipality {
    /// Official four-digit kommunkod, e.g. `0180`.
    pub code: String,
    pub name: String,
    /// Two-digit län code, the first two digits of `code`.
    pub county_code: String,
    pub point: GeoPoint,
    pub concept_id: ConceptId,
}

/// Whether a licence is a driving-licence class or a certificate (truckkort, hygienbevis…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceKind {
    Driving,
    Certificate,
}

/// A driving-licence class or certificate an opening can require, with the lesser ones it
/// includes, so that holding CE satisfies an opening asking for B.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Licence {
    pub concept_id: ConceptId,
    /// Short code: `B`, `CE`, `TRUCK`, `HYGIENE`.
    pub code: String,
    pub label: String,
    pub kind: LicenceKind,
    /// Codes of the licences this one directly includes (CE → C, C1E).
    pub implies: Vec<String>,
}

struct Skill {
    id: ConceptId,
    label: String,
    demand: u32,
    rarity: f32,
}

struct Language {
    id: ConceptId,
    label: String,
}

/// The loaded taxonomy: every look-up free text goes through before matching.
///
/// Load it once at startup (some 20 ms in release) and share it, e.g. in an `Arc`; it is
/// immutable and `Sync`.
///
/// ```
/// use jobmatch::taxonomy::Taxonomy;
/// let tax = Taxonomy::embedded()?;
/// let term = tax.skill("Truckkörkort");
/// assert_eq!(term.concept_id().map(|id| id.as_str()), Some("CiMi_7ax_tXs"));
/// assert_eq!(tax.occupation("5321")?.label, "Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering");
/// # Ok::<(), jobmatch::taxonomy::TaxonomyError>(())
/// ```
/// The specificity of the most asked-for skill: little evidence, but not none.
const MIN_SPECIFICITY: f32 = 0.05;
/// Longest skill name, in words, looked for in ad text.
const MAX_SKILL_WORDS: usize = 4;
/// Shortest single word read as a skill in ad text, in letters.
pub const MIN_INFERRED_WORD: usize = 4;

/// What a form field asks for, for suggestions as a person types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestKind {
    Skill,
    Occupation,
    Municipality,
    Licence,
}

/// One suggestion: what to put in the field, and what to show.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// The value a body accepts: a skill's label, an SSYK code, a kommunkod, a licence code.
    pub value: String,
    pub label: String,
}

impl Suggestion {
    fn new(value: &str, label: &str) -> Self {
        Suggestion {
            value: value.to_owned(),
            label: label.to_owned(),
        }
    }
}

#[derive(Default)]
pub struct Taxonomy {
    skills: Vec<Skill>,
    skill_ids: HashMap<String, u32>,
    skill_lexicon: Lexicon,
    skill_alias_count: usize,

    /// Sorted by code.
    occupations: Vec<Occupation>,
    occupation_codes: HashMap<SsykCode, u32>,
    /// Group concept ids and occupation-name concept ids, both → group.
    occupation_ids: HashMap<String, u32>,
    occupation_lexicon: Lexicon,
    occupation_skills: HashMap<SsykCode, Vec<ConceptId>>,
    /// By skill index: related skills by index, with their similarity, most similar first.
    related_skills: HashMap<u32, Vec<(u32, f32)>>,
    /// Related groups with their similarity, most similar first.
    related_occupations: HashMap<SsykCode, Vec<(SsykCode, f32)>>,

    municipalities: Vec<Municipality>,
    /// Code, concept id and lowercased name.
    municipality_exact: HashMap<String, u32>,
    /// Folded name; `None` where two names fold alike (Håbo, Habo).
    municipality_folded: HashMap<String, Option<u32>>,

    languages: Vec<Language>,
    language_ids: HashMap<String, u32>,
    language_lexicon: Lexicon,

    licences: Vec<Licence>,
    licence_ids: HashMap<String, u32>,
    licence_codes: HashMap<String, u32>,
    licence_lexicon: Lexicon,

    swedish: SwedishLevels,
    swedish_phrases: SwedishPhrases,
}

impl fmt::Debug for Taxonomy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Taxonomy")
            .field("skills", &self.skills.len())
            .field("skill_keys", &self.skill_lexicon.len())
            .field("occupations", &self.occupations.len())
            .field("occupation_keys", &self.occupation_lexicon.len())
            .field("municipalities", &self.municipalities.len())
            .field("languages", &self.languages.len())
            .field("licences", &self.licences.len())
            .finish()
    }
}

impl Taxonomy {
    /// The taxonomy compiled into the binary from `fixtures/`, so jobmatch runs with no data
    /// files at hand. Fails only if the fixtures themselves are broken, which the tests catch.
    pub fn embedded() -> Result<Taxonomy, TaxonomyError> {
        TaxonomyData::embedded().build()
    }

    /// The same files read from a directory with the `fixtures/` layout, so a unit can replace
    /// or extend the data without rebuilding. The curated `taxonomy/skill_aliases.csv` and
    /// `taxonomy/occupation_aliases.csv` are optional; every other file is required.
    pub fn load_dir(fixtures_dir: &Path) -> Result<Taxonomy, TaxonomyError> {
        TaxonomyData::read_dir(fixtures_dir)?.build()
    }

    /// Concepts of one kind whose label (or code) begins with, then contains, what a person
    /// has typed so far, most asked-for skills first among equals: the suggestions a form
    /// offers as they type. Folding makes "lager" find "Lagerarbete" and "forskola"
    /// "Förskola".
    pub fn suggest(&self, kind: SuggestKind, typed: &str, limit: usize) -> Vec<Suggestion> {
        let typed = fold(typed);
        if typed.is_empty() || limit == 0 {
            return Vec::new();
        }
        let candidates: Vec<(Suggestion, u32)> = match kind {
            SuggestKind::Skill => self
                .skills
                .iter()
                .map(|s| (Suggestion::new(&s.label, &s.label), s.demand))
                .collect(),
            SuggestKind::Occupation => self
                .occupations
                .iter()
                .map(|o| {
                    let code = o.code.to_string();
                    (Suggestion::new(&code, &format!("{code} {}", o.label)), 0)
                })
                .collect(),
            SuggestKind::Municipality => self
                .municipalities
                .iter()
                .map(|m| {
                    (
                        Suggestion::new(&m.code, &format!("{} ({})", m.name, m.code)),
                        0,
                    )
                })
                .collect(),
            SuggestKind::Licence => self
                .licences
                .iter()
                .map(|l| {
                    (
                        Suggestion::new(&l.code, &format!("{} ({})", l.label, l.code)),
                        0,
                    )
                })
                .collect(),
        };
        let mut found: Vec<(bool, u32, Suggestion)> = candidates
            .into_iter()
            .filter_map(|(s, demand)| {
                let label = fold(&s.label);
                let starts = label.starts_with(&typed)
                    || label.split(' ').any(|word| word.starts_with(&typed));
                (starts || label.contains(&typed)).then_some((!starts, u32::MAX - demand, s))
            })
            .collect();
        found.sort_by(|a, b| (a.0, a.1, &a.2.label).cmp(&(b.0, b.1, &b.2.label)));
        found.into_iter().take(limit).map(|(_, _, s)| s).collect()
    }

    /// Normalises a skill as written (Swedish or English label, alias, common misspelling, or
    /// the concept id itself) to its concept; anything else stays free text, trimmed.
    pub fn skill(&self, input: &str) -> Term {
        let text = input.trim();
        let found = match self.skill_ids.get(text) {
            Some(&i) => Some((i, true)),
            None => self.skill_lexicon.find(&fold(text)).map(|i| (i, false)),
        };
        match found.and_then(|(i, by_id)| Some((self.skills.get(i as usize)?, by_id))) {
            Some((s, by_id)) => concept_term(&s.id, &s.label, text, by_id),
            None => free_text(text),
        }
    }

    /// The preferred Swedish label of a skill, for showing stored ids to people.
    pub fn skill_label(&self, id: &ConceptId) -> Option<&str> {
        self.skill_by_id(id).map(|s| s.label.as_str())
    }

    /// How much holding (or missing) this skill should count in a match, in [1, 2]: skills few
    /// occupations ask for are the ones that distinguish a candidate.
    ///
    /// With `d` the skill's demand (in how many occupations' most-asked-for lists it appears,
    /// `skills.csv`) and `N` the highest demand of any skill:
    /// `w = 1 + (ln(1 + N/(1+d)) − ln(1 + N/(1+N))) / (ln(1 + N) − ln(1 + N/(1+N)))`,
    /// so the most asked-for skill weighs 1.0 and a skill no occupation lists weighs 2.0.
    /// Unknown ids (and free text, which has none) weigh 1.0.
    pub fn skill_rarity(&self, id: &ConceptId) -> f32 {
        self.skill_by_id(id).map_or(1.0, |s| s.rarity)
    }

    /// How occupation-specific a skill is, in [0.05, 1]: 1 when no occupation's most-asked-for
    /// list names it, falling on the rarity's log scale to 0.05 for the skill named in most (at
    /// least that, so holding it still counts for something); `None` for a skill the taxonomy
    /// does not know.
    pub fn skill_specificity(&self, id: &ConceptId) -> Option<f32> {
        self.skill_by_id(id)
            .map(|s| (s.rarity - 1.0).clamp(MIN_SPECIFICITY, 1.0))
    }

    /// Skills the same occupations ask for as they ask for this one, with their similarity in
    /// (0, 1], most similar first (`fixtures/taxonomy/related_skills.csv`).
    pub fn related_skills<'a>(
        &'a self,
        id: &ConceptId,
    ) -> impl Iterator<Item = (&'a ConceptId, f32)> + 'a {
        let list = self
            .skill_ids
            .get(id.as_str())
            .and_then(|i| self.related_skills.get(i))
            .map_or(&[][..], Vec::as_slice);
        list.iter()
            .filter_map(|&(j, sim)| Some((&self.skills.get(j as usize)?.id, sim)))
    }

    /// Occupation groups that ask for the same skills as this one, with their similarity in
    /// (0, 1], most similar first (`fixtures/taxonomy/related_occupations.csv`).
    pub fn related_occupations(&self, code: SsykCode) -> &[(SsykCode, f32)] {
        self.related_occupations
            .get(&code)
            .map_or(&[], Vec::as_slice)
    }

    /// Number of skill concepts, for sizes in logs and benches.
    pub fn skill_count(&self) -> usize {
        self.skills.len()
    }

    /// Number of rows in `skill_aliases.csv` that were loaded; 0 means labels only.
    pub fn skill_alias_rows(&self) -> usize {
        self.skill_alias_count
    }

    fn skill_by_id(&self, id: &ConceptId) -> Option<&Skill> {
        self.skill_ids
            .get(id.as_str())
            .and_then(|&i| self.skills.get(i as usize))
    }

    /// Resolves an occupation as people write it: a four-digit SSYK code ("5321"), a group or
    /// occupation-name concept id, a group label, or an occupation name ("Undersköterska"),
    /// which stands for its group. Exact after folding first, then fuzzy.
    pub fn occupation(&self, input: &str) -> Result<Occupation, TaxonomyError> {
        let text = input.trim();
        let unknown = || TaxonomyError::UnknownOccupation(text.to_owned());
        if let Ok(code) = text.parse::<SsykCode>() {
            return self.occupation_by_code(code).ok_or_else(unknown);
        }
        self.occupation_ids
            .get(text)
            .copied()
            .or_else(|| self.occupation_lexicon.find(&fold(text)))
            .and_then(|i| self.occupations.get(i as usize))
            .cloned()
            .ok_or_else(unknown)
    }

    /// The group for a stored code; `None` for codes not in this SSYK extract.
    pub fn occupation_by_code(&self, code: SsykCode) -> Option<Occupation> {
        self.occupation_codes
            .get(&code)
            .and_then(|&i| self.occupations.get(i as usize))
            .cloned()
    }

    /// The skills most asked for in an occupation group, most asked first; empty when the data
    /// has none. Demo data and "what you could add" hints are built from it.
    pub fn occupation_skills(&self, code: SsykCode) -> &[ConceptId] {
        self.occupation_skills.get(&code).map_or(&[], Vec::as_slice)
    }

    /// Every SSYK level-4 group, sorted by code, for pickers and validation.
    pub fn occupations(&self) -> &[Occupation] {
        &self.occupations
    }

    /// A municipality by kommunkod ("0180"), concept id, or name in any case; diacritics may
    /// be left out ("Goteborg") unless that makes two names alike (Håbo and Habo).
    pub fn municipality(&self, code_or_name: &str) -> Option<&Municipality> {
        let text = code_or_name.trim();
        let i = match self.municipality_exact.get(text) {
            Some(&i) => Some(i),
            None => match self.municipality_exact.get(&load::exact_name(text)) {
                Some(&i) => Some(i),
                None => self.municipality_folded.get(&fold(text)).copied().flatten(),
            },
        };
        i.and_then(|i| self.municipalities.get(i as usize))
    }

    /// The municipality of a stored code, when there is one: what views show as its name and
    /// matching uses as its position.
    pub fn municipality_of(&self, code: Option<&str>) -> Option<&Municipality> {
        code.and_then(|c| self.municipality(c))
    }

    /// The name of the municipality of a stored code.
    pub fn municipality_name(&self, code: Option<&str>) -> Option<String> {
        self.municipality_of(code).map(|m| m.name.clone())
    }

    /// As `municipality`, for callers that answer unknown input with a user-facing error.
    pub fn lookup_municipality(&self, code_or_name: &str) -> Result<&Municipality, TaxonomyError> {
        self.municipality(code_or_name)
            .ok_or_else(|| TaxonomyError::UnknownMunicipality(code_or_name.trim().to_owned()))
    }

    /// All municipalities in kommunkod order.
    pub fn municipalities(&self) -> &[Municipality] {
        &self.municipalities
    }

    /// Resolves a licence or certificate by code ("B", "CE", "c e", "C-E", "TRUCK"), concept
    /// id, label or alias ("truckkort", "forklift licence"). Unlike skills, unknown input is an
    /// error: a licence requirement that silently became free text would stop filtering.
    pub fn licence(&self, input: &str) -> Result<&Licence, TaxonomyError> {
        let text = input.trim();
        self.licence_ids
            .get(text)
            .copied()
            .or_else(|| self.licence_lexicon.find(&fold(text)))
            .and_then(|i| self.licences.get(i as usize))
            .ok_or_else(|| TaxonomyError::UnknownLicence(text.to_owned()))
    }

    /// All licences and certificates, in file order.
    pub fn licences(&self) -> &[Licence] {
        &self.licences
    }

    /// The licences someone holding `held` effectively has: `held` plus everything they imply,
    /// transitively (CE ⇒ C ⇒ C1 ⇒ B ⇒ AM), sorted and deduplicated. Ids that are not licences
    /// are kept as they are, so nothing a participant declared is lost.
    pub fn expand_licences<'a>(
        &self,
        held: impl IntoIterator<Item = &'a ConceptId>,
    ) -> Vec<ConceptId> {
        let mut out: BTreeSet<ConceptId> = BTreeSet::new();
        let mut todo: Vec<u32> = Vec::new();
        for id in held {
            if out.insert(id.clone())
                && let Some(&i) = self.licence_ids.get(id.as_str())
            {
                todo.push(i);
            }
        }
        while let Some(i) = todo.pop() {
            let Some(l) = self.licences.get(i as usize) else {
                continue;
            };
            for code in &l.implies {
                if let Some(&j) = self.licence_codes.get(code)
                    && let Some(implied) = self.licences.get(j as usize)
                    && out.insert(implied.concept_id.clone())
                {
                    todo.push(j);
                }
            }
        }
        out.into_iter().collect()
    }

    /// Normalises a language name ("arabiska", "Tigrinja") or concept id; unknown names stay
    /// free text.
    pub fn language(&self, input: &str) -> Term {
        let text = input.trim();
        let found = match self.language_ids.get(text) {
            Some(&i) => Some((i, true)),
            None => self.language_lexicon.find(&fold(text)).map(|i| (i, false)),
        };
        match found.and_then(|(i, by_id)| Some((self.languages.get(i as usize)?, by_id))) {
            Some((l, by_id)) => concept_term(&l.id, &l.label, text, by_id),
            None => free_text(text),
        }
    }

    /// Parses a Swedish level in any common spelling ("B1", "SFI-A", "sfi kurs D",
    /// "SAS gymnasial", "svenska som andraspråk grund") onto the CEFR scale, using
    /// `swedish_levels.csv`. Unknown spellings are an error naming the accepted forms.
    pub fn swedish_level(&self, input: &str) -> Result<SwedishLevel, TaxonomyError> {
        self.swedish.get(input)
    }

    /// What an ad's text says about Swedish, from `fixtures/swedish_phrases.csv`: a level and
    /// whether it is strict, or that Swedish is not required, with the sentence as evidence.
    pub fn swedish_in_text(&self, text: &str) -> Option<SwedishReading> {
        self.swedish_phrases.read(text)
    }

    /// Skills a text names by label or alias, in order of first mention, at most `max`: for
    /// ads that list none. Single words shorter than [`MIN_INFERRED_WORD`] letters are skipped
    /// ("it", "el" are words before they are skills), and the longest name at a position wins
    /// ("Lager och logistik" before "Lager").
    pub fn skills_in_text(&self, text: &str, max: usize) -> Vec<Term> {
        let folded = fold(text);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let mut found: Vec<u32> = Vec::new();
        let mut at = 0;
        while at < words.len() && found.len() < max {
            let mut step = 1;
            for n in (1..=MAX_SKILL_WORDS.min(words.len() - at)).rev() {
                let key = words[at..at + n].join(" ");
                if n == 1 && key.chars().count() < MIN_INFERRED_WORD {
                    continue;
                }
                if let Some(i) = self.skill_lexicon.exact(&key) {
                    if !found.contains(&i) {
                        found.push(i);
                    }
                    step = n;
                    break;
                }
            }
            at += step;
        }
        found
            .into_iter()
            .filter_map(|i| self.skills.get(i as usize))
            .map(|s| concept_term(&s.id, &s.label, &s.label, true))
            .collect()
    }
}

/// `input` records what the user wrote only when it says something the label does not: an
/// id given verbatim is already canonical.
fn concept_term(id: &ConceptId, label: &str, text: &str, by_id: bool) -> Term {
    Term::Concept {
        id: id.clone(),
        label: label.to_owned(),
        input: (!by_id && text != label).then(|| text.to_owned()),
    }
}

fn free_text(text: &str) -> Term {
    Term::FreeText {
        text: text.to_owned(),
    }
}
