//! The plain-text reports. Each row is one fact, so a snapshot diff shows exactly which
//! disagreement appeared, changed or went away.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::Value;

use crate::docs::{Direction, Example, Surface};
use crate::spec::{Spec, ref_name, violations};
use crate::types;

/// The schema an example should match: its operation's request or response schema; the
/// shared `Error` for any error status, wherever the page sends it.
fn schema_for<'s>(spec: &'s Spec, example: &Example) -> (String, Option<&'s Value>) {
    let operation = match (&example.method, &example.path) {
        (Some(method), Some(path)) => spec.operation(method, path),
        _ => None,
    };
    let op_name = operation
        .as_ref()
        .map_or("not in spec".to_owned(), |op| op.id.to_owned());
    if let Some(status) = example.status.filter(|s| *s >= 400) {
        let label = match &operation {
            Some(op) => format!("{} ({status})", op.id),
            None if example.path.is_none() => format!("no endpoint; shared Error ({status})"),
            None => format!("not in spec; shared Error ({status})"),
        };
        return (label, spec.component("Error").map(|_| &*ERROR_REF));
    }
    let schema = operation.as_ref().and_then(|op| match example.direction {
        Direction::Request => op.request_schema(),
        Direction::Response => op.response_schema(spec, example.status.unwrap_or(200)),
    });
    (op_name, schema)
}

static ERROR_REF: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| serde_json::json!({"$ref": "#/components/schemas/Error"}));

/// How a schema is named in a report.
fn schema_label(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return name.to_owned();
    }
    if let Some(items) = schema.get("items").and_then(ref_name) {
        return format!("array<{items}>");
    }
    "inline".to_owned()
}

