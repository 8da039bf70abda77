//! What this workspace adds to the vendor's spec, kept apart from it: `openapi/vendor.yaml` is
//! the API as its vendor describes it (today our reconstruction; an imported document once
//! Optimly publishes one), and `openapi/overlay.yaml`, an OpenAPI Overlay 1.0 document of
//! JSONPath targets and updates, adds what the SDK needs on top: the security schemes, the
//! rate limits (`x-rate-limits`), what is assumed (`x-assumed`), open enums
//! (`x-extensible-enum`), the documented examples, the error responses the docs list
//! (400/401/403/404/422/429/500, with the shared `Error` body) and the stable operationIds. `openapi/v3.yaml`, which everything
//! reads, is the vendor document with the overlay applied: `cargo xtask check` fails when it
//! is not.
//!
//! The overlay is applied by `roas-overlay`, strictly: an action whose target matches nothing
//! (an operation the vendor renamed or removed) is an error naming that target.

use std::path::Path;

use anyhow::{Context, Result, bail};
use roas_overlay::apply::{Apply, ApplyOptions};
use roas_overlay::v1_0::Overlay;
use serde_json::Value;

use crate::codegen::Layout;

/// A YAML (or JSON) file as JSON values.
pub fn read(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// `vendor` with `overlay` applied: its schemas named as `x-schema-names` says (see
/// [`crate::names`]), then its actions. Any target that selects nothing fails.
pub fn apply(vendor: &Value, overlay: &Value) -> Result<Value> {
    let mut spec = vendor.clone();
    crate::names::apply(&mut spec, overlay)?;
    let overlay: Overlay = serde_json::from_value(overlay.clone())
        .context("openapi/overlay.yaml is not an Overlay 1.0 document")?;
    overlay
        .apply(&mut spec, ApplyOptions::ErrorOnZeroMatch.into())
        .map_err(|e| {
            anyhow::anyhow!(
                "openapi/overlay.yaml: action {} ({}): {}",
                e.action_index,
                e.target,
                e.kind
            )
        })?;
    Ok(spec)
}

/// The security schemes the overlay adds, by name (every action's `securitySchemes`).
pub fn security_schemes(overlay: &Value) -> serde_json::Map<String, Value> {
    let mut schemes = serde_json::Map::new();
    for action in overlay["actions"].as_array().into_iter().flatten() {
        if let Some(more) = action
            .pointer("/update/securitySchemes")
            .and_then(Value::as_object)
        {
            schemes.extend(more.clone());
        }
    }
    schemes
}

/// The JSON pointers at which `a` and `b` differ, at most `limit` of them; `sides` names the
/// two documents.
pub fn differences(
    a: &Value,
    b: &Value,
    sides: (&str, &str),
    at: &str,
    limit: usize,
    out: &mut Vec<String>,
) {
    if out.len() >= limit || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => differences(p, q, sides, &child, limit, out),
                    (Some(_), None) => out.push(format!("{child}: only in {}", sides.0)),
                    (None, Some(_)) => out.push(format!("{child}: only in {}", sides.1)),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, sides, &format!("{at}/{i}"), limit, out);
            }
        }
        _ => out.push(format!("{}: differs", if at.is_empty() { "/" } else { at })),
    }
}

/// `applied` as YAML, its keys in `template`'s order (the vendor document's) and those the
/// overlay added after them, an `operationId` first; an operation's responses by status code.
fn ordered(
    applied: &Value,
    template: Option<&serde_yaml::Value>,
    in_responses: bool,
) -> serde_yaml::Value {
    match applied {
        Value::Object(map) => {
            let template = template.and_then(serde_yaml::Value::as_mapping);
            let mut keys: Vec<&String> = template
                .map(|t| {
                    t.keys()
                        .filter_map(serde_yaml::Value::as_str)
                        .filter_map(|k| map.get_key_value(k).map(|(k, _)| k))
                        .collect()
                })
                .unwrap_or_default();
            let added: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
            keys.extend(added);
            // An operation's id first, where the reader looks for it, whoever set it.
            if let Some(i) = keys.iter().position(|k| *k == "operationId") {
                let id = keys.remove(i);
                keys.insert(0, id);
            }
            if in_responses {
                keys.sort_by_key(|k| (k.parse::<u16>().unwrap_or(u16::MAX), k.to_string()));
            }
            let mut out = serde_yaml::Mapping::new();
            for key in keys {
                let child = template.and_then(|t| t.get(key.as_str()));
                out.insert(
                    serde_yaml::Value::String(key.clone()),
                    ordered(&map[key], child, key == "responses"),
                );
            }
            serde_yaml::Value::Mapping(out)
        }
        Value::Array(items) => {
            let template = template.and_then(serde_yaml::Value::as_sequence);
            serde_yaml::Value::Sequence(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| ordered(v, template.and_then(|t| t.get(i)), false))
                    .collect(),
            )
        }
        other => serde_yaml::to_value(other).unwrap_or(serde_yaml::Value::Null),
    }
}

