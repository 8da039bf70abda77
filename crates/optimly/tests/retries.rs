//! Retries, counted by hits on the mock server; waits read from a recording clock, in
//! tokio's paused (virtual) time.

mod common;

use std::time::{Duration, SystemTime};

use common::{KEY, closed_port, harness, harness_with};
use httpmock::prelude::*;
use optimly::testing::RecordingClock;
use optimly::{AuthMethod, ErrorKind, OptimlyClient, RequestOptions, RetryPolicy, Sender};
use serde_json::json;

const SECOND: Duration = Duration::from_secs(1);

fn message_ok() -> serde_json::Value {
    json!({"message_id": "msg_1"})
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_seconds_is_retried_once_after_that_wait() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(429)
                .header("retry-after", "1")
                .json_body(json!({"error": "Too Many Requests"}))
                .up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(200).json_body(message_ok());
        })
        .await;
    let h = harness(&server);
    let message = h
        .client
        .append_message("c", Sender::User, "hi")
        .await
        .expect("succeeds after one retry");
    assert_eq!(message.id(), "msg_1");
    limited.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(h.clock.sleeps(), [SECOND]);
}

#[tokio::test(start_paused = true)]
async fn a_429_with_an_http_date_waits_until_that_date() {
    let server = MockServer::start_async().await;
    let now = httpdate::parse_http_date("Sat, 21 Nov 2026 10:00:00 GMT").expect("date");
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/c/messages");
            then.status(429)
                .header("retry-after", "Sat, 21 Nov 2026 10:00:03 GMT")
                .json_body(json!({}))
                .up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/c/messages");
            then.status(200).json_body(json!([]));
        })
        .await;
    let clock = RecordingClock::at(now);
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .clock(std::sync::Arc::new(clock.clone()))
        .build()
        .expect("client");
    client.history("c").await.expect("succeeds");
    limited.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(clock.sleeps(), [Duration::from_secs(3)]);
}

async fn post_500_then_ok(server: &MockServer) -> (httpmock::Mock<'_>, httpmock::Mock<'_>) {
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/agent/v2");
            then.status(500)
                .json_body(json!({"error": "Internal Server Error"}))
                .up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/agent/v2");
            then.status(200).json_body(json!({"response": "Hi"}));
        })
        .await;
    (failing, ok)
}

#[tokio::test(start_paused = true)]
async fn a_post_500_is_tried_once_by_default() {
    let server = MockServer::start_async().await;
    let (failing, ok) = post_500_then_ok(&server).await;
    let h = harness(&server);
    let err = h.client.ask("c", "hi").await.expect_err("not retried");
    assert_eq!(err.kind(), &ErrorKind::Server, "{err:?}");
    assert_eq!(err.attempts(), 1);
    failing.assert_calls_async(1).await;
    ok.assert_calls_async(0).await;
    assert!(h.clock.sleeps().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_post_500_is_retried_when_the_call_opts_in() {
    let server = MockServer::start_async().await;
    let (failing, ok) = post_500_then_ok(&server).await;
    let reply = harness(&server)
        .client
        .ask("c", "hi")
        .options(RequestOptions::new().retry_non_idempotent(true))
        .await
        .expect("retried");
    assert_eq!(reply.text(), "Hi");
    failing.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
}

#[tokio::test(start_paused = true)]
async fn a_post_500_is_retried_when_the_client_opts_in() {
    let server = MockServer::start_async().await;
    let (failing, ok) = post_500_then_ok(&server).await;
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .retry_non_idempotent(true)
        .build()
        .expect("client builds");
    client.ask("c", "hi").await.expect("retried");
    failing.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
}

#[tokio::test(start_paused = true)]
async fn a_get_502_is_retried_with_jittered_backoff() {
    let server = MockServer::start_async().await;
    let bad_gateway = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/u/chats");
            then.status(502)
                .header("content-type", "text/html")
                .body("<h1>502</h1>")
                .up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/u/chats");
            then.status(200).json_body(json!([]));
        })
        .await;
    let h = harness(&server);
    h.client.list_chats("u").await.expect("retried");
    bad_gateway.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    let sleeps = h.clock.sleeps();
    assert_eq!(sleeps.len(), 1, "{sleeps:?}");
    assert!(
        sleeps[0] <= RetryPolicy::default().base_delay(),
        "{sleeps:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_stops_a_retry_loop() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/c/messages");
            then.status(429)
                .header("retry-after", "2")
                .json_body(json!({}));
        })
        .await;
    let clock = RecordingClock::at(std::time::SystemTime::now());
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::default().with_max_attempts(10))
        .operation_timeout(Some(Duration::from_secs(5)))
        .clock(std::sync::Arc::new(clock.clone()))
        .build()
        .expect("client");
    let err = client.history("c").await.expect_err("deadline");
    // Attempts at t = 0, 2 and 4 s; a fourth would start at 6 s, past the 5 s deadline.
    assert_eq!(err.kind(), &ErrorKind::RateLimitedByServer, "{err:?}");
    assert_eq!(err.attempts(), 3);
    limited.assert_calls_async(3).await;
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(2), Duration::from_secs(2)]
    );
}

#[tokio::test(start_paused = true)]
async fn no_call_exceeds_the_configured_attempts() {
    for max_attempts in [1, 2, 4] {
        let server = MockServer::start_async().await;
        let unavailable = server
            .mock_async(|when, then| {
                when.method(GET).path("/external/chat/c/messages");
                then.status(503)
                    .header("retry-after", "0")
                    .json_body(json!({}));
            })
            .await;
        let policy = RetryPolicy::default().with_max_attempts(max_attempts);
        let err = harness_with(&server, AuthMethod::Bearer, policy)
            .client
            .history("c")
            .await
            .expect_err("always 503");
        assert_eq!(err.attempts(), max_attempts);
        unavailable.assert_calls_async(max_attempts as usize).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_post_503_with_retry_after_is_retried() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/email-handoff");
            then.status(503)
                .header("retry-after", "4")
                .body("")
                .up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/email-handoff");
            then.status(200).json_body(json!({"handoff_id": "h"}));
        })
        .await;
    let h = harness(&server);
    h.client
        .hand_off("c", &optimly::EmailHandoff::default())
        .await
        .expect("retried");
    unavailable.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(h.clock.sleeps(), [Duration::from_secs(4)]);
}

#[tokio::test(start_paused = true)]
async fn a_post_that_timed_out_after_sending_is_not_sent_again() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(200)
                .delay(Duration::from_millis(600))
                .json_body(message_ok());
        })
        .await;
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .attempt_timeout(Some(Duration::from_millis(100)))
        .clock(std::sync::Arc::new(RecordingClock::at(
            std::time::SystemTime::now(),
        )))
        .build()
        .expect("client");
    let err = client
        .append_message("c", Sender::User, "hi")
        .await
        .expect_err("timeout");
    assert_eq!(
        (err.kind(), err.attempts()),
        (&ErrorKind::Timeout { sent: true }, 1),
        "{err:?}"
    );
    slow.assert_calls_async(1).await;
}

#[tokio::test(start_paused = true)]
async fn a_refused_post_is_retried_because_it_never_left() {
    let port = closed_port();
    let clock = RecordingClock::at(SystemTime::now());
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .clock(std::sync::Arc::new(clock.clone()))
        .build()
        .expect("client");
    let err = client
        .append_message("c", Sender::User, "hi")
        .await
        .expect_err("refused");
    assert_eq!(
        (err.kind(), err.attempts()),
        (&ErrorKind::Connection { sent: false }, 3),
        "{err:?}"
    );
    assert_eq!(clock.sleeps().len(), 2);
}
