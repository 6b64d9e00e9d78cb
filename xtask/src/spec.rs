//! The `spec` commands: read Box's upstream spec, slice and normalize the crate's
//! operations out of it, and write or check the vendored fragment.
//!
//! The fragment (`openapi/box-openapi.json`) is what `build.rs` feeds to progenitor.
//! The operation list and the provenance of the last slice live beside it in
//! `openapi/operations.toml`, which a maintainer edits to add an operation.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, value};

use crate::{normalize, slice};

/// The vendored fragment, relative to the workspace root.
pub const FRAGMENT_PATH: &str = "openapi/box-openapi.json";
/// The operation list and provenance, relative to the workspace root.
pub const OPERATIONS_PATH: &str = "openapi/operations.toml";

/// The files the spec commands read and write.
#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
}

impl Files {
    /// Files under the workspace root `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Files of the workspace this xtask was built in.
    pub fn of_this_workspace() -> Self {
        Self::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
    }

    /// The path of the vendored fragment.
    pub fn fragment(&self) -> PathBuf {
        self.root.join(FRAGMENT_PATH)
    }

    /// A scratch folder for the xtask's own builds, under the workspace's target.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.root.join("target").join(name)
    }

    /// The path of the operation list.
    pub fn operations(&self) -> PathBuf {
        self.root.join(OPERATIONS_PATH)
    }
}

/// An upstream spec as read, with where it came from.
#[derive(Debug)]
pub struct Upstream {
    /// The path or URL it was read from.
    pub source: String,
    /// Its bytes, unchanged.
    pub bytes: Vec<u8>,
}

impl Upstream {
    /// Reads a local file, or an `https://` URL through `curl`.
    ///
    /// `curl` keeps this maintainer tool free of an HTTP stack of its own; it is on
    /// every machine that has a network to fetch from.
    pub fn read(from: &str) -> Result<Self, String> {
        let bytes = if from.starts_with("https://") || from.starts_with("http://") {
            let output = Command::new("curl")
                .args(["--fail", "--silent", "--show-error", "--location", from])
                .output()
                .map_err(|e| format!("cannot run curl to fetch {from}: {e}"))?;
            if !output.status.success() {
                return Err(format!(
                    "cannot fetch {from}: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                ));
            }
            output.stdout
        } else {
            std::fs::read(from).map_err(|e| format!("cannot read {from}: {e}"))?
        };
        Ok(Self {
            source: from.to_string(),
            bytes,
        })
    }

    /// The lowercase hex sha256 of the bytes.
    pub fn sha256(&self) -> String {
        Sha256::digest(&self.bytes)
            .iter()
            .fold(String::new(), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            })
    }

    /// Parses the bytes as JSON.
    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.bytes)
            .map_err(|e| format!("{} is not a JSON document: {e}", self.source))
    }
}

/// Slices `operation_ids` out of `upstream`, normalizes them, and renders the
/// fragment in its canonical text form.
pub fn build_fragment(upstream: &Value, operation_ids: &[String]) -> Result<String, String> {
    let mut fragment = slice::slice(upstream, operation_ids)?;
    normalize::normalize(&mut fragment)?;
    Ok(to_canonical_json(&fragment))
}

/// Renders JSON deterministically: object keys sorted at every level, two-space
/// indent, one trailing newline.
///
/// Keys are sorted here rather than trusting `serde_json::Map`'s order, which
/// becomes insertion order when any crate in the build enables `preserve_order`.
pub fn to_canonical_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(value)).expect("JSON values serialize");
    text.push('\n');
    text
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// `openapi/operations.toml`: the operation ids the crate exposes, and where the
/// last slice came from. Edited in place so that a maintainer's comments survive.
#[derive(Debug)]
pub struct Operations {
    doc: DocumentMut,
}

/// Where a fragment was sliced from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The path or URL the spec was read from.
    pub source: String,
    /// Free text naming the published origin, e.g. a repository and commit.
    pub origin: Option<String>,
    /// The sha256 of the spec's bytes.
    pub sha256: String,
    /// The spec's `info.version`.
    pub info_version: Option<String>,
    /// The day of the slice, `YYYY-MM-DD` (UTC).
    pub sliced_on: String,
}

