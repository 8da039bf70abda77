//! Four replicas on one key: separate OS processes (`fleet_member`), one mock with the
//! documented limit shapes scaled in time, and a real `redis-server` started here.
//!
//! - With Redis the fleet's batch of three times the limit finishes with zero 429s, in no more
//!   than 1.05 × the least time the limits allow; without it, the same fleet earns 429s.
//! - Redis killed mid-batch and started again: no panic, nothing sent twice, the fallback and
//!   the return visible in every replica's counters; in strict mode the calls fail with
//!   `LimiterUnavailable` instead.

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use optimly::testing::MockConfig;
use optimly::testing::RedisServer;
use optimly_mock::RunningMock;
use serde_json::Value;
use workspace_tests::redis_cluster::RedisCluster;

const MEMBERS: usize = 4;

/// The fleets run one at a time: each measures time on a machine with two cores.
static ONE_FLEET_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// 100 per minute scaled by 0.2: 20 per window.
const COUNT_SCALE: f64 = 0.2;
const LIMIT: usize = 20;
/// Appends per member in the outage tests.
/// Enough that no member can finish its batch alone while Redis is down (seen in CI with 40).
const APPENDS_IN_OUTAGE: usize = 60;

async fn mock(time_scale: f64) -> RunningMock {
    optimly_mock::start(MockConfig {
        rate_limit_scale: COUNT_SCALE,
        rate_limit_window_scale: time_scale,
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0))
}

/// One replica's report.
#[derive(Debug)]
struct Report {
    chat_id: Option<String>,
    appended_ok: u64,
    errors: Value,
    end_ms: u64,
    stats: Value,
}

impl Report {
    fn errors_of(&self, kind: &str) -> u64 {
        self.errors.get(kind).and_then(Value::as_u64).unwrap_or(0)
    }

    fn stat(&self, name: &str) -> u64 {
        self.stats.get(name).and_then(Value::as_u64).unwrap_or(0)
    }
}

struct Fleet<'a> {
    mock: &'a RunningMock,
    /// The Redis URL of each member in turn (none: each counts alone).
    redis: &'a [String],
    strict: bool,
    appends: usize,
    time_scale: f64,
}

impl Fleet<'_> {
    /// Start the members (they begin together at `start_at`) and collect their reports.
    async fn run(&self, start_at: u64) -> Vec<Report> {
        let children: Vec<_> = (0..MEMBERS)
            .map(|member| {
                let mut command = Command::new(env!("CARGO_BIN_EXE_fleet_member"));
                command
                    .args(["--base-url", &self.mock.base_url()])
                    .args(["--start-at", &start_at.to_string()])
                    .args(["--appends", &self.appends.to_string()])
                    .args(["--count-scale", &COUNT_SCALE.to_string()])
                    .args(["--time-scale", &self.time_scale.to_string()])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                if let Some(url) = self.redis.get(member % self.redis.len().max(1)) {
                    // Debug builds of five processes on two cores: more than the default
                    // 50 ms before a round trip counts as Redis failing.
                    command.args(["--redis", url.as_str(), "--redis-timeout-ms", "250"]);
                }
                if self.strict {
                    command.arg("--strict");
                }
                command.spawn().expect("fleet_member starts")
            })
            .collect();
        let outputs = tokio::task::spawn_blocking(move || {
            children
                .into_iter()
                .map(|c| c.wait_with_output().expect("fleet_member ends"))
                .collect::<Vec<_>>()
        })
        .await
        .expect("joined");
        outputs
            .into_iter()
            .map(|out| {
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(out.status.success(), "a member failed: {stderr}");
                assert!(!stderr.contains("panicked"), "a member panicked: {stderr}");
                let line = String::from_utf8_lossy(&out.stdout);
                let v: Value = serde_json::from_str(line.trim()).expect("a JSON report");
                Report {
                    chat_id: v["chat_id"].as_str().map(str::to_owned),
                    appended_ok: v["appended_ok"].as_u64().expect("appended_ok"),
                    errors: v["errors"].clone(),
                    end_ms: v["end_ms"].as_u64().expect("end_ms"),
                    stats: v["stats"].clone(),
                }
            })
            .collect()
    }
}

fn count_429(mock: &RunningMock) -> usize {
    mock.requests().iter().filter(|r| r.status == 429).count()
}

