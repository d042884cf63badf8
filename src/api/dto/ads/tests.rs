//! Ads as Platsbanken publishes them: the real ones under `../shared/reference/jobtech_ads/`
//! (skipped, saying so, when absent) and the project's own sample, `fixtures/ads/`.

use std::path::PathBuf;

use super::*;
use crate::model::SwedishLevel;

fn taxonomy() -> Taxonomy {
    Taxonomy::embedded().expect("taxonomy")
}

fn reference(name: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/jobtech_ads")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("skipped: {} is absent", path.display());
            None
        }
    }
}

fn sample() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ads/sample_ads.jsonl"),
    )
    .expect("sample ads")
}

fn read_all(text: &str) -> (Vec<AdRecord>, Result<usize, AdsFileError>) {
    let mut out = Vec::new();
    let result = read_ads(text.as_bytes(), |r| {
        out.push(r);
        true
    });
    (out, result)
}

fn ads(text: &str) -> Vec<JobSearchAd> {
    let (records, result) = read_all(text);
    result.expect("readable");
    records.into_iter().map(|r| r.ad.expect("an ad")).collect()
}

#[test]
fn the_converted_platsbanken_ad_maps_every_field() {
    let Some(text) = reference("elastic-importers_platsannonser_expected_after_conversion.json")
    else {
        return;
    };
    let tax = taxonomy();
    let ads = ads(&text);
    assert_eq!(ads.len(), 1, "one hit in hits.hits[]._source");
    let w = ads[0].to_write(&tax).expect("maps");
    let o = &w.opening;
    assert!(!w.removed);
    assert_eq!(
        o.title,
        "Trafikledare sökes till växande transportföretag i Abisko/Kiruna området"
    );
    assert!(
        o.description
            .starts_with("Vi söker framtidens proffsiga pedagoger")
    );
    let occupation = o.occupation.as_ref().expect("occupation");
    assert_eq!(occupation.code.to_string(), "4323");
    assert_eq!(occupation.concept_id.as_str(), "957L_kZK_rHZ");
    // [lon, lat] in the ad; the opening's point is lat/lon.
    let p = o.workplace.point.expect("point");
    assert!(
        (p.lat - 67.857_612).abs() < 1e-5 && (p.lon - 20.227_421).abs() < 1e-5,
        "{p:?}"
    );
    assert_eq!(o.workplace.municipality_code.as_deref(), Some("2584"));
    assert_eq!(o.places, 1);
    assert_eq!(o.deadline, NaiveDate::from_ymd_opt(2019, 4, 15));
    assert_eq!(
        (o.hours, o.employment_form),
        (Hours::Full, EmploymentForm::Ordinary)
    );
    let licences: Vec<_> = o.licences.iter().map(Term::text).collect();
    assert_eq!(licences, ["D"]);
    assert_eq!(w.employer.org_number.as_deref(), Some("5569616161"));
    assert_eq!(w.employer.name, "Fazer Food Services AB");
    let source = o.source.as_ref().expect("source");
    assert_eq!(
        (source.system.as_str(), source.external_id.as_str()),
        ("platsbanken", "22884504")
    );
    assert_eq!(
        source
            .occupation_name
            .as_ref()
            .map(|c| c.concept_id.as_str()),
        Some("2sRC_oHm_7XA")
    );
    assert_eq!(
        source.employment_type.as_deref(),
        Some("Vanlig anställning")
    );
    let application = source.application.as_ref().expect("application");
    assert_eq!(
        application.email.as_deref(),
        Some("fornamn.efternamn@emailadress.se")
    );
    let required: Vec<_> = source.languages_required.iter().map(Term::text).collect();
    assert_eq!(required, ["Engelska"]);
    // Svenska is nice to have; the text names it under "Krav för tjänsten:", so the level
    // comes from the text, and the lists keep it a merit.
    assert_eq!(o.swedish_min, Some(SwedishLevel::B2));
    assert!(!o.swedish_required);
    let swedish = source.swedish.as_ref().expect("evidence");
    assert_eq!(swedish.listed.as_deref(), Some("nice_to_have"));
    assert!(
        swedish
            .phrase
            .as_deref()
            .is_some_and(|p| p.contains("kommunikationsförmåga")),
        "{swedish:?}"
    );
    // The ad lists no skills: they are read from its text, as merits.
    assert!(source.skills_inferred);
    assert!(o.skills_required.is_empty());
    let inferred: Vec<_> = o.skills_merit.iter().map(Term::text).collect();
    assert!(inferred.contains(&"Logistik"), "{inferred:?}");
    assert!(o.skills_merit.iter().all(|t| t.concept_id().is_some()));
}

