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
//! The windows that apply to a request: the global ones (per key), its operation's own, per
//! chat for `new_message`, and those of the [action](optimly_api::Action) it performs (20
//! appointment requests per hour: a `new_message` whose `metadata.form_type` is
//! `appointment_request`). The tools page's 50 tool executions per hour are not counted: the
//! agent runs tools on its own while it answers, so a client cannot know of them before it
//! calls; the spec records that limit with `enforced: false`.
//!
//! The limiter only says "full until T"; the call engine decides what that means for the call
//! (wait, or fail with [`ErrorKind::HeldByLimiter`](crate::ErrorKind::HeldByLimiter)).
//!
//! ## Where the windows live
//!
//! In the process by default: clones of an [`OptimlyClient`](crate::OptimlyClient) share them
//! (build one client per key and clone it). With several processes on one key (replicas behind
//! a load balancer), give the client a shared backend (feature `redis`, `RedisLimits`) and the
//! same windows are counted across every process, on Redis's clock.
//!
//! ## After a 429
//!
//! A 429 means the server counted more than this limiter knows of (another client on the key,
//! a restart, a plan with other limits). No Optimly page promises a `Retry-After`, so the
//! limiter works out the wait itself: `Retry-After` when the server sent one; otherwise the
//! time until the oldest request of the tightest window that applies (the fullest one,
//! relative to its count) leaves it; otherwise that window's whole length; never more than the
//! retry policy's [`max_retry_after`](crate::RetryPolicy::max_retry_after). That window is
//! paused for every caller of the client (of the fleet, with Redis), and when the pause ends
//! one request goes first: the others wait for its answer (at most [`PROBE_PATIENCE`]), so a
//! window that is still full earns one more 429, not one per caller. A new client starts the
//! same way, its first request going first, since it cannot know what other clients on the key
//! have sent.
//!
//! ## Why not a token bucket
//!
//! A GCRA or token bucket (`governor`) can promise never to exceed "N per window" only by
//! spacing requests `window / N` apart (burst 1), which makes a batch of 3N requests take about
//! 3 windows. A sliding window sends the first N at once and finishes the same batch in 2
//! windows, the least the limit allows. A bucket with a burst of N would be as fast but sends up
//! to 2N−1 requests in one window, which the server answers with 429s.

use std::time::{Duration, Instant};

use optimly_api::limit::Owner;
use optimly_api::operations::{self, ActionId, OperationId};
use optimly_api::{Action, Limit, Operation, Scope};
use tokio::sync::Notify;

use crate::RequestOptions;
use crate::clock::ClientClock;

mod local;
use local::Local;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
pub use redis::RedisLimits;

/// The Redis side of a client's limiter, for the builder; `Err` says what is wrong with the
/// URL (without repeating it).
#[cfg(feature = "redis")]
pub(crate) fn redis_backend(
    config: RedisLimits,
    key: &crate::credentials::ApiKey,
) -> Result<redis::Shared, String> {
    redis::Shared::new(config, key.expose())
}

/// Why the shared backend could not be used, in words that never hold its URL. The call
/// engine makes it the source of an
/// [`ErrorKind::LimiterUnavailable`](crate::ErrorKind::LimiterUnavailable).
#[derive(Debug)]
pub(crate) struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the Redis rate limiter is unavailable: {}", self.0)
    }
}

impl std::error::Error for Unavailable {}

/// How long the other callers wait for the first request's answer, at a client's start and
/// after a pause for a 429, before they go anyway. A 429 comes back at once, so this bounds
/// only the wait behind a slow success (an agent's reply).
pub const PROBE_PATIENCE: Duration = Duration::from_millis(250);

/// What a call does when the limiter has no capacity for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhenLimited {
    /// Wait for capacity, within the call's deadline. The default.
    #[default]
    Wait,
    /// Fail at once with [`ErrorKind::HeldByLimiter`](crate::ErrorKind::HeldByLimiter), sending nothing.
    FailFast,
}

