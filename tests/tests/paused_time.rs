//! The SDK under `#[tokio::test(start_paused = true)]`, as a user's own tests run it: every
//! wait is virtual (no real time, no CPU), and a request in flight to a real local server is
//! not timed out by tokio jumping its paused clock.

use std::time::Duration;

use httpmock::prelude::*;
use optimly::{ErrorKind, Limit, OptimlyClient, RateLimits, Scope};
use tokio::time::Instant;
use workspace_tests::fault_server::{FaultServer, Reply};

const KEY: &str = optimly_mock::DEFAULT_KEY;

/// CPU time this process has used (user and system), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    // The kernel's USER_HZ is 100 on every Linux this runs on.
    Duration::from_millis(ticks * 10)
}

async fn empty_history(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/c/messages");
            then.status(200).json_body(serde_json::json!([]));
        })
        .await
}

#[tokio::test(start_paused = true)]
async fn a_call_held_back_by_the_limiter_completes_in_virtual_time_without_spinning() {
    let server = MockServer::start_async().await;
    let mock = empty_history(&server).await;
    let one_a_minute = Limit::new(1, Duration::from_secs(60), Scope::ApiKey);
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .rate_limits(RateLimits::off().with_global(vec![one_a_minute]))
        .build()
        .expect("client");
    client.history("c").await.expect("the first fits");
    let (virtual_start, real_start, cpu_start) =
        (Instant::now(), std::time::Instant::now(), cpu_time());
    client
        .history("c")
        .await
        .expect("the second waits its minute");
    let waited = virtual_start.elapsed();
    let (real, cpu) = (real_start.elapsed(), cpu_time().saturating_sub(cpu_start));
    assert!(
        waited >= Duration::from_secs(60) && waited < Duration::from_secs(61),
        "{waited:?}"
    );
    assert!(real < Duration::from_secs(2), "took {real:?} of real time");
    assert!(cpu < Duration::from_millis(300), "spent {cpu:?} of CPU");
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test(start_paused = true)]
async fn an_httpmock_call_under_paused_time_does_not_time_out() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/c/messages");
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(serde_json::json!([]));
        })
        .await;
    // The documented defaults: 60 s per attempt, 120 s per call.
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .expect("client");
    let start = Instant::now();
    for _ in 0..3 {
        let messages = client.history("c").await.expect("answered, not timed out");
        assert!(messages.is_empty());
    }
    // The clock was held while each request was on the wire: it did not jump to a timeout.
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(slow.calls_async().await, 3);
}

#[tokio::test(start_paused = true)]
async fn a_silent_server_is_still_timed_out_after_the_attempt_timeout() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/c/messages");
            then.status(200)
                .delay(Duration::from_secs(30))
                .json_body(serde_json::json!([]));
        })
        .await;
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .attempt_timeout(Some(Duration::from_millis(200)))
        .retry_policy(optimly::RetryPolicy::never())
        .build()
        .expect("client");
    let real = std::time::Instant::now();
    let err = client.history("c").await.expect_err("timed out");
    assert_eq!(err.kind(), &ErrorKind::Timeout { sent: true }, "{err:?}");
    assert!(
        real.elapsed() < Duration::from_secs(5),
        "{:?}",
        real.elapsed()
    );
}

/// A server that answers the first request with a 429 carrying `Retry-After: 30`, and the
/// next with an empty message list; the call runs while the test swaps the reply.
async fn after_a_429_of_30_seconds(
    client: OptimlyClient,
    server: &FaultServer,
) -> (Result<usize, optimly::Error>, Duration) {
    let start = Instant::now();
    let call = tokio::spawn(async move { client.history("c").await.map(|m| m.len()) });
    // Busy-yielding keeps the paused clock still: the retry cannot start before the swap.
    while server.requests() == 0 {
        tokio::task::yield_now().await;
    }
    server.set_reply(Reply::json(200, "[]"));
    let result = call.await.expect("joined");
    (result, start.elapsed())
}

fn limited_reply() -> Reply {
    Reply::json(429, r#"{"error": "Too Many Requests"}"#).with_header("retry-after", "30")
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_30_waits_30_virtual_seconds() {
    let server = FaultServer::start(limited_reply()).await.expect("server");
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(&server.base_url)
        .build()
        .expect("client");
    let real = std::time::Instant::now();
    let (result, waited) = after_a_429_of_30_seconds(client, &server).await;
    assert_eq!(result.expect("the retry succeeds"), 0);
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(31),
        "{waited:?}"
    );
    assert!(real.elapsed() < Duration::from_secs(2));
    assert_eq!(server.requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_429_whose_wait_passes_the_deadline_fails_at_once() {
    let server = FaultServer::start(limited_reply()).await.expect("server");
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(&server.base_url)
        .operation_timeout(Some(Duration::from_secs(20)))
        .build()
        .expect("client");
    let start = Instant::now();
    let err = client.history("c").await.expect_err("no time to wait");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(err.kind(), &ErrorKind::RateLimitedByServer);
    assert_eq!(
        (err.retry_after(), err.attempts()),
        (Some(Duration::from_secs(30)), 1)
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_limiter_against_the_mock_in_virtual_time_earns_no_429() {
    // 10 per second, on both sides; the mock counts on tokio's clock too.
    let (count, time) = (0.1, 1.0 / 60.0);
    let mock = optimly_mock::start(optimly_mock::MockConfig {
        rate_limit_scale: count,
        rate_limit_window_scale: time,
        ..optimly_mock::MockConfig::default()
    })
    .await
    .expect("mock");
    let client = OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(RateLimits::documented().scaled(count, time))
        .retry_policy(optimly::RetryPolicy::never())
        .build()
        .expect("client");
    let (start, real) = (Instant::now(), std::time::Instant::now());
    for _ in 0..30 {
        client.list_chats("u").await.expect("never refused");
    }
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert!(
        real.elapsed() < Duration::from_secs(5),
        "{:?}",
        real.elapsed()
    );
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![200; 30]);
    mock.shutdown().await;
}
