//! Behaviour of the shipped taxonomy: the spellings users write must land on the right
//! concept, and near-misses must not land on a wrong one.

use std::path::Path;
use std::sync::OnceLock;

use crate::model::{ConceptId, SsykCode, SwedishLevel, Term};

use super::*;

fn tax() -> &'static Taxonomy {
    static TAX: OnceLock<Taxonomy> = OnceLock::new();
    TAX.get_or_init(|| match Taxonomy::embedded() {
        Ok(t) => t,
        Err(e) => panic!("embedded taxonomy does not load: {e}"),
    })
}

fn id(s: &str) -> ConceptId {
    ConceptId(s.to_owned())
}

const TRUCK: &str = "CiMi_7ax_tXs";
const WAREHOUSE: &str = "ijHY_aHk_ADE";
const CLEANING: &str = "fZdk_vbt_LhP";

/// `skill_aliases.csv` is curated by hand; while it is being written a concept may not have
/// its aliases yet. Alias-dependent checks are skipped only in that case, loudly.
fn has_aliases(concept: &str) -> bool {
    let present = include_str!("../../fixtures/taxonomy/skill_aliases.csv")
        .lines()
        .any(|l| l.starts_with(concept));
    if !present {
        eprintln!("skill_aliases.csv has no row for {concept} yet; skipping alias checks");
    }
    present
}

fn skill_id(input: &str) -> Option<String> {
    tax().skill(input).concept_id().map(|c| c.0.clone())
}

#[test]
fn embedded_loads_everything() {
    let t = tax();
    assert_eq!(t.skill_count(), 5813);
    assert_eq!(t.occupations().len(), 400);
    assert_eq!(
        t.occupation("1220").map(|o| o.label).ok().as_deref(),
        Some("Personal- och HR-chefer")
    );
    assert!(t.skill_alias_rows() >= 400);
    assert_eq!(t.municipalities().len(), 290);
    assert!(t.licences().len() >= 27);
    assert!(t.occupations().windows(2).all(|w| w[0].code < w[1].code));
}

#[test]
fn load_dir_matches_embedded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let from_dir = match Taxonomy::load_dir(&dir) {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(from_dir.skill_count(), tax().skill_count());
    assert_eq!(from_dir.skill("truckkort"), tax().skill("truckkort"));
    assert_eq!(from_dir.occupations(), tax().occupations());
}

#[test]
fn load_dir_reports_missing_files_with_path() {
    let err = Taxonomy::load_dir(Path::new("/nonexistent/jobmatch")).unwrap_err();
    assert!(matches!(err, TaxonomyError::Io { .. }));
    assert!(
        err.to_string()
            .contains("/nonexistent/jobmatch/taxonomy/skills.csv"),
        "{err}"
    );
}

#[test]
fn truck_licence_spellings_are_one_concept() {
    if !has_aliases(TRUCK) {
        return;
    }
    for input in [
        "truckkort",
        "Truckkörkort",
        "forklift licence",
        "TRUCKKORT ",
    ] {
        assert_eq!(skill_id(input).as_deref(), Some(TRUCK), "skill {input:?}");
        let licence = tax().licence(input).map(|l| l.concept_id.0.as_str());
        assert_eq!(licence.ok(), Some(TRUCK), "licence {input:?}");
    }
}

#[test]
fn warehouse_work_spellings_are_one_concept() {
    if !has_aliases(WAREHOUSE) {
        return;
    }
    assert_eq!(skill_id("lagerarbete").as_deref(), Some(WAREHOUSE));
    assert_eq!(skill_id("Lagerarbetare").as_deref(), Some(WAREHOUSE));
    assert_eq!(
        skill_id("Terminal- och lagerarbete").as_deref(),
        Some(WAREHOUSE)
    );
}

