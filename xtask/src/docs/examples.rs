//! The request and response bodies a page's code samples show: JSON blocks, JavaScript
//! `fetch` calls and Python `requests` calls, each read into an [`Example`].

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::facts::{At, Direction, Example, Named, Segment};
use super::literal::{Entry, Lang, Lit, Parser};

/// A sample's body, before it gets its id.
struct Found {
    at: At,
    method: Option<String>,
    path: Option<String>,
    form: &'static str,
    note: String,
    lit: Lit,
    /// Objects the sample binds to a name, for its spreads.
    bindings: BTreeMap<String, Lit>,
}

pub(super) fn examples(
    key: &str,
    segments: &[Segment],
    texts: &[String],
    mentions: &mut Vec<(At, Named, bool)>,
) -> Result<Vec<Example>, String> {
    let mut found: Vec<(Found, Direction)> = Vec::new();
    // Page-wide: the functions of the samples that call `fetch`, by name.
    let mut wrappers: BTreeMap<String, (Option<String>, String)> = BTreeMap::new();
    for (si, text) in texts.iter().enumerate() {
        let seg = &segments[si];
        let form: &'static str = if text.contains("import React") {
            "jsx"
        } else {
            "javascript"
        };
        for (at, json) in json_blocks(text) {
            // Under a Response heading, or an error body wherever it stands.
            let response = seg.part.as_deref().is_some_and(|p| p.contains("Response"))
                || json.get("status_code").is_some_and(Value::is_u64);
            let direction = if response {
                Direction::Response
            } else {
                Direction::Request
            };
            found.push((
                Found {
                    at: (si, at),
                    method: None,
                    path: None,
                    form: "json",
                    note: String::new(),
                    lit: Lit::Json(json),
                    bindings: BTreeMap::new(),
                },
                direction,
            ));
        }
        let bindings = js_bindings(text)?;
        for (at, call) in fetch_calls(text, &seg.section)? {
            if let Some(name) = enclosing_function(text, at) {
                wrappers.insert(name, (call.0.clone(), call.1.clone()));
            }
            mentions.push((
                (si, at),
                Named {
                    section: seg.section.clone(),
                    method: call.0.clone(),
                    path: call.1.clone(),
                },
                false,
            ));
            if let Some(body) = call.2 {
                found.push((
                    Found {
                        at: (si, at),
                        method: call.0,
                        path: Some(call.1.clone()),
                        form,
                        note: format!("the body of the sample's fetch to {}", call.1),
                        lit: body,
                        bindings: bindings.clone(),
                    },
                    Direction::Request,
                ));
            }
        }
        if let Some(py) = python_payload(text, &seg.section)? {
            mentions.push((
                (si, py.0),
                Named {
                    section: seg.section.clone(),
                    method: Some("POST".into()),
                    path: py.1.clone(),
                },
                false,
            ));
            found.push((
                Found {
                    at: (si, py.0),
                    method: Some("POST".into()),
                    path: Some(py.1),
                    form: "python",
                    note: py.2,
                    lit: py.3,
                    bindings: BTreeMap::new(),
                },
                Direction::Request,
            ));
        }
    }
    // Calls of those functions with an object written out: `captureLead({ email, ... })`.
    for (si, text) in texts.iter().enumerate() {
        let bindings = js_bindings(text)?;
        for (name, (method, path)) in &wrappers {
            let call = format!("{name}({{");
            let mut from = 0;
            while let Some(i) = text[from..].find(&call) {
                let start = from + i + name.len() + 1;
                from = start;
                let defined = text[..start]
                    .trim_end_matches('(')
                    .ends_with(&format!("function {name}"));
                if defined {
                    continue;
                }
                let lit = Parser::new(text, start, Lang::Js)
                    .value()
                    .map_err(|e| format!("{key} › {}: {name}(..): {e}", segments[si].section))?;
                found.push((
                    Found {
                        at: (si, start),
                        method: method.clone(),
                        path: Some(path.clone()),
                        form: "javascript",
                        note: format!(
                            "the object the sample passes to {name}(), which posts to {path}"
                        ),
                        lit,
                        bindings: bindings.clone(),
                    },
                    Direction::Request,
                ));
            }
        }
    }
    found.sort_by_key(|(f, _)| f.at);
    let mut out = Vec::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for (f, direction) in found {
        let seg = &segments[f.at.0];
        let (method, path) = match (&f.path, f.form) {
            (Some(_), _) => (f.method.clone(), f.path.clone()),
            _ => endpoint_for(f.at, seg, segments, mentions, direction),
        };
        let mut expressions = Vec::new();
        let mut spreads = Vec::new();
        let body = to_json(&f.lit, &f.bindings, "", &mut expressions, &mut spreads);
        let status = match direction {
            Direction::Response => Some(
                body.get("status_code")
                    .and_then(Value::as_u64)
                    .and_then(|c| u16::try_from(c).ok())
                    .unwrap_or(200),
            ),
            Direction::Request => None,
        };
        let slug = slug(&seg.section);
        let suffix = match (direction, f.form) {
            (Direction::Response, _) => "response",
            (Direction::Request, "json") => "request",
            (Direction::Request, form) => form,
        };
        // Named by section, numbered only among examples of one name, so that a change
        // elsewhere on the page renames nothing.
        let base = format!(
            "{key}-{slug}{}",
            if slug.contains(suffix) {
                String::new()
            } else {
                format!("-{suffix}")
            }
        );
        let same = names.entry(base.clone()).or_insert(0usize);
        *same += 1;
        let id = if *same == 1 {
            base
        } else {
            format!("{base}-{same}")
        };
        out.push(Example {
            id,
            page: key.to_owned(),
            section: seg.section.clone(),
            method,
            path,
            direction,
            status,
            form: f.form.to_owned(),
            note: (!f.note.is_empty()).then_some(f.note),
            expressions,
            spreads,
            body,
        });
    }
    Ok(out)
}

