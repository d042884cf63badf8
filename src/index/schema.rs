//! The tantivy schema of the opening index and the conversion of an [`IndexedOpening`] into a
//! tantivy document. Nothing outside `index` sees these fields.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::IndexedOpening;
use super::analyzer::SWEDISH;

/// Field names. Renaming one changes the schema, and an index with another schema is
/// refused at open (the caller then rebuilds it).
pub(super) const ID: &str = "id";

/// Handles to every field of the schema, resolved once.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fields {
    /// Opening id: a fast field to read hits and sort, indexed to delete by term.
    pub id: Field,
    /// `vacancy` or `internship`, raw.
    pub kind: Field,
    pub title: Field,
    pub description: Field,
    /// Title and description as one text, for a participant's text relevance: one posting
    /// list per word instead of two halves the work of the union (see `relevance`).
    pub words: Field,
    pub municipality: Field,
    pub occupation: Field,
}

/// Builds the schema and the handles to its fields.
pub(super) fn build() -> (Schema, Fields) {
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(SWEDISH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(SWEDISH)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_i64_field(ID, INDEXED | FAST),
        kind: builder.add_text_field("kind", STRING),
        title: builder.add_text_field("title", text.clone()),
        description: builder.add_text_field("description", text),
        words: builder.add_text_field("words", words),
        municipality: builder.add_text_field("municipality", STRING),
        occupation: builder.add_text_field("occupation", STRING),
    };
    (builder.build(), fields)
}

impl Fields {
    /// The tantivy document for an opening.
    pub(super) fn document(&self, opening: &IndexedOpening) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_i64(self.id, opening.id);
        doc.add_text(self.kind, opening.kind.as_str());
        doc.add_text(self.title, &opening.title);
        doc.add_text(self.description, &opening.description);
        doc.add_text(self.words, &opening.title);
        doc.add_text(self.words, &opening.description);
        if let Some(code) = &opening.municipality_code {
            doc.add_text(self.municipality, code);
        }
        // Every level of the SSYK code, so a filter on a major or minor group finds its
        // unit groups ("5", "53", "532", "5321").
        if let Some(code) = &opening.occupation_code {
            for digits in 1..=code.len() {
                doc.add_text(self.occupation, &code[..digits]);
            }
        }
        doc
    }
}