/// Every message a member says it appended is in its chat once, and no other: the chat holds
/// what a new chat holds plus exactly those.
fn assert_history_matches(mock: &RunningMock, reports: &[Report], empty_chat: usize) {
    for report in reports {
        let chat = report
            .chat_id
            .as_deref()
            .unwrap_or_else(|| panic!("the member created no chat: {report:?}"));
        let held = mock.message_count(chat).expect("the chat exists");
        assert_eq!(
            held as u64,
            empty_chat as u64 + report.appended_ok,
            "chat {chat}: {report:?}"
        );
    }
}

/// How many messages a new chat holds on this mock.
async fn messages_of_a_new_chat(mock: &RunningMock) -> usize {
    let client = workspace_tests::unlimited_client(mock);
    let chat = client.create_chat("probe").await.expect("chat");
    mock.message_count(chat.id()).expect("it exists")
}

/// A fleet on the Redis `urls` (member `i` on `urls[i % len]`) earns no 429s, falls back
/// never, and takes no more than 1.05 x the least time the limits allow. Returns the time
/// scale and the appends per member it used.
async fn shared_fleet(urls: &[String], what: &str) -> (f64, usize) {
    // Windows of 4 s: a minute scaled by 1/15.
    let time_scale = 1.0 / 15.0;
    let window_ms = 4_000.0;
    let mock = mock(time_scale).await;
    // 4 chats and 56 messages: three times the limit of 20 per window.
    let appends = (3 * LIMIT - MEMBERS) / MEMBERS;
    let total = MEMBERS * (appends + 1);
    assert_eq!(total, 3 * LIMIT);
    let fleet = Fleet {
        mock: &mock,
        redis: urls,
        strict: false,
        appends,
        time_scale,
    };
    let start_at = unix_ms() + 1_500;
    let reports = fleet.run(start_at).await;
    let wall = reports.iter().map(|r| r.end_ms).max().expect("reports") - start_at;
    // The first 20 go at once; each later 20 a window after the one before: 2 windows.
    let least = (total.div_ceil(LIMIT) - 1) as f64 * window_ms;
    let ratio = wall as f64 / least;
    eprintln!(
        "fleet on {what}: {total} calls in {wall} ms, {ratio:.3} x the least the limits allow ({least} ms), {} 429s",
        count_429(&mock)
    );
    for report in &reports {
        eprintln!("  {} ms: {report:?}", report.end_ms - start_at);
        assert_eq!(report.appended_ok, appends as u64, "{report:?}");
        assert_eq!(report.errors, serde_json::json!({}), "{report:?}");
        assert_eq!(report.stat("fallback"), 0, "{report:?}");
        assert_eq!(report.stat("shared") as usize, appends + 1, "{report:?}");
    }
    assert_eq!(
        count_429(&mock),
        0,
        "the mock answered 429s to a Redis fleet"
    );
    assert_eq!(mock.requests().len(), total);
    assert!(ratio <= 1.05, "{wall} ms is {ratio:.3} x {least} ms");
    assert!(
        wall as f64 >= least - 10.0,
        "faster than the limits allow: {wall} ms"
    );

    (time_scale, appends)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_replicas_on_one_redis_earn_no_429s_and_take_the_least_time() {
    let _alone = ONE_FLEET_AT_A_TIME.lock().await;
    let Some(redis) = RedisServer::start("fleet") else {
        return;
    };
    let (time_scale, appends) = shared_fleet(&[redis.url()], "one Redis").await;
    // The contrast: the same fleet, each replica counting alone.
    let alone = mock_contrast(time_scale, appends).await;
    eprintln!("the same fleet without Redis: {alone} 429s");
    assert!(alone > 0, "four replicas counting alone earned no 429s");
}

/// The same fleet on a three-node Redis Cluster, each member given a different node's URL
/// (so most are pointed at a node that does not own the key's slot): the limiter finds the
/// cluster and follows it there. Zero 429s, no fallback, and every key in one node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_replicas_on_a_three_node_redis_cluster_earn_no_429s() {
    let _alone = ONE_FLEET_AT_A_TIME.lock().await;
    let Some(cluster) = RedisCluster::start("fleet on a Redis Cluster") else {
        return;
    };
    shared_fleet(&cluster.urls(), "a three-node Redis Cluster").await;
    let holders: Vec<u16> = cluster
        .ports()
        .iter()
        .copied()
        .filter(|&port| cluster.cli(port, "DBSIZE").trim() != "0")
        .collect();
    assert_eq!(
        holders.len(),
        1,
        "the key's windows are on one node's slot: {holders:?}"
    );
}