/// Round-trip an example through the generated type(s) its schema names.
fn round_trip(schema: &Value, body: &Value) -> Vec<String> {
    let (name, is_array) = match (ref_name(schema), schema.get("items").and_then(ref_name)) {
        (Some(n), _) => (n, false),
        (None, Some(n)) => (n, true),
        _ => return vec!["no generated type for an inline schema".into()],
    };
    let result = if is_array {
        match body.as_array() {
            Some(items) => items
                .iter()
                .map(|item| {
                    types::round_trip(name, item)
                        .unwrap_or_else(|| Err(format!("no generated type {name}")))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            None => Err("expected an array".into()),
        }
    } else {
        types::round_trip(name, body).unwrap_or_else(|| Err(format!("no generated type {name}")))
    };
    match result {
        Ok(after) => types::differences(body, &after),
        Err(e) => vec![format!("does not parse into types::{name}: {e}")],
    }
}

/// Report 1: each documented example, matched to its operation, validated against the
/// spec's schema (strictly: undeclared fields are violations), then parsed into the generated
/// type and serialised back.
pub fn examples(spec: &Spec, examples: &[Example]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} documented examples against openapi/v3.yaml\n\
         columns: example | method path direction | operation | schema | schema check | round trip\n\
         indented lines: each violation (JSON path: message) and each field the generated type drops, adds or changes",
        examples.len()
    );
    for ex in examples {
        let (operation, schema) = schema_for(spec, ex);
        let direction = match ex.direction {
            Direction::Request => "request".to_owned(),
            Direction::Response => format!("response {}", ex.status.unwrap_or(200)),
        };
        let mut detail = Vec::new();
        let (label, check, trip) = match schema {
            None => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
            Some(schema) => {
                let label = schema_label(schema);
                let check = match violations(&spec.json_schema(schema, true), &ex.body) {
                    Ok(v) if v.is_empty() => "ok".to_owned(),
                    Ok(v) => {
                        let n = v.len();
                        detail.extend(v.into_iter().map(|l| format!("schema {l}")));
                        format!("{n} violation(s)")
                    }
                    Err(e) => {
                        detail.push(e);
                        "error".to_owned()
                    }
                };
                let changes = round_trip(schema, &ex.body);
                let trip = if changes.is_empty() {
                    "ok".to_owned()
                } else {
                    format!("{} change(s)", changes.len())
                };
                detail.extend(changes.into_iter().map(|c| format!("round trip: {c}")));
                (label, check, trip)
            }
        };
        let _ = writeln!(
            out,
            "{} | {} {} {} | {operation} | {label} | {check} | {trip}",
            ex.id,
            ex.method.as_deref().unwrap_or("-"),
            ex.path.as_deref().unwrap_or("-"),
            direction
        );
        for line in detail {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

fn sources(list: &[String]) -> String {
    list.join(", ")
}

/// Report 2: the docs' surface beside the spec's, one section per kind of fact.
pub fn surface(spec: &Spec, surface: &Surface) -> String {
    let mut out = String::new();
    endpoints_section(spec, surface, &mut out);
    auth_section(spec, surface, &mut out);
    statuses_section(spec, surface, &mut out);
    rate_limits_section(spec, surface, &mut out);
    envelope_section(spec, surface, &mut out);
    error_shapes_section(spec, surface, &mut out);
    contradictions_section(surface, &mut out);
    out
}

fn endpoints_section(spec: &Spec, surface: &Surface, out: &mut String) {
    let ops = spec.operations();
    let _ = writeln!(
        out,
        "ENDPOINTS: method path | what each source says | in the spec"
    );
    let mut documented = BTreeSet::new();
    for ep in &surface.endpoints {
        documented.insert((ep.method.to_ascii_lowercase(), ep.path.clone()));
        let says: Vec<String> = ep
            .mentions
            .iter()
            .map(|m| format!("{}: {}", m.source, m.says))
            .collect();
        let in_spec = match spec.operation(&ep.method, &ep.path) {
            Some(op) if op.value.get("deprecated") == Some(&Value::Bool(true)) => {
                format!("{} (deprecated)", op.id)
            }
            Some(op) => op.id.to_owned(),
            None => "NOT IN SPEC".to_owned(),
        };
        let disagree = if ep
            .mentions
            .iter()
            .map(|m| &m.says)
            .collect::<BTreeSet<_>>()
            .len()
            > 1
        {
            "  <- pages disagree"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{} {} | {} | {in_spec}{disagree}",
            ep.method,
            ep.path,
            says.join("; ")
        );
    }
    for op in &ops {
        if !documented.contains(&(op.method.to_owned(), op.path.to_owned())) {
            let _ = writeln!(
                out,
                "{} {} | no page | {}  <- undocumented",
                op.method.to_ascii_uppercase(),
                op.path,
                op.id
            );
        }
    }
}

fn auth_section(spec: &Spec, surface: &Surface, out: &mut String) {
    let _ = writeln!(
        out,
        "\nAUTH: way | where the docs put the key | sources | in the spec"
    );
    let schemes = spec
        .value
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    for way in &surface.auth {
        let matched = schemes.and_then(|s| {
            s.iter().find(|(_, v)| {
                let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
                let scheme = v.get("scheme").and_then(Value::as_str).unwrap_or_default();
                (scheme == "bearer" && way.r#where.contains("Bearer"))
                    || (!name.is_empty() && way.r#where.contains(&format!("{name}:")))
                    || (!name.is_empty() && way.r#where.contains(&format!("{name}=")))
            })
        });
        let in_spec = matched.map_or("NOT IN SPEC".to_owned(), |(k, _)| k.clone());
        let _ = writeln!(
            out,
            "{} | {} | {} | {in_spec}",
            way.way,
            way.r#where,
            sources(&way.sources),
        );
    }
    for name in &surface.key_names {
        let _ = writeln!(
            out,
            "key called \"{}\" | {}",
            name.name,
            sources(&name.sources)
        );
    }
}

fn statuses_section(spec: &Spec, surface: &Surface, out: &mut String) {
    let ops = spec.operations();
    let _ = writeln!(
        out,
        "\nSTATUSES: code | what the docs say it means | sources | spec operations that declare it"
    );
    for status in &surface.statuses {
        let code = status.code.to_string();
        let declaring = ops
            .iter()
            .filter(|op| op.statuses().contains(&code))
            .count();
        let _ = writeln!(
            out,
            "{} | {} | {} | {declaring} of {}",
            status.code,
            status.meaning,
            sources(&status.sources),
            ops.len()
        );
    }
    let documented_codes: BTreeSet<String> = surface
        .statuses
        .iter()
        .map(|s| s.code.to_string())
        .collect();
    let spec_codes: BTreeSet<String> = ops.iter().flat_map(|op| op.statuses()).collect();
    for code in spec_codes.difference(&documented_codes) {
        let _ = writeln!(out, "{code} | in the spec only  <- undocumented");
    }
    for header in &surface.headers {
        let in_spec = if spec
            .value
            .to_string()
            .contains(&format!("\"{}\"", header.name))
        {
            "declared"
        } else {
            "not declared"
        };
        let _ = writeln!(
            out,
            "header {} | documented: {} | {} | spec: {in_spec}{}",
            header.name,
            header.documented,
            sources(&header.sources),
            header
                .quote
                .as_deref()
                .map(|q| format!(" ({q})"))
                .unwrap_or_default()
        );
    }
}

fn rate_limits_section(spec: &Spec, surface: &Surface, out: &mut String) {
    let _ = writeln!(
        out,
        "\nRATE LIMITS: scope | limit | sources | where the spec's x-rate-limits has the same limit"
    );
    let spec_limits = spec_rate_limits(spec);
    for limit in &surface.rate_limits {
        let places: Vec<&str> = spec_limits
            .iter()
            .filter(|(l, p, _)| *l == limit.limit && *p == limit.per)
            .map(|(_, _, at)| at.as_str())
            .collect();
        let places = if places.is_empty() {
            "NOT IN SPEC".to_owned()
        } else {
            places.join(", ")
        };
        let _ = writeln!(
            out,
            "{} | {}/{} | {} | {places}",
            limit.scope,
            limit.limit,
            limit.per,
            sources(&limit.sources)
        );
    }
}

fn envelope_section(spec: &Spec, surface: &Surface, out: &mut String) {
    let ops = spec.operations();
    let _ = writeln!(out, "\nENVELOPE: claim | sources | the spec");
    let wrapped = ops.iter().any(|op| {
        op.response_schema(spec, 200)
            .and_then(ref_name)
            .and_then(|n| spec.component(n))
            .and_then(|s| s.pointer("/properties/data"))
            .is_some()
    });
    for claim in &surface.envelope {
        let verdict = if wrapped {
            "some responses have `data`"
        } else {
            "every success body is flat"
        };
        let _ = writeln!(
            out,
            "{} | {} | {verdict}",
            claim.claim,
            sources(&claim.sources)
        );
    }
}

fn error_shapes_section(spec: &Spec, surface: &Surface, out: &mut String) {
    let _ = writeln!(
        out,
        "\nERROR SHAPES: shape | sources | accepted by the spec's Error"
    );
    let error = serde_json::json!({"$ref": "#/components/schemas/Error"});
    for shape in &surface.error_shapes {
        let verdict = match violations(&spec.json_schema(&error, true), &shape.example) {
            Ok(v) if v.is_empty() => "yes".to_owned(),
            Ok(v) => format!("NO: {}", v.join("; ")),
            Err(e) => e,
        };
        let _ = writeln!(
            out,
            "{} | {} | {verdict}",
            shape.shape,
            sources(&shape.sources)
        );
    }
}

fn contradictions_section(surface: &Surface, out: &mut String) {
    let _ = writeln!(
        out,
        "\nCONTRADICTIONS BETWEEN PAGES: topic | claim | sources"
    );
    for c in &surface.contradictions {
        let _ = writeln!(out, "{} | {} | {}", c.topic, c.claim, sources(&c.sources));
    }
}

/// `(limit, per, where)` for every entry of the spec's `x-rate-limits`.
fn spec_rate_limits(spec: &Spec) -> Vec<(u64, String, String)> {
    let mut out = Vec::new();
    let mut push = |entries: Option<&Value>, at: String| {
        for e in entries.and_then(Value::as_array).into_iter().flatten() {
            if let (Some(limit), Some(per)) = (
                e.get("limit").and_then(Value::as_u64),
                e.get("per").and_then(Value::as_str),
            ) {
                out.push((limit, per.to_owned(), at.clone()));
            }
        }
    };
    push(spec.value.pointer("/x-rate-limits/global"), "global".into());
    // An action's limit says whether the SDK enforces it (the rulings: the agent's own tool
    // executions are recorded only).
    let actions = spec.value.pointer("/x-rate-limits/actions");
    for e in actions.and_then(Value::as_array).into_iter().flatten() {
        let name = e.get("action").and_then(Value::as_str).unwrap_or("?");
        let how = match e.get("enforced").and_then(Value::as_bool) {
            Some(true) => "enforced by the SDK",
            _ => "recorded, not enforced",
        };
        push(
            Some(&Value::Array(vec![e.clone()])),
            format!("action {name} ({how})"),
        );
    }
    for op in spec.operations() {
        push(op.value.get("x-rate-limits"), op.id.to_owned());
    }
    out
}

/// A short name for a schema's type: `string`, `array<Message>`, `map`, `Sender`, `X?`
/// (nullable), `oneOf[string | array<ValidationIssue>]`.
pub fn type_name(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return name.to_owned();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            let parts: Vec<String> = members.iter().map(type_name).collect();
            return format!("{key}[{}]", parts.join(" | "));
        }
    }
    let nullable = if schema.get("nullable") == Some(&Value::Bool(true)) {
        "?"
    } else {
        ""
    };
    let base = match schema.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!(
                "array<{}>",
                schema
                    .get("items")
                    .map(type_name)
                    .unwrap_or_else(|| "any".into())
            )
        }
        Some(Value::String(t)) if t == "object" && schema.get("properties").is_none() => {
            "map".to_owned()
        }
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("|"),
        _ => "any".to_owned(),
    };
    format!("{base}{nullable}")
}

/// Report 3: every operation and schema of the spec, normalised and sorted.
pub fn inventory(spec: &Spec) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "OPERATIONS: id | method path | tags | request body | 200 body | other statuses | rate limits"
    );
    for op in spec.operations() {
        let tags: Vec<&str> = op
            .value
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let body = op.request_schema().map_or("-".to_owned(), type_name);
        let ok = op
            .response_schema(spec, 200)
            .map_or("-".to_owned(), type_name);
        let others: Vec<String> = op.statuses().into_iter().filter(|s| s != "200").collect();
        let limits: Vec<String> = op
            .value
            .get("x-rate-limits")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|l| {
                format!(
                    "{}/{} per {}",
                    l["limit"],
                    l["per"].as_str().unwrap_or("?"),
                    l["scope"].as_str().unwrap_or("?")
                )
            })
            .collect();
        let deprecated = if op.value.get("deprecated") == Some(&Value::Bool(true)) {
            " (deprecated)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{}{deprecated} | {} {} | {} | {body} | {ok} | {} | {}",
            op.id,
            op.method.to_ascii_uppercase(),
            op.path,
            tags.join(","),
            others.join(" "),
            if limits.is_empty() {
                "-".to_owned()
            } else {
                limits.join(", ")
            }
        );
    }
    let _ = writeln!(
        out,
        "\nSCHEMAS: name: kind, then one line per property: name type [required] [default]"
    );
    for name in spec.component_names() {
        let Some(schema) = spec.component(&name) else {
            continue;
        };
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            let _ = writeln!(out, "{name}: enum [{}]", values.join(", "));
            continue;
        }
        let extra = match schema.get("additionalProperties") {
            Some(Value::Bool(true)) | Some(Value::Object(_)) => ", other keys allowed",
            Some(Value::Bool(false)) => ", no other keys",
            _ => "",
        };
        let _ = writeln!(out, "{name}: {}{extra}", type_name(schema));
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            let mut names: Vec<&String> = props.keys().collect();
            names.sort();
            for prop in names {
                let p = &props[prop];
                let req = if required.contains(prop.as_str()) {
                    " required"
                } else {
                    ""
                };
                let default = p
                    .get("default")
                    .map(|d| format!(" default {d}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {prop}: {}{req}{default}", type_name(p));
            }
        }
    }
    let _ = writeln!(
        out,
        "\nSECURITY: {}",
        spec.value
            .get("security")
            .map(Value::to_string)
            .unwrap_or_default()
    );
    out
}