impl Operations {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: DocumentMut = text
            .parse()
            .map_err(|e| format!("{OPERATIONS_PATH} is not valid TOML: {e}"))?;
        let operations = Self { doc };
        operations.ids()?;
        Ok(operations)
    }

    /// The operation ids, in the file's order.
    pub fn ids(&self) -> Result<Vec<String>, String> {
        let list = self
            .doc
            .get("operations")
            .and_then(|item| item.as_array())
            .ok_or_else(|| format!("{OPERATIONS_PATH} needs an `operations` list"))?;
        list.iter()
            .map(|id| {
                id.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{OPERATIONS_PATH}: every operation id is a string"))
            })
            .collect()
    }

    /// The recorded provenance, if the file has one.
    pub fn provenance(&self) -> Option<Provenance> {
        let table = self.doc.get("upstream")?.as_table()?;
        let text = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
        Some(Provenance {
            source: text("source")?,
            origin: text("origin"),
            sha256: text("sha256")?,
            info_version: text("info_version"),
            sliced_on: text("sliced_on")?,
        })
    }

    /// Records `provenance`, replacing what was there.
    pub fn set_provenance(&mut self, provenance: &Provenance) {
        let table = self.doc["upstream"].or_insert(toml_edit::table());
        table["source"] = value(provenance.source.as_str());
        match &provenance.origin {
            Some(origin) => table["origin"] = value(origin.as_str()),
            None => table["origin"] = toml_edit::Item::None,
        }
        table["sha256"] = value(provenance.sha256.as_str());
        match &provenance.info_version {
            Some(version) => table["info_version"] = value(version.as_str()),
            None => table["info_version"] = toml_edit::Item::None,
        }
        table["sliced_on"] = value(provenance.sliced_on.as_str());
    }
}

impl std::fmt::Display for Operations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.doc.fmt(f)
    }
}

/// What `spec update` did.
#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// The fragment was rewritten.
    Changed,
    /// The fragment and the upstream's hash were as recorded; nothing was written.
    Unchanged,
}

/// `cargo xtask spec update`: rewrites the fragment and its provenance.
///
/// When neither the upstream bytes nor the fragment changed, nothing is written, so
/// the recorded date stays that of the slice that really changed something.
pub fn update(
    files: &Files,
    upstream: &Upstream,
    origin: Option<&str>,
) -> Result<UpdateOutcome, String> {
    let mut operations = read_operations(files)?;
    let spec = upstream.json()?;
    let fragment = build_fragment(&spec, &operations.ids()?)?;
    let current = std::fs::read_to_string(files.fragment()).ok();
    let sha256 = upstream.sha256();
    let previous = operations.provenance();
    let same_origin =
        origin.is_none() || previous.as_ref().and_then(|p| p.origin.as_deref()) == origin;
    if current.as_deref() == Some(fragment.as_str())
        && previous.as_ref().is_some_and(|p| p.sha256 == sha256)
        && same_origin
    {
        return Ok(UpdateOutcome::Unchanged);
    }

    // An origin given before still describes the same bytes; for new bytes it is
    // unknown unless given again.
    let origin = match origin {
        Some(origin) => Some(origin.to_string()),
        None => previous
            .filter(|p| p.sha256 == sha256)
            .and_then(|p| p.origin),
    };
    let provenance = Provenance {
        source: upstream.source.clone(),
        origin,
        sha256,
        info_version: spec
            .pointer("/info/version")
            .and_then(Value::as_str)
            .map(str::to_string),
        sliced_on: today_utc(),
    };
    operations.set_provenance(&provenance);
    write(&files.fragment(), &fragment)?;
    write(&files.operations(), &operations.to_string())?;
    Ok(UpdateOutcome::Changed)
}

