//! What a page states, extracted from its [`Page`]: the facts
//! `openapi/docs/` holds, each with the page and section it came from.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::literal::{Entry, Lang, Lit, Parser};
use super::page::{Block, Page, is_request_line};

/// Everything but the examples, as `openapi/docs/pages/<page>.json` holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFacts {
    /// The page's key (`P001`): `P` and the digits its file name starts with.
    pub page: String,
    /// Its title.
    pub title: String,
    /// Its sections, in order.
    pub sections: Vec<String>,
    /// Every endpoint it names.
    pub endpoints: Vec<Named>,
    /// Every way of sending the key it names (`Authorization`, `X-API-Key`, ...).
    pub auth: Vec<AuthNamed>,
    /// Every row of its parameter tables.
    pub parameters: Vec<Parameter>,
    /// Its other tables.
    pub tables: Vec<Table>,
    /// Every status code it lists, shows in an example or tests for in code.
    pub statuses: Vec<StatusNamed>,
    /// Every rate limit it states.
    pub rate_limits: Vec<Limit>,
}

/// An endpoint a page names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    /// The section.
    pub section: String,
    /// The method, when the page gives one.
    pub method: Option<String>,
    /// The path (`/external/tools/*` for a namespace).
    pub path: String,
}

/// A way of sending the key a page names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthNamed {
    /// The section.
    pub section: String,
    /// `Authorization`, `X-API-Key`, `x_api_key` or `access_token_query`.
    pub name: String,
}

/// One row of a parameter table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The section.
    pub section: String,
    /// The field.
    pub name: String,
    /// Its type cell.
    pub r#type: String,
    /// Its Required cell.
    pub required: bool,
    /// The default its description gives (`(default: 30)`).
    pub default: Option<String>,
    /// Its description.
    pub description: String,
}

/// Another table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The section.
    pub section: String,
    /// The header.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
}

/// A status code a page names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusNamed {
    /// The section.
    pub section: String,
    /// The code.
    pub code: u16,
    /// What the page says it means.
    pub meaning: Option<String>,
    /// `list` (a status list), `example` (an error body's `status_code`) or `code` (sample
    /// code testing for it).
    pub how: String,
}

/// A rate limit a page states.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// The section.
    pub section: String,
    /// How many.
    pub limit: u64,
    /// Of what (`requests`, `email handoffs`).
    pub counts: String,
    /// Per `minute`, `hour` or `day`.
    pub per: String,
    /// Counted per what (`API key`, `access token`).
    pub scope: String,
}

/// Which way an example travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Sent by the client.
    Request,
    /// Sent by the server.
    Response,
}

/// One example a page gives, as `openapi/docs/examples/<id>.json` holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The file name without `.json`: `P002-escalate-to-email-response`.
    #[serde(skip)]
    pub id: String,
    /// The page's key.
    pub page: String,
    /// The section the example stands in.
    pub section: String,
    /// The method it is sent with, when the page tells.
    pub method: Option<String>,
    /// The path it is sent to, when the page tells.
    pub path: Option<String>,
    /// `request` or `response`.
    pub direction: Direction,
    /// The status of a response.
    pub status: Option<u16>,
    /// `json`, `javascript`, `jsx` or `python`: how the page writes it.
    pub form: String,
    /// How the body was read from the sample.
    pub note: Option<String>,
    /// JSON pointers of the values that are expressions in the page (kept as `<source>`).
    pub expressions: Vec<String>,
    /// Objects spread into the body that the sample does not define (their keys are unknown).
    pub spreads: Vec<String>,
    /// The example.
    pub body: Value,
}

/// Everything one page states.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted {
    /// The facts.
    pub facts: PageFacts,
    /// The examples, in page order.
    pub examples: Vec<Example>,
}

/// Headings that divide a section rather than start one.
const PARTS: &[&str] = &[
    "Endpoint",
    "Authentication",
    "Request Body",
    "Request",
    "Parameters",
    "Response",
    "Usage Examples",
    "JavaScript",
    "Python",
    "React Component",
    "cURL",
    "Common Error Responses",
];

fn is_part(heading: &str) -> bool {
    PARTS.contains(&heading) || heading.starts_with("Response (")
}

/// A run of lines under one heading.
struct Segment {
    section: String,
    /// The section without its part.
    major: String,
    part: Option<String>,
    lines: Vec<String>,
    tables: Vec<(Vec<String>, Vec<Vec<String>>)>,
}

fn segments(page: &Page) -> Vec<Segment> {
    let mut out = vec![Segment {
        section: page.title.clone(),
        major: page.title.clone(),
        part: None,
        lines: Vec::new(),
        tables: Vec::new(),
    }];
    let mut major = page.title.clone();
    for block in &page.blocks {
        match block {
            Block::Heading(h) => {
                let part = if is_part(h) {
                    Some(h.clone())
                } else {
                    major = h.clone();
                    None
                };
                let section = match &part {
                    Some(p) => format!("{major} › {p}"),
                    None => major.clone(),
                };
                out.push(Segment {
                    section,
                    major: major.clone(),
                    part,
                    lines: Vec::new(),
                    tables: Vec::new(),
                });
            }
            Block::Line(l) => {
                if let Some(s) = out.last_mut() {
                    s.lines.push(l.clone());
                }
            }
            Block::Table(h, rows) => {
                if let Some(s) = out.last_mut() {
                    s.tables.push((h.clone(), rows.clone()));
                }
            }
        }
    }
    out.retain(|s| !s.lines.is_empty() || !s.tables.is_empty() || s.part.is_none());
    out
}

