//! A redirect never moves the key: one to another origin ends the call with a typed error and
//! sends nothing there, whichever of the three auth ways carries the key, for a GET and a
//! POST; one within the configured origin is followed.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::KEY;
use httpmock::prelude::*;
use optimly::{AuthMethod, ErrorKind, OptimlyClient, RetryPolicy, Sender};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const AUTH_WAYS: [AuthMethod; 3] = [
    AuthMethod::Bearer,
    AuthMethod::ApiKeyHeader,
    AuthMethod::QueryParam,
];

/// A server on another loopback address (127.0.0.2, so another host as well as another
/// port) that records every byte it is sent and answers each request with a 200.
struct Recorder {
    origin: String,
    received: Arc<Mutex<Vec<u8>>>,
    connections: Arc<Mutex<usize>>,
}

impl Recorder {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.2:0")
            .await
            .expect("bind 127.0.0.2");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (bytes, count) = (received.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                *count.lock().expect("lock") += 1;
                let bytes = bytes.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    // One read is the request head (and a small body) on loopback.
                    if let Ok(n) = socket.read(&mut buf).await {
                        bytes.lock().expect("lock").extend_from_slice(&buf[..n]);
                    }
                    let body = r#"{"message_id":"stolen"}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        Self {
            origin,
            received,
            connections,
        }
    }

    fn connections(&self) -> usize {
        *self.connections.lock().expect("lock")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().expect("lock")).into_owned()
    }
}

fn client(server: &MockServer, auth: AuthMethod) -> OptimlyClient {
    OptimlyClient::builder()
        .api_key(KEY)
        .auth_method(auth)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::default().with_max_attempts(1))
        .attempt_timeout(Some(Duration::from_secs(5)))
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_no_key_reaches_it() {
    let recorder = Recorder::start().await;
    let server = MockServer::start_async().await;
    // What a FastAPI trailing-slash redirect behind a proxy that forgot the scheme looks
    // like: the request's own path and query (the key, in query mode), another origin.
    let history_target = format!(
        "{}/external/chat/chat_1/messages/?access_token_query={KEY}",
        recorder.origin
    );
    let message_target = format!("{}/external/message/new-message/", recorder.origin);
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/chat_1/messages");
            then.status(307).header("location", &history_target);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(307).header("location", &message_target);
        })
        .await;

    for auth in AUTH_WAYS {
        let client = client(&server, auth);
        let get = client.history("chat_1").await.expect_err("not followed");
        assert_eq!(
            get.kind(),
            &ErrorKind::Redirected {
                location: format!(
                    "{}/external/chat/chat_1/messages/?access_token_query=[redacted]",
                    recorder.origin
                )
            },
            "{auth:?} GET"
        );
        assert_eq!(get.status(), Some(307));
        assert_eq!(get.attempts(), 1, "a refused redirect is not retried");
        assert!(!get.to_string().contains(KEY), "{get}");
        assert!(!format!("{get:?}").contains(KEY), "{get:?}");

        let post = client
            .append_message("chat_1", Sender::User, "hi")
            .await
            .expect_err("not followed");
        assert_eq!(
            post.kind(),
            &ErrorKind::Redirected {
                location: message_target.clone()
            },
            "{auth:?} POST"
        );
        assert_eq!(
            post.to_string(),
            format!(
                "new_message: redirected (HTTP 307) to `{message_target}`, not followed: the key goes to the configured origin only"
            )
        );
        assert!(!post.server_may_have_acted());
    }
    assert_eq!(recorder.connections(), 0, "{}", recorder.text());
    assert!(!recorder.text().contains(KEY));
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    for auth in AUTH_WAYS {
        let server = MockServer::start_async().await;
        let keyed = |when: httpmock::When| match auth {
            AuthMethod::Bearer => when.header("authorization", format!("Bearer {KEY}")),
            AuthMethod::ApiKeyHeader => when.header("x-api-key", KEY),
            _ => when.query_param("access_token_query", KEY),
        };
        // Like FastAPI's own redirects, the Location keeps the request's query (the key, in
        // query mode).
        let query = match auth {
            AuthMethod::QueryParam => format!("?access_token_query={KEY}"),
            _ => String::new(),
        };
        let moved_get = server
            .mock_async(|when, then| {
                when.method(GET).path("/external/chat/chat_1/messages");
                then.status(307).header(
                    "location",
                    format!("/moved/external/chat/chat_1/messages{query}"),
                );
            })
            .await;
        let moved_post = server
            .mock_async(|when, then| {
                when.method(POST).path("/external/message/new-message");
                then.status(307).header(
                    "location",
                    format!("/moved/external/message/new-message{query}"),
                );
            })
            .await;
        let history = server
            .mock_async(|when, then| {
                keyed(
                    when.method(GET)
                        .path("/moved/external/chat/chat_1/messages"),
                );
                then.status(200)
                    .json_body(serde_json::json!([{"message_id": "msg_1"}]));
            })
            .await;
        // A 307 keeps the method and the body.
        let appended = server
            .mock_async(|when, then| {
                keyed(
                    when.method(POST)
                        .path("/moved/external/message/new-message")
                        .json_body_includes(r#"{"content": "hi"}"#),
                );
                then.status(200)
                    .json_body(serde_json::json!({"message_id": "msg_2"}));
            })
            .await;
        let client = client(&server, auth);
        let messages = client
            .history("chat_1")
            .await
            .unwrap_or_else(|e| panic!("{auth:?}: {e}"));
        assert_eq!(messages[0].id(), "msg_1", "{auth:?}");
        let message = client
            .append_message("chat_1", Sender::User, "hi")
            .await
            .expect("followed");
        assert_eq!(message.id(), "msg_2", "{auth:?}");
        for mock in [&moved_get, &moved_post, &history, &appended] {
            mock.assert_calls_async(1).await;
        }
    }
}

#[tokio::test]
async fn a_redirect_loop_within_the_origin_stops_after_three() {
    let server = MockServer::start_async().await;
    let looping = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/chat_1/messages");
            then.status(307)
                .header("location", "/external/chat/chat_1/messages");
        })
        .await;
    let err = client(&server, AuthMethod::Bearer)
        .history("chat_1")
        .await
        .expect_err("a loop");
    assert_eq!(
        err.kind(),
        &ErrorKind::Redirected {
            location: "/external/chat/chat_1/messages".into()
        }
    );
    looping
        .assert_calls_async(optimly::tls::MAX_REDIRECTS + 1)
        .await;
}
