//! Normalizations: the rewrites that make Box's spec digestible by progenitor and
//! safe to decode with, applied to a sliced fragment before it is written.
//!
//! Box's spec is correct as documentation but trips the generator in places, and in
//! others would produce a client that rejects answers Box really sends. Each rewrite
//! here is a named [`Transform`] that says why it exists, is stated as a general rule
//! (never keyed on an operation name), and has unit tests. They run in the order of
//! [`TRANSFORMS`]; each must be idempotent, so a fragment normalized twice is the
//! same as one normalized once.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::refs::{self, ComponentId};
use crate::slice::{self, METHODS};

/// One named rewrite of a spec fragment.
pub struct Transform {
    /// A short name, used in error messages and logs.
    pub name: &'static str,
    /// Why the rewrite exists: the generator limit or Box behaviour it answers.
    pub why: &'static str,
    /// Rewrites the fragment in place.
    pub apply: fn(&mut Value) -> Result<(), String>,
}

/// Every normalization, in the order they run.
pub const TRANSFORMS: &[Transform] = &[
    Transform {
        name: "server_paths_into_operations",
        why: "progenitor uses one base URL and ignores per-operation `servers`; moving the \
              server path (`/2.0`) into each operation's path leaves one overridable base \
              URL per host, and an `x-box-base-url` mark says which host an operation uses",
        apply: server_paths_into_operations,
    },
    Transform {
        name: "default_response_to_error_ranges",
        why: "progenitor treats a `default` response as a possible success, so an operation \
              with a 2xx and a `default` has two success types and the generator panics; \
              Box only ever uses `default` for errors",
        apply: default_response_to_error_ranges,
    },
    Transform {
        name: "error_bodies_to_the_default",
        why: "progenitor allows one error type per operation; Box documents a few codes \
              with their own bodies (409 `ConflictError`, `MetadataError`), all shaped like \
              `ClientError` with more `context_info`, so they decode as the default error",
        apply: error_bodies_to_the_default,
    },
    Transform {
        name: "one_success_body",
        why: "progenitor allows one success type per operation; Box documents some \
              operations with a body for one 2xx and none for another (200 and 204, 201 \
              and 202 with Retry-After), and the body is the answer callers want",
        apply: one_success_body,
    },
    Transform {
        name: "json_patch_bodies_as_json",
        why: "progenitor rejects `application/json-patch+json` request bodies; they are \
              JSON, so they are generated as JSON and `x-box-request-content-type` tells \
              the transport which content type to send",
        apply: json_patch_bodies_as_json,
    },
    Transform {
        name: "unexploded_arrays_to_strings",
        why: "an `explode: false` array query parameter (`fields` on most operations) must \
              go on the wire as one comma-separated value, but progenitor repeats the \
              parameter per item; as a string, the caller's facade joins the items",
        apply: unexploded_arrays_to_strings,
    },
    Transform {
        name: "nullable_parameters_to_optional",
        why: "a nullable optional parameter (`x-rep-hints`) generates `Option<Option<&str>>`, \
              which progenitor's header code cannot send; an absent parameter already says \
              what null would",
        apply: nullable_parameters_to_optional,
    },
    Transform {
        name: "case_colliding_enums_to_strings",
        why: "typify cannot name the variants of an enum whose values differ only in case \
              (`ASC`, `asc`) and panics; such an enum becomes a string with its values \
              documented",
        apply: case_colliding_enums_to_strings,
    },
    Transform {
        name: "relax_response_constraints",
        why: "typify turns `maxLength`, `pattern` and range constraints into types that \
              reject values breaking them when decoding; Box's constraints describe what it \
              accepts, and an answer that breaks one (a name longer than documented) must \
              still decode",
        apply: relax_response_constraints,
    },
    Transform {
        name: "nullable_components_to_optional_uses",
        why: "typify turns a component marked `nullable: true` at its top level into a \
              wrapper `struct X(Option<X>)` beside the struct `X`, two types with one name \
              that do not compile; nullability belongs to the places that use it",
        apply: nullable_components_to_optional_uses,
    },
    Transform {
        name: "drop_required_names_without_properties",
        why: "Box's spec lists some names as `required` that its `properties` do not \
              define (`grant_type` in `PostOAuth2Revoke`); typify would invent a required \
              field of unknown type that callers must fill",
        apply: drop_required_names_without_properties,
    },
    Transform {
        name: "open_response_enums",
        why: "Box adds values to enums in its answers (error codes such as \
              `rate_limit_exceeded` are not in the spec), and a closed Rust enum would turn \
              such an answer into a decode error",
        apply: open_response_enums,
    },
];

/// Runs every transform in order, then drops components nothing refers to any more.
pub fn normalize(spec: &mut Value) -> Result<(), String> {
    for transform in TRANSFORMS {
        (transform.apply)(spec).map_err(|e| format!("normalization {}: {e}", transform.name))?;
    }
    slice::prune(spec)
}

