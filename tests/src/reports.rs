//! The plain-text reports. Each row is one fact, so a snapshot diff shows exactly which
//! disagreement appeared, changed or went away.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde_json::Value;

use crate::docs::{Direction, Docs, Example};
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
         indented lines: the example's fields (JSON pointers), each violation (JSON path: message) and each field the generated type drops, adds or changes",
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
        let mut fields = Vec::new();
        leaves("", &ex.body, &mut fields);
        let _ = writeln!(out, "    fields: {}", fields.join(", "));
        for line in detail {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// The JSON pointers of a body's leaves (an empty object or array counts as one).
fn leaves(pointer: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                leaves(&format!("{pointer}/{k}"), v, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, v) in a.iter().enumerate() {
                leaves(&format!("{pointer}/{i}"), v, out);
            }
        }
        _ => out.push(if pointer.is_empty() {
            "/".into()
        } else {
            pointer.to_owned()
        }),
    }
}

fn sources(list: &[String]) -> String {
    list.join(", ")
}

/// Report 2: the docs' surface beside the spec's, one section per kind of fact. The three
/// pages kept in `shared/optimly-docs` speak through what `cargo xtask docs import`
/// extracted (credited `P001 › section`); Optimly's other pages through `surface.yaml`.
pub fn surface(spec: &Spec, docs: &Docs) -> String {
    let mut out = String::new();
    endpoints_section(spec, docs, &mut out);
    auth_section(spec, docs, &mut out);
    statuses_section(spec, docs, &mut out);
    rate_limits_section(spec, docs, &mut out);
    parameters_section(docs, &mut out);
    envelope_section(spec, docs, &mut out);
    error_shapes_section(spec, docs, &mut out);
    contradictions_section(docs, &mut out);
    out
}

/// `P001 › Lead Form Capture › Endpoint` and how many more sections say the same.
fn credit(page: &str, sections: &[&str]) -> String {
    match sections {
        [] => page.to_owned(),
        [one] => format!("{page} › {one}"),
        [first, rest @ ..] => format!("{page} › {first} (+{} more)", rest.len()),
    }
}

/// `(method, path)` and what each page says of it, in first-mention order.
type Rows = Vec<((String, String), Vec<(String, String)>)>;

fn add(rows: &mut Rows, method: &str, path: &str, source: String, says: String) {
    let key = (method.to_owned(), path.to_owned());
    match rows.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => v.push((source, says)),
        None => rows.push((key, vec![(source, says)])),
    }
}

