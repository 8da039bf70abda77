//! `cargo run -p optimly-bench --release -- [--quick]`: the SDK side by side with raw
//! `reqwest` in one run, on loopback, reported as ratios; the headline ratios are the last
//! lines printed. `--quick` finishes in under a minute.
//!
//! `--instructions`: the deterministic measure, instructions per call of the SDK against raw
//! `reqwest` for a GET and a POST, each side run alone under `valgrind --tool=callgrind`.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use optimly::testing::RedisServer;
use optimly::{OptimlyClient, RateLimits, RedisLimits, RetryPolicy};
use optimly_bench::{
    CannedServer, Raw, Sides, canned_server, payloads, root, round_trip, sdk_append, sdk_client,
    sdk_history, sdk_history_awaited, sides,
};
use optimly_mock::MockConfig;

/// How much of everything to do.
struct Size {
    latency_pairs: usize,
    throughput_secs: f64,
    throughput_reps: usize,
    /// Whether throughput also measures the builder awaited directly (not a target).
    throughput_awaited: bool,
    payload_iterations: usize,
    xtask_runs: usize,
    window_scale: f64,
}

const QUICK: Size = Size {
    latency_pairs: 3_000,
    throughput_secs: 0.04,
    throughput_reps: 150,
    throughput_awaited: false,
    payload_iterations: 20_000,
    xtask_runs: 3,
    window_scale: 1.0 / 120.0,
};

const FULL: Size = Size {
    latency_pairs: 20_000,
    throughput_secs: 0.05,
    throughput_reps: 300,
    throughput_awaited: true,
    payload_iterations: 200_000,
    xtask_runs: 10,
    window_scale: 1.0 / 60.0,
};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or_default()
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn median(values: Vec<f64>) -> f64 {
    Spread::of(values).median
}

/// The median of some ratios and their interquartile range: how far apart the middle half of
/// the slices lie, so a reader can tell a real difference from the machine's noise.
#[derive(Clone, Copy, Debug)]
struct Spread {
    median: f64,
    low: f64,
    high: f64,
}

impl Spread {
    fn of(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let i = ((values.len().saturating_sub(1)) as f64 * q).round() as usize;
            values.get(i).copied().unwrap_or_default()
        };
        Self {
            median: at(0.5),
            low: at(0.25),
            high: at(0.75),
        }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.3} (middle half {:.3}–{:.3})",
            self.median, self.low, self.high
        )
    }
}

type Failure = Box<dyn std::error::Error>;

/// Latency of one call, raw, SDK and SDK with the limiter counting (never full), interleaved
/// call by call in a rotating order so that drift in the machine and any order effect hit all
/// three alike.
struct Latency {
    raw: [Duration; 2],
    sdk: [Duration; 2],
    limited: [Duration; 2],
    /// SDK/raw and SDK-with-limiter/raw of the p50s of each block of consecutive calls.
    ratios: [Spread; 2],
}

/// Calls per block whose p50s are compared.
const LATENCY_BLOCK: usize = 100;

async fn one_call(
    side: usize,
    post: bool,
    raw: &Raw,
    sdk: &OptimlyClient,
    limited: &OptimlyClient,
) -> Result<Duration, Failure> {
    let t = Instant::now();
    match (side, post) {
        (0, false) => drop(raw.history().await?),
        (0, true) => drop(raw.append().await?),
        (1, false) => drop(sdk_history(sdk).await?),
        (1, true) => drop(sdk_append(sdk).await?),
        (_, false) => drop(sdk_history(limited).await?),
        (_, true) => drop(sdk_append(limited).await?),
    }
    Ok(t.elapsed())
}

