//! The client-side rate limiter: every attempt first takes a slot under the documented limits
//! (`x-rate-limits` in the spec, generated into [`optimly_api::rate_limits`]), so a busy
//! application waits for capacity instead of earning 429s.
//!
//! ## How it counts
//!
//! Each limit is a sliding window: at most `limit` requests in *any* window of length `per`,
//! which is the strictest reading of Optimly's "100 requests per minute" and the one the offline
//! mock enforces. A request counts from the moment it takes its slot, and its slot's time is the
//! moment its response came back (the latest the server can have counted it), so a window this
//! limiter sees as free is free on the server too, whatever the network's latency.
//!
//! Global limits are counted per client (clones of an [`OptimlyClient`](crate::OptimlyClient)
//! share them; build one client per key and clone it). Per-operation limits are counted per
//! operation, and `new_message`'s `chat`-scoped limit per chat.
//!
//! ## Why not a token bucket
//!
//! A GCRA or token bucket (`governor`) can promise never to exceed "N per window" only by
//! spacing requests `window / N` apart (burst 1), which makes a batch of 3N requests take about
//! 3 windows. A sliding window sends the first N at once and finishes the same batch in 2
//! windows, the least the limit allows. A bucket with a burst of N would be as fast but sends up
//! to 2N−1 requests in one window, which the server answers with 429s.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use optimly_api::rate_limits::{self as documented, Per, Scope};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::error::Error;

pub use optimly_api::rate_limits::RateLimit;

/// What a call does when the limiter has no capacity for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhenLimited {
    /// Wait for capacity, within the call's deadline. The default.
    #[default]
    Wait,
    /// Fail at once with [`Error::Throttled`], sending nothing.
    FailFast,
}

/// One limit as the limiter applies it: `limit` requests in any `window`, counted per `scope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed in one window.
    pub limit: u32,
    /// The window.
    pub window: Duration,
    /// What the requests are counted per.
    pub scope: Scope,
}

impl From<&RateLimit> for Limit {
    fn from(l: &RateLimit) -> Self {
        Self {
            limit: l.limit,
            window: l.per.duration(),
            scope: l.scope,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = [Per::Second, Per::Minute, Per::Hour, Per::Day]
            .into_iter()
            .find(|p| p.duration() == self.window);
        let scope = match self.scope {
            Scope::ApiKey => "API key",
            Scope::Agent => "agent",
            Scope::Chat => "chat",
        };
        match per {
            Some(p) => write!(
                f,
                "{} per {} per {scope}",
                self.limit,
                format!("{p:?}").to_lowercase()
            ),
            None => write!(f, "{} per {:?} per {scope}", self.limit, self.window),
        }
    }
}

/// Which limits the client enforces on itself, and what a call does when one is full.
///
/// ```
/// use optimly::{RateLimits, WhenLimited};
///
/// // The documented limits (the default), failing fast instead of waiting:
/// let limits = RateLimits::documented().when_limited(WhenLimited::FailFast);
/// assert_eq!(limits.global()[0].limit, 100);
/// // None at all:
/// assert!(RateLimits::off().global().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    global: Vec<Limit>,
    per_operation: Vec<(&'static str, Vec<Limit>)>,
    when_limited: WhenLimited,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::documented()
    }
}

impl RateLimits {
    /// The limits the spec documents: 100 per minute, 1,000 per hour and 10,000 per day per
    /// key, and each operation's own.
    pub fn documented() -> Self {
        Self {
            global: documented::GLOBAL.iter().map(Limit::from).collect(),
            per_operation: documented::OPERATIONS
                .iter()
                .map(|op| {
                    let limits = documented::for_operation(op);
                    (*op, limits.iter().map(Limit::from).collect::<Vec<_>>())
                })
                .filter(|(_, limits)| !limits.is_empty())
                .collect(),
            when_limited: WhenLimited::Wait,
        }
    }

    /// No client-side limits: every call is sent at once (the server's 429s are still retried).
    pub fn off() -> Self {
        Self {
            global: Vec::new(),
            per_operation: Vec::new(),
            when_limited: WhenLimited::Wait,
        }
    }