fn endpoints_section(spec: &Spec, docs: &Docs, out: &mut String) {
    let ops = spec.operations();
    let _ = writeln!(
        out,
        "ENDPOINTS: method path | what each page says | in the spec"
    );
    // (method, path) -> [(source, says)], in first-mention order.
    let mut rows: Rows = Vec::new();
    for (key, page) in &docs.pages {
        let mut by_endpoint: Vec<((String, String), Vec<&str>)> = Vec::new();
        for e in &page.endpoints {
            let Some(method) = &e.method else { continue };
            let k = (method.clone(), e.path.clone());
            match by_endpoint.iter_mut().find(|(x, _)| *x == k) {
                Some((_, v)) => v.push(&e.section),
                None => by_endpoint.push((k, vec![&e.section])),
            }
        }
        for ((method, path), sections) in by_endpoint {
            add(
                &mut rows,
                &method,
                &path,
                credit(key, &sections),
                "named".into(),
            );
        }
    }
    for ep in &docs.surface.endpoints {
        for m in &ep.mentions {
            let says = match &m.quote {
                Some(q) => format!("{} ({q})", m.says),
                None => m.says.clone(),
            };
            add(&mut rows, &ep.method, &ep.path, m.source.clone(), says);
        }
    }
    // A path named without a method goes to the rows of that path, else a row of its own.
    for (key, page) in &docs.pages {
        for e in page.endpoints.iter().filter(|e| e.method.is_none()) {
            let methods: Vec<String> = rows
                .iter()
                .filter(|((_, p), _)| *p == e.path)
                .map(|((m, _), _)| m.clone())
                .collect();
            let source = credit(key, &[&e.section]);
            if methods.is_empty() {
                add(
                    &mut rows,
                    "-",
                    &e.path,
                    source.clone(),
                    "named, no method".into(),
                );
            }
            for m in methods {
                add(
                    &mut rows,
                    &m,
                    &e.path,
                    source.clone(),
                    "named, no method".into(),
                );
            }
        }
    }
    rows.sort_by(|a, b| (&a.0.1, &a.0.0).cmp(&(&b.0.1, &b.0.0)));
    let mut documented = BTreeSet::new();
    for ((method, path), mentions) in &rows {
        documented.insert((method.to_ascii_lowercase(), path.clone()));
        let in_spec = match spec.operation(method, path) {
            Some(op) if op.value.get("deprecated") == Some(&Value::Bool(true)) => {
                format!("{} (deprecated)", op.id)
            }
            Some(op) => op.id.to_owned(),
            None => "NOT IN SPEC".to_owned(),
        };
        let says: BTreeSet<&str> = mentions
            .iter()
            .map(|(_, s)| s.split(" (").next().unwrap_or(s))
            .map(|s| if s.starts_with("named") { "current" } else { s })
            .collect();
        let disagree = if says.len() > 1 {
            "  <- pages disagree"
        } else {
            ""
        };
        let list: Vec<String> = mentions
            .iter()
            .map(|(src, says)| format!("{src}: {says}"))
            .collect();
        let _ = writeln!(
            out,
            "{method} {path} | {} | {in_spec}{disagree}",
            list.join("; ")
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

/// How the docs write a way of sending the key, by the name the import records.
const AUTH_WAYS: &[(&str, &str, &str)] = &[
    (
        "Authorization",
        "bearer",
        "header Authorization: Bearer <key>",
    ),
    ("X-API-Key", "api key header", "header X-API-Key: <key>"),
    ("x_api_key", "api key header", "header x_api_key: <key>"),
    (
        "access_token_query",
        "query parameter",
        "query access_token_query=<key>",
    ),
];

fn auth_section(spec: &Spec, docs: &Docs, out: &mut String) {
    let _ = writeln!(
        out,
        "\nAUTH: way | where the docs put the key | pages | in the spec"
    );
    let schemes = spec
        .value
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    for (name, way, place) in AUTH_WAYS {
        let mut sources: Vec<String> = Vec::new();
        for (key, page) in &docs.pages {
            let sections: Vec<&str> = page
                .auth
                .iter()
                .filter(|a| a.name == *name)
                .map(|a| a.section.as_str())
                .collect();
            if !sections.is_empty() {
                sources.push(credit(key, &sections));
            }
        }
        for w in docs.surface.auth.iter().filter(|w| w.r#where == *place) {
            sources.extend(w.sources.iter().cloned());
        }
        let matched = schemes.and_then(|s| {
            s.iter().find(|(_, v)| {
                let n = v.get("name").and_then(Value::as_str).unwrap_or_default();
                let scheme = v.get("scheme").and_then(Value::as_str).unwrap_or_default();
                (scheme == "bearer" && *name == "Authorization") || n == *name
            })
        });
        let in_spec = matched.map_or("NOT IN SPEC".to_owned(), |(k, _)| k.clone());
        let _ = writeln!(out, "{way} | {place} | {} | {in_spec}", sources.join(", "));
    }
    for name in &docs.surface.key_names {
        let _ = writeln!(
            out,
            "key called \"{}\" | {}",
            name.name,
            sources(&name.sources)
        );
    }
}

fn statuses_section(spec: &Spec, docs: &Docs, out: &mut String) {
    let ops = spec.operations();
    let spec_codes: BTreeSet<u16> = ops
        .iter()
        .flat_map(|op| op.statuses())
        .filter_map(|c| c.parse().ok())
        .collect();
    let _ = writeln!(
        out,
        "\nSTATUS SETS (C13): page | the codes it names | how | codes every spec operation declares that it leaves out"
    );
    let mut sets: Vec<(String, BTreeSet<u16>, String)> = Vec::new();
    for (key, page) in &docs.pages {
        if page.statuses.is_empty() {
            continue;
        }
        let codes: BTreeSet<u16> = page.statuses.iter().map(|s| s.code).collect();
        let hows: BTreeSet<String> = page
            .statuses
            .iter()
            .map(|s| format!("{} in {}", s.how, s.section))
            .collect();
        sets.push((
            key.clone(),
            codes,
            hows.into_iter().collect::<Vec<_>>().join("; "),
        ));
    }
    let mut generated: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    for s in &docs.surface.statuses {
        generated
            .entry(sources(&s.sources))
            .or_default()
            .insert(s.code);
    }
    for (pages, codes) in generated {
        sets.push((pages, codes, "status list".into()));
    }
    for (who, codes, how) in &sets {
        let missing: Vec<String> = spec_codes.difference(codes).map(u16::to_string).collect();
        let codes: Vec<String> = codes.iter().map(u16::to_string).collect();
        let _ = writeln!(
            out,
            "{who} | {} | {how} | {}",
            codes.join(", "),
            if missing.is_empty() {
                "-".to_owned()
            } else {
                missing.join(", ")
            }
        );
    }
    let _ = writeln!(
        out,
        "\nSTATUSES: code | what each page says it means | spec operations that declare it"
    );
    let mut meanings: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    for (key, page) in &docs.pages {
        for s in &page.statuses {
            if let Some(m) = &s.meaning {
                meanings
                    .entry(s.code)
                    .or_default()
                    .push(format!("{key}: {m}"));
            }
        }
    }
    for s in &docs.surface.statuses {
        meanings
            .entry(s.code)
            .or_default()
            .push(format!("{}: {}", sources(&s.sources), s.meaning));
    }
    let codes: BTreeSet<u16> = meanings
        .keys()
        .copied()
        .chain(sets.iter().flat_map(|(_, c, _)| c.iter().copied()))
        .chain(spec_codes.iter().copied())
        .collect();
    for code in codes {
        let declaring = ops
            .iter()
            .filter(|op| op.statuses().contains(&code.to_string()))
            .count();
        let said = meanings
            .get(&code)
            .map_or("(no meaning given)".to_owned(), |m| m.join("; "));
        let _ = writeln!(out, "{code} | {said} | {declaring} of {}", ops.len());
    }
    for header in &docs.surface.headers {
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

/// The spec's scope for what a page counts per: the key is the agent's one token (C20) and
/// is tied to one agent (P000).
fn scope_of(words: &str) -> &'static str {
    let w = words.to_ascii_lowercase();
    if w.contains("chat") {
        "chat"
    } else if w.contains("agent") {
        "agent"
    } else {
        "api_key"
    }
}

fn rate_limits_section(spec: &Spec, docs: &Docs, out: &mut String) {
    let _ = writeln!(
        out,
        "\nRATE LIMITS: what is counted, per what | limit | page | the spec's x-rate-limits with the same number (scope)"
    );
    let spec_limits = spec_rate_limits(spec);
    let mut rows: Vec<(String, u64, String, String)> = Vec::new();
    for (key, page) in &docs.pages {
        for l in &page.rate_limits {
            rows.push((
                format!("{} per {}", l.counts, l.scope),
                l.limit,
                l.per.clone(),
                format!("{key} › {}", l.section),
            ));
        }
    }
    for l in &docs.surface.rate_limits {
        rows.push((l.scope.clone(), l.limit, l.per.clone(), sources(&l.sources)));
    }
    for (what, limit, per, source) in rows {
        let scope = scope_of(what.rsplit(" per ").next().unwrap_or(&what));
        let places: Vec<String> = spec_limits
            .iter()
            .filter(|(l, p, _, _)| *l == limit && *p == per)
            .map(|(_, _, at, s)| {
                let same = if s == scope {
                    "same scope"
                } else {
                    "OTHER SCOPE"
                };
                format!("{at} ({s}: {same})")
            })
            .collect();
        let places = if places.is_empty() {
            "NOT IN SPEC".to_owned()
        } else {
            places.join(", ")
        };
        let _ = writeln!(out, "{what} | {limit}/{per} | {source} | {places}");
    }
}

fn parameters_section(docs: &Docs, out: &mut String) {
    let _ = writeln!(
        out,
        "\nPARAMETER TABLES: page › section | field | type | required | default"
    );
    for (key, page) in &docs.pages {
        for p in &page.parameters {
            let _ = writeln!(
                out,
                "{key} › {} | {} | {} | {} | {}",
                p.section,
                p.name,
                p.r#type,
                if p.required { "required" } else { "optional" },
                p.default.as_deref().unwrap_or("-")
            );
        }
    }
}

fn envelope_section(spec: &Spec, docs: &Docs, out: &mut String) {
    let ops = spec.operations();
    let _ = writeln!(
        out,
        "\nENVELOPE (C10): claim | pages | response examples of those pages in that shape | the spec"
    );
    let wrapped = ops.iter().any(|op| {
        op.response_schema(spec, 200)
            .and_then(ref_name)
            .and_then(|n| spec.component(n))
            .and_then(|s| s.pointer("/properties/data"))
            .is_some()
    });
    let verdict = if wrapped {
        "some responses have `data`"
    } else {
        "every success body is flat"
    };
    let shape_of = |body: &Value| {
        if body.get("success").is_some() && body.get("data").is_some() {
            "wrapped"
        } else if body.get("status").and_then(Value::as_str) == Some("success")
            && body.get("data").is_some()
        {
            "tool"
        } else {
            "flat"
        }
    };
    for claim in &docs.surface.envelope {
        let ours: Vec<&Example> = docs
            .examples
            .iter()
            .filter(|e| e.direction == Direction::Response && e.status == Some(200))
            .filter(|e| claim.sources.contains(&e.page))
            .collect();
        let matching = ours
            .iter()
            .filter(|e| shape_of(&e.body) == claim.shape)
            .count();
        let seen = if ours.is_empty() {
            "(no page kept here)".to_owned()
        } else {
            format!("{matching} of {}", ours.len())
        };
        let _ = writeln!(
            out,
            "{} | {} | {seen} | {verdict}",
            claim.claim,
            sources(&claim.sources)
        );
    }
}

fn error_shapes_section(spec: &Spec, docs: &Docs, out: &mut String) {
    let _ = writeln!(
        out,
        "\nERROR SHAPES (C11): shape | pages | body checked | accepted by the spec's Error"
    );
    let error = serde_json::json!({"$ref": "#/components/schemas/Error"});
    let verdict = |body: &Value| match violations(&spec.json_schema(&error, true), body) {
        Ok(v) if v.is_empty() => "yes".to_owned(),
        Ok(v) => format!("NO: {}", v.join("; ")),
        Err(e) => e,
    };
    for ex in docs
        .examples
        .iter()
        .filter(|e| e.status.is_some_and(|s| s >= 400))
    {
        let mut keys: Vec<&String> = ex
            .body
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        keys.sort();
        let _ = writeln!(
            out,
            "{{{}}} | {} › {} | the page's example {} | {}",
            keys.iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", "),
            ex.page,
            ex.section,
            ex.id,
            verdict(&ex.body)
        );
    }
    for shape in &docs.surface.error_shapes {
        let pages = if shape.sources.is_empty() {
            "no page shows it".to_owned()
        } else {
            sources(&shape.sources)
        };
        let body = if shape.constructed {
            "a body we constructed (no page shows one)"
        } else {
            "a body the page shows"
        };
        let _ = writeln!(
            out,
            "{} | {pages} | {body} | {}",
            shape.shape,
            verdict(&shape.example)
        );
    }
}

fn contradictions_section(docs: &Docs, out: &mut String) {
    let _ = writeln!(
        out,
        "\nCONTRADICTIONS (shared/optimly-docs/CONTRADICTIONS.md): number | topic | each side: claim [pages] | the spec's ruling"
    );
    for c in &docs.surface.contradictions {
        let sides: Vec<String> = c
            .sides
            .iter()
            .map(|s| format!("{} [{}]", s.claim, s.pages.join(", ")))
            .collect();
        let _ = writeln!(
            out,
            "{} | {} | {} | {}",
            c.id,
            c.topic,
            sides.join(" VS "),
            c.ruling
        );
    }
}

/// `(limit, per, where, scope)` for every entry of the spec's `x-rate-limits`.
fn spec_rate_limits(spec: &Spec) -> Vec<(u64, String, String, String)> {
    let mut out = Vec::new();
    let mut push = |entries: Option<&Value>, at: String| {
        for e in entries.and_then(Value::as_array).into_iter().flatten() {
            if let (Some(limit), Some(per)) = (
                e.get("limit").and_then(Value::as_u64),
                e.get("per").and_then(Value::as_str),
            ) {
                let scope = e.get("scope").and_then(Value::as_str).unwrap_or("api_key");
                out.push((limit, per.to_owned(), at.clone(), scope.to_owned()));
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
/// (nullable, a `$ref` made so by `allOf: [$ref]`), `oneOf[string | array<ValidationIssue>]`.
pub fn type_name(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return name.to_owned();
    }
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        return format!("{}{}", type_name(only), if nullable { "?" } else { "" });
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
        if let Some(values) = schema.get("x-extensible-enum").and_then(Value::as_array) {
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            let _ = writeln!(out, "{name}: extensible enum [{}]", values.join(", "));
            continue;
        }
        let extra = match schema.get("additionalProperties") {
            Some(Value::Bool(true)) | Some(Value::Object(_)) => ", other keys allowed",
            Some(Value::Bool(false)) => ", no other keys",
            _ => "",
        };
        let _ = writeln!(out, "{name}: {}{extra}", type_name(schema));
        let required: BTreeSet<&str> = crate::spec::required(schema).into_iter().collect();
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
    let mut assumed = Vec::new();
    find_assumed(&spec.value, "", &mut assumed);
    let _ = writeln!(
        out,
        "\nASSUMED (the spec fills a gap no page settles): where | what"
    );
    for (at, what) in assumed {
        let _ = writeln!(out, "{at} | {what}");
    }
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
    if let Some(values) = spec.get("x-extensible-enum").and_then(Value::as_array) {
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

/// One tools-page request example run through the SDK's automation types.
#[derive(Debug)]
pub struct Mapped {
    /// The example's id.
    pub example: String,
    /// The SDK type it was read as.
    pub sdk_type: &'static str,
    /// Each field of the page's body (JSON pointer, the page's value) and where it landed on
    /// the v3 wire (JSON pointers of the request the mock received); or why the body was
    /// refused.
    pub fields: Result<Vec<(String, Value, Vec<String>)>, String>,
}

/// Report 6: every tools-page request example, field by field, onto the v3 wire.
pub fn automations(rows: &[Mapped]) -> String {
    let mut out = String::from(
        "tools-page request examples through Lead, AppointmentRequest and EmailHandoff, onto the v3 wire\n\
         columns: example | SDK type | fields placed | fields dropped\n\
         indented lines: page field = page value -> where it is on the wire (DROPPED when nowhere)\n",
    );
    for row in rows {
        match &row.fields {
            Err(e) => {
                let _ = writeln!(out, "{} | {} | REFUSED: {e}", row.example, row.sdk_type);
            }
            Ok(fields) => {
                let dropped = fields.iter().filter(|(_, _, w)| w.is_empty()).count();
                let _ = writeln!(
                    out,
                    "{} | {} | {} | {dropped}",
                    row.example,
                    row.sdk_type,
                    fields.len() - dropped
                );
                for (field, value, wire) in fields {
                    let at = if wire.is_empty() {
                        "DROPPED".to_owned()
                    } else {
                        wire.join(", ")
                    };
                    let _ = writeln!(out, "    {field} = {value} -> {at}");
                }
            }
        }
    }
    out
}

/// Every `x-assumed` of the spec, with the JSON pointer of the object it stands in.
fn find_assumed(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(what) = map.get("x-assumed").and_then(Value::as_str) {
                out.push((at.to_owned(), what.to_owned()));
            }
            for (k, v) in map {
                find_assumed(
                    v,
                    &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_assumed(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The leaves of a body, by JSON pointer.
pub fn leaf_values(value: &Value) -> Vec<(String, Value)> {
    let mut pointers = Vec::new();
    leaves("", value, &mut pointers);
    pointers
        .into_iter()
        .filter_map(|p| {
            let v = if p == "/" {
                Some(value)
            } else {
                value.pointer(&p)
            };
            v.map(|v| (p, v.clone()))
        })
        .collect()
}