#[test]
fn cleaning_is_never_steel() {
    if !has_aliases(CLEANING) {
        return;
    }
    assert_eq!(skill_id("städ").as_deref(), Some(CLEANING));
    assert_eq!(skill_id("Städning").as_deref(), Some(CLEANING));
    assert_eq!(skill_id("lokalvård").as_deref(), Some(CLEANING));
    for steel in ["stål", "Stål", "stal"] {
        assert_ne!(skill_id(steel).as_deref(), Some(CLEANING), "{steel:?}");
    }
    assert_eq!(
        skill_id("Stålkonstruktion").as_deref(),
        Some("11rR_H3J_EQQ")
    );
    let label = tax().skill("städ");
    assert!(
        !label.text().to_lowercase().starts_with("stål"),
        "{label:?}"
    );
}

#[test]
fn near_misses_do_not_become_wrong_concepts() {
    assert_ne!(skill_id("bagare").as_deref(), Some(WAREHOUSE));
    assert_eq!(
        tax().skill("  xyzzy "),
        Term::FreeText {
            text: "xyzzy".into()
        }
    );
    // "stål" is too short to fuzzy-match and is no label: it stays as written.
    assert_eq!(
        tax().skill("stål"),
        Term::FreeText {
            text: "stål".into()
        }
    );
    assert!(tax().skill("").concept_id().is_none());
    // Each of these passed plain similarity thresholds against a different concept.
    for (input, wrong) in [
        ("trädgård", "FSHx_ZUd_vNG"),    // Trädvård
        ("Ystad", CLEANING),             // "stad", folded städ
        ("handläggare", "Y4Ls_Mpm_dcM"), // Grovarbete, bygg (handlangare)
        ("åklagare", "Takläggning"),
        ("parkarbetare", "Markanläggning"),
        ("fastighetsjurist", "Fastighetsdrift"),
    ] {
        let term = tax().skill(input);
        assert!(
            term.concept_id().is_none_or(|id| id.as_str() != wrong) && term.text() != wrong,
            "{input:?} became {term:?}"
        );
    }
}

#[test]
fn typos_fuzzy_match_the_right_concept() {
    if has_aliases(WAREHOUSE) {
        assert_eq!(skill_id("lagerarbtare").as_deref(), Some(WAREHOUSE));
    }
    assert_eq!(skill_id("hotelstädning").as_deref(), Some("Ljxo_4Zn_ygo"));
    assert_eq!(skill_id("Hotelstadning").as_deref(), Some("Ljxo_4Zn_ygo"));
}

#[test]
fn concept_terms_keep_what_the_user_wrote() {
    let term = tax().skill("hotelstädning");
    assert_eq!(
        term,
        Term::Concept {
            id: id("Ljxo_4Zn_ygo"),
            label: "Hotellstädning".into(),
            input: Some("hotelstädning".into()),
        }
    );
    let exact = tax().skill("Hotellstädning");
    assert!(
        matches!(exact, Term::Concept { input: None, .. }),
        "{exact:?}"
    );
    assert_eq!(tax().skill("Ljxo_4Zn_ygo"), exact);
}

#[test]
fn skill_labels_and_rarity() {
    let t = tax();
    assert_eq!(t.skill_label(&id("Ljxo_4Zn_ygo")), Some("Hotellstädning"));
    assert_eq!(t.skill_label(&id("nope")), None);
    // Stålkonstruktion: demand 0, no occupation asks for it.
    assert_eq!(t.skill_rarity(&id("11rR_H3J_EQQ")), 2.0);
    assert_eq!(t.skill_rarity(&id("nope")), 1.0);
    let weights: Vec<f32> = t.skills.iter().map(|s| s.rarity).collect();
    assert!(weights.iter().all(|w| (1.0..=2.0).contains(w)));
    let min = weights.iter().copied().fold(f32::INFINITY, f32::min);
    assert!((min - 1.0).abs() < 1e-6, "{min}");
    // Rarer is heavier: Städtjänster (demand 14) outweighs Hotellstädning (demand 20).
    assert!(t.skill_rarity(&id(CLEANING)) > t.skill_rarity(&id("Ljxo_4Zn_ygo")));
}

