//! The drift snapshots. With `CI=true` a changed report fails the test and shows its diff;
//! locally, `cargo insta review` shows and accepts the change.

use workspace_tests::{docs, reports, root, rust_surface, spec::Spec};

fn spec() -> Spec {
    let text = std::fs::read_to_string(root().join("openapi/v3.yaml")).expect("openapi/v3.yaml");
    Spec::from_yaml(&text).expect("spec parses")
}

fn examples() -> Vec<docs::Example> {
    docs::examples(&root().join("openapi/docs/examples")).expect("examples load")
}

#[test]
fn examples_report() {
    insta::assert_snapshot!("examples", reports::examples(&spec(), &examples()));
}

#[test]
fn surface_report() {
    let docs = docs::load(&root().join("openapi/docs")).expect("docs load");
    insta::assert_snapshot!("surface", reports::surface(&spec(), &docs));
}

/// Every numbered disagreement of `shared/optimly-docs/CONTRADICTIONS.md` is a row of the
/// committed surface snapshot, with its pages and a ruling.
#[test]
fn every_contradiction_is_a_row() {
    let snap = std::fs::read_to_string(root().join("tests/tests/snapshots/drift__surface.snap"))
        .expect("snapshot");
    let missing: Vec<String> = (1..=24)
        .map(|n| format!("C{n}"))
        .filter(|c| {
            !snap.lines().any(|l| {
                let mut cells = l.split(" | ");
                cells.next() == Some(c.as_str()) && l.contains(" VS ") && cells.count() == 3
            })
        })
        .collect();
    assert!(missing.is_empty(), "no row for {missing:?}");
}

#[test]
fn spec_inventory() {
    insta::assert_snapshot!("inventory", reports::inventory(&spec()));
}

#[test]
fn rust_surface() {
    let source = std::fs::read_to_string(root().join("crates/optimly-api/src/generated.rs"))
        .expect("generated.rs");
    insta::assert_snapshot!(
        "rust_surface",
        rust_surface::report(&source).expect("parses")
    );
}

#[test]
fn generated_types_vs_spec() {
    insta::assert_snapshot!("types_vs_spec", reports::types_vs_spec(&spec()));
}

/// A folder laid out like `openapi/docs` (this repo's surface, a fixture page's facts), in
/// the temporary directory; removed when dropped.
struct DocsCopy(std::path::PathBuf);

impl DocsCopy {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("drift-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("docs/pages")).expect("dir");
        std::fs::create_dir_all(dir.join("docs/examples")).expect("dir");
        std::fs::copy(
            root().join("openapi/docs/surface.yaml"),
            dir.join("docs/surface.yaml"),
        )
        .expect("surface");
        Self(dir)
    }

    /// Import `page` (text) as the page `900_widgets.txt`; the reports, surface and examples.
    fn import(&self, page: &str) -> (String, String) {
        let path = self.0.join("900_widgets.txt");
        std::fs::write(&path, page).expect("page");
        xtask::docs::import(&[path], &self.0.join("docs")).expect("import");
        let docs = docs::load(&self.0.join("docs")).expect("load");
        (
            reports::surface(&spec(), &docs),
            reports::examples(&spec(), &docs.examples),
        )
    }
}

impl Drop for DocsCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lines of `after` not in `before`, and of `before` not in `after`.
fn changed(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let b: Vec<&str> = before.lines().collect();
    let a: Vec<&str> = after.lines().collect();
    (
        a.iter()
            .filter(|l| !b.contains(l))
            .map(|l| l.to_string())
            .collect(),
        b.iter()
            .filter(|l| !a.contains(l))
            .map(|l| l.to_string())
            .collect(),
    )
}

/// After `docs import` of a changed page, the drift reports change in the rows that name the
/// change, and nowhere else.
#[test]
fn an_imported_change_shows_in_the_rows_that_name_it() {
    let page = std::fs::read_to_string(root().join("xtask/tests/fixtures/docs/900_widgets.txt"))
        .expect("fixture page");
    let copy = DocsCopy::new("import");
    let (surface, examples) = copy.import(&page);
    assert!(surface.contains(
        "widget registrations per access token | 40/hour | P900 › Rate Limits | NOT IN SPEC"
    ));

    // A renamed field in an example.
    let (_, ex) = copy.import(&page.replacen(
        "\"owner_email\": \"owner@example.com\"",
        "\"owner\": \"owner@example.com\"",
        1,
    ));
    assert_eq!(
        changed(&examples, &ex),
        (
            vec!["    fields: /label, /metadata/shelf, /owner, /size".to_owned()],
            vec!["    fields: /label, /metadata/shelf, /owner_email, /size".to_owned()]
        )
    );

    // A flipped Required cell.
    let (s, _) = copy.import(&page.replacen("sizeintegerNo", "sizeintegerYes", 1));
    assert_eq!(
        changed(&surface, &s),
        (
            vec![
                "P900 › Register a Widget › Parameters | size | integer | required | 1".to_owned()
            ],
            vec![
                "P900 › Register a Widget › Parameters | size | integer | optional | 1".to_owned()
            ]
        )
    );

    // A changed rate limit.
    let (s, _) =
        copy.import(&page.replacen("40 widget registrations", "60 widget registrations", 1));
    assert_eq!(
        changed(&surface, &s),
        (
            vec!["widget registrations per access token | 60/hour | P900 › Rate Limits | NOT IN SPEC".to_owned()],
            vec!["widget registrations per access token | 40/hour | P900 › Rate Limits | NOT IN SPEC".to_owned()]
        )
    );

    // A removed endpoint (its section goes, and with it its example).
    let start = page.find("Retire a Widget").expect("section");
    let end = page.find("Error Handling").expect("next");
    let (s, ex) = copy.import(&format!("{}{}", &page[..start], &page[end..]));
    assert_eq!(
        changed(&surface, &s),
        (
            vec![],
            vec!["POST /external/widgets/retire | P900 › Retire a Widget › Endpoint: named | NOT IN SPEC".to_owned()]
        )
    );
    let (_, gone) = changed(&examples, &ex);
    assert!(
        gone.iter().any(|l| l.starts_with(
            "P900-retire-a-widget-request-body | POST /external/widgets/retire request"
        )),
        "{gone:?}"
    );
}
