//! Every error variant from a real HTTP response, and invalid input that never reaches the
//! network.

mod common;

use std::time::Duration;

use common::{KEY, closed_port, harness, harness_with};
use httpmock::prelude::*;
use optimly::{
    AppointmentRequest, AuthMethod, EmailHandoff, Error, FieldIssue, Lead, OptimlyClient,
    RetryPolicy, Sender,
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

#[tokio::test]
async fn unauthorized_carries_the_overview_shape() {
    let err = post_answered(
        401,
        r#"{"success": false, "error": "Unauthorized", "detail": "Invalid API key"}"#,
    )
    .await;
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert_eq!(err.operation(), Some("new_message"));
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        err.to_string(),
        "new_message: unauthorized (HTTP 401): Unauthorized: Invalid API key"
    );
}

#[tokio::test]
async fn forbidden_and_not_found() {
    let forbidden = post_answered(403, r#"{"detail": "Plan does not include API access"}"#).await;
    assert!(matches!(forbidden, Error::Forbidden(_)));
    assert_eq!(
        forbidden.to_string(),
        "new_message: forbidden (HTTP 403): Plan does not include API access"
    );
    let not_found = post_answered(
        404,
        r#"{"error": "Not Found", "detail": "Chat chat_123 not found", "status_code": 404}"#,
    )
    .await;
    assert!(matches!(not_found, Error::NotFound(_)));
    assert_eq!(
        not_found.body(),
        Some(r#"{"detail":"Chat chat_123 not found","error":"Not Found","status_code":404}"#)
    );
}

#[tokio::test]
async fn validation_carries_fastapi_field_issues() {
    let err = post_answered(
        422,
        r#"{"detail": [{"loc": ["body", "chat_id"], "msg": "field required", "type": "value_error.missing"},
                       {"loc": ["body", "metadata", "email"], "msg": "value is not a valid email address", "type": "value_error.email"}]}"#,
    )
    .await;
    let Error::Validation { fields, failure } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.status, 422);
    assert_eq!(
        fields,
        &[
            FieldIssue {
                field: "chat_id".into(),
                message: "field required".into(),
                kind: Some("value_error.missing".into())
            },
            FieldIssue {
                field: "metadata.email".into(),
                message: "value is not a valid email address".into(),
                kind: Some("value_error.email".into()),
            },
        ]
    );
    assert_eq!(
        err.to_string(),
        "new_message: rejected (HTTP 422): chat_id: field required; metadata.email: value is not a valid email address"
    );
}

#[tokio::test]
async fn a_400_in_the_tools_shape_is_a_validation_error_without_fields() {
    let err = post_answered(
        400,
        r#"{"error": "Validation error", "detail": "email field is required", "status_code": 400}"#,
    )
    .await;
    assert!(
        matches!(&err, Error::Validation { fields, .. } if fields.is_empty()),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "new_message: rejected (HTTP 400): Validation error: email field is required"
    );
}

#[tokio::test]
async fn rate_limited_carries_retry_after() {
    let err = post_answered(429, r#"{"error": "Too Many Requests"}"#).await;
    assert!(matches!(err, Error::RateLimited(_)));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(
        err.to_string(),
        "new_message: rate limited (HTTP 429, retry after 30s): Too Many Requests"
    );
}

#[tokio::test]
async fn server_error_with_an_html_body_keeps_status_and_body() {
    let err = post_answered(500, "<html><body>Internal Server Error</body></html>").await;
    assert!(matches!(err, Error::Server(_)));
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

#[tokio::test]
async fn an_undocumented_status_is_an_api_error() {
    let err = post_answered(409, r#"{"error": "Conflict"}"#).await;
    assert!(matches!(err, Error::Api(_)));
    assert_eq!(
        err.to_string(),
        "new_message: unexpected status (HTTP 409): Conflict"
    );
}

#[tokio::test]
async fn a_garbled_success_is_a_decode_error_with_the_body() {
    let err = post_answered(200, r#"{"chat_id": "chat_123"}"#).await;
    let Error::Decode {
        status,
        body,
        reason,
        operation,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*operation, *status), ("new_message", 200));
    assert_eq!(body, r#"{"chat_id": "chat_123"}"#);
    assert!(reason.contains("missing field `message_id`"), "{reason}");
}

#[tokio::test]
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

#[tokio::test]
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
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "list_chat_messages",
                attempts: 1,
                sent: true
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "list_chat_messages: timed out after 1 attempt(s)"
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error_before_sending() {
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{}", closed_port()))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let err = client.history("c").await.expect_err("refused");
    let Error::Connection {
        operation,
        sent,
        message,
        attempts,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*operation, *sent, *attempts),
        ("list_chat_messages", false, 1)
    );
    assert!(message.starts_with("could not connect"), "{message}");
    assert!(
        !message.contains("127.0.0.1"),
        "no URL in the message: {message}"
    );
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        })
        .await;
    let client = harness(&server).client;
    let field = |e: Error| match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("{other:?}"),
    };
    let appointment =
        |date: &str, time: &str| AppointmentRequest::new("Jane", "jane@company.com", date, time);
    assert_eq!(
        field(
            client
                .capture_lead("c", &Lead::new("not-an-email"))
                .await
                .expect_err("email")
        ),
        "email"
    );
    assert_eq!(
        field(
            client
                .start_lead_chat("u", &Lead::new("x@y"))
                .await
                .expect_err("email")
        ),
        "email"
    );
    assert_eq!(
        field(
            client
                .request_appointment("c", &appointment("2025-02-30", "14:00"))
                .await
                .expect_err("date")
        ),
        "date"
    );
    assert_eq!(
        field(
            client
                .request_appointment("c", &appointment("2025-06-20", "25:00"))
                .await
                .expect_err("time")
        ),
        "time"
    );
    assert_eq!(
        field(
            client
                .request_appointment("c", &appointment("2025-06-20", "14:00").duration_minutes(0))
                .await
                .expect_err("0")
        ),
        "duration_minutes"
    );
    assert_eq!(
        field(
            client
                .hand_off("c", &EmailHandoff::new().customer_email("@"))
                .await
                .expect_err("email")
        ),
        "customer_email"
    );
    assert_eq!(
        field(
            client
                .hand_off("", &EmailHandoff::new())
                .await
                .expect_err("chat")
        ),
        "chat_id"
    );
    assert_eq!(
        field(client.ask("c", "   ").await.expect_err("content")),
        "content"
    );
    assert_eq!(
        field(client.ask("", "hi").await.expect_err("chat")),
        "chat_id"
    );
    assert_eq!(
        field(client.history("").await.expect_err("chat")),
        "chat_id"
    );
    assert_eq!(
        field(client.list_chats(" ").await.expect_err("client")),
        "client_id"
    );
    assert_eq!(
        field(client.create_chat("").await.expect_err("client")),
        "client_id"
    );
    assert_eq!(
        field(
            client
                .append_message("", Sender::User, "x")
                .await
                .expect_err("chat")
        ),
        "chat_id"
    );
    assert_eq!(any.calls_async().await, 0);
}