static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\b(GET|POST|PUT|PATCH|DELETE)\s+)?(?:https://api\.optimly\.io)?(/external(?:/[a-z0-9_{}\-\*]+)*)")
        .unwrap_or_else(|e| panic!("{e}"))
});
static STATUS_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[•\-*]\s*)?([1-5]\d\d) - (.+?)\s*$").unwrap_or_else(|e| panic!("{e}"))
});
static STATUS_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"status\s*===?\s*([1-5]\d\d)\b").unwrap_or_else(|e| panic!("{e}"))
});
static LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[•\-*]\s*)?(\d[\d,]*) (.+?) per (minute|hour|day) per (.+?)\.?\s*$")
        .unwrap_or_else(|e| panic!("{e}"))
});
static DEFAULT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(default: ([^)]+)\)").unwrap_or_else(|e| panic!("{e}")));
const AUTH_NAMES: &[&str] = &[
    "Authorization",
    "X-API-Key",
    "x_api_key",
    "access_token_query",
];

/// Where something stands: segment, then byte offset in the segment's joined text.
type At = (usize, usize);

/// Extract what `page` states. `key` is the page's key (`P001`).
pub fn extract(key: &str, page: &Page) -> Result<Extracted, String> {
    let segments = segments(page);
    let texts: Vec<String> = segments.iter().map(|s| s.lines.join("\n")).collect();
    let mut facts = PageFacts {
        page: key.to_owned(),
        title: page.title.clone(),
        sections: segments.iter().map(|s| s.section.clone()).collect(),
        endpoints: Vec::new(),
        auth: Vec::new(),
        parameters: Vec::new(),
        tables: Vec::new(),
        statuses: Vec::new(),
        rate_limits: Vec::new(),
    };
    facts.sections.dedup();
    // Endpoints as mentioned, with where they stand (for the examples) and whether the line
    // is a request line of its own.
    let mut mentions: Vec<(At, Named, bool)> = Vec::new();
    for (si, seg) in segments.iter().enumerate() {
        let mut offset = 0;
        let mut cells: Vec<String> = Vec::new();
        for (header, rows) in &seg.tables {
            cells.extend(rows.iter().flatten().cloned());
            if header == &["Parameter", "Type", "Required", "Description"] {
                for row in rows {
                    let [name, ty, required, description] = row.as_slice() else {
                        return Err(format!(
                            "{key} › {}: a parameter row of {} cells",
                            seg.section,
                            row.len()
                        ));
                    };
                    facts.parameters.push(Parameter {
                        section: seg.section.clone(),
                        name: name.clone(),
                        r#type: ty.clone(),
                        required: required == "Yes",
                        default: DEFAULT
                            .captures(description)
                            .map(|c| c[1].trim().to_owned()),
                        description: description.clone(),
                    });
                }
            } else {
                facts.tables.push(Table {
                    section: seg.section.clone(),
                    columns: header.clone(),
                    rows: rows.clone(),
                });
            }
        }
        for line in seg.lines.iter().chain(&cells) {
            for caps in ENDPOINT.captures_iter(line) {
                let named = Named {
                    section: seg.section.clone(),
                    method: caps.get(1).map(|m| m.as_str().to_owned()),
                    path: caps[2].to_owned(),
                };
                mentions.push(((si, offset), named, is_request_line(line.trim())));
            }
            for name in AUTH_NAMES {
                if line.contains(name) {
                    facts.auth.push(AuthNamed {
                        section: seg.section.clone(),
                        name: (*name).to_owned(),
                    });
                }
            }
            if let Some(c) = STATUS_ITEM.captures(line) {
                facts.statuses.push(StatusNamed {
                    section: seg.section.clone(),
                    code: c[1].parse().map_err(|e| format!("{e}"))?,
                    meaning: Some(c[2].to_owned()),
                    how: "list".into(),
                });
            }
            for c in STATUS_CODE.captures_iter(line) {
                facts.statuses.push(StatusNamed {
                    section: seg.section.clone(),
                    code: c[1].parse().map_err(|e| format!("{e}"))?,
                    meaning: None,
                    how: "code".into(),
                });
            }
            if let Some(c) = LIMIT.captures(line) {
                facts.rate_limits.push(Limit {
                    section: seg.section.clone(),
                    limit: c[1].replace(',', "").parse().map_err(|e| format!("{e}"))?,
                    counts: c[2].to_owned(),
                    per: c[3].to_owned(),
                    scope: c[4].to_owned(),
                });
            }
            offset += line.len() + 1;
        }
    }
    let examples = examples(key, &segments, &texts, &mut mentions)?;
    for ex in &examples {
        let code = ex.body.get("status_code").and_then(Value::as_u64);
        if let (Direction::Response, Some(code)) =
            (ex.direction, code.and_then(|c| u16::try_from(c).ok()))
        {
            facts.statuses.push(StatusNamed {
                section: ex.section.clone(),
                code,
                meaning: ex
                    .body
                    .get("error")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                how: "example".into(),
            });
        }
    }
    mentions.sort_by_key(|m| m.0);
    let mut seen = std::collections::BTreeSet::new();
    let mut endpoints: Vec<Named> = Vec::new();
    // A path named with its method in a section needs no method-less row there too.
    for (_, named, _) in &mentions {
        let with_method = named.method.is_none()
            && mentions.iter().any(|(_, n, _)| {
                n.section == named.section && n.path == named.path && n.method.is_some()
            });
        if !with_method && seen.insert(named.clone()) {
            endpoints.push(named.clone());
        }
    }
    facts.endpoints = endpoints;
    let mut seen = std::collections::BTreeSet::new();
    facts.auth.retain(|a| seen.insert(a.clone()));
    let mut seen = std::collections::BTreeSet::new();
    facts.statuses.retain(|s| seen.insert(s.clone()));
    Ok(Extracted { facts, examples })
}

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

fn examples(
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
