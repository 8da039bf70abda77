//! Project automation: `cargo xtask <command>`.
//!
//! - `generate`: regenerate `crates/optimly-api/src/generated.rs` from `openapi/v3.yaml`.
//! - `check`: fail with a diff when the checked-in generated code drifts from the spec.

mod codegen;
mod open_enums;
mod spec;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  generate   regenerate crates/optimly-api/src/generated.rs from openapi/v3.yaml
  check      fail with a diff if the generated code is not what the spec produces";

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
        ["check"] => codegen::check(&layout),
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
