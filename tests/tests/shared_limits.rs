//! The Redis backend of the rate limiter, in one process: windows outlive the client that
//! filled them, keys never hold the API key, and a Redis that is not there is a fallback (or,
//! when strict, a typed error) whose messages never show its password.

use std::time::Duration;

use optimly::operations::LIST_CLIENT_CHATS;
use optimly::testing::MockConfig;
use optimly::testing::RedisServer;
use optimly::{
    ClientBuilder, ErrorKind, Limit, OptimlyClient, RateLimits, RedisLimits, Scope, WhenLimited,
};
use optimly_mock::RunningMock;
use workspace_tests::redis_cluster::RedisCluster;

fn three_per_hour() -> RateLimits {
    RateLimits::off()
        .with_global(vec![Limit::new(
            3,
            Duration::from_secs(3_600),
            Scope::ApiKey,
        )])
        .with_when_limited(WhenLimited::FailFast)
}

fn client(mock: &RunningMock, redis: RedisLimits) -> OptimlyClient {
    OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(three_per_hour())
        .redis_limits(redis)
        .build()
        .expect("client")
}

async fn mock() -> RunningMock {
    optimly_mock::start(MockConfig {
        rate_limits: false,
        ..MockConfig::default()
    })
    .await
    .expect("mock")
}

#[tokio::test]
async fn windows_outlive_the_client_and_keys_hold_a_hash_of_the_key_not_the_key() {
    let Some(redis) = RedisServer::start("windows_outlive_the_client") else {
        return;
    };
    let mock = mock().await;
    let first = client(&mock, RedisLimits::new(redis.url()));
    for _ in 0..3 {
        first.list_chats("user_1").await.expect("fits");
    }
    assert_eq!(first.limiter_stats().shared, 3);
    drop(first);
    // A new process (here: a new client) on the same key finds the window full.
    let second = client(&mock, RedisLimits::new(redis.url()));
    let err = second
        .list_chats("user_1")
        .await
        .expect_err("no room for an hour");
    assert!(
        matches!(err.kind(), ErrorKind::HeldByLimiter { .. }),
        "{err:?}"
    );
    assert_eq!(err.operation(), Some(&LIST_CLIENT_CHATS));
    let wait = err.retry_after().expect("Redis knows when");
    assert!(wait > Duration::from_secs(3_590), "{wait:?}");
    assert_eq!(mock.requests().len(), 3, "the fourth was not sent");

    let keys = redis.keys();
    assert!(!keys.is_empty());
    for key in &keys {
        assert!(!key.contains(mock.key()), "{key}");
        assert!(!key.contains("mock0000"), "{key}");
        assert!(key.starts_with("optimly:{"), "{key}");
    }
    // One hash tag for every key of one API key: one Redis Cluster slot.
    let tag = |k: &str| k.split('}').next().map(str::to_owned);
    assert!(keys.iter().all(|k| tag(k) == tag(&keys[0])), "{keys:?}");
    // Another key counts apart.
    let other = OptimlyClient::builder()
        .api_key("agt_other000000000000000000000000000")
        .base_url(mock.base_url())
        .rate_limits(three_per_hour())
        .redis_limits(RedisLimits::new(redis.url()))
        .build()
        .expect("client");
    let refused = other
        .list_chats("user_1")
        .await
        .expect_err("the mock knows one key");
    assert_eq!(
        *refused.kind(),
        ErrorKind::Unauthorized,
        "it was sent: {refused:?}"
    );
}

/// The slots in each of the key's sorted sets (markers such as `~probe` left out).
fn slots_per_set(redis: &RedisServer) -> Vec<(String, usize)> {
    let client = redis::Client::open(redis.url()).expect("url");
    let mut connection = client.get_connection().expect("connect");
    let mut sets: Vec<(String, usize)> = redis
        .keys()
        .into_iter()
        .map(|key| {
            let members: Vec<String> = redis::cmd("ZRANGE")
                .arg(&key)
                .arg(0)
                .arg(-1)
                .query(&mut connection)
                .expect("ZRANGE");
            let slots = members.iter().filter(|m| !m.starts_with('~')).count();
            (key, slots)
        })
        .collect();
    sets.sort();
    sets
}

