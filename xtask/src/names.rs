//! The names the SDK's types have, found by where each schema is used rather than by what
//! the vendor calls it: `x-schema-names` in `openapi/overlay.yaml`.
//!
//! Each entry names a schema and lists JSONPath targets of its usages (an operation's request
//! or response body, a property, an array's items). At each usage:
//! - a `$ref` to a schema of another name renames that schema (and every `$ref` to it);
//! - an inline schema (a FastAPI `Optional[dict]`, a `Literal[...]` enum, a plain string) is
//!   moved into `components.schemas` under the name, and the usage refers to it, keeping its
//!   own `nullable`, `description` and `default`.
//!
//! A vendor that names a schema differently from us, or leaves it inline, thus changes no
//! Rust type name. A target that matches nothing, or two different schemas given one name,
//! fails naming the target. On a document already named this way nothing changes.
//!
//! Afterwards every enum still inline in a component's property is moved into
//! `components.schemas` as `<Schema><Property>`, and, when a response carries it, made open
//! (`x-extensible-enum`, with the vendor's `enum` kept beside it as the vendor's statement).

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use serde_json_path::JsonPath;

/// The overlay's extension that lists the names.
pub const KEY: &str = "x-schema-names";

const SCHEMAS: &str = "#/components/schemas/";

/// Name the schemas of `doc` as the overlay's `x-schema-names` says.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<()> {
    let Some(entries) = overlay.get(KEY) else {
        return Ok(());
    };
    let entries = entries
        .as_array()
        .with_context(|| format!("openapi/overlay.yaml: {KEY} is not a list"))?;
    for (i, entry) in entries.iter().enumerate() {
        let name = entry["name"]
            .as_str()
            .with_context(|| format!("openapi/overlay.yaml: {KEY}[{i}] has no name"))?;
        let targets = entry["at"].as_array().with_context(|| {
            format!("openapi/overlay.yaml: {KEY}[{i}] ({name}) has no `at` list")
        })?;
        for target in targets.iter().filter_map(Value::as_str) {
            let path = JsonPath::parse(target).with_context(|| {
                format!("openapi/overlay.yaml: {KEY}[{i}] ({name}): {target} is not a JSONPath")
            })?;
            let pointers: Vec<String> = path
                .query_located(doc)
                .locations()
                .map(|l| l.to_json_pointer())
                .collect();
            if pointers.is_empty() {
                bail!(
                    "openapi/overlay.yaml: {KEY}[{i}] ({name}): {target} matches nothing in the \
                     vendor document (a usage the vendor renamed or removed?)"
                );
            }
            for pointer in pointers {
                place(doc, &pointer, name).with_context(|| {
                    format!("openapi/overlay.yaml: {KEY}[{i}] ({name}): {target}")
                })?;
            }
        }
    }
    Ok(())
}

/// Make the schema used at `pointer` the component `name`.
fn place(doc: &mut Value, pointer: &str, name: &str) -> Result<()> {
    let node = doc
        .pointer(pointer)
        .with_context(|| format!("{pointer}: gone"))?
        .clone();
    // `{nullable: true, allOf: [{$ref}]}`, as a lowered `Optional[Model]` reads.
    let inner = match node.get("allOf").and_then(Value::as_array) {
        Some(one) if one.len() == 1 && node.get("$ref").is_none() => &one[0],
        _ => &node,
    };
    if let Some(reference) = inner.get("$ref").and_then(Value::as_str) {
        let Some(current) = reference.strip_prefix(SCHEMAS) else {
            bail!("{pointer}: {reference} is not a component schema");
        };
        if current != name {
            rename(doc, current, name)?;
        }
        return Ok(());
    }
    if !inner.is_object() {
        bail!("{pointer}: not a schema");
    }
    // An inline schema: hoisted, with what belongs to the usage left at the usage.
    let mut schema = inner.as_object().cloned().unwrap_or_default();
    let mut usage = Map::new();
    if std::ptr::eq(inner, &node) {
        for key in ["nullable", "description", "default"] {
            if let Some(v) = schema.remove(key) {
                usage.insert(key.into(), v);
            }
        }
    } else {
        usage = node.as_object().cloned().unwrap_or_default();
        usage.remove("allOf");
    }
    insert(doc, name, Value::Object(schema), pointer)?;
    let reference = json!({ "$ref": format!("{SCHEMAS}{name}") });
    let replacement = if usage.is_empty() {
        reference
    } else {
        usage.insert("allOf".into(), json!([reference]));
        Value::Object(usage)
    };
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = replacement;
    }
    Ok(())
}