/// The endpoint a JSON example belongs to: the last request line before it in its section,
/// else the first endpoint its section names; a body is sent with POST.
fn endpoint_for(
    at: At,
    seg: &Segment,
    segments: &[Segment],
    mentions: &[(At, Named, bool)],
    direction: Direction,
) -> (Option<String>, Option<String>) {
    let same_major = |m: &&(At, Named, bool)| segments[m.0.0].major == seg.major;
    let line = mentions
        .iter()
        .filter(same_major)
        .rfind(|m| m.2 && m.0 < at);
    let named = line.or_else(|| mentions.iter().filter(same_major).find(|m| m.0 < at));
    match named {
        Some((_, n, _)) => {
            let method = n
                .method
                .clone()
                .or_else(|| (direction == Direction::Request).then(|| "POST".to_owned()));
            (method, Some(n.path.clone()))
        }
        None => (None, None),
    }
}

fn slug(section: &str) -> String {
    let mut out = String::new();
    for c in section.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The JSON blocks of a text: a line that starts with `{` or `[` up to the line that closes
/// it, when that parses as JSON.
fn json_blocks(text: &str) -> Vec<(usize, Value)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split('\n').collect();
    let mut starts = Vec::with_capacity(lines.len());
    for l in &lines {
        starts.push(offset);
        offset += l.len() + 1;
    }
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i].trim_start();
        if !(first.starts_with('{') || first.starts_with('[')) {
            i += 1;
            continue;
        }
        let mut depth = 0i64;
        let mut in_string = false;
        let mut escaped = false;
        let mut end = None;
        'scan: for (j, line) in lines.iter().enumerate().skip(i) {
            for c in line.chars() {
                if in_string {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    '"' => in_string = true,
                    '{' | '[' => depth += 1,
                    '}' | ']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
        }
        match end {
            Some(j) => {
                let block = lines[i..=j].join("\n");
                // Text may follow the closing brace on its line (a page's next paragraph).
                let mut stream = serde_json::Deserializer::from_str(&block).into_iter::<Value>();
                match stream.next() {
                    Some(Ok(v @ (Value::Object(_) | Value::Array(_)))) => {
                        out.push((starts[i], v));
                        i = j + 1;
                    }
                    _ => i += 1,
                }
            }
            None => i += 1,
        }
    }
    out
}

