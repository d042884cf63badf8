//! The taxonomy's startup and per-term costs: loading the embedded CSV (done once per process)
//! and normalising one skill, by exact key and by the fuzzy fallback (done per term of every
//! posted opening and profile).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jobmatch::taxonomy::Taxonomy;

fn taxonomy(c: &mut Criterion) {
    let tax = Taxonomy::embedded().expect("embedded taxonomy loads");
    println!(
        "taxonomy: {} skills ({} alias rows), {} occupation groups, {} municipalities, {} licences",
        tax.skill_count(),
        tax.skill_alias_rows(),
        tax.occupations().len(),
        tax.municipalities().len(),
        tax.licences().len(),
    );

    c.bench_function("taxonomy/embedded_load", |b| {
        b.iter(|| Taxonomy::embedded().expect("embedded taxonomy loads"))
    });
    // Exact: an alias after folding ("Truckkörkort" → truckkort concept).
    c.bench_function("taxonomy/skill_exact", |b| {
        b.iter(|| tax.skill(black_box("Truckkörkort")))
    });
    // Fuzzy: a dropped letter, found only by the similarity scan.
    c.bench_function("taxonomy/skill_fuzzy", |b| {
        b.iter(|| tax.skill(black_box("hotelstädning")))
    });
    // Miss: a word that is no concept scans the fuzzy window and stays free text.
    c.bench_function("taxonomy/skill_miss", |b| {
        b.iter(|| tax.skill(black_box("fastighetsjurist")))
    });
}

criterion_group!(benches, taxonomy);
criterion_main!(benches);