#[tokio::test]
async fn every_attempt_takes_exactly_one_slot_and_its_end_is_recorded() {
    let Some(redis) = RedisServer::start("one_slot_per_attempt") else {
        return;
    };
    let mock = mock().await;
    let roomy = RateLimits::off().with_global(vec![Limit::new(
        1_000,
        Duration::from_secs(3_600),
        Scope::ApiKey,
    )]);
    let process = || {
        OptimlyClient::builder()
            .api_key(mock.key())
            .base_url(mock.base_url())
            .rate_limits(roomy.clone())
            .redis_limits(RedisLimits::new(redis.url()))
            .build()
            .expect("client")
    };
    let (first, second) = (process(), process());
    for _ in 0..20 {
        first.list_chats("user_1").await.expect("fits");
    }
    for _ in 0..7 {
        second.list_chats("user_1").await.expect("fits");
    }
    assert_eq!(first.limiter_stats().shared, 20);
    assert_eq!(second.limiter_stats().shared, 7);
    let sets = slots_per_set(&redis);
    assert_eq!(sets.len(), 1, "one set, the key's global one: {sets:?}");
    assert_eq!(sets[0].1, 27, "one slot per request sent: {sets:?}");
    assert_eq!(mock.requests().len(), 27);
}

/// A URL with a password, to a port where nothing listens.
fn absent_redis() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    format!("redis://:hunter2-secret@127.0.0.1:{port}/0")
}

