//! Deriving a taxonomy from JobTech's files: the self-written sample in
//! `fixtures/jobtech_sample/` for each rule, and the real files in `../shared/reference/`.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::Term;

fn sample() -> JobTechFiles {
    JobTechFiles {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/jobtech_sample"),
        municipalities: None,
    }
}

fn concept(term: &Term) -> Option<&str> {
    term.concept_id().map(|id| id.as_str())
}

#[test]
fn extend_adds_and_relabels_and_keeps_every_concept_in_force() {
    let base = TaxonomyData::embedded();
    let before = base.build().expect("built-in");
    let (data, summary) = derive(&sample(), &base, ImportMode::Extend).expect("derived");
    let tax = data.build().expect("loads");

    assert_eq!(summary.skills_added, 2, "{summary:?}");
    assert_eq!(summary.skills_relabelled, 1);
    assert_eq!(summary.skills_dropped, 0);
    assert_eq!(summary.skills, before.skill_count() + 2);
    assert_eq!(tax.skill_count(), before.skill_count() + 2);
    assert_eq!(summary.occupation_groups, before.occupations().len());
    assert_eq!(summary.municipalities, 290);

    // New concepts are found by their labels, a relabelled one by its new and its id.
    assert_eq!(
        concept(&tax.skill("drönarfotografering")),
        Some("jmS1_Drn_F01")
    );
    assert_eq!(
        concept(&tax.skill("Kyl- och frysteknik")),
        Some("11L4_Q2Z_8tM")
    );
    assert_eq!(
        tax.skill_label(&crate::model::ConceptId("11L4_Q2Z_8tM".into())),
        Some("Kyl- och frysteknik")
    );
    // Everything else in force stays, curated aliases and licences included.
    assert_eq!(
        concept(&tax.skill("Städning")),
        concept(&before.skill("Städning"))
    );
    assert!(concept(&before.skill("Städning")).is_some());
    assert_eq!(concept(&tax.skill("kassa")), Some("hYpk_RYx_y3V"));
    assert_eq!(tax.licence("CE").expect("CE").code, "CE");
    assert_eq!(
        tax.occupation("Drönarfotograf")
            .expect("new name")
            .code
            .to_string(),
        "3431"
    );
    assert_eq!(
        tax.occupation("Undersköterska").expect("kept").code,
        before.occupation("Undersköterska").expect("built-in").code
    );
}

#[test]
fn a_curated_alias_gives_way_to_a_concept_of_that_name() {
    let base = TaxonomyData::embedded();
    let before = base.build().expect("built-in");
    assert_eq!(concept(&before.skill("kassör")), Some("hYpk_RYx_y3V"));
    let (data, summary) = derive(&sample(), &base, ImportMode::Extend).expect("derived");
    let tax = data.build().expect("loads");
    assert_eq!(concept(&tax.skill("kassör")), Some("jmS1_Kss_F02"));
    assert!(
        summary.left_out.iter().any(|l| l.contains("kassör")),
        "{:?}",
        summary.left_out
    );
}

#[test]
fn replace_keeps_only_the_imported_concepts_and_what_jobmatch_curates_for_them() {
    let base = TaxonomyData::embedded();
    let (data, summary) = derive(&sample(), &base, ImportMode::Replace).expect("derived");
    let tax = data.build().expect("loads");

    assert_eq!(summary.skills, 5);
    assert_eq!(
        summary.skills_dropped,
        base.build().expect("built-in").skill_count() - 3
    );
    assert_eq!(summary.occupation_groups, 2);
    // The name without a group is left out and said so.
    assert_eq!(summary.occupation_names, 2);
    assert!(
        summary
            .left_out
            .iter()
            .any(|l| l.starts_with("1 occupation names"))
    );
    assert_eq!((summary.municipalities, summary.languages), (2, 2));
    assert_eq!(summary.driving_licences, 1);
    assert!(summary.certificates >= 10, "{summary:?}");

    assert!(
        concept(&tax.skill("Städning")).is_none(),
        "dropped skills are free text"
    );
    assert_eq!(concept(&tax.skill("kassa")), Some("hYpk_RYx_y3V"));
    assert_eq!(concept(&tax.skill("forklift")), Some("8pHc_Lqc_QxD"));
    assert!(tax.licence("CE").is_err());
    // B no longer implies AM, which is gone; a certificate stays.
    assert!(tax.licence("B").expect("B").implies.is_empty());
    assert_eq!(tax.licence("truckkort").expect("certificate").code, "TRUCK");
    // Positions come from the taxonomy in force, by concept id.
    let stockholm = tax.municipality("Stockholm").expect("kept");
    assert_eq!(stockholm.code, "0180");
    assert!((stockholm.point.lat - 59.33).abs() < 0.01);
    assert!(tax.municipality("Uppsala").is_none());
    assert!(tax.occupation("Undersköterska").is_err());
}

