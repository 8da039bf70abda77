//! Typed httpmock responses (feature `httpmock`): a client for an httpmock server, and the
//! answers of the situations your code must handle.

pub use httpmock::MockServer;
use httpmock::{Mock, When};
use optimly_api::Operation;
use optimly_api::operations::{CALL_AGENT_V2, NEW_CHAT};
use serde_json::{Value, json};

use super::DEFAULT_KEY;
use crate::{Error, OptimlyClient, RetryPolicy, ToolName};

/// A client for an httpmock server that does not retry, so a test sees each response as it is.
pub fn client_for(server: &MockServer) -> Result<OptimlyClient, Error> {
    OptimlyClient::builder()
        .api_key(DEFAULT_KEY)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::never())
        .build()
}

/// Match requests to `operation`: its method, and its path with any value in each parameter.
pub fn when_operation(when: When, operation: &Operation) -> When {
    let pattern: String = operation
        .path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "[^/]+".to_owned()
            } else {
                segment
                    .chars()
                    .map(|c| match c {
                        'a'..='z' | 'A'..='Z' | '0'..='9' | '_' => c.to_string(),
                        other => format!("\\{other}"),
                    })
                    .collect()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    when.method(operation.method.as_str())
        .path_matches(format!("^{pattern}$").as_str())
}

/// `POST /external/agent/v2` answers `text`, having run `tools`.
pub async fn agent_reply<'a>(server: &'a MockServer, text: &str, tools: &[ToolName]) -> Mock<'a> {
    let tools: Vec<Value> = tools
        .iter()
        .map(|t| json!({"tool": t.as_str(), "status": "executed", "data": {}}))
        .collect();
    let body = json!({"response": text, "tools_executed": tools, "handoff_data": null});
    server
        .mock_async(|when, then| {
            when_operation(when, &CALL_AGENT_V2);
            then.status(200).json_body(body);
        })
        .await
}

/// `POST /external/message/new-chat` creates the chat `chat_id`.
pub async fn chat_created<'a>(server: &'a MockServer, chat_id: &str) -> Mock<'a> {
    let body = json!({"chat_id": chat_id, "status": "active", "ai_enabled": true});
    server
        .mock_async(|when, then| {
            when_operation(when, &NEW_CHAT);
            then.status(200).json_body(body);
        })
        .await
}

/// Requests of `operation` are answered 429 with `Retry-After: <retry_after_secs>`.
pub async fn rate_limited<'a>(
    server: &'a MockServer,
    operation: &Operation,
    retry_after_secs: u64,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when_operation(when, operation);
            then.status(429)
                .header("retry-after", retry_after_secs.to_string())
                .json_body(json!({"error": "Too Many Requests", "detail": "rate limit exceeded", "status_code": 429}));
        })
        .await
}

/// Requests of `operation` are answered 422 with FastAPI's detail for `field` (a dotted path
/// in the body, such as `metadata.email`).
pub async fn validation_error<'a>(
    server: &'a MockServer,
    operation: &Operation,
    field: &str,
    msg: &str,
) -> Mock<'a> {
    let mut loc = vec![Value::from("body")];
    loc.extend(field.split('.').map(Value::from));
    let body = json!({"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]});
    server
        .mock_async(|when, then| {
            when_operation(when, operation);
            then.status(422).json_body(body);
        })
        .await
}

/// Requests of `operation` are answered 404 in the tools page's error shape.
pub async fn not_found<'a>(server: &'a MockServer, operation: &Operation) -> Mock<'a> {
    let detail = format!("{} not found", operation.path);
    server
        .mock_async(|when, then| {
            when_operation(when, operation);
            then.status(404)
                .json_body(json!({"error": "Not Found", "detail": detail, "status_code": 404}));
        })
        .await
}

/// Requests of `operation` are answered 401 in the external overview's error shape.
pub async fn unauthorized<'a>(server: &'a MockServer, operation: &Operation) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when_operation(when, operation);
            then.status(401).json_body(
                json!({"success": false, "error": "Unauthorized", "detail": "Invalid API key"}),
            );
        })
        .await
}