    /// Multiply every count by `count` (at least 1) and every window by `time`. For a plan
    /// with other limits than the documented ones, or for tests against a mock whose limits
    /// are scaled the same way.
    pub fn scaled(mut self, count: f64, time: f64) -> Self {
        let scale = |l: &mut Limit| {
            l.limit = (f64::from(l.limit) * count)
                .ceil()
                .clamp(1.0, f64::from(u32::MAX)) as u32;
            l.window = l.window.mul_f64(time.max(0.0));
        };
        self.global.iter_mut().for_each(scale);
        self.per_operation
            .iter_mut()
            .flat_map(|(_, limits)| limits.iter_mut())
            .for_each(scale);
        self
    }

    /// Replace the limits on every request.
    pub fn with_global(mut self, limits: Vec<Limit>) -> Self {
        self.global = limits;
        self
    }

    /// Replace one operation's limits (`new_message`, `call_agent_v2`, ...).
    pub fn with_operation(mut self, operation: &'static str, limits: Vec<Limit>) -> Self {
        self.per_operation.retain(|(op, _)| *op != operation);
        if !limits.is_empty() {
            self.per_operation.push((operation, limits));
        }
        self
    }

    /// Wait for capacity (the default) or fail fast.
    pub fn when_limited(mut self, when: WhenLimited) -> Self {
        self.when_limited = when;
        self
    }

    /// The limits on every request.
    pub fn global(&self) -> &[Limit] {
        &self.global
    }

    /// One operation's limits.
    pub fn operation(&self, operation: &str) -> &[Limit] {
        self.per_operation
            .iter()
            .find(|(op, _)| *op == operation)
            .map_or(&[], |(_, limits)| limits.as_slice())
    }

    /// What a call does when a limit is full.
    pub fn on_limit(&self) -> WhenLimited {
        self.when_limited
    }

    fn is_off(&self) -> bool {
        self.global.is_empty() && self.per_operation.is_empty()
    }
}

/// Which window a limit is counted in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    operation: Option<&'static str>,
    chat: Option<Box<str>>,
    index: usize,
}

/// One sliding window: the completion times of the requests in it, and those still running.
#[derive(Debug, Default)]
struct Window {
    done: VecDeque<Instant>,
    in_flight: u32,
}

impl Window {
    fn forget_before(&mut self, now: Instant, window: Duration) {
        while self
            .done
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            self.done.pop_front();
        }
    }

    /// `None` when there is room; otherwise how long until the oldest request leaves (`None`
    /// inside when only running requests fill it: their release frees it).
    fn full(&self, limit: &Limit, now: Instant) -> Option<Option<Duration>> {
        let used = self.done.len() + self.in_flight as usize;
        (used >= limit.limit as usize).then(|| {
            self.done.front().map(|t| {
                limit
                    .window
                    .saturating_sub(now.saturating_duration_since(*t))
            })
        })
    }

    fn finish(&mut self, at: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let at_or_after = self.done.partition_point(|t| *t <= at);
        self.done.insert(at_or_after, at);
    }
}

/// Why a slot could not be taken now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Full {
    /// The limit that is full (the one that frees last).
    pub limit: Limit,
    /// How long until it has room, if known (`None`: when a running request finishes).
    pub wait: Option<Duration>,
}

/// The windows of one client.
#[derive(Debug, Default)]
struct State {
    windows: HashMap<Key, Window>,
}

/// Sweep empty windows (one per chat ever written to) once there are this many.
const SWEEP_AT: usize = 4096;

impl State {
    fn applicable<'l>(
        limits: &'l RateLimits,
        operation: &'static str,
        chat: Option<&str>,
    ) -> impl Iterator<Item = (Key, &'l Limit)> {
        let global = limits.global.iter().enumerate().map(|(index, l)| {
            let key = Key {
                operation: None,
                chat: None,
                index,
            };
            (key, l)
        });
        let own = limits
            .operation(operation)
            .iter()
            .enumerate()
            .map(move |(index, l)| {
                let key = Key {
                    operation: Some(operation),
                    chat: (l.scope == Scope::Chat).then(|| chat.unwrap_or("").into()),
                    index,
                };
                (key, l)
            });
        global.chain(own)
    }

    /// Take a slot in every window that applies, or say which is full and for how long.
    fn try_take(
        &mut self,
        limits: &RateLimits,
        operation: &'static str,
        chat: Option<&str>,
        now: Instant,
    ) -> Result<Vec<Key>, Full> {
        if self.windows.len() >= SWEEP_AT {
            self.sweep(limits, now);
        }
        let mut keys = Vec::new();
        let mut worst: Option<Full> = None;
        for (key, limit) in Self::applicable(limits, operation, chat) {
            let window = self.windows.entry(key.clone()).or_default();
            window.forget_before(now, limit.window);
            if let Some(wait) = window.full(limit, now) {
                // The limit that frees last is reported: a known wait beats "when a running
                // request finishes" (`None`), which is exactly `Option`'s ordering.
                if worst.is_none_or(|w| wait > w.wait) {
                    worst = Some(Full {
                        limit: *limit,
                        wait,
                    });
                }
            }
            keys.push(key);
        }
        if let Some(full) = worst {
            return Err(full);
        }
        for key in &keys {
            if let Some(window) = self.windows.get_mut(key) {
                window.in_flight += 1;
            }
        }
        Ok(keys)
    }

    fn sweep(&mut self, limits: &RateLimits, now: Instant) {
        let longest = limits
            .global
            .iter()
            .chain(limits.per_operation.iter().flat_map(|(_, l)| l.iter()))
            .map(|l| l.window)
            .max()
            .unwrap_or_default();
        self.windows.retain(|_, w| {
            w.forget_before(now, longest);
            w.in_flight > 0 || !w.done.is_empty()
        });
    }

    fn finish(&mut self, keys: &[Key], at: Instant) {
        for key in keys {
            if let Some(window) = self.windows.get_mut(key) {
                window.finish(at);
            }
        }
    }
}