/// The text of `openapi/v3.yaml`: the vendor document with the overlay applied.
pub fn spec_text(layout: &Layout) -> Result<String> {
    let root = &layout.root;
    let path = root.join("openapi/vendor.yaml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let template: serde_yaml::Value =
        serde_yaml::from_str(&text).context("parsing openapi/vendor.yaml")?;
    let vendor: Value = serde_yaml::from_str(&text).context("parsing openapi/vendor.yaml")?;
    let applied = apply(&vendor, &read(&root.join("openapi/overlay.yaml"))?)?;
    render(&applied, &template, SPEC_HEADER)
}

/// `doc` as YAML after `header`, its keys in `template`'s order.
pub fn render(doc: &Value, template: &serde_yaml::Value, header: &str) -> Result<String> {
    let yaml = serde_yaml::to_string(&ordered(doc, Some(template), false))?;
    Ok(format!("{header}{yaml}"))
}

/// The first lines of `openapi/v3.yaml`.
const SPEC_HEADER: &str = "# Written by `cargo xtask spec apply`: openapi/vendor.yaml with openapi/overlay.yaml applied.\n# Edit those two, not this file.\n";

/// The first lines of `openapi/vendor.yaml`.
pub const VENDOR_HEADER: &str = "# Optimly's v3 API as its vendor describes it, written by `cargo xtask spec import`. Until\n# Optimly publishes its own document this is the workspace's reconstruction from the docs,\n# less what openapi/overlay.yaml adds on top; openapi/v3.yaml, which everything reads, is\n# this file with the overlay applied (`cargo xtask spec apply`).\n";

/// `cargo xtask spec apply`: write `openapi/v3.yaml` from the vendor document and the overlay.
pub fn write(layout: &Layout) -> Result<()> {
    let text = spec_text(layout)?;
    let path = layout.spec();
    if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
        eprintln!("openapi/v3.yaml is up to date");
        return Ok(());
    }
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote openapi/v3.yaml (now run `cargo xtask generate`)");
    Ok(())
}

/// Fail unless `openapi/v3.yaml` is what `cargo xtask spec apply` writes: the vendor document
/// with the overlay applied, naming the JSON pointers that differ.
pub fn check(layout: &Layout) -> Result<()> {
    let expected = spec_text(layout)?;
    let actual = std::fs::read_to_string(layout.spec()).unwrap_or_default();
    if actual == expected {
        eprintln!("openapi/v3.yaml is openapi/vendor.yaml with openapi/overlay.yaml applied");
        return Ok(());
    }
    let parse = |text: &str| serde_yaml::from_str::<Value>(text).unwrap_or(Value::Null);
    let mut found = Vec::new();
    differences(
        &parse(&actual),
        &parse(&expected),
        ("openapi/v3.yaml", "vendor + overlay"),
        "",
        20,
        &mut found,
    );
    if found.is_empty() {
        found.push("the same document, written differently".to_owned());
    }
    bail!(
        "openapi/v3.yaml is not openapi/vendor.yaml with openapi/overlay.yaml applied \
         (edit those two, then run `cargo xtask spec apply`):\n  {}",
        found.join("\n  ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn an_update_adds_what_the_vendor_left_out() {
        let vendor = json!({"paths": {"/external/agent/v2": {"post": {"summary": "Ask"}}}});
        let applied = apply(
            &vendor,
            &overlay(json!([{
                "target": "$.paths['/external/agent/v2'].post",
                "update": {"operationId": "call_agent_v2", "x-rate-limits": [{"limit": 100}]}
            }])),
        )
        .expect("applies");
        assert_eq!(
            applied,
            json!({"paths": {"/external/agent/v2": {"post": {
                "summary": "Ask", "operationId": "call_agent_v2", "x-rate-limits": [{"limit": 100}]
            }}}})
        );
    }

    #[test]
    fn a_target_the_vendor_no_longer_has_fails_naming_it() {
        let vendor = json!({"paths": {"/external/agent/v3": {"post": {}}}});
        let err = apply(
            &vendor,
            &overlay(json!([{
                "target": "$.paths['/external/agent/v2'].post",
                "update": {"operationId": "call_agent_v2"}
            }])),
        )
        .expect_err("nothing matches");
        let text = format!("{err:#}");
        assert!(
            text.contains("$.paths['/external/agent/v2'].post"),
            "{text}"
        );
    }

    #[test]
    fn differences_are_named_by_json_pointer() {
        let mut out = Vec::new();
        differences(
            &json!({"paths": {"/a/b": {"get": {"operationId": "x"}}}, "info": {}}),
            &json!({"paths": {"/a/b": {"get": {"operationId": "y"}}}}),
            ("openapi/v3.yaml", "vendor + overlay"),
            "",
            10,
            &mut out,
        );
        assert_eq!(
            out,
            [
                "/info: only in openapi/v3.yaml",
                "/paths/~1a~1b/get/operationId: differs"
            ]
        );
    }
}
