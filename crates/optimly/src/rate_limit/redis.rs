//! The shared backend: the same windows, counted in Redis across every process that uses the
//! key.
//!
//! Each owner of windows (the key's global minute, hour and day; an operation's; a chat's; an
//! action's) is one sorted set of slots, scored by time in milliseconds on Redis's clock
//! (`TIME`), each of its windows counting the slots younger than its length. A running
//! attempt's slot is scored at the end of its lease (the attempt's timeout, so a process that
//! dies mid-call frees it then), an answered one at its completion. `take` checks every window
//! that applies and adds the slot to all of them or to none; a plain answer's end rides on the
//! process's next take (or a batch 10 ms later, when no take comes), so a call costs one round
//! trip at most. While every window has room for eight times as many, a take also takes up to
//! `take_ahead - 1` slots for the process's next attempts, scored at the end of a 200 ms hold:
//! those attempts ask Redis nothing, and a slot not used within 180 ms is removed again by the
//! next script. `settle` records the end of a first request, which others wait for, and of a
//! 429, whose pause it sets on the tightest window (and gives back the slots taken ahead).
//!
//! Keys are `optimly:{<hash>}:<owner>`, the hash being SHA-256 of the API key (never the key
//! itself); the braces make every key of one API key a single Redis Cluster hash slot, as a
//! script's keys must be.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::{Answer, Counters, Full, Key, Owner, RateLimits, Target, Unavailable};
use crate::clock::ClientClock;
use optimly_api::{Limit, Operation};

/// How often a process asks Redis again while a window is full of other processes' running
/// requests (their ends are not announced across processes).
pub(super) const POLL: Duration = Duration::from_millis(5);

/// The timeout of a settle run in the background, and how often it is tried.
const BACKGROUND_TIMEOUT: Duration = Duration::from_secs(2);
const BACKGROUND_TRIES: u32 = 3;

/// How long the limiter keeps to the process's windows after Redis failed, before asking Redis
/// again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(1);

/// Rate limits counted in Redis, shared by every process that uses the same key (feature
/// `redis`). Give it to [`ClientBuilder::redis_limits`](crate::ClientBuilder::redis_limits), or
/// set `OPTIMLY_REDIS_URL` for [`OptimlyClient::from_env`](crate::OptimlyClient::from_env).
///
/// When Redis does not answer within [`timeout`](Self::timeout) (default 50 ms), the call
/// counts in the process's own windows instead, with a warning, and the limiter asks Redis
/// again a second later; [`strict`](Self::strict) fails the call with
/// [`ErrorKind::LimiterUnavailable`](crate::ErrorKind::LimiterUnavailable) instead.
///
/// Each attempt takes its slot in one round trip; its end rides on the process's next take (or
/// a batch shortly after), so a call waits for no second one.
///
/// ```
/// use std::time::Duration;
/// use optimly::RedisLimits;
///
/// let redis = RedisLimits::new("redis://:secret@10.0.0.5:6379/0").timeout(Duration::from_millis(20));
/// // The password never shows:
/// assert_eq!(
///     format!("{redis:?}"),
///     r#"RedisLimits { url: "redis://10.0.0.5:6379/0", timeout: 20ms, strict: false }"#
/// );
/// ```
#[derive(Clone)]
pub struct RedisLimits {
    url: String,
    timeout: Duration,
    strict: bool,
}

impl RedisLimits {
    /// Count in the Redis at `url` (`redis://[:password@]host[:port][/db]`, or `rediss://`).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            timeout: Duration::from_millis(50),
            strict: false,
        }
    }

    /// How long one Redis round trip may take before the limiter falls back (or, when strict,
    /// fails the call). Default 50 ms.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Fail calls with [`ErrorKind::LimiterUnavailable`](crate::ErrorKind::LimiterUnavailable)
    /// while Redis is unavailable, instead of counting in the process. Default `false`.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The URL without its credentials.
    fn shown_url(&self) -> String {
        match reqwest::Url::parse(&self.url) {
            Ok(mut url) => {
                let _ = url.set_password(None);
                let _ = url.set_username("");
                url.to_string()
            }
            Err(_) => "[not a URL]".to_owned(),
        }
    }
}

