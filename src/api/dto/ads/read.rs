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

/// Longest line read as one JSON Lines record; a longer first line means the input is one JSON
/// document (a JobStream snapshot is a single-line array), which is streamed instead.
pub(super) const MAX_LINE: usize = 4 << 20;

/// Streams the ads out of one ad, a JSON array of ads, JSON Lines of ads, a JobSearch answer
/// (`{"hits": [ads]}`) or an Elasticsearch answer (`{"hits": {"hits": [{"_source": ad}]}}`),
/// handing each to `sink` as soon as it is read, so a file of any size needs the memory of one
/// ad (and at most [`MAX_LINE`] of a line). `sink` answers whether to go on; when it says no,
/// reading stops there. An ad that is not an object of the right shape is a record with an
/// error; a file that stops being JSON ends the stream with [`AdsFileError`].
pub fn read_ads(
    mut input: impl BufRead,
    mut sink: impl FnMut(AdRecord) -> bool,
) -> Result<usize, AdsFileError> {
    let io = |e: std::io::Error| AdsFileError(format!("reading the input: {e}"));
    skip_bom(&mut input).map_err(io)?;
    let mut count = 0;
    let mut line_no = 0;
    let mut first = Vec::new();
    // Blank lines before the first value.
    let complete = loop {
        first.clear();
        let (read, complete) = read_line(&mut input, &mut first, MAX_LINE).map_err(io)?;
        if read == 0 {
            return Ok(0);
        }
        line_no += 1;
        if !complete || !first.trim_ascii().is_empty() {
            break complete;
        }
    };
    let json_lines = complete
        && first.trim_ascii_start().starts_with(b"{")
        && serde_json::from_slice::<Value>(&first).is_ok();
    if json_lines {
        // JSON Lines (a single compact ad is one line of it).
        let mut line = first;
        let mut complete = true;
        loop {
            let mut go_on = true;
            if !complete {
                go_on = record(
                    &mut sink,
                    &mut count,
                    Some(line_no),
                    Err(format!(
                        "line {line_no} is longer than {} MiB; one ad is far smaller",
                        MAX_LINE >> 20
                    )),
                );
                skip_line(&mut input).map_err(io)?;
            } else if !line.trim_ascii().is_empty() {
                match serde_json::from_slice::<Value>(&line) {
                    Ok(value) => {
                        emit_value(value, &mut |ad| {
                            go_on = record(&mut sink, &mut count, Some(line_no), ad);
                            go_on
                        });
                    }
                    Err(e) => {
                        go_on = record(
                            &mut sink,
                            &mut count,
                            Some(line_no),
                            Err(format!("line {line_no} is not JSON: {e}")),
                        );
                    }
                }
            }
            if !go_on {
                return Ok(count);
            }
            line.clear();
            let (read, done) = read_line(&mut input, &mut line, MAX_LINE).map_err(io)?;
            if read == 0 {
                return Ok(count);
            }
            complete = done;
            line_no += 1;
        }
    }
    let reader = std::io::Cursor::new(first).chain(input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut stopped = false;
    let mut emit = |ad: Result<JobSearchAd, String>| {
        let go_on = record(&mut sink, &mut count, None, ad);
        stopped = !go_on;
        go_on
    };
    let parsed = Top { emit: &mut emit }.deserialize(&mut de);
    if stopped {
        return Ok(count);
    }
    parsed.map_err(|e| AdsFileError(format!("the input is not JSON in an ads shape: {e}")))?;
    de.end()
        .map_err(|e| AdsFileError(format!("unexpected data after the ads: {e}")))?;
    Ok(count)
}

fn record(
    sink: &mut impl FnMut(AdRecord) -> bool,
    count: &mut usize,
    line: Option<usize>,
    ad: Result<JobSearchAd, String>,
) -> bool {
    *count += 1;
    sink(AdRecord {
        position: *count,
        line,
        ad,
    })
}

/// A UTF-8 byte order mark, as Windows tools write, is not part of the JSON.
fn skip_bom(input: &mut impl BufRead) -> std::io::Result<()> {
    if input.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    Ok(())
}

/// Reads up to and including the next newline, at most `max` bytes: (bytes read, whether the
/// line ended within them).
fn read_line(
    input: &mut impl BufRead,
    out: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, bool)> {
    let mut read = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok((read, true));
        }
        let room = max.saturating_sub(out.len());
        let window = &buf[..buf.len().min(room.max(1))];
        match window.iter().position(|&b| b == b'\n') {
            Some(i) => {
                out.extend_from_slice(&window[..=i]);
                input.consume(i + 1);
                return Ok((read + i + 1, true));
            }
            None => {
                let n = window.len();
                out.extend_from_slice(window);
                input.consume(n);
                read += n;
                if out.len() >= max {
                    return Ok((read, false));
                }
            }
        }
    }
}

/// Skips the rest of a line too long to read.
fn skip_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// Hands an ad on; `false` asks to stop reading.
type Emit<'a> = &'a mut dyn FnMut(Result<JobSearchAd, String>) -> bool;

/// The error a visitor stops with when the sink asks it to.
const STOPPED: &str = "stopped by the reader's sink";

/// A value already read whole (one JSON Lines line): an ad, or a wrapper of ads. Stops when
/// `emit` says so.
fn emit_value(value: Value, emit: &mut dyn FnMut(Result<JobSearchAd, String>) -> bool) {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) if map.contains_key("hits") => match map.remove("hits") {
            Some(Value::Array(items)) => items,
            Some(Value::Object(mut inner)) => match inner.remove("hits") {
                Some(Value::Array(hits)) => hits.into_iter().map(source_of).collect(),
                _ => Vec::new(),
            },
            _ => {
                emit(Err(
                    "\"hits\" is neither a list of ads nor of search hits".into()
                ));
                return;
            }
        },
        other => vec![other],
    };
    for v in items {
        if !emit(ad_from(v)) {
            return;
        }
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
            if !(self.emit)(ad_from(value)) {
                return Err(serde::de::Error::custom(STOPPED));
            }
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
        read_ads(input, |record| {
            let (external_id, changed_ms, write) = match record.ad {
                Ok(ad) => (ad.external_id(), ad.timestamp, ad.to_write(&taxonomy)),
                Err(reason) => (
                    None,
                    None,
                    Err(InputError::new(Code::InvalidBody, "", reason)),
                ),
            };
            // A receiver gone (the import failed, the client left) stops the reading.
            tx.blocking_send(AdItem {
                position: record.position,
                line: record.line,
                external_id,
                changed_ms,
                write,
            })
            .is_ok()
        })
    });
    (rx, handle)
}
