//! The file format of `jobmatch import` and of the demo data, and how a file becomes an
//! [`ImportBatch`]: every row understood, every reference checked, before anything is written.

use std::collections::HashSet;

use rayon::prelude::*;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use super::employers::EmployerInput;
use super::normalise::one_key_apart;
use super::openings::OpeningInput;
use super::participants::ParticipantInput;
use crate::model::{Employer, Id, Opening};
use crate::service::{Code, ImportBatch, InputError};
use crate::taxonomy::Taxonomy;

/// The file format of `jobmatch import` and of the demo data: employers carry a local `ref`
/// that openings point at with `employer_ref`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImportFile {
    #[serde(default)]
    pub employers: Vec<ImportEmployer>,
    #[serde(default)]
    pub openings: Vec<ImportOpening>,
    #[serde(default)]
    pub participants: Vec<ParticipantInput>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportEmployer {
    #[serde(rename = "ref")]
    pub reference: Id,
    #[serde(flatten)]
    pub employer: EmployerInput,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportOpening {
    pub employer_ref: Id,
    #[serde(flatten)]
    pub opening: OpeningInput,
}

impl<'de> Deserialize<'de> for ImportEmployer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        one_key_apart(d, "ref", |reference, employer| ImportEmployer {
            reference,
            employer,
        })
    }
}

impl<'de> Deserialize<'de> for ImportOpening {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        one_key_apart(d, "employer_ref", |employer_ref, opening| ImportOpening {
            employer_ref,
            opening,
        })
    }
}

/// [`ImportFile`] with each opening left as its text, for [`ImportFile::parse`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportText<'a> {
    #[serde(default)]
    employers: Vec<ImportEmployer>,
    #[serde(default, borrow)]
    openings: Vec<&'a serde_json::value::RawValue>,
    #[serde(default)]
    participants: Vec<ParticipantInput>,
}

impl ImportFile {
    /// Parses a file's text, the openings (most of any file) side by side on every core; an
    /// opening at fault is named by its place in the list.
    pub fn parse(text: &str) -> Result<ImportFile, serde_json::Error> {
        let file: ImportText = serde_json::from_str(text)?;
        let parsed: Vec<Result<ImportOpening, serde_json::Error>> = file
            .openings
            .par_iter()
            .map(|raw| serde_json::from_str(raw.get()))
            .collect();
        let mut openings = Vec::with_capacity(parsed.len());
        for (i, opening) in parsed.into_iter().enumerate() {
            openings.push(opening.map_err(|e| {
                <serde_json::Error as serde::de::Error>::custom(format!("openings[{i}]: {e}"))
            })?);
        }
        Ok(ImportFile {
            employers: file.employers,
            openings,
            participants: file.participants,
        })
    }

    /// Understands every row, naming the first one at fault (`openings[3].swedish_min`).
    pub fn to_batch(&self, taxonomy: &Taxonomy) -> Result<ImportBatch, InputError> {
        self.understand(taxonomy, |refs| {
            let each = |(i, o)| understand_opening(i, o, taxonomy, refs);
            self.openings.par_iter().enumerate().map(each).collect()
        })
    }

    /// [`to_batch`](Self::to_batch), letting go of each opening's input as it is understood:
    /// a large file is then never held twice over (1M openings: 2.9 -> 2.0 GB at the peak).
    pub fn into_batch(mut self, taxonomy: &Taxonomy) -> Result<ImportBatch, InputError> {
        let openings = std::mem::take(&mut self.openings);
        self.understand(taxonomy, |refs| {
            let each = |(i, o): (usize, ImportOpening)| understand_opening(i, &o, taxonomy, refs);
            openings.into_par_iter().enumerate().map(each).collect()
        })
    }

    /// Employers, then the openings `openings` understands (each on its own, so side by side;
    /// the first at fault in file order is the one named) against the employers' references,
    /// then participants.
    fn understand(
        &self,
        taxonomy: &Taxonomy,
        openings: impl FnOnce(&HashSet<Id>) -> Vec<Result<Opening, InputError>>,
    ) -> Result<ImportBatch, InputError> {
        let mut employers = Vec::with_capacity(self.employers.len());
        for (i, e) in self.employers.iter().enumerate() {
            let employer = e
                .employer
                .to_employer(taxonomy)
                .map_err(|err| err.within(&format!("employers[{i}]")))?;
            employers.push(Employer {
                id: e.reference,
                ..employer
            });
        }
        let refs: HashSet<Id> = employers.iter().map(|e| e.id).collect();
        let openings = openings(&refs).into_iter().collect::<Result<Vec<_>, _>>()?;
        let mut participants = Vec::with_capacity(self.participants.len());
        for (i, p) in self.participants.iter().enumerate() {
            if !p.programme.is_empty() {
                return Err(InputError::invalid(
                    &format!("participants[{i}].status"),
                    format!(
                        "participants[{i}] carries programme facts; an import registers people, and their facts are set through the API (PUT /v1/participants/{{id}}/programme)"
                    ),
                ));
            }
            participants.push(
                p.to_parts(taxonomy)
                    .map_err(|err| err.within(&format!("participants[{i}]")))?,
            );
        }
        Ok(ImportBatch {
            employers,
            openings,
            participants,
            coach_id: None,
        })
    }
}

