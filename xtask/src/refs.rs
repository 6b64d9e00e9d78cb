//! Walking `$ref` links inside an OpenAPI document.
//!
//! Slicing keeps a component only when something kept refers to it, and some
//! normalizations act on "every schema a response can reach". Both need the same
//! answer: which components does a part of the document refer to, directly or
//! through other components.

use std::collections::BTreeSet;

use serde_json::Value;

/// A component named by its section and key, e.g. `("schemas", "ClientError")`.
pub type ComponentId = (String, String);

const LOCAL_COMPONENT_PREFIX: &str = "#/components/";

/// Parses a local reference such as `#/components/schemas/ClientError`.
///
/// JSON-pointer escapes (`~1` for `/`, `~0` for `~`) are decoded; references into
/// other documents or outside `components` give `None`.
pub fn parse_component_ref(reference: &str) -> Option<ComponentId> {
    let rest = reference.strip_prefix(LOCAL_COMPONENT_PREFIX)?;
    let (section, name) = rest.split_once('/')?;
    if name.contains('/') {
        return None;
    }
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    Some((unescape(section), unescape(name)))
}

/// Collects every component that `value` refers to directly.
pub fn direct_refs(value: &Value, found: &mut BTreeSet<ComponentId>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(id) = child.as_str().and_then(parse_component_ref) {
                        found.insert(id);
                    }
                } else {
                    direct_refs(child, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| direct_refs(item, found)),
        _ => {}
    }
}

/// Looks up a component in `spec`.
pub fn component<'a>(spec: &'a Value, id: &ComponentId) -> Option<&'a Value> {
    spec.get("components")?.get(&id.0)?.get(&id.1)
}

/// Extends `roots` with everything reachable from them through `$ref`s in `spec`.
///
/// A reference to a component the document lacks is reported, because a fragment
/// that points nowhere would only fail later, inside the generator.
pub fn closure(
    spec: &Value,
    roots: BTreeSet<ComponentId>,
) -> Result<BTreeSet<ComponentId>, String> {
    let mut done = BTreeSet::new();
    let mut pending: Vec<ComponentId> = roots.into_iter().collect();
    while let Some(id) = pending.pop() {
        if done.contains(&id) {
            continue;
        }
        let Some(target) = component(spec, &id) else {
            return Err(format!(
                "the spec refers to #/components/{}/{}, which it does not define",
                id.0, id.1
            ));
        };
        let mut next = BTreeSet::new();
        direct_refs(target, &mut next);
        pending.extend(next.into_iter().filter(|n| !done.contains(n)));
        done.insert(id);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_local_component_refs_and_decodes_escapes() {
        assert_eq!(
            parse_component_ref("#/components/schemas/File--Mini"),
            Some(("schemas".into(), "File--Mini".into()))
        );
        assert_eq!(
            parse_component_ref("#/components/schemas/a~1b~0c"),
            Some(("schemas".into(), "a/b~c".into()))
        );
        assert_eq!(
            parse_component_ref("other.json#/components/schemas/X"),
            None
        );
        assert_eq!(parse_component_ref("#/paths/~1users"), None);
        assert_eq!(
            parse_component_ref("#/components/schemas/X/properties"),
            None
        );
    }

    #[test]
    fn closure_follows_refs_through_components() {
        let spec = json!({"components": {"schemas": {
            "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "B": {"items": {"$ref": "#/components/schemas/C"}},
            "C": {"type": "string"},
            "Unused": {"type": "string"}
        }}});
        let roots = BTreeSet::from([("schemas".to_string(), "A".to_string())]);

        let reached = closure(&spec, roots).unwrap();

        let names: Vec<_> = reached.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
    }

    #[test]
    fn closure_reports_a_dangling_ref() {
        let spec = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/Missing"}
        }}});
        let roots = BTreeSet::from([("schemas".to_string(), "A".to_string())]);

        let err = closure(&spec, roots).unwrap_err();

        assert!(err.contains("#/components/schemas/Missing"), "{err}");
    }
}
