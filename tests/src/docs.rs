//! The documentation side: what `cargo xtask docs import` extracted from the pages in
//! `shared/optimly-docs` (`openapi/docs/pages/*.json`, `openapi/docs/examples/*.json`), and
//! `openapi/docs/surface.yaml`, the facts of Optimly's other pages and the numbered
//! contradictions.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

pub use xtask::docs::{Direction, Example, PageFacts, load_examples as examples, load_pages};

/// What the docs say about the API's surface.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Surface {
    /// Source keys and what they are.
    pub pages: BTreeMap<String, String>,
    /// Every documented endpoint.
    pub endpoints: Vec<Endpoint>,
    /// Every documented way of sending the key.
    pub auth: Vec<AuthWay>,
    /// What the key is called.
    pub key_names: Vec<Fact>,
    /// Documented statuses.
    pub statuses: Vec<Status>,
    /// Headers the docs mention or omit.
    pub headers: Vec<Header>,
    /// Documented rate limits.
    pub rate_limits: Vec<RateLimit>,
    /// Claims about the response envelope.
    pub envelope: Vec<Claim>,
    /// Documented error bodies.
    pub error_shapes: Vec<ErrorShape>,
    /// Other disagreements between pages.
    pub contradictions: Vec<Contradiction>,
}

/// An endpoint and how each page describes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// What each source says.
    pub mentions: Vec<Mention>,
}

/// One source's description of an endpoint.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mention {
    /// Source key.
    pub source: String,
    /// `current`, `legacy` or `removed`.
    pub says: String,
    /// The page's words, where useful.
    pub quote: Option<String>,
}

/// A way of sending the key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthWay {
    /// `bearer`, `api key header`, `query parameter`.
    pub way: String,
    /// Where the key goes.
    pub r#where: String,
    /// Source keys.
    pub sources: Vec<String>,
}

/// A name with its sources.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// The name.
    pub name: String,
    /// Source keys.
    pub sources: Vec<String>,
}

/// A documented status.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// HTTP status.
    pub code: u16,
    /// What the docs say it means.
    pub meaning: String,
    /// Source keys.
    pub sources: Vec<String>,
}

/// A header the docs document or leave out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Header name.
    pub name: String,
    /// Whether any page documents it.
    pub documented: bool,
    /// Source keys.
    pub sources: Vec<String>,
    /// The page's words, where useful.
    pub quote: Option<String>,
}

/// A documented rate limit.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// What it limits.
    pub scope: String,
    /// Requests allowed.
    pub limit: u64,
    /// Per `minute`, `hour` or `day`.
    pub per: String,
    /// Source keys.
    pub sources: Vec<String>,
}

/// A claim with its sources.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// What is claimed.
    pub claim: String,
    /// `wrapped`, `flat` or `tool`: the success shape claimed.
    pub shape: String,
    /// Source keys.
    pub sources: Vec<String>,
}

/// A documented error body.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorShape {
    /// Its shape, in words.
    pub shape: String,
    /// Source keys (none when no page names the shape).
    pub sources: Vec<String>,
    /// Whether `example` is ours (no page shows a body of this shape).
    pub constructed: bool,
    /// One instance of it.
    pub example: Value,
}

/// One of the numbered disagreements of `shared/optimly-docs/CONTRADICTIONS.md`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contradiction {
    /// `C1` ... `C24`.
    pub id: String,
    /// What the pages disagree on.
    pub topic: String,
    /// What each group of pages says.
    pub sides: Vec<Side>,
    /// What `openapi/v3.yaml` (and the SDK) follow.
    pub ruling: String,
}

/// One side of a contradiction.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Side {
    /// What these pages say.
    pub claim: String,
    /// Page keys.
    pub pages: Vec<String>,
}

/// Read `surface.yaml`.
pub fn surface(path: &Path) -> Result<Surface, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Everything the drift reports read of the docs side: the hand-kept surface and what the
/// import extracted from the pages.
#[derive(Clone, Debug)]
pub struct Docs {
    /// `surface.yaml`.
    pub surface: Surface,
    /// `pages/*.json`, by page key.
    pub pages: BTreeMap<String, PageFacts>,
    /// `examples/*.json`.
    pub examples: Vec<Example>,
}

/// Read `openapi/docs` (or a folder laid out like it).
pub fn load(dir: &Path) -> Result<Docs, String> {
    Ok(Docs {
        surface: surface(&dir.join("surface.yaml"))?,
        pages: load_pages(&dir.join("pages"))?,
        examples: examples(&dir.join("examples"))?,
    })
}
