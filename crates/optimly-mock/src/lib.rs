//! An offline, stateful, spec-faithful mock of Optimly's v3 External API.
//!
//! Every operation of `openapi/v3.yaml` with its documented semantics, in memory: chats,
//! messages, and the leads, appointment requests and handoffs captured along the way.
//! Requests are checked against the spec (422 with a FastAPI-style `detail` list), the key
//! against the three documented auth ways (401), the spec's `x-rate-limits` are enforced (429,
//! with no `Retry-After` unless [`MockConfig::retry_after`] asks for one, since no page
//! promises the header), a rule-based agent runs the documented automatic tool detection
//! ([`agent`]), and faults can be injected for retry tests ([`Faults`]).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let mock = optimly_mock::start(optimly_mock::MockConfig::default()).await?;
//! println!("{} with key {}", mock.base_url(), mock.key());
//! // ... point a client at it ...
//! mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! It answers the way a FastAPI server does wherever the docs are silent, since that is what
//! Optimly runs: every optional response field it leaves unset is `null`; the errors it
//! raises itself are `{"detail": "..."}` (a missing key `403 {"detail":"Not authenticated"}`,
//! a wrong one 401, an unknown chat 404); an unknown route is `404 {"detail":"Not Found"}`, a
//! wrong method `405 {"detail":"Method Not Allowed"}` with `Allow`; a validation failure is a
//! 422 whose items carry `type`, `loc`, `msg` and `input`; a path with a trailing slash is a
//! `307` to the canonical path; an injected 500 is Starlette's plain-text
//! `Internal Server Error`. The tools page's `{"error", "detail", "status_code"}` stays where
//! the rulings put it: a tool that fails (422) and a rate limit (429).
//!
//! Inspection endpoints live under the reserved prefix `/_mock`: `GET /_mock/leads`,
//! `/_mock/appointments`, `/_mock/handoffs` and `/_mock/requests` (the request log; it never
//! holds the key).

pub mod agent;
pub mod limits;
mod server;
pub mod spec;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub use server::{REQUEST_LOG_CAPACITY, RequestRecord};

/// The spec the mock follows, embedded at build time.
pub const SPEC: &str = include_str!("../spec/v3.yaml");

/// The key the mock accepts unless told otherwise (it has the documented shape). It is not a
/// secret: the mock's binary prints it, and `optimly::testing` clients use it.
pub const DEFAULT_KEY: &str = "agt_mock0000000000000000000000000000";

/// How the mock behaves.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// The API key it accepts (any of the three auth ways).
    pub key: String,
    /// The address to listen on. Default `127.0.0.1`; another address (`0.0.0.0` for a mock
    /// that other containers reach) serves plain http beyond this machine.
    pub host: std::net::IpAddr,
    /// The port; 0 lets the OS choose.
    pub port: u16,
    /// Enforce the spec's `x-rate-limits`.
    pub rate_limits: bool,
    /// Multiply every limit by this (at least 1 request per window), to reach them in tests.
    pub rate_limit_scale: f64,
    /// Multiply every rate-limit window by this (`1.0 / 60.0` turns a minute into a second),
    /// to reach the limits' refills in tests.
    pub rate_limit_window_scale: f64,
    /// Send `Retry-After` (the wait until the full window has room) with a rate-limit 429.
    /// Default `false`: no Optimly page promises the header.
    pub retry_after: bool,
    /// How long a request body may take to arrive before the mock answers 408.
    pub body_timeout: Duration,
    /// Accept any chat id: an agent call, a message, a handoff or a history for a chat the
    /// mock does not know creates it, as the blogs' fire-and-forget calls assume. Default
    /// `false`: an unknown chat is a 404, the stricter reading of the docs (ruling C22).
    pub ad_hoc_chats: bool,
    /// Faults to inject.
    pub faults: Faults,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            key: DEFAULT_KEY.to_owned(),
            host: std::net::Ipv4Addr::LOCALHOST.into(),
            port: 0,
            rate_limits: true,
            rate_limit_scale: 1.0,
            rate_limit_window_scale: 1.0,
            retry_after: false,
            body_timeout: Duration::from_secs(10),
            ad_hoc_chats: false,
            faults: Faults::default(),
        }
    }
}

/// Faults for testing clients. Requests to `/external/*` are numbered from 1.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// The share of requests (0.0 to 1.0) answered with a 500, chosen by a seeded generator.
    pub error_rate: f64,
    /// The seed of that generator.
    pub seed: u64,
    /// Answer request N with this status (a 429 or 503 carries `Retry-After: 1`).
    pub status_on: BTreeMap<u64, u16>,
    /// Cut the connection of request N after the headers and part of the body.
    pub drop_on: Option<u64>,
}

/// A running mock. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningMock {
    addr: SocketAddr,
    key: String,
    shared: Arc<server::Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningMock {
    /// `http://<host>:<port>`; `http://127.0.0.1:<port>` when it listens on every address.
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key it accepts.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The configuration it runs with (its limits, faults and key).
    pub fn config(&self) -> &MockConfig {
        self.shared.config()
    }

    /// Leads captured so far (by automations and by the agent).
    pub fn leads(&self) -> Vec<Value> {
        self.shared.captured().leads
    }

    /// Appointment requests captured so far.
    pub fn appointments(&self) -> Vec<Value> {
        self.shared.captured().appointments
    }

    /// Handoffs queued so far.
    pub fn handoffs(&self) -> Vec<Value> {
        self.shared.captured().handoffs
    }

    /// The requests to `/external/*` so far, the last [`REQUEST_LOG_CAPACITY`] of them.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.requests()
    }

    /// How many messages a chat holds, if it exists.
    pub fn message_count(&self, chat_id: &str) -> Option<usize> {
        self.shared.message_count(chat_id)
    }

    /// Stop serving and wait until the server has stopped.
    pub async fn shutdown(mut self) {
        self.stop_now();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Ctrl-C, listened for from the moment this returns: a Ctrl-C that comes after it (say, right
/// after the caller printed where it listens) ends the returned future instead of the process.
/// The returned future fails when the handler cannot be installed.
pub async fn ctrl_c() -> impl std::future::Future<Output = std::io::Result<()>> {
    let mut signal = Box::pin(tokio::signal::ctrl_c());
    // The handler is installed when the future is first polled.
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(signal.as_mut().poll(cx))).await;
    async move {
        match first {
            std::task::Poll::Ready(result) => result,
            std::task::Poll::Pending => signal.await,
        }
    }
}

/// Start a mock on `<config.host>:<config.port>`. Needs a tokio runtime.
pub async fn start(config: MockConfig) -> std::io::Result<RunningMock> {
    let listener = tokio::net::TcpListener::bind((config.host, config.port)).await?;
    let addr = listener.local_addr()?;
    let key = config.key.clone();
    let shared = Arc::new(server::Shared::new(config).map_err(std::io::Error::other)?);
    let app = server::router(Arc::clone(&shared)).map_err(std::io::Error::other)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("mock server stopped: {e}");
        }
    });
    Ok(RunningMock {
        addr,
        key,
        shared,
        stop: Some(stop),
        task: Some(task),
    })
}