/// The hosts Box serves its API from, by the name the SDK's `NetworkSession` gives
/// their base URL. Paths in the fragment are relative to one of these.
///
/// Box's own SDKs use the first three, so an operation's path here is the path they
/// append; the fourth is the host of zip downloads, whose URL Box hands out.
pub const BASE_URLS: &[(&str, &str)] = &[
    ("api", "https://api.box.com"),
    ("upload", "https://upload.box.com/api"),
    ("oauth2", "https://account.box.com/api/oauth2"),
    ("download", "https://dl.boxcloud.com"),
];

/// The extension that names an operation's base URL.
pub const BASE_URL_EXTENSION: &str = "x-box-base-url";

/// Moves each operation's server path into the operation's path.
///
/// Before: a document server `https://api.box.com/2.0` and a path
/// `/users/terminate_sessions`. After: a document server `https://api.box.com`, a
/// path `/2.0/users/terminate_sessions`, and `x-box-base-url: api` on the operation.
/// An operation with its own server (`https://upload.box.com/api/2.0`) gets the path
/// `/2.0/…` and `x-box-base-url: upload`. Server variables take their defaults.
fn server_paths_into_operations(spec: &mut Value) -> Result<(), String> {
    let root_servers = spec.get("servers").cloned().unwrap_or(Value::Null);
    let paths = spec
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the spec has no `paths` object")?;
    let mut rewritten = Map::new();
    for (path, item) in std::mem::take(paths) {
        let Value::Object(mut item) = item else {
            continue;
        };
        let item_servers = item.remove("servers");
        let shared: Map<String, Value> = item
            .iter()
            .filter(|(key, _)| !METHODS.contains(&key.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (method, mut op) in item
            .into_iter()
            .filter(|(k, _)| METHODS.contains(&k.as_str()))
        {
            let servers = op
                .as_object_mut()
                .and_then(|o| o.remove("servers"))
                .or_else(|| item_servers.clone())
                .unwrap_or_else(|| root_servers.clone());
            let (base, prefix) = match op.get(BASE_URL_EXTENSION).and_then(Value::as_str) {
                // Already normalized: the path carries its prefix.
                Some(base) => (base.to_string(), String::new()),
                None => split_server(&servers)
                    .map_err(|e| format!("{} {path}: {e}", method.to_uppercase()))?,
            };
            op[BASE_URL_EXTENSION] = Value::String(base);
            let new_path = format!("{prefix}{path}");
            let entry = rewritten
                .entry(new_path.clone())
                .or_insert_with(|| Value::Object(shared.clone()));
            if entry.get(&method).is_some() {
                return Err(format!(
                    "two operations become {} {new_path}",
                    method.to_uppercase()
                ));
            }
            entry[&method] = op;
        }
    }
    *paths = rewritten;
    spec["servers"] = json!([{
        "url": BASE_URLS[0].1,
        "description": "Box Platform API; each operation's `x-box-base-url` names its host"
    }]);
    Ok(())
}

/// Splits the first of `servers` into a known base URL's name and the path left over.
fn split_server(servers: &Value) -> Result<(String, String), String> {
    let server = servers
        .as_array()
        .and_then(|s| s.first())
        .ok_or("no server applies")?;
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .ok_or("a server has no url")?
        .to_string();
    if let Some(variables) = server.get("variables").and_then(Value::as_object) {
        for (name, variable) in variables {
            let default = variable
                .get("default")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("server variable `{name}` has no default"))?;
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let url = url.trim_end_matches('/');
    BASE_URLS
        .iter()
        .filter_map(|(name, base)| {
            let rest = url.strip_prefix(base)?;
            (rest.is_empty() || rest.starts_with('/')).then_some((name, base.len(), rest))
        })
        .max_by_key(|(_, len, _)| *len)
        .map(|(name, _, rest)| (name.to_string(), rest.to_string()))
        .ok_or_else(|| format!("the server {url} is under none of the known base URLs"))
}

/// Replaces each operation's `default` response by `4XX` and `5XX` ranges.
///
/// Explicit 4xx and 5xx responses whose body is the same as the `default`'s are
/// folded into the range, their descriptions kept in its description, so that an
/// operation has one error type whenever Box documents one error body. A response
/// with a different body stays as it is.
fn default_response_to_error_ranges(spec: &mut Value) -> Result<(), String> {
    for (_, _, op) in slice::operations_mut(spec) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(default) = responses.remove("default") else {
            continue;
        };
        let body = response_body(&default);
        let base_description = default
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("An error.")
            .to_string();
        for class in ['4', '5'] {
            let range = format!("{class}XX");
            if responses.contains_key(&range) {
                continue;
            }
            let folded: Vec<String> = responses
                .iter()
                .filter(|(code, response)| {
                    code.len() == 3
                        && code.starts_with(class)
                        && code.bytes().all(|b| b.is_ascii_digit())
                        && response_body(response) == body
                })
                .map(|(code, _)| code.clone())
                .collect();
            let mut description = base_description.clone();
            for code in &folded {
                let folded_response = responses.remove(code).unwrap_or_default();
                let text = folded_response
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                description.push_str(&format!("\n\n`{code}`: {text}"));
            }
            let mut entry = default.clone();
            entry["description"] = Value::String(description);
            responses.insert(range, entry);
        }
        sort_responses(responses);
    }
    Ok(())
}

/// What a response sends back: its `$ref`, or its `content` when it is inline.
fn response_body(response: &Value) -> Value {
    response
        .get("$ref")
        .or_else(|| response.get("content"))
        .cloned()
        .unwrap_or(Value::Null)
}

/// Orders responses by status so that the written fragment reads naturally; the
/// writer sorts keys anyway, and `2XX` < `400` < `4XX` in that order too.
fn sort_responses(responses: &mut Map<String, Value>) {
    let mut entries: Vec<_> = std::mem::take(responses).into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    responses.extend(entries);
}

/// The explicit 4xx and 5xx responses of an operation that has a `4XX` or `5XX`
/// range (made from its `default`) and whose bodies differ from the range's.
fn stray_error_codes(responses: &Map<String, Value>) -> Vec<String> {
    responses
        .keys()
        .filter(|code| {
            code.len() == 3
                && (code.starts_with('4') || code.starts_with('5'))
                && code.bytes().all(|b| b.is_ascii_digit())
        })
        .filter(|code| {
            let range = format!("{}XX", &code[..1]);
            responses
                .get(&range)
                .is_some_and(|r| response_body(r) != response_body(&responses[*code]))
        })
        .cloned()
        .collect()
}

/// Folds explicit error responses whose body differs from the operation's default
/// error into the `4XX`/`5XX` range, noting their own body in its description.
///
/// Runs after `default_response_to_error_ranges`, which folded the codes that
/// share the default's body.
fn error_bodies_to_the_default(spec: &mut Value) -> Result<(), String> {
    for (_, _, op) in slice::operations_mut(spec) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for code in stray_error_codes(responses) {
            let Some(folded) = responses.remove(&code) else {
                continue;
            };
            let body = body_name(&folded);
            let text = folded
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let range = format!("{}XX", &code[..1]);
            if let Some(description) = responses
                .get_mut(&range)
                .and_then(|r| r.get_mut("description"))
                && let Some(existing) = description.as_str()
            {
                *description = Value::String(format!(
                    "{existing}\n\n`{code}` ({body}, decoded as the default error): {text}"
                ));
            }
        }
    }
    Ok(())
}

/// A short name for what a response sends: the component its schema refers to,
/// `no body`, or `its own body` for an inline schema.
fn body_name(response: &Value) -> String {
    let reference = response.get("$ref").or_else(|| {
        response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|content| content.values().next())
            .and_then(|media| media.pointer("/schema/$ref"))
    });
    match (reference.and_then(Value::as_str), response.get("content")) {
        (Some(reference), _) => reference.rsplit('/').next().unwrap_or("").to_string(),
        (None, None) => "no body".to_string(),
        (None, Some(_)) => "its own body".to_string(),
    }
}

