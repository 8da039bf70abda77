//! What a page states, extracted from its [`Page`]: the facts
//! `openapi/docs/` holds, each with the page and section it came from.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
pub(super) struct Segment {
    pub(super) section: String,
    /// The section without its part.
    pub(super) major: String,
    pub(super) part: Option<String>,
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
pub(super) type At = (usize, usize);

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
    let examples = super::examples::examples(key, &segments, &texts, &mut mentions)?;
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
