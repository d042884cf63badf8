use std::path::Path;

use chrono::NaiveDate;
use tempfile::TempDir;

use super::query::bounding_box;
use super::*;

fn opening(id: Id, title: &str) -> IndexedOpening {
    IndexedOpening {
        id,
        open: true,
        kind: OpeningKind::Vacancy,
        title: title.to_string(),
        description: String::new(),
        concepts: Vec::new(),
        municipality_code: None,
        point: None,
        swedish_min: 0,
        swedish_strict: false,
        licences: Vec::new(),
        places: 1,
        start_date: None,
        deadline: None,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn open_index(dir: &Path) -> OpeningIndex {
    OpeningIndex::open_or_create(dir).expect("open index")
}

fn index_with(openings: Vec<IndexedOpening>) -> (TempDir, OpeningIndex) {
    let dir = TempDir::new().expect("temp dir");
    let index = open_index(dir.path());
    index.rebuild(openings, 1).expect("rebuild");
    (dir, index)
}

fn text_query(text: &str) -> SearchQuery {
    SearchQuery {
        text: Some(text.to_string()),
        limit: 10,
        ..SearchQuery::default()
    }
}

fn ids(page: &SearchPage) -> Vec<Id> {
    page.hits.iter().map(|(id, _)| *id).collect()
}

fn candidate_query() -> CandidateQuery {
    CandidateQuery {
        concepts: Vec::new(),
        text: Vec::new(),
        kind: None,
        swedish_step: Some(0),
        licences_held: Some(Vec::new()),
        all_licences: Vec::new(),
        within: None,
        today: Some(day(2025, 3, 1)),
        limit: 100,
    }
}

fn candidate_ids(index: &OpeningIndex, q: &CandidateQuery) -> Vec<Id> {
    let hits = index.candidates(q).expect("candidates");
    hits.into_iter().map(|(id, _)| id).collect()
}

const STOCKHOLM: GeoPoint = GeoPoint {
    lat: 59.3293,
    lon: 18.0686,
};
const SODERTALJE: GeoPoint = GeoPoint {
    lat: 59.1955,
    lon: 17.6253,
};
const GOTEBORG: GeoPoint = GeoPoint {
    lat: 57.7089,
    lon: 11.9746,
};

#[test]
fn a_query_for_stadare_finds_an_ad_about_stadning_and_back() {
    let mut about_cleaning = opening(1, "Lokalvård på kontor");
    about_cleaning.description = "Vi söker dig som gillar städning och ordning.".into();
    let (_dir, index) = index_with(vec![
        about_cleaning,
        opening(2, "Städare sökes"),
        opening(3, "Kock till restaurang"),
    ]);

    let mut found = ids(&index.search(&text_query("städare")).expect("search"));
    found.sort_unstable();
    assert_eq!(found, [1, 2]);
    let mut found = ids(&index.search(&text_query("Städning")).expect("search"));
    found.sort_unstable();
    assert_eq!(found, [1, 2]);
    assert_eq!(
        ids(&index.search(&text_query("städerska")).expect("search")).len(),
        2
    );
}

#[test]
fn search_ors_terms_and_ranks_title_matches_first() {
    let mut in_text = opening(1, "Lagerarbete");
    in_text.description = "Du kommer även att hjälpa till i köket.".into();
    let (_dir, index) = index_with(vec![in_text, opening(2, "Kock"), opening(3, "Truckförare")]);

    let page = index.search(&text_query("kock köket")).expect("search");
    assert_eq!(page.total, 2);
    assert_eq!(ids(&page), [2, 1]);
    assert!(page.hits[0].1 > page.hits[1].1);
}

#[test]
fn search_filters_by_kind_and_municipality() {
    let mut a = opening(1, "Städare");
    a.municipality_code = Some("0180".into());
    let mut b = opening(2, "Städare");
    b.kind = OpeningKind::Internship;
    b.municipality_code = Some("0180".into());
    let mut c = opening(3, "Städare");
    c.municipality_code = Some("1480".into());
    let (_dir, index) = index_with(vec![a, b, c]);

    let q = SearchQuery {
        kind: Some(OpeningKind::Internship),
        ..text_query("städare")
    };
    assert_eq!(ids(&index.search(&q).expect("search")), [2]);
    let q = SearchQuery {
        municipality_code: Some("0180".into()),
        ..text_query("städare")
    };
    let page = index.search(&q).expect("search");
    assert_eq!(page.total, 2);
    let q = SearchQuery {
        kind: Some(OpeningKind::Vacancy),
        municipality_code: Some("0180".into()),
        limit: 10,
        ..SearchQuery::default()
    };
    assert_eq!(ids(&index.search(&q).expect("search")), [1]);
}

#[test]
fn closed_openings_are_not_found() {
    let mut closed = opening(1, "Städare");
    closed.open = false;
    let (_dir, index) = index_with(vec![closed, opening(2, "Städare")]);

    assert_eq!(
        ids(&index.search(&text_query("städare")).expect("search")),
        [2]
    );
    let all = SearchQuery {
        limit: 10,
        ..SearchQuery::default()
    };
    assert_eq!(index.search(&all).expect("search").total, 1);
    assert_eq!(candidate_ids(&index, &candidate_query()), [2]);
    assert_eq!(index.num_docs(), 2, "closed openings stay indexed");
}

#[test]
fn without_text_search_lists_newest_first_in_pages() {
    let (_dir, index) = index_with((1..=5).map(|id| opening(id, "Kock")).collect());

    let q = SearchQuery {
        offset: 1,
        limit: 2,
        ..SearchQuery::default()
    };
    let page = index.search(&q).expect("search");
    assert_eq!(page.total, 5);
    assert_eq!(page.hits, [(4, 0.0), (3, 0.0)]);

    let blank = SearchQuery {
        text: Some("   ".into()),
        limit: usize::MAX,
        ..SearchQuery::default()
    };
    assert_eq!(ids(&index.search(&blank).expect("search")), [5, 4, 3, 2, 1]);

    let past_the_end = SearchQuery {
        offset: 10,
        ..text_query("kock")
    };
    let page = index.search(&past_the_end).expect("search");
    assert_eq!((page.total, page.hits.len()), (5, 0));
    let count_only = SearchQuery {
        limit: 0,
        ..text_query("kock")
    };
    let page = index.search(&count_only).expect("search");
    assert_eq!((page.total, page.hits.len()), (5, 0));
}

#[test]
fn equal_scores_list_newest_first() {
    let (_dir, index) = index_with(vec![
        opening(7, "Kock"),
        opening(9, "Kock"),
        opening(8, "Kock"),
    ]);
    assert_eq!(
        ids(&index.search(&text_query("kock")).expect("search")),
        [9, 8, 7]
    );
}

#[test]
fn unparsable_queries_are_the_users_error() {
    let (_dir, index) = index_with(vec![opening(1, "Kock")]);
    for text in [
        "title:(",
        "\"unclosed phrase",
        "nosuchfield:kock",
        "-kock",
        "title:kock)",
    ] {
        match index.search(&text_query(text)) {
            Err(IndexError::Query { message }) => {
                assert!(message.contains(text), "{message}")
            }
            other => panic!("{text:?} gave {other:?}"),
        }
    }
    assert_eq!(
        ids(&index.search(&text_query("title:kock")).expect("search")),
        [1]
    );
    assert_eq!(
        ids(&index.search(&text_query("\"kock\"")).expect("search")),
        [1]
    );
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let (_dir, index) = index_with(vec![opening(1, "Kock"), opening(2, "Städare")]);

    index
        .apply(vec![IndexChange::Upsert(opening(1, "Bagare"))], 2)
        .expect("apply");
    assert_eq!(index.num_docs(), 2);
    assert!(ids(&index.search(&text_query("kock")).expect("search")).is_empty());
    assert_eq!(
        ids(&index.search(&text_query("bagare")).expect("search")),
        [1]
    );

    index.apply(vec![IndexChange::Delete(2)], 3).expect("apply");
    assert_eq!(index.num_docs(), 1);
    assert!(ids(&index.search(&text_query("städare")).expect("search")).is_empty());

    // Within one batch, the last change for an id wins.
    index
        .apply(
            vec![
                IndexChange::Upsert(opening(3, "Kock")),
                IndexChange::Upsert(opening(3, "Målare")),
                IndexChange::Delete(1),
                IndexChange::Delete(404),
            ],
            4,
        )
        .expect("apply");
    assert_eq!(index.num_docs(), 1);
    assert_eq!(
        ids(&index.search(&text_query("målning")).expect("search")),
        [3]
    );
    assert_eq!(index.applied_seq(), 4);
}

#[test]
fn applied_seq_survives_reopening() {
    let dir = TempDir::new().expect("temp dir");
    {
        let index = open_index(dir.path());
        assert_eq!(index.applied_seq(), 0);
        assert_eq!(index.num_docs(), 0);
        index
            .apply(vec![IndexChange::Upsert(opening(1, "Kock"))], 41)
            .expect("apply");
        index.apply(Vec::new(), 42).expect("an empty batch commits");
        assert_eq!(index.applied_seq(), 42);
    }
    let index = open_index(dir.path());
    assert_eq!(index.applied_seq(), 42);
    assert_eq!(index.num_docs(), 1);
    assert_eq!(
        ids(&index.search(&text_query("kock")).expect("search")),
        [1]
    );
}

#[test]
fn open_or_create_creates_missing_directories() {
    let dir = TempDir::new().expect("temp dir");
    let nested = dir.path().join("data").join("index");
    let index = open_index(&nested);
    index.apply(Vec::new(), 1).expect("apply");
    assert!(nested.join("meta.json").exists());
}

#[test]
fn rebuild_replaces_everything() {
    let (_dir, index) = index_with(vec![opening(1, "Kock"), opening(2, "Städare")]);
    index
        .apply(vec![IndexChange::Upsert(opening(3, "Bagare"))], 5)
        .expect("apply");

    index
        .rebuild(vec![opening(10, "Målare"), opening(11, "Svetsare")], 9)
        .expect("rebuild");
    assert_eq!(index.num_docs(), 2);
    assert_eq!(index.applied_seq(), 9);
    let all = SearchQuery {
        limit: 10,
        ..SearchQuery::default()
    };
    assert_eq!(ids(&index.search(&all).expect("search")), [11, 10]);
    assert!(ids(&index.search(&text_query("kock")).expect("search")).is_empty());
}

#[test]
fn a_directory_with_garbage_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("meta.json"), b"{ not json").expect("write");
    std::fs::write(dir.path().join("0123.idx"), b"garbage").expect("write");
    match OpeningIndex::open_or_create(dir.path()) {
        Err(IndexError::Open { path, .. }) => assert_eq!(path, dir.path()),
        other => panic!("expected an open error, got {other:?}"),
    }
}