/// Which limits the client enforces on itself, and what a call does when one is full.
///
/// ```
/// use optimly::{RateLimits, WhenLimited};
/// use optimly::operations::{EMAIL_HANDOFF, REQUEST_APPOINTMENT};
///
/// // The documented limits (the default), failing fast instead of waiting:
/// let limits = RateLimits::documented().with_when_limited(WhenLimited::FailFast);
/// assert_eq!(limits.global()[0].count(), 100);
/// assert_eq!(limits.operation(&EMAIL_HANDOFF)[0].to_string(), "10 per hour per API key");
/// assert_eq!(limits.action(&REQUEST_APPOINTMENT)[0].to_string(), "20 per hour per API key");
/// assert_eq!(limits.when_limited(), WhenLimited::FailFast);
/// // None at all:
/// assert!(RateLimits::off().global().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    global: Vec<Limit>,
    per_operation: Vec<(OperationId, Vec<Limit>)>,
    per_action: Vec<(ActionId, Vec<Limit>)>,
    when_limited: WhenLimited,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::documented()
    }
}

impl RateLimits {
    /// The limits the spec documents: 100 per minute, 1,000 per hour and 10,000 per day per
    /// key, each operation's own, and each enforced action's.
    pub fn documented() -> Self {
        Self {
            global: operations::GLOBAL_LIMITS.to_vec(),
            per_operation: operations::ALL
                .iter()
                .filter(|op| !op.limits.is_empty())
                .map(|op| (op.id, op.limits.to_vec()))
                .collect(),
            per_action: operations::ACTIONS
                .iter()
                .filter(|a| a.enforced && !a.limits.is_empty())
                .map(|a| (a.id, a.limits.to_vec()))
                .collect(),
            when_limited: WhenLimited::Wait,
        }
    }

    /// No client-side limits: every call is sent at once (the server's 429s are still retried).
    pub fn off() -> Self {
        Self {
            global: Vec::new(),
            per_operation: Vec::new(),
            per_action: Vec::new(),
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
            .chain(
                self.per_action
                    .iter_mut()
                    .flat_map(|(_, limits)| limits.iter_mut()),
            )
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
        set(&mut self.per_operation, operation.id, limits);
        self
    }

    /// Replace one action's limits (counted on the requests that perform it).
    pub fn with_action(mut self, action: &Action, limits: Vec<Limit>) -> Self {
        set(&mut self.per_action, action.id, limits);
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
        get(&self.per_operation, operation.id)
    }

    /// One action's limits.
    pub fn action(&self, action: &Action) -> &[Limit] {
        get(&self.per_action, action.id)
    }

    /// What a call does when a limit is full.
    pub fn when_limited(&self) -> WhenLimited {
        self.when_limited
    }

    /// Every window that applies to a request of `operation` about `target`, with its limit:
    /// the global ones, the operation's (per chat when so scoped), and its actions'.
    fn applicable<'l>(
        &'l self,
        operation: &'static Operation,
        target: Target<'l>,
    ) -> impl Iterator<Item = (Key, &'l Limit)> + 'l {
        optimly_api::limit::applicable(
            &self.global,
            self.operation(operation),
            |action| self.action(action),
            operation,
            target.form_type,
        )
        .map(move |(owner, index, l)| {
            let chat = (l.scope() == Scope::Chat).then(|| target.chat.unwrap_or("").into());
            let owner = Whose::Key(owner);
            (Key { owner, chat, index }, l)
        })
    }
}

fn set<I: PartialEq>(list: &mut Vec<(I, Vec<Limit>)>, id: I, limits: Vec<Limit>) {
    list.retain(|(i, _)| *i != id);
    if !limits.is_empty() {
        list.push((id, limits));
    }
}

fn get<I: PartialEq>(list: &[(I, Vec<Limit>)], id: I) -> &[Limit] {
    list.iter()
        .find(|(i, _)| *i == id)
        .map_or(&[], |(_, limits)| limits.as_slice())
}

/// What a request is about beyond its operation, for the limits counted per chat and per
/// action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    /// The chat, for limits counted per chat.
    pub chat: Option<&'a str>,
    /// `metadata.form_type`, which names the action a message performs.
    pub form_type: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// A request about no chat in particular.
    pub const NONE: Self = Self {
        chat: None,
        form_type: None,
    };

    /// A request about one chat.
    pub fn chat(chat: &'a str) -> Self {
        Self {
            chat: Some(chat),
            form_type: None,
        }
    }
}

