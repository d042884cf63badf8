//! What the page's forms send, read into the API's bodies: lists separated by semicolons
//! (taxonomy labels hold commas: "Post, sorteringsvana"), fields left empty (absent, not ""),
//! numbers, and stored values the form shows coarser (concepts by label, times by day).

use serde_json::{Value, json};

/// How a list field separates its items, for people and for the script.
pub const SEPARATOR: &str = "; ";

/// A list field as its items, blanks left out.
pub fn list(field: &str) -> Vec<String> {
    field
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A field left empty is absent (`null`), never an empty string.
pub fn optional(field: &str) -> Value {
    match field.trim() {
        "" => Value::Null,
        v => json!(v),
    }
}

/// A number field, or `null` when empty or not a number.
pub fn number(field: &str) -> Value {
    field
        .trim()
        .parse::<f64>()
        .ok()
        .map_or(Value::Null, |n| json!(n))
}

/// Stored terms (`[{type: concept, id, label} | {type: free_text, text}]`) as a list field.
pub fn term_field(terms: &Value) -> String {
    terms
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["label"].as_str().or(t["text"].as_str()))
        .collect::<Vec<_>>()
        .join(SEPARATOR)
}

/// A list field's items as the API reads them: an item still equal to a stored concept's label
/// is sent as that concept's id, so saving a form never turns a concept into another.
pub fn terms(field: &str, stored: &Value) -> Vec<String> {
    let stored = stored.as_array().cloned().unwrap_or_default();
    list(field)
        .into_iter()
        .map(|item| {
            stored
                .iter()
                .find(|t| t["label"].as_str() == Some(item.as_str()))
                .and_then(|t| t["id"].as_str())
                .map_or(item, str::to_owned)
        })
        .collect()
}

/// Stored terms as a body sends them back unchanged: concepts by id, free text as written.
pub fn unchanged_terms(stored: &Value) -> Vec<String> {
    stored
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_str().or(t["text"].as_str()))
        .map(str::to_owned)
        .collect()
}

/// A date field over a stored time: the stored time itself when the day is unchanged, so a
/// form that shows days does not move a clock's start to midnight.
pub fn day_over(field: &str, stored: &Value) -> Value {
    let field = field.trim();
    match stored.as_str() {
        Some(t) if !field.is_empty() && t.starts_with(field) => stored.clone(),
        _ => optional(field),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_the_api_s_values() {
        assert_eq!(
            list(" Post, sorteringsvana; truckkort ;; "),
            ["Post, sorteringsvana", "truckkort"]
        );
        assert!(list("  ").is_empty());
        assert_eq!(optional("  "), Value::Null);
        assert_eq!(optional(" B2 "), json!("B2"));
        assert_eq!(number("4.5"), json!(4.5));
        assert_eq!(number("fyra"), Value::Null);
    }

    #[test]
    fn unchanged_stored_values_go_back_as_they_were() {
        let stored = json!([
            {"type": "concept", "id": "abc_123", "label": "Post, sorteringsvana"},
            {"type": "free_text", "text": "kassavana"}
        ]);
        let field = term_field(&stored);
        assert_eq!(field, "Post, sorteringsvana; kassavana");
        assert_eq!(
            terms(&format!("{field}; lagerarbete"), &stored),
            ["abc_123", "kassavana", "lagerarbete"]
        );
        let at = json!("2026-11-02T14:00:00Z");
        assert_eq!(day_over("2026-11-02", &at), at);
        assert_eq!(day_over("2026-11-03", &at), json!("2026-11-03"));
        assert_eq!(day_over("", &at), Value::Null);
    }
}
