//! The shared backend: the same windows, counted in Redis across every process that uses the
//! key.
//!
//! Each owner of windows (the key's global minute, hour and day; an operation's; a chat's; an
//! action's) is one sorted set of slots, scored by time in milliseconds on Redis's clock
//! (`TIME`), each of its windows counting the slots younger than its length. A running
//! attempt's slot is scored at the end of its lease (the attempt's timeout, so a process that
//! dies mid-call frees it then), an answered one at its completion. An attempt costs two round
//! trips: `take.lua` before it (every window that applies gets the slot, or none does) and
//! `settle.lua` after it; a 429 costs a third, `pause.lua`, which holds the window the
//! [`Limiter`](super::Limiter) chose for as long as it decided. The scripts receive the
//! windows as arguments and decide nothing about which apply.
//!
//! Keys are `optimly:{<hash>}:<owner>`, the hash being SHA-256 of the API key (never the key
//! itself); the braces make every key of one API key a single Redis Cluster hash slot, as a
//! script's keys must be.
//!
//! The URL may name a single Redis or any node of a Redis Cluster: on connecting, the limiter
//! asks `INFO cluster`, and on a cluster uses the `redis` crate's cluster client, which follows
//! `MOVED` and `ASK` to the node that owns the key's slot. A `MOVED` answer on a connection
//! taken for a single Redis (a cluster that hides `INFO`) switches to the cluster client too.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use sha2::{Digest, Sha256};

use super::{Answer, Fill, Full, Key, LimiterStats, Owner, Unavailable, Whose, Windows};
use crate::clock::ClientClock;
use optimly_api::Limit;

