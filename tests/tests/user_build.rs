//! A user's own build, outside this workspace: an app that depends on `optimly` with its
//! default features and on `reqwest` with its default features off. Cargo unifies the two
//! crates' `reqwest` features; the app's own `reqwest::Client::new()` must still work, and
//! `cargo doc` of the app must print no warning.

use std::path::{Path, PathBuf};
use std::process::Command;

const MANIFEST: &str = r#"[package]
name = "user-app"
version = "0.0.0"
edition = "2024"
publish = false

# Its own workspace: it is the user's project, not a member of this one.
[workspace]

[dependencies]
optimly = { path = "OPTIMLY" }
reqwest = { version = "0.13", default-features = false, features = ["json"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
"#;

const MAIN: &str = r#"//! A user's app: its own HTTP client beside the Optimly SDK.

#[tokio::main]
async fn main() {
    // A client of the app's own, built as reqwest's docs show.
    let http = reqwest::Client::new();
    let sdk = optimly::OptimlyClient::builder()
        .api_key("agt_0123456789abcdef0123456789abcdef")
        .build()
        .expect("the SDK's client");
    println!("{} {}", std::mem::size_of_val(&http) > 0, sdk.base_url());
}
"#;

/// The scratch project, in the system's temporary directory (outside the workspace), with
/// the workspace's lock file so that it resolves offline to the versions already fetched.
fn scratch(root: &Path) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("optimly-user-build-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).expect("scratch directory");
    let optimly = root.join("crates/optimly");
    let manifest = MANIFEST.replace("OPTIMLY", &optimly.display().to_string());
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
    std::fs::write(dir.join("src/main.rs"), MAIN).expect("main.rs");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    dir
}

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // The user's build, not this test's: none of the workspace's settings leak in.
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTDOCFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn a_users_own_reqwest_works_beside_optimly_and_their_docs_build_clean() {
    let root = workspace_tests::root();
    let dir = scratch(&root);
    // Its own target directory under the workspace's, kept between runs.
    let target = root.join("target/user-build");

    let run = cargo(&dir, &target, &["run", "--quiet", "--offline"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the app failed:\n{stderr}");
    assert_eq!(stdout.trim(), "true https://api.optimly.io");

    let doc = cargo(
        &dir,
        &target,
        &[
            "doc",
            "--offline",
            "--no-deps",
            "-p",
            "user-app",
            "-p",
            "optimly",
            "-p",
            "optimly-api",
        ],
    );
    let stderr = String::from_utf8_lossy(&doc.stderr);
    assert!(doc.status.success(), "cargo doc failed:\n{stderr}");
    assert!(!stderr.contains("warning"), "cargo doc warned:\n{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