#[test]
fn occupations_by_code_label_name_and_id() {
    let t = tax();
    let code = SsykCode::new(5321);
    for input in [
        "5321",
        "Undersköterska",
        "undersköterskor",
        "jY19_knH_MJp",
        "Y3QA_5pk_uXd",
    ] {
        let o = t.occupation(input);
        assert_eq!(o.as_ref().ok().map(|o| o.code), code, "{input:?}: {o:?}");
    }
    // Fuzzy, a letter dropped.
    assert_eq!(t.occupation("Undersköterka").ok().map(|o| o.code), code);
    // A slash-separated name part.
    assert_eq!(
        t.occupation("Steriltekniker").ok().map(|o| o.code),
        SsykCode::new(5323)
    );
    assert_eq!(
        t.occupation("0110").ok().map(|o| o.label),
        Some("Officerare".into())
    );
    assert!(
        t.occupation_by_code(SsykCode::new(9999).unwrap_or(code.unwrap()))
            .is_none()
    );
}

#[test]
fn unknown_occupations_error_with_the_input() {
    for input in ["xyzzy", "9998", ""] {
        let err = tax().occupation(input).unwrap_err();
        assert!(matches!(err, TaxonomyError::UnknownOccupation(_)));
        assert!(
            err.to_string()
                .starts_with(&format!("unknown occupation {input:?};"))
        );
    }
}

#[test]
fn occupation_skills_listed_per_group() {
    let Some(code) = SsykCode::new(9111) else {
        unreachable!()
    };
    let skills = tax().occupation_skills(code);
    assert!(!skills.is_empty());
    assert!(skills.iter().all(|s| tax().skill_label(s).is_some()));
    assert!(
        tax()
            .occupation_skills(SsykCode::new(9999).unwrap_or(code))
            .len()
            <= 15
    );
}

#[test]
fn municipalities_by_code_name_and_id() {
    let t = tax();
    let Some(sthlm) = t.municipality("0180") else {
        panic!("0180 missing")
    };
    assert_eq!(sthlm.name, "Stockholm");
    assert!((sthlm.point.lat - 59.33).abs() < 0.01 && (sthlm.point.lon - 18.07).abs() < 0.01);
    assert_eq!(t.municipality("stockholm"), Some(sthlm));
    assert_eq!(t.municipality("AvNB_uwa_6n6"), Some(sthlm));
    let Some(gbg) = t.municipality("Goteborg") else {
        panic!("Göteborg missing")
    };
    assert_eq!(gbg.code, "1480");
    let km = sthlm.point.distance_km(gbg.point);
    assert!((390.0..410.0).contains(&km), "{km}");
    // Håbo and Habo fold alike: the exact names work, the ambiguous folded one does not.
    assert_eq!(
        t.municipality("Håbo").map(|m| m.code.as_str()),
        Some("0305")
    );
    assert_eq!(
        t.municipality("habo").map(|m| m.code.as_str()),
        Some("0643")
    );
    assert!(t.municipality("Nowhere").is_none());
    let err = t.lookup_municipality("Nowhere").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown municipality \"Nowhere\"")
    );
}

#[test]
fn licence_codes_in_any_spelling() {
    let t = tax();
    let code = |s: &str| t.licence(s).map(|l| l.code.clone()).ok();
    assert_eq!(code("CE").as_deref(), Some("CE"));
    assert_eq!(code("c e").as_deref(), Some("CE"));
    assert_eq!(code("C-E").as_deref(), Some("CE"));
    assert_eq!(code("b").as_deref(), Some("B"));
    assert_eq!(code("körkort").as_deref(), Some("B"));
    assert_eq!(code("TRUCK").as_deref(), Some("TRUCK"));
    assert_eq!(code("Truckkort A").as_deref(), Some("TRUCK_A"));
    assert_eq!(code("BKCx_hST_Pcm").as_deref(), Some("C"));
    // Fuzzy, but never across a class letter or number.
    assert_eq!(code("lastbilskörkot").as_deref(), Some("C"));
    assert_eq!(code("körkort C2"), None);
    assert_eq!(code("körkort X"), None);
    let err = t.licence("Q").unwrap_err();
    assert!(matches!(err, TaxonomyError::UnknownLicence(_)));
    let msg = err.to_string();
    assert!(
        msg.starts_with("unknown licence \"Q\"; expected") && msg.contains("CE"),
        "{msg}"
    );
}