/// `cargo xtask spec check`: compares the committed fragment with a fresh slice.
///
/// Returns a readable report of the differences; `Ok(None)` when there are none.
pub fn check(files: &Files, upstream: &Upstream) -> Result<Option<String>, String> {
    let operations = read_operations(files)?;
    let fresh = build_fragment(&upstream.json()?, &operations.ids()?)?;
    let committed = std::fs::read_to_string(files.fragment())
        .map_err(|e| format!("cannot read {}: {e}", files.fragment().display()))?;
    if committed == fresh {
        return Ok(None);
    }

    let mut report = format!(
        "{FRAGMENT_PATH} differs from a fresh slice of {}\n",
        upstream.source
    );
    match serde_json::from_str::<Value>(&committed) {
        Err(e) => {
            let _ = writeln!(report, "  the committed fragment is not valid JSON: {e}");
        }
        Ok(committed) => {
            let fresh: Value = serde_json::from_str(&fresh).expect("the fresh fragment is JSON");
            let lines = differences(&committed, &fresh);
            if lines.is_empty() {
                report.push_str("  the JSON is the same; only its formatting differs\n");
            }
            const SHOWN: usize = 40;
            for line in lines.iter().take(SHOWN) {
                let _ = writeln!(report, "  {line}");
            }
            if lines.len() > SHOWN {
                let _ = writeln!(report, "  … and {} more", lines.len() - SHOWN);
            }
        }
    }
    let _ = write!(
        report,
        "run `cargo xtask spec update --from {}` to regenerate it",
        upstream.source
    );
    Ok(Some(report))
}

fn read_operations(files: &Files) -> Result<Operations, String> {
    let path = files.operations();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Operations::parse(&text)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Lists where `new` differs from `old`, one line per JSON pointer.
pub fn differences(old: &Value, new: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    walk_differences(old, new, &mut String::new(), &mut lines);
    lines
}

fn walk_differences(old: &Value, new: &Value, pointer: &mut String, lines: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => walk_differences(x, y, pointer, lines),
                    (Some(_), None) => lines.push(format!("removed {pointer}")),
                    (None, Some(_)) => lines.push(format!("added   {pointer}")),
                    (None, None) => unreachable!("the key came from one of the maps"),
                }
                pointer.truncate(len);
            }
        }
        _ if old == new => {}
        _ => lines.push(format!(
            "changed {pointer}: {} → {}",
            preview(old),
            preview(new)
        )),
    }
}

fn preview(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// Today's date in UTC as `YYYY-MM-DD`.
fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date(seconds / 86_400)
}

/// The proleptic Gregorian date `days` after 1970-01-01, from Howard Hinnant's
/// public-domain `civil_from_days` algorithm.
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_ends_with_a_newline() {
        let value = json!({"b": 1, "a": {"d": [{"z": 1, "y": 2}], "c": null}});

        let text = to_canonical_json(&value);

        assert_eq!(
            text,
            "{\n  \"a\": {\n    \"c\": null,\n    \"d\": [\n      {\n        \"y\": 2,\n        \
             \"z\": 1\n      }\n    ]\n  },\n  \"b\": 1\n}\n"
        );
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_790), "2026-12-03");
    }

    #[test]
    fn differences_name_each_changed_pointer() {
        let old = json!({"paths": {"/2.0/x": {"post": {"summary": "a"}}}, "gone": 1});
        let new = json!({"paths": {"/2.0/x": {"post": {"summary": "b"}}}, "new": [1]});

        let lines = differences(&old, &new);

        assert_eq!(
            lines,
            [
                "removed /gone",
                "added   /new",
                "changed /paths/~12.0~1x/post/summary: \"a\" → \"b\""
            ]
        );
    }

    #[test]
    fn operations_file_keeps_comments_when_provenance_changes() {
        let mut ops =
            Operations::parse("# Keep me.\noperations = [\"a\", \"b\"]  # and me\n").unwrap();
        let provenance = Provenance {
            source: "spec.json".into(),
            origin: Some("box/box-openapi at abc".into()),
            sha256: "00".into(),
            info_version: Some("2024.0".into()),
            sliced_on: "2026-12-03".into(),
        };

        ops.set_provenance(&provenance);

        let text = ops.to_string();
        assert!(
            text.starts_with("# Keep me.\noperations = [\"a\", \"b\"]  # and me\n"),
            "{text}"
        );
        let reparsed = Operations::parse(&text).unwrap();
        assert_eq!(reparsed.ids().unwrap(), ["a", "b"]);
        assert_eq!(reparsed.provenance(), Some(provenance));
    }

    #[test]
    fn an_operations_file_without_a_list_is_an_error() {
        let err = Operations::parse("[upstream]\n").unwrap_err();

        assert_eq!(err, "openapi/operations.toml needs an `operations` list");
    }
}
