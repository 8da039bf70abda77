//! Helpers for your own tests (feature `testing`): the offline mock, and typed httpmock
//! responses for the situations your code must handle.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (client, mock) = optimly::testing::start_mock().await?;
//! let conversation = client.start_conversation("user_456").await?;
//! conversation.send("I'd like a demo, jane@company.com").await?;
//! assert_eq!(mock.leads().len(), 1);
//! # Ok(()) }
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use httpmock::Mock;
use httpmock::When;
use optimly_api::Operation;
use optimly_api::operations::{CALL_AGENT_V2, NEW_CHAT};
use serde_json::{Value, json};

use crate::{Error, OptimlyClient, RateLimits, RetryPolicy, ToolName};

#[cfg(feature = "redis")]
pub use crate::testing_redis::RedisServer;
pub use httpmock::MockServer;
pub use optimly_mock::{DEFAULT_KEY, Faults, MockConfig, RunningMock};

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
    let limits = limits_of(&config);
    let mock = optimly_mock::start(config)
        .await
        .map_err(|e| Error::config("mock", e.to_string()))?;
    let client = OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(limits)
        .build()?;
    Ok((client, mock))
}

/// The client-side limits that match a mock's.
pub fn limits_of(config: &MockConfig) -> RateLimits {
    if config.rate_limits {
        RateLimits::documented().scaled(config.rate_limit_scale, config.rate_limit_window_scale)
    } else {
        RateLimits::off()
    }
}

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
