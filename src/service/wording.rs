//! The evidence behind a score in short Swedish and English sentences, as a coach writes them
//! into a participant's job plan: "har 3 av 4 krav", "svenska: en nivå under (B1, kräver B2)",
//! "12 km", "saknar körkort B". Pure: an [`Explanation`] in, sentences out; the taxonomy only
//! says whether a licence is a driving licence.
//!
//! Each sentence says one fact, in the order a coach reads a suggestion: skills, occupation,
//! Swedish, distance, licences, start, and last what excludes the pair.

use super::matching::Explanation;
use crate::model::SwedishLevel;
use crate::projection::TermLabel;
use crate::rank::Exclusion;
use crate::taxonomy::{LicenceKind, Taxonomy};

/// Who reads the sentences: staff read everything the evidence holds; an employer reads what
/// its own view of a candidate shows, without the candidate's occupation or Swedish level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Employer,
}

/// The same facts in Swedish and in English, sentence for sentence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sentences {
    pub sv: Vec<String>,
    pub en: Vec<String>,
}

impl Sentences {
    fn say(&mut self, sv: String, en: String) {
        self.sv.push(sv);
        self.en.push(en);
    }
}

/// Small counts as words, as one writes them ("en nivå", "two levels").
fn count_sv(n: u8) -> String {
    match n {
        1 => "en".to_owned(),
        2 => "två".to_owned(),
        3 => "tre".to_owned(),
        4 => "fyra".to_owned(),
        5 => "fem".to_owned(),
        6 => "sex".to_owned(),
        n => n.to_string(),
    }
}

fn count_en(n: u8) -> String {
    match n {
        1 => "one".to_owned(),
        2 => "two".to_owned(),
        3 => "three".to_owned(),
        4 => "four".to_owned(),
        5 => "five".to_owned(),
        6 => "six".to_owned(),
        n => n.to_string(),
    }
}

