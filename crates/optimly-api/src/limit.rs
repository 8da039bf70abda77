//! The one model of a rate limit: a count of requests in a sliding window, counted per API key,
//! agent or chat. The spec's `x-rate-limits` are generated into tables of [`Limit`]
//! ([`operations`](crate::operations)); the SDK's client-side limiter and the mock's enforcement
//! both count them with [`SlidingWindow`].

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use crate::operations::{ActionId, OperationId, actions_of};
use crate::{Action, Operation};

/// Whose windows a limit is counted in: the key's own (global), an operation's, or an
/// action's. A [`Scope::Chat`] limit has one window per chat within its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// The global limits: every request counts.
    Global,
    /// One operation's own limits.
    Operation(OperationId),
    /// One action's limits (an appointment request, say).
    Action(ActionId),
}

/// The one rule for which limits apply to a request of `operation` whose body has
/// `metadata.form_type` `form_type`: every global limit, the operation's own, and those of each
/// enforced action the request performs. Each comes with its owner and its index among the
/// owner's limits; the limits in force are given (the documented ones, or a client's own).
/// The SDK's limiters (in the process and in Redis) and the mock all count by it.
pub fn applicable<'l>(
    global: &'l [Limit],
    of_operation: &'l [Limit],
    of_action: impl Fn(&'static Action) -> &'l [Limit] + 'l,
    operation: &Operation,
    form_type: Option<&str>,
) -> impl Iterator<Item = (Owner, usize, &'l Limit)> + 'l {
    let id = operation.id;
    let global = global
        .iter()
        .enumerate()
        .map(|(i, l)| (Owner::Global, i, l));
    let own = of_operation
        .iter()
        .enumerate()
        .map(move |(i, l)| (Owner::Operation(id), i, l));
    // The actions are found now, so that `form_type` need not outlive the call.
    let actions: Vec<&'static Action> = actions_of(id, form_type).collect();
    let actions = actions.into_iter().flat_map(move |action| {
        of_action(action)
            .iter()
            .enumerate()
            .map(move |(i, l)| (Owner::Action(action.id), i, l))
    });
    global.chain(own).chain(actions)
}

/// What a limit's requests are counted per.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scope {
    /// One count per API key.
    ApiKey,
    /// One count per agent (an API key belongs to one agent).
    Agent,
    /// One count per chat (`chat_id`).
    Chat,
}

impl Scope {
    /// How a limit's description names it (`API key`, `agent`, `chat`).
    pub const fn describe(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::Agent => "agent",
            Self::Chat => "chat",
        }
    }
}

/// At most [`count`](Self::count) requests in any window of length [`window`](Self::window),
/// counted per [`scope`](Self::scope).
///
/// ```
/// use std::time::Duration;
/// use optimly_api::{Limit, Scope};
///
/// let limit = Limit::new(100, Duration::from_secs(60), Scope::ApiKey);
/// assert_eq!(limit.to_string(), "100 per minute per API key");
/// // A test against a mock whose limits are 5% of the documented ones, per second:
/// assert_eq!(limit.scaled(0.05, 1.0 / 60.0).to_string(), "5 per second per API key");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    count: u32,
    window: Duration,
    scope: Scope,
}

impl Limit {
    /// `count` requests (at least 1) in any `window`, counted per `scope`.
    pub const fn new(count: u32, window: Duration, scope: Scope) -> Self {
        Self {
            count: if count == 0 { 1 } else { count },
            window,
            scope,
        }
    }

    /// Requests allowed in one window.
    pub const fn count(&self) -> u32 {
        self.count
    }

    /// The window's length.
    pub const fn window(&self) -> Duration {
        self.window
    }

    /// What the requests are counted per.
    pub const fn scope(&self) -> Scope {
        self.scope
    }

    /// The same limit with its count multiplied by `count` (rounded up, at least 1) and its
    /// window by `time`: for a plan with other limits, or a test against a scaled mock.
    pub fn scaled(self, count: f64, time: f64) -> Self {
        // `as` saturates: NaN gives 0 and the `max` makes it 1; infinity gives u32::MAX.
        let count = ((f64::from(self.count) * count).ceil() as u32).max(1);
        let seconds = self.window.as_secs_f64() * time;
        let window = if seconds.is_nan() || seconds <= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
        };
        Self {
            count,
            window,
            scope: self.scope,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.window.subsec_nanos() == 0;
        let per = match self.window.as_secs() {
            1 if whole => Some("second"),
            60 if whole => Some("minute"),
            3_600 if whole => Some("hour"),
            86_400 if whole => Some("day"),
            _ => None,
        };
        let scope = self.scope.describe();
        match per {
            Some(per) => write!(f, "{} per {per} per {scope}", self.count),
            None => write!(f, "{} per {:?} per {scope}", self.count, self.window),
        }
    }
}