#[test]
fn ce_expands_to_everything_it_includes() {
    let t = tax();
    let ce = t.licence("CE").map(|l| l.concept_id.clone()).ok();
    let expanded = t.expand_licences(ce.iter());
    let mut codes: Vec<&str> = expanded
        .iter()
        .filter_map(|id| t.licences().iter().find(|l| &l.concept_id == id))
        .map(|l| l.code.as_str())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["AM", "B", "BE", "C", "C1", "C1E", "CE"]);
    assert!(
        expanded.windows(2).all(|w| w[0] < w[1]),
        "sorted, deduplicated"
    );
    // Unknown ids are kept; duplicates collapse.
    let other = id("not-a-licence");
    let b = t.licence("B").map(|l| l.concept_id.clone()).ok();
    let out = t.expand_licences(b.iter().chain(b.iter()).chain([&other]));
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(t.expand_licences([]).is_empty());
}

#[test]
fn languages_normalise() {
    let t = tax();
    assert!(matches!(t.language("arabiska"), Term::Concept { .. }));
    assert_eq!(t.language("Arabiska").text(), "Arabiska");
    assert_eq!(
        t.language("klingon"),
        Term::FreeText {
            text: "klingon".into()
        }
    );
}

#[test]
fn every_swedish_level_row_parses() {
    let t = tax();
    let rows = include_str!("../../fixtures/swedish_levels.csv");
    let mut n = 0;
    for line in rows.lines().skip(1) {
        let mut fields = line.splitn(3, ',');
        let (Some(input), Some(cefr)) = (fields.next(), fields.next()) else {
            continue;
        };
        let level = t.swedish_level(input);
        assert_eq!(level.ok().map(|l| l.as_str()), Some(cefr), "{input:?}");
        n += 1;
    }
    assert!(n >= 20);
}

#[test]
fn swedish_level_spellings() {
    let t = tax();
    let cases = [
        ("SFI-A", SwedishLevel::A1),
        ("SFI A", SwedishLevel::A1),
        ("sfia", SwedishLevel::A1),
        ("Sfi kurs D", SwedishLevel::B1),
        ("SAS gymnasial", SwedishLevel::C1),
        ("SAS gymnasienivå", SwedishLevel::C1),
        ("svenska som andraspråk grund", SwedishLevel::B2),
        (
            "Svenska som andraspråk, grundläggande nivå",
            SwedishLevel::B2,
        ),
        ("b1", SwedishLevel::B1),
        (" C2 ", SwedishLevel::C2),
        ("level B2", SwedishLevel::B2),
        ("Modersmål", SwedishLevel::C2),
    ];
    for (input, want) in cases {
        assert_eq!(t.swedish_level(input).ok(), Some(want), "{input:?}");
    }
}

#[test]
fn unknown_swedish_level_names_accepted_forms() {
    let err = tax().swedish_level("SFI E").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown Swedish level \"SFI E\"; expected one of A1…C2, SFI A–D, SAS grund, SAS gymnasial"
    );
    assert!(tax().swedish_level("").is_err());
    assert!(tax().swedish_level("kurs").is_err());
}

