//! Cutting a fragment of chosen operations out of Box's whole spec.
//!
//! The fragment holds exactly the chosen operations, every component they reach
//! through `$ref`s, the security schemes they use, and the document-level parts a
//! generator reads (`openapi`, `info`, `servers`, `security`, the tags in use).
//! Everything else is dropped so that the generated client stays small and a change
//! elsewhere in Box's spec does not change this crate.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::refs::{self, ComponentId};

/// The HTTP methods an OpenAPI 3.0 path item may hold operations under.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Top-level keys copied into the fragment as they are.
const KEPT_ROOT_KEYS: &[&str] = &["openapi", "info", "servers", "security", "externalDocs"];

/// Returns a fragment of `spec` holding only the operations named in `operation_ids`.
///
/// Every id must name exactly one operation, so that a typo or an operation Box has
/// removed fails loudly instead of quietly shrinking the crate.
pub fn slice(spec: &Value, operation_ids: &[String]) -> Result<Value, String> {
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("the spec has no `paths` object")?;
    let wanted: BTreeSet<&str> = operation_ids.iter().map(String::as_str).collect();
    if wanted.len() != operation_ids.len() {
        return Err("the operation list names an operation twice".into());
    }

    let mut kept_paths = Map::new();
    let mut found = BTreeSet::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let mut kept_item = Map::new();
        for (key, value) in item {
            let is_operation = METHODS.contains(&key.as_str());
            let id = value.get("operationId").and_then(Value::as_str);
            match (is_operation, id) {
                (true, Some(id)) if wanted.contains(id) => {
                    if !found.insert(id.to_string()) {
                        return Err(format!("operation `{id}` appears twice in the spec"));
                    }
                    kept_item.insert(key.clone(), value.clone());
                }
                (true, _) => {}
                // Path-level fields (`parameters`, `servers`, `summary`) apply to
                // every operation under the path, so they travel with the kept ones.
                (false, _) => {
                    kept_item.insert(key.clone(), value.clone());
                }
            }
        }
        if item_has_operation(&kept_item) {
            kept_paths.insert(path.clone(), Value::Object(kept_item));
        }
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|id| !found.contains(*id))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the spec has no operation with the id {}",
            missing.join(", ")
        ));
    }

    let mut fragment = Map::new();
    for key in KEPT_ROOT_KEYS {
        if let Some(value) = spec.get(*key) {
            fragment.insert((*key).to_string(), value.clone());
        }
    }
    fragment.insert("paths".into(), Value::Object(kept_paths));
    if let Some(components) = spec.get("components") {
        fragment.insert("components".into(), components.clone());
    }
    if let Some(tags) = spec.get("tags") {
        fragment.insert("tags".into(), tags.clone());
    }
    let mut fragment = Value::Object(fragment);
    prune(&mut fragment)?;
    Ok(fragment)
}

fn item_has_operation(item: &Map<String, Value>) -> bool {
    item.keys().any(|key| METHODS.contains(&key.as_str()))
}

/// Iterates over every operation of `spec` as `(path, method, operation)`.
pub fn operations_mut(spec: &mut Value) -> impl Iterator<Item = (&str, &str, &mut Value)> {
    spec.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .filter_map(|(path, item)| Some((path.as_str(), item.as_object_mut()?)))
        .flat_map(|(path, item)| {
            item.iter_mut()
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .map(move |(method, op)| (path, method.as_str(), op))
        })
}

