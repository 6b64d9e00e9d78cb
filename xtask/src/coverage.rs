//! `cargo xtask spec coverage`: how much of Box's whole API the pipeline turns into
//! a compiling client.
//!
//! Every operation of the upstream spec (or a `--tag`/`--op` subset) goes through
//! the same slicing, normalization and generator settings as the crate's own. Each
//! is first generated alone, so that a generator failure is pinned on its
//! operation; those that generate are then generated together and compiled in a
//! scratch crate shaped like this one. Operations progenitor cannot express at all
//! are reported with the reason, and stay reachable through the crate's raw request
//! path.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::slice::{self, METHODS};
use crate::{generator, normalize};

/// Which operations to measure.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Only operations with one of these tags (case-insensitive); all when empty.
    pub tags: Vec<String>,
    /// Only these operation ids; all when empty.
    pub operation_ids: Vec<String>,
}

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Operation {
    id: String,
    method: String,
    tags: Vec<String>,
    request_content_types: Vec<String>,
}

/// What the measurement found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// How many operations were measured.
    pub measured: usize,
    /// The operations that generate and compile.
    pub passed: Vec<String>,
    /// The operations that do not, with the reason.
    pub failed: BTreeMap<String, String>,
}

impl Report {
    /// The summary line and one line per failing operation.
    pub fn render(&self) -> String {
        let mut text = format!(
            "{}/{} operations generate and compile\n",
            self.passed.len(),
            self.measured
        );
        for (id, reason) in &self.failed {
            let _ = writeln!(text, "  {id}: {reason}");
        }
        text
    }
}

/// Why an operation is not generated, before trying: the request content types
/// progenitor 0.15 cannot express.
///
/// (OPTIONS operations generate: progenitor calls `client.options(..)`, which the
/// crate supplies for reqwest's client, as the scratch crate does.)
fn unsupported(operation: &Operation) -> Option<String> {
    if operation
        .request_content_types
        .iter()
        .any(|ct| ct == "multipart/form-data")
    {
        return Some(
            "multipart/form-data: progenitor 0.15 cannot generate multipart bodies; \
             use the raw request path"
                .into(),
        );
    }
    None
}

fn operations(spec: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let strings = |value: Option<&Value>| -> Vec<String> {
                value
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            };
            let request_content_types = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .map(|content| content.keys().cloned().collect())
                .unwrap_or_default();
            found.push(Operation {
                id: id.to_string(),
                method: method.clone(),
                tags: strings(op.get("tags")),
                request_content_types,
            });
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

/// Slices, normalizes and generates `ids`; a generator panic becomes an error.
fn generate(spec: &Value, ids: &[String]) -> Result<(Value, String), String> {
    let mut fragment = slice::slice(spec, ids)?;
    normalize::normalize(&mut fragment)?;
    let attempt = std::panic::catch_unwind(|| generator::generate(&fragment, true));
    match attempt {
        Ok(Ok(code)) => Ok((fragment, code)),
        Ok(Err(e)) => Err(e),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no message".into());
            Err(format!("the generator panics: {message}"))
        }
    }
}

/// Measures `selection` of `spec`, compiling in `scratch` (created if missing).
pub fn measure(spec: &Value, selection: &Selection, scratch: &Path) -> Result<Report, String> {
    let wanted = |op: &Operation| {
        (selection.tags.is_empty()
            || op
                .tags
                .iter()
                .any(|t| selection.tags.iter().any(|w| w.eq_ignore_ascii_case(t))))
            && (selection.operation_ids.is_empty() || selection.operation_ids.contains(&op.id))
    };
    let selected: Vec<Operation> = operations(spec).into_iter().filter(wanted).collect();
    if selected.is_empty() {
        return Err("no operation matches the selection".into());
    }
    let mut report = Report {
        measured: selected.len(),
        ..Report::default()
    };

    // Alone first, so that a failure names its operation. progenitor reports some
    // limits by panicking; its messages would drown the report, so the hook is
    // silenced while it runs.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut generated = Vec::new();
    for operation in &selected {
        if let Some(reason) = unsupported(operation) {
            report.failed.insert(operation.id.clone(), reason);
            continue;
        }
        match generate(spec, std::slice::from_ref(&operation.id)) {
            Ok(_) => generated.push(operation.id.clone()),
            Err(reason) => {
                report
                    .failed
                    .insert(operation.id.clone(), first_line(&reason));
            }
        }
    }
    let together = generate(spec, &generated);
    std::panic::set_hook(previous_hook);

    let (fragment, code) = together.map_err(|e| {
        format!(
            "each operation generates alone, but not all together: {}",
            first_line(&e)
        )
    })?;
    let errors = compile(scratch, &fragment, &code)?;
    if errors.is_empty() {
        report.passed = generated;
        return Ok(report);
    }
    // Attribute compile errors to the operations whose generated methods they sit
    // in; an error outside any method fails the run, since it cannot be pinned.
    let blamed = blame(&code, &errors);
    for id in generated {
        match blamed.get(&id) {
            Some(reason) => {
                report.failed.insert(id, reason.clone());
            }
            None => report.passed.push(id),
        }
    }
    Ok(report)
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

/// Writes the scratch crate and type-checks it; returns the compiler's errors as
/// `(line in the generated file, message)`.
fn compile(scratch: &Path, fragment: &Value, code: &str) -> Result<Vec<(usize, String)>, String> {
    let src = scratch.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("cannot create {}: {e}", src.display()))?;
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(&scratch.join("Cargo.toml"), SCRATCH_MANIFEST)?;
    write(&src.join("lib.rs"), SCRATCH_LIB)?;
    write(&src.join("generated.rs"), code)?;
    write(
        &scratch.join("fragment.json"),
        &crate::spec::to_canonical_json(fragment),
    )?;

    let output = Command::new(env!("CARGO"))
        .current_dir(scratch)
        .args(["check", "--quiet", "--message-format=short"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        return Ok(Vec::new());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<(usize, String)> = stderr
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("src/generated.rs:")?;
            let (number, message) = rest.split_once(':')?;
            let message = message.split_once(": ").map_or(message, |(_, m)| m);
            Some((number.parse().ok()?, message.trim().to_string()))
        })
        .collect();
    if errors.is_empty() {
        return Err(format!("the scratch crate does not compile:\n{stderr}"));
    }
    Ok(errors)
}

