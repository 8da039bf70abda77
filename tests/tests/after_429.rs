//! The wait after a 429 that says nothing, and the per-action limits, against the mock (which,
//! like Optimly's pages, sends no `Retry-After` by default).

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use optimly::operations::{LIST_CLIENT_CHATS, NEW_MESSAGE};
use optimly::testing::{self, MockConfig};
use optimly::{
    AppointmentRequest, ErrorKind, OptimlyClient, RateLimits, RequestOptions, WhenLimited,
};
use optimly_mock::RunningMock;

/// 100 per minute scaled to 10 per 2 s.
const LIMIT: usize = 10;
const WINDOW: Duration = Duration::from_secs(2);

fn config() -> MockConfig {
    MockConfig {
        rate_limit_scale: 0.1,
        rate_limit_window_scale: 1.0 / 30.0,
        ..MockConfig::default()
    }
}

/// Another client fills the mock's window; returns when.
async fn exhaust(mock: &RunningMock) -> Instant {
    workspace_tests::fill_window(mock, LIMIT).await;
    Instant::now()
}

fn statuses_since(mock: &RunningMock, n: usize) -> Vec<u16> {
    mock.requests()[n..].iter().map(|r| r.status).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_callers_behind_a_window_another_client_filled_earn_one_429_and_all_succeed() {
    let (client, mock) = testing::start_mock_with(config()).await.expect("mock");
    let filled = exhaust(&mock).await;
    let before = mock.requests().len();
    let started = Instant::now();
    let calls = (0..16).map(|_| async { client.list_chats("user_2").await });
    let results = join_all(calls).await;
    let took = started.elapsed();
    let errors: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let answered = statuses_since(&mock, before);
    // One 429 (the first request, which went alone), then 16 answers.
    assert_eq!(
        answered.iter().filter(|s| **s == 429).count(),
        1,
        "{answered:?}"
    );
    assert_eq!(answered[0], 429, "{answered:?}");
    assert_eq!(
        answered.iter().filter(|s| **s == 200).count(),
        16,
        "{answered:?}"
    );
    // The 429 paused every caller for a whole window (the client knew of nothing else),
    // after which ten fit; the other six waited for this client's own first slots to leave.
    assert!(filled.elapsed() >= WINDOW, "{took:?}");
    assert!(took >= WINDOW, "{took:?}");
    assert!(took < 3 * WINDOW, "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_past_the_deadline_fails_with_the_429_and_the_wait_it_worked_out() {
    let (client, mock) = testing::start_mock_with(config()).await.expect("mock");
    exhaust(&mock).await;
    let before = mock.requests().len();
    let started = Instant::now();
    let short = RequestOptions::new().timeout(Duration::from_secs(1));
    let calls = (0..4).map(|_| client.list_chats("user_2").options(short.clone()).send());
    let results = join_all(calls).await;
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(statuses_since(&mock, before), [429], "one request went");
    let mut kinds: Vec<String> = Vec::new();
    for result in &results {
        let err = result.as_ref().expect_err("no room within a second");
        assert_eq!(err.operation(), Some(&LIST_CLIENT_CHATS));
        let wait = err.retry_after().expect("the wait is reported");
        assert!(
            wait > Duration::from_millis(1_000) && wait <= WINDOW,
            "{wait:?}"
        );
        kinds.push(format!("{:?} after {}", err.kind(), err.attempts()));
    }
    // The caller that went gets the 429 after one attempt; the others were held back.
    let (went, held): (Vec<&String>, Vec<&String>) = kinds
        .iter()
        .partition(|k| k.starts_with("RateLimitedByServer"));
    assert_eq!(went, ["RateLimitedByServer after 1"], "{kinds:?}");
    assert_eq!(held.len(), 3, "{kinds:?}");
    assert!(
        held.iter().all(|k| k.starts_with("HeldByLimiter")),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn the_21st_appointment_request_of_an_hour_is_held_back_without_a_request() {
    let mock = optimly_mock::start(MockConfig::default())
        .await
        .expect("mock");
    let client = OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(RateLimits::documented().with_when_limited(WhenLimited::FailFast))
        .build()
        .expect("client");
    let chat = client.create_chat("user_9").await.expect("chat");
    let appointment =
        AppointmentRequest::new("Jane Smith", "jane@company.com", "2099-03-15", "14:30");
    for i in 0..20 {
        client
            .request_appointment(chat.id(), &appointment)
            .await
            .unwrap_or_else(|e| panic!("appointment {}: {e}", i + 1));
    }
    let sent = mock.requests().len();
    let err = client
        .request_appointment(chat.id(), &appointment)
        .await
        .expect_err("the 21st in an hour");
    match err.kind() {
        ErrorKind::HeldByLimiter { limit, .. } => {
            assert_eq!(limit.to_string(), "20 per hour per API key");
        }
        other => panic!("expected HeldByLimiter, got {other:?}: {err}"),
    }
    assert_eq!(err.operation(), Some(&NEW_MESSAGE));
    assert_eq!(err.attempts(), 0);
    assert_eq!(mock.requests().len(), sent, "nothing was sent");
    // Each request is recorded from its message (and again from the agent's own tool run).
    let from_messages = mock
        .appointments()
        .iter()
        .filter(|a| a["source"] == "message")
        .count();
    assert_eq!(from_messages, 20);
    // Other messages to the chat are not appointment requests and still go.
    client
        .append_message(
            chat.id(),
            optimly::Sender::Assistant,
            "We'll confirm by email.",
        )
        .await
        .expect("a plain message is not held back");
}
