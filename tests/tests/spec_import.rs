//! The day Optimly's own spec arrives. The FastAPI app of the contract tests
//! (`tests/fastapi/app.py`) serves its `/openapi.json` (OpenAPI 3.1, behind the key) in both of
//! FastAPI's auth styles, and differs from `openapi/v3.yaml` where a vendor's spec would. In
//! a copy of the workspace, as a maintainer would:
//!
//! 1. `cargo xtask spec import <url>` fetches the document with the key and imports it;
//! 2. the result passes `openapi-spec-validator` and keeps our operationIds, security schemes
//!    and rate limits, with no auth parameters left on the operations;
//! 3. `cargo xtask spec-diff` names each deliberate difference;
//! 4. the maintainer pins the renamed field's Rust name in the overlay, as the diff says;
//! 5. `cargo xtask generate` and `check` pass, the workspace type-checks (`cargo check`),
//!    and `cargo test -p optimly` passes on the vendor's spec.
//!
//! Nested cargo runs share this build's target directory (cargo holds its lock only while it
//! compiles), so only the workspace's own crates build again.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use workspace_tests::fastapi::{self, AuthStyle, FastApiApp};
use workspace_tests::root;

const TEST: &str = "spec_import";

/// A copy of the workspace's files (tracked, and new ones not ignored) in the system's
/// temporary directory, at one path every run, so that a rerun's builds are incremental.
fn copy_workspace() -> PathBuf {
    let dest = std::env::temp_dir().join("optimly-spec-import");
    let _ = std::fs::remove_dir_all(&dest);
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    assert!(listed.status.success(), "git ls-files failed");
    for file in listed.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let rel = Path::new(std::str::from_utf8(file).expect("a UTF-8 path"));
        let from = root().join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = dest.join(rel);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("directory");
        if rel.file_name().is_some_and(|n| n == "Cargo.toml") {
            std::fs::write(
                &to,
                apart(&std::fs::read_to_string(&from).expect("manifest")),
            )
            .expect("manifest");
        } else {
            std::fs::copy(&from, &to).expect("copy");
        }
    }
    dest
}