/// Maps compile errors to the operations whose `pub async fn` contains them.
fn blame(code: &str, errors: &[(usize, String)]) -> BTreeMap<String, String> {
    let mut starts: Vec<(usize, String)> = Vec::new();
    for (index, line) in code.lines().enumerate() {
        if let Some(rest) = line.trim_start().strip_prefix("pub async fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            starts.push((index + 1, name));
        }
    }
    let mut blamed = BTreeMap::new();
    for (line, message) in errors {
        if let Some((_, name)) = starts.iter().rev().find(|(start, _)| start <= line) {
            blamed
                .entry(name.clone())
                .or_insert_with(|| format!("does not compile: {message}"));
        }
    }
    blamed
}

/// The scratch crate: the crate's runtime dependencies, plus those that types of
/// other Box operations need (dates, UUIDs, patterns).
const SCRATCH_MANIFEST: &str = r#"[package]
name = "box-spec-coverage"
version = "0.0.0"
edition = "2024"
publish = false

# Not part of the box-sdk-gen workspace.
[workspace]

[dependencies]
bytes = "1"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
futures-core = "0.3"
progenitor-client = "0.15.1"
regress = "0.10"
reqwest = { version = "0.13.4", default-features = false, features = ["json", "http2"] }
schemars = { version = "1.2", features = ["chrono04", "uuid1"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
uuid = { version = "1", features = ["serde"] }
"#;

/// The scratch crate's root: stand-ins for the crate's transport types, which the
/// generated code names, and a hooks implementation as `HooksMode::Expected` asks.
const SCRATCH_LIB: &str = r#"#![allow(dead_code, unused_imports, clippy::all)]

mod network {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum BaseUrlKind {
        Api,
        Upload,
        OAuth2,
        Download,
    }
}

mod transport {
    #[derive(Debug, Clone, Copy)]
    pub struct OperationMeta {
        pub base_url: crate::network::BaseUrlKind,
        pub authenticated: bool,
        pub content_type: Option<&'static str>,
    }

    #[derive(Debug, Clone, Default)]
    pub struct Transport;

    // The generator sends answers through the crate's own decoder; progenitor's
    // stands in for it, with the same signature.
    pub async fn decode_response<T: serde::de::DeserializeOwned, E>(
        response: reqwest::Response,
    ) -> Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
        progenitor_client::ResponseValue::from_response(response).await
    }
}

mod generated {
    // As in the crate: progenitor calls `client.options(..)` for OPTIONS
    // operations, which reqwest's client does not have.
    trait OptionsMethod {
        fn options<U: reqwest::IntoUrl>(&self, url: U) -> reqwest::RequestBuilder;
    }
    impl OptionsMethod for reqwest::Client {
        fn options<U: reqwest::IntoUrl>(&self, url: U) -> reqwest::RequestBuilder {
            self.request(reqwest::Method::OPTIONS, url)
        }
    }

    include!("generated.rs");

    impl progenitor_client::ClientHooks<crate::transport::Transport> for Client {}
}
"#;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn multipart_operations_are_reported_as_unsupported() {
        let upload = Operation {
            id: "post_x".into(),
            method: "post".into(),
            tags: vec![],
            request_content_types: vec!["multipart/form-data".into()],
        };
        let plain = Operation {
            request_content_types: vec!["application/json".into()],
            ..upload.clone()
        };

        assert!(
            unsupported(&upload)
                .unwrap()
                .starts_with("multipart/form-data")
        );
        assert_eq!(unsupported(&plain), None);
    }

    #[test]
    fn operations_are_listed_with_their_method_tags_and_body_types() {
        let spec = json!({"paths": {"/x": {
            "parameters": [],
            "post": {"operationId": "b", "tags": ["T"],
                     "requestBody": {"content": {"application/json": {}}}},
            "get": {"operationId": "a"}
        }}});

        let found = operations(&spec);

        assert_eq!(
            found,
            [
                Operation {
                    id: "a".into(),
                    method: "get".into(),
                    tags: vec![],
                    request_content_types: vec![]
                },
                Operation {
                    id: "b".into(),
                    method: "post".into(),
                    tags: vec!["T".into()],
                    request_content_types: vec!["application/json".into()]
                },
            ]
        );
    }

    #[test]
    fn compile_errors_are_blamed_on_the_method_they_sit_in() {
        let code = "mod types {}\nimpl Client {\n    pub async fn get_a<'a>(\n        x\n    }\n    pub async fn get_b(\n        y\n    }\n}\n";

        let blamed = blame(code, &[(4, "bad".into()), (7, "worse".into())]);

        assert_eq!(
            blamed,
            BTreeMap::from([
                ("get_a".to_string(), "does not compile: bad".to_string()),
                ("get_b".to_string(), "does not compile: worse".to_string()),
            ])
        );
    }
}
