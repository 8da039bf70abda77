//! Reading `openapi/v3.yaml`: parse, lint for shapes progenitor cannot generate, and apply the
//! few logged normalisations the generator needs.
//!
//! The spec is the source of truth, so the lint refuses rather than silently rewrites anything
//! that would change the meaning of the API; only the purely mechanical rewrites live in
//! [`normalize`], and every one of them is reported as a `normalize:` note.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

/// The spec as loaded, plus the notes its normalisation produced.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The parsed, normalised document that progenitor reads.
    pub openapi: openapiv3::OpenAPI,
    /// The same document as a JSON value (used for the open-enum pass).
    pub value: Value,
    /// One line per rewrite made by [`normalize`].
    pub notes: Vec<String>,
}

/// Parse, lint and normalise the YAML text of the spec.
pub fn load_str(yaml: &str) -> Result<LoadedSpec> {
    let mut value: Value =
        serde_yaml::from_str(yaml).context("openapi/v3.yaml is not valid YAML")?;
    lint(&value)?;
    let notes = normalize(&mut value);
    let openapi: openapiv3::OpenAPI = serde_json::from_value(value.clone())
        .context("the spec is not a valid OpenAPI 3.0 document")?;
    Ok(LoadedSpec {
        openapi,
        value,
        notes,
    })
}

/// HTTP methods that may carry an operation in a path item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Iterate over `(path, method, operation)` triples.
pub fn operations(value: &Value) -> impl Iterator<Item = (&str, &str, &Value)> {
    value
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.iter())
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (path.as_str(), *m, op)))
        })
}

/// Refuse the spec shapes that make progenitor 0.15 panic or generate wrong code, each with
/// the location to fix. All problems are reported at once.
pub fn lint(value: &Value) -> Result<()> {
    let mut problems = Vec::new();
    match value.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        other => problems.push(format!(
            "openapi: version {other:?} is not 3.0.x (progenitor rejects 3.1)"
        )),
    }
    for (path, method, op) in operations(value) {
        let at = format!("paths.{path}.{method}");
        if op.get("operationId").and_then(Value::as_str).is_none() {
            problems.push(format!("{at}: missing operationId"));
        }
        lint_responses(&at, op, &mut problems);
    }
    check_enums(value, &mut problems);
    if let Some(paths) = value.get("paths") {
        find_inline_enums(paths, "paths", &mut problems);
    }
    check_nullable_responses(value, &mut problems);
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "openapi/v3.yaml has {} problem(s) progenitor cannot generate:\n  - {}",
        problems.len(),
        problems.join("\n  - ")
    )
}

/// One success schema per operation, one error schema per operation, and no `default`
/// beside explicit success codes (all three panic the generator).
fn lint_responses(at: &str, op: &Value, problems: &mut Vec<String>) {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        problems.push(format!("{at}: no responses"));
        return;
    };
    let mut successes = Vec::new();
    let mut errors = Vec::new();
    for (code, response) in responses {
        let schema = response
            .pointer("/content/application~1json/schema")
            .cloned()
            .unwrap_or(Value::Null);
        match code.chars().next() {
            Some('2') => successes.push((code.as_str(), schema)),
            Some('4' | '5') => errors.push((code.as_str(), resolve_response_schema(response))),
            _ if code == "default" && responses.keys().any(|c| c.starts_with('2') && c != "2XX") => {
                problems.push(format!(
                    "{at}.responses.default: `default` beside explicit 2xx codes; list 4XX/5XX instead"
                ))
            }
            _ => {}
        }
    }
    if successes.len() > 1 && successes.windows(2).any(|w| w[0].1 != w[1].1) {
        let codes: Vec<_> = successes.iter().map(|(c, _)| *c).collect();
        problems.push(format!(
            "{at}.responses: success codes {codes:?} carry different bodies; progenitor needs one"
        ));
    }
    if errors.windows(2).any(|w| w[0].1 != w[1].1) {
        problems.push(format!(
            "{at}.responses: error codes carry different schemas; use the shared Error for all"
        ));
    }
}

/// The schema an error response uses, following a `$ref` to `components.responses` by name.
fn resolve_response_schema(response: &Value) -> Value {
    match response.get("$ref").and_then(Value::as_str) {
        // Every shared error response points at the same Error schema; the name is enough to
        // tell a component response apart from an inline one.
        Some(_) => Value::String("components.responses".into()),
        None => response
            .pointer("/content/application~1json/schema")
            .cloned()
            .unwrap_or(Value::Null),
    }
}

