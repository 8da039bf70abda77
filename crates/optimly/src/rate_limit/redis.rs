//! The shared backend: the same windows, counted in Redis across every process that uses the
//! key.
//!
//! Each window is a sorted set of slots scored by time in milliseconds on Redis's clock
//! (`TIME`): a running attempt's slot is scored at the end of its lease (the attempt's
//! timeout, so a process that dies mid-call frees it then), an answered one at its completion.
//! Two scripts, one round trip each: `take` trims every window that applies, checks them all and
//! adds the slot to each or to none; `settle` rescores the slot at its completion and, after a
//! 429, pauses the tightest window. The success path settles in the background, so a call
//! waits for one round trip only.
//!
//! Keys are `optimly:{<hash>}:<window>`, the hash being SHA-256 of the API key (never the key
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
/// ```
/// use std::time::Duration;
/// use optimly::RedisLimits;
///
/// let redis = RedisLimits::new("redis://:secret@10.0.0.5:6379/0").timeout(Duration::from_millis(20));
/// // The password never shows:
/// assert_eq!(format!("{redis:?}"), r#"RedisLimits { url: "redis://10.0.0.5:6379/0", timeout: 20ms, strict: false }"#);
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

/// Trim, check and take a slot in every window, or in none.
///
/// KEYS: the windows. ARGV: slot id, lease (ms), probe patience (ms), then per window its
/// count and length (ms). Returns `{1}` when taken, else `{0, index, wait}` for the window that
/// frees last (`wait` in ms, -1 when it frees when a running request ends).
const TAKE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease, patience = tonumber(ARGV[2]), tonumber(ARGV[3])
local worst, worst_wait = 0, -2
local probe = {}
for i, key in ipairs(KEYS) do
  local count, window = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
  local wait = -2
  local pause = tonumber(redis.call('ZSCORE', key, '~pause') or nil)
  local probing = tonumber(redis.call('ZSCORE', key, '~probe') or nil)
  if pause and pause > now then
    wait = pause - now
  elseif probing and probing > now then
    wait = probing - now
  else
    if pause then
      redis.call('ZREM', key, '~pause')
      probe[i] = true
    end
    if probing then redis.call('ZREM', key, '~probe') end
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local n = redis.call('ZCARD', key)
    if n >= count then
      local e = redis.call('ZRANGE', key, n - count, n - count, 'WITHSCORES')
      local s = tonumber(e[2])
      if s <= now then wait = s + window - now else wait = -1 end
    end
  end
  if wait ~= -2 and (worst_wait == -2 or wait > worst_wait) then
    worst, worst_wait = i, wait
  end
end
if worst_wait ~= -2 then return {0, worst - 1, worst_wait} end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[3 + 2 * i])
  redis.call('ZADD', key, now + lease, ARGV[1])
  if probe[i] then redis.call('ZADD', key, now + patience, '~probe') end
  redis.call('PEXPIRE', key, window + lease + 1000)
end
return {1}
";

/// Rescore a slot at its completion; after a 429, pause the tightest window.
///
/// KEYS: the windows. ARGV: slot id, answer (`ok`, `429` or `none`), Retry-After (ms, -1 when
/// none), pause cap (ms), then per window its count and length (ms). Returns the pause in ms,
/// or -1.
const SETTLE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local answer, retry_after, cap = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now, ARGV[1])
  if answer == 'ok' then redis.call('ZREM', key, '~probe') end
