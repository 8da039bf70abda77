//! Every error kind from a real HTTP response, the call's context stored once (operation,
//! attempts, status, body, source), and invalid input that never reaches the network.

mod common;

use std::time::Duration;

use common::{KEY, closed_port, harness, harness_with};
use httpmock::prelude::*;
use optimly::{
    AppointmentRequest, AuthMethod, EmailHandoff, Error, ErrorKind, FieldIssue, Lead,
    OptimlyClient, RetryPolicy, Sender,
};
use optimly_api::operations::{
    CALL_AGENT_V2, CREATE_CHAT, EMAIL_HANDOFF, LIST_CHAT_MESSAGES, LIST_CLIENT_CHATS, NEW_CHAT,
    NEW_MESSAGE,
};
use serde_json::json;

/// `POST /external/message/new-message` answered with `status` and `body`, no retries.
async fn post_answered(status: u16, body: &str) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            let then = then
                .status(status)
                .header("content-type", "application/json");
            let then = if status == 429 {
                then.header("retry-after", "30")
            } else {
                then
            };
            then.body(body);
        })
        .await;
    let err = harness_with(&server, AuthMethod::Bearer, RetryPolicy::never())
        .client
        .append_message("chat_123", Sender::User, "hi")
        .await
        .expect_err("an error");
    mock.assert_async().await;
    err
}

#[tokio::test(start_paused = true)]
async fn unauthorized_carries_the_overview_shape() {
    let err = post_answered(
        401,
        r#"{"success": false, "error": "Unauthorized", "detail": "Invalid API key"}"#,
    )
    .await;
    assert_eq!(err.kind(), &ErrorKind::Unauthorized, "{err:?}");
    assert_eq!(err.operation(), Some(&NEW_MESSAGE));
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        err.to_string(),
        "new_message: unauthorized (HTTP 401): Unauthorized: Invalid API key"
    );
}

#[tokio::test(start_paused = true)]
async fn forbidden_and_not_found() {
    let forbidden = post_answered(403, r#"{"detail": "Plan does not include API access"}"#).await;
    assert_eq!(forbidden.kind(), &ErrorKind::Forbidden);
    assert_eq!(
        forbidden.to_string(),
        "new_message: forbidden (HTTP 403): Plan does not include API access"
    );
    let not_found = post_answered(
        404,
        r#"{"error": "Not Found", "detail": "Chat chat_123 not found", "status_code": 404}"#,
    )
    .await;
    assert_eq!(not_found.kind(), &ErrorKind::NotFound);
    // The body as the server sent it, byte for byte.
    assert_eq!(
        not_found.body(),
        Some(r#"{"error": "Not Found", "detail": "Chat chat_123 not found", "status_code": 404}"#)
    );
}

#[tokio::test(start_paused = true)]
async fn validation_carries_fastapi_field_issues() {
    let err = post_answered(
        422,
        r#"{"detail": [{"loc": ["body", "chat_id"], "msg": "field required", "type": "value_error.missing"},
                       {"loc": ["body", "metadata", "email"], "msg": "value is not a valid email address", "type": "value_error.email"}]}"#,
    )
    .await;
    let ErrorKind::RefusedByServer { fields } = err.kind() else {
        panic!("{err:?}")
    };
    assert_eq!(err.status(), Some(422));
    assert_eq!(fields, err.fields());
    assert_eq!(
        fields,
        &[
            FieldIssue::new("chat_id", "field required").with_kind("value_error.missing"),
            FieldIssue::new("metadata.email", "value is not a valid email address")
                .with_kind("value_error.email"),
        ]
    );
    assert_eq!(
        err.to_string(),
        "new_message: rejected (HTTP 422): chat_id: field required; metadata.email: value is not a valid email address"
    );
}

#[tokio::test(start_paused = true)]
async fn a_400_in_the_tools_shape_is_a_validation_error_without_fields() {
    let err = post_answered(
        400,
        r#"{"error": "Validation error", "detail": "email field is required", "status_code": 400}"#,
    )
    .await;
    assert!(
        matches!(err.kind(), ErrorKind::RefusedByServer { fields } if fields.is_empty()),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "new_message: rejected (HTTP 400): Validation error: email field is required"
    );
}

