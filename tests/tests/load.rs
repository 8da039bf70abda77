//! Load and soak against the mock: 64 concurrent callers, each with its own chat, first write
//! messages, then read histories and chat lists. Zero errors, zero lost or duplicated
//! messages (every history holds exactly what its caller sent, in order), and the process's
//! resident memory flat across the read soak.
//!
//! CI runs 4,096 requests. `OPTIMLY_LOAD_FULL=1 cargo test -p workspace-tests --test load --
//! --nocapture` runs the full 20,000 (about 8,000 writes and 12,000 reads).

use std::time::Instant;

use futures_util::future::join_all;
use optimly::testing::MockConfig;
use optimly::{OptimlyClient, RateLimits, Sender};

const CALLERS: usize = 64;

/// Resident memory in bytes (Linux `/proc/self/statm`); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

async fn read_round(client: &OptimlyClient, chats: &[String], rounds: usize) -> usize {
    let callers = chats.iter().enumerate().map(|(i, chat)| async move {
        let mut failures = 0;
        for r in 0..rounds {
            let ok = if (i + r) % 2 == 0 {
                client.history(chat.as_str()).await.is_ok()
            } else {
                client.list_chats(format!("load_user_{i}")).await.is_ok()
            };
            failures += usize::from(!ok);
        }
        failures
    });
    join_all(callers).await.into_iter().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_callers_lose_nothing_and_memory_stays_flat() {
    let full = std::env::var_os("OPTIMLY_LOAD_FULL").is_some();
    let total: usize = if full { 20_000 } else { 4_096 };
    // Two fifths writes (one chat per caller, then messages), three fifths reads.
    let per_caller_writes = total * 2 / 5 / CALLERS;
    let reads = total - CALLERS * (per_caller_writes + 1);
    let read_rounds = reads / CALLERS / 2;

    let mock = optimly_mock::start(MockConfig {
        rate_limits: false,
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    let client = OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(RateLimits::off())
        .build()
        .expect("client builds");

    let started = Instant::now();
    let writers = (0..CALLERS).map(|i| {
        let client = client.clone();
        async move {
            let chat = client.create_chat(format!("load_user_{i}")).await?;
            for n in 0..per_caller_writes {
                client
                    .append_message(
                        chat.id(),
                        Sender::Assistant,
                        format!("caller {i} message {n}"),
                    )
                    .await?;
            }
            Ok::<_, optimly::Error>(chat.id().to_owned())
        }
    });
    let chats: Vec<String> = join_all(writers)
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("every write succeeds");

    let failures_warm = read_round(&client, &chats, read_rounds).await;
    let after_warm = resident_bytes();
    let failures_soak = read_round(&client, &chats, read_rounds).await;
    let after_soak = resident_bytes();
    let took = started.elapsed();
    assert_eq!(failures_warm + failures_soak, 0);

    // Nothing lost, nothing doubled, nothing out of order.
    for (i, chat) in chats.iter().enumerate() {
        let history = client.history(chat.as_str()).await.expect("history");
        let contents: Vec<&str> = history.iter().map(|m| m.content()).collect();
        let expected: Vec<String> = (0..per_caller_writes)
            .map(|n| format!("caller {i} message {n}"))
            .collect();
        assert_eq!(contents, expected, "chat {chat}");
        assert_eq!(mock.message_count(chat), Some(per_caller_writes));
    }
    let sent = CALLERS * (1 + per_caller_writes) + 2 * read_rounds * CALLERS + CALLERS;
    let log = mock.requests();
    assert_eq!(log.last().map(|r| r.n), Some(sent as u64));
    assert!(log.iter().all(|r| r.status == 200));

    // The soak read as many requests as the warm-up; memory may not grow with it.
    if let (Some(warm), Some(soak)) = (after_warm, after_soak) {
        let growth = soak.saturating_sub(warm);
        assert!(
            growth < 8 * 1024 * 1024,
            "grew {growth} bytes over the soak"
        );
        println!(
            "load: {sent} requests, {CALLERS} callers, {:.1} s, {:.0} req/s, resident {} KiB -> {} KiB",
            took.as_secs_f64(),
            sent as f64 / took.as_secs_f64(),
            warm / 1024,
            soak / 1024
        );
    }
    mock.shutdown().await;
}
