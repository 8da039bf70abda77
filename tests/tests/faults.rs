//! The fault suite: every fault a server or network can produce, against a GET
//! (`list_chat_messages`) and a POST (`new_message`), each with the typed error it must give,
//! the exact number of attempts, and the exact number of requests the server received. The
//! retry table (`optimly::retry`) says when a POST may be sent twice; the server's count proves
//! it never is otherwise. The suite runs under tokio's paused time, so retry waits take no
//! real time and the whole suite takes seconds.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use optimly::testing::RecordingClock;
use optimly::{Error, ErrorKind, OptimlyClient, RateLimits, Sender};
use workspace_tests::fault_server::{FaultServer, Reply};

const KEY: &str = "agt_CANARY00000000000000000000000000";
/// The size cap the suite's client is built with.
const CAP: u64 = 1024;
/// The per-attempt timeout of the suite's client.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(300);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Get,
    Post,
}

/// What a fault must give: the error's kind, attempts, and requests the server saw.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    outcome: String,
    attempts: u32,
    requests: usize,
}

fn client(base_url: &str, clock: &RecordingClock, http: Option<reqwest::Client>) -> OptimlyClient {
    let mut builder = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(base_url)
        .attempt_timeout(Some(ATTEMPT_TIMEOUT))
        .max_response_size(Some(CAP))
        .rate_limits(RateLimits::off())
        .clock(Arc::new(clock.clone()));
    if let Some(http) = http {
        builder = builder.http_client(http);
    }
    builder.build().expect("client builds")
}