impl fmt::Debug for RedisLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimits")
            .field("url", &self.shown_url())
            .field("timeout", &self.timeout)
            .field("strict", &self.strict)
            .finish()
    }
}

/// Check and take a slot in every window, or in none.
///
/// KEYS: one sorted set per owner of windows (the key's global ones, an operation's, a chat's,
/// an action's), then the sets of the ended slots below. ARGV: slot id, lease (ms), probe
/// patience (ms), the number of sets to take a slot in (0: only record ends), then per set the number of its windows and
/// each one's count and length (ms); then the number of ended slots of this process and, for
/// each, its id, how long ago it ended (ms), its number of sets and each one's expiry (ms).
/// Recording ends here spares each call a round trip of its own. Returns `{1, probe}` when
/// taken, else `{0, key, window, wait, held}`
/// for the window that frees last (0-based; `wait` in ms, -1 when it frees when a running
/// request ends). The common case costs three calls per key: the markers, the size and the
/// slots; windows are counted only when the set is big enough to fill one. A slot taken in an
/// empty set, or when a pause has ended, goes first: a `~probe` marker holds the other takers
/// until it is answered (or the patience runs out).
const TAKE: &str = include_str!("take.lua");

/// Rescore a slot at its completion; after a 429, pause the owner of the tightest window.
///
/// KEYS and the windows after the fifth ARGV as for [`TAKE`]. ARGV: slot id, answer (`ok`,
/// `429` or `none`), Retry-After (ms, -1 when none), pause cap (ms), lease (ms). Returns the pause in ms,
/// or -1.
const SETTLE: &str = include_str!("settle.lua");

/// What a take in Redis came to.
pub(super) enum Took {
    /// A slot in every window.
    Slot(SharedSlot),
    /// A window is full.
    Full(Full),
    /// Redis failed (now or within the last second): count in the process instead.
    Local,
    /// Redis failed and the limiter is strict.
    Refused(Unavailable),
}

/// The Redis side of one client.
pub(crate) struct Shared {
    config: RedisLimits,
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
    /// `optimly:{<hash of the key>}`.
    prefix: String,
    take: redis::Script,
    settle: redis::Script,
    /// When Redis last failed: the process's windows are used until a while after.
    failed_at: Mutex<Option<Instant>>,
    /// Ends of slots not yet recorded in Redis: the next take carries them, or a batch shortly
    /// after.
    ended: Mutex<Ended>,
    /// Announced when `ended` empties, for [`flush`](Self::flush).
    settled: tokio::sync::Notify,
}

/// One slot's end, waiting to be recorded.
struct End {
    slot: SharedSlot,
    /// When the attempt ended.
    at: Instant,
    tries: u32,
}

#[derive(Default)]
struct Ended {
    queue: Vec<End>,
    /// Taken from the queue by a script that has not answered yet.
    in_flight: usize,
    /// Whether a batch is scheduled.
    batch: bool,
}

