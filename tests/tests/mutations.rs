//! The drift reports must notice what they exist to notice. Each test makes one change a
//! reviewer must see (a renamed field, a misspelt example, a property the Rust type lacks)
//! and checks that the report names it.

use serde_json::json;
use workspace_tests::{docs, reports, root, spec::Spec};

fn spec_text() -> String {
    std::fs::read_to_string(root().join("openapi/v3.yaml")).expect("openapi/v3.yaml")
}

fn examples() -> Vec<docs::Example> {
    docs::examples(&root().join("openapi/docs/examples")).expect("examples load")
}

fn row<'a>(report: &'a str, id: &str) -> Vec<&'a str> {
    let mut lines = report.lines().skip_while(|l| !l.starts_with(id));
    let head = lines.next().map(|l| vec![l]).unwrap_or_default();
    head.into_iter()
        .chain(lines.take_while(|l| l.starts_with("    ")))
        .collect()
}

#[test]
fn renaming_a_response_field_names_the_example_and_the_field() {
    let text = spec_text();
    let renamed = text
        .replacen(
            "        handoff_id:\n          type: string\n",
            "        handoff_ref:\n          type: string\n",
            1,
        )
        .replace("      - handoff_id\n", "      - handoff_ref\n");
    assert_ne!(text, renamed);
    let spec = Spec::from_yaml(&renamed).expect("spec");
    let report = reports::examples(&spec, &examples());
    let lines = row(&report, "P002-escalate-to-email-response");
    assert_eq!(
        lines[0],
        "P002-escalate-to-email-response | POST /external/message/email-handoff response 200 | email_handoff | EmailHandoff | 2 violation(s) | ok"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"handoff_ref\" is a required property")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("'handoff_id' was unexpected")),
        "{lines:#?}"
    );
}

#[test]
fn a_misspelt_field_in_a_new_example_is_named() {
    let mut all = examples();
    let mut typo = all
        .iter()
        .find(|e| e.id == "P002-escalate-to-email-request")
        .cloned()
        .expect("example");
    typo.id = "P002-typo".into();
    typo.body = json!({"chat_id": "chat_123", "custmer_email": "enterprise-buyer@example.com"});
    all.push(typo);
    let spec = Spec::from_yaml(&spec_text()).expect("spec");
    let report = reports::examples(&spec, &all);
    let lines = row(&report, "P002-typo");
    assert!(
        lines[0].ends_with("| EmailHandoffRequest | 1 violation(s) | 1 change(s)"),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("'custmer_email' was unexpected")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("round trip: dropped /custmer_email")),
        "{lines:#?}"
    );
}

#[test]
fn a_spec_property_the_rust_type_lacks_is_a_row() {
    let text = spec_text().replacen(
        "        message_count:\n",
        "        archived:\n          type: boolean\n        message_count:\n",
        1,
    );
    let report = reports::types_vs_spec(&Spec::from_yaml(&text).expect("spec"));
    assert!(
        report.contains("Chat: 1 difference(s)\n    archived: in the spec | missing\n"),
        "{report}"
    );
}

#[test]
fn a_changed_required_flag_is_a_row() {
    let original = spec_text();
    let text = original.replace(
        "      - chat_id\n      - sender\n      - content\n",
        "      - chat_id\n      - content\n",
    );
    assert_ne!(
        text, original,
        "MessageCore requires chat_id, sender and content"
    );
    let report = reports::types_vs_spec(&Spec::from_yaml(&text).expect("spec"));
    assert!(
        report.contains("MessageCore: 1 difference(s)\n    sender: required false | true\n"),
        "{report}"
    );
}

/// Every standalone JSON block of the three documentation pages is one of the examples in
/// `openapi/docs/examples` (the code-sample bodies are there too, but are not JSON blocks).
#[test]
fn every_json_block_of_the_pages_is_an_example() {
    let pages = root().join("../shared/optimly-docs");
    let Ok(entries) = std::fs::read_dir(&pages) else {
        eprintln!("skipped: {} is not beside the workspace", pages.display());
        return;
    };
    let bodies: Vec<serde_json::Value> = examples().into_iter().map(|e| e.body).collect();
    let mut blocks = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("page");
        for block in json_blocks(&text) {
            blocks += 1;
            assert!(
                bodies.contains(&block),
                "{}: a JSON block is missing from openapi/docs/examples:\n{block:#}",
                path.display()
            );
        }
    }
    assert_eq!(
        blocks, 15,
        "the pages' JSON blocks (8 on the tools page, 7 on the automations page)"
    );
}

/// The blocks that start with a line `{` and close at the matching `}`, parsed as JSON. A
/// block that is not JSON is returned as its text, so the caller can report it.
fn json_blocks(text: &str) -> Vec<serde_json::Value> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, i32)> = None;
    for line in text.lines() {
        if current.is_none() && line == "{" {
            current = Some((String::new(), 0));
        }
        let Some((buf, depth)) = &mut current else {
            continue;
        };
        buf.push_str(line);
        buf.push('\n');
        *depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        if *depth == 0 {
            let value = serde_json::from_str(buf)
                .unwrap_or_else(|_| serde_json::Value::String(buf.clone()));
            blocks.push(value);
            current = None;
        }
    }
    blocks
}

#[test]
fn every_component_schema_has_a_generated_type_in_the_drift_table() {
    let spec = Spec::from_yaml(&spec_text()).expect("spec");
    let mut names: Vec<&str> = workspace_tests::types::NAMES.to_vec();
    names.sort_unstable();
    assert_eq!(
        spec.component_names(),
        names,
        "update tests/src/types.rs when the spec's schemas change"
    );
}
