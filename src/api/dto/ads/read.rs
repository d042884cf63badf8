//! Streaming ads out of the shapes they travel in, one at a time, so a file of any size needs
//! the memory of one ad.

use std::io::{BufRead, Read};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::JobSearchAd;
use crate::service::{AdItem, Code, InputError};
use crate::taxonomy::Taxonomy;

/// One record read from an ads file: its position (from 1), its line for JSON Lines, and the
/// ad or why it could not be read.
#[derive(Debug)]
pub struct AdRecord {
    pub position: usize,
    pub line: Option<usize>,
    pub ad: Result<JobSearchAd, String>,
}

/// Why an ads file could not be read on; the records before it were delivered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AdsFileError(pub String);

/// Streams the ads out of one ad, a JSON array of ads, JSON Lines of ads, a JobSearch answer
/// (`{"hits": [ads]}`) or an Elasticsearch answer (`{"hits": {"hits": [{"_source": ad}]}}`),
/// handing each to `sink` as soon as it is read, so a file of any size needs the memory of one
/// ad. An ad that is not an object of the right shape is a record with an error; a file that
/// stops being JSON ends the stream with [`AdsFileError`].
pub fn read_ads(
    mut input: impl BufRead,
    mut sink: impl FnMut(AdRecord),
) -> Result<usize, AdsFileError> {
    let mut first = String::new();
    let io = |e: std::io::Error| AdsFileError(format!("reading the input: {e}"));
    // Skip blank lines before the first value.
    while first.trim().is_empty() {
        first.clear();
        if input.read_line(&mut first).map_err(io)? == 0 {
            return Ok(0);
        }
    }
    let mut count = 0;
    let one_line = serde_json::from_str::<Value>(first.trim()).is_ok();
    if one_line && first.trim_start().starts_with('{') {
        // JSON Lines (a single compact ad is one line of it).
        let mut line_no = 1;
        let mut line = first;
        loop {
            if !line.trim().is_empty() {
                match serde_json::from_str::<Value>(line.trim()) {
                    Ok(value) => {
                        let mut emit = |ad: Result<JobSearchAd, String>| {
                            count += 1;
                            sink(AdRecord {
                                position: count,
                                line: Some(line_no),
                                ad,
                            });
                        };
                        emit_value(value, &mut emit);
                    }
                    Err(e) => {
                        count += 1;
                        sink(AdRecord {
                            position: count,
                            line: Some(line_no),
                            ad: Err(format!("line {line_no} is not JSON: {e}")),
                        });
                    }
                }
            }
            line.clear();
            if input.read_line(&mut line).map_err(io)? == 0 {
                break;
            }
            line_no += 1;
        }
        return Ok(count);
    }
    let reader = std::io::Cursor::new(first.into_bytes()).chain(input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut emit = |ad: Result<JobSearchAd, String>| {
        count += 1;
        sink(AdRecord {
            position: count,
            line: None,
            ad,
        });
    };
    Top { emit: &mut emit }
        .deserialize(&mut de)
        .map_err(|e| AdsFileError(format!("the input is not JSON in an ads shape: {e}")))?;
    de.end()
        .map_err(|e| AdsFileError(format!("unexpected data after the ads: {e}")))?;
    Ok(count)
}

type Emit<'a> = &'a mut dyn FnMut(Result<JobSearchAd, String>);

/// A value already read whole (one JSON Lines line): an ad, or a wrapper of ads.
fn emit_value(value: Value, emit: &mut dyn FnMut(Result<JobSearchAd, String>)) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| emit(ad_from(v))),
        Value::Object(mut map) if map.contains_key("hits") => match map.remove("hits") {
            Some(Value::Array(items)) => items.into_iter().for_each(|v| emit(ad_from(v))),
            Some(Value::Object(mut inner)) => {
                if let Some(Value::Array(items)) = inner.remove("hits") {
                    for hit in items {
                        emit(ad_from(source_of(hit)));
                    }
                }
            }
            _ => emit(Err(
                "\"hits\" is neither a list of ads nor of search hits".into()
            )),
        },
        other => emit(ad_from(other)),
    }
}

fn source_of(hit: Value) -> Value {
    match hit {
        Value::Object(mut m) => m.remove("_source").unwrap_or(Value::Object(m)),
        other => other,
    }
}

fn ad_from(value: Value) -> Result<JobSearchAd, String> {
    if !value.is_object() {
        return Err(format!(
            "an ad must be a JSON object, not {}",
            kind_of(&value)
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| format!("the ad does not have the JobSearch shape: {e}"))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The top of a whole-document input: a list of ads, or an object that is either one ad or an
/// answer with `hits`.
struct Top<'a> {
    emit: Emit<'a>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an ad, a list of ads, or a JobSearch answer with hits")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Ads {
            emit: self.emit,
            hits: false,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Keys other than "hits" are kept: without "hits" they were one ad.
        let mut rest = serde_json::Map::new();
        let mut wrapper = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "hits" {
                wrapper = true;
                map.next_value_seed(Hits {
                    emit: &mut *self.emit,
                })?;
            } else if wrapper {
                map.next_value::<IgnoredAny>()?;
            } else {
                rest.insert(key, map.next_value::<Value>()?);
            }
        }
        if !wrapper {
            (self.emit)(ad_from(Value::Object(rest)));
        }
        Ok(())
    }
}

/// The value of `hits`: a list of ads (JobSearch) or an object with its own `hits`, a list of
/// search hits with the ad in `_source` (Elasticsearch).
struct Hits<'a> {
    emit: Emit<'a>,
}

impl<'de> DeserializeSeed<'de> for Hits<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Hits<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of ads or an object with hits")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Ads {
            emit: self.emit,
            hits: false,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "hits" {
                map.next_value_seed(Ads {
                    emit: &mut *self.emit,
                    hits: true,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A list of ads, or of search hits whose `_source` is the ad.
struct Ads<'a> {
    emit: Emit<'a>,
    hits: bool,
}

impl<'de> DeserializeSeed<'de> for Ads<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Ads<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            let value = if self.hits { source_of(value) } else { value };
            (self.emit)(ad_from(value));
        }
        Ok(())
    }
}

/// Reads ads from `input` on a blocking thread and sends each, mapped to its write, to the
/// receiver: the bounded channel keeps memory at a few batches whatever the input's size. The
/// handle answers how many records were read, or why the input stopped being readable.
pub fn spawn_ads_reader(
    input: impl Read + Send + 'static,
    taxonomy: std::sync::Arc<Taxonomy>,
) -> (
    tokio::sync::mpsc::Receiver<AdItem>,
    tokio::task::JoinHandle<Result<usize, AdsFileError>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(2048);
    let handle = tokio::task::spawn_blocking(move || {
        let input = std::io::BufReader::with_capacity(1 << 20, input);
        let mut open = true;
        read_ads(input, |record| {
            if !open {
                return;
            }
            let (external_id, changed_ms, write) = match record.ad {
                Ok(ad) => (ad.external_id(), ad.timestamp, ad.to_write(&taxonomy)),
                Err(reason) => (
                    None,
                    None,
                    Err(InputError::new(Code::InvalidBody, "", reason)),
                ),
            };
            open = tx
                .blocking_send(AdItem {
                    position: record.position,
                    line: record.line,
                    external_id,
                    changed_ms,
                    write,
                })
                .is_ok();
        })
    });
    (rx, handle)
}
