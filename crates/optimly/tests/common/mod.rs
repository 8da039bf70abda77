//! Shared set-up for the integration tests: a client pointed at an httpmock server, with a
//! recording clock, so the tests (run under tokio's paused time) can pin every retry wait.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use httpmock::MockServer;
use optimly::testing::RecordingClock;
use optimly::{AuthMethod, OptimlyClient, RetryPolicy};

/// A key of the documented shape whose every appearance in output is a leak.
pub const KEY: &str = "agt_CANARY00000000000000000000000000";

pub struct Harness {
    pub client: OptimlyClient,
    pub clock: RecordingClock,
}

pub fn harness(server: &MockServer) -> Harness {
    harness_with(server, AuthMethod::Bearer, RetryPolicy::default())
}

pub fn harness_with(server: &MockServer, auth: AuthMethod, retry: RetryPolicy) -> Harness {
    let clock = RecordingClock::at(std::time::SystemTime::now());
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .auth_method(auth)
        .base_url(server.base_url())
        .retry_policy(retry)
        .attempt_timeout(Some(Duration::from_secs(5)))
        .clock(Arc::new(clock.clone()))
        .build()
        .expect("client builds");
    Harness { client, clock }
}

pub fn bearer() -> String {
    format!("Bearer {KEY}")
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