/// Put `schema` into `components.schemas` as `name`; if one is there already it must be the
/// same schema (descriptions aside).
fn insert(doc: &mut Value, name: &str, schema: Value, from: &str) -> Result<()> {
    let schemas = schemas_mut(doc)?;
    match schemas.get(name) {
        Some(existing) if same(existing, &schema) => Ok(()),
        Some(existing) => bail!(
            "{from}: a schema different from components.schemas.{name} ({} vs {})",
            serde_json::to_string(&schema).unwrap_or_default(),
            serde_json::to_string(existing).unwrap_or_default()
        ),
        None => {
            schemas.insert(name.to_owned(), schema);
            Ok(())
        }
    }
}

/// Rename the component `from` to `to`, and every `$ref` to it. If `to` exists it must be
/// the same schema; `from` is then dropped.
fn rename(doc: &mut Value, from: &str, to: &str) -> Result<()> {
    let schemas = schemas_mut(doc)?;
    let Some(schema) = schemas.remove(from) else {
        bail!("components.schemas.{from}: no such schema");
    };
    if let Some(existing) = schemas.get(to)
        && !same(existing, &schema)
    {
        bail!(
            "components.schemas.{from} would be named {to}, but components.schemas.{to} is a different schema"
        );
    }
    schemas.entry(to.to_owned()).or_insert(schema);
    let (old, new) = (format!("{SCHEMAS}{from}"), format!("{SCHEMAS}{to}"));
    rewrite_refs(doc, &old, &new);
    Ok(())
}

/// Every `$ref` equal to `old` becomes `new`.
pub fn rewrite_refs(node: &mut Value, old: &str, new: &str) {
    match node {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(r) if key == "$ref" && r == old => *r = new.to_owned(),
                    _ => rewrite_refs(child, old, new),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(i, old, new)),
        _ => {}
    }
}

fn same(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("description");
        }
        v
    };
    strip(a) == strip(b)
}

/// `components.schemas`, made when missing; an error when the document has it as something
/// other than an object.
fn schemas_mut(doc: &mut Value) -> Result<&mut Map<String, Value>> {
    let Some(root) = doc.as_object_mut() else {
        bail!("/: the document is not an object");
    };
    let components = root.entry("components").or_insert_with(|| json!({}));
    let Some(components) = components.as_object_mut() else {
        bail!("/components: not an object");
    };
    components
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .context("/components/schemas: not an object")
}

