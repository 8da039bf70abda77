//! Retries as a plain value: given what happened to an attempt, a [`RetryPolicy`] says stop or
//! wait. It does no I/O and reads no clock, so every rule is unit-tested directly.
//!
//! | outcome of the attempt | GET | POST (default) | POST, opted in |
//! |---|---|---|---|
//! | never reached the server (refused, DNS, connect timeout) | retry | retry | retry |
//! | 429 Too Many Requests | retry | retry | retry |
//! | 503 with `Retry-After` | retry | retry | retry |
//! | 500, 502, 503 without `Retry-After`, 504 | retry | **stop** | retry |
//! | timeout or connection lost after sending | retry | **stop** | retry |
//! | any other status (400, 401, 403, 404, 422, ...) | stop | stop | stop |
//!
//! A POST is not re-sent after the server may have acted on it (a 5xx or a lost response could
//! mean the message was stored or the handoff queued), unless the caller opts in, per client
//! ([`ClientBuilder::retry_non_idempotent`](crate::ClientBuilder::retry_non_idempotent)) or per call
//! ([`RequestOptions::retry_non_idempotent`](crate::RequestOptions::retry_non_idempotent)).
//!
//! Waits: `Retry-After` when the server sends it (seconds or HTTP date), capped at
//! [`max_retry_after`](RetryPolicy::with_max_retry_after); otherwise full-jitter exponential backoff,
//! a random wait in `[0, min(max_delay, base_delay × 2^(attempt-1))]`. No retry starts if its
//! wait would reach the whole-operation deadline, and no call makes more than
//! [`max_attempts`](RetryPolicy::with_max_attempts) attempts.

use std::time::{Duration, SystemTime};

/// What happened to one attempt, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The request never reached the server: it is always safe to send again.
    NotSent,
    /// The attempt timed out, or the connection broke, after the request may have been sent.
    MaybeSent,
    /// The server answered with an error status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's `Retry-After`, already converted to a wait.
        retry_after: Option<Duration>,
    },
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Give up and report the failure.
    Stop,
    /// Wait this long, then try again.
    RetryAfter(Duration),
}

/// The facts about a failed attempt that a decision needs, besides its outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// How many attempts have been made, this one included (1 after the first).
    pub number: u32,
    /// Whether sending the request again is safe even if the server acted on it (GET), or the
    /// caller opted in to re-sending a POST.
    pub resend_allowed: bool,
    /// Time left before the whole-operation deadline, if there is one.
    pub remaining: Option<Duration>,
}

impl Attempt {
    /// Attempt `number` (1-based) of a request that may (`resend_allowed`) or may not be sent
    /// again after the server may have acted on it, with `remaining` time before the deadline.
    pub const fn new(number: u32, resend_allowed: bool, remaining: Option<Duration>) -> Self {
        Self {
            number,
            resend_allowed,
            remaining,
        }
    }
}