#[tokio::test(start_paused = true)]
async fn rate_limited_carries_retry_after() {
    let err = post_answered(429, r#"{"error": "Too Many Requests"}"#).await;
    assert_eq!(err.kind(), &ErrorKind::RateLimitedByServer);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(
        err.to_string(),
        "new_message: rate limited (HTTP 429, retry after 30s): Too Many Requests"
    );
}

#[tokio::test(start_paused = true)]
async fn server_error_with_an_html_body_keeps_status_and_body() {
    let err = post_answered(500, "<html><body>Internal Server Error</body></html>").await;
    assert_eq!(err.kind(), &ErrorKind::Server);
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        err.body(),
        Some("<html><body>Internal Server Error</body></html>")
    );
    assert_eq!(
        err.to_string(),
        "new_message: server error (HTTP 500): <html><body>Internal Server Error</body></html>"
    );
}

#[tokio::test(start_paused = true)]
async fn an_undocumented_status_is_an_api_error() {
    let err = post_answered(409, r#"{"error": "Conflict"}"#).await;
    assert_eq!(err.kind(), &ErrorKind::Api);
    assert_eq!(
        err.to_string(),
        "new_message: unexpected status (HTTP 409): Conflict"
    );
}

#[tokio::test(start_paused = true)]
async fn a_garbled_success_is_a_decode_error_with_the_body() {
    let err = post_answered(200, r#"{"chat_id": "chat_123"}"#).await;
    assert_eq!(err.kind(), &ErrorKind::Decode, "{err:?}");
    assert_eq!(
        (err.operation(), err.status()),
        (Some(&NEW_MESSAGE), Some(200))
    );
    assert_eq!(err.body(), Some(r#"{"chat_id": "chat_123"}"#));
    let reason = std::error::Error::source(&err)
        .expect("the cause")
        .to_string();
    assert!(reason.contains("missing field `message_id`"), "{reason}");
}

#[tokio::test(start_paused = true)]
async fn a_201_with_a_valid_body_is_accepted() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-chat");
            then.status(201).json_body(json!({"chat_id": "chat_1"}));
        })
        .await;
    let chat = harness(&server)
        .client
        .create_chat("u")
        .await
        .expect("a 201 is a success");
    assert_eq!(chat.id(), "chat_1");
}

#[tokio::test(start_paused = true)]
async fn a_slow_response_is_a_timeout() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/c/messages");
            then.status(200)
                .delay(Duration::from_millis(800))
                .json_body(json!([]));
        })
        .await;
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .attempt_timeout(Some(Duration::from_millis(100)))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let err = client.history("c").await.expect_err("timeout");
    assert_eq!(err.kind(), &ErrorKind::Timeout { sent: true }, "{err:?}");
    assert_eq!(
        (err.operation(), err.attempts()),
        (Some(&LIST_CHAT_MESSAGES), 1)
    );
    assert_eq!(
        std::error::Error::source(&err).map(ToString::to_string),
        Some("no response within 100 ms".to_owned())
    );
    assert_eq!(
        err.to_string(),
        "list_chat_messages: timed out after 1 attempt(s)"
    );
    mock.assert_async().await;
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_a_connection_error_before_sending() {
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{}", closed_port()))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let err = client.history("c").await.expect_err("refused");
    assert_eq!(
        err.kind(),
        &ErrorKind::Connection { sent: false },
        "{err:?}"
    );
    assert_eq!(
        (err.operation(), err.attempts()),
        (Some(&LIST_CHAT_MESSAGES), 1)
    );
    // The cause is kept, as reqwest's own error, with the URL taken out of it.
    let cause = std::error::Error::source(&err).expect("a cause");
    let transport = cause
        .downcast_ref::<reqwest::Error>()
        .expect("reqwest's error");
    assert!(transport.is_connect());
    assert_eq!(transport.url(), None);
    let line = err.to_string();
    assert!(
        line.starts_with("list_chat_messages: connection failed: "),
        "{line}"
    );
    assert!(!line.contains("127.0.0.1"), "no URL in the message: {line}");
}

/// Counts every request: a test of local validation asserts it saw none.
async fn any_request(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        })
        .await
}