/// Enums have a direction. One the server sends is open: written `x-extensible-enum` (so a
/// consumer learns the list can grow) in a top-level component schema (so it becomes an open
/// Rust enum); a closed one would fail a whole response on a new value. (A vendor's `enum`
/// may stay beside our `x-extensible-enum`, as the vendor's statement.) One the server reads
/// is closed (`enum`): FastAPI validates it against a `Literal`, so a value outside the list
/// is a 422, and the spec must not call it valid. A schema both sent and read must be split.
fn check_enums(value: &Value, problems: &mut Vec<String>) {
    let sent = reachable(value, &response_roots(value));
    let read = reachable(value, &request_roots(value));
    let schemas = value
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        let at = format!("components.schemas.{name}");
        let open = schema.get(crate::open_enums::EXTENSIBLE).is_some();
        let closed = schema.get("enum").is_some();
        if closed && !open && sent.contains(name) {
            problems.push(format!(
                "{at}: `enum` in a response; write `x-extensible-enum`, so the list can grow"
            ));
        }
        if open && read.contains(name) {
            problems.push(format!(
                "{at}: `x-extensible-enum` in a request; the server validates it, so write a closed `enum` (split it from the response's open one)"
            ));
        }
        for (key, child) in schema.as_object().into_iter().flatten() {
            find_inline_enums(child, &child_path(&at, key), problems);
        }
    }
}