fn list(terms: &[TermLabel]) -> String {
    terms
        .iter()
        .map(|t| t.label.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Years as written in each language: "1,5" and "1.5", whole years without decimals.
fn years(y: f32) -> (String, String) {
    let rounded = (y * 10.0).round() / 10.0;
    let en = if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    };
    (en.replace('.', ","), en)
}

fn level(l: Option<SwedishLevel>) -> (String, String) {
    match l {
        Some(l) => (l.to_string(), l.to_string()),
        None => ("ingen".to_owned(), "none".to_owned()),
    }
}

fn is_driving(t: &TermLabel, taxonomy: &Taxonomy) -> bool {
    t.id.as_ref()
        .and_then(|id| taxonomy.licence(id.as_str()).ok())
        .is_some_and(|l| l.kind == LicenceKind::Driving)
}

/// The evidence of one suggestion or candidate as sentences, for `audience`.
pub fn sentences(e: &Explanation, taxonomy: &Taxonomy, audience: Audience) -> Sentences {
    let mut s = Sentences::default();
    let staff = audience == Audience::Staff;
    let must_found = e
        .must_skills_total
        .saturating_sub(e.must_skills_missing.len());
    if e.must_skills_total > 0 {
        let (found, total) = (must_found, e.must_skills_total);
        s.say(
            format!("har {found} av {total} krav"),
            format!("meets {found} of {total} requirements"),
        );
    }
    if !e.must_skills_missing.is_empty() {
        let missing = list(&e.must_skills_missing);
        s.say(format!("saknar {missing}"), format!("lacks {missing}"));
    }
    let mut related_shown: Vec<&str> = Vec::new();
    for r in &e.skills_related {
        // A skill both required and a merit is listed twice in the evidence: say it once.
        if related_shown.contains(&r.wanted.label.as_str()) {
            continue;
        }
        related_shown.push(&r.wanted.label);
        s.say(
            format!("närliggande: {} → {}", r.held.label, r.wanted.label),
            format!("related: {} → {}", r.held.label, r.wanted.label),
        );
    }
    let merits = e.skills_found.get(must_found..).unwrap_or_default();
    if !merits.is_empty() {
        let merits = list(merits);
        s.say(
            format!("meriterande: {merits}"),
            format!("also brings: {merits}"),
        );
    }
    if !staff {
        // The candidate's occupation is not the employer's to read.
    } else if let Some((code, label, similarity)) = &e.occupation_related {
        let label = label.clone().unwrap_or_else(|| code.to_string());
        let percent = (similarity * 100.0).round();
        s.say(
            format!("närliggande yrke: {label} ({percent} % samma kompetenser)"),
            format!("related occupation: {label} ({percent} % the same skills)"),
        );
    } else if let Some((code, label, digits)) = &e.occupation_match {
        let label = label.clone().unwrap_or_else(|| code.to_string());
        match digits {
            4 => s.say(
                format!("samma yrke: {label}"),
                format!("same occupation: {label}"),
            ),
            1..=3 => s.say(
                format!("närliggande yrke: {label}"),
                format!("related occupation: {label}"),
            ),
            _ => {}
        }
    }
    if let Some((sv, en)) = e
        .experience_years
        .map(years)
        .filter(|(_, en)| en.as_str() != "0")
    {
        let unit = if sv == "1" { "year's" } else { "years'" };
        s.say(
            format!("{sv} års erfarenhet"),
            format!("{en} {unit} experience"),
        );
    }
    if let (Some(gap), Some(required)) = (e.swedish_gap_steps, e.swedish_required) {
        let (actual_sv, actual_en) = match staff {
            true => {
                let (sv, en) = level(e.swedish_level);
                (format!("{sv}, "), format!("{en}, "))
            }
            false => (String::new(), String::new()),
        };
        if gap == 0 {
            s.say(
                format!("svenska: uppfyller kravet ({required})"),
                format!("Swedish: meets the requirement ({required})"),
            );
        } else {
            let (levels_sv, levels_en) = if gap == 1 {
                ("nivå", "level")
            } else {
                ("nivåer", "levels")
            };
            s.say(
                format!(
                    "svenska: {} {levels_sv} under ({actual_sv}kräver {required})",
                    count_sv(gap)
                ),
                format!(
                    "Swedish: {} {levels_en} below ({actual_en}requires {required})",
                    count_en(gap)
                ),
            );
        }
    }
    if let Some(km) = e.distance_km {
        let km = km.round();
        s.say(format!("{km} km"), format!("{km} km"));
    }
    for l in &e.licences_missing {
        if is_driving(l, taxonomy) {
            s.say(
                format!("saknar körkort {}", l.label),
                format!("no {} driving licence", l.label),
            );
        } else {
            s.say(format!("saknar {}", l.label), format!("lacks {}", l.label));
        }
    }
    if let Some(days) = e.start_delay_days {
        let (dagar, days_en) = if days == 1 {
            ("dag", "day")
        } else {
            ("dagar", "days")
        };
        s.say(
            format!("kan börja {days} {dagar} efter start"),
            format!("can start {days} {days_en} after the start date"),
        );
    }
    if e.hours_mismatch {
        s.say(
            "arbetstiden passar inte".to_owned(),
            "the working hours do not fit".to_owned(),
        );
    }
    if let Some(x) = &e.excluded {
        let (sv, en) = exclusion(x);
        s.say(sv, en);
    }
    s
}

fn exclusion(x: &Exclusion) -> (String, String) {
    match *x {
        Exclusion::DeadlinePassed { deadline } => (
            format!("utesluten: sista ansökningsdag var {deadline}"),
            format!("excluded: the application deadline was {deadline}"),
        ),
        Exclusion::SwedishBelowStrictMinimum { required, .. } => (
            format!("utesluten: kräver svenska {required}"),
            format!("excluded: requires Swedish {required}"),
        ),
        Exclusion::BeyondTravelLimit {
            distance_km,
            max_travel_km,
            default_limit,
        } => {
            let (km, max) = (distance_km.round(), max_travel_km.round());
            let (whose_sv, whose_en) = if default_limit {
                ("standardgränsen", "the default limit")
            } else {
                ("egen gräns", "own limit")
            };
            (
                format!("utesluten: {km} km, längre än {max} km ({whose_sv})"),
                format!("excluded: {km} km, beyond {max} km ({whose_en})"),
            )
        }
        Exclusion::MissingLicence { missing } => (
            format!("utesluten: saknar {missing} körkort eller certifikat som krävs"),
            format!("excluded: lacks {missing} required licence(s) or certificate(s)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConceptId, SsykCode};
    use crate::service::matching::RelatedSkill;

    fn term(id: Option<&str>, label: &str) -> TermLabel {
        TermLabel {
            id: id.map(|i| ConceptId(i.to_owned())),
            label: label.to_owned(),
        }
    }

    fn explanation() -> Explanation {
        Explanation {
            skills_found: vec![
                term(Some("a"), "Lagerarbete"),
                term(Some("b"), "Plock"),
                term(Some("c"), "Truckkort"),
                term(Some("d"), "Kundtjänst"),
            ],
            skills_related: vec![],
            must_skills_missing: vec![term(Some("e"), "Inventering")],
            merit_skills_missing: vec![],
            must_skills_total: 4,
            occupation_match: Some((
                SsykCode::new(4322).unwrap(),
                Some("Lagerpersonal".into()),
                4,
            )),
            occupation_related: None,
            experience_years: Some(1.5),
            swedish_gap_steps: Some(1),
            swedish_required: Some(SwedishLevel::B2),
            swedish_level: Some(SwedishLevel::B1),
            distance_km: Some(12.3),
            licences_missing: vec![],
            start_delay_days: None,
            hours_mismatch: false,
            excluded: None,
        }
    }

    #[test]
    fn evidence_reads_as_the_sentences_of_a_job_plan() {
        let taxonomy = Taxonomy::embedded().unwrap();
        let s = sentences(&explanation(), &taxonomy, Audience::Staff);
        assert_eq!(
            s.sv,
            [
                "har 3 av 4 krav",
                "saknar Inventering",
                "meriterande: Kundtjänst",
                "samma yrke: Lagerpersonal",
                "1,5 års erfarenhet",
                "svenska: en nivå under (B1, kräver B2)",
                "12 km",
            ]
        );
        assert_eq!(s.en[0], "meets 3 of 4 requirements");
        assert_eq!(s.en[5], "Swedish: one level below (B1, requires B2)");
        assert_eq!(s.sv.len(), s.en.len());
    }

    #[test]
    fn licences_related_skills_and_exclusions_are_named() {
        let taxonomy = Taxonomy::embedded().unwrap();
        let b = taxonomy.licence("B").unwrap();
        let truck = taxonomy.licence("truckkort").unwrap();
        let mut e = explanation();
        e.licences_missing = vec![
            term(Some(b.concept_id.as_str()), &b.label),
            term(Some(truck.concept_id.as_str()), &truck.label),
        ];
        e.skills_related = vec![RelatedSkill {
            wanted: term(Some("x"), "Äldreboende"),
            held: term(Some("y"), "Hemtjänst"),
            similarity: 0.67,
        }];
        e.swedish_gap_steps = Some(2);
        e.swedish_level = None;
        e.swedish_required = Some(SwedishLevel::A2);
        e.excluded = Some(Exclusion::BeyondTravelLimit {
            distance_km: 61.4,
            max_travel_km: 50.0,
            default_limit: true,
        });
        e.start_delay_days = Some(1);
        let s = sentences(&e, &taxonomy, Audience::Staff);
        assert!(
            s.sv.contains(&"kan börja 1 dag efter start".to_owned()),
            "{:?}",
            s.sv
        );
        assert!(s.sv.contains(&"saknar körkort B".to_owned()), "{:?}", s.sv);
        assert!(
            s.sv.contains(&format!("saknar {}", truck.label)),
            "{:?}",
            s.sv
        );
        assert!(
            s.en.contains(&"no B driving licence".to_owned()),
            "{:?}",
            s.en
        );
        assert!(s.sv.contains(&"närliggande: Hemtjänst → Äldreboende".to_owned()));
        assert!(s.sv.contains(&"svenska: två nivåer under (ingen, kräver A2)".to_owned()));
        assert_eq!(
            s.sv.last().unwrap(),
            "utesluten: 61 km, längre än 50 km (standardgränsen)"
        );
        assert_eq!(
            s.en.last().unwrap(),
            "excluded: 61 km, beyond 50 km (the default limit)"
        );
    }

    #[test]
    fn an_employer_reads_neither_the_candidates_occupation_nor_their_swedish_level() {
        let taxonomy = Taxonomy::embedded().unwrap();
        let e = explanation();
        let staff = sentences(&e, &taxonomy, Audience::Staff);
        let employer = sentences(&e, &taxonomy, Audience::Employer);
        assert!(staff.sv.iter().any(|x| x.contains("Lagerpersonal")));
        assert!(
            !employer
                .sv
                .iter()
                .chain(&employer.en)
                .any(|x| x.contains("Lagerpersonal"))
        );
        assert!(
            employer
                .sv
                .contains(&"svenska: en nivå under (kräver B2)".to_owned()),
            "{:?}",
            employer.sv
        );
        assert!(
            !employer
                .sv
                .iter()
                .chain(&employer.en)
                .any(|x| x.contains("B1"))
        );
        // Zero years, after rounding, is no experience to speak of.
        let mut short = e.clone();
        short.experience_years = Some(0.04);
        let s = sentences(&short, &taxonomy, Audience::Staff);
        assert!(!s.sv.iter().any(|x| x.contains("erfarenhet")), "{:?}", s.sv);
    }
}