#[tokio::test]
async fn an_absent_redis_falls_back_to_the_process_or_fails_typed_when_strict() {
    let mock = mock().await;
    let url = absent_redis();
    let lenient = client(&mock, RedisLimits::new(&url));
    lenient
        .list_chats("user_1")
        .await
        .expect("counted in the process");
    let stats = lenient.limiter_stats();
    assert_eq!(
        (stats.shared, stats.fallback, stats.outages),
        (0, 1, 1),
        "{stats:?}"
    );
    // Within a second of the failure Redis is not asked again: no second outage.
    lenient
        .list_chats("user_1")
        .await
        .expect("counted in the process");
    assert_eq!(lenient.limiter_stats().outages, 1);
    assert_eq!(lenient.limiter_stats().fallback, 2);
    // The process's windows still hold the limit.
    lenient.list_chats("user_1").await.expect("third fits");
    let held = lenient.list_chats("user_1").await.expect_err("fourth");
    assert!(
        matches!(held.kind(), ErrorKind::HeldByLimiter { .. }),
        "{held:?}"
    );

    let strict = client(&mock, RedisLimits::new(&url).strict(true));
    let err = strict.list_chats("user_1").await.expect_err("strict");
    assert_eq!(*err.kind(), ErrorKind::LimiterUnavailable, "{err:?}");
    assert_eq!(err.attempts(), 0);
    assert_eq!(err.operation(), Some(&LIST_CLIENT_CHATS));
    let source = std::error::Error::source(&err).expect("a cause");
    assert!(
        source.to_string().contains("connection refused"),
        "{source}"
    );
    assert_eq!(strict.limiter_stats().refused, 1);
    assert_eq!(
        mock.requests().len(),
        3,
        "nothing sent by the strict client"
    );
    for shown in [
        err.to_string(),
        format!("{err:?}"),
        format!("{strict:?}"),
        format!("{lenient:?}"),
        format!("{:?}", RedisLimits::new(&url)),
    ] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[test]
fn the_environment_turns_the_shared_limiter_on_and_a_bad_url_is_a_config_error() {
    let env = |url: &'static str, strict: &'static str| {
        move |name: &str| match name {
            "OPTIMLY_API_KEY" => Some("agt_0123456789abcdef0123456789abcdef".to_owned()),
            "OPTIMLY_REDIS_URL" => Some(url.to_owned()),
            "OPTIMLY_REDIS_STRICT" => Some(strict.to_owned()),
            _ => None,
        }
    };
    let client =
        ClientBuilder::from_lookup(env("redis://:pw-secret@cache.internal:6380/2", "true"))
            .and_then(ClientBuilder::build)
            .expect("configured");
    let shown = format!("{client:?}");
    assert!(
        shown.contains(r#"rate_limit_backend: "RedisLimits { url: \"redis://cache.internal:6380/2\", timeout: 50ms, strict: true }""#),
        "{shown}"
    );
    assert!(!shown.contains("pw-secret"), "{shown}");
    let bad = ClientBuilder::from_lookup(env("http://pw-secret@cache:1", "false"))
        .and_then(ClientBuilder::build)
        .expect_err("not a Redis URL");
    assert!(
        matches!(bad.kind(), ErrorKind::Config { setting, .. } if setting == "redis_limits"),
        "{bad:?}"
    );
    assert!(!bad.to_string().contains("pw-secret"), "{bad}");
    let strict = ClientBuilder::from_lookup(env("redis://cache:1", "maybe")).expect_err("strict");
    assert!(
        matches!(strict.kind(), ErrorKind::Config { setting, .. } if setting == "OPTIMLY_REDIS_STRICT"),
        "{strict:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_behind_a_window_another_client_filled_earn_one_429_between_them() {
    let Some(redis) = RedisServer::start("two_replicas_behind_a_full_window") else {
        return;
    };
    // 10 per 2 s at the mock, and the same in both replicas.
    let config = MockConfig {
        rate_limit_scale: 0.1,
        rate_limit_window_scale: 1.0 / 30.0,
        ..MockConfig::default()
    };
    let limits = optimly::testing::limits_of(&config);
    let mock = optimly_mock::start(config).await.expect("mock");
    workspace_tests::fill_window(&mock, 10).await;
    let before = mock.requests().len();
    let replica = || {
        OptimlyClient::builder()
            .api_key(mock.key())
            .base_url(mock.base_url())
            .rate_limits(limits.clone())
            .redis_limits(RedisLimits::new(redis.url()))
            .build()
            .expect("client")
    };
    let (a, b) = (replica(), replica());
    let calls = (0..8).flat_map(|_| [a.list_chats("user_2").send(), b.list_chats("user_2").send()]);
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let answered: Vec<u16> = mock.requests()[before..].iter().map(|r| r.status).collect();
    assert_eq!(
        answered.iter().filter(|s| **s == 429).count(),
        1,
        "{answered:?}"
    );
    assert_eq!(
        answered.iter().filter(|s| **s == 200).count(),
        16,
        "{answered:?}"
    );
    let shared = a.limiter_stats().shared + b.limiter_stats().shared;
    assert_eq!(shared, 17, "one slot per request sent");
}

/// A cluster that refuses `INFO` is found by the first `MOVED`: a client on each node, the
/// first filling the key's window of 3, the others find it full, and none falls back.
#[tokio::test]
async fn a_cluster_that_hides_info_is_found_by_its_first_moved() {
    let Some(cluster) = RedisCluster::start("a_cluster_that_hides_info") else {
        return;
    };
    cluster.deny_info();
    let mock = mock().await;
    let clients: Vec<OptimlyClient> = cluster
        .urls()
        .into_iter()
        .map(|url| {
            client(
                &mock,
                RedisLimits::new(url).timeout(Duration::from_millis(500)),
            )
        })
        .collect();
    for _ in 0..3 {
        clients[0].list_chats("user_1").await.expect("fits");
    }
    for other in &clients[1..] {
        let err = other
            .list_chats("user_1")
            .await
            .expect_err("the window is full, in the cluster");
        assert!(
            matches!(err.kind(), ErrorKind::HeldByLimiter { .. }),
            "{err}"
        );
    }
    for client in &clients {
        assert_eq!(
            client.limiter_stats().fallback,
            0,
            "{:?}",
            client.limiter_stats()
        );
        assert_eq!(
            client.limiter_stats().outages,
            0,
            "{:?}",
            client.limiter_stats()
        );
    }
    assert_eq!(clients[0].limiter_stats().shared, 3);
}
