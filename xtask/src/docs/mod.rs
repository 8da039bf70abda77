//! `cargo xtask docs import|check PAGE…`: the facts Optimly's documentation pages state,
//! extracted from the pages saved as text (or as the HTML the docs site serves) and kept
//! under `openapi/docs/`: `pages/<key>.json` (sections, endpoints named, auth ways, parameter
//! tables, other tables, status codes, rate limits) and `examples/<key>-NN-<section>.json`
//! (every JSON body, and the bodies of the JavaScript `fetch` and Python `requests` samples,
//! literal values kept, expressions marked). The pages themselves are not kept.
//!
//! A page's key is `P` and the digits its file name starts with (`001_….txt` → `P001`), the
//! keys `shared/optimly-docs/CONTRADICTIONS.md` uses.

pub mod examples;
pub mod facts;
pub mod literal;
pub mod page;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub use facts::{Direction, Example, Extracted, PageFacts};
use serde_json::Value;

/// The key of a page file: `P` and the digits its name starts with, else its stem.
pub fn page_key(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let digits: String = stem.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        stem.to_owned()
    } else {
        format!("P{digits}")
    }
}

/// Extract one page file.
pub fn extract_file(path: &Path) -> Result<Extracted, String> {
    let content = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    extract_str(&page_key(path), &content).map_err(|e| format!("{}: {e}", path.display()))
}

/// Extract a page given as text or HTML.
pub fn extract_str(key: &str, content: &str) -> Result<Extracted, String> {
    let page = page::read(content)?;
    facts::extract(key, &page)
}

/// The files `openapi/docs/` holds for one page, by path relative to it.
pub fn files_of(extracted: &Extracted) -> Result<BTreeMap<PathBuf, String>, String> {
    let mut out = BTreeMap::new();
    out.insert(
        PathBuf::from(format!("pages/{}.json", extracted.facts.page)),
        pretty(&extracted.facts)?,
    );
    for ex in &extracted.examples {
        out.insert(
            PathBuf::from(format!("examples/{}.json", ex.id)),
            pretty(ex)?,
        );
    }
    Ok(out)
}

/// Pretty JSON with a final newline.
fn pretty<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

/// The files under `docs` that belong to page `key`.
fn committed_files(docs: &Path, key: &str) -> Result<BTreeMap<PathBuf, String>, String> {
    let mut out = BTreeMap::new();
    let page = PathBuf::from(format!("pages/{key}.json"));
    if let Ok(text) = std::fs::read_to_string(docs.join(&page)) {
        out.insert(page, text);
    }
    let dir = docs.join("examples");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.starts_with(&format!("{key}-")) && name.ends_with(".json") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                out.insert(PathBuf::from("examples").join(name), text);
            }
        }
    }
    Ok(out)
}