/// The error's variant and the facts that matter about it, as one comparable string.
fn describe(result: Result<String, Error>) -> (String, u32) {
    match result {
        Ok(value) => (format!("ok {value}"), 1),
        Err(e) => {
            let attempts = e.attempts();
            let message = e.api_message().unwrap_or_default();
            let kind = match e.kind() {
                ErrorKind::RateLimitedByServer => format!(
                    "RateLimitedByServer {} {:?}",
                    e.status().unwrap_or_default(),
                    e.retry_after()
                ),
                ErrorKind::Server => format!("Server {}", e.status().unwrap_or_default()),
                ErrorKind::Unauthorized => format!("Unauthorized {message}"),
                ErrorKind::Forbidden => format!("Forbidden {message}"),
                ErrorKind::NotFound => format!("NotFound {message}"),
                ErrorKind::RefusedByServer { fields } => format!(
                    "Validation {message} {}",
                    fields
                        .iter()
                        .map(|f| f.field())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                ErrorKind::Decode => format!("Decode {}", e.status().unwrap_or_default()),
                ErrorKind::ResponseTooLarge { limit } => format!("ResponseTooLarge {limit}"),
                ErrorKind::Timeout { sent } => format!("Timeout sent={sent}"),
                ErrorKind::Connection { sent } => format!("Connection sent={sent}"),
                _ => format!("other {e}"),
            };
            (kind, attempts)
        }
    }
}

async fn run(op: Op, client: &OptimlyClient) -> Result<String, Error> {
    match op {
        Op::Get => client
            .history("chat_1")
            .await
            .map(|m| format!("{} messages", m.len())),
        Op::Post => client
            .append_message("chat_1", Sender::User, "Hello")
            .await
            .map(|m| m.id().to_owned()),
    }
}

async fn against(reply: Reply, op: Op) -> Seen {
    let server = FaultServer::start(reply).await.expect("server starts");
    let clock = RecordingClock::at(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let (outcome, attempts) = describe(run(op, &client(&server.base_url, &clock, None)).await);
    Seen {
        outcome,
        attempts,
        requests: server.requests(),
    }
}

/// Run each fault against GET then POST; report every mismatch at once.
async fn check(cases: Vec<(&str, Reply, [Seen; 2])>) {
    let mut failures = Vec::new();
    for (name, reply, expected) in cases {
        for (op, want) in [Op::Get, Op::Post].into_iter().zip(expected) {
            let got = against(reply.clone(), op).await;
            if got != want {
                failures.push(format!("{name} / {op:?}: got {got:?}, want {want:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn seen(outcome: &str, attempts: u32, requests: usize) -> Seen {
    Seen {
        outcome: outcome.to_owned(),
        attempts,
        requests,
    }
}

/// The three documented error shapes.
const SHAPES: [(&str, &str); 3] = [
    (
        "tools page",
        r#"{"error": "Chat not found", "detail": "No chat chat_1", "status_code": 404}"#,
    ),
    (
        "external overview",
        r#"{"success": false, "error": "Chat not found", "detail": "No chat chat_1"}"#,
    ),
    (
        "FastAPI",
        r#"{"detail": [{"loc": ["body", "chat_id"], "msg": "field required", "type": "value_error.missing"}]}"#,
    ),
];

/// A documented `Message`, long enough to be cut in half.
const MESSAGE: &str =
    r#"{"message_id": "msg_1", "chat_id": "chat_1", "sender": "user", "content": "Hello"}"#;

#[tokio::test(start_paused = true)]
async fn rate_limits_and_server_errors_are_retried_only_where_the_table_allows() {
    let date = httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_002));
    let too_many = r#"{"error": "Too Many Requests"}"#;
    let cases: Vec<(&str, Reply, [Seen; 2])> = vec![
        (
            "429, Retry-After in seconds",
            Reply::json(429, too_many).with_header("retry-after", "1"),
            [
                seen("RateLimitedByServer 429 Some(1s)", 3, 3),
                seen("RateLimitedByServer 429 Some(1s)", 3, 3),
            ],
        ),
        (
            // The clock reached the date after the first wait, so the last answer's date
            // means "now" (the waits themselves are pinned below).
            "429, Retry-After as an HTTP date",
            Reply::json(429, too_many).with_header("retry-after", &date),
            [
                seen("RateLimitedByServer 429 Some(0ns)", 3, 3),
                seen("RateLimitedByServer 429 Some(0ns)", 3, 3),
            ],
        ),
        (
            "429, no Retry-After",
            Reply::json(429, too_many),
            [
                seen("RateLimitedByServer 429 None", 3, 3),
                seen("RateLimitedByServer 429 None", 3, 3),
            ],
        ),
        (
            "429, garbage Retry-After",
            Reply::json(429, too_many).with_header("retry-after", "soon-ish"),
            [
                seen("RateLimitedByServer 429 None", 3, 3),
                seen("RateLimitedByServer 429 None", 3, 3),
            ],
        ),
        (
            "500",
            Reply::json(500, r#"{"error": "Internal Server Error"}"#),
            [seen("Server 500", 3, 3), seen("Server 500", 1, 1)],
        ),
        (
            "502 with an HTML page from a proxy",
            Reply::typed(502, "text/html", "<html><body>Bad Gateway</body></html>"),
            [seen("Server 502", 3, 3), seen("Server 502", 1, 1)],
        ),
        (
            "503 without Retry-After",
            Reply::json(503, r#"{"error": "Service Unavailable"}"#),
            [seen("Server 503", 3, 3), seen("Server 503", 1, 1)],
        ),
        (
            "503 with Retry-After",
            Reply::json(503, r#"{"error": "Service Unavailable"}"#).with_header("retry-after", "1"),
            [seen("Server 503", 3, 3), seen("Server 503", 3, 3)],
        ),
        (
            "504 with an empty body",
            Reply::typed(504, "text/plain", ""),
            [seen("Server 504", 3, 3), seen("Server 504", 1, 1)],
        ),
    ];
    check(cases).await;
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_date_is_waited_until_that_moment() {
    let date = httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_002));
    let server = FaultServer::start(
        Reply::json(429, r#"{"error": "Too Many Requests"}"#).with_header("retry-after", &date),
    )
    .await
    .expect("server starts");
    let clock = RecordingClock::at(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let result = run(Op::Post, &client(&server.base_url, &clock, None)).await;
    assert_eq!(describe(result).1, 3);
    assert_eq!(clock.sleeps(), [Duration::from_secs(2), Duration::ZERO]);
}

#[tokio::test(start_paused = true)]
async fn client_errors_in_all_three_shapes_are_typed_and_never_retried() {
    let expected: BTreeMap<(u16, &str), &str> = [
        (
            (401, "tools page"),
            "Unauthorized Chat not found: No chat chat_1",
        ),
        (
            (401, "external overview"),
            "Unauthorized Chat not found: No chat chat_1",
        ),
        ((401, "FastAPI"), "Unauthorized chat_id: field required"),
        (
            (403, "tools page"),
            "Forbidden Chat not found: No chat chat_1",
        ),
        (
            (403, "external overview"),
            "Forbidden Chat not found: No chat chat_1",
        ),
        ((403, "FastAPI"), "Forbidden chat_id: field required"),
        (
            (404, "tools page"),
            "NotFound Chat not found: No chat chat_1",
        ),
        (
            (404, "external overview"),
            "NotFound Chat not found: No chat chat_1",
        ),
        ((404, "FastAPI"), "NotFound chat_id: field required"),
        (
            (422, "tools page"),
            "Validation Chat not found: No chat chat_1 ",
        ),
        (
            (422, "external overview"),
            "Validation Chat not found: No chat chat_1 ",
        ),
        (
            (422, "FastAPI"),
            "Validation chat_id: field required chat_id",
        ),
    ]
    .into_iter()
    .collect();
    let mut failures = Vec::new();
    for ((status, shape), outcome) in expected {
        let body = SHAPES
            .iter()
            .find(|(name, _)| *name == shape)
            .map(|(_, body)| *body)
            .unwrap_or_default();
        for op in [Op::Get, Op::Post] {
            let got = against(Reply::json(status, body), op).await;
            let want = seen(outcome, 1, 1);
            if got != want {
                failures.push(format!(
                    "{status} {shape} / {op:?}: got {got:?}, want {want:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(start_paused = true)]
async fn malformed_success_bodies_are_decode_errors_sent_once() {
    let big_message = format!(
        r#"{{"message_id": "msg_1", "content": "{}"}}"#,
        "x".repeat(4 * CAP as usize)
    );
    let big_history = format!("[{}]", vec![MESSAGE; 64].join(","));
    let cases: Vec<(&str, Reply, [Seen; 2])> = vec![
        (
            "an HTML body",
            Reply::typed(
                200,
                "text/html",
                "<!doctype html><title>Maintenance</title>",
            ),
            [seen("Decode 200", 1, 1), seen("Decode 200", 1, 1)],
        ),
        (
            "an empty body",
            Reply::json(200, ""),
            [seen("Decode 200", 1, 1), seen("Decode 200", 1, 1)],
        ),
        (
            "truncated JSON",
            Reply::json(200, &MESSAGE[..MESSAGE.len() / 2]),
            [seen("Decode 200", 1, 1), seen("Decode 200", 1, 1)],
        ),
        (
            "a wrong content type on valid JSON (parsed: the body is what counts)",
            Reply::typed(200, "text/plain", &format!("[{MESSAGE}]")),
            [seen("ok 1 messages", 1, 1), seen("Decode 200", 1, 1)],
        ),
        (
            "a wrong content type on a non-JSON body",
            Reply::typed(200, "text/plain", "OK"),
            [seen("Decode 200", 1, 1), seen("Decode 200", 1, 1)],
        ),
        (
            "a body over the size cap, with Content-Length",
            Reply::json(200, &big_message),
            [
                seen(&format!("ResponseTooLarge {CAP}"), 1, 1),
                seen(&format!("ResponseTooLarge {CAP}"), 1, 1),
            ],
        ),
        (
            "a body over the size cap, chunked",
            Reply::Chunked {
                status: 200,
                body: big_history.into_bytes(),
            },
            [
                seen(&format!("ResponseTooLarge {CAP}"), 1, 1),
                seen(&format!("ResponseTooLarge {CAP}"), 1, 1),
            ],
        ),
        (
            "an error body over the size cap",
            Reply::json(500, &big_message),
            [
                seen(&format!("ResponseTooLarge {CAP}"), 1, 1),
                seen(&format!("ResponseTooLarge {CAP}"), 1, 1),
            ],
        ),
    ];
    check(cases).await;
}

#[tokio::test(start_paused = true)]
async fn a_body_slower_than_the_attempt_timeout_times_out_and_a_post_is_not_resent() {
    let slow = Reply::SlowBody {
        body: format!("[{MESSAGE}]").into_bytes(),
        delay: ATTEMPT_TIMEOUT * 10,
    };
    assert_eq!(
        against(slow.clone(), Op::Get).await,
        seen("Timeout sent=true", 3, 3)
    );
    assert_eq!(
        against(slow, Op::Post).await,
        seen("Timeout sent=true", 1, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn a_connection_reset_mid_response_is_retried_for_get_only() {
    assert_eq!(
        against(Reply::ResetMidBody, Op::Get).await,
        seen("Connection sent=true", 3, 3)
    );
    assert_eq!(
        against(Reply::ResetMidBody, Op::Post).await,
        seen("Connection sent=true", 1, 1)
    );
}

/// A request that never left is safe to send again, GET or POST: three attempts each.
async fn never_sent_so_retried(client: &OptimlyClient) {
    for op in [Op::Get, Op::Post] {
        let (outcome, attempts) = describe(run(op, client).await);
        assert_eq!(
            (outcome.as_str(), attempts),
            ("Connection sent=false", 3),
            "{op:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_was_never_sent_so_both_are_retried() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let clock = RecordingClock::at(SystemTime::now());
    let client = client(&format!("http://127.0.0.1:{closed}"), &clock, None);
    never_sent_so_retried(&client).await;
}

/// A resolver that knows no host, and counts the lookups: the network is never asked.
#[derive(Clone, Default)]
struct NoSuchHost(Arc<Mutex<Vec<String>>>);

impl reqwest::dns::Resolve for NoSuchHost {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        if let Ok(mut names) = self.0.lock() {
            names.push(name.as_str().to_owned());
        }
        let failed: Pin<Box<dyn Future<Output = _> + Send>> = Box::pin(async {
            Err::<Box<dyn Iterator<Item = SocketAddr> + Send>, _>("no such host".into())
        });
        failed
    }
}

#[tokio::test(start_paused = true)]
async fn an_unresolvable_host_was_never_sent_so_both_are_retried() {
    let resolver = NoSuchHost::default();
    let http = optimly_api::tls::client_builder()
        .expect("TLS setup")
        .dns_resolver(Arc::new(resolver.clone()))
        .build()
        .expect("http client");
    let clock = RecordingClock::at(SystemTime::now());
    let client = client("https://api.optimly.invalid", &clock, Some(http));
    never_sent_so_retried(&client).await;
    let looked_up = resolver.0.lock().map(|n| n.clone()).unwrap_or_default();
    assert_eq!(looked_up, vec!["api.optimly.invalid".to_owned(); 6]);
}

#[tokio::test(start_paused = true)]
async fn a_retried_call_that_ends_undecodable_reports_both_attempts() {
    let server = FaultServer::start(Reply::json(503, r#"{"error": "Service Unavailable"}"#))
        .await
        .expect("server starts");
    let clock = RecordingClock::at(SystemTime::now());
    let client = client(&server.base_url, &clock, None);
    let call = tokio::spawn(async move { run(Op::Get, &client).await });
    // Busy-yielding keeps the paused clock still: the retry's wait cannot end before the
    // second answer is in place.
    while server.requests() == 0 {
        tokio::task::yield_now().await;
    }
    server.set_reply(Reply::json(200, r#"{"not": "a list"}"#));
    let err = call.await.expect("joined").expect_err("undecodable");
    assert_eq!(err.kind(), &ErrorKind::Decode, "{err:?}");
    assert_eq!((err.attempts(), err.status()), (2, Some(200)));
    assert_eq!(server.requests(), 2);
}