/// Keeps one success body per operation: when some 2xx responses have a body and
/// others none, the bodyless ones are dropped and noted in the description of the
/// first with a body; when bodies differ, the first (lowest status) is kept.
///
/// A dropped status reaches the transport as an undocumented 2xx, which it decodes
/// as the kept body: an empty 204 or 202 is then a decode error that carries its
/// status, so the caller can still tell it apart.
fn one_success_body(spec: &mut Value) -> Result<(), String> {
    for (_, _, op) in slice::operations_mut(spec) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut successes: Vec<String> = responses
            .keys()
            .filter(|code| code.starts_with('2'))
            .cloned()
            .collect();
        successes.sort();
        let bodies: Vec<Value> = successes
            .iter()
            .map(|code| response_body(&responses[code]))
            .collect();
        let distinct: BTreeSet<String> = bodies.iter().map(Value::to_string).collect();
        if distinct.len() <= 1 {
            continue;
        }
        let Some(kept_index) = bodies.iter().position(|b| !b.is_null()) else {
            continue;
        };
        let kept = successes[kept_index].clone();
        let mut notes = Vec::new();
        for (code, body) in successes.iter().zip(&bodies) {
            if *code == kept || *body == bodies[kept_index] {
                continue;
            }
            if let Some(dropped) = responses.remove(code) {
                let text = dropped
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                notes.push(format!("`{code}` (not decoded as this type): {text}"));
            }
        }
        if let Some(description) = responses
            .get_mut(&kept)
            .and_then(|r| r.get_mut("description"))
        {
            let mut text = description.as_str().unwrap_or("").to_string();
            for note in notes {
                text.push_str("\n\n");
                text.push_str(&note);
            }
            *description = Value::String(text);
        }
    }
    Ok(())
}

/// The content type Box expects for JSON-patch bodies.
const JSON_PATCH: &str = "application/json-patch+json";

/// Generates `application/json-patch+json` request bodies as JSON, and records the
/// real content type in `x-box-request-content-type`.
fn json_patch_bodies_as_json(spec: &mut Value) -> Result<(), String> {
    for (_, _, op) in slice::operations_mut(spec) {
        let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let Some(body) = content.remove(JSON_PATCH) else {
            continue;
        };
        content.entry("application/json").or_insert(body);
        op["x-box-request-content-type"] = Value::String(JSON_PATCH.into());
    }
    Ok(())
}