/// The limiter a client and its clones share.
#[derive(Debug)]
pub(crate) struct Limiter {
    limits: RateLimits,
    state: Mutex<State>,
    released: Notify,
}

/// A taken slot; dropping it records the request's completion time in its windows.
pub(crate) struct Permit<'l> {
    /// `None` when the limits are off: nothing to record.
    limiter: Option<&'l Limiter>,
    keys: Vec<Key>,
    clock: &'l dyn Clock,
    waited: bool,
}

impl Permit<'_> {
    /// Whether the slot was waited for (time passed before it was taken).
    pub(crate) fn waited(&self) -> bool {
        self.waited
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(limiter) = self.limiter.take() {
            limiter.lock().finish(&self.keys, self.clock.now());
            limiter.released.notify_waiters();
        }
    }
}

impl Limiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            state: Mutex::default(),
            released: Notify::new(),
        }
    }

    pub(crate) fn limits(&self) -> &RateLimits {
        &self.limits
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Take a slot for one attempt of `operation`, waiting for one when the limits say so.
    /// `remaining` bounds the wait: when capacity would come later than that, the call fails
    /// with [`Error::Throttled`] at once instead of sleeping into its deadline.
    pub(crate) async fn acquire<'l>(
        &'l self,
        operation: &'static str,
        chat: Option<&str>,
        clock: &'l dyn Clock,
        remaining: impl Fn() -> Option<Duration>,
    ) -> Result<Permit<'l>, Error> {
        if self.limits.is_off() {
            return Ok(Permit {
                limiter: None,
                keys: Vec::new(),
                clock,
                waited: false,
            });
        }
        let mut waited = false;
        loop {
            let released = self.released.notified();
            let taken = self
                .lock()
                .try_take(&self.limits, operation, chat, clock.now());
            let full = match taken {
                Ok(keys) => {
                    return Ok(Permit {
                        limiter: Some(self),
                        keys,
                        clock,
                        waited,
                    });
                }
                Err(full) => full,
            };
            let left = remaining();
            let too_late = match (full.wait, left) {
                (Some(wait), Some(left)) => wait >= left,
                (None, Some(left)) => left.is_zero(),
                (_, None) => false,
            };
            if self.limits.when_limited == WhenLimited::FailFast || too_late {
                return Err(Error::Throttled {
                    operation,
                    limit: full.limit,
                    wait: full.wait,
                    attempts: 0,
                });
            }
            tracing::debug!(
                limit = %full.limit,
                wait_ms = full.wait.map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX)),
                "waiting for rate-limit capacity"
            );
            waited = true;
            match (full.wait, left) {
                (Some(wait), _) => {
                    tokio::select! {
                        () = clock.sleep(wait) => {}
                        () = released => {}
                    }
                }
                (None, Some(left)) => {
                    tokio::select! {
                        () = clock.sleep(left) => {}
                        () = released => {}
                    }
                }
                (None, None) => released.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn per_second(limit: u32) -> Limit {
        Limit {
            limit,
            window: Duration::from_secs(1),
            scope: Scope::ApiKey,
        }
    }

    #[test]
    fn the_documented_limits_come_from_the_spec() {
        let limits = RateLimits::documented();
        assert_eq!(
            limits
                .global()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "100 per minute per API key",
                "1000 per hour per API key",
                "10000 per day per API key"
            ]
        );
        assert_eq!(
            limits.operation("new_message")[0].to_string(),
            "120 per minute per chat"
        );
        assert_eq!(
            limits.operation("email_handoff")[0].to_string(),
            "10 per hour per API key"
        );
        assert!(limits.operation("list_client_chats").is_empty());
    }

    #[test]
    fn scaling_multiplies_counts_and_windows() {
        let limits = RateLimits::documented().scaled(0.05, 1.0 / 60.0);
        assert_eq!(limits.global()[0].limit, 5);
        assert_eq!(limits.global()[0].window, Duration::from_secs(1));
        assert_eq!(limits.operation("email_handoff")[0].limit, 1);
        assert_eq!(
            limits.operation("email_handoff")[0].window,
            Duration::from_secs(60)
        );
    }

    #[test]
    fn a_full_window_frees_a_window_after_its_oldest_completion() {
        let limits = RateLimits::off().with_global(vec![per_second(2)]);
        let mut state = State::default();
        let t0 = Instant::now();
        let a = state.try_take(&limits, "op", None, t0).expect("first");
        let b = state.try_take(&limits, "op", None, t0).expect("second");
        // Both still running: only their release can free the window.
        assert_eq!(
            state.try_take(&limits, "op", None, t0),
            Err(Full {
                limit: per_second(2),
                wait: None
            })
        );
        state.finish(&a, t0 + Duration::from_millis(100));
        state.finish(&b, t0 + Duration::from_millis(300));
        // Counted from the completions, not the starts.
        assert_eq!(
            state
                .try_take(&limits, "op", None, t0 + Duration::from_millis(500))
                .map_err(|f| f.wait),
            Err(Some(Duration::from_millis(600)))
        );
        assert!(
            state
                .try_take(&limits, "op", None, t0 + Duration::from_millis(1100))
                .is_ok()
        );
        assert_eq!(
            state
                .try_take(&limits, "op", None, t0 + Duration::from_millis(1100))
                .map_err(|f| f.wait),
            Err(Some(Duration::from_millis(200)))
        );
    }

    #[test]
    fn chat_scoped_limits_count_each_chat_apart() {
        let chat_limit = Limit {
            limit: 1,
            window: Duration::from_secs(60),
            scope: Scope::Chat,
        };
        let limits = RateLimits::off().with_operation("new_message", vec![chat_limit]);
        let mut state = State::default();
        let now = Instant::now();
        assert!(
            state
                .try_take(&limits, "new_message", Some("a"), now)
                .is_ok()
        );
        assert!(
            state
                .try_take(&limits, "new_message", Some("b"), now)
                .is_ok()
        );
        assert!(
            state
                .try_take(&limits, "new_message", Some("a"), now)
                .is_err()
        );
        // Other operations are not counted against it.
        assert!(state.try_take(&limits, "new_chat", Some("a"), now).is_ok());
    }

    #[test]
    fn a_refused_request_takes_no_slot_anywhere() {
        let limits = RateLimits::off()
            .with_global(vec![per_second(5)])
            .with_operation("op", vec![per_second(1)]);
        let mut state = State::default();
        let now = Instant::now();
        assert!(state.try_take(&limits, "op", None, now).is_ok());
        for _ in 0..10 {
            assert!(state.try_take(&limits, "op", None, now).is_err());
        }
        // The 10 refusals left 4 global slots.
        for _ in 0..4 {
            assert!(state.try_take(&limits, "other", None, now).is_ok());
        }
        assert!(state.try_take(&limits, "other", None, now).is_err());
    }

    #[test]
    fn idle_chat_windows_are_swept() {
        let chat_limit = Limit {
            limit: 1,
            window: Duration::from_secs(1),
            scope: Scope::Chat,
        };
        let limits = RateLimits::off().with_operation("new_message", vec![chat_limit]);
        let mut state = State::default();
        let t0 = Instant::now();
        for i in 0..SWEEP_AT {
            let keys = state
                .try_take(&limits, "new_message", Some(&i.to_string()), t0)
                .expect("room");
            state.finish(&keys, t0);
        }
        assert_eq!(state.windows.len(), SWEEP_AT);
        let later = t0 + Duration::from_secs(2);
        assert!(
            state
                .try_take(&limits, "new_message", Some("x"), later)
                .is_ok()
        );
        assert_eq!(state.windows.len(), 1);
    }
}