/// How often a process asks Redis again while a window is full of other processes' running
/// requests (their ends are not announced across processes).
pub(super) const POLL: Duration = Duration::from_millis(5);

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
/// Each attempt costs two round trips, one before it and one after.
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

    pub(crate) fn is_strict(&self) -> bool {
        self.strict
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
/// an action's). ARGV: slot id, lease (ms), probe patience (ms), then per set the number of its
/// windows and each one's count and length (ms). Returns `{1}` when taken, else
/// `{0, key, window, wait, held}` for the window that frees last (0-based; `wait` in ms, -1
/// when it frees when a running request ends; `held`: only another request going first). A
/// slot taken in an empty set, or when a pause has ended, goes first: a `~probe` marker holds
/// the other takers until it is answered (or the patience runs out).
const TAKE: &str = include_str!("take.lua");

/// Rescore a slot at its completion. KEYS and the windows after the third ARGV as for
/// [`TAKE`]. ARGV: slot id, answer (`ok`, `429` or `none`), lease (ms). After a 429 it returns
/// each window's count of slots and the age of its oldest (ms, -1 when none), in order.
const SETTLE: &str = include_str!("settle.lua");

/// Hold one set for a pause. KEYS: the set. ARGV: the pause and its longest window (ms).
const PAUSE: &str = include_str!("pause.lua");

/// What settles a slot taken in Redis: its id, and the sorted set of each of its windows.
pub(crate) struct Ticket {
    id: String,
    lease: Duration,
}

#[derive(Debug, Default)]
struct Counters {
    shared: AtomicU64,
    fallback: AtomicU64,
    outages: AtomicU64,
    recoveries: AtomicU64,
    refused: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The Redis side of one client.
pub(crate) struct Shared {
    config: RedisLimits,
    client: redis::Client,
    /// Made on the first call; made again as a cluster connection after a `MOVED`.
    connection: tokio::sync::Mutex<Option<Connection>>,
    /// `optimly:{<hash of the key>}`.
    prefix: String,
    take: redis::Script,
    settle: redis::Script,
    pause: redis::Script,
    /// When Redis last failed: the process's windows are used until a while after.
    failed_at: Mutex<Option<Instant>>,
    counters: Counters,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
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
            connection: tokio::sync::Mutex::new(None),
            prefix: format!("optimly:{{{hex}}}"),
            take: redis::Script::new(TAKE),
            settle: redis::Script::new(SETTLE),
            pause: redis::Script::new(PAUSE),
            failed_at: Mutex::new(None),
            counters: Counters::default(),
        })
    }

    pub(crate) fn config(&self) -> &RedisLimits {
        &self.config
    }

    pub(crate) fn stats(&self) -> LimiterStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let c = &self.counters;
        LimiterStats {
            shared: get(&c.shared),
            fallback: get(&c.fallback),
            outages: get(&c.outages),
            recoveries: get(&c.recoveries),
            refused: get(&c.refused),
        }
    }

    /// A slot was taken in the process because Redis failed.
    pub(crate) fn fell_back(&self) {
        bump(&self.counters.fallback);
    }

    /// A call was failed because Redis failed and the limiter is strict.
    pub(crate) fn refused(&self) {
        bump(&self.counters.refused);
    }

    /// The sorted set of one owner's windows.
    fn key(&self, key: &Key) -> String {
        let owner = match &key.owner {
            Whose::Key(Owner::Global) => "all".to_owned(),
            Whose::Key(Owner::Operation(id)) => format!("op:{}", id.name()),
            Whose::Key(Owner::Action(id)) => format!("action:{}", id.name()),
            Whose::Caller(name) => format!("caller:{name}"),
        };
        match &key.chat {
            Some(chat) => format!("{}:{owner}:chat:{chat}", self.prefix),
            None => format!("{}:{owner}", self.prefix),
        }
    }

    /// A script with a request's windows: one sorted set per owner as a key, and as arguments
    /// the number of its windows, then each one's count and length. Returns the windows'
    /// indices in the order the script sees them.
    fn with_windows(
        &self,
        invocation: &mut redis::ScriptInvocation<'_>,
        windows: &[(Key, Limit)],
    ) -> Vec<usize> {
        let mut sets: Vec<(&Key, Vec<usize>)> = Vec::new();
        for (i, (key, _)) in windows.iter().enumerate() {
            let same = |(k, _): &&mut (&Key, _)| k.owner == key.owner && k.chat == key.chat;
            match sets.iter_mut().find(same) {
                Some((_, list)) => list.push(i),
                None => sets.push((key, vec![i])),
            }
        }
        for (key, list) in &sets {
            invocation.key(self.key(key)).arg(list.len());
            for limit in list.iter().map(|&i| windows[i].1) {
                invocation.arg(limit.count()).arg(millis(limit.window()));
            }
        }
        sets.into_iter().flat_map(|(_, list)| list).collect()
    }

    /// The connection: to one Redis, or to the cluster the URL's node belongs to.
    async fn connection(&self) -> Result<Connection, redis::RedisError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.config.timeout))
            .set_response_timeout(Some(self.config.timeout))
            .set_number_of_retries(0)
            .set_max_delay(Duration::from_millis(100));
        let mut single = ConnectionManager::new_with_config(self.client.clone(), config).await?;
        let info: String = redis::cmd("INFO")
            .arg("cluster")
            .query_async(&mut single)
            .await
            .unwrap_or_default();
        let connection = if info.lines().any(|l| l.trim() == "cluster_enabled:1") {
            self.cluster().await?
        } else {
            Connection::Single(single)
        };
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// A connection to the cluster the URL's node belongs to.
    async fn cluster(&self) -> Result<Connection, redis::RedisError> {
        let cluster =
            redis::cluster::ClusterClient::builder(vec![self.client.get_connection_info().clone()])
                .connection_timeout(self.config.timeout)
                .response_timeout(self.config.timeout)
                .retries(2)
                .build()?;
        let connection = cluster.get_async_connection().await?;
        tracing::info!(
            "rate limits: the Redis at the configured URL is a cluster node; using the cluster"
        );
        Ok(Connection::Cluster(connection))
    }

    /// Run a script within the timeout, keeping track of Redis's health.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: redis::ScriptInvocation<'_>,
        clock: &ClientClock,
    ) -> Result<T, Unavailable> {
        let run = async {
            let mut connection = self.connection().await?;
            let answer = invocation.invoke_async::<T>(&mut connection).await;
            if let (Err(e), Connection::Single(_)) = (&answer, &connection)
                && e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::Moved)
            {
                // A cluster that does not say so in `INFO`: ask again through the cluster.
                let mut cluster = self.cluster().await?;
                *self.connection.lock().await = Some(cluster.clone());
                return invocation.invoke_async::<T>(&mut cluster).await;
            }
            answer
        };
        let timeout = self.config.timeout;
        let why = match clock.timeout(timeout, || run).await {
            Some(Ok(value)) => {
                self.answered();
                return Ok(value);
            }
            Some(Err(e)) => Unavailable(describe(&e)),
            None => Unavailable(format!("no answer within {} ms", timeout.as_millis())),
        };
        self.failed(clock.now(), &why);
        Err(why)
    }

    /// Whether Redis is worth asking now (it has not failed within the last second).
    fn healthy(&self, now: Instant) -> bool {
        let failed = self
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        failed.is_none_or(|at| now.saturating_duration_since(at) >= RETRY_REDIS_AFTER)
    }

    fn failed(&self, now: Instant, why: &Unavailable) {
        let mut failed = self
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if failed.is_none() {
            bump(&self.counters.outages);
            tracing::warn!(error = %why, strict = self.config.strict, "rate limits: Redis failed; counting in this process until it answers");
        }
        *failed = Some(now);
    }

    fn answered(&self) {
        let mut failed = self
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if failed.take().is_some() {
            bump(&self.counters.recoveries);
            tracing::info!("rate limits: Redis answers again; counting there");
        }
    }
}

