//! `cargo xtask spec import FILE [--dry-run]`: take a vendor's OpenAPI document (3.0.x or
//! 3.1.x, JSON or YAML) as `openapi/vendor.yaml`, and write `openapi/v3.yaml` from it and the
//! overlay.
//!
//! A 3.1 document (FastAPI writes 3.1.0) is lowered to the 3.0.3 dialect progenitor reads:
//! a `null` branch of `anyOf`/`oneOf` and `type: [X, "null"]` become `nullable`, `const` a
//! one-value `enum`, a schema's `examples` list its first `example`, numeric
//! `exclusiveMinimum`/`exclusiveMaximum` the 3.0 boolean forms, and titles are dropped.
//! Anything else 3.1 can say and 3.0 cannot fails, naming its JSON pointer. What the overlay
//! adds is taken out of the vendor document first, so the overlay stays the one place for it:
//! importing our own `openapi/v3.yaml` changes nothing.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use serde_json_path::JsonPath;

use crate::codegen::Layout;
use crate::{fetch, names, overlay};

/// Lower a 3.1 document to 3.0.3 in place; a 3.0.x document is left as it is.
pub fn lower(doc: &mut Value) -> Result<()> {
    let version = doc["openapi"].as_str().unwrap_or_default().to_owned();
    if version.starts_with("3.0.") {
        return Ok(());
    }
    if !version.starts_with("3.1.") {
        bail!("/openapi: {version:?} is not an OpenAPI 3.0.x or 3.1.x document");
    }
    doc["openapi"] = json!("3.0.3");
    let mut problems = Vec::new();
    if let Some(paths) = doc.get_mut("paths") {
        lower_all(paths, "/paths", &mut problems);
    }
    if let Some(components) = doc.get_mut("components") {
        lower_all(components, "/components", &mut problems);
    }
    if doc
        .get("webhooks")
        .and_then(Value::as_object)
        .is_some_and(|w| !w.is_empty())
    {
        problems.push("/webhooks: 3.0 has no webhooks".to_owned());
    }
    if let Some(map) = doc.as_object_mut() {
        map.remove("webhooks");
        map.remove("jsonSchemaDialect");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!(
            "cannot lower to OpenAPI 3.0.3:\n  {}",
            problems.join("\n  ")
        )
    }
}

/// Every schema under `node` (found by the keys that hold schemas), lowered.
fn lower_all(node: &mut Value, at: &str, problems: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "schema" || (at.ends_with("/schemas") && child.is_object()) {
                    lower_schema(child, &here, problems);
                } else {
                    lower_all(child, &here, problems);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                lower_all(child, &format!("{at}/{i}"), problems);
            }
        }
        _ => {}
    }
}

/// One JSON Schema (2020-12, as 3.1 has it) lowered to 3.0's dialect, and its subschemas.
fn lower_schema(schema: &mut Value, at: &str, problems: &mut Vec<String>) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    map.remove("title");
    for unsupported in [
        "$defs",
        "prefixItems",
        "if",
        "then",
        "else",
        "dependentSchemas",
        "patternProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "contains",
        "$dynamicRef",
    ] {
        if map.contains_key(unsupported) {
            problems.push(format!("{at}/{unsupported}: 3.0 has no `{unsupported}`"));
        }
    }
    // `type: [X, "null"]`.
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let others: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
        match others.as_slice() {
            [one] => {
                map.insert("type".into(), (*one).clone());
                if others.len() < types.len() {
                    map.insert("nullable".into(), json!(true));
                }
            }
            _ => problems.push(format!("{at}/type: more than one type ({types:?})")),
        }
    }
    // `anyOf`/`oneOf` with a `{"type": "null"}` branch.
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = map.get(key).cloned() else {
            continue;
        };
        let is_null = |b: &Value| b.get("type") == Some(&json!("null"));
        if !branches.iter().any(is_null) {
            continue;
        }
        let rest: Vec<Value> = branches.into_iter().filter(|b| !is_null(b)).collect();
        map.remove(key);
        map.insert("nullable".into(), json!(true));
        match rest.as_slice() {
            [one] if one.get("$ref").is_some() => {
                map.insert("allOf".into(), json!([one]));
            }
            [one] => {
                if let Some(inner) = one.as_object() {
                    for (k, v) in inner {
                        map.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            _ => {
                map.insert(key.into(), Value::Array(rest));
            }
        }
    }
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), json!([value]));
    }
    if let Some(Value::Array(examples)) = map.remove("examples")
        && let Some(first) = examples.into_iter().next()
    {
        map.entry("example").or_insert(first);
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(number) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), number);
            map.insert(exclusive.into(), json!(true));
        }
    }
    // Subschemas.
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            lower_schema(child, &format!("{at}/{key}"), problems);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            for (i, child) in children.iter_mut().enumerate() {
                lower_schema(child, &format!("{at}/{key}/{i}"), problems);
            }
        }
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, child) in properties.iter_mut() {
            lower_schema(child, &format!("{at}/properties/{name}"), problems);
        }
    }
}