async fn latency(
    raw: &Raw,
    sdk: &OptimlyClient,
    limited: &OptimlyClient,
    pairs: usize,
    post: bool,
) -> Result<Latency, Failure> {
    let mut took: [Vec<Duration>; 3] = Default::default();
    for i in 0..pairs + pairs / 10 {
        let mut this = [Duration::ZERO; 3];
        for k in 0..3 {
            let side = (i + k) % 3;
            this[side] = one_call(side, post, raw, sdk, limited).await?;
        }
        // The first tenth warms the pools and caches.
        if i >= pairs / 10 {
            for (all, t) in took.iter_mut().zip(this) {
                all.push(t);
            }
        }
    }
    let block_ratios = |side: usize| {
        let ratios: Vec<f64> = took[0]
            .chunks(LATENCY_BLOCK)
            .zip(took[side].chunks(LATENCY_BLOCK))
            .map(|(r, s)| {
                micros(percentile(&mut s.to_vec(), 0.5)) / micros(percentile(&mut r.to_vec(), 0.5))
            })
            .collect();
        Spread::of(ratios)
    };
    let ratios = [block_ratios(1), block_ratios(2)];
    let [mut r, mut s, mut l] = took;
    Ok(Latency {
        raw: [percentile(&mut r, 0.5), percentile(&mut r, 0.99)],
        sdk: [percentile(&mut s, 0.5), percentile(&mut s, 0.99)],
        limited: [percentile(&mut l, 0.5), percentile(&mut l, 0.99)],
        ratios,
    })
}

/// Calls per second from `callers` concurrent tasks (each its own tokio task, as an
/// application's concurrent requests would be) for `secs`.
async fn rate<F, Fut>(callers: usize, secs: f64, call: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < until {
                    if call().await {
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    let total: u64 = join_all(tasks)
        .await
        .into_iter()
        .filter_map(Result::ok)
        .sum();
    total as f64 / started.elapsed().as_secs_f64()
}

/// The ways one GET history call is made side by side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// Raw `reqwest` + `serde_json`.
    Raw,
    /// The SDK, the request builder sent with `.send().await`.
    Sdk,
    /// The SDK, the request builder awaited directly (`IntoFuture` boxes the call's future).
    SdkAwaited,
    /// progenitor's generated client alone (`--only generated`, and the middle column of
    /// `--instructions`): where the SDK's extra instructions come from, generated code or
    /// the SDK's own work.
    Generated,
}

impl Side {
    const ALL: [Side; 3] = [Side::Raw, Side::Sdk, Side::SdkAwaited];

    fn parse(name: &str) -> Option<Self> {
        match name {
            "raw" => Some(Self::Raw),
            "sdk" => Some(Self::Sdk),
            "sdk-awaited" => Some(Self::SdkAwaited),
            "generated" => Some(Self::Generated),
            _ => None,
        }
    }

    async fn call(self, raw: &Raw, sdk: &OptimlyClient) -> bool {
        match self {
            Self::Raw => raw.history().await.is_ok(),
            Self::Sdk => sdk_history(sdk).await.is_ok(),
            Self::SdkAwaited => sdk_history_awaited(sdk).await.is_ok(),
            Self::Generated => raw.generated_history().await.is_ok(),
        }
    }

    /// A `POST` of a message instead of the `GET` of a history.
    async fn post(self, raw: &Raw, sdk: &OptimlyClient) -> bool {
        match self {
            Self::Raw => raw.append().await.is_ok(),
            Self::Generated => raw.generated_append().await.is_ok(),
            Self::Sdk | Self::SdkAwaited => sdk_append(sdk).await.is_ok(),
        }
    }
}

/// Calls per second for each [`Side`], in many short slices whose order rotates from one
/// repetition to the next: the median rate of each, and each SDK side's per-repetition ratio
/// to raw as a median with its spread (robust against the machine drifting during the run:
/// a slice's neighbours on the other sides ran within a fraction of a second of it).
async fn throughput(
    server: &CannedServer,
    callers: usize,
    size: &Size,
) -> Result<([f64; 3], [Spread; 2]), Failure> {
    let both = Arc::new((
        Raw::new(&server.base_url)?,
        sdk_client(&server.base_url, RateLimits::off())?,
    ));
    let mut rates: [Vec<f64>; 3] = Default::default();
    let mut ratios: [Vec<f64>; 2] = Default::default();
    let sides = if size.throughput_awaited { 3 } else { 2 };
    for rep in 0..size.throughput_reps {
        let mut this = [f64::NAN; 3];
        for k in 0..sides {
            let i = (rep + k) % sides;
            let side = Side::ALL[i];
            let both = Arc::clone(&both);
            // One reference count per call, the same for every side.
            this[i] = rate(callers, size.throughput_secs, move || {
                let both = Arc::clone(&both);
                async move { side.call(&both.0, &both.1).await }
            })
            .await;
        }
        for (i, r) in this.iter().enumerate().take(sides) {
            rates[i].push(*r);
        }
        ratios[0].push(this[1] / this[0]);
        if size.throughput_awaited {
            ratios[1].push(this[2] / this[0]);
        }
    }
    let [r0, r1, r2] = rates;
    let [q0, q1] = ratios;
    Ok((
        [median(r0), median(r1), median(r2)],
        [Spread::of(q0), Spread::of(q1)],
    ))
}

/// A batch of three times the scaled global limit, through the SDK, against the mock
/// enforcing the same scaled limits. Returns (wall time, 429s the mock answered, failures).
async fn batch(limiter: bool, window_scale: f64) -> Result<(Duration, usize, usize), Failure> {
    let mock = optimly_mock::start(MockConfig {
        rate_limit_scale: 0.1,
        rate_limit_window_scale: window_scale,
        ..MockConfig::default()
    })
    .await?;
    let limits = if limiter {
        RateLimits::documented().scaled(0.1, window_scale)
    } else {
        RateLimits::off()
    };
    let client = OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(limits)
        .retry_policy(RetryPolicy::default().with_max_attempts(10))
        .build()?;
    let started = Instant::now();
    let results = join_all((0..30).map(|_| client.list_chats("user_456").send())).await;
    let took = started.elapsed();
    let failures = results.iter().filter(|r| r.is_err()).count();
    let limited = mock.requests().iter().filter(|r| r.status == 429).count();
    mock.shutdown().await;
    Ok((took, limited, failures))
}

fn time_command(program: &str, args: &[&str], runs: usize) -> Result<f64, Failure> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let status = Command::new(program)
            .args(args)
            .current_dir(root())
            .env("RUST_BACKTRACE", "0")
            .stderr(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            return Err(format!("{program} {args:?} failed").into());
        }
        times.push(started.elapsed().as_secs_f64());
    }
    Ok(median(times))
}

