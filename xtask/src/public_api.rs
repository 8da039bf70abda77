//! A crate's public API, one line per item, from rustdoc's JSON as the `public-api` crate reads
//! it: names resolved, `Send`/`Sync` and every other auto trait shown, so a change to any of
//! them is a line that changes in the snapshot.
//!
//! rustdoc writes JSON only behind `-Z unstable-options`; `RUSTC_BOOTSTRAP=1` lets this stable
//! toolchain take it (as `cargo-semver-checks` does). `public-api` is pinned to the version
//! that reads this toolchain's format.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Where the JSON is built: a target directory of its own, so that a test running inside
/// `cargo test` does not wait for the lock on the one that runs it.
fn target_dir(crate_dir: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("../../target"))
        .join("public-api")
}

/// The public API of the library at `crate_dir` (package `crate_name`), with every feature on,
/// one line per item, sorted.
pub fn listing(crate_dir: &Path, crate_name: &str) -> Result<String> {
    let target = target_dir(crate_dir);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "rustdoc",
            "--quiet",
            "--lib",
            "--all-features",
            "--manifest-path",
        ])
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTDOCFLAGS")
        .status()
        .context("running cargo rustdoc")?;
    if !built.success() {
        bail!("cargo rustdoc of {} failed", crate_dir.display());
    }
    let json = target
        .join("doc")
        .join(format!("{}.json", crate_name.replace('-', "_")));
    let api = public_api::Builder::from_rustdoc_json(&json)
        // `impl<T> From<T> for T` and the like: the same for every type, noise in a review.
        .omit_blanket_impls(true)
        .build()
        .with_context(|| format!("reading {}", json.display()))?;
    Ok(api.to_string())
}

/// `cargo xtask public-api [CRATE_DIR]`: print the listing (the snapshot test is the check).
pub fn run(crate_dir: &Path) -> Result<()> {
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml"))
        .with_context(|| format!("reading {}/Cargo.toml", crate_dir.display()))?;
    let Some(name) = manifest.lines().find_map(|l| {
        l.strip_prefix("name = ")
            .map(|n| n.trim_matches('"').to_owned())
    }) else {
        bail!("{}/Cargo.toml names no package", crate_dir.display());
    };
    print!("{}", listing(crate_dir, &name)?);
    Ok(())
}