/// Every `fetch(url, {..})` of a text: (offset, (method, path, body)).
#[allow(clippy::type_complexity)]
fn fetch_calls(
    text: &str,
    section: &str,
) -> Result<Vec<(usize, (Option<String>, String, Option<Lit>))>, String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("fetch(") {
        let start = from + i + "fetch(".len();
        from = start;
        let mut parser = Parser::new(text, start, Lang::Js);
        let url = parser
            .value()
            .map_err(|e| format!("{section}: fetch: {e}"))?;
        let Some(url) = url.as_str().map(str::to_owned) else {
            continue;
        };
        let rest = &text[parser.pos()..];
        let options = match rest.trim_start().strip_prefix(',') {
            Some(after) => {
                let pos = text.len() - after.len();
                Parser::new(text, pos, Lang::Js)
                    .value()
                    .map_err(|e| format!("{section}: fetch options: {e}"))?
            }
            None => Lit::Json(Value::Object(Map::new())),
        };
        let path = url
            .strip_prefix("https://api.optimly.io")
            .unwrap_or(&url)
            .to_owned();
        if !path.starts_with("/external") {
            continue;
        }
        let method = options
            .field("method")
            .and_then(Lit::as_str)
            .map(str::to_owned);
        let body = match options.field("body") {
            Some(Lit::Stringify(inner)) => Some((**inner).clone()),
            _ => None,
        };
        out.push((start, (method, path, body)));
    }
    Ok(out)
}

/// The name of the function a position of a sample stands in (the nearest `function NAME(`
/// before it).
fn enclosing_function(text: &str, at: usize) -> Option<String> {
    let before = &text[..at];
    let i = before.rfind("function ")?;
    let name: String = before[i + "function ".len()..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Objects a sample binds to a name: `const NAME = {..}` and
/// `const [NAME, setNAME] = useState({..})`.
fn js_bindings(text: &str) -> Result<BTreeMap<String, Lit>, String> {
    static BIND: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:const|let|var)\s+(?:\[\s*([A-Za-z_$][\w$]*)\s*,[^\]]*\]\s*=\s*useState\(|([A-Za-z_$][\w$]*)\s*=\s*)\{")
            .unwrap_or_else(|e| panic!("{e}"))
    });
    let mut out = BTreeMap::new();
    for caps in BIND.captures_iter(text) {
        let Some(name) = caps.get(1).or_else(|| caps.get(2)) else {
            continue;
        };
        let Some(whole) = caps.get(0) else { continue };
        if let Ok(lit) = Parser::new(text, whole.end() - 1, Lang::Js).value() {
            out.insert(name.as_str().to_owned(), lit);
        }
    }
    Ok(out)
}

/// The payload a Python sample posts: its `payload = {..}` dict, the keys it adds under
/// `if name:`, with the keyword arguments of the sample's own call of its function put in
/// for the parameters (a key added only when given is kept only when the call gives it).
#[allow(clippy::type_complexity)]
fn python_payload(
    text: &str,
    section: &str,
) -> Result<Option<(usize, String, String, Lit)>, String> {
    static DEF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"def ([a-z_][a-z0-9_]*)\(").unwrap_or_else(|e| panic!("{e}")));
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"url = ['"](?:https://api\.optimly\.io)?(/external[^'"]*)['"]"#)
            .unwrap_or_else(|e| panic!("{e}"))
    });
    static ADD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"if ([a-z_][a-z0-9_]*):\s*\n\s*payload\['([a-z_][a-z0-9_]*)'\] = ([a-z_][a-z0-9_]*)",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    });
    let (Some(start), Some(url)) = (text.find("payload = {"), URL.captures(text)) else {
        return Ok(None);
    };
    if !text.contains("requests.post(") {
        return Ok(None);
    }
    let lit = Parser::new(text, start + "payload = ".len(), Lang::Python)
        .value()
        .map_err(|e| format!("{section}: payload: {e}"))?;
    let mut entries = lit
        .entries()
        .ok_or_else(|| format!("{section}: payload is not a dict"))?;
    let mut optional = Vec::new();
    for c in ADD.captures_iter(text) {
        if c[1] == c[3] {
            entries.push(Entry::Field(c[2].to_owned(), Lit::Expr(c[3].to_owned())));
            optional.push(c[2].to_owned());
        }
    }
    // The sample's own call of its function, with keyword arguments.
    let mut note = "the payload the sample builds".to_owned();
    if let Some(def) = DEF.captures(text) {
        let name = &def[1];
        let call = format!("{name}(");
        let calls: Vec<usize> = text.match_indices(&call).map(|(i, _)| i).collect();
        if let Some(&at) = calls.iter().find(|&&i| !text[..i].ends_with("def ")) {
            let args = keyword_args(text, at + call.len())?;
            entries = entries
                .into_iter()
                .filter_map(|e| match e {
                    Entry::Field(k, Lit::Expr(x)) => match args.get(&x) {
                        Some(v) => Some(Entry::Field(k, v.clone())),
                        None if optional.contains(&k) => None,
                        None => Some(Entry::Field(k, Lit::Expr(x))),
                    },
                    other => Some(other),
                })
                .collect();
            note = format!(
                "the payload {name}() builds for the sample's own call, its keyword arguments put in"
            );
        }
    }
    Ok(Some((start, url[1].to_owned(), note, Lit::Object(entries))))
}