async fn mock_throughput(secs: f64) -> Result<f64, Failure> {
    let mock = optimly_mock::start(MockConfig {
        rate_limits: false,
        ..MockConfig::default()
    })
    .await?;
    let client = OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(RateLimits::off())
        .build()?;
    let chat = client.create_chat("user_456").await?;
    let id = chat.id().to_owned();
    let rate = rate(64, secs, move || {
        let client = client.clone();
        let id = id.clone();
        async move { client.history(id).await.is_ok() }
    })
    .await;
    mock.shutdown().await;
    Ok(rate)
}

/// What [`redis_latency`] measured.
struct RedisLatency {
    /// p50s: raw, bare script round trip, SDK with Redis.
    p50: [Duration; 3],
    /// Per block of calls, SDK with Redis / (raw + round trip).
    ratio: Spread,
}

/// p50 per GET with the Redis limiter, beside raw `reqwest` and one bare script round trip to
/// the same Redis (what the limiter adds to a call at the least: its take, one round trip per
/// attempt; a slot's end rides on the next take), interleaved call by call in a rotating order.
async fn redis_latency(
    base_url: &str,
    raw: &Raw,
    redis_url: &str,
    calls: usize,
) -> Result<RedisLatency, Failure> {
    let sdk = |redis: RedisLimits| {
        OptimlyClient::builder()
            .api_key(optimly_bench::KEY)
            .base_url(base_url)
            .rate_limits(RateLimits::documented().scaled(1000.0, 1.0))
            .retry_policy(RetryPolicy::never())
            .redis_limits(redis)
            .build()
    };
    let shared = sdk(RedisLimits::new(redis_url))?;
    let mut bare = redis::aio::ConnectionManager::new(redis::Client::open(redis_url)?).await?;
    let script = redis::Script::new("return 1");
    let mut took: [Vec<Duration>; 3] = Default::default();
    for i in 0..calls + calls / 10 {
        let mut this = [Duration::ZERO; 3];
        for k in 0..3 {
            let side = (i + k) % 3;
            let t = Instant::now();
            match side {
                0 => drop(raw.history().await?),
                1 => drop(script.invoke_async::<_, i64>(&mut bare).await?),
                _ => drop(sdk_history(&shared).await?),
            }
            this[side] = t.elapsed();
        }
        if i >= calls / 10 {
            for (all, t) in took.iter_mut().zip(this) {
                all.push(t);
            }
        }
    }
    if shared.limiter_stats().fallback > 0 {
        return Err(format!(
            "{:?}: Redis was not used for every call",
            shared.limiter_stats()
        )
        .into());
    }
    let ratio = |side: usize| {
        Spread::of(
            (0..took[0].len() / LATENCY_BLOCK)
                .map(|b| {
                    let p50 = |side: usize| {
                        let block = &took[side][b * LATENCY_BLOCK..(b + 1) * LATENCY_BLOCK];
                        micros(percentile(&mut block.to_vec(), 0.5))
                    };
                    p50(side) / (p50(0) + p50(1))
                })
                .collect(),
        )
    };
    let ratio = ratio(2);
    Ok(RedisLatency {
        p50: took.map(|mut all| percentile(&mut all, 0.5)),
        ratio,
    })
}