/// A manifest whose own version carries build metadata (`0.1.0+spec-import`). Cargo names a
/// workspace crate's build artifacts by name and version, not by path, so without it the
/// copy's crates (built from the vendor's spec) would replace this workspace's own in the
/// shared target directory, and a later `cargo xtask` or `cargo test` here would run them.
fn apart(manifest: &str) -> String {
    let mut out = String::new();
    let mut done = false;
    for line in manifest.lines() {
        match line
            .strip_prefix("version = \"")
            .and_then(|v| v.strip_suffix('"'))
        {
            Some(version) if !done => {
                out.push_str(&format!("version = \"{version}+spec-import\""));
                done = true;
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// `cargo <args>` in the copy, with `env` set.
fn cargo(copy: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(args)
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("OPTIMLY_API_KEY")
        .env_remove("OPTIMLY_AUTH");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("cargo runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn succeeded(what: &str, out: Output) -> String {
    let all = text(&out);
    assert!(out.status.success(), "{what} failed:\n{all}");
    all
}

fn yaml(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("spec")).expect("YAML")
}

/// `(operationId, x-rate-limits)` of every operation, and the document's security schemes and
/// global limits.
fn ours(spec: &Value) -> (Vec<(String, Value)>, Value, Value) {
    let mut ops = Vec::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("a path item").values() {
            ops.push((
                op["operationId"].as_str().unwrap_or_default().to_owned(),
                op.get("x-rate-limits").cloned().unwrap_or(Value::Null),
            ));
        }
    }
    ops.sort_by(|a, b| a.0.cmp(&b.0));
    (
        ops,
        spec["components"]["securitySchemes"].clone(),
        spec["x-rate-limits"].clone(),
    )
}

#[test]
fn a_fastapi_document_imports_generates_and_passes_the_sdk_tests() {
    // Skips loudly without the Python environment, and fails under CI=true.
    let Some(python) = fastapi::python(TEST) else {
        return;
    };
    let copy = copy_workspace();
    let spec = copy.join("openapi/v3.yaml");
    let before = root().join("openapi/v3.yaml");

    // 1. Without the key the document is refused, and the key in use appears nowhere.
    let app = FastApiApp::start(TEST, AuthStyle::Parameters).expect("the app starts");
    let url = format!("{}/openapi.json", app.base_url);
    let wrong = "agt_wrong00000000000000000000000000000";
    let refused = cargo(
        &copy,
        &["xtask", "spec", "import", &url, "--dry-run"],
        &[("OPTIMLY_API_KEY", wrong)],
    );
    let said = text(&refused);
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains(&format!("GET {url}: HTTP 401")), "{said}");
    assert!(!said.contains(wrong), "the key was printed:\n{said}");

    // ... and with it, each auth style imports to the same spec, the key sent each of the
    // overlay's ways.
    let imported = succeeded(
        "import (Header()/Query() parameters, key in X-API-Key)",
        cargo(
            &copy,
            &["xtask", "spec", "import", &url],
            &[
                ("OPTIMLY_API_KEY", fastapi::KEY),
                ("OPTIMLY_AUTH", "header"),
            ],
        ),
    );
    assert!(!imported.contains(fastapi::KEY), "{imported}");
    assert!(
        imported.contains("import: auth parameters dropped, the overlay's security schemes carry the key: header `authorization`, header `x-api-key`, query `access_token_query`"),
        "{imported}"
    );
    drop(app);
    let from_parameters = yaml(&spec);
    let app = FastApiApp::start(TEST, AuthStyle::SecuritySchemes).expect("the app starts");
    let url = format!("{}/openapi.json", app.base_url);
    let imported = succeeded(
        "import (security schemes, key in the query)",
        cargo(
            &copy,
            &["xtask", "spec", "import", &url],
            &[("OPTIMLY_API_KEY", fastapi::KEY), ("OPTIMLY_AUTH", "query")],
        ),
    );
    assert!(!imported.contains(fastapi::KEY), "{imported}");
    assert!(
        imported.contains("import: security schemes are the overlay's: APIKeyHeader -> apiKeyHeader, APIKeyQuery -> apiKeyQuery, HTTPBearer -> bearerAuth"),
        "{imported}"
    );
    drop(app);
    // The same document (FastAPI orders some keys differently in the two styles).
    assert!(
        yaml(&spec) == from_parameters,
        "the two auth styles imported differently"
    );

    // 2. A valid 3.0 document with our operationIds, schemes and limits, and no key parameter.
    let validator = python.with_file_name("openapi-spec-validator");
    succeeded(
        "openapi-spec-validator",
        Command::new(&validator)
            .arg(&spec)
            .output()
            .expect("openapi-spec-validator runs"),
    );
    let (new, old) = (yaml(&spec), yaml(&before));
    assert_eq!(new["openapi"], "3.0.3");
    assert_eq!(ours(&new), ours(&old));
    assert_eq!(ours(&new).0.len(), 9);
    for item in new["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("a path item").values() {
            assert_eq!(op.get("security"), None, "{op}");
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert_eq!(p["in"], "path", "a parameter left: {p}");
            }
        }
    }

    // 3. The review: each deliberate difference, by name.
    let before_arg = before.display().to_string();
    let diff = cargo(&copy, &["xtask", "spec-diff", &before_arg], &[]);
    let review = text(&diff);
    assert!(
        !diff.status.success(),
        "breaking changes must fail:\n{review}"
    );
    let rows: Vec<&str> = review
        .lines()
        .filter(|l| l.contains("maxLength") || l.contains("closed enum") || l.contains("renamed"))
        .collect();
    assert_eq!(
        rows,
        [
            "BREAKING   | compatible | components.schemas.AgentRequest.content | new constraint: maxLength 4000 | constraints are validation facts: the generated type does not change",
            "BREAKING   | BREAKING   | components.schemas.Chat.last_activity | response field renamed on the wire: `last_activity` -> `last_message_at` (/components/schemas/Chat/properties/last_message_at) | the Rust field is renamed (pin the old name with x-rust-name in the overlay)",
            "compatible | compatible | components.schemas.ChatStatus | closed enum: only [\"active\"] are valid now | x-extensible-enum keeps the Rust enum open",
        ],
        "{review}"
    );
    // The vendor's own schema names (ReplyMetadata, InlineReply) change nothing.
    assert!(
        !review.contains("ReplyMetadata") && !review.contains("InlineReply"),
        "{review}"
    );

    // 4. The maintainer keeps the Rust name, as the diff says.
    let overlay = copy.join("openapi/overlay.yaml");
    let mut text_overlay = std::fs::read_to_string(&overlay).expect("overlay");
    text_overlay.push_str(
        "- target: $.components.schemas.Chat.properties.last_message_at\n  update:\n    x-rust-name: last_activity\n",
    );
    std::fs::write(&overlay, text_overlay).expect("overlay");
    succeeded("spec apply", cargo(&copy, &["xtask", "spec", "apply"], &[]));
    let review = text(&cargo(&copy, &["xtask", "spec-diff", &before_arg], &[]));
    assert!(
        review.contains("| response field renamed on the wire: `last_activity` -> `last_message_at` (/components/schemas/Chat/properties/last_message_at) | x-rust-name keeps the Rust field's name"),
        "{review}"
    );
    assert!(review.contains(", 0 breaking for Rust code"), "{review}");

    // 5. Generate, check, build, and the SDK's own tests.
    succeeded("generate", cargo(&copy, &["xtask", "generate"], &[]));
    succeeded("check", cargo(&copy, &["xtask", "check"], &[]));
    succeeded(
        "cargo check --workspace",
        cargo(&copy, &["check", "--workspace"], &[]),
    );
    // Its unit, integration and doc tests; not its examples, whose binaries would land beside
    // this workspace's own in the shared target directory.
    for targets in [&["--lib", "--tests"][..], &["--doc"]] {
        let args = [&["test", "-p", "optimly"][..], targets].concat();
        let tests = succeeded("cargo test -p optimly", cargo(&copy, &args, &[]));
        assert!(tests.contains("test result: ok."), "{tests}");
        assert!(!tests.contains("FAILED"), "{tests}");
    }
    let _ = std::fs::remove_dir_all(&copy);

    // None of it leaked into this workspace's builds: its own xtask still checks its own spec.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    succeeded(
        "cargo xtask check in this workspace",
        Command::new(cargo)
            .args(["xtask", "check"])
            .current_dir(root())
            .env("CARGO_TARGET_DIR", target_dir())
            .output()
            .expect("cargo runs"),
    );
}
