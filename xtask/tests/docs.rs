//! `cargo xtask docs` on pages written for these tests (`tests/fixtures/docs`, in the layout of
//! Optimly's pages: the text a browser saves, and the HTML a docs site serves).

use std::path::{Path, PathBuf};

use serde_json::json;
use xtask::docs::{self, Direction};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/docs")
        .join(name)
}

fn text_page() -> String {
    std::fs::read_to_string(fixture("900_widgets.txt")).expect("fixture")
}

/// A folder of its own for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("xtask-docs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    fn page(&self, content: &str) -> PathBuf {
        let path = self.0.join("900_widgets.txt");
        std::fs::write(&path, content).expect("write page");
        path
    }

    fn docs(&self) -> PathBuf {
        self.0.join("docs")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_text_form_states_what_it_says() {
    let got = docs::extract_file(&fixture("900_widgets.txt")).expect("extracts");
    let f = &got.facts;
    assert_eq!(f.page, "P900");
    assert_eq!(f.title, "Widget Registry - /external/widgets");
    assert_eq!(
        f.sections,
        [
            "Widget Registry - /external/widgets",
            "Register a Widget",
            "Register a Widget › Endpoint",
            "Register a Widget › Authentication",
            "Register a Widget › Request Body",
            "Register a Widget › Parameters",
            "Register a Widget › Response",
            "Register a Widget › JavaScript",
            "Register a Widget › Python",
            "Retire a Widget",
            "Retire a Widget › Endpoint",
            "Retire a Widget › Request Body",
            "Error Handling",
            "Rate Limits",
            "Batch Registration",
        ]
    );
    let endpoints: Vec<String> = f
        .endpoints
        .iter()
        .map(|e| {
            format!(
                "{} | {} {}",
                e.section,
                e.method.as_deref().unwrap_or("-"),
                e.path
            )
        })
        .collect();
    assert_eq!(
        endpoints,
        [
            "Register a Widget › Endpoint | POST /external/widgets/register",
            "Register a Widget › JavaScript | POST /external/widgets/register",
            "Register a Widget › Python | POST /external/widgets/register",
            "Retire a Widget › Endpoint | POST /external/widgets/retire",
        ]
    );
    let params: Vec<String> = f
        .parameters
        .iter()
        .map(|p| format!("{} {} {} {:?}", p.name, p.r#type, p.required, p.default))
        .collect();
    assert_eq!(
        params,
        [
            "label string true None",
            "size integer false Some(\"1\")",
            "owner_email string true None",
            "metadata object false None",
        ]
    );
    let limits: Vec<String> = f
        .rate_limits
        .iter()
        .map(|l| format!("{} {} per {} per {}", l.limit, l.counts, l.per, l.scope))
        .collect();
    assert_eq!(
        limits,
        [
            "40 widget registrations per hour per access token",
            "5 retirements per minute per API key"
        ]
    );
    let statuses: Vec<String> = f
        .statuses
        .iter()
        .map(|s| {
            format!(
                "{} {} {}",
                s.code,
                s.how,
                s.meaning.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "200 list Success",
            "409 list Conflict (widget already retired)",
            "409 example Conflict"
        ]
    );

    let examples: Vec<String> = got
        .examples
        .iter()
        .map(|e| {
            format!(
                "{} | {} {} {:?} {:?} {}",
                e.id,
                e.method.as_deref().unwrap_or("-"),
                e.path.as_deref().unwrap_or("-"),
                e.direction,
                e.status,
                e.form
            )
        })
        .collect();
    assert_eq!(
        examples,
        [
            "P900-register-a-widget-request-body | POST /external/widgets/register Request None json",
            "P900-register-a-widget-response | POST /external/widgets/register Response Some(200) json",
            "P900-register-a-widget-javascript | POST /external/widgets/register Request None javascript",
            "P900-register-a-widget-python | POST /external/widgets/register Request None python",
            "P900-retire-a-widget-request-body | POST /external/widgets/retire Request None json",
            "P900-error-handling-response | - - Response Some(409) json",
            "P900-batch-registration-javascript | POST /external/widgets/register Request None javascript",
        ]
    );
    // Literals kept, expressions marked.
    let js = &got.examples[2];
    assert_eq!(
        js.body,
        json!({
            "label": "<widget.label>",
            "size": "<widget.size || 1>",
            "owner_email": "owner@example.com",
            "metadata": {"shelf": "north", "seen_at": "<new Date().toISOString()>"}
        })
    );
    let mut pointers = js.expressions.clone();
    pointers.sort();
    assert_eq!(pointers, ["/label", "/metadata/seen_at", "/size"]);
    // The Python payload, with the sample's own keyword arguments put in.
    assert_eq!(
        got.examples[3].body,
        json!({"label": "Green widget", "size": 2})
    );
    assert!(got.examples[3].expressions.is_empty());
    // A call of the page's own function with an object written out.
    assert_eq!(
        got.examples[6].body,
        json!({"label": "Red widget", "size": 5})
    );
    assert_eq!(got.examples[5].direction, Direction::Response);
}

#[test]
fn the_html_form_states_the_same_as_the_text_form() {
    let text = docs::extract_file(&fixture("900_widgets.txt")).expect("text");
    let html = docs::extract_file(&fixture("900_widgets.html")).expect("html");
    assert_eq!(html.facts, text.facts);
    assert_eq!(html.examples, text.examples);
}

#[test]
fn import_is_deterministic_and_idempotent_and_check_agrees() {
    let scratch = Scratch::new("idempotent");
    let page = scratch.page(&text_page());
    let (written, removed) =
        docs::import(std::slice::from_ref(&page), &scratch.docs()).expect("import");
    assert_eq!(
        (written, removed),
        (8, 0),
        "one facts file and seven examples"
    );
    let first: Vec<(PathBuf, String)> = read_tree(&scratch.docs());
    assert_eq!(
        docs::import(std::slice::from_ref(&page), &scratch.docs()).expect("again"),
        (0, 0)
    );
    assert_eq!(read_tree(&scratch.docs()), first);
    assert_eq!(docs::check(&[page], &scratch.docs()), Ok(8));
}

fn read_tree(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for sub in ["pages", "examples"] {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            let text = std::fs::read_to_string(&p).expect("file");
            out.push((p, text));
        }
    }
    out
}

/// Import the page, change it as `edit` does, and return what `check` says.
fn check_after(name: &str, edit: impl Fn(&str) -> String) -> String {
    let scratch = Scratch::new(name);
    let page = scratch.page(&text_page());
    docs::import(std::slice::from_ref(&page), &scratch.docs()).expect("import");
    let changed = edit(&text_page());
    assert_ne!(changed, text_page(), "the edit changed nothing");
    let page = scratch.page(&changed);
    docs::check(&[page], &scratch.docs()).expect_err("check must fail")
}

#[test]
fn a_renamed_field_in_an_example_names_page_section_and_field() {
    let report = check_after("renamed", |p| {
        p.replacen(
            "\"owner_email\": \"owner@example.com\"",
            "\"owner\": \"owner@example.com\"",
            1,
        )
    });
    assert!(
        report.contains("P900 › Register a Widget › Request Body › example P900-register-a-widget-request-body field /owner_email: committed \"owner@example.com\", the page says absent"),
        "{report}"
    );
    assert!(
        report.contains("field /owner: committed absent, the page says \"owner@example.com\""),
        "{report}"
    );
}

#[test]
fn a_flipped_required_cell_names_page_section_and_field() {
    let report = check_after("required", |p| {
        p.replacen("sizeintegerNo", "sizeintegerYes", 1)
    });
    assert!(
        report.contains("P900 › Register a Widget › Parameters › parameter size: required: committed false, the page says true"),
        "{report}"
    );
}

#[test]
fn a_changed_rate_limit_names_page_section_and_limit() {
    let report = check_after("limit", |p| {
        p.replacen("40 widget registrations", "60 widget registrations", 1)
    });
    assert!(
        report.contains("P900 › Rate Limits › rate limit 40 widget registrations per hour per access token: committed, the page no longer says it"),
        "{report}"
    );
    assert!(
        report.contains("P900 › Rate Limits › rate limit 60 widget registrations per hour per access token: the page says it, not committed"),
        "{report}"
    );
}

#[test]
fn a_removed_endpoint_names_page_section_and_endpoint() {
    let report = check_after("endpoint", |p| {
        let start = p.find("Retire a Widget").expect("section");
        let end = p.find("Error Handling").expect("next section");
        format!("{}{}", &p[..start], &p[end..])
    });
    assert!(
        report.contains("P900 › Retire a Widget › Endpoint › endpoint POST /external/widgets/retire: committed, the page no longer says it"),
        "{report}"
    );
    assert!(
        report.contains("P900 › Retire a Widget › Request Body › example P900-retire-a-widget-request-body: committed, no longer on the page"),
        "{report}"
    );
}

#[test]
fn a_page_that_cannot_be_read_is_an_error_not_a_panic() {
    for bad in [
        "",
        "Title\n\nParameterTypeRequiredDescription\nnot a row at all\n",
        "Title\n\nJavaScript\n\nfetch('https://api.optimly.io/external/x', { body: JSON.stringify({ a: 'unterminated",
    ] {
        assert!(docs::extract_str("P1", bad).is_err(), "{bad:?}");
    }
}