/// Turns `explode: false` array query parameters into strings of comma-separated
/// items, documenting the items' type.
fn unexploded_arrays_to_strings(spec: &mut Value) -> Result<(), String> {
    walk_parameters(spec, &mut |parameter| {
        let is_unexploded_query_array = parameter.get("in") == Some(&json!("query"))
            && parameter.get("explode") == Some(&json!(false))
            && parameter.get("schema").and_then(|s| s.get("type")) == Some(&json!("array"));
        if !is_unexploded_query_array {
            return;
        }
        parameter.remove("explode");
        let mut schema = json!({"type": "string"});
        let description = parameter
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        schema["description"] = Value::String(
            format!("{description}\n\nSent as one comma-separated value.")
                .trim()
                .to_string(),
        );
        parameter.insert("schema".into(), schema);
        if let Some(example) = parameter.get_mut("example")
            && let Some(items) = example.as_array()
        {
            let joined: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect();
            *example = Value::String(joined.join(","));
        }
    });
    Ok(())
}

/// Drops `nullable` from the schemas of parameters.
fn nullable_parameters_to_optional(spec: &mut Value) -> Result<(), String> {
    walk_parameters(spec, &mut |parameter| {
        if let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) {
            schema.remove("nullable");
        }
    });
    Ok(())
}

/// Calls `visit` on every parameter object: in path items, operations, and
/// `components.parameters`.
fn walk_parameters(spec: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    let mut lists: Vec<&mut Value> = Vec::new();
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for (key, value) in item.iter_mut() {
                if key == "parameters" {
                    lists.push(value);
                } else if METHODS.contains(&key.as_str())
                    && let Some(parameters) = value.get_mut("parameters")
                {
                    lists.push(parameters);
                }
            }
        }
    }
    for list in lists {
        for parameter in list.as_array_mut().into_iter().flatten() {
            if let Some(object) = parameter.as_object_mut() {
                visit(object);
            }
        }
    }
    if let Some(parameters) = spec
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        for parameter in parameters.values_mut().filter_map(Value::as_object_mut) {
            visit(parameter);
        }
    }
}

/// Turns enums whose values differ only in case into strings, keeping the values
/// in `x-box-known-values` and the description.
fn case_colliding_enums_to_strings(spec: &mut Value) -> Result<(), String> {
    walk_objects(spec, &mut |object| {
        let Some(Value::Array(values)) = object.get("enum") else {
            return;
        };
        let texts: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_lowercase)
            .collect();
        let distinct: BTreeSet<&String> = texts.iter().collect();
        if distinct.len() == texts.len() {
            return;
        }
        open_enum(object);
    });
    Ok(())
}

/// Moves `nullable: true` from the top of component schemas to their uses.
///
/// The flag is removed from the component, and every property that refers to such
/// a component directly (`{"$ref": …}`) stops being `required`: an optional field
/// already decodes `null` as absent, so what Box sends still decodes.
fn nullable_components_to_optional_uses(spec: &mut Value) -> Result<(), String> {
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };
    let mut nullable = BTreeSet::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(object) = schema.as_object_mut()
            && object.get("nullable") == Some(&Value::Bool(true))
        {
            object.remove("nullable");
            nullable.insert(format!("#/components/schemas/{}", escape_pointer(name)));
        }
    }
    if !nullable.is_empty() {
        walk_objects(spec, &mut |object| relax_required_refs(object, &nullable));
    }
    Ok(())
}

/// In a schema object with `properties`, drops from `required` each property that
/// is a bare reference to one of `targets`.
fn relax_required_refs(object: &mut Map<String, Value>, targets: &BTreeSet<String>) {
    let Some(properties) = object.get("properties").and_then(Value::as_object) else {
        return;
    };
    let optional: BTreeSet<String> = properties
        .iter()
        .filter(|(_, schema)| {
            schema
                .get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| targets.contains(r))
        })
        .map(|(name, _)| name.clone())
        .collect();
    if let Some(Value::Array(required)) = object.get_mut("required") {
        required.retain(|name| name.as_str().is_none_or(|n| !optional.contains(n)));
    }
}

/// Removes from every `required` list the names its `properties` lack, when the
/// schema has `properties` at all (a `required` beside `allOf` may name properties
/// that come from the other parts, and is left alone).
fn drop_required_names_without_properties(spec: &mut Value) -> Result<(), String> {
    walk_objects(spec, &mut |object| {
        if object.contains_key("allOf")
            || object.contains_key("oneOf")
            || object.contains_key("anyOf")
        {
            return;
        }
        let Some(properties) = object.get("properties").and_then(Value::as_object) else {
            return;
        };
        let defined: BTreeSet<String> = properties.keys().cloned().collect();
        if let Some(Value::Array(required)) = object.get_mut("required") {
            required.retain(|name| name.as_str().is_some_and(|n| defined.contains(n)));
        }
    });
    Ok(())
}