/// The 429s the same fleet earns without Redis.
async fn mock_contrast(time_scale: f64, appends: usize) -> usize {
    let mock = mock(time_scale).await;
    let fleet = Fleet {
        mock: &mock,
        redis: &[],
        strict: false,
        appends,
        time_scale,
    };
    fleet.run(unix_ms() + 1_500).await;
    count_429(&mock)
}

/// Run a fleet of 60 appends per member with windows of 1 s (about 12 s with Redis), killing
/// Redis 1.5 s after the start and (when `restart`) starting it again 1 s later.
///
/// Returns the mock, the reports and how many messages a new chat holds there, counted before
/// the fleet starts: after it, the fleet may have left the mock's window full.
async fn fleet_with_an_outage(
    strict: bool,
    restart: bool,
) -> Option<(RunningMock, Vec<Report>, usize)> {
    let mut redis = RedisServer::start("fleet with an outage")?;
    let time_scale = 1.0 / 60.0;
    let mock = mock(time_scale).await;
    let empty = messages_of_a_new_chat(&mock).await;
    let urls = [redis.url()];
    let start_at = unix_ms() + 1_500;
    let killer = tokio::task::spawn_blocking(move || {
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(start_at + ms);
        if let Ok(wait) = at(1_500).duration_since(SystemTime::now()) {
            std::thread::sleep(wait);
        }
        redis.kill();
        if restart {
            if let Ok(wait) = at(2_500).duration_since(SystemTime::now()) {
                std::thread::sleep(wait);
            }
            redis.restart();
        }
        redis
    });
    let fleet = Fleet {
        mock: &mock,
        redis: &urls,
        strict,
        appends: APPENDS_IN_OUTAGE,
        time_scale,
    };
    let reports = fleet.run(start_at).await;
    drop(killer.await.expect("the killer ends"));
    Some((mock, reports, empty))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_batch_falls_back_and_returns_without_losing_or_doubling_a_call() {
    let _alone = ONE_FLEET_AT_A_TIME.lock().await;
    let Some((mock, reports, empty)) = fleet_with_an_outage(false, true).await else {
        return;
    };
    assert_history_matches(&mock, &reports, empty);
    for report in &reports {
        eprintln!("{report:?}");
        assert!(report.stat("outages") >= 1, "{report:?}");
        assert!(report.stat("fallback") >= 1, "{report:?}");
        assert!(report.stat("recoveries") >= 1, "{report:?}");
        assert_eq!(report.stat("refused"), 0, "{report:?}");
        assert_eq!(report.errors_of("LimiterUnavailable"), 0, "{report:?}");
        assert_eq!(report.errors_of("Connection"), 0, "{report:?}");
    }
    let ok: u64 = reports.iter().map(|r| r.appended_ok).sum();
    eprintln!(
        "outage: {ok} of {} appends succeeded, {} 429s at the mock",
        APPENDS_IN_OUTAGE * MEMBERS,
        count_429(&mock)
    );
    assert!(ok > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_fleet_fails_calls_with_a_typed_error_while_redis_is_down() {
    let _alone = ONE_FLEET_AT_A_TIME.lock().await;
    let Some((mock, reports, empty)) = fleet_with_an_outage(true, false).await else {
        return;
    };
    assert_history_matches(&mock, &reports, empty);
    let refused: u64 = reports
        .iter()
        .map(|r| r.errors_of("LimiterUnavailable"))
        .sum();
    eprintln!("strict: {refused} calls failed with LimiterUnavailable");
    assert!(refused > 0, "{reports:?}");
    for report in &reports {
        assert_eq!(report.stat("fallback"), 0, "{report:?}");
        assert_eq!(
            report.stat("refused"),
            report.errors_of("LimiterUnavailable")
        );
        assert_eq!(
            report.appended_ok + report.errors_of("LimiterUnavailable"),
            APPENDS_IN_OUTAGE as u64,
            "{report:?}"
        );
    }
}