/// What the shared backend has done so far; all zero without one. Read it with
/// [`OptimlyClient::limiter_stats`](crate::OptimlyClient::limiter_stats).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimiterStats {
    /// Slots taken in the shared backend.
    pub shared: u64,
    /// Slots taken in the process instead, because the shared backend did not answer in time.
    pub fallback: u64,
    /// Times the limiter switched to the in-process windows (an outage began).
    pub outages: u64,
    /// Times it went back to the shared backend after an outage.
    pub recoveries: u64,
    /// Calls failed because the backend was unavailable in strict mode.
    pub refused: u64,
}

/// Which window a limit is counted in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    owner: Whose,
    chat: Option<Box<str>>,
    index: usize,
}

/// Whose windows: the key's (global, an operation's, an action's), or a caller's own, by the
/// name it counts them under ([`RequestOptions::limit_as`](crate::RequestOptions::limit_as)).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Whose {
    Key(Owner),
    Caller(Box<str>),
}

impl Key {
    /// A caller's own window, which a 429 from the server never pauses.
    fn caller(&self) -> Option<&str> {
        match &self.owner {
            Whose::Caller(name) => Some(name),
            Whose::Key(_) => None,
        }
    }
}

/// Why a slot could not be taken now: the limit that frees last, and how long until it has
/// room (`None`: when a running request finishes). `probe`: only because another request is
/// finding out whether the server has room, which even a fail-fast call waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Full {
    pub limit: Limit,
    pub wait: Option<Duration>,
    pub probe: bool,
    /// The caller's name, when the limit was one of its own.
    pub caller: Option<String>,
}

impl Full {
    fn new((key, limit): &(Key, Limit), wait: Option<Duration>) -> Self {
        Self {
            limit: *limit,
            wait,
            probe: false,
            caller: key.caller().map(str::to_owned),
        }
    }

    /// The limit that frees last: a known wait beats "when a running request finishes"
    /// (`None`), which is exactly `Option`'s ordering.
    fn worse(worst: Option<Self>, other: Self) -> Option<Self> {
        match worst {
            Some(w) if w.wait >= other.wait => Some(w),
            _ => Some(other),
        }
    }
}

/// How an attempt ended, for the windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The server answered, with anything but a 429.
    Answered,
    /// The server answered 429: pause the tightest window.
    TooMany {
        /// The server's `Retry-After`.
        retry_after: Option<Duration>,
        /// The longest pause allowed.
        cap: Duration,
    },
    /// No answer (timeout, connection lost, cancelled).
    Unanswered,
}

/// How full one window was when a 429 came back: its requests (the answered one included, and
/// those still running), and how long ago the oldest of them ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fill {
    used: usize,
    oldest: Option<Duration>,
}

/// Where a client's windows are counted: in the process ([`Local`]) or in Redis. A backend
/// only counts; which windows apply and how long a 429 pauses are decided by the [`Limiter`],
/// once for both.
trait Windows {
    /// What the backend needs to find a taken slot again.
    type Ticket;

    /// Take a slot in every window, or in none and say which frees last. `lease`: how long the
    /// attempt may run.
    async fn take(
        &self,
        windows: &[(Key, Limit)],
        lease: Duration,
        clock: &ClientClock,
    ) -> Result<Result<Self::Ticket, Full>, Unavailable>;

    /// Record how an attempt ended; after a 429, how full each of its windows is, in order.
    async fn settle(
        &self,
        windows: &[(Key, Limit)],
        ticket: &Self::Ticket,
        answer: Answer,
        clock: &ClientClock,
    ) -> Result<Vec<Fill>, Unavailable>;

    /// Hold one window for `pause`; the first request after it goes alone.
    async fn pause(
        &self,
        window: &(Key, Limit),
        pause: Duration,
        clock: &ClientClock,
    ) -> Result<(), Unavailable>;
}