/// Report 5: for every component schema, the JSON Schema schemars derives from its generated
/// Rust type, compared with the spec's: property names, required flags, types, enum values.
pub fn types_vs_spec(spec: &Spec) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "component schema: verdict; then one row per difference (spec | Rust)"
    );
    for name in spec.component_names() {
        let Some(schema) = spec.component(&name) else {
            continue;
        };
        let Some(rust) = types::rust_schema(&name) else {
            let _ = writeln!(
                out,
                "{name}: NO GENERATED TYPE in the drift table (tests/src/types.rs)"
            );
            continue;
        };
        let rows = compare(schema, &rust);
        if rows.is_empty() {
            let _ = writeln!(out, "{name}: agrees");
        } else {
            let _ = writeln!(out, "{name}: {} difference(s)", rows.len());
            for row in rows {
                let _ = writeln!(out, "    {row}");
            }
        }
    }
    out
}

/// The base type of a schemars schema, with `null` removed (an `Option` field is optional,
/// not nullable, on the wire: it is skipped when absent).
fn rust_type(schema: &Value) -> (String, bool) {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
    {
        return (name.to_owned(), false);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            let non_null: Vec<&Value> = members
                .iter()
                .filter(|m| m.get("type") != Some(&Value::String("null".into())))
                .collect();
            let nullable = non_null.len() != members.len();
            if non_null.len() == 1 {
                return (rust_type(non_null[0]).0, nullable);
            }
            let parts: Vec<String> = non_null.iter().map(|m| rust_type(m).0).collect();
            return (format!("oneOf[{}]", parts.join(" | ")), nullable);
        }
    }
    let (types, nullable) = match schema.get("type") {
        Some(Value::String(t)) => (vec![t.clone()], false),
        Some(Value::Array(ts)) => {
            let all: Vec<String> = ts
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let non_null: Vec<String> = all.iter().filter(|t| *t != "null").cloned().collect();
            let nullable = non_null.len() != all.len();
            (non_null, nullable)
        }
        _ => (vec!["any".to_owned()], false),
    };
    let base = match types.first().map(String::as_str) {
        Some("array") => format!(
            "array<{}>",
            schema
                .get("items")
                .map_or("any".to_owned(), |i| rust_type(i).0)
        ),
        Some("object") if schema.get("properties").is_none() => "map".to_owned(),
        _ => types.join("|"),
    };
    (base, nullable)
}