/// Write what the pages state under `docs`, replacing what was there for those pages.
/// Returns the files written and removed.
pub fn import(pages: &[PathBuf], docs: &Path) -> Result<(usize, usize), String> {
    let (mut written, mut removed) = (0, 0);
    for page in pages {
        let extracted = extract_file(page)?;
        let files = files_of(&extracted)?;
        for (rel, _) in committed_files(docs, &extracted.facts.page)? {
            if !files.contains_key(&rel) {
                std::fs::remove_file(docs.join(&rel)).map_err(|e| e.to_string())?;
                removed += 1;
            }
        }
        for (rel, text) in files {
            let path = docs.join(&rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            if std::fs::read_to_string(&path).ok().as_deref() != Some(&text) {
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                written += 1;
            }
        }
    }
    Ok((written, removed))
}

/// Compare what the pages state with what `docs` holds; `Err` is a readable report naming
/// page, section and field for each difference.
pub fn check(pages: &[PathBuf], docs: &Path) -> Result<usize, String> {
    let mut report = String::new();
    let mut facts_checked = 0;
    for page in pages {
        let extracted = extract_file(page)?;
        let key = extracted.facts.page.clone();
        let committed = committed_files(docs, &key)?;
        let expected = files_of(&extracted)?;
        facts_checked += expected.len();
        if committed == expected {
            continue;
        }
        let _ = writeln!(report, "{} ({key}):", page.display());
        let page_file = PathBuf::from(format!("pages/{key}.json"));
        match committed.get(&page_file) {
            None => {
                let _ = writeln!(report, "  {key}: no {} is committed", page_file.display());
            }
            Some(text) => match serde_json::from_str::<PageFacts>(text) {
                Ok(old) => compare_facts(&key, &old, &extracted.facts, &mut report),
                Err(e) => {
                    let _ = writeln!(
                        report,
                        "  {key}: {} does not read: {e}",
                        page_file.display()
                    );
                }
            },
        }
        let old_examples: Vec<Example> = committed
            .iter()
            .filter(|(p, _)| p.starts_with("examples"))
            .filter_map(|(p, text)| {
                let mut ex: Example = serde_json::from_str(text).ok()?;
                ex.id = p.file_stem()?.to_str()?.to_owned();
                Some(ex)
            })
            .collect();
        compare_examples(&key, &old_examples, &extracted.examples, &mut report);
        if report.lines().last().is_some_and(|l| l.ends_with("):")) {
            // Equal facts, different bytes (formatting, a renamed file).
            for (rel, text) in &expected {
                if committed.get(rel) != Some(text) {
                    let _ = writeln!(
                        report,
                        "  {key}: {} differs from what import writes",
                        rel.display()
                    );
                }
            }
            for rel in committed.keys().filter(|r| !expected.contains_key(*r)) {
                let _ = writeln!(report, "  {key}: {} would be removed", rel.display());
            }
        }
    }
    if report.is_empty() {
        Ok(facts_checked)
    } else {
        Err(format!(
            "openapi/docs/ is not what the pages say:\n{report}\
             (after reading the pages' change: cargo xtask docs import PAGE…, then review the drift snapshots)"
        ))
    }
}

/// A fact's row in a report.
fn row<T: serde::Serialize>(fact: &T) -> String {
    serde_json::to_string(fact).unwrap_or_default()
}

fn compare_facts(key: &str, old: &PageFacts, new: &PageFacts, out: &mut String) {
    if old.title != new.title {
        let _ = writeln!(
            out,
            "  {key}: title: committed {:?}, the page says {:?}",
            old.title, new.title
        );
    }
    compare_list(
        key,
        "section",
        &old.sections,
        &new.sections,
        |s| s.clone(),
        |_| String::new(),
        out,
    );
    compare_list(
        key,
        "endpoint",
        &old.endpoints,
        &new.endpoints,
        |e| e.section.clone(),
        |e| {
            format!(
                "{} {}",
                e.method.as_deref().unwrap_or("(no method)"),
                e.path
            )
        },
        out,
    );
    compare_list(
        key,
        "auth",
        &old.auth,
        &new.auth,
        |a| a.section.clone(),
        |a| a.name.clone(),
        out,
    );
    // Parameters: by section and name, then field by field.
    let by = |list: &[facts::Parameter]| -> BTreeMap<(String, String), facts::Parameter> {
        list.iter()
            .map(|p| ((p.section.clone(), p.name.clone()), p.clone()))
            .collect()
    };
    let (o, n) = (by(&old.parameters), by(&new.parameters));
    for (k, op) in &o {
        match n.get(k) {
            None => {
                let _ = writeln!(
                    out,
                    "  {key} › {} › parameter {}: committed, no longer in the page's table",
                    k.0, k.1
                );
            }
            Some(np) => {
                let (ov, nv) = (
                    serde_json::to_value(op).unwrap_or_default(),
                    serde_json::to_value(np).unwrap_or_default(),
                );
                for field in ["type", "required", "default", "description"] {
                    if ov.get(field) != nv.get(field) {
                        let _ = writeln!(
                            out,
                            "  {key} › {} › parameter {}: {field}: committed {}, the page says {}",
                            k.0,
                            k.1,
                            ov.get(field).map(row).unwrap_or_default(),
                            nv.get(field).map(row).unwrap_or_default()
                        );
                    }
                }
            }
        }
    }
    for k in n.keys().filter(|k| !o.contains_key(*k)) {
        let _ = writeln!(
            out,
            "  {key} › {} › parameter {}: in the page's table, not committed",
            k.0, k.1
        );
    }
    compare_list(
        key,
        "table",
        &old.tables,
        &new.tables,
        |t| t.section.clone(),
        |t| row(&t.rows),
        out,
    );
    compare_list(
        key,
        "status",
        &old.statuses,
        &new.statuses,
        |s| s.section.clone(),
        |s| {
            format!(
                "{} {} ({})",
                s.code,
                s.meaning.as_deref().unwrap_or(""),
                s.how
            )
        },
        out,
    );
    compare_list(
        key,
        "rate limit",
        &old.rate_limits,
        &new.rate_limits,
        |l| l.section.clone(),
        |l| format!("{} {} per {} per {}", l.limit, l.counts, l.per, l.scope),
        out,
    );
}

/// Rows committed but not on the page, and on the page but not committed.
fn compare_list<T: PartialEq>(
    key: &str,
    what: &str,
    old: &[T],
    new: &[T],
    section: impl Fn(&T) -> String,
    show: impl Fn(&T) -> String,
    out: &mut String,
) {
    for o in old.iter().filter(|o| !new.contains(o)) {
        let _ = writeln!(
            out,
            "  {key} › {} › {what} {}: committed, the page no longer says it",
            section(o),
            show(o)
        );
    }
    for n in new.iter().filter(|n| !old.contains(n)) {
        let _ = writeln!(
            out,
            "  {key} › {} › {what} {}: the page says it, not committed",
            section(n),
            show(n)
        );
    }
}

fn compare_examples(key: &str, old: &[Example], new: &[Example], out: &mut String) {
    // Matched by section, direction and form, in page order within them.
    type K = (String, Direction, String, usize);
    let keyed = |list: &[Example]| -> BTreeMap<K, Example> {
        let mut count: BTreeMap<(String, Direction, String), usize> = BTreeMap::new();
        let mut sorted = list.to_vec();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        sorted
            .into_iter()
            .map(|e| {
                let n = count
                    .entry((e.section.clone(), e.direction, e.form.clone()))
                    .or_default();
                *n += 1;
                ((e.section.clone(), e.direction, e.form.clone(), *n), e)
            })
            .collect()
    };
    let (o, n) = (keyed(old), keyed(new));
    for (k, oe) in &o {
        let Some(ne) = n.get(k) else {
            let _ = writeln!(
                out,
                "  {key} › {} › example {}: committed, no longer on the page",
                k.0, oe.id
            );
            continue;
        };
        let mut diffs = Vec::new();
        diff_values("", &oe.body, &ne.body, &mut diffs);
        for (field, was, now) in diffs {
            let _ = writeln!(
                out,
                "  {key} › {} › example {} field {}: committed {was}, the page says {now}",
                k.0,
                ne.id,
                if field.is_empty() { "/" } else { &field }
            );
        }
        for (field, a, b) in [
            ("method", row(&oe.method), row(&ne.method)),
            ("path", row(&oe.path), row(&ne.path)),
            ("status", row(&oe.status), row(&ne.status)),
            ("id", row(&oe.id), row(&ne.id)),
            ("note", row(&oe.note), row(&ne.note)),
            ("expressions", row(&oe.expressions), row(&ne.expressions)),
            ("spreads", row(&oe.spreads), row(&ne.spreads)),
        ] {
            if a != b {
                let _ = writeln!(
                    out,
                    "  {key} › {} › example {}: {field}: committed {a}, the page says {b}",
                    k.0, ne.id
                );
            }
        }
    }
    for (k, ne) in n.iter().filter(|(k, _)| !o.contains_key(*k)) {
        let _ = writeln!(
            out,
            "  {key} › {} › example {}: on the page, not committed",
            k.0, ne.id
        );
    }
}

/// Differences between two JSON values, by JSON pointer: (pointer, was, now), `absent` for a
/// missing field.
fn diff_values(pointer: &str, old: &Value, new: &Value, out: &mut Vec<(String, String, String)>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, av) in a {
                let p = format!("{pointer}/{k}");
                match b.get(k) {
                    Some(bv) => diff_values(&p, av, bv, out),
                    None => out.push((p, row(av), "absent".into())),
                }
            }
            for (k, bv) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push((format!("{pointer}/{k}"), "absent".into(), row(bv)));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (av, bv)) in a.iter().zip(b).enumerate() {
                diff_values(&format!("{pointer}/{i}"), av, bv, out);
            }
        }
        _ if old != new => out.push((pointer.to_owned(), row(old), row(new))),
        _ => {}
    }
}

/// Every `*.json` file under `dir`, read as `T`, with its file stem, sorted by it.
fn read_json_dir<T: serde::de::DeserializeOwned>(dir: &Path) -> Result<Vec<(String, T)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        out.push((stem.to_owned(), value));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Every example under `dir` (`openapi/docs/examples`), sorted by id.
pub fn load_examples(dir: &Path) -> Result<Vec<Example>, String> {
    Ok(read_json_dir::<Example>(dir)?
        .into_iter()
        .map(|(id, mut ex)| {
            ex.id = id;
            ex
        })
        .collect())
}

/// Every page's facts under `dir` (`openapi/docs/pages`), by key.
pub fn load_pages(dir: &Path) -> Result<BTreeMap<String, PageFacts>, String> {
    Ok(read_json_dir::<PageFacts>(dir)?
        .into_iter()
        .map(|(_, facts)| (facts.page.clone(), facts))
        .collect())
}
