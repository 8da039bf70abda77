//! Project automation: `cargo xtask <command>`.
//!
//! - `generate`: regenerate `crates/optimly-api/src/generated.rs` from `openapi/v3.yaml`.
//! - `check`: fail with a diff when the checked-in generated code drifts from the spec.
//! - `spec-diff <rev>`: classify the spec's changes since a revision as breaking or compatible.

mod codegen;
mod open_enums;
mod operations;
mod spec;
mod spec_diff;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate [--without NAME,...]
             regenerate crates/optimly-api/src/generated.rs from openapi/v3.yaml;
             --without leaves speed rewrites out, to measure what each one buys
             (response-value, path-segment, url, execute, free-parameters, unset)
  check      fail with a diff if the generated code is not what the spec produces
  spec-diff <git-rev> [--allow-breaking]
             classify the spec changes since <git-rev> as breaking or compatible;
             fail on breaking ones unless --allow-breaking";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let layout = codegen::Layout::workspace();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["generate"] => codegen::generate(&layout, &[]),
        ["generate", "--without", names] => {
            let names: Vec<String> = names.split(',').map(str::to_owned).collect();
            codegen::generate(&layout, &names)
        }
        ["check"] => codegen::check(&layout),
        ["spec-diff", rev] => spec_diff::run(&layout, rev, false),
        ["spec-diff", rev, "--allow-breaking"] | ["spec-diff", "--allow-breaking", rev] => {
            spec_diff::run(&layout, rev, true)
        }
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
