//! Helpers for your own tests (feature `testing`): the offline mock, a real `redis-server`
//! (with feature `redis`), a recording clock, and (with feature `httpmock`) typed httpmock
//! responses for the situations your code must handle.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (client, mock) = optimly::testing::start_mock().await?;
//! let conversation = client.start_conversation("user_456").await?;
//! conversation.ask("I'd like a demo, jane@company.com").await?;
//! assert_eq!(mock.leads().len(), 1);
//! # Ok(()) }
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use crate::{Error, OptimlyClient, RateLimits};

#[cfg(feature = "redis")]
pub use crate::testing_redis::RedisServer;
#[cfg(feature = "httpmock")]
mod responses;
pub use optimly_mock::{DEFAULT_KEY, Faults, MockConfig, RunningMock};
#[cfg(feature = "httpmock")]
pub use responses::*;

/// A program a test needs, the first of `names` found on `PATH`. When none is there the test
/// should skip: this says so loudly on stderr and returns `None`, except under `CI=true`, where
/// it panics, since a CI that runs the test installs the program (Debian package `package`).
///
/// ```no_run
/// let Some(redis_server) = optimly::testing::program("my_test", &["redis-server"], "redis-server") else {
///     return;
/// };
/// ```
pub fn program(test: &str, names: &[&str], package: &str) -> Option<std::path::PathBuf> {
    use std::io::Write;
    let found = names.iter().find_map(|name| which::which(name).ok());
    if found.is_none() {
        let names = names.join(" or ");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: {names} is not on PATH, and CI=true needs it (.ci/run installs the Debian package {package})"
        );
        // Written to stderr itself: the test harness captures `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED {test}: {names} is not on PATH (apt-get install {package}) ***\n"
        );
    }
    found
}

/// Start the offline mock on `127.0.0.1` and a client pointed at it.
pub async fn start_mock() -> Result<(OptimlyClient, RunningMock), Error> {
    start_mock_with(MockConfig::default()).await
}

/// [`start_mock`] with your own limits and faults. The client's rate limits are the mock's:
/// the documented ones scaled by the same `rate_limit_scale` and `rate_limit_window_scale`
/// (none when the mock enforces none), so it waits where the mock would refuse.
pub async fn start_mock_with(config: MockConfig) -> Result<(OptimlyClient, RunningMock), Error> {
    let mock = optimly_mock::start(config)
        .await
        .map_err(|e| Error::config("mock", e.to_string()))?;
    let client = mock_client(&mock).build()?;
    Ok((client, mock))
}

/// A client for a running embedded mock that does not retry, so a test sees each answer as
/// the mock gave it (a 429, a fault's 500); its limits are the mock's. The embedded mock's
/// twin of `client_for` (an httpmock server's, feature `httpmock`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use optimly::testing::{Faults, MockConfig};
///
/// let faults = Faults { status_on: [(1, 503)].into(), ..Faults::default() };
/// let config = MockConfig { faults, ..MockConfig::default() };
/// let (_retrying, mock) = optimly::testing::start_mock_with(config).await?;
/// let client = optimly::testing::client_for_mock(&mock)?;
/// let first = client.list_chats("user_456").await.expect_err("the 503, not retried");
/// assert_eq!(first.status(), Some(503));
/// # Ok(()) }
/// ```
pub fn client_for_mock(mock: &RunningMock) -> Result<OptimlyClient, Error> {
    mock_client(mock)
        .retry_policy(crate::RetryPolicy::never())
        .build()
}

/// A client builder for `mock`: its key, its address, its limits.
fn mock_client(mock: &RunningMock) -> crate::ClientBuilder {
    OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(limits_of(mock.config()))
}

/// The client-side limits that match a mock's.
pub fn limits_of(config: &MockConfig) -> RateLimits {
    if config.rate_limits {
        RateLimits::documented().scaled(config.rate_limit_scale, config.rate_limit_window_scale)
    } else {
        RateLimits::off()
    }
}

/// tokio's time with the wall clock starting where a test says, and a record of every wait
/// that ran to its end: for tests that pin exact waits, including `Retry-After` dates.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use optimly::clock::Clock;
/// use optimly::testing::RecordingClock;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let clock = RecordingClock::at(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// clock.sleep(Duration::from_secs(2)).await; // virtual under start_paused
/// assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
/// assert_eq!(
///     clock.system_time(),
///     SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_002)
/// );
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RecordingClock {
    start: tokio::time::Instant,
    start_system: SystemTime,
    sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl RecordingClock {
    /// A clock whose wall-clock time starts at `system_time`, now.
    pub fn at(system_time: SystemTime) -> Self {
        Self {
            start: tokio::time::Instant::now(),
            start_system: system_time,
            sleeps: Arc::default(),
        }
    }

    /// Every wait that ran to its end, in the order they ended.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl crate::clock::Clock for RecordingClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn system_time(&self) -> SystemTime {
        self.start_system + self.start.elapsed()
    }

    fn sleep(&self, duration: Duration) -> crate::clock::Sleep {
        let sleeps = Arc::clone(&self.sleeps);
        Box::pin(async move {
            tokio::time::sleep(duration).await;
            sleeps
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(duration);
        })
    }
}