impl Windows for Shared {
    type Ticket = Ticket;

    async fn take(
        &self,
        windows: &[(Key, Limit)],
        lease: Duration,
        clock: &ClientClock,
    ) -> Result<Result<Ticket, Full>, Unavailable> {
        // Strict: every call asks Redis. Otherwise a failure is not asked again for a second.
        if !self.config.strict && !self.healthy(clock.now()) {
            return Err(Unavailable("it failed within the last second".into()));
        }
        let id = format!("{:032x}", fastrand::u128(..));
        let mut invocation = self.take.prepare_invoke();
        invocation
            .arg(&id)
            .arg(millis(lease))
            .arg(millis(super::PROBE_PATIENCE));
        let order = self.with_windows(&mut invocation, windows);
        let answer = self.run::<Vec<i64>>(invocation, clock).await?;
        match answer.as_slice() {
            [1] => {
                bump(&self.counters.shared);
                Ok(Ok(Ticket { id, lease }))
            }
            [0, window, wait, held] => {
                let limit = usize::try_from(*window)
                    .ok()
                    .and_then(|w| order.get(w))
                    .and_then(|&i| windows.get(i));
                let Some(limit) = limit else {
                    return Err(Unavailable(
                        "the take script answered a window it was not given".into(),
                    ));
                };
                let wait = u64::try_from(*wait).ok().map(Duration::from_millis);
                // Another process's first request is not announced here when it is answered:
                // ask again soon.
                let (wait, probe) = if *held == 1 {
                    (wait.map(|w| w.min(POLL)), true)
                } else {
                    (wait, false)
                };
                Ok(Err(Full {
                    probe,
                    ..Full::new(limit, wait)
                }))
            }
            _ => Err(Unavailable(
                "the take script answered in an unknown shape".into(),
            )),
        }
    }

    async fn settle(
        &self,
        windows: &[(Key, Limit)],
        ticket: &Ticket,
        answer: Answer,
        clock: &ClientClock,
    ) -> Result<Vec<Fill>, Unavailable> {
        let word = match answer {
            Answer::Answered => "ok",
            Answer::TooMany { .. } => "429",
            Answer::Unanswered => "none",
        };
        let mut invocation = self.settle.prepare_invoke();
        invocation
            .arg(&ticket.id)
            .arg(word)
            .arg(millis(ticket.lease));
        let order = self.with_windows(&mut invocation, windows);
        let counts = self.run::<Vec<i64>>(invocation, clock).await?;
        if word != "429" {
            return Ok(Vec::new());
        }
        // The script answers in its order; give each window its own, in the request's.
        let mut fills = vec![None; windows.len()];
        for (&i, pair) in order.iter().zip(counts.chunks_exact(2)) {
            fills[i] = Some(Fill {
                used: usize::try_from(pair[0]).unwrap_or(0),
                oldest: u64::try_from(pair[1]).ok().map(Duration::from_millis),
            });
        }
        fills
            .into_iter()
            .collect::<Option<Vec<Fill>>>()
            .ok_or_else(|| Unavailable("the settle script answered in an unknown shape".into()))
    }

    async fn pause(
        &self,
        (key, limit): &(Key, Limit),
        pause: Duration,
        clock: &ClientClock,
    ) -> Result<(), Unavailable> {
        let mut invocation = self.pause.prepare_invoke();
        invocation
            .key(self.key(key))
            .arg(millis(pause))
            .arg(millis(limit.window()));
        self.run::<i64>(invocation, clock).await.map(drop)
    }
}

/// A connection to one Redis, or to a Redis Cluster.
#[derive(Clone)]
enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(
        &'a mut self,
        cmd: &'a redis::Cmd,
    ) -> redis::RedisFuture<'a, redis::Value> {
        match self {
            Self::Single(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        match self {
            Self::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
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