/// What a FastAPI app writes into every operation that the overlay says once, made ours:
/// - the key as `Header()`/`Query()` parameters (`authorization`, `x-api-key`,
///   `access_token_query`) is dropped: the overlay's security schemes say it;
/// - FastAPI's security schemes (`HTTPBearer`, `APIKeyHeader`, `APIKeyQuery`) become the
///   overlay's equal ones, and an operation's `security` equal to the document's is dropped;
/// - FastAPI's 422 body (`HTTPValidationError` of `ValidationError`s) is the shared `Error`
///   (of `ValidationIssue`s), which reads it.
///
/// A parameter that looks like a key and matches none of the overlay's schemes fails, naming
/// its pointer. Returns one note per kind of change.
pub fn fastapi_habits(doc: &mut Value, overlay: &Value) -> Result<Vec<String>> {
    let ours = overlay::security_schemes(overlay);
    let mut top_security = None;
    for action in overlay["actions"].as_array().into_iter().flatten() {
        if action["target"] == "$"
            && let Some(security) = action.pointer("/update/security")
        {
            top_security = Some(requirements(security));
        }
    }
    let mut notes = Vec::new();
    // The vendor's schemes that are ours under another name.
    let mut renamed = Vec::new();
    if let Some(theirs) = doc
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
    {
        for (name, scheme) in theirs.clone() {
            if let Some((our_name, _)) = ours.iter().find(|(_, o)| same_scheme(o, &scheme)) {
                theirs.remove(&name);
                renamed.push((name, our_name.clone()));
            }
        }
        if theirs.is_empty()
            && let Some(components) = doc["components"].as_object_mut()
        {
            components.remove("securitySchemes");
        }
    }
    if !renamed.is_empty() {
        let list: Vec<String> = renamed.iter().map(|(a, b)| format!("{a} -> {b}")).collect();
        notes.push(format!(
            "security schemes are the overlay's: {}",
            list.join(", ")
        ));
    }
    let mut dropped = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            let at = format!(
                "/paths/{}/{method}",
                path.replace('~', "~0").replace('/', "~1")
            );
            let Some(op) = doc.pointer_mut(&at).and_then(Value::as_object_mut) else {
                continue;
            };
            if let Some(security) = op.get_mut("security") {
                for requirement in security.as_array_mut().into_iter().flatten() {
                    if let Some(map) = requirement.as_object_mut() {
                        for (from, to) in &renamed {
                            if let Some(scopes) = map.remove(from) {
                                map.insert(to.clone(), scopes);
                            }
                        }
                    }
                }
                if top_security.as_ref() == Some(&requirements(security)) {
                    op.remove("security");
                }
            }
            if let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                let mut i = 0;
                while i < parameters.len() {
                    let p = &parameters[i];
                    let (name, place) = (
                        p["name"].as_str().unwrap_or_default().to_owned(),
                        p["in"].as_str().unwrap_or_default().to_owned(),
                    );
                    if ours.values().any(|s| carries_key(s, &place, &name)) {
                        dropped.insert(format!("{place} `{name}`"));
                        parameters.remove(i);
                        continue;
                    }
                    let lower = name.to_ascii_lowercase();
                    if ["authorization", "api-key", "api_key", "apikey", "token"]
                        .iter()
                        .any(|k| lower.contains(k))
                    {
                        problems.push(format!(
                            "{at}/parameters/{i}: `{name}` in {place} looks like the key, and none \
                             of the overlay's security schemes sends it there"
                        ));
                    }
                    i += 1;
                }
                if parameters.is_empty() {
                    op.remove("parameters");
                }
            }
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    if !dropped.is_empty() {
        let list: Vec<String> = dropped.into_iter().collect();
        notes.push(format!(
            "auth parameters dropped, the overlay's security schemes carry the key: {}",
            list.join(", ")
        ));
    }
    // FastAPI's 422 body.
    let fastapi_422 = [
        ("HTTPValidationError", "Error"),
        ("ValidationError", "ValidationIssue"),
    ];
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        && schemas.contains_key("HTTPValidationError")
    {
        for (theirs, _) in fastapi_422 {
            schemas.remove(theirs);
        }
        for (theirs, ours) in fastapi_422 {
            crate::names::rewrite_refs(
                doc,
                &format!("#/components/schemas/{theirs}"),
                &format!("#/components/schemas/{ours}"),
            );
        }
        notes.push("FastAPI's 422 body (HTTPValidationError) is the shared Error".to_owned());
    }
    Ok(notes)
}