/// One local problem's field path, from an error that must be invalid input.
fn only_field(e: Error) -> String {
    match e.kind() {
        ErrorKind::RefusedLocally { fields } if fields.len() == 1 => fields[0].field().to_owned(),
        _ => panic!("{e:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn invalid_input_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = any_request(&server).await;
    let client = harness(&server).client;
    let appointment =
        |date: &str, time: &str| AppointmentRequest::new("Jane", "jane@company.com", date, time);
    let cases: Vec<(Result<(), Error>, &str, &optimly::Operation)> = vec![
        (
            client
                .capture_lead("c", &Lead::new("not-an-email"))
                .await
                .map(drop),
            "metadata.email",
            &NEW_MESSAGE,
        ),
        (
            client
                .start_lead_chat("u", &Lead::new("x@y"))
                .await
                .map(drop),
            "metadata.email",
            &NEW_CHAT,
        ),
        (
            client
                .request_appointment("c", &appointment("2025-02-30", "14:00"))
                .await
                .map(drop),
            "metadata.date",
            &NEW_MESSAGE,
        ),
        (
            client
                .request_appointment("c", &appointment("2025-06-20", "25:00"))
                .await
                .map(drop),
            "metadata.time",
            &NEW_MESSAGE,
        ),
        (
            client
                .request_appointment(
                    "c",
                    &AppointmentRequest {
                        duration_minutes: 0,
                        ..appointment("2025-06-20", "14:00")
                    },
                )
                .await
                .map(drop),
            "metadata.duration_minutes",
            &NEW_MESSAGE,
        ),
        (
            client
                .hand_off(
                    "c",
                    &EmailHandoff {
                        customer_email: Some("@".into()),
                        ..EmailHandoff::default()
                    },
                )
                .await
                .map(drop),
            "customer_email",
            &EMAIL_HANDOFF,
        ),
        (
            client
                .hand_off("", &EmailHandoff::default())
                .await
                .map(drop),
            "chat_id",
            &EMAIL_HANDOFF,
        ),
        (
            client.ask("c", "   ").await.map(drop),
            "content",
            &CALL_AGENT_V2,
        ),
        (
            client.ask("", "hi").await.map(drop),
            "chat_id",
            &CALL_AGENT_V2,
        ),
        (
            client.history("").await.map(drop),
            "chat_id",
            &LIST_CHAT_MESSAGES,
        ),
        (
            client.list_chats(" ").await.map(drop),
            "client_id",
            &LIST_CLIENT_CHATS,
        ),
        (
            client
                .create_chat("")
                .endpoint(optimly::ChatEndpoint::Chat)
                .await
                .map(drop),
            "client_id",
            &CREATE_CHAT,
        ),
        (
            client.append_message("", Sender::User, "x").await.map(drop),
            "chat_id",
            &NEW_MESSAGE,
        ),
    ];
    for (result, field, operation) in cases {
        let err = result.expect_err(field);
        assert_eq!(
            (err.operation(), err.attempts(), err.status()),
            (Some(operation), 0, None),
            "{err:?}"
        );
        assert_eq!(only_field(err), field);
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test(start_paused = true)]
async fn a_request_with_three_bad_fields_reports_all_three_with_wire_paths_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = any_request(&server).await;
    let client = harness(&server).client;
    let request = AppointmentRequest::new("Jane", "jane@", "2026-02-30", "9am");
    let err = client
        .request_appointment("chat_1", &request)
        .await
        .expect_err("three problems");
    assert_eq!(
        err.fields(),
        [
            FieldIssue::new(
                "metadata.email",
                "is not an email address like name@example.com"
            )
            .with_kind("value_error"),
            FieldIssue::new("metadata.date", "`2026-02-30` is not a real date")
                .with_kind("value_error"),
            FieldIssue::new("metadata.time", "`9am` is not written HH:MM").with_kind("value_error"),
        ]
    );
    assert_eq!(
        err.to_string(),
        "new_message: invalid input: metadata.email: is not an email address like \
         name@example.com; metadata.date: `2026-02-30` is not a real date; metadata.time: \
         `9am` is not written HH:MM"
    );
    assert_eq!(any.calls_async().await, 0);
}
