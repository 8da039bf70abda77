//! A canary key must never appear in `Debug` or `Display` of the client or of any error, nor in
//! captured tracing output, whichever auth way carries it.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::KEY;
use httpmock::prelude::*;
use optimly::{
    AuthMethod, ClientBuilder, Error, ErrorKind, Limit, OptimlyClient, RateLimits, RetryPolicy,
    Scope, Sender, WhenLimited,
};
use tracing_subscriber::fmt::format::FmtSpan;

/// Everything tracing prints, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

fn client(base_url: &str, auth: AuthMethod) -> OptimlyClient {
    OptimlyClient::builder()
        .api_key(KEY)
        .auth_method(auth)
        .base_url(base_url)
        .attempt_timeout(Some(Duration::from_millis(200)))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_base_delay(Duration::ZERO),
        )
        .build()
        .expect("client")
}

/// Every error path, for one auth way; returns what each produced.
async fn every_error_path(auth: AuthMethod) -> Vec<Error> {
    let server = MockServer::start_async().await;
    // The server echoes the key back in error bodies, as a careless server might.
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/unauthorized/messages");
            then.status(401).json_body(serde_json::json!({"error": "Unauthorized", "detail": format!("invalid key {KEY}")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/html/messages");
            then.status(502)
                .header("content-type", "text/html")
                .body(format!("<p>upstream rejected {KEY}</p>"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/garbled/messages");
            then.status(200).body(format!("[{{\"key\": \"{KEY}\""));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/slow/messages");
            then.status(200)
                .delay(Duration::from_millis(700))
                .json_body(serde_json::json!([]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(422).json_body(
                serde_json::json!({"detail": [{"loc": ["body", KEY], "msg": KEY, "type": "x"}]}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/huge/messages");
            then.status(200).body(format!("[\"{}\"]", KEY.repeat(8)));
        })
        .await;
    let live = client(&server.base_url(), auth);
    let capped = OptimlyClient::builder()
        .api_key(KEY)
        .auth_method(auth)
        .base_url(server.base_url())
        .max_response_size(Some(64))
        .build()
        .expect("client");
    let one_per_hour = RateLimits::off()
        .with_global(vec![Limit::new(
            1,
            Duration::from_secs(3600),
            Scope::ApiKey,
        )])
        .with_when_limited(WhenLimited::FailFast);
    let throttled = OptimlyClient::builder()
        .api_key(KEY)
        .auth_method(auth)
        .base_url(server.base_url())
        .rate_limits(one_per_hour)
        .build()
        .expect("client");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let dead = client(&format!("http://127.0.0.1:{port}"), auth);
    let mut errors = Vec::new();
    for chat in ["unauthorized", "html", "garbled", "slow"] {
        errors.push(live.history(chat).await.expect_err(chat));
    }
    errors.push(
        live.append_message("c", Sender::User, "hi")
            .await
            .expect_err("422"),
    );
    errors.push(capped.history("huge").await.expect_err("too large"));
    let _ = throttled.history("unauthorized").await;
    errors.push(throttled.history("slow").await.expect_err("throttled"));
    errors.push(dead.history("c").await.expect_err("refused"));
    errors.push(
        dead.append_message("c", Sender::User, "hi")
            .await
            .expect_err("refused"),
    );
    errors
}

#[tokio::test(start_paused = true)]
async fn the_key_never_appears_in_debug_display_or_tracing() {
    let (captured, _guard) = capture();
    for auth in [
        AuthMethod::Bearer,
        AuthMethod::ApiKeyHeader,
        AuthMethod::QueryParam,
    ] {
        let errors = every_error_path(auth).await;
        let kinds: Vec<_> = errors
            .iter()
            .map(|e| {
                e.to_string()
                    .split([':', ';'])
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "unauthorized (HTTP 401)",
                "server error (HTTP 502)",
                "could not decode the response (HTTP 200, so the server acted on it",
                "timed out after 2 attempt(s)",
                "rejected (HTTP 422)",
                "response body exceeds the 64-byte limit (the server acted on it",
                "held back by the client-side rate limit (1 per hour per API key)",
                "connection failed",
                "connection failed",
            ],
            "{auth:?}"
        );
        let mut with_a_cause = Vec::new();
        for err in &errors {
            for printed in [format!("{err}"), format!("{err:?}"), format!("{err:#?}")] {
                assert!(!printed.contains(KEY), "{auth:?} leaked through {printed}");
            }
            // The whole cause chain too: reqwest's error keeps the URL (which carries the
            // key in query mode) unless it is taken out.
            let mut cause = std::error::Error::source(err);
            if cause.is_some() {
                with_a_cause.push(
                    err.to_string()
                        .split(':')
                        .nth(1)
                        .unwrap_or("")
                        .trim()
                        .to_owned(),
                );
            }
            while let Some(c) = cause {
                for printed in [format!("{c}"), format!("{c:?}"), format!("{c:#?}")] {
                    assert!(
                        !printed.contains(KEY),
                        "{auth:?} leaked through a cause: {printed}"
                    );
                    assert!(
                        !printed.contains("access_token_query"),
                        "a URL in a cause: {printed}"
                    );
                }
                cause = c.source();
            }
            if let Some(body) = err.body() {
                assert!(
                    !body.contains(KEY),
                    "{auth:?} leaked through the body {body}"
                );
            }
        }
        assert_eq!(
            with_a_cause,
            [
                "could not decode the response (HTTP 200, so the server acted on it",
                "timed out after 2 attempt(s)",
                "response body exceeds the 64-byte limit (the server acted on it",
                "connection failed",
                "connection failed",
            ],
            "{auth:?}"
        );
        let client = client("https://api.optimly.io", auth);
        assert!(!format!("{client:?}").contains(KEY));
        let builder = ClientBuilder::default().api_key(KEY).auth_method(auth);
        assert!(!format!("{builder:?}").contains(KEY));
    }
    let logs = captured.text();
    assert!(logs.contains("optimly.call"), "tracing ran: {logs}");
    assert!(
        logs.contains("optimly.operation=\"list_chat_messages\""),
        "{logs}"
    );
    assert!(logs.contains("http.response.status_code=401"), "{logs}");
    assert!(logs.contains("http.request.resend_count=1"), "{logs}");
    assert!(logs.contains("optimly.latency_ms="), "{logs}");
    assert!(!logs.contains(KEY), "the key leaked into tracing output");
}

#[tokio::test(start_paused = true)]
async fn a_malformed_key_is_warned_about_without_being_shown() {
    let (captured, _guard) = capture();
    let odd = "sk-live-NOT-AN-OPTIMLY-KEY";
    OptimlyClient::builder()
        .api_key(odd)
        .build()
        .expect("accepted anyway");
    OptimlyClient::builder()
        .api_key(KEY)
        .build()
        .expect("accepted");
    let logs = captured.text();
    assert_eq!(
        logs.matches("does not look like an Optimly key").count(),
        1,
        "{logs}"
    );
    assert!(!logs.contains(odd), "{logs}");
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let err = OptimlyClient::builder()
        .api_key(KEY)
        .base_url("http://api.optimly.io")
        .build()
        .expect_err("refused");
    assert!(
        matches!(err.kind(), ErrorKind::Config { setting, .. } if setting == "base_url"),
        "{err:?}"
    );
    assert!(
        OptimlyClient::builder()
            .api_key(KEY)
            .base_url("http://api.optimly.io")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
}

/// A second canary, the key a rotation switches to.
const NEW_KEY: &str = "agt_ROTATED0000000000000000000000000";

/// Rotation: the client and its clones present the new key from their next attempt (a retry
/// of a call already running included), in every auth way; neither key appears in any
/// error, `Debug` or tracing line.
#[tokio::test]
async fn a_rotated_key_is_sent_by_every_clone_from_the_next_attempt_and_never_shown() {
    let (captured, _guard) = capture();
    for auth in [
        AuthMethod::Bearer,
        AuthMethod::ApiKeyHeader,
        AuthMethod::QueryParam,
    ] {
        let server = MockServer::start_async().await;
        let with_key = |when: httpmock::When, key: &str| match auth {
            AuthMethod::ApiKeyHeader => when.header("x-api-key", key),
            AuthMethod::QueryParam => when.query_param("access_token_query", key),
            _ => when.header("authorization", format!("Bearer {key}")),
        };
        // The old key's first attempt is answered 503; the retry must carry the new key.
        let old = server
            .mock_async(|when, then| {
                with_key(when.method(GET).path("/external/chat/c1/messages"), KEY);
                then.status(503);
            })
            .await;
        let new = server
            .mock_async(|when, then| {
                with_key(when.method(GET).path("/external/chat/c1/messages"), NEW_KEY);
                then.status(200).json_body(serde_json::json!([]));
            })
            .await;
        // Both keys echoed back in an error body: scrubbed.
        let echo = server
            .mock_async(|when, then| {
                with_key(when.method(GET).path("/external/chat/echo/messages"), NEW_KEY);
                then.status(400).json_body(serde_json::json!({
                    "error": "Bad Request", "detail": format!("old {KEY} new {NEW_KEY}"), "status_code": 400
                }));
            })
            .await;
        let client = OptimlyClient::builder()
            .api_key(KEY)
            .auth_method(auth)
            .base_url(server.base_url())
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(2)
                    .with_base_delay(Duration::from_millis(300)),
            )
            .build()
            .expect("client");
        let clone = client.clone();
        let running = tokio::spawn(async move { clone.history("c1").await });
        while old.calls_async().await == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        client.rotate_key(NEW_KEY).expect("rotates");
        let history = running
            .await
            .expect("joins")
            .expect("the retry, with the new key, succeeds");
        assert!(history.is_empty());
        assert_eq!(
            (old.calls_async().await, new.calls_async().await),
            (1, 1),
            "{auth:?}"
        );
        let err = client.history("echo").await.expect_err("400");
        assert_eq!(echo.calls_async().await, 1);
        for shown in [format!("{err}"), format!("{err:?}"), format!("{client:?}")] {
            assert!(
                !shown.contains(KEY) && !shown.contains(NEW_KEY),
                "{auth:?}: {shown}"
            );
        }
        assert!(client.rotate_key("  ").is_err(), "an empty key is refused");
    }
    let logs = captured.text();
    assert!(logs.contains("API key rotated"), "{logs}");
    assert!(!logs.contains(KEY) && !logs.contains(NEW_KEY), "{logs}");
}