/// `name=value` arguments of a call, from just after its `(`.
fn keyword_args(text: &str, from: usize) -> Result<BTreeMap<String, Lit>, String> {
    let mut out = BTreeMap::new();
    let mut pos = from;
    loop {
        let rest = &text[pos..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with(')') || trimmed.is_empty() {
            return Ok(out);
        }
        let name: String = trimmed
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = trimmed[name.len()..].trim_start();
        let Some(value_at) = after.strip_prefix('=') else {
            return Ok(out);
        };
        let at = text.len() - value_at.len();
        let mut parser = Parser::new(text, at, Lang::Python);
        let value = parser.value()?;
        out.insert(name, value);
        pos = parser.pos();
        let rest = text[pos..].trim_start();
        match rest.strip_prefix(',') {
            Some(r) => pos = text.len() - r.len(),
            None => return Ok(out),
        }
    }
}

/// A parsed body as JSON: expressions as `<source>` (their pointers in `expressions`), spreads
/// of a bound object put in, others listed in `spreads`.
fn to_json(
    lit: &Lit,
    bindings: &BTreeMap<String, Lit>,
    pointer: &str,
    expressions: &mut Vec<String>,
    spreads: &mut Vec<String>,
) -> Value {
    match lit {
        Lit::Json(v) => v.clone(),
        Lit::Expr(source) => {
            expressions.push(pointer.to_owned());
            Value::String(format!("<{source}>"))
        }
        Lit::Stringify(inner) => to_json(inner, bindings, pointer, expressions, spreads),
        Lit::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    to_json(
                        item,
                        bindings,
                        &format!("{pointer}/{i}"),
                        expressions,
                        spreads,
                    )
                })
                .collect(),
        ),
        Lit::Object(entries) => {
            let mut map = Map::new();
            let mut flat: Vec<Entry> = Vec::new();
            for e in entries {
                match e {
                    // A bound object's keys are known; its values are whatever it holds
                    // when the sample runs.
                    Entry::Spread(name) => match bindings.get(name).and_then(Lit::entries) {
                        Some(bound) => flat.extend(bound.into_iter().filter_map(|e| match e {
                            Entry::Field(k, _) => {
                                let source = format!("{name}.{k}");
                                Some(Entry::Field(k, Lit::Expr(source)))
                            }
                            Entry::Spread(_) => None,
                        })),
                        None => spreads.push(name.clone()),
                    },
                    field => flat.push(field.clone()),
                }
            }
            for e in &flat {
                if let Entry::Field(k, v) = e {
                    map.remove(k);
                    let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                    expressions.retain(|x| x != &p && !x.starts_with(&format!("{p}/")));
                    map.insert(k.clone(), to_json(v, bindings, &p, expressions, spreads));
                }
            }
            Value::Object(map)
        }
    }
}