/// Writes a one-document index into `dir`, then rewrites each segment file with `damage`.
fn damage_segment_files(dir: &Path, damage: impl Fn(&mut Vec<u8>)) {
    {
        let index = open_index(dir);
        index
            .apply(vec![IndexChange::Upsert(opening(1, "Kock"))], 1)
            .expect("apply");
    }
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.starts_with('.') && name != "meta.json" {
            let mut bytes = std::fs::read(&path).expect("read");
            damage(&mut bytes);
            std::fs::write(&path, bytes).expect("overwrite");
        }
    }
}

#[test]
fn truncated_segment_files_are_refused() {
    let dir = TempDir::new().expect("temp dir");
    damage_segment_files(dir.path(), |bytes| *bytes = b"garbage".to_vec());
    assert!(matches!(
        OpeningIndex::open_or_create(dir.path()),
        Err(IndexError::Open { .. })
    ));
}

#[test]
fn flipped_bits_in_segment_files_are_refused() {
    let dir = TempDir::new().expect("temp dir");
    damage_segment_files(dir.path(), |bytes| {
        if let Some(byte) = bytes.first_mut() {
            *byte ^= 0xff;
        }
    });
    match OpeningIndex::open_or_create(dir.path()) {
        Err(IndexError::Open { message, .. }) => assert!(message.contains("damaged"), "{message}"),
        other => panic!("expected an open error, got {other:?}"),
    }
}