#[test]
fn jobsearch_hits_map_skills_by_concept_and_keep_unknown_ids() {
    let Some(text) = reference("sokannonser_platsannons_results_eng.json") else {
        return;
    };
    let tax = taxonomy();
    let ads = ads(&text);
    assert_eq!(ads.len(), 2);
    let java = ads[0].to_write(&tax).expect("maps");
    // The test ad's concept ids are made up: they are kept with the ad's labels.
    let required: Vec<_> = java
        .opening
        .skills_required
        .iter()
        .map(|t| {
            (
                t.concept_id().map(|c| c.as_str().to_owned()),
                t.text().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        required,
        [(Some("29387234_yov_smw".to_owned()), "Java".to_owned())]
    );
    assert!(
        !java
            .opening
            .source
            .as_ref()
            .expect("source")
            .skills_inferred
    );
    assert_eq!(
        java.opening
            .occupation
            .as_ref()
            .map(|o| o.code.to_string())
            .as_deref(),
        Some("2512")
    );
    let malmo = ads[1].to_write(&tax).expect("maps");
    assert_eq!(malmo.opening.places, 10);
    assert_eq!(
        malmo.opening.workplace.municipality_code.as_deref(),
        Some("1280")
    );
    assert_eq!(
        malmo
            .opening
            .source
            .as_ref()
            .and_then(|s| s.webpage_url.clone()),
        None,
        "no webpage_url in this ad"
    );
}

#[test]
fn the_sample_maps_swedish_hours_and_rejections() {
    let tax = taxonomy();
    let (records, result) = read_all(&sample());
    assert_eq!(result.expect("readable"), 5);
    assert_eq!(
        records.iter().map(|r| r.line).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5].map(Some)
    );
    let writes: Vec<_> = records
        .iter()
        .map(|r| r.ad.as_ref().expect("ad").to_write(&tax))
        .collect();

    let lager = writes[0].as_ref().expect("maps");
    assert_eq!(lager.opening.swedish_min, Some(SwedishLevel::B1));
    assert!(
        lager.opening.swedish_required,
        "Svenska is a must and the text says behöver"
    );
    assert_eq!(lager.employer.org_number.as_deref(), Some("5566778899"));
    assert_eq!(lager.opening.places, 2);

    let städ = writes[1].as_ref().expect("maps");
    assert_eq!(städ.opening.hours, Hours::Part);
    assert_eq!(
        (städ.opening.swedish_min, städ.opening.swedish_required),
        (None, false)
    );
    let evidence = städ
        .opening
        .source
        .as_ref()
        .and_then(|s| s.swedish.clone())
        .expect("evidence");
    assert!(evidence.negated);
    assert_eq!(evidence.phrase.as_deref(), Some("Svenska är inget krav"));

    let gone = writes[2].as_ref().expect("a removed ad needs only its id");
    assert!(gone.removed);

    let bad = writes[3].as_ref().expect_err("three coordinates");
    assert_eq!(bad.field, "workplace_address.coordinates");
    assert_eq!(bad.message, "coordinates [59.3, 18, 3] are not [lon, lat]");
    let no_id = writes[4].as_ref().expect_err("no id");
    assert_eq!(
        (no_id.code, no_id.field.as_str()),
        (Code::MissingField, "id")
    );
}

#[test]
fn every_shape_streams_the_same_ads() {
    let one = r#"{"id": "1", "headline": "A", "employer": {"name": "E"}}"#;
    let two = r#"{"id": 2, "headline": "B", "employer": {"name": "E"}}"#;
    let ids = |text: &str| -> Vec<Option<String>> {
        ads(text).iter().map(JobSearchAd::external_id).collect()
    };
    let both = vec![Some("1".to_owned()), Some("2".to_owned())];
    assert_eq!(ids(&format!("[{one},\n {two}]")), both, "array");
    assert_eq!(ids(&format!("{one}\n\n{two}\n")), both, "JSON Lines");
    assert_eq!(
        ids(&format!("{{\"total\": 2, \"hits\": [{one}, {two}]}}")),
        both,
        "JobSearch"
    );
    assert_eq!(
        ids(&format!(
            "{{\"took\": 1, \"hits\": {{\"total\": 2, \"hits\": [{{\"_id\": \"1\", \"_source\": {one}}}, {{\"_source\": {two}}}]}}}}"
        )),
        both,
        "Elasticsearch"
    );
    let pretty = |text: String| {
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&text).expect("json"))
            .expect("pretty")
    };
    assert_eq!(
        ids(&pretty(one.to_owned())),
        vec![Some("1".to_owned())],
        "one ad over several lines"
    );
    // Over several lines the answers stream through the visitors, not line by line.
    assert_eq!(
        ids(&pretty(format!(
            "{{\"total\": 2, \"hits\": [{one}, {two}], \"after\": [1]}}"
        ))),
        both,
        "JobSearch, pretty"
    );
    assert_eq!(
        ids(&pretty(format!(
            "{{\"took\": 1, \"hits\": {{\"hits\": [{{\"_source\": {one}}}, {{\"_source\": {two}}}], \"max_score\": 1}}}}"
        ))),
        both,
        "Elasticsearch, pretty"
    );
    assert_eq!(ids(""), Vec::<Option<String>>::new());
}