fn compare(spec: &Value, rust: &Value) -> Vec<String> {
    let mut rows = Vec::new();
    if let Some(values) = spec.get("enum").and_then(Value::as_array) {
        let known = rust.get("examples").and_then(Value::as_array);
        if rust.get("type") == Some(&Value::String("string".into())) && known == Some(values) {
            rows.push(format!(
                "enum {} | open: any string, the same known values",
                Value::Array(values.clone())
            ));
        } else {
            rows.push(format!("enum {} | {}", Value::Array(values.clone()), rust));
        }
        return rows;
    }
    let spec_type = type_name(spec).trim_end_matches('?').to_owned();
    let (r_type, _) = rust_type(rust);
    if spec.get("properties").is_none() {
        if spec_type != r_type {
            rows.push(format!("type {spec_type} | {r_type}"));
        }
        return rows;
    }
    let empty = serde_json::Map::new();
    let s_props = spec
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let r_props = rust
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let set = |v: &Value| -> BTreeSet<String> {
        v.get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let (s_req, r_req) = (set(spec), set(rust));
    let names: BTreeSet<&String> = s_props.keys().chain(r_props.keys()).collect();
    for prop in names {
        match (s_props.get(prop), r_props.get(prop)) {
            (Some(_), None) => rows.push(format!("{prop}: in the spec | missing")),
            (None, Some(_)) => rows.push(format!("{prop}: missing | in the Rust type")),
            (Some(s), Some(r)) => {
                let st = type_name(s);
                let (rt, r_null) = rust_type(r);
                let s_null = st.ends_with('?');
                let st = st.trim_end_matches('?').to_owned();
                if st != rt {
                    rows.push(format!("{prop}: type {st} | {rt}"));
                }
                let (sr, rr) = (s_req.contains(prop), r_req.contains(prop));
                if sr != rr {
                    rows.push(format!("{prop}: required {sr} | {rr}"));
                }
                if sr && s_null != r_null {
                    rows.push(format!("{prop}: nullable {s_null} | {r_null}"));
                }
                if s.get("default") != r.get("default") {
                    rows.push(format!(
                        "{prop}: default {} | {}",
                        s.get("default").map_or("none".to_owned(), Value::to_string),
                        r.get("default").map_or("none".to_owned(), Value::to_string)
                    ));
                }
            }
            (None, None) => {}
        }
    }
    let open = |v: &Value| {
        !matches!(
            v.get("additionalProperties"),
            None | Some(Value::Bool(false))
        )
    };
    // The spec's default (no `additionalProperties`) lets other keys through; a generated
    // struct ignores them, so only a spec that keeps them must be matched by the Rust type.
    if open(spec) && !open(rust) {
        rows.push("other keys: kept | dropped".to_owned());
    }
    rows
}
