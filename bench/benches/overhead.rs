//! Criterion: one call through the SDK beside the same call with raw `reqwest` +
//! `serde_json` (same server, same payload, same connection reuse), and the parse and
//! serialise cost of every documented payload. `cargo bench -p optimly-bench`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use optimly::RateLimits;
use optimly_bench::{
    Raw, canned_server, payloads, round_trip, sdk_append, sdk_client, sdk_history,
};

fn calls(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        return;
    };
    let Ok(server) = rt.block_on(canned_server()) else {
        return;
    };
    let (Ok(raw), Ok(sdk)) = (
        Raw::new(&server.base_url),
        sdk_client(&server.base_url, RateLimits::off()),
    ) else {
        return;
    };
    let mut group = c.benchmark_group("call");
    group.bench_function("GET history/raw", |b| {
        b.iter(|| rt.block_on(raw.history()).map(|m| m.len()))
    });
    group.bench_function("GET history/sdk", |b| {
        b.iter(|| rt.block_on(sdk_history(&sdk)))
    });
    group.bench_function("POST new-message/raw", |b| {
        b.iter(|| rt.block_on(raw.append()).map(|m| m.message_id))
    });
    group.bench_function("POST new-message/sdk", |b| {
        b.iter(|| rt.block_on(sdk_append(&sdk)))
    });
    group.finish();
}

fn documented_payloads(c: &mut Criterion) {
    let mut group = c.benchmark_group("payload round trip");
    for payload in payloads().unwrap_or_default() {
        group.bench_with_input(
            BenchmarkId::new(payload.schema, &payload.id),
            &payload,
            |b, p| b.iter(|| round_trip(std::hint::black_box(p))),
        );
    }
    group.finish();
}

criterion_group!(benches, calls, documented_payloads);
criterion_main!(benches);