/// Four clients built apart (as four replicas would be) on one key, each sending a quarter
/// of a batch three times the scaled global limit to one mock, with or without one Redis.
/// Returns (wall time, 429s the mock answered, failed calls).
async fn fleet_batch(
    redis_url: Option<&str>,
    window_scale: f64,
) -> Result<(Duration, usize, usize), Failure> {
    let mock = optimly_mock::start(MockConfig {
        rate_limit_scale: 0.1,
        rate_limit_window_scale: window_scale,
        ..MockConfig::default()
    })
    .await?;
    let replicas = (0..4)
        .map(|_| {
            let builder = OptimlyClient::builder()
                .api_key(mock.key())
                .base_url(mock.base_url())
                .rate_limits(RateLimits::documented().scaled(0.1, window_scale));
            match redis_url {
                Some(url) => builder.redis_limits(RedisLimits::new(url)),
                None => builder,
            }
            .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let calls = replicas
        .iter()
        .flat_map(|client| (0..30 / 4 + 1).map(move |_| client.list_chats("user_456").send()))
        .take(30);
    let results = join_all(calls).await;
    let took = started.elapsed();
    let failures = results.iter().filter(|r| r.is_err()).count();
    let limited = mock.requests().iter().filter(|r| r.status == 429).count();
    mock.shutdown().await;
    Ok((took, limited, failures))
}

/// The header of a table of batches of 30 calls against 10 per (scaled) minute; returns the
/// least time the limit allows them (two windows).
fn batch_table(title: &str, first_column: &str, window_scale: f64) -> Duration {
    let window = Duration::from_secs_f64(60.0 * window_scale);
    let minimum = 2 * window;
    println!(
        "\n## {title} against a limit of 10 per {:.2} s (minimum {:.2} s)",
        window.as_secs_f64(),
        minimum.as_secs_f64()
    );
    println!("| {first_column} | wall time (s) | × minimum | 429s answered | failed calls |");
    println!("|---|---|---|---|---|");
    minimum
}

/// The shared limiter's section: its cost per call and the fleet batch.
async fn redis_section(
    size: &Size,
    base_url: &str,
    raw: &Raw,
    headline: &mut Vec<String>,
) -> Result<(), Failure> {
    let Some(redis) = RedisServer::start("the Redis benchmark") else {
        println!("\n## Shared rate limits on Redis\nSKIPPED: redis-server is not on PATH");
        return Ok(());
    };
    let calls = size.latency_pairs / 2;
    let RedisLatency {
        p50: [raw_p50, bare_p50, shared_p50],
        ratio,
    } = redis_latency(base_url, raw, &redis.url(), calls).await?;
    println!(
        "\n## Shared rate limits on Redis (a redis-server on loopback), {calls} calls each, interleaved"
    );
    println!(
        "| GET history | raw p50 | bare script round trip p50 | SDK + Redis limiter p50 | ÷ (raw + round trip) |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| µs | {:.0} | {:.0} | {:.0} | {ratio} |",
        micros(raw_p50),
        micros(bare_p50),
        micros(shared_p50),
    );
    headline.push(format!(
        "latency p50 SDK with Redis limiter / (raw + one script round trip): {ratio} (for information)"
    ));
    let minimum = batch_table(
        "Fleet batch: 4 clients built apart, one key, 30 calls",
        "windows counted",
        size.window_scale,
    );
    let url = redis.url();
    for shared in [Some(url.as_str()), None] {
        let (took, limited, failures) = fleet_batch(shared, size.window_scale).await?;
        let ratio = took.as_secs_f64() / minimum.as_secs_f64();
        println!(
            "| {} | {:.3} | {ratio:.3} | {limited} | {failures} |",
            if shared.is_some() {
                "in Redis"
            } else {
                "by each client alone"
            },
            took.as_secs_f64()
        );
        if shared.is_some() {
            headline.push(format!(
                "fleet batch with Redis: {ratio:.3} x the minimum, {limited} 429s (target <= 1.05, 0)"
            ));
        }
    }
    Ok(())
}

async fn run(size: &Size) -> Result<(), Failure> {
    let mut headline = Vec::new();
    let Sides {
        server,
        raw,
        sdk,
        limited,
    } = sides().await?;

    println!(
        "## Latency of one call (µs), {} calls each, interleaved; ratios of the p50s of each {LATENCY_BLOCK} calls",
        size.latency_pairs
    );
    println!(
        "| call | raw p50 | SDK p50 | ratio | raw p99 | SDK p99 | ratio | SDK + limiter p50 | ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, post) in [("GET history", false), ("POST new-message", true)] {
        // On a worker thread, as an application's request handler would be: measured from
        // `block_on`'s thread, every call would also pay a cross-thread wake-up.
        let (r, s_, l_) = (raw.clone(), sdk.clone(), limited.clone());
        let pairs = size.latency_pairs;
        let l = tokio::spawn(async move {
            latency(&r, &s_, &l_, pairs, post)
                .await
                .map_err(|e| e.to_string())
        })
        .await??;
        let [p50, lim] = l.ratios;
        let p99 = micros(l.sdk[1]) / micros(l.raw[1]);
        println!(
            "| {name} | {:.0} | {:.0} | {p50} | {:.0} | {:.0} | {p99:.3} | {:.0} | {lim} |",
            micros(l.raw[0]),
            micros(l.sdk[0]),
            micros(l.raw[1]),
            micros(l.sdk[1]),
            micros(l.limited[0]),
        );
        headline.push(format!(
            "latency p50 SDK/raw ({name}): {p50} (target <= 1.05)"
        ));
    }

    println!(
        "\n## Throughput (calls/s), GET history, {} rotating slices of {:.2} s each",
        size.throughput_reps, size.throughput_secs
    );
    println!(
        "| concurrent callers | raw | SDK `.send()` | SDK/raw | SDK builder `.await`ed | SDK/raw |"
    );
    println!("|---|---|---|---|---|---|");
    for callers in [1, 16, 64] {
        let ([r, s, a], [ratio, awaited]) = throughput(&server, callers, size).await?;
        if size.throughput_awaited {
            println!("| {callers} | {r:.0} | {s:.0} | {ratio} | {a:.0} | {awaited} |");
        } else {
            println!("| {callers} | {r:.0} | {s:.0} | {ratio} | (full run only) | |");
        }
        headline.push(format!(
            "throughput SDK/raw at {callers} callers: {ratio} (target >= 0.95)"
        ));
    }

    let minimum = batch_table("Rate-limited batch: 30 calls", "limiter", size.window_scale);
    for on in [true, false] {
        let (took, limited, failures) = batch(on, size.window_scale).await?;
        let ratio = took.as_secs_f64() / minimum.as_secs_f64();
        println!(
            "| {} | {:.3} | {ratio:.3} | {limited} | {failures} |",
            if on { "on" } else { "off (429s retried)" },
            took.as_secs_f64()
        );
        if on {
            headline.push(format!(
                "rate-limited batch: {ratio:.3} x the minimum, {limited} 429s (target <= 1.05, 0)"
            ));
        }
    }

    redis_section(size, &server.base_url, &raw, &mut headline).await?;

    println!("\n## Documented payloads: parse into the generated type and serialise back");
    println!("| payload | type | bytes | ns per round trip |");
    println!("|---|---|---|---|");
    for payload in payloads()? {
        round_trip(&payload)?;
        let started = Instant::now();
        for _ in 0..size.payload_iterations {
            std::hint::black_box(round_trip(std::hint::black_box(&payload))?);
        }
        let ns = started.elapsed().as_secs_f64() * 1e9 / size.payload_iterations as f64;
        println!(
            "| {} | {} | {} | {ns:.0} |",
            payload.id,
            payload.schema,
            payload.body.len()
        );
    }

    println!(
        "\n## xtask, warm (median of {} runs, seconds)",
        size.xtask_runs
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // A first run builds the xtask if needed; only the warm runs are timed.
    time_command(&cargo, &["xtask", "check"], 1)?;
    let check = time_command(&cargo, &["xtask", "check"], size.xtask_runs)?;
    let generate = time_command(&cargo, &["xtask", "generate"], size.xtask_runs)?;
    println!("| command | seconds |");
    println!("|---|---|");
    println!("| `cargo xtask check` | {check:.3} |");
    println!("| `cargo xtask generate` (up to date) | {generate:.3} |");
    headline.push(format!(
        "warm cargo xtask check: {check:.3} s (target < 0.5)"
    ));

    let mock = mock_throughput(size.throughput_secs).await?;
    println!("\n## Mock server throughput\n| workload | calls/s |\n|---|---|");
    println!("| GET history through the SDK, 64 callers | {mock:.0} |");

    println!("\n## Headline");
    for line in headline {
        println!("{line}");
    }
    Ok(())
}

/// `--only redis`: the Redis section alone (with `--quick`, its quick size), for comparing
/// limiter changes side by side.
async fn redis_only(size: &Size) -> Result<(), Failure> {
    let server = canned_server().await?;
    let raw = Raw::new(&server.base_url)?;
    let mut headline = Vec::new();
    redis_section(size, &server.base_url, &raw, &mut headline).await?;
    println!("\n## Headline");
    for line in headline {
        println!("{line}");
    }
    Ok(())
}

/// `--only raw|sdk|sdk-awaited [--post] [--callers N] [--calls N]`: one side alone, for
/// profilers (`perf stat`, `perf record`, `valgrind --tool=callgrind`): N concurrent callers
/// (16) for 3 s, or exactly N sequential calls (`POST`s of a message with `--post`). Prints
/// the calls made.
async fn only(name: &str, callers: usize, calls: Option<usize>, post: bool) -> Result<(), Failure> {
    let side = Side::parse(name)
        .ok_or_else(|| format!("--only {name}: expected raw, generated, sdk or sdk-awaited"))?;
    let server = canned_server().await?;
    let raw = Raw::new(&server.base_url)?;
    let sdk = sdk_client(&server.base_url, RateLimits::off())?;
    if let Some(calls) = calls {
        for _ in 0..calls {
            let ok = if post {
                side.post(&raw, &sdk).await
            } else {
                side.call(&raw, &sdk).await
            };
            if !ok {
                return Err("a call failed".into());
            }
        }
        println!("{name}: {calls} calls");
        return Ok(());
    }
    let both = Arc::new((raw, sdk));
    let rate = rate(callers, 3.0, move || {
        let both = Arc::clone(&both);
        async move { side.call(&both.0, &both.1).await }
    })
    .await;
    println!("{name}: {:.0} calls", rate * 3.0);
    Ok(())
}

/// Instructions `valgrind --tool=callgrind` counts for one run of this binary with `args`.
fn instructions_of(args: &[&str]) -> Result<u64, Failure> {
    let exe = std::env::current_exe()?;
    let out = std::env::temp_dir().join(format!("optimly-bench-{}.callgrind", std::process::id()));
    let run = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(&exe)
        .args(args)
        .output()
        .map_err(|e| format!("valgrind: {e} (apt-get install valgrind)"))?;
    let _ = std::fs::remove_file(&out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if !run.status.success() {
        return Err(format!(
            "{} {args:?} under callgrind failed:\n{stderr}",
            exe.display()
        )
        .into());
    }
    stderr
        .lines()
        .find_map(|l| {
            l.split_once("Collected : ")
                .map(|(_, n)| n.trim().to_owned())
        })
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no instruction count in callgrind's output:\n{stderr}").into())
}

/// `--instructions [--calls N]`: each side alone, N (3,000) sequential calls on one caller,
/// the loopback server in the same process; the SDK's instructions over raw's, for a GET and a
/// POST, split at the generated client alone: what progenitor's output adds to raw `reqwest`,
/// and what the SDK adds to that. Deterministic for one binary: the machine's speed does not
/// change it.
fn instructions(calls: usize) -> Result<(), Failure> {
    let n = calls.to_string();
    #[allow(clippy::cast_precision_loss)]
    let per_call = |more: u64, less: u64| (more as f64 - less as f64) / calls as f64;
    #[allow(clippy::cast_precision_loss)]
    let ratio = |more: u64, less: u64| more as f64 / less as f64;
    println!("instructions under callgrind, {calls} sequential calls, client and server:");
    println!(
        "| call | raw | generated | SDK | generated over raw, per call | SDK over generated, per call | generated / raw | SDK / raw |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, post) in [("GET history", false), ("POST new-message", true)] {
        let mut counts = [0u64; 3];
        for (count, side) in counts.iter_mut().zip(["raw", "generated", "sdk"]) {
            let mut args = vec!["--only", side, "--callers", "1", "--calls", &n];
            if post {
                args.push("--post");
            }
            *count = instructions_of(&args)?;
        }
        let [raw, generated, sdk] = counts;
        println!(
            "| {name} | {raw} | {generated} | {sdk} | {:+.0} | {:+.0} | {:.4} | {:.4} |",
            per_call(generated, raw),
            per_call(sdk, generated),
            ratio(generated, raw),
            ratio(sdk, raw),
        );
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    optimly_bench::exit(main_with(std::env::args().collect()))
}

fn main_with(args: Vec<String>) -> Result<(), Failure> {
    let quick = args.iter().any(|a| a == "--quick");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let number = |flag: &str| -> Result<Option<usize>, Failure> {
        value(flag)
            .map(|n| {
                n.parse()
                    .map_err(|_| format!("{flag} {n}: expected a whole number").into())
            })
            .transpose()
    };
    let side = value("--only");
    let callers = number("--callers")?.unwrap_or(16);
    let calls = number("--calls")?;
    if args.iter().any(|a| a == "--instructions") {
        return instructions(calls.unwrap_or(3_000));
    }
    let post = args.iter().any(|a| a == "--post");
    let size = if quick { &QUICK } else { &FULL };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match side {
        Some(side) if side == "redis" => runtime.block_on(redis_only(size)),
        Some(side) => runtime.block_on(only(&side, callers, calls, post)),
        None => runtime.block_on(run(size)),
    }
}
