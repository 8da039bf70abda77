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
    let surface = docs::surface(&root().join("openapi/docs/surface.yaml")).expect("surface loads");
    insta::assert_snapshot!("surface", reports::surface(&spec(), &surface));
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