/// Drops every component, security scheme and tag that nothing kept refers to.
///
/// Slicing calls this once; normalizations that remove references (folding
/// responses, say) leave it to be called again.
pub fn prune(spec: &mut Value) -> Result<(), String> {
    let mut roots = BTreeSet::new();
    if let Some(paths) = spec.get("paths") {
        refs::direct_refs(paths, &mut roots);
    }
    let reached = refs::closure(spec, roots)?;
    let schemes = used_security_schemes(spec);
    let tags = used_tags(spec);

    if let Some(components) = spec.get_mut("components").and_then(Value::as_object_mut) {
        for (section, entries) in components.iter_mut() {
            let Some(entries) = entries.as_object_mut() else {
                continue;
            };
            entries.retain(|name, _| {
                let id: ComponentId = (section.clone(), name.clone());
                reached.contains(&id) || (section == "securitySchemes" && schemes.contains(name))
            });
        }
        components.retain(|_, entries| entries.as_object().is_some_and(|e| !e.is_empty()));
    }
    if let Some(all_tags) = spec.get_mut("tags").and_then(Value::as_array_mut) {
        all_tags.retain(|tag| {
            tag.get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| tags.contains(name))
        });
    }
    Ok(())
}

/// Names of the security schemes the document-level or any operation's
/// `security` requirement lists.
fn used_security_schemes(spec: &Value) -> BTreeSet<String> {
    let mut requirements: Vec<&Value> = spec.get("security").into_iter().collect();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for (method, op) in item {
                if METHODS.contains(&method.as_str()) {
                    requirements.extend(op.get("security"));
                }
            }
        }
    }
    requirements
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys().cloned())
        .collect()
}

fn used_tags(spec: &Value) -> BTreeSet<String> {
    let mut tags = BTreeSet::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for (method, op) in item {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let names = op
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten();
                tags.extend(names.filter_map(Value::as_str).map(str::to_string));
            }
        }
    }
    tags
}

/// A tiny spec for unit tests: two operations, one of them referring to a chain of
/// schemas, plus things a slice must drop.
#[cfg(test)]
pub(crate) fn sample_spec() -> Value {
    serde_json::json!({
        "openapi": "3.0.2",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.box.com/2.0"}],
        "security": [{"OAuth2Security": []}],
        "tags": [{"name": "Kept"}, {"name": "Dropped"}],
        "paths": {
            "/a": {
                "parameters": [{"$ref": "#/components/parameters/P"}],
                "post": {
                    "operationId": "post_a",
                    "tags": ["Kept"],
                    "responses": {"200": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/A"}}}}}
                },
                "get": {"operationId": "get_a", "tags": ["Dropped"], "responses": {}}
            },
            "/b": {"get": {"operationId": "get_b", "responses": {"200": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}}}}}
        },
        "components": {
            "schemas": {
                "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "string"},
                "Other": {"type": "string"}
            },
            "parameters": {"P": {"name": "p", "in": "query", "schema": {"type": "string"}}},
            "securitySchemes": {"OAuth2Security": {"type": "oauth2"}, "Unused": {"type": "http"}}
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keeps_the_chosen_operations_and_what_they_reach() {
        let spec = sample_spec();

        let fragment = slice(&spec, &["post_a".to_string()]).unwrap();

        assert_eq!(
            fragment["paths"],
            json!({"/a": {
                "parameters": [{"$ref": "#/components/parameters/P"}],
                "post": spec["paths"]["/a"]["post"].clone()
            }})
        );
        assert_eq!(
            fragment["components"],
            json!({
                "schemas": {
                    "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
                    "B": {"type": "string"}
                },
                "parameters": {"P": {"name": "p", "in": "query", "schema": {"type": "string"}}},
                "securitySchemes": {"OAuth2Security": {"type": "oauth2"}}
            })
        );
        assert_eq!(fragment["tags"], json!([{"name": "Kept"}]));
        assert_eq!(fragment["info"], spec["info"]);
        assert_eq!(fragment["servers"], spec["servers"]);
        assert_eq!(fragment["security"], spec["security"]);
    }

    #[test]
    fn an_unknown_operation_id_is_an_error() {
        let err = slice(&sample_spec(), &["post_a".into(), "nope".into()]).unwrap_err();

        assert_eq!(err, "the spec has no operation with the id nope");
    }

    #[test]
    fn a_repeated_operation_id_is_an_error() {
        let err = slice(&sample_spec(), &["post_a".into(), "post_a".into()]).unwrap_err();

        assert_eq!(err, "the operation list names an operation twice");
    }
}