/// When and how often to retry: a value built from [`RetryPolicy::default`] with `with_*`
/// methods, read with the methods of the same names.
///
/// ```
/// use std::time::Duration;
/// use optimly::RetryPolicy;
///
/// let policy = RetryPolicy::default().with_max_attempts(5);
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(policy.base_delay(), Duration::from_millis(200));
/// ```
///
/// Whether a POST may be re-sent after the server may have acted on it is not part of the
/// policy: it is the client's ([`ClientBuilder::retry_non_idempotent`](crate::ClientBuilder::retry_non_idempotent))
/// or the call's ([`RequestOptions::retry_non_idempotent`](crate::RequestOptions::retry_non_idempotent)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Attempts in total, the first one included; `1` disables retries (`0` counts as `1`).
    /// Default 3.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff step. Default 200 ms.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest backoff wait. Default 10 s.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The largest `Retry-After` honoured; a longer one is cut to this. Default 60 s.
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Attempts in total, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first backoff step.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The largest backoff wait.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The largest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Decide what follows a failed attempt. `random` is a number in `[0, 1)` that picks the
    /// jittered backoff wait (the caller supplies it, so tests can fix it).
    pub fn decide(&self, attempt: Attempt, outcome: Outcome, random: f64) -> Decision {
        if attempt.number >= self.max_attempts || !Self::retryable(outcome, attempt.resend_allowed)
        {
            return Decision::Stop;
        }
        let wait = match outcome {
            Outcome::Status {
                retry_after: Some(wait),
                ..
            } => wait.min(self.max_retry_after),
            _ => self.backoff(attempt.number, random),
        };
        match attempt.remaining {
            Some(remaining) if wait >= remaining => Decision::Stop,
            _ => Decision::RetryAfter(wait),
        }
    }

    /// Whether an outcome may be retried at all (the table in the module docs).
    pub fn retryable(outcome: Outcome, resend_allowed: bool) -> bool {
        match outcome {
            Outcome::NotSent => true,
            Outcome::MaybeSent => resend_allowed,
            Outcome::Status { status: 429, .. } => true,
            Outcome::Status {
                status: 503,
                retry_after: Some(_),
            } => true,
            Outcome::Status {
                status: 500 | 502 | 503 | 504,
                ..
            } => resend_allowed,
            Outcome::Status { .. } => false,
        }
    }

    /// The full-jitter backoff wait after attempt `number` (1-based).
    pub fn backoff(&self, number: u32, random: f64) -> Duration {
        let exponent = number.saturating_sub(1).min(31);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        ceiling.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// Read a `Retry-After` value: delay-seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2026 07:28:00 GMT"`), relative to `now`. A date in the past means "now";
/// anything else unreadable is `None`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use optimly::retry::parse_retry_after;
///
/// assert_eq!(parse_retry_after("7", SystemTime::now()), Some(Duration::from_secs(7)));
/// assert_eq!(parse_retry_after("soon", SystemTime::now()), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn attempt(number: u32, resend_allowed: bool) -> Attempt {
        Attempt::new(number, resend_allowed, None)
    }

    fn status(status: u16, retry_after: Option<u64>) -> Outcome {
        Outcome::Status {
            status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn retry_table_for_get_and_post() {
        // (outcome, GET, POST by default)
        let table = [
            (Outcome::NotSent, true, true),
            (Outcome::MaybeSent, true, false),
            (status(429, None), true, true),
            (status(429, Some(1)), true, true),
            (status(503, Some(1)), true, true),
            (status(503, None), true, false),
            (status(500, None), true, false),
            (status(502, None), true, false),
            (status(504, None), true, false),
            (status(400, None), false, false),
            (status(401, None), false, false),
            (status(403, None), false, false),
            (status(404, None), false, false),
            (status(422, None), false, false),
            (status(501, None), false, false),
        ];
        for (outcome, get, post) in table {
            assert_eq!(
                RetryPolicy::retryable(outcome, true),
                get,
                "GET {outcome:?}"
            );
            assert_eq!(
                RetryPolicy::retryable(outcome, false),
                post,
                "POST {outcome:?}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_is_the_wait() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(attempt(1, false), status(429, Some(1)), 0.9),
            Decision::RetryAfter(SECOND)
        );
    }

    #[test]
    fn retry_after_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(attempt(1, false), status(429, Some(3600)), 0.5),
            Decision::RetryAfter(Duration::from_secs(60))
        );
    }

    #[test]
    fn no_attempt_beyond_max_attempts() {
        let p = RetryPolicy::default();
        assert!(matches!(
            p.decide(attempt(2, true), Outcome::NotSent, 0.5),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            p.decide(attempt(3, true), Outcome::NotSent, 0.5),
            Decision::Stop
        );
        assert_eq!(
            RetryPolicy::never().decide(attempt(1, true), Outcome::NotSent, 0.5),
            Decision::Stop
        );
    }

    #[test]
    fn backoff_is_full_jitter_under_an_exponential_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1, 0.0), Duration::ZERO);
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(200));
        assert_eq!(p.backoff(2, 1.0), Duration::from_millis(400));
        assert_eq!(p.backoff(3, 0.5), Duration::from_millis(400));
        assert_eq!(p.backoff(8, 1.0), Duration::from_secs(10));
        assert_eq!(p.backoff(u32::MAX, 1.0), Duration::from_secs(10));
        assert_eq!(
            p.backoff(2, 7.0),
            Duration::from_millis(400),
            "random is clamped"
        );
    }

    #[test]
    fn backoff_is_used_for_a_429_without_retry_after() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(attempt(2, false), status(429, None), 0.25),
            Decision::RetryAfter(Duration::from_millis(100))
        );
    }

    #[test]
    fn a_wait_that_reaches_the_deadline_stops() {
        let p = RetryPolicy::default();
        let near = Attempt::new(1, true, Some(SECOND));
        assert_eq!(p.decide(near, status(429, Some(1)), 0.5), Decision::Stop);
        let far = Attempt {
            remaining: Some(Duration::from_secs(2)),
            ..near
        };
        assert_eq!(
            p.decide(far, status(429, Some(1)), 0.5),
            Decision::RetryAfter(SECOND)
        );
    }

    #[test]
    fn opting_in_makes_post_5xx_retryable() {
        let p = RetryPolicy::default();
        // The executor folds the opt-in into `resend_allowed`; the policy only sees the result.
        assert!(matches!(
            p.decide(attempt(1, true), status(500, None), 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            p.decide(attempt(1, false), status(500, None), 0.0),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_parses_seconds_dates_and_rejects_garbage() {
        let now = httpdate::parse_http_date("Sat, 21 Nov 2026 10:00:00 GMT").expect("date");
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sat, 21 Nov 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sat, 21 Nov 2026 09:59:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
        assert_eq!(parse_retry_after("tomorrow", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }
}