/// After a 429: the window to pause and for how long. The window is the key's fullest
/// relative to its count (of equals, the shortest; a caller's own windows are not the
/// server's, so never paused); the pause is `Retry-After`, else the time until that
/// window's oldest request leaves it, else the window's length, and never more than `cap`.
fn pause_after_429(
    windows: &[(Key, Limit)],
    fills: &[Fill],
    retry_after: Option<Duration>,
    cap: Duration,
) -> Option<(usize, Duration)> {
    let mut tightest: Option<(usize, f64)> = None;
    for (i, ((key, limit), fill)) in windows.iter().zip(fills).enumerate() {
        if key.caller().is_some() {
            continue;
        }
        let ratio = fill.used as f64 / f64::from(limit.count());
        let tighter = tightest.is_none_or(|(t, best)| {
            ratio > best || (ratio == best && limit.window() < windows[t].1.window())
        });
        if tighter {
            tightest = Some((i, ratio));
        }
    }
    let (i, _) = tightest?;
    let window = windows[i].1.window();
    let pause = retry_after.unwrap_or_else(|| {
        fills[i]
            .oldest
            .map(|age| window.saturating_sub(age))
            .filter(|left| !left.is_zero())
            .unwrap_or(window)
    });
    Some((i, pause.min(cap)))
}

/// Settle a slot in `backend`; after a 429, pause the window [`pause_after_429`] picks and
/// return the pause.
async fn settle_in<W: Windows>(
    backend: &W,
    windows: &[(Key, Limit)],
    ticket: &W::Ticket,
    answer: Answer,
    clock: &ClientClock,
) -> Option<Duration> {
    let fills = backend.settle(windows, ticket, answer, clock).await;
    let Answer::TooMany { retry_after, cap } = answer else {
        if let Err(why) = fills {
            tracing::debug!(error = %why, "rate limits: an attempt's end was not recorded; its lease ends it");
        }
        return None;
    };
    let paused = match fills {
        Ok(fills) => match pause_after_429(windows, &fills, retry_after, cap) {
            Some((i, pause)) => backend
                .pause(&windows[i], pause, clock)
                .await
                .map(|()| pause),
            None => return None,
        },
        Err(why) => Err(why),
    };
    paused
        .inspect_err(|why| tracing::warn!(error = %why, "rate limits: a 429 could not be recorded"))
        .ok()
}

/// Why an attempt was not started.
pub(crate) enum Held {
    /// A limit is full past the deadline, or the limits fail fast.
    Full(Full),
    /// The shared backend is unavailable and the limiter is strict.
    Unavailable(Unavailable),
}

/// The limiter a client and its clones share.
#[derive(Debug)]
pub(crate) struct Limiter {
    limits: RateLimits,
    local: Local,
    /// Announced when a slot in the process ends, for the callers waiting for one.
    released: Notify,
    #[cfg(feature = "redis")]
    shared: Option<redis::Shared>,
}

/// Where a permit's slot was taken.
enum Place {
    /// Nowhere (the limits are off), or already settled.
    None,
    Local,
    #[cfg(feature = "redis")]
    Shared(redis::Ticket),
}

/// A taken slot. [`settle`](Self::settle) records the attempt's end; dropping it unsettled
/// (a cancelled call) records it as unanswered.
pub(crate) struct Permit<'l> {
    limiter: &'l Limiter,
    clock: &'l ClientClock,
    windows: Vec<(Key, Limit)>,
    place: Place,
    waited: bool,
}

impl Permit<'_> {
    /// Whether the slot was waited for (time passed before it was taken).
    pub(crate) fn waited(&self) -> bool {
        self.waited
    }

    /// Record how the attempt ended; after a 429, the pause every caller now waits.
    pub(crate) async fn settle(mut self, answer: Answer) -> Option<Duration> {
        let (limiter, clock) = (self.limiter, self.clock);
        let windows = std::mem::take(&mut self.windows);
        match std::mem::replace(&mut self.place, Place::None) {
            Place::None => None,
            Place::Local => {
                let pause = settle_in(&limiter.local, &windows, &(), answer, clock).await;
                limiter.released.notify_waiters();
                pause
            }
            #[cfg(feature = "redis")]
            Place::Shared(ticket) => match &limiter.shared {
                Some(shared) => Box::pin(settle_in(shared, &windows, &ticket, answer, clock)).await,
                None => None,
            },
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        // A slot in Redis is ended by its lease.
        if let Place::Local = self.place {
            let now = self.clock.now();
            self.limiter
                .local
                .settle_at(&self.windows, now, Answer::Unanswered);
            self.limiter.released.notify_waiters();
        }
    }
}