#[test]
fn broken_rows_report_file_and_line() {
    let tmp = required_fixtures();
    let dir = tmp.path();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    // No aliases file: loads with labels only.
    let t = Taxonomy::load_dir(dir);
    assert_eq!(t.as_ref().map(Taxonomy::skill_alias_rows).ok(), Some(0));

    // An alias naming two concepts is refused, with file and line.
    let aliases = "concept_id,label,label_en,aliases\n\
                   Ljxo_4Zn_ygo,Hotellstädning,Hotel cleaning,hotellstäd\n\
                   fZdk_vbt_LhP,Städtjänster,Cleaning services,städ|Hotellstad\n";
    std::fs::write(dir.join(load::SKILL_ALIASES), aliases).ok();
    let err = Taxonomy::load_dir(dir).unwrap_err();
    assert!(
        matches!(err, TaxonomyError::AliasCollision { line: 3, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("skill_aliases.csv:3: alias \"hotellstad\""),
        "{err}"
    );

    // An alias that repeats the concept's own label is fine.
    let aliases = "concept_id,label,label_en,aliases\nLjxo_4Zn_ygo,Hotellstädning,,hotellstädning|hotellstäd\n";
    std::fs::write(dir.join(load::SKILL_ALIASES), aliases).ok();
    assert!(Taxonomy::load_dir(dir).is_ok());

    // A header without a required column is reported on line 1.
    std::fs::write(dir.join(load::SKILL_ALIASES), "concept_id,aliases\n").ok();
    let err = Taxonomy::load_dir(dir).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("skill_aliases.csv:1: missing column \"label_en\"; the header must name concept_id,label_en,aliases"),
        "{err}"
    );
    std::fs::remove_file(dir.join(load::SKILL_ALIASES)).ok();

    // A licence implying a code that does not exist.
    let licences = std::fs::read_to_string(src.join(load::LICENCES)).unwrap_or_default();
    std::fs::write(
        dir.join(load::LICENCES),
        licences.replacen(",C|C1E,", ",C|C2E,", 1),
    )
    .ok();
    let err = Taxonomy::load_dir(dir).unwrap_err();
    assert!(err.to_string().contains("implied licence \"C2E\""), "{err}");
    std::fs::write(dir.join(load::LICENCES), licences).ok();

    // A bad number names the file and line.
    let skills = std::fs::read_to_string(src.join(load::SKILLS)).unwrap_or_default();
    let broken = skills.replacen(",Kylteknik,19", ",Kylteknik,many", 1);
    std::fs::write(dir.join(load::SKILLS), broken).ok();
    let err = Taxonomy::load_dir(dir).unwrap_err();
    assert!(
        err.to_string().contains("skills.csv:2: demand \"many\""),
        "{err}"
    );
}

/// A fixtures directory holding the required files only: no aliases, no relatedness.
fn required_fixtures() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for f in [
        load::SKILLS,
        load::OCCUPATIONS,
        load::OCCUPATION_NAMES,
        load::OCCUPATION_SKILLS,
        load::MUNICIPALITIES,
        load::LANGUAGES,
        load::LICENCES,
        load::SWEDISH_LEVELS,
    ] {
        let to = tmp.path().join(f);
        std::fs::create_dir_all(to.parent().expect("a folder")).expect("creatable");
        std::fs::copy(src.join(f), to).expect("copied");
    }
    tmp
}

#[test]
fn related_skills_and_occupations_come_from_the_shipped_tables() {
    let t = tax();
    let home_care = id("xowU_8Wu_K7C"); // Hemtjänst
    let related: Vec<(&ConceptId, f32)> = t.related_skills(&home_care).collect();
    assert!(
        related
            .iter()
            .any(|(other, sim)| t.skill_label(other) == Some("Äldreboende") && *sim > 0.5),
        "{related:?}"
    );
    assert!(
        related.windows(2).all(|w| w[0].1 >= w[1].1),
        "most similar first"
    );
    assert!(related.iter().all(|(other, _)| **other != home_care));
    let code = |c: u16| SsykCode::new(c).unwrap();
    // Undersköterskor and boendestödjare ask for much the same; städare and kockar do not.
    let care = t.related_occupations(code(5321));
    assert!(
        care.iter().any(|&(c, sim)| c == code(5342) && sim > 0.6),
        "{care:?}"
    );
    assert!(!care.iter().any(|&(c, _)| c == code(5120)));
    assert!(t.related_skills(&id("nope")).next().is_none());
    // Specificity: the log scale of demand, 1 for a skill no occupation asks for.
    assert_eq!(t.skill_specificity(&id("11rR_H3J_EQQ")), Some(1.0));
    let generic = t.skill_specificity(&id("aMyW_hB7_TpU")).unwrap(); // Kundtjänst
    let specific = t.skill_specificity(&home_care).unwrap();
    assert!(generic < 0.2 && specific > 0.6, "{generic} {specific}");
    assert_eq!(t.skill_specificity(&id("nope")), None);
    // The skill most lists name still counts for a little.
    assert_eq!(t.skill_specificity(&id("4y7C_Lsh_EPM")), Some(0.05));
}

