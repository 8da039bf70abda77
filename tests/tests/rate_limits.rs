//! The client-side limiter against the mock, both scaled the same way (limits to a tenth,
//! windows from a minute to a second): a batch three times the limit finishes with zero 429s
//! and in no less than the two windows the limit requires; without the limiter the same batch
//! earns 429s; failing fast sends nothing past the limit.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use optimly::testing::{MockConfig, RunningMock};
use optimly::{Error, ErrorKind, OptimlyClient, RateLimits, RetryPolicy, WhenLimited};
use optimly_api::operations::LIST_CLIENT_CHATS;

const COUNT_SCALE: f64 = 0.1;
const TIME_SCALE: f64 = 1.0 / 60.0;
/// 100 per minute, scaled: 10 per second.
const LIMIT: usize = 10;
const WINDOW: Duration = Duration::from_secs(1);

async fn scaled_mock() -> RunningMock {
    optimly_mock::start(MockConfig {
        rate_limit_scale: COUNT_SCALE,
        rate_limit_window_scale: TIME_SCALE,
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

fn client(mock: &RunningMock, limits: RateLimits) -> OptimlyClient {
    OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .retry_policy(RetryPolicy::never())
        .rate_limits(limits)
        .build()
        .expect("client builds")
}

/// `3 × LIMIT` concurrent GETs.
async fn batch(client: &OptimlyClient) -> Vec<Result<usize, Error>> {
    let calls = (0..3 * LIMIT)
        .map(|_| async { client.list_chats("user_456").await.map(|chats| chats.len()) });
    join_all(calls).await
}

fn statuses(mock: &RunningMock) -> Vec<u16> {
    mock.requests().iter().map(|r| r.status).collect()
}

#[tokio::test]
async fn with_the_limiter_a_batch_three_times_the_limit_sees_zero_429s() {
    let mock = scaled_mock().await;
    let client = client(
        &mock,
        RateLimits::documented().scaled(COUNT_SCALE, TIME_SCALE),
    );
    let started = Instant::now();
    let results = batch(&client).await;
    let took = started.elapsed();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(statuses(&mock), vec![200; 3 * LIMIT]);
    // Three windows' worth: the first ten at once, the next after one window, the last after
    // two. Less than two windows would have broken the limit.
    assert!(took >= 2 * WINDOW, "{took:?}");
    assert!(took < 3 * WINDOW, "{took:?}");
    mock.shutdown().await;
}

#[tokio::test]
async fn without_the_limiter_the_same_batch_earns_429s() {
    let mock = scaled_mock().await;
    let client = client(&mock, RateLimits::off());
    let results = batch(&client).await;
    let limited = results
        .iter()
        .filter(|r| matches!(r, Err(e) if *e.kind() == ErrorKind::RateLimitedByServer))
        .count();
    assert_eq!(limited, 2 * LIMIT, "{results:?}");
    let answered = statuses(&mock);
    assert_eq!(answered.iter().filter(|s| **s == 429).count(), 2 * LIMIT);
    assert_eq!(answered.iter().filter(|s| **s == 200).count(), LIMIT);
    mock.shutdown().await;
}

#[tokio::test]
async fn failing_fast_sends_nothing_past_the_limit() {
    let mock = scaled_mock().await;
    let limits = RateLimits::documented()
        .scaled(COUNT_SCALE, TIME_SCALE)
        .with_when_limited(WhenLimited::FailFast);
    let client = client(&mock, limits);
    let results = batch(&client).await;
    let throttled: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(throttled.len(), 2 * LIMIT);
    for err in &throttled {
        match err.kind() {
            ErrorKind::HeldByLimiter { limit, .. } => {
                assert_eq!(err.operation(), Some(&LIST_CLIENT_CHATS));
                assert_eq!(limit.to_string(), "10 per second per API key");
                assert_eq!(err.attempts(), 0);
            }
            _ => panic!("expected HeldByLimiter, got {err:?}"),
        }
    }
    assert_eq!(statuses(&mock), vec![200; LIMIT]);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_wait_past_the_deadline_fails_at_once_instead_of_sleeping_into_it() {
    let mock = scaled_mock().await;
    let limits = RateLimits::off().with_global(vec![optimly::Limit::new(
        1,
        Duration::from_secs(3600),
        optimly::Scope::ApiKey,
    )]);
    let client = client(&mock, limits);
    client.list_chats("user_456").await.expect("first fits");
    let started = Instant::now();
    let err = client
        .list_chats("user_456")
        .options(optimly::RequestOptions::new().timeout(Duration::from_secs(5)))
        .await
        .expect_err("no room for an hour");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        matches!(err.kind(), ErrorKind::HeldByLimiter { .. }),
        "{err:?}"
    );
    let wait = err.retry_after().expect("knows when");
    assert!(wait > Duration::from_secs(3590) && wait <= Duration::from_secs(3600));
    assert!(
        err.to_string()
            .starts_with("list_client_chats: held back by the client-side rate limit (1 per hour per API key); room in "),
        "{err}"
    );
    assert_eq!(mock.requests().len(), 1);
    mock.shutdown().await;
}
