//! Project automation: `cargo xtask <command>`.
//!
//! - `generate`: regenerate `crates/optimly-api/src/generated.rs` from `openapi/v3.yaml`.
//! - `check`: fail when `openapi/v3.yaml` is not `openapi/vendor.yaml` with
//!   `openapi/overlay.yaml` applied, or with a diff when the checked-in generated code drifts
//!   from the spec.
//! - `spec-diff <rev|file>`: classify the spec's changes since a revision (or against a spec
//!   file) as breaking or compatible.
//! - `docs import|check PAGE…`: extract what Optimly's documentation pages state into
//!   `openapi/docs/`, or fail with the differences.

mod codegen;
mod fetch;
mod import;
mod names;
mod open_enums;
mod operations;
mod overlay;
mod spec;
mod spec_diff;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate   regenerate crates/optimly-api/src/generated.rs from openapi/v3.yaml
  spec apply write openapi/v3.yaml: openapi/vendor.yaml with openapi/overlay.yaml applied
  spec import FILE|URL [--dry-run]
             take a vendor's OpenAPI document (3.0.x or 3.1.x, JSON or YAML) as
             openapi/vendor.yaml (lowered to 3.0.3, FastAPI's auth parameters and 422
             body and the schema names made the overlay's, less what the overlay adds)
             and write openapi/v3.yaml. A URL is fetched with OPTIMLY_API_KEY, sent as
             OPTIMLY_AUTH says (bearer, header or query). --dry-run prints what would
             change and fails if anything would
  check      fail if openapi/v3.yaml is not openapi/vendor.yaml + openapi/overlay.yaml, or
             with a diff if the generated code is not what the spec produces
  spec-diff <git-rev|spec-file> [--allow-breaking]
             classify the spec changes since <git-rev> (or from a spec file, such as
             Optimly's own api_versions/v3.yaml) as breaking or compatible; fail on
             breaking ones unless --allow-breaking
  docs import PAGE...
             extract what Optimly's documentation pages (saved as text or HTML)
             state into openapi/docs/ (pages/*.json, examples/*.json)
  docs check PAGE...
             fail, naming page, section and field, when openapi/docs/ is not what
             the pages state
  public-api [CRATE_DIR]
             print the public API of crates/optimly (or CRATE_DIR), one line per
             item, from rustdoc's JSON, as tests/tests/snapshots/drift__public_api.snap
             holds it";

/// `docs import|check PAGE…`.
fn docs(layout: &codegen::Layout, verb: &str, pages: &[&str]) -> anyhow::Result<()> {
    let pages: Vec<std::path::PathBuf> = pages.iter().map(std::path::PathBuf::from).collect();
    let dir = layout.root.join("openapi/docs");
    if verb == "import" {
        let (written, removed) = xtask::docs::import(&pages, &dir).map_err(anyhow::Error::msg)?;
        println!(
            "{} page(s) imported into openapi/docs/: {written} file(s) written, {removed} removed",
            pages.len()
        );
    } else {
        let files = xtask::docs::check(&pages, &dir).map_err(anyhow::Error::msg)?;
        println!(
            "openapi/docs/ is what the {} page(s) state ({files} files)",
            pages.len()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let layout = codegen::Layout::workspace();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["generate"] => codegen::generate(&layout),
        ["spec", "apply"] => overlay::write(&layout),
        ["spec", "import", source] => import::run(&layout, source, false),
        ["spec", "import", source, "--dry-run"] | ["spec", "import", "--dry-run", source] => {
            import::run(&layout, source, true)
        }
        ["check"] => overlay::check(&layout).and_then(|()| codegen::check(&layout)),
        ["spec-diff", rev] => spec_diff::run(&layout, rev, false),
        ["spec-diff", rev, "--allow-breaking"] | ["spec-diff", "--allow-breaking", rev] => {
            spec_diff::run(&layout, rev, true)
        }
        ["docs", verb @ ("import" | "check"), pages @ ..] if !pages.is_empty() => {
            docs(&layout, verb, pages)
        }
        ["public-api"] => xtask::public_api::run(&layout.root.join("crates/optimly")),
        ["public-api", dir] => xtask::public_api::run(std::path::Path::new(dir)),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
