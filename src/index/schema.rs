//! The tantivy schema of the opening index and the conversion of an [`IndexedOpening`] into a
//! tantivy document. Nothing outside `index` sees these fields.

use chrono::NaiveDate;
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::IndexedOpening;
use super::analyzer::SWEDISH;

/// Field names. Renaming one changes the schema, and an index with another schema is
/// refused at open (the caller then rebuilds it).
pub(super) const ID: &str = "id";

/// `deadline` value of an opening without a deadline: it passes every `deadline >= today`.
pub(super) const NO_DEADLINE: i64 = i64::MAX;

/// Handles to every field of the schema, resolved once.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fields {
    /// Opening id: a fast field to read hits and sort, indexed to delete by term.
    pub id: Field,
    pub open: Field,
    /// `vacancy` or `internship`, raw.
    pub kind: Field,
    pub title: Field,
    pub description: Field,
    /// Skill, licence and occupation concept ids and `ssyk…:` codes, raw, no field norms:
    /// how many concepts an opening lists must not dilute the ones it matches.
    pub concepts: Field,
    pub municipality: Field,
    /// Whether `lat`/`lon` are set; openings without a point skip the distance prefilter.
    pub has_point: Field,
    pub lat: Field,
    pub lon: Field,
    /// 0 for none, 1..6 for A1..C2.
    pub swedish_min: Field,
    pub swedish_strict: Field,
    pub licences: Field,
    pub places: Field,
    /// Days since 1970-01-01.
    pub start_date: Field,
    /// Days since 1970-01-01, or [`NO_DEADLINE`].
    pub deadline: Field,
}

/// Builds the schema and the handles to its fields.
pub(super) fn build() -> (Schema, Fields) {
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(SWEDISH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let concept_ids = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );

    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_i64_field(ID, INDEXED | FAST),
        open: builder.add_bool_field("open", INDEXED),
        kind: builder.add_text_field("kind", STRING),
        title: builder.add_text_field("title", text.clone()),
        description: builder.add_text_field("description", text),
        concepts: builder.add_text_field("concepts", concept_ids),
        municipality: builder.add_text_field("municipality", STRING),
        has_point: builder.add_bool_field("has_point", INDEXED),
        lat: builder.add_f64_field("lat", FAST),
        lon: builder.add_f64_field("lon", FAST),
        swedish_min: builder.add_u64_field("swedish_min", INDEXED | FAST),
        swedish_strict: builder.add_bool_field("swedish_strict", INDEXED),
        licences: builder.add_text_field("licences", STRING),
        places: builder.add_u64_field("places", FAST),
        start_date: builder.add_i64_field("start_date", FAST),
        deadline: builder.add_i64_field("deadline", INDEXED | FAST),
    };
    (builder.build(), fields)
}

/// Days since 1970-01-01, the form dates take in the index.
pub(super) fn epoch_days(date: NaiveDate) -> i64 {
    i64::from(date.to_epoch_days())
}

impl Fields {
    /// The tantivy document for an opening. Concepts and licences are deduplicated so that a
    /// repeated id does not count twice.
    pub(super) fn document(&self, opening: &IndexedOpening) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_i64(self.id, opening.id);
        doc.add_bool(self.open, opening.open);
        doc.add_text(self.kind, opening.kind.as_str());
        doc.add_text(self.title, &opening.title);
        doc.add_text(self.description, &opening.description);
        for concept in dedup(&opening.concepts) {
            doc.add_text(self.concepts, concept);
        }
        if let Some(code) = &opening.municipality_code {
            doc.add_text(self.municipality, code);
        }
        doc.add_bool(self.has_point, opening.point.is_some());
        if let Some(point) = opening.point {
            doc.add_f64(self.lat, point.lat);
            doc.add_f64(self.lon, point.lon);
        }
        doc.add_u64(self.swedish_min, u64::from(opening.swedish_min));
        doc.add_bool(self.swedish_strict, opening.swedish_strict);
        for licence in dedup(&opening.licences) {
            doc.add_text(self.licences, licence);
        }
        doc.add_u64(self.places, u64::from(opening.places));
        if let Some(start) = opening.start_date {
            doc.add_i64(self.start_date, epoch_days(start));
        }
        doc.add_i64(
            self.deadline,
            opening.deadline.map_or(NO_DEADLINE, epoch_days),
        );
        doc
    }
}

fn dedup(values: &[String]) -> Vec<&str> {
    let mut unique: Vec<&str> = values.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    unique
}
