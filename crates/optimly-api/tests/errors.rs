//! Error responses: every one reaches the caller whole, as `UnexpectedResponse` with its status,
//! headers and the bytes received (an undocumented status, an HTML or empty body included), and
//! the three documented error shapes in those bytes parse into the shared `Error`.

use httpmock::prelude::*;
use optimly_api::types::{self, ErrorDetail, LocationItem};
use optimly_api::{Auth, Client, Context, Error};
use serde_json::{Value, json};

/// Answer `POST /external/message/new-message` with `status`, `content_type` and `body`, and
/// return what the client made of it.
async fn new_message_answered_with(
    status: u16,
    content_type: &str,
    body: &str,
) -> Error<types::ApiErrorBody> {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(status)
                .header("content-type", content_type)
                .header("retry-after", "7")
                .body(body);
        })
        .await;
    let client = Client::new(&server.base_url(), Context::new(Auth::bearer("agt_k")));
    let err = client
        .new_message()
        .body(
            types::MessageCore::builder()
                .chat_id("chat_123")
                .sender(types::NewMessageSender::User)
                .content("hi"),
        )
        .send()
        .await
        .expect_err("an error status");
    mock.assert_async().await;
    err
}

async fn documented_error(status: u16, body: Value) -> (u16, types::ApiErrorBody) {
    let (got, _, text) = unexpected(status, "application/json", &body.to_string()).await;
    assert_eq!(text, body.to_string(), "the bytes as sent");
    (got, serde_json::from_str(&text).expect("the shared Error"))
}

#[tokio::test]
async fn tools_page_shape_parses_with_error_detail_and_status_code() {
    let (status, err) = documented_error(
        400,
        json!({"error": "Validation error", "detail": "email field is required", "status_code": 400}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err.error.as_deref(), Some("Validation error"));
    assert!(
        matches!(err.detail, Some(ErrorDetail::String(ref d)) if d == "email field is required")
    );
    assert_eq!(err.status_code, Some(400));
    assert_eq!(err.success, None);
}

#[tokio::test]
async fn external_overview_shape_parses_with_success_false() {
    let (status, err) = documented_error(
        401,
        json!({"success": false, "error": "Unauthorized", "detail": "Invalid API key"}),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(err.success, Some(false));
    assert_eq!(err.error.as_deref(), Some("Unauthorized"));
    assert!(matches!(err.detail, Some(ErrorDetail::String(ref d)) if d == "Invalid API key"));
    assert_eq!(err.status_code, None);
}

#[tokio::test]
async fn fastapi_validation_shape_parses_into_located_issues() {
    let (status, err) = documented_error(
        422,
        json!({"detail": [
            {"loc": ["body", "chat_id"], "msg": "field required", "type": "value_error.missing"},
            {"loc": ["body", "metadata", 0], "msg": "not a dict", "type": "type_error.dict", "input": 5}
        ]}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(err.error, None);
    let Some(ErrorDetail::Array(issues)) = err.detail else {
        panic!("expected a list of issues, got {:?}", err.detail);
    };
    assert_eq!(issues.len(), 2);
    let loc = issues[1].loc.as_deref().unwrap_or_default();
    let locs: Vec<String> = loc.iter().map(LocationItem::to_string).collect();
    assert_eq!(locs, ["body", "metadata", "0"]);
    assert!(matches!(loc[2], LocationItem::Integer(0)));
    assert_eq!(issues[0].msg.as_deref(), Some("field required"));
    assert_eq!(issues[0].type_.as_deref(), Some("value_error.missing"));
}

#[tokio::test]
async fn every_documented_error_status_parses_into_error() {
    for status in [400, 401, 403, 404, 422, 429, 500] {
        let (got, err) = documented_error(
            status,
            json!({"error": "e", "detail": format!("status {status}"), "status_code": status}),
        )
        .await;
        assert_eq!(got, status);
        assert_eq!(err.status_code, Some(i64::from(status)));
    }
}

#[tokio::test]
async fn retry_after_is_readable_on_a_429() {
    match new_message_answered_with(429, "application/json", r#"{"error":"Too Many Requests"}"#)
        .await
    {
        Error::UnexpectedResponse(response) => {
            assert_eq!(response.status().as_u16(), 429);
            assert_eq!(response.headers()["retry-after"], "7");
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

async fn unexpected(status: u16, content_type: &str, body: &str) -> (u16, String, String) {
    match new_message_answered_with(status, content_type, body).await {
        Error::UnexpectedResponse(response) => {
            let got = response.status().as_u16();
            let ct = response.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .to_owned();
            let text = response.text().await.expect("body is readable");
            (got, ct, text)
        }
        other => panic!("expected UnexpectedResponse for {status}, got {other:?}"),
    }
}

#[tokio::test]
async fn undocumented_status_surfaces_status_and_body() {
    let (status, _, body) = unexpected(503, "application/json", r#"{"error":"maintenance"}"#).await;
    assert_eq!(status, 503);
    assert_eq!(body, r#"{"error":"maintenance"}"#);
}

#[tokio::test]
async fn html_body_on_a_documented_status_keeps_its_status_and_body() {
    let html = "<html><body>502 Bad Gateway</body></html>";
    let (status, content_type, body) = unexpected(500, "text/html", html).await;
    assert_eq!(status, 500);
    assert_eq!(content_type, "text/html");
    assert_eq!(body, html);
}

#[tokio::test]
async fn empty_body_on_a_documented_status_keeps_its_status() {
    let (status, _, body) = unexpected(401, "application/json", "").await;
    assert_eq!(status, 401);
    assert_eq!(body, "");
}

#[tokio::test]
async fn json_that_is_not_an_error_object_keeps_its_status() {
    let (status, _, body) = unexpected(404, "application/json", r#""Not Found""#).await;
    assert_eq!(status, 404);
    assert_eq!(body, r#""Not Found""#);
}

#[tokio::test]
async fn undecodable_success_body_is_an_invalid_payload_with_the_bytes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/user_456/chats");
            then.status(200)
                .header("content-type", "application/json")
                .body("[{\"chat_id\": ");
        })
        .await;
    let client = Client::new(&server.base_url(), Context::new(Auth::None));
    let err = client
        .list_client_chats()
        .client_id("user_456")
        .send()
        .await
        .expect_err("truncated JSON");
    match err {
        Error::InvalidResponsePayload(bytes, _) => assert_eq!(&bytes[..], b"[{\"chat_id\": "),
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}