/// Calls `visit` on every JSON object in `value`, parents before children.
fn walk_objects(value: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(object) => {
            visit(object);
            for child in object.values_mut() {
                walk_objects(child, visit);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk_objects(item, visit)),
        _ => {}
    }
}

fn escape_pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The extension that keeps the values an opened enum used to list.
const KNOWN_VALUES_EXTENSION: &str = "x-box-known-values";

/// Turns every `enum` a response can reach into a plain typed value.
///
/// The values the spec listed move to `x-box-known-values` and into the
/// description, so they stay documented. A schema that requests use as well as
/// responses is opened too: one Rust type serves both, and decoding what Box sends
/// matters more than rejecting an unknown value before sending it.
fn open_response_enums(spec: &mut Value) -> Result<(), String> {
    for_each_response_schema_tree(spec, &mut |tree| walk_schemas(tree, &mut open_enum))
}

/// Calls `visit` on each response of every operation, and on each component that
/// a response reaches through `$ref`s (a component that requests use too is
/// included: one Rust type serves both).
fn for_each_response_schema_tree(
    spec: &mut Value,
    visit: &mut impl FnMut(&mut Value),
) -> Result<(), String> {
    let mut roots = BTreeSet::new();
    for (_, _, op) in slice::operations_mut(spec) {
        if let Some(responses) = op.get_mut("responses") {
            refs::direct_refs(responses, &mut roots);
            visit(responses);
        }
    }
    let reached: Vec<ComponentId> = refs::closure(spec, roots)?.into_iter().collect();
    for (section, name) in reached {
        if let Some(target) = spec
            .get_mut("components")
            .and_then(|c| c.get_mut(&section))
            .and_then(|s| s.get_mut(&name))
        {
            visit(target);
        }
    }
    Ok(())
}

/// Calls `visit` on every schema object inside `value`, skipping `example` and
/// `default` values, which are data.
fn walk_schemas(value: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            visit(map);
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "default" && key != KNOWN_VALUES_EXTENSION {
                    walk_schemas(child, visit);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk_schemas(item, visit)),
        _ => {}
    }
}

/// The validation keywords typify enforces when decoding.
const DECODE_CONSTRAINTS: &[&str] = &[
    "maxLength",
    "minLength",
    "pattern",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxItems",
    "minItems",
    "uniqueItems",
];

/// Drops length, range and pattern constraints from everything a response reaches,
/// keeping them in the description.
fn relax_response_constraints(spec: &mut Value) -> Result<(), String> {
    for_each_response_schema_tree(spec, &mut |tree| {
        walk_schemas(tree, &mut |schema| {
            let mut dropped = Vec::new();
            for keyword in DECODE_CONSTRAINTS {
                // A property named like a keyword lives under `properties`, not
                // here; a keyword's value is never an object.
                if let Some(value) = schema.get(*keyword).filter(|v| !v.is_object()) {
                    dropped.push(format!("{keyword} {value}"));
                    schema.remove(*keyword);
                }
            }
            if !dropped.is_empty() {
                let note = format!("Documented constraints: {}.", dropped.join(", "));
                let description = match schema.get("description").and_then(Value::as_str) {
                    Some(text) => format!("{text}\n\n{note}"),
                    None => note,
                };
                schema.insert("description".into(), Value::String(description));
            }
        })
    })
}

/// Replaces the `enum` of one schema object, if it has one, by its type, keeping
/// the values in `x-box-known-values` and the description.
fn open_enum(map: &mut Map<String, Value>) {
    let Some(Value::Array(values)) = map.remove("enum") else {
        return;
    };
    let names: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::String(s) => format!("`{s}`"),
            other => format!("`{other}`"),
        })
        .collect();
    if !map.contains_key("type")
        && let Some(kind) = json_type_of_all(&values)
    {
        map.insert("type".into(), Value::String(kind.into()));
    }
    let known = format!("Values Box is known to send: {}.", names.join(", "));
    let description = match map.get("description").and_then(Value::as_str) {
        Some(text) => format!("{text}\n\n{known}"),
        None => known,
    };
    map.insert("description".into(), Value::String(description));
    map.insert(KNOWN_VALUES_EXTENSION.into(), Value::Array(values));
}