/// The times of the requests inside one limit's window, oldest first.
#[derive(Clone, Debug, Default)]
pub struct SlidingWindow {
    times: VecDeque<Instant>,
}

impl SlidingWindow {
    /// Whether one more request fits under `count` requests in any `window` at `now`,
    /// counting `pending` requests that are taken but not [recorded](Self::record) yet. Times
    /// that have left the window are forgotten first. When it is full: `Err(Some(wait))`, the
    /// time until the oldest recorded request leaves the window, or `Err(None)` when only
    /// pending requests fill it.
    pub fn check(
        &mut self,
        count: u32,
        window: Duration,
        pending: u32,
        now: Instant,
    ) -> Result<(), Option<Duration>> {
        self.forget_before(now, window);
        let used = self.times.len().saturating_add(pending as usize);
        if used < count as usize {
            return Ok(());
        }
        Err(self
            .times
            .front()
            .map(|oldest| window.saturating_sub(now.saturating_duration_since(*oldest))))
    }

    /// Count a request at `at` (kept in order, whenever it is recorded).
    pub fn record(&mut self, at: Instant) {
        let after = self.times.partition_point(|t| *t <= at);
        self.times.insert(after, at);
    }

    /// Forget every request that is `window` or more older than `now`.
    pub fn forget_before(&mut self, now: Instant, window: Duration) {
        while self
            .times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            self.times.pop_front();
        }
    }

    /// Whether no request is counted.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// How many requests are counted (call [`forget_before`](Self::forget_before) first for
    /// the count inside a window).
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// The oldest request counted.
    pub fn oldest(&self) -> Option<Instant> {
        self.times.front().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_frees_when_its_oldest_request_leaves() {
        let limit = Limit::new(2, Duration::from_secs(60), Scope::ApiKey);
        let mut window = SlidingWindow::default();
        let start = Instant::now();
        let at = |s| start + Duration::from_secs(s);
        assert_eq!(
            window.check(limit.count(), limit.window(), 0, at(0)),
            Ok(())
        );
        window.record(at(0));
        assert_eq!(
            window.check(limit.count(), limit.window(), 1, at(10)),
            Err(Some(Duration::from_secs(50)))
        );
        window.record(at(10));
        assert_eq!(
            window.check(limit.count(), limit.window(), 0, at(15)),
            Err(Some(Duration::from_secs(45)))
        );
        assert_eq!(
            window.check(limit.count(), limit.window(), 0, at(60)),
            Ok(())
        );
        assert_eq!(
            window.check(limit.count(), limit.window(), 1, at(70)),
            Ok(())
        );
    }

    #[test]
    fn pending_requests_alone_fill_a_window_with_no_known_wait() {
        let limit = Limit::new(2, Duration::from_secs(1), Scope::ApiKey);
        let mut window = SlidingWindow::default();
        assert_eq!(
            window.check(limit.count(), limit.window(), 2, Instant::now()),
            Err(None)
        );
    }

    #[test]
    fn records_out_of_order_stay_sorted() {
        let limit = Limit::new(1, Duration::from_secs(10), Scope::Chat);
        let mut window = SlidingWindow::default();
        let start = Instant::now();
        window.record(start + Duration::from_secs(5));
        window.record(start + Duration::from_secs(1));
        assert_eq!(
            window.check(
                limit.count(),
                limit.window(),
                0,
                start + Duration::from_secs(6)
            ),
            Err(Some(Duration::from_secs(5)))
        );
    }

    #[test]
    fn scaling_rounds_counts_up_and_never_below_one() {
        let limit = Limit::new(10, Duration::from_secs(3_600), Scope::ApiKey);
        assert_eq!(limit.scaled(0.05, 1.0 / 60.0).count(), 1);
        assert_eq!(
            limit.scaled(0.05, 1.0 / 60.0).window(),
            Duration::from_secs(60)
        );
        assert_eq!(limit.scaled(f64::NAN, f64::NAN).count(), 1);
        assert_eq!(limit.scaled(f64::NAN, f64::NAN).window(), Duration::ZERO);
        assert_eq!(limit.scaled(1.0, f64::INFINITY).window(), Duration::MAX);
        assert_eq!(limit.scaled(1.0, -2.0).window(), Duration::ZERO);
        assert_eq!(Limit::new(0, Duration::ZERO, Scope::Agent).count(), 1);
        assert_eq!(
            Limit::new(120, Duration::from_secs(60), Scope::Chat).to_string(),
            "120 per minute per chat"
        );
    }
}