/// A security requirement list as a set, for comparison.
fn requirements(security: &Value) -> std::collections::BTreeSet<String> {
    security
        .as_array()
        .into_iter()
        .flatten()
        .map(Value::to_string)
        .collect()
}

/// Two security schemes that send the key the same way (names of headers compared as HTTP
/// does, without case).
fn same_scheme(a: &Value, b: &Value) -> bool {
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_ascii_lowercase();
    text(a, "type") == text(b, "type")
        && text(a, "scheme") == text(b, "scheme")
        && text(a, "in") == text(b, "in")
        && text(a, "name") == text(b, "name")
}

/// Whether the scheme puts the key in the parameter `name` in `place` (`header`, `query`).
fn carries_key(scheme: &Value, place: &str, name: &str) -> bool {
    match scheme["type"].as_str() {
        Some("http") => place == "header" && name.eq_ignore_ascii_case("authorization"),
        Some("apiKey") => {
            scheme["in"] == place
                && scheme["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }
        _ => false,
    }
}

/// Take out of `doc` what the overlay adds: each action's update keys at each node its target
/// selects (recursively where both are objects, so an operation keeps the responses the
/// vendor lists and loses only those the overlay adds).
pub fn strip_overlay(doc: &mut Value, overlay: &Value) -> Result<()> {
    let actions = overlay["actions"].as_array().cloned().unwrap_or_default();
    for (i, action) in actions.iter().enumerate() {
        let target = action["target"].as_str().unwrap_or_default();
        let Some(update) = action.get("update") else {
            continue;
        };
        let path = JsonPath::parse(target).with_context(|| {
            format!("openapi/overlay.yaml: action {i}: {target} is not a JSONPath")
        })?;
        let pointers: Vec<String> = path
            .query_located(doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        for pointer in pointers {
            if let Some(node) = doc.pointer_mut(&pointer) {
                remove_keys(node, update);
            }
        }
    }
    Ok(())
}

fn remove_keys(node: &mut Value, update: &Value) {
    let (Some(map), Some(update)) = (node.as_object_mut(), update.as_object()) else {
        return;
    };
    for (key, added) in update {
        match map.get_mut(key) {
            Some(child @ Value::Object(_)) if added.is_object() => {
                remove_keys(child, added);
                if child.as_object().is_some_and(Map::is_empty) {
                    map.remove(key);
                }
            }
            Some(_) => {
                map.remove(key);
            }
            None => {}
        }
    }
}

/// A vendor document as `openapi/vendor.yaml` holds it.
pub struct Imported {
    /// The document: lowered to 3.0.3, FastAPI's habits and schema names made ours, less what
    /// the overlay adds.
    pub doc: Value,
    /// `doc` as the text of `openapi/vendor.yaml`, in the vendor's key order.
    pub text: String,
    /// One line per kind of change made on the way.
    pub notes: Vec<String>,
}

/// Turn the vendor document `text` (3.0.x or 3.1.x, JSON or YAML) into `openapi/vendor.yaml`.
pub fn to_vendor(text: &str, overlay_doc: &Value) -> Result<Imported> {
    let mut doc: Value = serde_yaml::from_str(text).context("not a JSON or YAML document")?;
    let template: serde_yaml::Value = serde_yaml::from_str(text)?;
    lower(&mut doc)?;
    let mut notes = fastapi_habits(&mut doc, overlay_doc)?;
    names::apply(&mut doc, overlay_doc)?;
    for name in names::hoist_inline_enums(&mut doc)? {
        notes.push(format!("an inline enum is now components.schemas.{name}"));
    }
    strip_overlay(&mut doc, overlay_doc)?;
    let text = overlay::render(&doc, &template, overlay::VENDOR_HEADER)?;
    Ok(Imported { doc, text, notes })
}

/// `cargo xtask spec import FILE|URL [--dry-run]`.
pub fn run(layout: &Layout, source: &str, dry_run: bool) -> Result<()> {
    let overlay_doc = overlay::read(&layout.root.join("openapi/overlay.yaml"))?;
    let text = if source.starts_with("https://") || source.starts_with("http://") {
        fetch::from_env(source, &overlay_doc)?
    } else {
        std::fs::read_to_string(source).with_context(|| format!("reading {source}"))?
    };
    let imported = to_vendor(&text, &overlay_doc).with_context(|| format!("importing {source}"))?;
    for note in &imported.notes {
        eprintln!("import: {note}");
    }
    let vendor_path = layout.root.join("openapi/vendor.yaml");
    let before = std::fs::read_to_string(&vendor_path).unwrap_or_default();
    if dry_run {
        // The overlay must still apply to the new document.
        overlay::apply(&imported.doc, &overlay_doc)?;
        let mut found = Vec::new();
        let parse = |t: &str| serde_yaml::from_str::<Value>(t).unwrap_or(Value::Null);
        overlay::differences(
            &parse(&before),
            &imported.doc,
            ("openapi/vendor.yaml", source),
            "",
            500,
            &mut found,
        );
        if found.is_empty() {
            println!("openapi/vendor.yaml would not change");
            return Ok(());
        }
        println!(
            "openapi/vendor.yaml would change at {} place(s):\n  {}",
            found.len(),
            found.join("\n  ")
        );
        bail!("{source} differs from openapi/vendor.yaml");
    }
    std::fs::write(&vendor_path, &imported.text)
        .with_context(|| format!("writing {}", vendor_path.display()))?;
    if let Err(e) = overlay::write(layout) {
        std::fs::write(&vendor_path, before)?;
        return Err(e.context(
            "the overlay does not apply to the imported document; openapi/vendor.yaml is unchanged",
        ));
    }
    eprintln!(
        "imported {source} into openapi/vendor.yaml; now `cargo xtask spec-diff HEAD`, then `cargo xtask generate`"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo xtask spec import openapi/v3.yaml` changes nothing: our own spec, less what the
    /// overlay adds, is the vendor document, byte for byte.
    #[test]
    fn importing_our_own_spec_changes_nothing() {
        let layout = Layout::workspace();
        let text = std::fs::read_to_string(layout.spec()).expect("openapi/v3.yaml");
        let overlay_doc =
            overlay::read(&layout.root.join("openapi/overlay.yaml")).expect("overlay");
        let vendor = to_vendor(&text, &overlay_doc).expect("imports").text;
        let checked_in =
            std::fs::read_to_string(layout.root.join("openapi/vendor.yaml")).expect("vendor.yaml");
        assert!(
            vendor == checked_in,
            "{}",
            crate::codegen::unified_diff("openapi/vendor.yaml", &checked_in, &vendor)
        );
    }

    /// A vendor document that renamed an operation's path: the overlay's target for it matches
    /// nothing, and the import fails naming it (and writes nothing).
    #[test]
    fn an_overlay_target_the_vendor_no_longer_has_fails_the_import() {
        let layout = Layout::workspace();
        let text = std::fs::read_to_string(layout.spec()).expect("openapi/v3.yaml");
        let renamed = text.replace("/external/agent/v2:", "/external/agent/v9:");
        assert_ne!(renamed, text);
        let file = std::env::temp_dir().join(format!("optimly-import-{}.yaml", std::process::id()));
        std::fs::write(&file, renamed).expect("temporary spec");
        let err = run(&layout, &file.display().to_string(), true)
            .expect_err("the v2 targets match nothing");
        let _ = std::fs::remove_file(&file);
        assert!(
            format!("{err:#}").contains("$.paths['/external/agent/v2']"),
            "{err:#}"
        );
    }

    #[test]
    fn a_fastapi_document_is_lowered_to_3_0() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {},
            "components": {"schemas": {"ChatBase": {
                "title": "ChatBase",
                "type": "object",
                "properties": {
                    "client_id": {"type": "string", "title": "Client Id", "maxLength": 200},
                    "agent_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Agent Id"},
                    "status": {"anyOf": [{"$ref": "#/components/schemas/ChatStatus"}, {"type": "null"}]},
                    "count": {"type": ["integer", "null"], "exclusiveMinimum": 0},
                    "kind": {"const": "chat", "examples": ["chat"]}
                }
            }}}
        });
        lower(&mut doc).expect("lowers");
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(
            doc["components"]["schemas"]["ChatBase"],
            json!({
                "type": "object",
                "properties": {
                    "client_id": {"type": "string", "maxLength": 200},
                    "agent_id": {"type": "string", "nullable": true},
                    "status": {"allOf": [{"$ref": "#/components/schemas/ChatStatus"}], "nullable": true},
                    "count": {"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true},
                    "kind": {"enum": ["chat"], "example": "chat"}
                }
            })
        );
    }

    #[test]
    fn what_3_0_cannot_say_fails_naming_its_pointer() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "components": {"schemas": {"Pair": {"type": "array", "prefixItems": [{"type": "string"}]}}}
        });
        let err = lower(&mut doc).expect_err("prefixItems");
        assert!(
            err.to_string()
                .contains("/components/schemas/Pair/prefixItems"),
            "{err}"
        );
    }

    fn our_overlay() -> Value {
        overlay::read(&Layout::workspace().root.join("openapi/overlay.yaml")).expect("overlay")
    }

    /// FastAPI's `Header()`/`Query()` key parameters and its security schemes both become the
    /// overlay's schemes; FastAPI's 422 body becomes the shared `Error`.
    #[test]
    fn fastapi_auth_in_either_style_and_its_422_become_ours() {
        let param = |name: &str, place: &str| {
            json!({"name": name, "in": place, "required": false,
            "schema": {"type": "string", "nullable": true}})
        };
        let mut doc = json!({
            "paths": {
                "/a": {"post": {
                    "parameters": [param("access_token_query", "query"), param("authorization", "header"),
                                   param("x-api-key", "header"), param("page", "query")],
                    "responses": {"422": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}}
                }},
                "/b": {"get": {"security": [{"HTTPBearer": []}, {"APIKeyHeader": []}, {"APIKeyQuery": []}]}}
            },
            "components": {
                "securitySchemes": {
                    "HTTPBearer": {"type": "http", "scheme": "bearer"},
                    "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                    "APIKeyQuery": {"type": "apiKey", "in": "query", "name": "access_token_query"}
                },
                "schemas": {
                    "HTTPValidationError": {"type": "object", "properties": {"detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}}},
                    "ValidationError": {"type": "object"}
                }
            }
        });
        let notes = fastapi_habits(&mut doc, &our_overlay()).expect("made ours");
        assert_eq!(
            doc,
            json!({
                "paths": {
                    "/a": {"post": {
                        "parameters": [param("page", "query")],
                        "responses": {"422": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
                    }},
                    "/b": {"get": {}}
                },
                "components": {"schemas": {}}
            })
        );
        assert_eq!(
            notes,
            [
                "security schemes are the overlay's: APIKeyHeader -> apiKeyHeader, APIKeyQuery -> apiKeyQuery, HTTPBearer -> bearerAuth",
                "auth parameters dropped, the overlay's security schemes carry the key: header `authorization`, header `x-api-key`, query `access_token_query`",
                "FastAPI's 422 body (HTTPValidationError) is the shared Error"
            ]
        );
    }

    /// A key parameter the overlay has no scheme for (the blog posts' `x_api_key` header) fails
    /// the import, naming it.
    #[test]
    fn a_key_parameter_without_a_scheme_fails_naming_its_pointer() {
        let mut doc = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "x_api_key", "in": "header", "schema": {"type": "string"}}
        ]}}}});
        let err = fastapi_habits(&mut doc, &our_overlay()).expect_err("no such scheme");
        assert!(
            err.to_string()
                .starts_with("/paths/~1a/get/parameters/0: `x_api_key` in header"),
            "{err}"
        );
    }

    #[test]
    fn what_the_overlay_adds_is_taken_out() {
        let overlay = json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [
            {"target": "$.paths['/a'].post", "update": {
                "operationId": "ours", "responses": {"401": {"description": "x"}}
            }}
        ]});
        let mut doc = json!({"paths": {"/a": {"post": {
            "operationId": "vendor_a_post",
            "responses": {"200": {"description": "ok"}, "401": {"description": "x"}}
        }}}});
        strip_overlay(&mut doc, &overlay).expect("strips");
        assert_eq!(
            doc,
            json!({"paths": {"/a": {"post": {"responses": {"200": {"description": "ok"}}}}}})
        );
    }
}