#[test]
fn a_bad_record_is_reported_and_a_broken_file_stops_after_what_was_read() {
    let (records, result) = read_all("{\"id\": \"1\"}\nnot json\n[1, {\"id\": \"3\"}]\n\"text\"\n");
    assert_eq!(result.expect("lines go on"), 5);
    let errors: Vec<_> = records
        .iter()
        .map(|r| r.ad.as_ref().err().cloned())
        .collect();
    assert!(errors[0].is_none());
    assert!(
        errors[1]
            .as_deref()
            .is_some_and(|e| e.contains("line 2 is not JSON")),
        "{errors:?}"
    );
    assert!(
        errors[2]
            .as_deref()
            .is_some_and(|e| e.contains("not a number")),
        "{errors:?}"
    );
    assert!(errors[3].is_none());
    assert!(
        errors[4]
            .as_deref()
            .is_some_and(|e| e.contains("not a string")),
        "{errors:?}"
    );

    let (records, result) = read_all("[{\"id\": \"1\"}, {\"id\": \"2\"}, {\"id\": ");
    assert_eq!(records.len(), 2, "the ads before the fault are delivered");
    assert!(result.is_err());
    let (records, _) = read_all("[{\"id\": \"1\", \"number_of_vacancies\": \"many\"}]");
    assert!(
        records[0]
            .ad
            .as_ref()
            .is_err_and(|e| e.contains("JobSearch shape"))
    );
}

#[test]
fn the_lists_and_the_text_decide_strictness_together() {
    let tax = taxonomy();
    let read = |listed: &str, text: &str| {
        let svenska = r#"[{"concept_id": "zSLA_vw2_FXN", "label": "Svenska"}]"#;
        let json = format!(
            r#"{{"id": "1", "headline": "Kock", "employer": {{"name": "E"}},
                "description": {{"text": {text:?}}},
                "{listed}": {{"languages": {svenska}}}}}"#
        );
        let ad: JobSearchAd = serde_json::from_str(&json).expect("ad");
        let o = ad.to_write(&tax).expect("maps").opening;
        (o.swedish_min, o.swedish_required)
    };
    use SwedishLevel::*;
    // A must: strict, but a merit level in the text never becomes the hard rule.
    assert_eq!(
        read("must_have", "Flytande svenska är meriterande."),
        (Some(B1), true)
    );
    assert_eq!(
        read("must_have", "Grundläggande svenska."),
        (Some(A2), true)
    );
    assert_eq!(
        read("must_have", "Krav: flytande svenska."),
        (Some(C1), true)
    );
    assert_eq!(read("must_have", "Vi lagar mat."), (Some(B1), true));
    assert_eq!(
        read("must_have", "Svenska är inget krav."),
        (Some(B1), false)
    );
    // Nice to have: a merit, whatever the text says.
    assert_eq!(
        read("nice_to_have", "Krav: goda kunskaper i svenska."),
        (Some(B2), false)
    );
    assert_eq!(read("nice_to_have", "Vi lagar mat."), (Some(B1), false));
    // Neither: the text alone.
    assert_eq!(
        read("other", "Du måste kunna tala svenska."),
        (Some(B1), true)
    );
    assert_eq!(read("other", "Vi lagar mat."), (None, false));
}

#[test]
fn reading_stops_when_the_sink_says_so_and_long_single_lines_stream() {
    // A JobStream snapshot: one array on one line, longer than a line is read whole.
    let ad = r#"{"id": "X", "headline": "Lager", "employer": {"name": "E"}, "description": {"text": "PAD"}}"#;
    let pad = "x".repeat(1 << 16);
    let many: Vec<String> = (0..80)
        .map(|i| ad.replace('X', &i.to_string()).replace("PAD", &pad))
        .collect();
    let line = format!("\u{feff}[{}]", many.join(","));
    assert!(
        line.len() > read::MAX_LINE,
        "the test line must exceed a line's bound"
    );
    let (records, result) = read_all(&line);
    assert_eq!(result.expect("streams"), 80);
    assert_eq!(
        records[79]
            .ad
            .as_ref()
            .expect("ad")
            .external_id()
            .as_deref(),
        Some("79")
    );
    // The sink stops the reading at once, in either path.
    for text in [line.clone(), many.join("\n")] {
        let mut seen = 0;
        let read = read_ads(text.as_bytes(), |_| {
            seen += 1;
            seen < 3
        });
        assert_eq!((read.expect("stopped, not failed"), seen), (3, 3));
    }
    // Lines are counted from the top, blank ones too; a line over the bound is one record.
    let (records, _) = read_all(&format!(
        "\n\n{ad}\n\n{{\"id\": \"{}\"}}\n{ad}",
        "y".repeat(read::MAX_LINE)
    ));
    let lines: Vec<_> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [Some(3), Some(5), Some(6)]);
    assert!(
        records[1]
            .ad
            .as_ref()
            .is_err_and(|e| e.contains("longer than")),
        "{:?}",
        records[1].ad
    );
}