/// The opening at place `i` of a file, its employer one of `refs`.
fn understand_opening(
    i: usize,
    o: &ImportOpening,
    taxonomy: &Taxonomy,
    refs: &HashSet<Id>,
) -> Result<Opening, InputError> {
    let mut opening = o
        .opening
        .to_opening(taxonomy)
        .map_err(|err| err.within(&format!("openings[{i}]")))?;
    if !refs.contains(&o.employer_ref) {
        return Err(InputError::new(
            Code::UnknownEmployer,
            format!("openings[{i}].employer_ref"),
            format!(
                "openings[{i}].employer_ref {} names no employer in the file",
                o.employer_ref
            ),
        ));
    }
    opening.employer_id = o.employer_ref;
    Ok(opening)
}

#[cfg(test)]
mod tests {
    use super::{ImportEmployer, ImportFile, ImportOpening, OpeningInput};
    use crate::taxonomy::Taxonomy;

    #[test]
    fn a_file_parses_as_serde_reads_it_whole() {
        let taxonomy = Taxonomy::embedded().expect("taxonomy");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).expect("date");
        let text =
            serde_json::to_string(&crate::demo::generate(&taxonomy, 7, today)).expect("serialise");
        let whole: ImportFile = serde_json::from_str(&text).expect("serde");
        let parsed = ImportFile::parse(&text).expect("parse");
        assert!(!parsed.openings.is_empty());
        assert_eq!(
            serde_json::to_value(&parsed).expect("parsed"),
            serde_json::to_value(&whole).expect("whole")
        );
    }

    #[test]
    fn letting_go_of_the_inputs_understands_what_keeping_them_does() {
        let taxonomy = Taxonomy::embedded().expect("taxonomy");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).expect("date");
        let file = crate::demo::generate(&taxonomy, 7, today);
        let kept = file.to_batch(&taxonomy).expect("to_batch");
        assert!(!kept.openings.is_empty());
        assert_eq!(file.into_batch(&taxonomy).expect("into_batch"), kept);
        // The first opening at fault in file order is named, by either.
        let text = r#"{"employers": [{"ref": 1, "name": "Ett AB"}], "openings": [
            {"employer_ref": 1, "kind": "vacancy", "title": "Kock", "description": "Kök"},
            {"employer_ref": 2, "kind": "vacancy", "title": "Städare", "description": "Städ"},
            {"employer_ref": 1, "kind": "vacancy", "title": "Bagare", "swedish_min": "Z9"}
        ]}"#;
        let file = ImportFile::parse(text).expect("parse");
        let kept = file.to_batch(&taxonomy).expect_err("an unknown employer");
        assert_eq!(kept.field, "openings[1].employer_ref");
        let let_go = file.into_batch(&taxonomy).expect_err("an unknown employer");
        assert_eq!(let_go.field, kept.field);
    }

    #[test]
    fn a_row_reads_as_its_input_type_reads_the_object_without_its_own_key() {
        let taxonomy = Taxonomy::embedded().expect("taxonomy");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).expect("date");
        let file = crate::demo::generate(&taxonomy, 7, today);
        let value = serde_json::to_value(&file).expect("serialise");
        for row in value["openings"].as_array().expect("openings") {
            let read: ImportOpening = serde_json::from_value(row.clone()).expect("row");
            let mut rest = row.as_object().expect("object").clone();
            let employer_ref = rest.remove("employer_ref").expect("employer_ref");
            let opening: OpeningInput =
                serde_json::from_value(serde_json::Value::Object(rest)).expect("input");
            assert_eq!(serde_json::json!(read.employer_ref), employer_ref);
            assert_eq!(
                serde_json::to_value(&read.opening).expect("read"),
                serde_json::to_value(&opening).expect("input")
            );
        }
        // A key written with an escape is the same key.
        let escaped: ImportOpening = serde_json::from_str(
            r#"{"employer_r\u0065f": 4, "kind": "vacancy", "tit\u006ce": "Kock"}"#,
        )
        .expect("escaped keys");
        assert_eq!(
            (escaped.employer_ref, escaped.opening.title.as_str()),
            (4, "Kock")
        );
        let employer: ImportEmployer =
            serde_json::from_str(r#"{"name": "Ett AB", "ref": 9}"#).expect("employer");
        assert_eq!(
            (employer.reference, employer.employer.name.as_str()),
            (9, "Ett AB")
        );
        for (text, fault) in [
            (
                r#"{"kind": "vacancy", "title": "Kock"}"#,
                "missing field `employer_ref`",
            ),
            (
                r#"{"employer_ref": 1, "employer_ref": 2, "title": "Kock"}"#,
                "duplicate field `employer_ref`",
            ),
            (
                r#"{"employer_ref": 1, "titel": "Kock"}"#,
                "unknown field `titel`",
            ),
            (
                r#"{"employer_ref": "ett", "title": "Kock"}"#,
                "invalid type",
            ),
            (r#"[1, "Kock"]"#, "expected an object with employer_ref"),
        ] {
            let e = serde_json::from_str::<ImportOpening>(text).expect_err(text);
            assert!(e.to_string().contains(fault), "{text}: {e}");
        }
    }

    #[test]
    fn an_opening_at_fault_is_named_by_its_place() {
        let text = r#"{"employers": [{"ref": 1, "name": "Ett AB"}], "openings": [
            {"employer_ref": 1, "kind": "vacancy", "title": "Kock", "description": "Kök"},
            {"employer_ref": 1, "kind": "vacancy", "title": "Städare", "colour": "blå"}
        ]}"#;
        let e = ImportFile::parse(text).expect_err("an unknown field");
        assert!(e.to_string().starts_with("openings[1]: "), "{e}");
        assert!(e.to_string().contains("colour"), "{e}");
        assert!(ImportFile::parse(r#"{"openings": [], "extra": 1}"#).is_err());
    }
}
