use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tempfile::TempDir;

use super::*;
use query::distinct_tokens;

fn opening(id: Id, title: &str) -> IndexedOpening {
    IndexedOpening {
        id,
        kind: OpeningKind::Vacancy,
        title: title.to_string(),
        description: String::new(),
        municipality_code: None,
        occupation_code: None,
    }
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
fn an_occupation_filter_finds_the_group_at_every_level() {
    let mut a = opening(1, "Städare");
    a.occupation_code = Some("9111".into());
    let mut b = opening(2, "Lokalvårdare");
    b.occupation_code = Some("9112".into());
    let mut c = opening(3, "Lagerarbetare");
    c.occupation_code = Some("4321".into());
    let (_dir, index) = index_with(vec![a, b, c]);
    let by = |code: &str| {
        let q = SearchQuery {
            occupation_code: Some(code.into()),
            limit: 10,
            ..SearchQuery::default()
        };
        let mut found = ids(&index.search(&q).expect("search"));
        found.sort_unstable();
        found
    };
    assert_eq!(by("9111"), [1]);
    assert_eq!(by("911"), [1, 2]);
    assert_eq!(by("9"), [1, 2]);
    assert_eq!(by("4"), [3]);
    assert!(by("5").is_empty());
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
fn what_the_syntax_cannot_read_is_searched_as_words() {
    let (_dir, index) = index_with(vec![opening(1, "Kock"), opening(2, "Köksbiträde")]);
    for (text, want) in [
        ("title:(", vec![]),
        ("\"unclosed phrase", vec![]),
        ("\"kock", vec![1]),
        ("nosuchfield:kock", vec![1]),
        ("title:kock)", vec![1]),
        ("AND OR NOT", vec![]),
        ("kock AND", vec![1]),
        ("(((", vec![]),
    ] {
        let page = index
            .search(&text_query(text))
            .unwrap_or_else(|e| panic!("{text:?} gave {e}"));
        assert_eq!(ids(&page), want, "{text:?}");
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
fn a_rebuild_leaves_one_segment_and_its_sequence_survives_a_reopen() {
    let dir = TempDir::new().expect("temp dir");
    {
        let index = OpeningIndex::open_or_create(dir.path()).expect("open");
        for seq in 1..=3 {
            index
                .apply(vec![IndexChange::Upsert(opening(seq, "Kock"))], seq)
                .expect("apply");
        }
        assert!(index.segment_count() > 1, "one segment per committed batch");
        let many = (100..2_100).map(|id| opening(id, "Lagerarbetare med truckkort"));
        index.rebuild(many, 42).expect("rebuild");
        assert_eq!(index.segment_count(), 1);
        assert_eq!(index.num_docs(), 2_000);
    }
    let reopened = OpeningIndex::open_or_create(dir.path()).expect("reopen");
    assert_eq!(
        reopened.applied_seq(),
        42,
        "the merge keeps the commit's sequence"
    );
    assert_eq!(reopened.segment_count(), 1);
    assert_eq!(reopened.num_docs(), 2_000);
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

fn relevance_ids(index: &OpeningIndex, words: &[&str], limit: usize) -> Vec<Id> {
    let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    let hits = index.relevance(&words, limit).expect("relevance");
    assert!(
        hits.windows(2).all(|w| w[0].1 >= w[1].1),
        "best first: {hits:?}"
    );
    hits.into_iter().map(|(id, _)| id).collect()
}

#[test]
fn relevance_finds_the_participants_words_through_the_stemmer_best_first() {
    let mut both = opening(1, "Lagerarbetare");
    both.description = "Truck och städning på lagret.".into();
    let mut cleaning = opening(2, "Lokalvård");
    cleaning.description = "Städning av trapphus.".into();
    let (_dir, index) = index_with(vec![cleaning, opening(3, "Kock"), both]);

    assert_eq!(
        relevance_ids(&index, &["Städare title:(", "truck"], 10),
        [1, 2]
    );
    assert!(relevance_ids(&index, &["Bagare"], 10).is_empty());
    assert!(relevance_ids(&index, &[], 10).is_empty());
    assert!(relevance_ids(&index, &["truck"], 0).is_empty());
}

#[test]
fn relevance_leaves_out_the_openings_tied_at_the_limit() {
    let mut best = opening(9, "Lagerarbetare");
    best.description = "Lagerarbetare med truck.".into();
    let mut openings: Vec<_> = (1..=4).map(|id| opening(id, "Lagerarbetare")).collect();
    openings.push(best);
    let (_dir, index) = index_with(openings);
    let words = ["lagerarbetare truck"];

    assert_eq!(relevance_ids(&index, &words, 1), [9]);
    assert_eq!(
        relevance_ids(&index, &words, 2),
        [9],
        "which of four equals tantivy would keep is not for it to decide"
    );
    let mut all = relevance_ids(&index, &words, 5);
    assert_eq!(all.remove(0), 9);
    all.sort_unstable();
    assert_eq!(all, [1, 2, 3, 4], "no tie is cut when everything fits");
}

#[test]
fn a_word_finds_the_compounds_it_is_part_of_and_nothing_it_merely_begins() {
    let mut word = opening(1, "Extrapersonal");
    word.description = "Plock och pack på vårt lager i Solna.".into();
    let (_dir, index) = index_with(vec![
        word,
        opening(2, "Lagerarbetare sökes"),
        opening(3, "Lagring av data"),
        opening(4, "Hemstädare till Nacka"),
        opening(5, "Kassabiträde med kassavana"),
        opening(6, "Truckförare, truckvana krävs"),
        opening(7, "Tidningsbud"),
        opening(8, "Tidning söker redaktör"),
    ]);
    let found = |q: &str| {
        let mut got = ids(&index.search(&text_query(q)).expect("search"));
        got.sort_unstable();
        got
    };
    assert_eq!(found("lager"), [1, 2], "not 'lagring'");
    assert_eq!(found("arbetare"), [2], "the head of a compound");
    assert_eq!(found("städ"), [4]);
    assert_eq!(
        found("vana"),
        [5, 6],
        "compound skill labels meet their parts"
    );
    assert_eq!(found("kassa"), [5]);
    assert_eq!(found("truck"), [6]);
    // Near misses: a word is not every word it begins, and "tidning" is not "tid".
    assert_eq!(found("tid"), Vec::<i64>::new());
    assert_eq!(found("arb"), Vec::<i64>::new());
    assert_eq!(found("tidning"), [7, 8], "a typed word begins longer ones");
    // A compound asks for the compound, and field syntax still works.
    assert_eq!(found("lagerarbetare"), [2]);
    assert_eq!(found("title:lager"), [2]);
}

#[test]
fn relevance_leaves_out_words_in_more_than_a_tenth_of_many_openings_unless_all_are() {
    // 1,200 openings: "och" in every one, "truck" in 30 of them.
    let openings = (1..=1_200).map(|id| {
        let mut o = opening(id, "Lagerarbetare");
        o.description = if id % 40 == 0 {
            "Truck och lager.".into()
        } else {
            "Plock och pack.".into()
        };
        o
    });
    let (_dir, index) = index_with(openings.collect());
    let both = relevance_ids(&index, &["truck och"], 500);
    assert_eq!(both.len(), 30, "only the openings with the telling word");
    assert!(both.iter().all(|id| id % 40 == 0));
    // Every word common: they all count, so the text still finds something.
    assert_eq!(relevance_ids(&index, &["och"], 2_000).len(), 1_200);

    // A small index keeps every word, however common.
    let mut with_och = opening(3, "Kock");
    with_och.description = "Kök och servering.".into();
    let (_small_dir, small) = index_with(vec![
        opening(1, "Truckförare"),
        opening(2, "Kock"),
        with_och,
    ]);
    let mut found = relevance_ids(&small, &["truck och"], 10);
    found.sort_unstable();
    assert_eq!(found, [1, 3]);
}

/// Tantivy's own BM25 of a union of the words, every hit: what `relevance` sums term at a time.
fn union_scores(index: &OpeningIndex, words: &[String]) -> BTreeMap<Id, f32> {
    let searcher = index.reader.searcher();
    let terms: Vec<Box<dyn tantivy::query::Query>> =
        distinct_tokens(&index.analyzer, words.iter().map(String::as_str))
            .into_iter()
            .map(|token| -> Box<dyn tantivy::query::Query> {
                Box::new(tantivy::query::TermQuery::new(
                    tantivy::Term::from_field_text(index.fields.words, &token),
                    tantivy::schema::IndexRecordOption::WithFreqs,
                ))
            })
            .collect();
    let all = tantivy::collector::TopDocs::with_limit(searcher.num_docs() as usize + 1);
    let top = searcher
        .search(
            &tantivy::query::BooleanQuery::union(terms),
            &all.order_by_score(),
        )
        .expect("search");
    top.into_iter()
        .map(|(score, address)| {
            let ids = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .i64(schema::ID)
                .expect("id column");
            (ids.first(address.doc_id).expect("id"), score)
        })
        .collect()
}

#[test]
fn relevance_scores_what_tantivys_union_scores_across_segments_and_deletions() {
    const WORDS: [&str; 12] = [
        "truck",
        "lager",
        "städning",
        "kassa",
        "kock",
        "disk",
        "barnskötare",
        "svetsare",
        "montering",
        "körkort",
        "plock",
        "servering",
    ];
    // A fixed stream of pseudo-random numbers, so a failure can be replayed.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut text = |len: usize| {
        (0..1 + next(len))
            .map(|_| WORDS[next(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut write = |id: Id| {
        let mut o = opening(id, &text(3));
        o.description = text(40);
        o
    };
    let (_dir, index) = index_with((1..=300).map(&mut write).collect());
    // Asked before the later batches too: what it keeps of the segments it read (their id
    // columns) must not stand in for the segments that replace them.
    let before = index
        .relevance(&["truck".to_owned()], usize::MAX)
        .expect("relevance");
    assert!(!before.is_empty());
    // Later batches are segments of their own, with documents deleted from the first.
    for (seq, ids) in [(2, 280..=320), (3, 1..=20)] {
        let changes = ids
            .map(|id| match id % 3 {
                0 => IndexChange::Delete(id),
                _ => IndexChange::Upsert(write(id)),
            })
            .collect();
        index.apply(changes, seq).expect("apply");
    }
    assert!(index.segment_count() > 1, "the test needs several segments");

    for words in [
        vec!["truck".to_owned()],
        vec!["Lagerarbetare".to_owned(), "Truckkort".to_owned()],
        vec!["kock disk servering".to_owned(), "barnskötare".to_owned()],
        vec!["svetsare".to_owned(), "ingenting".to_owned()],
    ] {
        let expected = union_scores(&index, &words);
        assert!(!expected.is_empty(), "{words:?} should match something");
        let all = index.relevance(&words, usize::MAX).expect("relevance");
        assert_eq!(
            all.iter().map(|h| h.0).collect::<BTreeSet<_>>(),
            expected.keys().copied().collect::<BTreeSet<_>>(),
            "{words:?}: the same openings"
        );
        for &(id, score) in &all {
            let theirs = expected[&id];
            assert!(
                (score - theirs).abs() <= theirs * 1e-5,
                "{words:?}, opening {id}: {score} against tantivy's {theirs}"
            );
        }
        assert!(all.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
        // A limit keeps exactly the openings above the first one left out.
        for limit in [1, 5, 50] {
            let kept = index.relevance(&words, limit).expect("relevance");
            let cut = all.get(limit).map_or(f32::NEG_INFINITY, |h| h.1);
            let above: Vec<_> = all.iter().take_while(|h| h.1 > cut).copied().collect();
            assert_eq!(kept, above, "{words:?}, limit {limit}");
        }
    }
}