#[test]
fn an_index_with_another_schema_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let mut builder = tantivy::schema::Schema::builder();
    builder.add_text_field("title", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(dir.path(), builder.build()).expect("foreign index");
    match OpeningIndex::open_or_create(dir.path()) {
        Err(IndexError::Open { message, .. }) => assert!(message.contains("schema"), "{message}"),
        other => panic!("expected an open error, got {other:?}"),
    }
}

#[test]
fn candidates_rank_more_matching_concepts_first() {
    let mut two = opening(1, "Lagerarbetare");
    two.concepts = vec!["truck".into(), "lager".into(), "ssyk:9321".into()];
    let mut one = opening(2, "Lagerarbetare");
    one.concepts = vec!["lager".into()];
    let mut none = opening(3, "Kock");
    none.concepts = vec!["kock".into()];
    let mut also_one = opening(4, "Lagerarbetare");
    also_one.concepts = vec!["lager".into(), "ssyk:9321".into()];
    let (_dir, index) = index_with(vec![two, one, none, also_one]);

    let q = CandidateQuery {
        concepts: vec!["truck".into(), "lager".into(), "lager".into()],
        ..candidate_query()
    };
    let hits = index.candidates(&q).expect("candidates");
    let found: Vec<Id> = hits.iter().map(|(id, _)| *id).collect();
    assert_eq!(found, [1, 2, 4], "ties by id: {hits:?}");
    assert!(hits[0].1 > hits[1].1);
    assert_eq!(
        hits[1].1, hits[2].1,
        "the number of concepts listed must not matter"
    );

    let q = CandidateQuery { limit: 1, ..q };
    assert_eq!(candidate_ids(&index, &q), [1]);
}