/// How long an end waits for a take to carry it before it is recorded on its own.
const BATCH_AFTER: Duration = Duration::from_millis(10);
/// The most ends one script carries.
const CARRY_AT_MOST: usize = 32;

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A slot taken in Redis: its id, and the sorted sets it is in with their windows.
pub(crate) struct SharedSlot {
    id: String,
    windows: Vec<(String, Vec<Limit>)>,
    lease: Duration,
    /// Whether it went first: its end is recorded before the call returns, since the other
    /// takers wait for it.
    probe: bool,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Shared {
    /// Check the URL; nothing is connected until the first call.
    pub(crate) fn new(config: RedisLimits, api_key: &str) -> Result<Self, String> {
        let client = redis::Client::open(config.url.as_str())
            .map_err(|e| format!("not a Redis URL ({:?})", e.kind()))?;
        let hash = Sha256::digest(api_key.as_bytes());
        let hex: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            config,
            client,
            connection: OnceCell::new(),
            prefix: format!("optimly:{{{hex}}}"),
            take: redis::Script::new(TAKE),
            settle: redis::Script::new(SETTLE),
            failed_at: Mutex::new(None),
            ended: Mutex::new(Ended::default()),
            settled: tokio::sync::Notify::new(),
        })
    }

    pub(crate) fn config(&self) -> &RedisLimits {
        &self.config
    }

    /// The sorted set of one owner's windows.
    fn key(&self, key: &Key) -> String {
        let owner = match key.owner {
            Owner::Global => "all".to_owned(),
            Owner::Operation(id) => format!("op:{}", id.name()),
            Owner::Action(id) => format!("action:{}", id.name()),
        };
        match &key.chat {
            Some(chat) => format!("{}:{owner}:chat:{chat}", self.prefix),
            None => format!("{}:{owner}", self.prefix),
        }
    }

    /// The windows of a request, one sorted set per owner.
    fn windows(
        &self,
        limits: &RateLimits,
        operation: &'static Operation,
        target: Target<'_>,
    ) -> Vec<(String, Vec<Limit>)> {
        let mut windows: Vec<(Key, Vec<Limit>)> = Vec::new();
        for (key, limit) in limits.applicable(operation, target) {
            let owner = Key { index: 0, ..key };
            match windows.iter_mut().find(|(k, _)| *k == owner) {
                Some((_, list)) => list.push(*limit),
                None => windows.push((owner, vec![*limit])),
            }
        }
        windows
            .into_iter()
            .map(|(key, list)| (self.key(&key), list))
            .collect()
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let manager = self
            .connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.config.timeout))
                    // The calls' own timeouts are set per script: short where a call waits,
                    // longer for the settles that run in the background.
                    .set_response_timeout(Some(BACKGROUND_TIMEOUT))
                    .set_number_of_retries(0)
                    .set_max_delay(Duration::from_millis(100));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await?;
        Ok(manager.clone())
    }

    /// Run a script within the timeout.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: redis::ScriptInvocation<'_>,
        clock: &ClientClock,
        timeout: Duration,
    ) -> Result<T, Unavailable> {
        let run = async {
            let mut connection = self.connection().await?;
            invocation.invoke_async::<T>(&mut connection).await
        };
        match clock.timeout(timeout, || run).await {
            Some(Ok(value)) => Ok(value),
            Some(Err(e)) => Err(Unavailable(describe(&e))),
            None => Err(Unavailable(format!(
                "no answer within {} ms",
                timeout.as_millis()
            ))),
        }
    }

    /// Whether Redis is worth asking now (it has not failed within the last second).
    fn healthy(&self, now: Instant) -> bool {
        let failed = self
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        failed.is_none_or(|at| now.saturating_duration_since(at) >= RETRY_REDIS_AFTER)
    }

    fn failed(&self, now: Instant, why: &Unavailable, counters: &Counters) {
        let mut failed = self
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if failed.is_none() {
            Counters::bump(&counters.outages);
            tracing::warn!(error = %why, strict = self.config.strict, "rate limits: Redis failed; counting in this process until it answers");
        }
        *failed = Some(now);
    }

    fn answered(&self, counters: &Counters) {
        let mut failed = self
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if failed.take().is_some() {
            Counters::bump(&counters.recoveries);
            tracing::info!("rate limits: Redis answers again; counting there");
        }
    }

    /// Take a slot in Redis.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn take(
        self: &Arc<Self>,
        limits: &RateLimits,
        operation: &'static Operation,
        target: Target<'_>,
        clock: &ClientClock,
        lease: Duration,
        counters: &Counters,
    ) -> Took {
        let now = clock.now();
        // Strict: every call asks Redis. Otherwise a failure is not asked again for a second.
        if !self.config.strict && !self.healthy(now) {
            return Took::Local;
        }
        let windows = self.windows(limits, operation, target);
        let id = format!("{:032x}", fastrand::u128(..));
        let mut invocation = self.take.prepare_invoke();
        invocation
            .arg(&id)
            .arg(millis(lease))
            .arg(millis(super::PROBE_PATIENCE))
            .arg(windows.len());
        add_windows(&mut invocation, &windows);
        let carried = self.carry(&mut invocation, now);
        let answer = self
            .run::<Vec<i64>>(invocation, clock, self.config.timeout)
            .await;
        self.carried(carried, answer.is_ok());
        match answer {
            Ok(answer) => {
                self.answered(counters);
                match answer.as_slice() {
                    [1, probe] => {
                        Counters::bump(&counters.shared);
                        Took::Slot(SharedSlot {
                            id,
                            windows,
                            lease,
                            probe: *probe == 1,
                        })
                    }
                    [0, key, window, wait, held]
                        if let Some(limit) = usize::try_from(*key)
                            .ok()
                            .and_then(|k| windows.get(k))
                            .zip(usize::try_from(*window).ok())
                            .and_then(|((_, list), w)| list.get(w)) =>
                    {
                        let wait = u64::try_from(*wait).ok().map(Duration::from_millis);
                        // Another process's first request is not announced here when it is
                        // answered: ask again soon.
                        let wait = if *held == 1 {
                            wait.map(|w| w.min(POLL))
                        } else {
                            wait
                        };
                        Took::Full(Full {
                            limit: *limit,
                            wait,
                            probe: *held == 1,
                        })
                    }
                    _ => {
                        let why =
                            Unavailable("the take script answered in an unknown shape".into());
                        self.failed(now, &why, counters);
                        self.fallback(why)
                    }
                }
            }
            Err(why) => {
                self.failed(now, &why, counters);
                self.fallback(why)
            }
        }
    }

    fn fallback(&self, why: Unavailable) -> Took {
        if self.config.strict {
            Took::Refused(why)
        } else {
            Took::Local
        }
    }

    /// Record the attempt's end. A plain answer rides on the next take (or a batch shortly
    /// after), so the call waits for no round trip; the end of a first request, which others
    /// wait for, and a 429, whose pause the caller needs, are recorded before returning.
    pub(super) async fn settle(
        self: &Arc<Self>,
        slot: SharedSlot,
        answer: Answer,
        clock: &ClientClock,
    ) -> Option<Duration> {
        let Answer::TooMany { retry_after, cap } = answer else {
            if !slot.probe {
                // The next take carries it (or a batch shortly after): no round trip here.
                self.ended(slot, clock.now(), clock);
                return None;
            }
            let word = if answer == Answer::Answered {
                "ok"
            } else {
                "none"
            };
            let timeout = self.config.timeout;
            if let Err(why) = self
                .run_settle(&slot, word, None, Duration::ZERO, clock, timeout)
                .await
            {
                tracing::debug!(error = %why, "rate limits: the first request's end was not recorded in Redis; the others go when its patience ends");
            }
            return None;
        };
        let timeout = self.config.timeout;
        match self
            .run_settle(&slot, "429", retry_after, cap, clock, timeout)
            .await
        {
            Ok(pause) => u64::try_from(pause).ok().map(Duration::from_millis),
            Err(why) => {
                tracing::warn!(error = %why, "rate limits: a 429 could not be recorded in Redis");
                None
            }
        }
    }

    /// Wait until every slot's end is recorded in Redis (or given up on).
    pub(super) async fn flush(self: &Arc<Self>) {
        loop {
            let settled = self.settled.notified();
            if self.lock_ended().is_empty() {
                return;
            }
            settled.await;
        }
    }

    fn lock_ended(&self) -> std::sync::MutexGuard<'_, Ended> {
        self.ended.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queue a slot's end for the next take to carry, and make sure a batch records it soon
    /// if no take comes.
    fn ended(self: &Arc<Self>, slot: SharedSlot, at: Instant, clock: &ClientClock) {
        let schedule = {
            let mut ended = self.lock_ended();
            ended.queue.push(End { slot, at, tries: 0 });
            !std::mem::replace(&mut ended.batch, true)
        };
        if schedule {
            self.schedule_batch(clock);
        }
    }

    fn schedule_batch(self: &Arc<Self>, clock: &ClientClock) {
        // Without a runtime (a client used while one shuts down) the ends stay queued and the
        // slots' leases end them.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.lock_ended().batch = false;
            return;
        };
        let shared = Arc::clone(self);
        let clock = clock.clone();
        runtime.spawn(async move {
            clock.sleep(BATCH_AFTER).await;
            loop {
                let mut invocation = shared.take.prepare_invoke();
                invocation.arg("").arg(0).arg(0).arg(0);
                let carried = shared.carry(&mut invocation, clock.now());
                if carried.is_empty() {
                    let mut ended = shared.lock_ended();
                    if ended.queue.is_empty() {
                        ended.batch = false;
                        drop(ended);
                        shared.settled.notify_waiters();
                        return;
                    }
                    continue;
                }
                let answer = shared
                    .run::<Vec<i64>>(invocation, &clock, BACKGROUND_TIMEOUT)
                    .await;
                if let Err(why) = &answer {
                    tracing::debug!(error = %why, "rate limits: slots' ends not recorded in Redis yet");
                    clock.sleep(BATCH_AFTER).await;
                }
                shared.carried(carried, answer.is_ok());
            }
        });
    }

    /// Add queued ends to a take; they are returned to [`carried`](Self::carried) with the
    /// take's outcome.
    fn carry(&self, invocation: &mut redis::ScriptInvocation<'_>, now: Instant) -> Vec<End> {
        let carried: Vec<End> = {
            let mut ended = self.lock_ended();
            let n = ended.queue.len().min(CARRY_AT_MOST);
            ended.in_flight += n;
            ended.queue.drain(..n).collect()
        };
        invocation.arg(carried.len());
        for end in &carried {
            let slot = &end.slot;
            invocation
                .arg(&slot.id)
                .arg(millis(now.saturating_duration_since(end.at)))
                .arg(slot.windows.len());
            for (key, limits) in &slot.windows {
                let span = limits.iter().map(Limit::window).max().unwrap_or_default();
                invocation.key(key);
                invocation.arg(millis(span + slot.lease) + 1_000);
            }
        }
        carried
    }

    /// The outcome of a script that carried `carried`: recorded, or queued again (given up
    /// after a few tries: the slots' leases end them).
    fn carried(&self, carried: Vec<End>, recorded: bool) {
        if carried.is_empty() {
            return;
        }
        let empty = {
            let mut ended = self.lock_ended();
            ended.in_flight -= carried.len();
            if !recorded {
                for mut end in carried {
                    end.tries += 1;
                    if end.tries < BACKGROUND_TRIES {
                        ended.queue.push(end);
                    } else {
                        tracing::warn!(
                            "rate limits: a slot's end was not recorded in Redis; its lease ends it"
                        );
                    }
                }
            }
            ended.is_empty()
        };
        if empty {
            self.settled.notify_waiters();
        }
    }

    async fn run_settle(
        &self,
        slot: &SharedSlot,
        word: &str,
        retry_after: Option<Duration>,
        cap: Duration,
        clock: &ClientClock,
        timeout: Duration,
    ) -> Result<i64, Unavailable> {
        let retry_after =
            retry_after.map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let mut invocation = self.settle.prepare_invoke();
        invocation
            .arg(&slot.id)
            .arg(word)
            .arg(retry_after)
            .arg(millis(cap))
            .arg(millis(slot.lease));
        add_windows(&mut invocation, &slot.windows);
        self.run(invocation, clock, timeout).await
    }
}

/// Each sorted set as a key, and its windows as arguments: how many, then count and length.
fn add_windows(invocation: &mut redis::ScriptInvocation<'_>, windows: &[(String, Vec<Limit>)]) {
    for (key, limits) in windows {
        invocation.key(key).arg(limits.len());
        for limit in limits {
            invocation.arg(limit.count()).arg(millis(limit.window()));
        }
    }
}

impl Ended {
    fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.in_flight == 0
    }
}

/// A Redis error in words that never hold its URL or password: what kind of failure it was.
fn describe(e: &redis::RedisError) -> String {
    if e.is_connection_refusal() {
        "connection refused".to_owned()
    } else if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connection_dropped() || e.is_unrecoverable_error() {
        "connection lost".to_owned()
    } else {
        format!("{:?} error", e.kind())
    }
}
