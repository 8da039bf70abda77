//! The client-side rate limiter: every attempt first takes a slot under the documented limits
//! (`x-rate-limits` in the spec, generated into [`optimly_api::operations`]), so a busy
//! application waits for capacity instead of earning 429s.
//!
//! ## How it counts
//!
//! Each [`Limit`] is a sliding window: at most `count` requests in *any* window of its length,
//! which is the strictest reading of Optimly's "100 requests per minute" and the one the offline
//! mock enforces. A request counts from the moment it takes its slot, and its slot's time is the
//! moment its response came back (the latest the server can have counted it), so a window this
//! limiter sees as free is free on the server too, whatever the network's latency.
//!
//! The limiter only says "full until T"; the call engine decides what that means for the call
//! (wait, or fail with [`ErrorKind::Throttled`](crate::ErrorKind::Throttled)).
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

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use optimly_api::limit::SlidingWindow;
use optimly_api::operations::{self, OperationId};
use optimly_api::{Limit, Operation, Scope};
use tokio::sync::Notify;

use crate::clock::ClientClock;

/// What a call does when the limiter has no capacity for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhenLimited {
    /// Wait for capacity, within the call's deadline. The default.
    #[default]
    Wait,
    /// Fail at once with [`ErrorKind::Throttled`](crate::ErrorKind::Throttled), sending nothing.
    FailFast,
}

/// Which limits the client enforces on itself, and what a call does when one is full.
///
/// ```
/// use optimly::{RateLimits, WhenLimited};
/// use optimly_api::operations::EMAIL_HANDOFF;
///
/// // The documented limits (the default), failing fast instead of waiting:
/// let limits = RateLimits::documented().with_when_limited(WhenLimited::FailFast);
/// assert_eq!(limits.global()[0].count(), 100);
/// assert_eq!(limits.operation(&EMAIL_HANDOFF)[0].to_string(), "10 per hour per API key");
/// assert_eq!(limits.when_limited(), WhenLimited::FailFast);
/// // None at all:
/// assert!(RateLimits::off().global().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    global: Vec<Limit>,
    per_operation: Vec<(OperationId, Vec<Limit>)>,
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
            global: operations::GLOBAL_LIMITS.to_vec(),
            per_operation: operations::ALL
                .iter()
                .filter(|op| !op.limits.is_empty())
                .map(|op| (op.id, op.limits.to_vec()))
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

    /// Every limit [scaled](Limit::scaled): counts by `count`, windows by `time`. For a plan
    /// with other limits than the documented ones, or for tests against a mock whose limits
    /// are scaled the same way.
    pub fn scaled(mut self, count: f64, time: f64) -> Self {
        let scale = |l: &mut Limit| *l = l.scaled(count, time);
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

    /// Replace one operation's limits.
    pub fn with_operation(mut self, operation: &Operation, limits: Vec<Limit>) -> Self {
        self.per_operation.retain(|(id, _)| *id != operation.id);
        if !limits.is_empty() {
            self.per_operation.push((operation.id, limits));
        }
        self
    }

    /// Wait for capacity (the default) or fail fast.
    pub fn with_when_limited(mut self, when: WhenLimited) -> Self {
        self.when_limited = when;
        self
    }

    /// The limits on every request.
    pub fn global(&self) -> &[Limit] {
        &self.global
    }

    /// One operation's limits.
    pub fn operation(&self, operation: &Operation) -> &[Limit] {
        self.per_operation
            .iter()
            .find(|(id, _)| *id == operation.id)
            .map_or(&[], |(_, limits)| limits.as_slice())
    }

    /// What a call does when a limit is full.
    pub fn when_limited(&self) -> WhenLimited {
        self.when_limited
    }

    fn is_off(&self) -> bool {
        self.global.is_empty() && self.per_operation.is_empty()
    }

    fn longest_window(&self) -> Duration {
        self.global
            .iter()
            .chain(self.per_operation.iter().flat_map(|(_, l)| l.iter()))
            .map(Limit::window)
            .max()
            .unwrap_or_default()
    }
}

/// Which window a limit is counted in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    operation: Option<OperationId>,
    chat: Option<Box<str>>,
    index: usize,
}

/// One limit's window: the completion times of its requests, and those still running.
#[derive(Debug, Default)]
struct Window {
    done: SlidingWindow,
    in_flight: u32,
}

