//! Unit tests of [`super`].

use super::*;
use optimly_api::operations::NEW_MESSAGE;

fn failure(status: u16, body: serde_json::Value) -> Error {
    Error::from_status(status, body.to_string(), None).ended(&NEW_MESSAGE, 1)
}

#[test]
fn display_is_one_line_with_the_api_message() {
    let e = failure(
        400,
        serde_json::json!({"error": "Validation error", "detail": "email field is required", "status_code": 400}),
    );
    assert_eq!(
        e.to_string(),
        "new_message: rejected (HTTP 400): Validation error: email field is required"
    );
}

#[test]
fn fastapi_detail_becomes_field_issues() {
    let e = failure(
        422,
        serde_json::json!({"detail": [{"loc": ["body", "chat_id"], "msg": "field required", "type": "value_error.missing"}]}),
    );
    let expected =
        vec![FieldIssue::new("chat_id", "field required").with_kind("value_error.missing")];
    assert_eq!(
        e.kind(),
        &ErrorKind::RefusedByServer {
            fields: expected.clone()
        }
    );
    assert_eq!(e.fields(), expected.as_slice());
    assert_eq!(
        e.to_string(),
        "new_message: rejected (HTTP 422): chat_id: field required"
    );
}

#[test]
fn rate_limited_line_names_the_wait() {
    let e = Error::from_status(
        429,
        serde_json::json!({"error": "Too Many Requests"}).to_string(),
        Some(Duration::from_secs(7)),
    )
    .ended(&NEW_MESSAGE, 3);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.attempts(), 3);
    assert_eq!(
        e.to_string(),
        "new_message: rate limited (HTTP 429, retry after 7s): Too Many Requests"
    );
}

#[test]
fn a_non_json_body_is_shown_flattened_and_cut() {
    let html = format!("<html>\n  <body>{}</body></html>", "x".repeat(300));
    let line = Error::from_status(502, html, None)
        .ended(&NEW_MESSAGE, 1)
        .to_string();
    assert!(
        line.starts_with("new_message: server error (HTTP 502): <html> <body>xxx"),
        "{line}"
    );
    assert!(line.ends_with('…'), "{line}");
    assert_eq!(
        Error::from_status(404, String::new(), None)
            .ended(&NEW_MESSAGE, 1)
            .to_string(),
        "new_message: not found (HTTP 404): (empty body)"
    );
}

#[test]
fn statuses_map_to_their_kinds() {
    let kind = |s| failure(s, serde_json::json!({})).kind().clone();
    let got: Vec<_> = [400, 401, 403, 404, 409, 422, 429, 500, 503]
        .map(kind)
        .into();
    let validation = ErrorKind::RefusedByServer { fields: Vec::new() };
    assert_eq!(
        got,
        [
            validation.clone(),
            ErrorKind::Unauthorized,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::Api,
            validation,
            ErrorKind::RateLimitedByServer,
            ErrorKind::Server,
            ErrorKind::Server,
        ]
    );
}

#[test]
fn every_local_problem_is_listed_in_one_line() {
    let e = Error::refused_locally(vec![
        FieldIssue::new("metadata.email", "is not an email address").with_kind("value_error"),
        FieldIssue::new("metadata.date", "`2026-02-30` is not a real date")
            .with_kind("value_error"),
    ])
    .ended(&NEW_MESSAGE, 0);
    assert_eq!(
        e.to_string(),
        "new_message: invalid input: metadata.email: is not an email address; \
         metadata.date: `2026-02-30` is not a real date"
    );
    assert_eq!(e.fields().len(), 2);
    assert_eq!(e.status(), None);
}

#[test]
fn a_decode_failure_keeps_its_cause_as_the_source() {
    let e = Error::undecodable(200, "{}".into(), "missing field `chat_id`".into())
        .ended(&NEW_MESSAGE, 2);
    assert_eq!(
        std::error::Error::source(&e).map(ToString::to_string),
        Some("missing field `chat_id`".to_owned())
    );
    assert_eq!(
        e.to_string(),
        "new_message: could not decode the response (HTTP 200, so the server acted on it: check before sending it again): missing field `chat_id`"
    );
    assert_eq!((e.attempts(), e.body()), (2, Some("{}")));
}