#[test]
fn importing_the_same_files_again_changes_nothing() {
    let base = TaxonomyData::embedded();
    for mode in [ImportMode::Extend, ImportMode::Replace] {
        let (once, _) = derive(&sample(), &base, mode).expect("first");
        let (twice, summary) = derive(&sample(), &once, mode).expect("second");
        assert_eq!(once.checksum(), twice.checksum(), "{mode}");
        assert_eq!((summary.skills_added, summary.skills_relabelled), (0, 0));
    }
}

#[test]
fn files_that_cannot_be_read_are_named() {
    let base = TaxonomyData::embedded();
    let missing = JobTechFiles {
        dir: PathBuf::from("/nonexistent/jobtech"),
        municipalities: None,
    };
    let err = derive(&missing, &base, ImportMode::Extend).unwrap_err();
    assert!(
        err.to_string()
            .contains("/nonexistent/jobtech/concept-to-taxonomy.json"),
        "{err}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let copy = |name: &str| {
        std::fs::copy(sample().dir.join(name), dir.path().join(name)).expect("copy");
    };
    let files = JobTechFiles {
        dir: dir.path().to_path_buf(),
        municipalities: None,
    };
    std::fs::write(
        dir.path().join(CONCEPTS_FILE),
        "{\n  \"a\": {\"type\": \"skill\",\n",
    )
    .expect("write");
    let err = derive(&files, &base, ImportMode::Extend).unwrap_err();
    assert!(
        err.to_string().contains("concept-to-taxonomy.json:3"),
        "{err}"
    );

    std::fs::write(
        dir.path().join(CONCEPTS_FILE),
        r#"{"x": {"preferredLabel": "Rom", "type": "region"}}"#,
    )
    .expect("write");
    let err = derive(&files, &base, ImportMode::Extend).unwrap_err();
    assert!(
        err.to_string()
            .contains("no skill or ssyk-level-4 concepts"),
        "{err}"
    );

    copy(CONCEPTS_FILE);
    copy(NAMES_FILE);
    std::fs::write(
        dir.path().join(GROUPS_FILE),
        "concept,code\nZ6TY_xDf_Yup,9111\n",
    )
    .expect("write");
    let err = derive(&files, &base, ImportMode::Extend).unwrap_err();
    assert!(
        err.to_string()
            .contains("missing column \"ssyk_level4_concept_id\""),
        "{err}"
    );
}

#[test]
fn a_bad_municipality_file_is_refused_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(MUNICIPALITIES_FILE);
    std::fs::write(
        &path,
        "municipality_code,name,region_code,lat,lon,jobtech_concept_id\n0180,Stockholm,01,north,18.07,AvNB_uwa_6n6\n",
    )
    .expect("write");
    let files = JobTechFiles {
        municipalities: Some(path),
        ..sample()
    };
    let err = derive(&files, &TaxonomyData::embedded(), ImportMode::Replace).unwrap_err();
    assert!(err.to_string().contains(":2: lat \"north\""), "{err}");
}

/// The real files of `../shared/reference/jobtech_taxonomy/`, when they are there.
fn reference() -> Option<JobTechFiles> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/jobtech_taxonomy");
    if dir.join(CONCEPTS_FILE).is_file() {
        Some(JobTechFiles {
            dir,
            municipalities: None,
        })
    } else {
        eprintln!("skipped: ../shared/reference/jobtech_taxonomy/ is absent");
        None
    }
}

#[test]
fn the_real_taxonomy_imports_whole() {
    let Some(files) = reference() else { return };
    let base = TaxonomyData::embedded();
    let before = base.build().expect("built-in");
    let (data, summary) = derive(&files, &base, ImportMode::Replace).expect("derived");
    let tax = data.build().expect("loads");
    assert_eq!(summary.skills, 5813, "{summary:?}");
    assert_eq!(summary.occupation_groups, 400);
    assert!(summary.occupation_names >= 3200, "{summary:?}");
    assert_eq!(summary.municipalities, 290);
    assert!(
        summary
            .positions_from
            .ends_with("municipalities/municipalities_290.csv")
    );
    assert_eq!(summary.languages, 435);
    assert_eq!(summary.driving_licences, 15);
    // The built-in extract came from the same files: nothing new, nothing dropped, and the
    // derived files are the shipped ones byte for byte.
    assert_eq!((summary.skills_added, summary.skills_dropped), (0, 0));
    assert_eq!(data.checksum(), base.checksum());

    assert_eq!(concept(&tax.skill("Truckkörkort")), Some("CiMi_7ax_tXs"));
    assert_eq!(
        tax.occupation("Undersköterska")
            .expect("name")
            .code
            .to_string(),
        "5321"
    );
    assert_eq!(
        tax.occupation("1220")
            .expect("code kept from the built-in")
            .label,
        before.occupation("1220").expect("built-in").label
    );
    assert_eq!(tax.municipality("Göteborg").expect("Göteborg").code, "1480");
    assert_eq!(
        tax.licence("CE").expect("CE").implies,
        before.licence("CE").expect("CE").implies
    );
    // Extending with the same files again stores nothing new.
    let (extended, _) = derive(&files, &data, ImportMode::Extend).expect("extend");
    assert_eq!(extended.checksum(), data.checksum());
}