#[test]
fn candidates_match_free_text_through_the_stemmer() {
    let mut cleaning = opening(1, "Lokalvård");
    cleaning.description = "Städning av trapphus.".into();
    let (_dir, index) = index_with(vec![cleaning, opening(2, "Kock"), opening(3, "Städare")]);

    let q = CandidateQuery {
        text: vec!["Städare title:(".into()],
        ..candidate_query()
    };
    let mut found = candidate_ids(&index, &q);
    found.sort_unstable();
    assert_eq!(found, [1, 3]);
}

#[test]
fn without_terms_every_filtered_opening_is_a_candidate() {
    let (_dir, index) = index_with(vec![
        opening(3, "Kock"),
        opening(1, "Städare"),
        opening(2, "Bagare"),
    ]);
    let hits = index.candidates(&candidate_query()).expect("candidates");
    assert_eq!(hits, [(1, 0.0), (2, 0.0), (3, 0.0)]);
    let q = CandidateQuery {
        limit: 0,
        ..candidate_query()
    };
    assert!(index.candidates(&q).expect("candidates").is_empty());
}

#[test]
fn candidates_respect_kind() {
    let mut internship = opening(2, "Kock");
    internship.kind = OpeningKind::Internship;
    let (_dir, index) = index_with(vec![opening(1, "Kock"), internship]);
    let q = CandidateQuery {
        kind: Some(OpeningKind::Internship),
        ..candidate_query()
    };
    assert_eq!(candidate_ids(&index, &q), [2]);
}

#[test]
fn candidates_respect_strict_swedish() {
    let mut strict_b2 = opening(1, "Undersköterska");
    strict_b2.swedish_min = 4;
    strict_b2.swedish_strict = true;
    let mut merit_b2 = opening(2, "Undersköterska");
    merit_b2.swedish_min = 4;
    let mut strict_a2 = opening(3, "Undersköterska");
    strict_a2.swedish_min = 2;
    strict_a2.swedish_strict = true;
    let (_dir, index) = index_with(vec![strict_b2, merit_b2, strict_a2, opening(4, "Kock")]);

    let at = |step| CandidateQuery {
        swedish_step: Some(step),
        ..candidate_query()
    };
    assert_eq!(candidate_ids(&index, &at(0)), [2, 4]);
    assert_eq!(candidate_ids(&index, &at(2)), [2, 3, 4]);
    assert_eq!(candidate_ids(&index, &at(4)), [1, 2, 3, 4]);
}

#[test]
fn candidates_respect_licences() {
    let mut needs_b = opening(1, "Hemtjänst");
    needs_b.licences = vec!["lic-b".into()];
    let mut needs_b_and_ce = opening(2, "Lastbilschaufför");
    needs_b_and_ce.licences = vec!["lic-b".into(), "lic-ce".into()];
    let (_dir, index) = index_with(vec![needs_b, needs_b_and_ce, opening(3, "Kock")]);

    let holding = |held: &[&str]| CandidateQuery {
        licences_held: Some(held.iter().map(|l| l.to_string()).collect()),
        all_licences: vec!["lic-b".into(), "lic-ce".into(), "lic-a".into()],
        ..candidate_query()
    };
    assert_eq!(candidate_ids(&index, &holding(&[])), [3]);
    assert_eq!(candidate_ids(&index, &holding(&["lic-b"])), [1, 3]);
    assert_eq!(
        candidate_ids(&index, &holding(&["lic-b", "lic-ce"])),
        [1, 2, 3]
    );
    assert_eq!(candidate_ids(&index, &holding(&["lic-ce"])), [3]);
}

