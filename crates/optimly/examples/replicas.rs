//! Several replicas of one app on one key, their rate limits counted together in Redis: a
//! burst of three times the key's limit, spread over four clients (as four processes would
//! be), earns no 429.
//!
//! ```sh
//! cargo run -p optimly --example replicas --features redis,testing
//! ```
//!
//! It runs against the embedded mock, whose limits are the documented ones scaled to 10 calls
//! per 2-second window so that it ends in seconds. The Redis is `OPTIMLY_REDIS_URL` when set
//! (any node of a Redis Cluster works too), else a `redis-server` from `PATH` started for the
//! run. In your app each replica builds its client the same way, `OptimlyClient::from_env()`
//! with `OPTIMLY_REDIS_URL` set, or `.redis_limits(RedisLimits::new(url))`.

use std::process::ExitCode;
use std::time::Instant;

use optimly::testing::{MockConfig, RedisServer};
use optimly::{OptimlyClient, RedisLimits};

const REPLICAS: usize = 4;
const CALLS_EACH: usize = 8;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // 100 a minute scaled to 10 per 2 s.
    let config = MockConfig {
        rate_limit_scale: 0.1,
        rate_limit_window_scale: 1.0 / 30.0,
        ..MockConfig::default()
    };
    let (_, mock) = optimly::testing::start_mock_with(config).await?;
    let started_here;
    let url = match std::env::var("OPTIMLY_REDIS_URL") {
        Ok(url) => url,
        Err(_) => {
            started_here = RedisServer::start("the replicas example")
                .ok_or("no OPTIMLY_REDIS_URL and no redis-server on PATH")?;
            started_here.url()
        }
    };

    // Each replica: its own client (its own process, in production), the same key and Redis.
    let replicas = (0..REPLICAS)
        .map(|_| {
            OptimlyClient::builder()
                .api_key(mock.key())
                .base_url(mock.base_url())
                .rate_limits(optimly::testing::limits_of(mock.config()))
                .redis_limits(RedisLimits::new(&url))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let runs: Vec<_> = replicas
        .iter()
        .enumerate()
        .map(|(i, client)| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..CALLS_EACH {
                    client.list_chats(format!("replica_{i}")).await?;
                }
                Ok::<_, optimly::Error>(())
            })
        })
        .collect();
    for run in runs {
        run.await??;
    }
    let took = started.elapsed();
    let too_many = mock.requests().iter().filter(|r| r.status == 429).count();
    println!(
        "{REPLICAS} replicas made {} calls against a limit of 10 per 2 s in {:.1} s: {too_many} 429s",
        REPLICAS * CALLS_EACH,
        took.as_secs_f64()
    );
    for (i, client) in replicas.iter().enumerate() {
        let stats = client.limiter_stats();
        println!(
            "  replica {i}: {} slots taken in Redis, {} counted alone",
            stats.shared, stats.fallback
        );
    }
    if too_many > 0 {
        return Err("the mock answered 429s".into());
    }
    Ok(())
}