/// The OpenAPI type shared by every value, if they share one.
fn json_type_of_all(values: &[Value]) -> Option<&'static str> {
    let kind = |v: &Value| match v {
        Value::String(_) => Some("string"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        Value::Bool(_) => Some("boolean"),
        _ => None,
    };
    let first = kind(values.first()?)?;
    values
        .iter()
        .filter(|v| !v.is_null())
        .all(|v| kind(v) == Some(first))
        .then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op_with_responses(responses: Value) -> Value {
        json!({
            "openapi": "3.0.2",
            "servers": [{"url": "https://api.box.com/2.0"}],
            "paths": {"/x": {"post": {"operationId": "post_x", "responses": responses}}},
            "components": {"schemas": {
                "ClientError": {"type": "object"},
                "Conflict": {"type": "object"}
            }}
        })
    }

    fn client_error() -> Value {
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/ClientError"}}})
    }

    #[test]
    fn moves_the_document_server_path_into_each_path() {
        let mut spec = op_with_responses(json!({}));

        server_paths_into_operations(&mut spec).unwrap();

        assert_eq!(
            spec["servers"][0]["url"],
            json!("https://api.box.com"),
            "one base URL without a path"
        );
        let op = &spec["paths"]["/2.0/x"]["post"];
        assert_eq!(op["operationId"], "post_x");
        assert_eq!(op[BASE_URL_EXTENSION], "api");
        assert!(spec["paths"].get("/x").is_none());
    }

    #[test]
    fn operations_on_other_hosts_keep_their_host_by_name() {
        let mut spec = json!({
            "servers": [{"url": "https://api.box.com/2.0"}],
            "paths": {
                "/files/content": {
                    "parameters": [{"name": "p", "in": "query"}],
                    "post": {"operationId": "upload", "servers": [
                        {"url": "https://{host}/api/2.0",
                         "variables": {"host": {"default": "upload.box.com"}}}
                    ]},
                    "get": {"operationId": "plain"}
                },
                "/oauth2/token": {"post": {"operationId": "token",
                    "servers": [{"url": "https://api.box.com"}]}},
                "/authorize": {"servers": [{"url": "https://account.box.com/api/oauth2"}],
                    "get": {"operationId": "authorize"}}
            }
        });

        server_paths_into_operations(&mut spec).unwrap();

        let paths = &spec["paths"];
        assert_eq!(
            paths["/2.0/files/content"]["post"][BASE_URL_EXTENSION],
            "upload"
        );
        assert!(paths["/2.0/files/content"]["post"].get("servers").is_none());
        assert_eq!(
            paths["/2.0/files/content"]["get"][BASE_URL_EXTENSION],
            "api"
        );
        assert_eq!(
            paths["/2.0/files/content"]["parameters"],
            json!([{"name": "p", "in": "query"}]),
            "path-level parameters stay with the operations"
        );
        assert_eq!(paths["/oauth2/token"]["post"][BASE_URL_EXTENSION], "api");
        assert_eq!(paths["/authorize"]["get"][BASE_URL_EXTENSION], "oauth2");
        assert!(paths["/authorize"].get("servers").is_none());
    }

    #[test]
    fn a_server_under_no_known_base_url_is_an_error() {
        let mut spec = json!({
            "servers": [{"url": "https://example.com/2.0"}],
            "paths": {"/x": {"get": {"operationId": "x"}}}
        });

        let err = server_paths_into_operations(&mut spec).unwrap_err();

        assert_eq!(
            err,
            "GET /x: the server https://example.com/2.0 is under none of the known base URLs"
        );
    }

    #[test]
    fn two_operations_meeting_at_one_path_is_an_error() {
        let mut spec = json!({
            "servers": [{"url": "https://api.box.com/2.0"}],
            "paths": {
                "/x": {"get": {"operationId": "a"}},
                "/2.0/x": {"get": {"operationId": "b", "servers": [{"url": "https://api.box.com"}]}}
            }
        });

        let err = server_paths_into_operations(&mut spec).unwrap_err();

        assert_eq!(err, "two operations become GET /2.0/x");
    }

    #[test]
    fn default_becomes_ranges_folding_codes_with_the_same_body() {
        let mut spec = op_with_responses(json!({
            "202": {"description": "ok"},
            "400": {"description": "Bad\n  input.", "content": client_error()},
            "409": {"description": "Conflict.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Conflict"}}}},
            "503": {"description": "Timed out.", "content": client_error()},
            "default": {"description": "An unexpected client error.", "content": client_error()}
        }));

        default_response_to_error_ranges(&mut spec).unwrap();

        let responses = &spec["paths"]["/x"]["post"]["responses"];
        assert_eq!(
            responses,
            &json!({
                "202": {"description": "ok"},
                "409": {"description": "Conflict.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Conflict"}}}},
                "4XX": {
                    "description": "An unexpected client error.\n\n`400`: Bad input.",
                    "content": client_error()
                },
                "5XX": {
                    "description": "An unexpected client error.\n\n`503`: Timed out.",
                    "content": client_error()
                }
            })
        );
    }

    #[test]
    fn an_existing_range_is_kept() {
        let mut spec = op_with_responses(json!({
            "200": {"description": "ok"},
            "5XX": {"description": "Server.", "content": {}},
            "default": {"description": "Client.", "content": client_error()}
        }));

        default_response_to_error_ranges(&mut spec).unwrap();

        let responses = &spec["paths"]["/x"]["post"]["responses"];
        assert_eq!(
            responses["5XX"],
            json!({"description": "Server.", "content": {}})
        );
        assert_eq!(responses["4XX"]["description"], "Client.");
        assert!(responses.get("default").is_none());
    }

    #[test]
    fn opens_enums_reachable_from_responses() {
        let mut spec = op_with_responses(json!({
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"state": {"type": "string", "enum": ["on", "off"]}}
            }}}},
            "4XX": {"description": "error", "content": client_error()}
        }));
        spec["components"]["schemas"]["ClientError"] = json!({
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "A code.", "enum": ["a", "b"],
                         "example": "a"},
                "type": {"enum": ["error"]}
            }
        });

        open_response_enums(&mut spec).unwrap();

        assert_eq!(
            spec["components"]["schemas"]["ClientError"]["properties"],
            json!({
                "code": {
                    "type": "string",
                    "description": "A code.\n\nValues Box is known to send: `a`, `b`.",
                    "example": "a",
                    "x-box-known-values": ["a", "b"]
                },
                "type": {
                    "type": "string",
                    "description": "Values Box is known to send: `error`.",
                    "x-box-known-values": ["error"]
                }
            })
        );
        let state = &spec["paths"]["/x"]["post"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["properties"]["state"];
        assert!(state.get("enum").is_none());
        assert_eq!(state["x-box-known-values"], json!(["on", "off"]));
    }

    #[test]
    fn request_only_enums_stay_closed() {
        let mut spec = op_with_responses(json!({"200": {"description": "ok"}}));
        spec["paths"]["/x"]["post"]["requestBody"] = json!({"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Conflict"}}}});
        spec["components"]["schemas"]["Conflict"] = json!({"type": "string", "enum": ["x"]});

        open_response_enums(&mut spec).unwrap();

        assert_eq!(
            spec["components"]["schemas"]["Conflict"],
            json!({"type": "string", "enum": ["x"]})
        );
    }

    #[test]
    fn nullable_components_lose_the_flag_and_their_required_uses_become_optional() {
        let mut spec = json!({"components": {"schemas": {
            "Mini": {"type": "object", "nullable": true, "properties": {"id": {"type": "string"}}},
            "Holder": {
                "type": "object",
                "required": ["mini", "id"],
                "properties": {
                    "mini": {"$ref": "#/components/schemas/Mini"},
                    "id": {"type": "string"}
                }
            },
            "Plain": {"type": "string", "nullable": false}
        }}});

        nullable_components_to_optional_uses(&mut spec).unwrap();

        let schemas = &spec["components"]["schemas"];
        assert!(schemas["Mini"].get("nullable").is_none());
        assert_eq!(schemas["Holder"]["required"], json!(["id"]));
        assert_eq!(
            schemas["Plain"]["nullable"],
            json!(false),
            "only `true` moves"
        );
    }

    #[test]
    fn required_names_without_properties_are_dropped() {
        let mut spec = json!({"components": {"schemas": {
            "Revoke": {
                "type": "object",
                "required": ["grant_type", "token"],
                "properties": {"token": {"type": "string"}}
            },
            "Composed": {
                "allOf": [{"$ref": "#/components/schemas/Revoke"}],
                "required": ["token"],
                "properties": {"extra": {"type": "string"}}
            }
        }}});

        drop_required_names_without_properties(&mut spec).unwrap();

        let schemas = &spec["components"]["schemas"];
        assert_eq!(schemas["Revoke"]["required"], json!(["token"]));
        assert_eq!(
            schemas["Composed"]["required"],
            json!(["token"]),
            "names beside allOf may come from its parts"
        );
    }

    #[test]
    fn error_codes_with_their_own_bodies_fold_into_the_range() {
        let mut spec = op_with_responses(json!({
            "201": {"description": "ok"},
            "400": {"description": "Bad.", "content": client_error()},
            "409": {"description": "Taken.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Conflict"}}}},
            "default": {"description": "Error.", "content": client_error()}
        }));
        default_response_to_error_ranges(&mut spec).unwrap();

        error_bodies_to_the_default(&mut spec).unwrap();

        let responses = &spec["paths"]["/x"]["post"]["responses"];
        assert!(responses.get("409").is_none());
        assert_eq!(
            responses["4XX"]["description"],
            "Error.\n\n`400`: Bad.\n\n`409` (Conflict, decoded as the default error): Taken."
        );
        assert_eq!(responses["4XX"]["content"], client_error());
    }

    #[test]
    fn a_bodyless_success_is_dropped_beside_one_with_a_body() {
        let mut spec = op_with_responses(json!({
            "200": {"description": "The item.", "content": client_error()},
            "204": {"description": "Nothing\n changed."},
            "4XX": {"description": "error", "content": client_error()}
        }));

        one_success_body(&mut spec).unwrap();

        let responses = &spec["paths"]["/x"]["post"]["responses"];
        assert!(responses.get("204").is_none());
        assert_eq!(
            responses["200"]["description"],
            "The item.\n\n`204` (not decoded as this type): Nothing changed."
        );
        assert!(responses.get("4XX").is_some());
    }

    #[test]
    fn successes_with_one_body_are_left_alone() {
        let mut spec = op_with_responses(json!({
            "200": {"description": "a", "content": client_error()},
            "201": {"description": "b", "content": client_error()}
        }));
        let before = spec.clone();

        one_success_body(&mut spec).unwrap();

        assert_eq!(spec, before);
    }

    #[test]
    fn json_patch_bodies_become_json_with_the_real_type_recorded() {
        let mut spec = op_with_responses(json!({"200": {"description": "ok"}}));
        spec["paths"]["/x"]["post"]["requestBody"] = json!({"content": {
            "application/json-patch+json": {"schema": {"type": "array"}}}});

        json_patch_bodies_as_json(&mut spec).unwrap();

        let op = &spec["paths"]["/x"]["post"];
        assert_eq!(
            op["requestBody"],
            json!({"content": {"application/json": {"schema": {"type": "array"}}}})
        );
        assert_eq!(
            op["x-box-request-content-type"],
            "application/json-patch+json"
        );
    }

    #[test]
    fn unexploded_query_arrays_become_comma_separated_strings() {
        let mut spec = json!({
            "paths": {"/x": {"get": {"operationId": "x", "parameters": [
                {"name": "fields", "in": "query", "explode": false, "description": "Fields.",
                 "example": ["id", "name"],
                 "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "ids", "in": "query",
                 "schema": {"type": "array", "items": {"type": "string"}}}
            ]}}},
            "components": {"parameters": {"Shared": {"name": "f", "in": "query",
                "explode": false, "schema": {"type": "array"}}}}
        });

        unexploded_arrays_to_strings(&mut spec).unwrap();

        let parameters = &spec["paths"]["/x"]["get"]["parameters"];
        assert_eq!(
            parameters[0],
            json!({"name": "fields", "in": "query", "description": "Fields.",
                   "example": "id,name",
                   "schema": {"type": "string",
                              "description": "Fields.\n\nSent as one comma-separated value."}})
        );
        assert_eq!(
            parameters[1]["schema"]["type"], "array",
            "exploded arrays stay"
        );
        assert_eq!(
            spec["components"]["parameters"]["Shared"]["schema"]["type"],
            "string"
        );
    }

    #[test]
    fn parameters_lose_nullable() {
        let mut spec = json!({"paths": {"/x": {"get": {"operationId": "x", "parameters": [
            {"name": "x-rep-hints", "in": "header",
             "schema": {"type": "string", "nullable": true}}
        ]}}}});

        nullable_parameters_to_optional(&mut spec).unwrap();

        assert_eq!(
            spec["paths"]["/x"]["get"]["parameters"][0]["schema"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn enums_whose_values_differ_only_in_case_become_strings() {
        let mut spec = json!({"components": {"schemas": {
            "Direction": {"type": "string", "enum": ["ASC", "DESC", "asc", "desc"]},
            "Kind": {"type": "string", "enum": ["file", "folder"]}
        }}});

        case_colliding_enums_to_strings(&mut spec).unwrap();

        let schemas = &spec["components"]["schemas"];
        assert!(schemas["Direction"].get("enum").is_none());
        assert_eq!(
            schemas["Direction"]["x-box-known-values"],
            json!(["ASC", "DESC", "asc", "desc"])
        );
        assert_eq!(schemas["Kind"]["enum"], json!(["file", "folder"]));
    }

    #[test]
    fn zip_downloads_are_marked_with_the_download_host() {
        let mut spec = json!({
            "servers": [{"url": "https://api.box.com/2.0"}],
            "paths": {"/zip_downloads/{id}/content": {"get": {"operationId": "zip",
                "servers": [{"url": "https://dl.boxcloud.com/2.0"}]}}}
        });

        server_paths_into_operations(&mut spec).unwrap();

        assert_eq!(
            spec["paths"]["/2.0/zip_downloads/{id}/content"]["get"][BASE_URL_EXTENSION],
            "download"
        );
    }

    #[test]
    fn response_constraints_move_to_the_description_and_request_ones_stay() {
        let mut spec = op_with_responses(json!({
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/ClientError"}}}}
        }));
        spec["components"]["schemas"]["ClientError"] = json!({"type": "object", "properties": {
            "name": {"type": "string", "maxLength": 50, "description": "The name."},
            "maxLength": {"type": "integer"}
        }});
        spec["components"]["schemas"]["Conflict"] = json!({"type": "string", "pattern": "^a$"});
        spec["paths"]["/x"]["post"]["requestBody"] = json!({"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Conflict"}}}});

        relax_response_constraints(&mut spec).unwrap();

        let properties = &spec["components"]["schemas"]["ClientError"]["properties"];
        assert_eq!(
            properties["name"],
            json!({"type": "string",
                   "description": "The name.\n\nDocumented constraints: maxLength 50."})
        );
        assert_eq!(properties["maxLength"], json!({"type": "integer"}));
        assert_eq!(spec["components"]["schemas"]["Conflict"]["pattern"], "^a$");
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        let mut spec = op_with_responses(json!({
            "202": {"description": "ok"},
            "400": {"description": "Bad.", "content": client_error()},
            "default": {"description": "Error.", "content": client_error()}
        }));
        spec["components"]["schemas"]["ClientError"] =
            json!({"type": "object", "properties": {"code": {"type": "string", "enum": ["a"]}}});
        normalize(&mut spec).unwrap();
        let once = spec.clone();

        normalize(&mut spec).unwrap();

        assert_eq!(spec, once);
        assert!(
            spec["components"]["schemas"].get("Conflict").is_none(),
            "pruned"
        );
    }
}