impl Limiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            local: Local::new(),
            limits,
            released: Notify::new(),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// Count the windows in Redis too.
    #[cfg(feature = "redis")]
    pub(crate) fn with_shared(mut self, shared: redis::Shared) -> Self {
        self.shared = Some(shared);
        self
    }

    pub(crate) fn limits(&self) -> &RateLimits {
        &self.limits
    }

    pub(crate) fn stats(&self) -> LimiterStats {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            return shared.stats();
        }
        LimiterStats::default()
    }

    /// The shared backend's description, for `Debug`.
    pub(crate) fn backend(&self) -> String {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            return format!("{:?}", shared.config());
        }
        "in process".to_owned()
    }

    /// Take a slot for one attempt, from the shared backend when there is one (falling back to
    /// the process's windows when it fails, unless strict), else from the process's windows.
    async fn take(
        &self,
        windows: &[(Key, Limit)],
        clock: &ClientClock,
        lease: Duration,
    ) -> Result<Result<Place, Full>, Unavailable> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            match Box::pin(shared.take(windows, lease, clock)).await {
                Ok(took) => return Ok(took.map(Place::Shared)),
                Err(why) if shared.config().is_strict() => {
                    shared.refused();
                    return Err(why);
                }
                Err(_) => {
                    let took = self.local.take(windows, lease, clock).await?;
                    if took.is_ok() {
                        shared.fell_back();
                    }
                    return Ok(took.map(|()| Place::Local));
                }
            }
        }
        Ok(self
            .local
            .take(windows, lease, clock)
            .await?
            .map(|()| Place::Local))
    }

    /// Take a slot for one attempt of `operation`, waiting for one when the limits say so.
    /// `deadline` bounds the wait: when capacity would come after it (or the limits
    /// fail fast), the limit that is full is returned at once instead of sleeping into the
    /// deadline; the caller turns it into an error. `lease` is how long the attempt may run.
    pub(crate) async fn acquire<'l>(
        &'l self,
        operation: &'static Operation,
        target: Target<'_>,
        options: &RequestOptions,
        clock: &'l ClientClock,
        deadline: Option<Instant>,
        lease: Duration,
    ) -> Result<Permit<'l>, Held> {
        let callers = options.caller_limits.iter().flat_map(|(name, limits)| {
            limits.iter().enumerate().map(|(index, limit)| {
                let owner = Whose::Caller(name.as_str().into());
                (
                    Key {
                        owner,
                        chat: None,
                        index,
                    },
                    *limit,
                )
            })
        });
        let windows: Vec<(Key, Limit)> = self
            .limits
            .applicable(operation, target)
            .map(|(key, limit)| (key, *limit))
            .chain(callers)
            .collect();
        let when_limited = options.when_limited.unwrap_or(self.limits.when_limited);
        let mut permit = Permit {
            limiter: self,
            clock,
            windows,
            place: Place::None,
            waited: false,
        };
        if permit.windows.is_empty() {
            return Ok(permit);
        }
        loop {
            let released = self.released.notified();
            let full = match self.take(&permit.windows, clock, lease).await {
                Ok(Ok(place)) => {
                    permit.place = place;
                    return Ok(permit);
                }
                Ok(Err(full)) => full,
                Err(unavailable) => return Err(Held::Unavailable(unavailable)),
            };
            let left = deadline.map(|d| d.saturating_duration_since(clock.now()));
            let too_late = match (full.wait, left) {
                (Some(wait), Some(left)) => wait >= left,
                (None, Some(left)) => left.is_zero(),
                (_, None) => false,
            };
            if (when_limited == WhenLimited::FailFast && !full.probe) || too_late {
                return Err(Held::Full(full));
            }
            tracing::debug!(
                limit = %full.limit,
                wait_ms = full.wait.map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX)),
                "waiting for rate-limit capacity"
            );
            permit.waited = true;
            // A window full of running requests frees when one of them ends: in this process
            // that is announced; in another one it is not, so the shared backend is asked
            // again soon.
            #[cfg(feature = "redis")]
            let poll = self.shared.as_ref().map(|_| redis::POLL);
            #[cfg(not(feature = "redis"))]
            let poll: Option<Duration> = None;
            match full.wait.or(poll).or(left) {
                Some(wait) => {
                    let wait = left.map_or(wait, |left| wait.min(left));
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
mod tests;
