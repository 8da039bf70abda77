//! Unit tests of [`super`].

use super::*;

#[test]
fn a_spec_file_is_a_base_as_well_as_a_revision() {
    let layout = Layout::workspace();
    let file = format!(
        "{}/fixtures/spec-diff/base.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    assert_eq!(base_spec(&layout, &file).expect("file"), fixture("base"));
    let missing = base_spec(&layout, "no-such-revision-or-file").expect_err("neither");
    assert!(
        missing
            .to_string()
            .contains("neither a spec file nor a revision"),
        "{missing}"
    );
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/fixtures/spec-diff/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect(&path);
    serde_yaml::from_str(&text).expect("fixture parses")
}

/// (wire breaking, Rust breaking, where, what)
type Row = (bool, bool, String, String);

fn changes(name: &str) -> Vec<Row> {
    diff(&fixture("base"), &fixture(name))
        .into_iter()
        .map(|c| (c.breaking, c.rust_breaking, c.location, c.what))
        .collect()
}

fn row(breaking: bool, rust: bool, location: &str, what: &str) -> Row {
    (breaking, rust, location.to_owned(), what.to_owned())
}

#[test]
fn identical_specs_have_no_changes() {
    assert!(diff(&fixture("base"), &fixture("base")).is_empty());
}

#[test]
fn a_removed_operation_is_breaking() {
    assert_eq!(
        changes("removed-operation"),
        [row(
            true,
            true,
            "operation list_messages",
            "removed (GET /chats/{chat_id}/messages)"
        )]
    );
}

#[test]
fn a_removed_response_field_is_breaking() {
    assert_eq!(
        changes("removed-response-field"),
        [row(
            true,
            true,
            "components.schemas.Message.created_at",
            "response field removed"
        )]
    );
}

#[test]
fn a_new_required_request_field_is_breaking() {
    assert_eq!(
        changes("new-required-field"),
        [row(
            true,
            true,
            "components.schemas.MessageCore.channel",
            "new required request field"
        )]
    );
}

#[test]
/// The fixture's enum is a plain `enum`: a new value is compatible on the wire, but an
/// exhaustive Rust enum's new variant breaks every `match`.
fn a_narrowed_enum_is_breaking_and_a_widened_one_is_not() {
    assert_eq!(
        changes("narrowed-enum"),
        [
            row(
                true,
                true,
                "components.schemas.Sender",
                "enum narrowed: `assistant` removed"
            ),
            row(
                false,
                true,
                "components.schemas.Sender",
                "enum value `system` added"
            ),
        ]
    );
}

#[test]
fn a_changed_type_is_breaking() {
    assert_eq!(
        changes("changed-type"),
        [row(
            true,
            true,
            "components.schemas.Message.created_at",
            "type changed: string -> integer"
        )]
    );
}

#[test]
fn a_new_constraint_on_a_request_field_is_breaking_on_the_wire_only() {
    assert_eq!(
        changes("new-constraint"),
        [row(
            true,
            false,
            "components.schemas.MessageCore.content",
            "new constraint: maxLength 2000"
        )]
    );
}

#[test]
fn changed_auth_is_breaking() {
    assert_eq!(
        changes("changed-auth"),
        [
            row(
                true,
                false,
                "security",
                r#"requirement {"bearerAuth":[]} removed"#
            ),
            row(
                true,
                false,
                "securitySchemes.apiKeyHeader",
                r#"auth way changed: {"in":"header","name":"X-API-Key","type":"apiKey"} -> {"in":"header","name":"x_api_key","type":"apiKey"}"#
            ),
        ]
    );
}

#[test]
fn additions_are_compatible() {
    assert_eq!(
        changes("compatible"),
        [
            row(
                false,
                false,
                "components.schemas.Message.processed",
                "response field added"
            ),
            row(
                false,
                false,
                "components.schemas.MessageCore.source",
                "request field added"
            ),
            row(false, false, "operation list_messages", "deprecated"),
            row(false, false, "operation new_chat", "added (POST /chats)"),
        ]
    );
    assert!(
        table(&diff(&fixture("base"), &fixture("compatible")))
            .ends_with("4 change(s): 0 breaking on the wire, 0 breaking for Rust code\n")
    );
}

/// Where the wire and Rust code disagree: a moved operation keeps its Rust method; a value
/// of an open enum is a `#[non_exhaustive]` variant; a new required response field and a
/// request field turned optional change Rust types that clients on the wire ignore.
#[test]
fn rust_code_breaks_where_the_wire_does_not_and_the_other_way_round() {
    assert_eq!(
        changes("rust-only"),
        [
            row(
                false,
                true,
                "components.schemas.Message.chat_id",
                "response field added"
            ),
            row(
                false,
                true,
                "components.schemas.MessageCore.content",
                "request field became optional"
            ),
            row(
                true,
                false,
                "operation new_message",
                "moved from POST /messages to POST /v2/messages"
            ),
            row(
                false,
                false,
                "components.schemas.Sender",
                "enum value `system` added"
            ),
        ]
    );
    let table = table(&diff(&fixture("base"), &fixture("rust-only")));
    assert!(
        table.contains(
            "compatible | compatible | components.schemas.Sender | enum value `system` added | a new variant of a #[non_exhaustive] open enum\n"
        ),
        "{table}"
    );
    assert!(
        table.ends_with("4 change(s): 1 breaking on the wire, 2 breaking for Rust code\n"),
        "{table}"
    );
}

/// A field gone and a new one of the same type: one row, naming the new field's pointer, and
/// breaking for Rust until the overlay pins the old name with `x-rust-name`.
#[test]
fn a_renamed_field_is_named_with_its_pointer() {
    assert_eq!(
        changes("renamed-field"),
        [row(
            true,
            true,
            "components.schemas.Message.created_at",
            "response field renamed on the wire: `created_at` -> `timestamp` (/components/schemas/Message/properties/timestamp)"
        )]
    );
    let mut pinned = fixture("renamed-field");
    pinned["components"]["schemas"]["Message"]["properties"]["timestamp"]["x-rust-name"] =
        "created_at".into();
    let rows = diff(&fixture("base"), &pinned);
    assert_eq!(
        rows.iter()
            .map(|c| (c.breaking, c.rust_breaking, c.rust))
            .collect::<Vec<_>>(),
        [(true, false, "x-rust-name keeps the Rust field's name")]
    );
}

/// A vendor that closes a list of values: breaking in a request (other values are refused)
/// and for Rust unless `x-extensible-enum` keeps the enum open.
#[test]
fn a_closed_enum_is_named_and_classified_by_direction() {
    let mut open = fixture("base");
    let sender = &mut open["components"]["schemas"]["Sender"];
    let values = sender["enum"].clone();
    sender.as_object_mut().expect("a schema").remove("enum");
    assert_eq!(
        diff(&open, &fixture("base"))
            .into_iter()
            .map(|c| (c.breaking, c.rust_breaking, c.location, c.what))
            .collect::<Vec<_>>(),
        [row(
            true,
            true,
            "components.schemas.Sender",
            "closed enum: only [\"user\",\"assistant\"] are valid now; other values are refused"
        )]
    );
    // Sent only, and kept open by us: compatible both ways.
    let mut sent_only = fixture("base");
    sent_only["components"]["schemas"]["MessageCore"]["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("sender");
    let mut closed = sent_only.clone();
    sent_only["components"]["schemas"]["Sender"]
        .as_object_mut()
        .expect("a schema")
        .remove("enum");
    closed["components"]["schemas"]["Sender"]["x-extensible-enum"] = values;
    let rows = diff(&sent_only, &closed);
    assert!(
        rows.iter()
            .any(|c| c.location == "components.schemas.Sender"
                && c.what == "closed enum: only [\"user\",\"assistant\"] are valid now"
                && !c.breaking
                && !c.rust_breaking),
        "{rows:?}"
    );
}
