//! One replica of the fleet tests (`tests/fleet.rs`): a process with its own client on the
//! mock's key, which creates a chat and appends a batch of messages to it, all at once, from a
//! start time shared by the fleet, then prints what happened as one JSON line.
//!
//! ```text
//! fleet_member --base-url URL --start-at UNIX_MS --appends N --count-scale F --time-scale F
//!              [--redis URL [--strict] [--redis-timeout-ms MS]]
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use optimly::testing::DEFAULT_KEY;
use optimly::{OptimlyClient, RateLimits, RedisLimits, Sender};
use serde_json::json;

#[derive(Debug, Default)]
struct Args {
    base_url: String,
    start_at: u64,
    appends: usize,
    count_scale: f64,
    time_scale: f64,
    redis: Option<String>,
    strict: bool,
    redis_timeout: Option<Duration>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args::default();
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        let mut value = || words.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--base-url" => args.base_url = value()?,
            "--start-at" => args.start_at = value()?.parse().map_err(|e| format!("{e}"))?,
            "--appends" => args.appends = value()?.parse().map_err(|e| format!("{e}"))?,
            "--count-scale" => args.count_scale = value()?.parse().map_err(|e| format!("{e}"))?,
            "--time-scale" => args.time_scale = value()?.parse().map_err(|e| format!("{e}"))?,
            "--redis" => args.redis = Some(value()?),
            "--strict" => args.strict = true,
            "--redis-timeout-ms" => {
                let ms: u64 = value()?.parse().map_err(|e| format!("{e}"))?;
                args.redis_timeout = Some(Duration::from_millis(ms));
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `RateLimitedByServer`, `LimiterUnavailable`, ...: the kind's name without its fields.
fn kind_name(error: &optimly::Error) -> String {
    let debug = format!("{:?}", error.kind());
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("fleet_member: {e}");
            return ExitCode::from(2);
        }
    };
    let mut builder = OptimlyClient::builder()
        .api_key(DEFAULT_KEY)
        .base_url(&args.base_url)
        .rate_limits(RateLimits::documented().scaled(args.count_scale, args.time_scale));
    if let Some(url) = &args.redis {
        let mut redis = RedisLimits::new(url).strict(args.strict);
        if let Some(timeout) = args.redis_timeout {
            redis = redis.timeout(timeout);
        }
        builder = builder.redis_limits(redis);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("fleet_member: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = UNIX_EPOCH + Duration::from_millis(args.start_at);
    if let Ok(wait) = start.duration_since(SystemTime::now()) {
        tokio::time::sleep(wait).await;
    }
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let (chat_id, appended_ok) = match client
        .create_chat(format!("fleet_{}", std::process::id()))
        .await
    {
        Ok(chat) => {
            let appends = (0..args.appends).map(|i| {
                client
                    .append_message(chat.id(), Sender::Assistant, format!("message {i}"))
                    .send()
            });
            let results = join_all(appends).await;
            let mut ok = 0;
            for result in results {
                match result {
                    Ok(_) => ok += 1,
                    Err(e) => *errors.entry(kind_name(&e)).or_default() += 1,
                }
            }
            (Some(chat.id().to_owned()), ok)
        }
        Err(e) => {
            *errors.entry(kind_name(&e)).or_default() += 1;
            (None, 0)
        }
    };
    // Record the last calls' ends in Redis before exiting, for the replicas still running.
    let stats = client.limiter_stats();
    let report = json!({
        "chat_id": chat_id,
        "appended_ok": appended_ok,
        "errors": errors,
        "end_ms": unix_ms(SystemTime::now()),
        "stats": {
            "shared": stats.shared,
            "fallback": stats.fallback,
            "outages": stats.outages,
            "recoveries": stats.recoveries,
            "refused": stats.refused,
        },
    });
    println!("{report}");
    ExitCode::SUCCESS
}