/// Why a slot could not be taken now: the limit that frees last, and how long until it has
/// room (`None`: when a running request finishes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Full {
    pub limit: Limit,
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
        operation: &'static Operation,
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
                    operation: Some(operation.id),
                    chat: (l.scope() == Scope::Chat).then(|| chat.unwrap_or("").into()),
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
        operation: &'static Operation,
        chat: Option<&str>,
        now: Instant,
    ) -> Result<Vec<Key>, Full> {
        if self.windows.len() >= SWEEP_AT {
            self.sweep(limits.longest_window(), now);
        }
        let mut keys = Vec::new();
        let mut worst: Option<Full> = None;
        for (key, limit) in Self::applicable(limits, operation, chat) {
            let window = self.windows.entry(key.clone()).or_default();
            if let Err(wait) = window.done.check(limit, window.in_flight, now) {
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

    fn sweep(&mut self, longest: Duration, now: Instant) {
        self.windows.retain(|_, w| {
            w.done.forget_before(now, longest);
            w.in_flight > 0 || !w.done.is_empty()
        });
    }

    fn finish(&mut self, keys: &[Key], at: Instant) {
        for key in keys {
            if let Some(window) = self.windows.get_mut(key) {
                window.in_flight = window.in_flight.saturating_sub(1);
                window.done.record(at);
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
    clock: &'l ClientClock,
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
    /// `remaining` bounds the wait: when capacity would come later than that (or the limits
    /// fail fast), the limit that is full is returned at once instead of sleeping into the
    /// deadline; the caller turns it into an error.
    pub(crate) async fn acquire<'l>(
        &'l self,
        operation: &'static Operation,
        chat: Option<&str>,
        clock: &'l ClientClock,
        remaining: impl Fn() -> Option<Duration>,
    ) -> Result<Permit<'l>, Full> {
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
                return Err(full);
            }
            tracing::debug!(
                limit = %full.limit,
                wait_ms = full.wait.map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX)),
                "waiting for rate-limit capacity"
            );
            waited = true;
            match full.wait.or(left) {
                Some(wait) => {
                    tokio::select! {
                        () = clock.sleep(wait) => {}
                        () = released => {}
                    }
                }
                None => released.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use optimly_api::operations::{EMAIL_HANDOFF, LIST_CLIENT_CHATS, NEW_CHAT, NEW_MESSAGE};

    fn per_second(limit: u32) -> Limit {
        Limit::new(limit, Duration::from_secs(1), Scope::ApiKey)
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
            limits.operation(&NEW_MESSAGE)[0].to_string(),
            "120 per minute per chat"
        );
        assert_eq!(
            limits.operation(&EMAIL_HANDOFF)[0].to_string(),
            "10 per hour per API key"
        );
        assert!(limits.operation(&LIST_CLIENT_CHATS).is_empty());
    }

    #[test]
    fn scaling_multiplies_counts_and_windows() {
        let limits = RateLimits::documented().scaled(0.05, 1.0 / 60.0);
        assert_eq!(limits.global()[0].count(), 5);
        assert_eq!(limits.global()[0].window(), Duration::from_secs(1));
        assert_eq!(limits.operation(&EMAIL_HANDOFF)[0].count(), 1);
        assert_eq!(
            limits.operation(&EMAIL_HANDOFF)[0].window(),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn a_full_window_frees_a_window_after_its_oldest_completion() {
        let limits = RateLimits::off().with_global(vec![per_second(2)]);
        let mut state = State::default();
        let t0 = Instant::now();
        let a = state.try_take(&limits, &NEW_CHAT, None, t0).expect("first");
        let b = state
            .try_take(&limits, &NEW_CHAT, None, t0)
            .expect("second");
        // Both still running: only their release can free the window.
        assert_eq!(
            state.try_take(&limits, &NEW_CHAT, None, t0),
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
                .try_take(&limits, &NEW_CHAT, None, t0 + Duration::from_millis(500))
                .map_err(|f| f.wait),
            Err(Some(Duration::from_millis(600)))
        );
        assert!(
            state
                .try_take(&limits, &NEW_CHAT, None, t0 + Duration::from_millis(1100))
                .is_ok()
        );
        assert_eq!(
            state
                .try_take(&limits, &NEW_CHAT, None, t0 + Duration::from_millis(1100))
                .map_err(|f| f.wait),
            Err(Some(Duration::from_millis(200)))
        );
    }

    #[test]
    fn chat_scoped_limits_count_each_chat_apart() {
        let chat_limit = Limit::new(1, Duration::from_secs(60), Scope::Chat);
        let limits = RateLimits::off().with_operation(&NEW_MESSAGE, vec![chat_limit]);
        let mut state = State::default();
        let now = Instant::now();
        assert!(
            state
                .try_take(&limits, &NEW_MESSAGE, Some("a"), now)
                .is_ok()
        );
        assert!(
            state
                .try_take(&limits, &NEW_MESSAGE, Some("b"), now)
                .is_ok()
        );
        assert!(
            state
                .try_take(&limits, &NEW_MESSAGE, Some("a"), now)
                .is_err()
        );
        // Other operations are not counted against it.
        assert!(state.try_take(&limits, &NEW_CHAT, Some("a"), now).is_ok());
    }

    #[test]
    fn a_refused_request_takes_no_slot_anywhere() {
        let limits = RateLimits::off()
            .with_global(vec![per_second(5)])
            .with_operation(&NEW_CHAT, vec![per_second(1)]);
        let mut state = State::default();
        let now = Instant::now();
        assert!(state.try_take(&limits, &NEW_CHAT, None, now).is_ok());
        for _ in 0..10 {
            assert!(state.try_take(&limits, &NEW_CHAT, None, now).is_err());
        }
        // The 10 refusals left 4 global slots.
        for _ in 0..4 {
            assert!(
                state
                    .try_take(&limits, &LIST_CLIENT_CHATS, None, now)
                    .is_ok()
            );
        }
        assert!(
            state
                .try_take(&limits, &LIST_CLIENT_CHATS, None, now)
                .is_err()
        );
    }

    #[test]
    fn idle_chat_windows_are_swept() {
        let chat_limit = Limit::new(1, Duration::from_secs(1), Scope::Chat);
        let limits = RateLimits::off().with_operation(&NEW_MESSAGE, vec![chat_limit]);
        let mut state = State::default();
        let t0 = Instant::now();
        for i in 0..SWEEP_AT {
            let keys = state
                .try_take(&limits, &NEW_MESSAGE, Some(&i.to_string()), t0)
                .expect("room");
            state.finish(&keys, t0);
        }
        assert_eq!(state.windows.len(), SWEEP_AT);
        let later = t0 + Duration::from_secs(2);
        assert!(
            state
                .try_take(&limits, &NEW_MESSAGE, Some("x"), later)
                .is_ok()
        );
        assert_eq!(state.windows.len(), 1);
    }
}
