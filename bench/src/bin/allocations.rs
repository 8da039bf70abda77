//! `cargo run -p optimly-bench --release --bin optimly-allocations`: heap allocations per
//! call, SDK beside raw `reqwest` + `serde_json`, counted by an instrumented global allocator.
//! Its own binary, so that the counting never slows the timed benchmarks.

use std::alloc::System;
use std::future::Future;

use optimly::Sender;
use optimly_bench::{CHAT_ID, CONTENT, Sides, sdk_append, sdk_history, sdk_history_awaited, sides};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

type Failure = Box<dyn std::error::Error>;

const CALLS: usize = 1_000;

/// Heap operations per call over [`CALLS`] sequential calls, after one call that fills the
/// connection pool. Client and server run in this process, so both count.
struct PerCall {
    allocations: f64,
    /// Counted apart: growing a block costs more than making one, and under contention a
    /// realloc can cost more than the rest of building a request.
    reallocations: f64,
    bytes: f64,
}

impl std::fmt::Display for PerCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.1} + {:.1}", self.allocations, self.reallocations)
    }
}

async fn per_call<F, Fut, T, E>(call: F) -> Result<PerCall, Failure>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Into<Failure>,
{
    call().await.map_err(Into::into)?;
    let region = Region::new(GLOBAL);
    for _ in 0..CALLS {
        call().await.map_err(Into::into)?;
    }
    let stats = region.change();
    let calls = CALLS as f64;
    Ok(PerCall {
        allocations: stats.allocations as f64 / calls,
        reallocations: stats.reallocations as f64 / calls,
        bytes: stats.bytes_allocated as f64 / calls,
    })
}

async fn run() -> Result<(), Failure> {
    let Sides {
        server: _server,
        raw,
        sdk,
        limited,
    } = sides().await?;
    println!(
        "## Heap allocations + reallocations per call (client and server together), {CALLS} sequential calls"
    );
    println!(
        "| call | raw | SDK `.send()` | SDK builder `.await`ed | SDK + limiter | raw bytes | SDK bytes |"
    );
    println!("|---|---|---|---|---|---|---|");
    let get = [
        per_call(|| raw.history()).await?,
        per_call(|| sdk_history(&sdk)).await?,
        per_call(|| sdk_history_awaited(&sdk)).await?,
        per_call(|| sdk_history(&limited)).await?,
    ];
    let post_awaited = per_call(|| async {
        sdk.append_message(CHAT_ID, Sender::User, CONTENT)
            .await
            .map(|m| m.id().len())
    })
    .await?;
    let post = [
        per_call(|| raw.append()).await?,
        per_call(|| sdk_append(&sdk)).await?,
        post_awaited,
        per_call(|| sdk_append(&limited)).await?,
    ];
    for (name, [r, s, a, l]) in [("GET history", get), ("POST new-message", post)] {
        println!(
            "| {name} | {r} | {s} | {a} | {l} | {:.0} | {:.0} |",
            r.bytes, s.bytes
        );
    }
    // What a task awaiting one call holds: raw reqwest boxes its own request state inside
    // `Pending`; the SDK's call holds the generated client's future inline.
    println!("\n## Future state held while a call is awaited (bytes)");
    println!("| call | raw | SDK `.send()` |");
    println!("|---|---|---|");
    println!(
        "| GET history | {} | {} |",
        std::mem::size_of_val(&raw.history()),
        std::mem::size_of_val(&sdk.history(CHAT_ID).send())
    );
    println!(
        "| POST new-message | {} | {} |",
        std::mem::size_of_val(&raw.append()),
        std::mem::size_of_val(&sdk.append_message(CHAT_ID, Sender::User, CONTENT).send())
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    optimly_bench::exit(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Failure::from)
            .and_then(|runtime| runtime.block_on(run())),
    )
}
