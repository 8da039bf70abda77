//! The drift snapshots: Optimly's documentation (`openapi/docs/`) checked against the spec
//! (`openapi/v3.yaml`) and against the client generated from it, as plain-text reports that
//! `tests/drift.rs` pins with insta.
//!
//! [`fault_server`] scripts the wire-level faults the fault suite (`tests/faults.rs`) needs.
//!
//! Every report is a pure function of its inputs, so the mutation tests can feed it a changed
//! spec or an extra example and read the rows that change.

pub mod browser;
pub mod docs;
pub mod fastapi;
pub mod fault_server;
pub mod redis_cluster;
pub mod reports;
pub mod rust_surface;
pub mod types;
pub mod widget;

/// The spec side, shared with the mock: operations and schemas as JSON Schema.
pub use optimly_mock::spec;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// Fill the mock's global window with `count` requests from another client on its key, one
/// with no limits of its own (as another process would), and check that the next is a 429.
pub async fn fill_window(mock: &optimly_mock::RunningMock, count: usize) {
    let other = unlimited_client(mock);
    for _ in 0..count {
        other.list_chats("user_1").await.expect("fits the window");
    }
    let next = other.list_chats("user_1").await;
    assert_eq!(
        next.map_err(|e| e.kind().clone()).err(),
        Some(optimly::ErrorKind::RateLimitedByServer),
        "the window is full"
    );
}

/// A client of the mock that holds itself to no limits.
pub fn unlimited_client(mock: &optimly_mock::RunningMock) -> optimly::OptimlyClient {
    optimly::OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .rate_limits(optimly::RateLimits::off())
        .build()
        .expect("client")
}