/// An enum below the top of a component schema stays closed in Rust and cannot be named.
fn find_inline_enums(value: &Value, at: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("enum") || map.contains_key(crate::open_enums::EXTENSIBLE) {
                problems.push(format!(
                    "{at}: inline enum; hoist it into components.schemas so it gets a name and a direction"
                ));
            }
            for (key, child) in map {
                if key != "example" && key != "examples" {
                    find_inline_enums(child, &child_path(at, key), problems);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                find_inline_enums(child, &format!("{at}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

/// Whatever the server leaves unset it may send as `null` (FastAPI serialises an
/// `Optional[...] = None` field that way), so every optional property of a schema a response
/// reaches says `nullable: true`.
fn check_nullable_responses(value: &Value, problems: &mut Vec<String>) {
    for name in reachable(value, &response_roots(value)) {
        let Some(schema) = value.pointer(&format!("/components/schemas/{name}")) else {
            continue;
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let properties = schema.get("properties").and_then(Value::as_object);
        for (property, body) in properties.into_iter().flatten() {
            if !required.contains(&property.as_str())
                && body.get("nullable") != Some(&Value::Bool(true))
            {
                problems.push(format!(
                    "components.schemas.{name}.properties.{property}: optional in a response but not `nullable: true` (a FastAPI server sends an unset field as null; wrap a $ref as `allOf: [$ref]`)"
                ));
            }
        }
    }
}

/// The schemas every response body names (success and error alike).
pub fn response_roots(value: &Value) -> Vec<&Value> {
    let mut roots: Vec<&Value> = operations(value)
        .filter_map(|(_, _, op)| op.get("responses").and_then(Value::as_object))
        .flat_map(|responses| responses.values())
        .collect();
    roots.extend(
        value
            .pointer("/components/responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.values()),
    );
    roots
}

/// The schemas every request body and parameter names.
fn request_roots(value: &Value) -> Vec<&Value> {
    operations(value)
        .flat_map(|(_, _, op)| [op.get("requestBody"), op.get("parameters")])
        .flatten()
        .collect()
}

/// The names of the component schemas `roots` reach through `$ref`, transitively.
pub fn reachable(value: &Value, roots: &[&Value]) -> std::collections::BTreeSet<String> {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    match (k.as_str(), child) {
                        ("$ref", Value::String(r)) => {
                            if let Some(name) = r.strip_prefix("#/components/schemas/") {
                                out.push(name);
                            }
                        }
                        ("example" | "examples", _) => {}
                        _ => refs(child, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
            _ => {}
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = Vec::new();
    roots.iter().for_each(|r| refs(r, &mut todo));
    while let Some(name) = todo.pop() {
        if seen.insert(name.to_owned())
            && let Some(schema) = value.pointer(&format!("/components/schemas/{name}"))
        {
            refs(schema, &mut todo);
        }
    }
    seen
}

/// The dotted location of `key` inside the value at `at` (`components.schemas.Chat`).
fn child_path(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

/// Mechanical rewrites that keep the API's meaning but suit the generator. Returns one note
/// per rewrite.
///
/// - `anyOf` whose members are all inline scalar schemas becomes `oneOf`: progenitor turns a
///   scalar `anyOf` into a struct of flattened options that cannot parse a plain string,
///   while a `oneOf` becomes an untagged enum that round-trips.
/// - `additionalProperties: true` beside `properties` becomes `additionalProperties: {}` (the
///   same meaning in JSON Schema): typify drops the extra keys for `true` but keeps them in a
///   flattened `extra` map for `{}`, and a documented "other keys may appear" must not lose
///   data.
/// - A string's `maxLength`, `minLength` and `pattern` are dropped: typify would make the
///   string a validated newtype that the SDK's builders and users cannot pass a `String` to.
///   They stay in `openapi/v3.yaml` as validation facts, and `spec-diff` reports them.
///
/// A property with `x-rust-name` (the overlay's pin of a field the vendor renamed) is keyed by
/// that name for the generator and keeps its name on the wire in `x-wire-name`, which
/// [`crate::codegen`] turns into `#[serde(rename = wire, alias = rust)]`.
pub fn normalize(value: &mut Value) -> Vec<String> {
    let mut notes = Vec::new();
    pin_rust_names(value, &mut notes);
    for_each_object(value, "", &mut |map, at| {
        if is_scalar_any_of(map)
            && let Some(members) = map.remove("anyOf")
        {
            map.insert("oneOf".into(), members);
            notes.push(format!("normalize: {at}: anyOf of scalars -> oneOf"));
        }
        if map.get("type").and_then(Value::as_str) == Some("string") {
            let dropped: Vec<String> = STRING_CONSTRAINTS
                .iter()
                .filter_map(|k| map.remove(*k).map(|v| format!("{k} {v}")))
                .collect();
            if !dropped.is_empty() {
                notes.push(format!(
                    "normalize: {at}: {} kept in the spec only (the Rust type stays a String)",
                    dropped.join(", ")
                ));
            }
        }
        if map.contains_key("properties")
            && map.get("additionalProperties") == Some(&Value::Bool(true))
        {
            map.insert("additionalProperties".into(), Value::Object(Map::new()));
            notes.push(format!(
                "normalize: {at}: additionalProperties true -> {{}} (keeps unknown keys)"
            ));
        }
    });
    notes
}

/// The overlay's key that keeps a field's Rust name when the vendor renames it on the wire.
pub const RUST_NAME: &str = "x-rust-name";
/// Where [`normalize`] keeps the wire name of a pinned field.
pub const WIRE_NAME: &str = "x-wire-name";

fn pin_rust_names(value: &mut Value, notes: &mut Vec<String>) {
    let Some(schemas) = value
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        let pinned: Vec<(String, String)> = properties
            .iter()
            .filter_map(|(wire, p)| {
                let rust = p.get(RUST_NAME)?.as_str()?;
                (rust != wire).then(|| (wire.clone(), rust.to_owned()))
            })
            .collect();
        for (wire, rust) in &pinned {
            if let Some(mut property) = properties.remove(wire) {
                if let Some(map) = property.as_object_mut() {
                    map.remove(RUST_NAME);
                    map.insert(WIRE_NAME.into(), Value::String(wire.clone()));
                }
                properties.insert(rust.clone(), property);
            }
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            for item in required.iter_mut() {
                if let Some((_, rust)) = pinned.iter().find(|(w, _)| item == w.as_str()) {
                    *item = Value::String(rust.clone());
                }
            }
        }
        for (wire, rust) in pinned {
            notes.push(format!(
                "normalize: components.schemas.{name}.{wire}: the Rust field keeps the name `{rust}` ({RUST_NAME})"
            ));
        }
    }
}

/// What typify turns a plain string into a validated newtype for.
const STRING_CONSTRAINTS: [&str; 3] = ["maxLength", "minLength", "pattern"];

/// Call `f` on every JSON object in `value`, outermost first, with its dotted location.
fn for_each_object(value: &mut Value, at: &str, f: &mut impl FnMut(&mut Map<String, Value>, &str)) {
    match value {
        Value::Object(map) => {
            f(map, at);
            for (key, child) in map.iter_mut() {
                for_each_object(child, &child_path(at, key), f);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                for_each_object(child, &format!("{at}[{i}]"), f);
            }
        }
        _ => {}
    }
}

fn is_scalar_any_of(map: &Map<String, Value>) -> bool {
    let Some(Value::Array(members)) = map.get("anyOf") else {
        return false;
    };
    !members.is_empty()
        && members.iter().all(|m| {
            matches!(
                m.get("type").and_then(Value::as_str),
                Some("string" | "integer" | "number" | "boolean")
            ) && m.get("$ref").is_none()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with(schemas: &str, paths: &str) -> String {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n{schemas}"
        )
    }

    #[test]
    fn scalar_any_of_becomes_one_of_with_a_note() {
        let yaml = spec_with(
            "    When:\n      anyOf:\n        - {type: string, format: date-time}\n        - {type: integer}\n",
            "  {}",
        );
        let loaded = load_str(&yaml).expect("loads");
        assert_eq!(
            loaded.notes,
            vec!["normalize: components.schemas.When: anyOf of scalars -> oneOf"]
        );
        let when = &loaded.value["components"]["schemas"]["When"];
        assert!(when.get("anyOf").is_none());
        assert_eq!(when["oneOf"][1]["type"], "integer");
    }

    #[test]
    fn open_object_with_properties_keeps_extra_keys_with_a_note() {
        let yaml = spec_with(
            "    Meta:\n      type: object\n      additionalProperties: true\n      properties:\n        n: {type: integer}\n    Free:\n      type: object\n      additionalProperties: true\n",
            "  {}",
        );
        let loaded = load_str(&yaml).expect("loads");
        assert_eq!(
            loaded.notes,
            vec![
                "normalize: components.schemas.Meta: additionalProperties true -> {} (keeps unknown keys)"
            ]
        );
        let schemas = &loaded.value["components"]["schemas"];
        assert_eq!(
            schemas["Meta"]["additionalProperties"],
            serde_json::json!({})
        );
        // A free-form object without properties is already a map; it stays as written.
        assert_eq!(
            schemas["Free"]["additionalProperties"],
            serde_json::json!(true)
        );
    }

    /// FastAPI's `Field(max_length=4000)`: the spec keeps the fact, the Rust type a `String`.
    #[test]
    fn string_constraints_stay_facts_not_newtypes() {
        let yaml = spec_with(
            "    Ask:\n      type: object\n      properties:\n        content: {type: string, maxLength: 4000, pattern: '^\\S'}\n",
            "  {}",
        );
        let loaded = load_str(&yaml).expect("loads");
        assert_eq!(
            loaded.notes,
            vec![
                "normalize: components.schemas.Ask.properties.content: maxLength 4000, pattern \"^\\\\S\" kept in the spec only (the Rust type stays a String)"
            ]
        );
        assert_eq!(
            loaded.value["components"]["schemas"]["Ask"]["properties"]["content"],
            serde_json::json!({"type": "string"})
        );
        let code = crate::codegen::render(&loaded).expect("renders");
        assert!(
            code.contains("pub content: ::std::option::Option<::std::string::String>"),
            "{code}"
        );
    }

    #[test]
    fn any_of_with_a_ref_member_is_left_alone() {
        let yaml = spec_with(
            "    A: {type: object}\n    When:\n      anyOf:\n        - {type: string}\n        - {$ref: '#/components/schemas/A'}\n",
            "  {}",
        );
        let loaded = load_str(&yaml).expect("loads");
        assert!(loaded.notes.is_empty());
        assert!(
            loaded.value["components"]["schemas"]["When"]
                .get("anyOf")
                .is_some()
        );
    }

    #[test]
    fn inline_enum_is_refused_with_its_location() {
        let yaml = spec_with(
            "    Chat:\n      type: object\n      properties:\n        status: {type: string, x-extensible-enum: [active]}\n",
            "  {}",
        );
        let err = load_str(&yaml).expect_err("refused").to_string();
        assert!(
            err.contains("components.schemas.Chat.properties.status: inline enum"),
            "{err}"
        );
    }

    /// A path whose request body is `req` and whose 200 is `resp`.
    const ONE_OP: &str = "  /x:\n    post:\n      operationId: x\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Req'}}}}\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Resp'}}}}\n";

    #[test]
    fn a_closed_enum_in_a_response_is_refused() {
        let yaml = spec_with(
            "    Req: {type: object}\n    Resp: {type: object, properties: {s: {nullable: true, allOf: [{$ref: '#/components/schemas/Sender'}]}}}\n    Sender: {type: string, enum: [user]}\n",
            ONE_OP,
        );
        let err = load_str(&yaml).expect_err("refused").to_string();
        assert!(
            err.contains(
                "components.schemas.Sender: `enum` in a response; write `x-extensible-enum`"
            ),
            "{err}"
        );
    }

    #[test]
    fn an_open_enum_in_a_request_is_refused() {
        let yaml = spec_with(
            "    Req: {type: object, properties: {s: {$ref: '#/components/schemas/Sender'}}}\n    Resp: {type: object}\n    Sender: {type: string, x-extensible-enum: [user]}\n",
            ONE_OP,
        );
        let err = load_str(&yaml).expect_err("refused").to_string();
        assert!(
            err.contains("components.schemas.Sender: `x-extensible-enum` in a request; the server validates it"),
            "{err}"
        );
    }

    #[test]
    fn an_optional_response_property_must_admit_null() {
        let yaml = spec_with(
            "    Req: {type: object, properties: {note: {type: string}}}\n    Resp:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string}\n        tags: {type: array, items: {type: string}}\n        seen: {type: string, nullable: true}\n        inner: {$ref: '#/components/schemas/Inner'}\n    Inner: {type: object, properties: {n: {type: integer}}}\n",
            ONE_OP,
        );
        let err = load_str(&yaml).expect_err("refused").to_string();
        assert!(err.contains("3 problem(s)"), "{err}");
        for at in [
            "Resp.properties.tags",
            "Resp.properties.inner",
            "Inner.properties.n",
        ] {
            assert!(
                err.contains(&format!(
                    "components.schemas.{at}: optional in a response but not `nullable: true`"
                )),
                "{at}: {err}"
            );
        }
    }

    #[test]
    fn missing_operation_id_and_default_beside_200_are_both_reported() {
        let yaml = spec_with(
            "    E: {type: object}\n",
            "  /x:\n    get:\n      responses:\n        '200': {description: ok}\n        default: {description: e}\n",
        );
        let err = load_str(&yaml).expect_err("refused").to_string();
        assert!(err.contains("2 problem(s)"), "{err}");
        assert!(err.contains("paths./x.get: missing operationId"), "{err}");
        assert!(
            err.contains("paths./x.get.responses.default: `default` beside explicit 2xx"),
            "{err}"
        );
    }

    #[test]
    fn two_success_bodies_are_refused() {
        let yaml = spec_with(
            "    A: {type: object}\n    B: {type: object}\n",
            "  /x:\n    post:\n      operationId: x\n      responses:\n        '200':\n          description: a\n          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}\n        '202':\n          description: b\n          content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}\n",
        );
        let err = load_str(&yaml).expect_err("refused").to_string();
        assert!(
            err.contains(
                "paths./x.post.responses: success codes [\"200\", \"202\"] carry different bodies"
            ),
            "{err}"
        );
    }

    /// The acceptance shape of `openapi/v3.yaml`: API-NOTES' nine operations, the three
    /// documented auth ways as alternatives, and the shared `Error` on every error status.
    #[test]
    fn the_v3_spec_has_nine_operations_three_auth_ways_and_one_error() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/v3.yaml");
        let loaded = load_str(&std::fs::read_to_string(path).expect("spec")).expect("loads");
        let mut ops: Vec<String> = operations(&loaded.value)
            .map(|(p, m, op)| format!("{} {m} {p}", op["operationId"].as_str().unwrap_or("?")))
            .collect();
        ops.sort();
        assert_eq!(
            ops,
            [
                "call_agent post /external/agent",
                "call_agent_v2 post /external/agent/v2",
                "call_agent_v3 post /external/agent/v3",
                "create_chat post /external/chat",
                "email_handoff post /external/message/email-handoff",
                "list_chat_messages get /external/chat/{chat_id}/messages",
                "list_client_chats get /external/chat/{client_id}/chats",
                "new_chat post /external/message/new-chat",
                "new_message post /external/message/new-message",
            ]
        );
        let spec = &loaded.value;
        assert_eq!(
            spec.pointer("/paths/~1external~1agent/post/deprecated"),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            spec["security"],
            serde_json::json!([{"bearerAuth": []}, {"apiKeyHeader": []}, {"apiKeyQuery": []}])
        );
        let schemes = &spec["components"]["securitySchemes"];
        assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
        assert_eq!(schemes["apiKeyHeader"]["name"], "X-API-Key");
        assert_eq!(schemes["apiKeyHeader"]["in"], "header");
        assert_eq!(schemes["apiKeyQuery"]["name"], "access_token_query");
        assert_eq!(schemes["apiKeyQuery"]["in"], "query");
        for (path, method, op) in operations(spec) {
            for status in ["400", "401", "403", "404", "422", "429", "500"] {
                let reference = op["responses"][status]["$ref"]
                    .as_str()
                    .unwrap_or("missing");
                let name = reference.trim_start_matches("#/components/responses/");
                let schema =
                    &spec["components"]["responses"][name]["content"]["application/json"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/Error",
                    "{method} {path} {status} -> {reference}"
                );
            }
        }
        let retry_after = spec.pointer("/components/responses/TooManyRequests/headers/Retry-After");
        assert_eq!(
            retry_after.map(|h| &h["required"]),
            Some(&Value::Bool(false))
        );
    }

    #[test]
    fn openapi_3_1_is_refused() {
        let err = load_str("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("version Some(\"3.1.0\") is not 3.0.x"),
            "{err}"
        );
    }
}