#[test]
fn a_relatedness_table_with_a_bad_row_is_refused_with_file_and_line() {
    let tmp = required_fixtures();
    let dir = tmp.path();
    // Without the tables nothing is related, and the taxonomy still loads.
    let t = Taxonomy::load_dir(dir).unwrap();
    assert!(
        t.related_occupations(SsykCode::new(5321).unwrap())
            .is_empty()
    );

    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write(
        load::RELATED_SKILLS,
        "skill_id,related_id,similarity\nxowU_8Wu_K7C,tykJ_BZQ_Wer,0.6\nxowU_8Wu_K7C,tykJ_BZQ_Wer,1.5\n",
    );
    let err = Taxonomy::load_dir(dir).unwrap_err().to_string();
    assert!(
        err.contains("related_skills.csv:3: similarity \"1.5\""),
        "{err}"
    );
    write(
        load::RELATED_SKILLS,
        "skill_id,related_id,similarity\nxowU_8Wu_K7C,nope,0.6\n",
    );
    let err = Taxonomy::load_dir(dir).unwrap_err().to_string();
    assert!(
        err.contains("related_skills.csv:2: skill \"nope\""),
        "{err}"
    );
    // A pair given twice keeps its higher similarity, and the list stays most similar first.
    write(
        load::RELATED_SKILLS,
        "skill_id,related_id,similarity\nxowU_8Wu_K7C,tykJ_BZQ_Wer,0.4\nxowU_8Wu_K7C,aMyW_hB7_TpU,0.5\nxowU_8Wu_K7C,tykJ_BZQ_Wer,0.6\n",
    );
    let t = Taxonomy::load_dir(dir).unwrap();
    let got: Vec<(&str, f32)> = t
        .related_skills(&id("xowU_8Wu_K7C"))
        .map(|(c, s)| (c.as_str(), s))
        .collect();
    assert_eq!(got, [("tykJ_BZQ_Wer", 0.6), ("aMyW_hB7_TpU", 0.5)]);
    std::fs::remove_file(dir.join(load::RELATED_SKILLS)).unwrap();
    write(
        load::RELATED_OCCUPATIONS,
        "ssyk_code,related_code,similarity\n5321,5321,0.9\n",
    );
    let err = Taxonomy::load_dir(dir).unwrap_err().to_string();
    assert!(
        err.contains("related_occupations.csv:2: a group is not related to itself"),
        "{err}"
    );
}

#[test]
fn everyday_job_titles_reach_the_group_people_mean() {
    let t = tax();
    let code = |s: &str| {
        t.occupation(s)
            .map(|o| o.code.to_string())
            .unwrap_or_default()
    };
    assert_eq!(code("Undersköterska"), "5321");
    assert_eq!(code("Elektriker"), "7411");
    assert_eq!(code("butikssäljare"), "5222");
    assert_eq!(code("Lagerarbetare"), "4322");
    assert_eq!(code("köksbiträde"), "9412");
    assert_eq!(code("Warehouse worker"), "4322");
}

#[test]
fn suggestions_fold_what_is_typed_and_put_beginnings_first() {
    let municipalities = tax().suggest(SuggestKind::Municipality, "goteb", 5);
    assert_eq!(municipalities[0].value, "1480");
    assert!(municipalities[0].label.starts_with("Göteborg"));

    let occupations = tax().suggest(SuggestKind::Occupation, "5321", 5);
    assert_eq!(occupations[0].value, "5321");

    let skills = tax().suggest(SuggestKind::Skill, "truck", 10);
    assert!(!skills.is_empty());
    for s in &skills {
        assert!(fold(&s.label).contains("truck"), "{s:?}");
    }
    // Beginnings of a word come before matches inside one.
    let first_inside = skills
        .iter()
        .position(|s| !fold(&s.label).split(' ').any(|w| w.starts_with("truck")));
    if let Some(i) = first_inside {
        assert!(
            skills[i..]
                .iter()
                .all(|s| !fold(&s.label).split(' ').any(|w| w.starts_with("truck")))
        );
    }
    assert!(tax().suggest(SuggestKind::Skill, "  ", 10).is_empty());
    assert_eq!(tax().suggest(SuggestKind::Licence, "b", 3).len(), 3);
}