end
if answer ~= '429' then return -1 end
local best, best_fill, best_window, best_n = 0, -1, 0, 0
for i, key in ipairs(KEYS) do
  local count, window = tonumber(ARGV[3 + 2 * i]), tonumber(ARGV[4 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  if redis.call('ZSCORE', key, '~pause') then n = n - 1 end
  if redis.call('ZSCORE', key, '~probe') then n = n - 1 end
  local fill = n / count
  if fill > best_fill or (fill == best_fill and window < best_window) then
    best, best_fill, best_window, best_n = i, fill, window, n
  end
end
local key, window = KEYS[best], best_window
local pause = retry_after
if pause < 0 then
  pause = window
  if best_n > 0 then
    local e = redis.call('ZRANGEBYSCORE', key, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
    if e[2] then
      local left = tonumber(e[2]) + window - now
      if left > 0 then pause = left end
    end
  end
end
if pause > cap then pause = cap end
redis.call('ZADD', key, now + pause, '~pause')
redis.call('ZREM', key, '~probe')
redis.call('PEXPIRE', key, pause + window + 1000)
return pause
";

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
    /// Settles running in the background, for [`flush`](Self::flush).
    pending: std::sync::atomic::AtomicUsize,
    settled: tokio::sync::Notify,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A slot taken in Redis: its id and the windows it is in.
pub(crate) struct SharedSlot {
    id: String,
    windows: Vec<(String, Limit)>,
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
            pending: std::sync::atomic::AtomicUsize::new(0),
            settled: tokio::sync::Notify::new(),
        })
    }

    pub(crate) fn config(&self) -> &RedisLimits {
        &self.config
    }

    fn key(&self, key: &Key, limit: &Limit) -> String {
        let window = millis(limit.window());
        let owner = match key.owner {
            Owner::Global => "all".to_owned(),
            Owner::Operation(id) => format!("op:{}", id.name()),
            Owner::Action(id) => format!("action:{}", id.name()),
        };
        match &key.chat {
            Some(chat) => format!("{}:{owner}:{window}:chat:{chat}", self.prefix),
            None => format!("{}:{owner}:{window}", self.prefix),
        }
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

    /// Take a slot in Redis. `None`: use the process's windows (Redis failed, or failed lately,
    /// and the limiter is not strict); the caller counts the slots it takes there.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn take(
        &self,
        limits: &RateLimits,
        operation: &'static Operation,
        target: Target<'_>,
        clock: &ClientClock,
        lease: Duration,
        counters: &Counters,
    ) -> Option<Result<Result<SharedSlot, Full>, Unavailable>> {
        let now = clock.now();
        // Strict: every call asks Redis. Otherwise a failure is not asked again for a second.
        if !self.config.strict && !self.healthy(now) {
            return None;
        }
        let windows: Vec<(String, Limit)> = limits
            .applicable(operation, target)
            .map(|(key, limit)| (self.key(&key, limit), *limit))
            .collect();
        let id = format!("{:032x}", fastrand::u128(..));
        let mut invocation = self.take.prepare_invoke();
        invocation
            .arg(&id)
            .arg(millis(lease))
            .arg(millis(super::PROBE_PATIENCE));
        for (key, limit) in &windows {
            invocation
                .key(key)
                .arg(limit.count())
                .arg(millis(limit.window()));
        }
        match self
            .run::<Vec<i64>>(invocation, clock, self.config.timeout)
            .await
        {
            Ok(answer) => {
                self.answered(counters);
                match answer.as_slice() {
                    [1] => {
                        Counters::bump(&counters.shared);
                        Some(Ok(Ok(SharedSlot { id, windows })))
                    }
                    [0, index, wait] => {
                        let limit = usize::try_from(*index)
                            .ok()
                            .and_then(|i| windows.get(i))
                            .map(|(_, l)| *l)?;
                        let wait = u64::try_from(*wait).ok().map(Duration::from_millis);
                        Some(Ok(Err(Full {
                            limit,
                            wait,
                            probe: false,
                        })))
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

    fn fallback(&self, why: Unavailable) -> Option<Result<Result<SharedSlot, Full>, Unavailable>> {
        if self.config.strict {
            return Some(Err(why));
        }
        None
    }

    /// Record the attempt's end. A plain answer is recorded in the background (the call does
    /// not wait for it); after a 429 the pause is waited for, since the caller needs it.
    pub(super) async fn settle(
        self: &Arc<Self>,
        slot: SharedSlot,
        answer: Answer,
        clock: &ClientClock,
    ) -> Option<Duration> {
        let Answer::TooMany { retry_after, cap } = answer else {
            let word = if answer == Answer::Answered {
                "ok"
            } else {
                "none"
            };
            let shared = Arc::clone(self);
            let clock = clock.clone();
            // Without a runtime (a permit settled while one shuts down) the slot's lease runs
            // out on its own.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                self.pending
                    .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                runtime.spawn(async move {
                    let _done = Pending(&shared);
                    // A lost settle would leave the slot counted until its lease ends: try
                    // again (rescoring is idempotent), with time to spare, since no call waits.
                    for attempt in 1..=BACKGROUND_TRIES {
                        match shared
                            .run_settle(&slot, word, None, Duration::ZERO, &clock, BACKGROUND_TIMEOUT)
                            .await
                        {
                            Ok(_) => break,
                            Err(why) if attempt == BACKGROUND_TRIES => {
                                tracing::warn!(error = %why, "rate limits: a slot's end was not recorded in Redis; its lease ends it");
                            }
                            Err(_) => {}
                        }
                    }
                });
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

    /// Wait until no settle runs in the background.
    pub(super) async fn flush(&self) {
        loop {
            let settled = self.settled.notified();
            if self.pending.load(std::sync::atomic::Ordering::Acquire) == 0 {
                return;
            }
            settled.await;
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
            .arg(millis(cap));
        for (key, limit) in &slot.windows {
            invocation
                .key(key)
                .arg(limit.count())
                .arg(millis(limit.window()));
        }
        self.run(invocation, clock, timeout).await
    }
}

/// One background settle; dropping it (done, or cancelled with its runtime) counts it out.
struct Pending<'s>(&'s Shared);

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0
            .pending
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
        self.0.settled.notify_waiters();
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