/// Move every enum still inline in a component schema's properties (or their array items)
/// into `components.schemas` as `<Schema><Property>`; one a response carries is made open.
pub fn hoist_inline_enums(doc: &mut Value) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let names: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    for parent in &names {
        let properties: Vec<String> = doc
            .pointer(&format!("/components/schemas/{parent}/properties"))
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for property in properties {
            let base = format!("/components/schemas/{parent}/properties/{property}");
            for pointer in [base.clone(), format!("{base}/items")] {
                if doc
                    .pointer(&pointer)
                    .is_some_and(|s| s.get("enum").is_some())
                {
                    let name = format!("{parent}{}", crate::open_enums::variant_name(&property));
                    place(doc, &pointer, &name)?;
                    found.push(name);
                }
            }
        }
    }
    let sent = crate::spec::reachable(doc, &crate::spec::response_roots(doc));
    for name in &found {
        if sent.contains(name)
            && let Some(schema) = doc
                .pointer_mut(&format!("/components/schemas/{name}"))
                .and_then(Value::as_object_mut)
            && let Some(values) = schema.get("enum").cloned()
        {
            schema.insert(crate::open_enums::EXTENSIBLE.into(), values);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlay(entries: Value) -> Value {
        json!({ KEY: entries })
    }

    #[test]
    fn a_vendor_name_becomes_ours_by_where_the_schema_is_used() {
        let mut doc = json!({
            "paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Body_a_post"}}}}}}},
            "components": {"schemas": {
                "Body_a_post": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Body_a_post"}}}
            }}
        });
        apply(
            &mut doc,
            &overlay(json!([{"name": "AgentRequest", "at": [
                "$.paths['/a'].post.requestBody.content['application/json'].schema"
            ]}])),
        )
        .expect("names");
        assert_eq!(
            doc["components"]["schemas"],
            json!({"AgentRequest": {"type": "object", "properties": {
                "x": {"$ref": "#/components/schemas/AgentRequest"}}}})
        );
        assert_eq!(
            doc.pointer("/paths/~1a/post/requestBody/content/application~1json/schema"),
            Some(&json!({"$ref": "#/components/schemas/AgentRequest"}))
        );
    }

    #[test]
    fn inline_schemas_are_hoisted_and_shared_and_keep_their_usage() {
        let mut doc = json!({"components": {"schemas": {
            "Chat": {"type": "object", "properties": {
                "metadata": {"type": "object", "additionalProperties": true, "nullable": true},
                "status": {"type": "string", "enum": ["active"], "nullable": true}
            }},
            "ChatBase": {"type": "object", "properties": {
                "metadata": {"type": "object", "additionalProperties": true}
            }}
        }}});
        apply(
            &mut doc,
            &overlay(json!([
                {"name": "Metadata", "at": [
                    "$.components.schemas.Chat.properties.metadata",
                    "$.components.schemas.ChatBase.properties.metadata"
                ]},
                {"name": "ChatStatus", "at": ["$.components.schemas.Chat.properties.status"]}
            ])),
        )
        .expect("names");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Metadata"],
            json!({"type": "object", "additionalProperties": true})
        );
        assert_eq!(
            schemas["ChatStatus"],
            json!({"type": "string", "enum": ["active"]})
        );
        assert_eq!(
            schemas["Chat"]["properties"],
            json!({
                "metadata": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Metadata"}]},
                "status": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/ChatStatus"}]}
            })
        );
        assert_eq!(
            schemas["ChatBase"]["properties"]["metadata"],
            json!({"$ref": "#/components/schemas/Metadata"})
        );
        // Named already: nothing changes.
        let before = doc.clone();
        apply(
            &mut doc,
            &overlay(json!([{"name": "ChatStatus", "at": ["$.components.schemas.Chat.properties.status"]}])),
        )
        .expect("names again");
        assert_eq!(doc, before);
    }

    #[test]
    fn a_usage_the_vendor_no_longer_has_fails_naming_its_target() {
        let mut doc = json!({"components": {"schemas": {"Chat": {"type": "object"}}}});
        let err = apply(
            &mut doc,
            &overlay(json!([{"name": "ChatStatus", "at": ["$.components.schemas.Chat.properties.status"]}])),
        )
        .expect_err("no status property");
        assert!(
            err.to_string()
                .contains("$.components.schemas.Chat.properties.status matches nothing"),
            "{err}"
        );
    }

    #[test]
    fn two_different_schemas_for_one_name_fail() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"m": {"type": "object"}, "n": {"type": "string"}}}
        }}});
        let err = apply(
            &mut doc,
            &overlay(json!([{"name": "Metadata", "at": [
                "$.components.schemas.A.properties.m", "$.components.schemas.A.properties.n"
            ]}])),
        )
        .expect_err("an object and a string");
        assert!(
            format!("{err:#}").contains("/components/schemas/A/properties/n"),
            "{err:#}"
        );
    }

    #[test]
    fn an_inline_enum_left_unnamed_is_hoisted_and_opened_when_sent() {
        let mut doc = json!({
            "paths": {"/h": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Handoff"}}}}}}}},
            "components": {"schemas": {"Handoff": {"type": "object", "properties": {
                "status": {"type": "string", "enum": ["queued", "sent"], "nullable": true}
            }}}}
        });
        let found = hoist_inline_enums(&mut doc).expect("hoists");
        assert_eq!(found, ["HandoffStatus"]);
        assert_eq!(
            doc["components"]["schemas"]["HandoffStatus"],
            json!({"type": "string", "enum": ["queued", "sent"], "x-extensible-enum": ["queued", "sent"]})
        );
    }
}
