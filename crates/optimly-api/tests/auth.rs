//! Each of the three documented auth ways puts the key exactly where the docs say, and
//! nowhere else.

use httpmock::prelude::*;
use optimly_api::{Auth, Client, Context, types};
use serde_json::json;

const KEY: &str = "agt_CANARY0123456789abcdefghijklmnop";

/// Where a request must carry the key.
#[derive(Clone, Copy)]
enum Way {
    Bearer,
    Header,
    Query,
    Nowhere,
}

/// Require the key in `way` and its absence from the other two places.
fn key_only_in(when: httpmock::When, way: Way) -> httpmock::When {
    match way {
        Way::Bearer => when
            .header("authorization", format!("Bearer {KEY}"))
            .header_missing("x-api-key")
            .query_param_missing("access_token_query"),
        Way::Header => when
            .header("x-api-key", KEY)
            .header_missing("authorization")
            .query_param_missing("access_token_query"),
        Way::Query => when
            .query_param("access_token_query", KEY)
            .header_missing("authorization")
            .header_missing("x-api-key"),
        Way::Nowhere => when
            .header_missing("authorization")
            .header_missing("x-api-key")
            .query_param_missing("access_token_query"),
    }
}

/// Send one GET and one POST with `auth`; the mocks only answer requests that carry the key
/// as `way` says and in no other place.
async fn sends_key_only_where(auth: Auth, way: Way) {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            key_only_in(
                when.method(GET).path("/external/chat/chat_123/messages"),
                way,
            );
            then.status(200).json_body(json!([]));
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            key_only_in(
                when.method(POST)
                    .path("/external/message/email-handoff")
                    .json_body(json!({"chat_id": "chat_123"})),
                way,
            );
            then.status(200)
                .json_body(json!({"handoff_id": "handoff_1"}));
        })
        .await;

    let client = Client::new(&server.base_url(), Context::new(auth));
    client
        .list_chat_messages()
        .chat_id("chat_123")
        .send()
        .await
        .expect("GET answered");
    client
        .email_handoff()
        .body(types::EmailHandoffRequest::builder().chat_id("chat_123"))
        .send()
        .await
        .expect("POST answered");
    get.assert_async().await;
    post.assert_async().await;
}

#[tokio::test]
async fn bearer_key_goes_only_in_the_authorization_header() {
    sends_key_only_where(Auth::bearer(KEY), Way::Bearer).await;
}

#[tokio::test]
async fn api_key_header_goes_only_in_x_api_key() {
    sends_key_only_where(Auth::api_key_header(KEY), Way::Header).await;
}

#[tokio::test]
async fn query_key_goes_only_in_access_token_query() {
    sends_key_only_where(Auth::query_param(KEY), Way::Query).await;
}

#[tokio::test]
async fn no_auth_sends_no_credentials() {
    sends_key_only_where(Auth::None, Way::Nowhere).await;
}

#[test]
fn client_debug_does_not_show_the_key() {
    let client = Client::new("http://127.0.0.1:1", Context::new(Auth::bearer(KEY)));
    let printed = format!("{client:?}");
    assert!(!printed.contains(KEY), "{printed}");
    assert!(printed.contains("Bearer([redacted])"), "{printed}");
}