#[test]
fn candidates_respect_the_distance_box() {
    let mut near = opening(1, "Kock");
    near.point = Some(SODERTALJE);
    let mut far = opening(2, "Kock");
    far.point = Some(GOTEBORG);
    let (_dir, index) = index_with(vec![near, far, opening(3, "Kock")]);

    let within = |km| CandidateQuery {
        within: Some((STOCKHOLM, km)),
        ..candidate_query()
    };
    assert_eq!(
        candidate_ids(&index, &within(10.0)),
        [3],
        "no point: still a candidate"
    );
    assert_eq!(candidate_ids(&index, &within(40.0)), [1, 3]);
    assert_eq!(candidate_ids(&index, &within(500.0)), [1, 2, 3]);
    assert_eq!(candidate_ids(&index, &within(f64::INFINITY)), [1, 2, 3]);

    let bad_centre = CandidateQuery {
        within: Some((
            GeoPoint {
                lat: 91.0,
                lon: 0.0,
            },
            10.0,
        )),
        ..candidate_query()
    };
    assert!(matches!(
        index.candidates(&bad_centre),
        Err(IndexError::Query { .. })
    ));
}

#[test]
fn candidates_respect_the_deadline() {
    let mut passed = opening(1, "Kock");
    passed.deadline = Some(day(2025, 2, 28));
    let mut today = opening(2, "Kock");
    today.deadline = Some(day(2025, 3, 1));
    let mut later = opening(3, "Kock");
    later.deadline = Some(day(2025, 4, 1));
    let (_dir, index) = index_with(vec![passed, today, later, opening(4, "Kock")]);
    assert_eq!(candidate_ids(&index, &candidate_query()), [2, 3, 4]);
}

#[test]
fn the_bounding_box_encloses_the_circle() {
    for centre in [
        STOCKHOLM,
        GOTEBORG,
        GeoPoint {
            lat: 68.0,
            lon: 20.0,
        },
    ] {
        for km in [1.0, 25.0, 150.0] {
            let bbox = bounding_box(centre, km);
            let (west, east) = bbox.lon.expect("no pole or antimeridian in reach");
            for bearing in 0..360 {
                let point = destination(centre, km * 0.999_999, f64::from(bearing));
                assert!(point.distance_km(centre) <= km);
                assert!(
                    (bbox.lat.0..=bbox.lat.1).contains(&point.lat)
                        && (west..=east).contains(&point.lon),
                    "{point:?} at {km} km from {centre:?} is outside {bbox:?}"
                );
            }
            // And the box is not much wider than needed.
            let east_edge = GeoPoint {
                lat: centre.lat,
                lon: east,
            };
            assert!(east_edge.distance_km(centre) < km * 1.01);
        }
    }
    let polar = bounding_box(
        GeoPoint {
            lat: 89.9,
            lon: 0.0,
        },
        50.0,
    );
    assert_eq!((polar.lat.1, polar.lon), (90.0, None));
}

/// The point `km` from `from` in the direction `bearing_deg` (great circle).
fn destination(from: GeoPoint, km: f64, bearing_deg: f64) -> GeoPoint {
    let d = km / crate::model::EARTH_RADIUS_KM;
    let (lat1, lon1, b) = (
        from.lat.to_radians(),
        from.lon.to_radians(),
        bearing_deg.to_radians(),
    );
    let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * b.cos()).asin();
    let lon2 = lon1 + (b.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
    GeoPoint {
        lat: lat2.to_degrees(),
        lon: lon2.to_degrees(),
    }
}

#[test]
fn the_first_part_of_a_compound_finds_it_below_whole_words() {
    let mut word = opening(1, "Extrapersonal");
    word.description = "Arbete på vårt lager i Solna.".into();
    let (_dir, index) = index_with(vec![
        word,
        opening(2, "Lagerarbetare sökes"),
        opening(3, "Lagring av data"),
        opening(4, "Städfirma söker personal"),
    ]);
    let page = index.search(&text_query("lager")).expect("search");
    assert_eq!(
        ids(&page),
        [1, 2],
        "the whole word first, then the compound; not 'lagring'"
    );
    assert_eq!(
        ids(&index.search(&text_query("städ")).expect("search")),
        [4]
    );
    // Short words and query syntax do not take part.
    assert!(ids(&index.search(&text_query("arb")).expect("search")).is_empty());
    assert!(ids(&index.search(&text_query("title:lager")).expect("search")).is_empty());
}
