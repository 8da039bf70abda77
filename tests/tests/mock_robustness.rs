//! The mock under hostile clients, spoken to in raw bytes: malformed and mutated JSON,
//! oversized and stalled bodies, bodies cut short, garbage instead of HTTP, unknown paths and
//! methods. Each gets a proper status in the documented error shape, and the mock keeps
//! answering afterwards: no panic, no hang.

use std::time::Duration;

use optimly::testing::MockConfig;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BODY_TIMEOUT: Duration = Duration::from_millis(300);
/// Cases of mutated request bodies; docs/reliability.md's table reports this number.
const BODY_CASES: u32 = 256;

async fn mock() -> optimly::testing::RunningMock {
    optimly_mock::start(MockConfig {
        rate_limits: false,
        body_timeout: BODY_TIMEOUT,
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

fn addr(mock: &optimly::testing::RunningMock) -> String {
    mock.base_url().trim_start_matches("http://").to_owned()
}

/// Send raw bytes (optionally stalling before `tail`); return the status line's code and the
/// body, or `None` when the server closed without answering.
async fn raw(addr: &str, head: &[u8], tail: Option<(&[u8], Duration)>) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(head).await.ok()?;
    if let Some((tail, stall)) = tail {
        tokio::time::sleep(stall).await;
        let _ = stream.write_all(tail).await;
    }
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the mock hung");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

fn post(path: &str, key: &str, body: &[u8], declared: usize) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {key}\r\n\
         content-type: application/json\r\ncontent-length: {declared}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// The body's documented error shape: an `error` title, or FastAPI's `detail`.
fn error_shaped(body: &str) -> bool {
    serde_json::from_str::<Value>(body)
        .is_ok_and(|v| v.get("error").is_some_and(Value::is_string) || v.get("detail").is_some())
}

async fn still_answers(addr: &str) {
    let request = b"GET /external/chat/user_456/chats HTTP/1.1\r\nhost: localhost\r\n\
                    authorization: Bearer agt_mock0000000000000000000000000000\r\nconnection: close\r\n\r\n";
    let answer = raw(addr, request, None).await;
    assert!(
        answer
            .as_ref()
            .is_some_and(|(s, b)| *s == 200 && serde_json::from_str::<Vec<Value>>(b).is_ok()),
        "{answer:?}"
    );
}

#[tokio::test]
async fn malformed_oversized_stalled_and_cut_bodies_get_proper_errors() {
    let mock = mock().await;
    let addr = addr(&mock);
    let key = mock.key().to_owned();
    let path = "/external/message/new-message";

    let malformed = raw(&addr, &post(path, &key, b"{\"chat_id\": ", 12), None).await;
    assert!(
        malformed
            .as_ref()
            .is_some_and(|(s, b)| *s == 422 && error_shaped(b)),
        "{malformed:?}"
    );

    let huge = vec![b' '; 300 * 1024];
    let oversized = raw(&addr, &post(path, &key, &huge, huge.len()), None).await;
    assert!(
        oversized
            .as_ref()
            .is_some_and(|(s, b)| *s == 413 && error_shaped(b)),
        "{oversized:?}"
    );

    let stalled = raw(
        &addr,
        &post(path, &key, b"{\"chat_id\"", 40),
        Some((b": \"c\"}", BODY_TIMEOUT * 3)),
    )
    .await;
    assert!(
        stalled
            .as_ref()
            .is_some_and(|(s, b)| *s == 408 && error_shaped(b)),
        "{stalled:?}"
    );

    // Declared 100 bytes, sent 10, then hung up: nothing to answer, nothing broken.
    let mut cut = TcpStream::connect(&addr).await.expect("connect");
    cut.write_all(&post(path, &key, b"{\"chat_id\"", 100))
        .await
        .expect("write");
    drop(cut);

    let garbage = raw(&addr, b"\x16\x03\x01\x00\xa5 NOT HTTP\r\n\r\n", None).await;
    assert!(
        garbage.as_ref().is_none_or(|(s, _)| *s == 400),
        "{garbage:?}"
    );

    still_answers(&addr).await;
    mock.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_and_methods_get_a_404_or_405_in_the_error_shape() {
    let mock = mock().await;
    let addr = addr(&mock);
    let key = mock.key().to_owned();
    for (request, want) in [
        (post("/external/tools/lead-form", &key, b"{}", 2), 404),
        (post("/external/../../etc/passwd", &key, b"{}", 2), 404),
        (post("/%ff%fe", &key, b"{}", 2), 404),
        (
            format!(
                "DELETE /external/message/new-message HTTP/1.1\r\nhost: x\r\n\
                 authorization: Bearer {key}\r\nconnection: close\r\n\r\n"
            )
            .into_bytes(),
            405,
        ),
    ] {
        let answer = raw(&addr, &request, None).await;
        assert!(
            answer.as_ref().is_some_and(|(s, _)| *s == want),
            "{}: {answer:?}",
            String::from_utf8_lossy(&request[..40])
        );
    }
    still_answers(&addr).await;
    mock.shutdown().await;
}

#[test]
fn mutated_request_bodies_never_get_a_5xx() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mock = rt.block_on(mock());
    let addr = addr(&mock);
    let key = mock.key().to_owned();
    let paths = [
        "/external/message/new-message",
        "/external/message/new-chat",
        "/external/chat",
        "/external/agent/v2",
        "/external/message/email-handoff",
    ];
    let seed = br#"{"chat_id": "chat_1", "client_id": "user_456", "content": "Hello", "sender": "user", "metadata": {"source": "website"}}"#;
    let mut runner = TestRunner::new(Config {
        cases: BODY_CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        0..paths.len(),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        0..=seed.len(),
    );
    let outcome = runner.run(&strategy, |(p, flips, cut)| {
        let mut body = seed.to_vec();
        for (at, byte) in flips {
            let i = at.index(body.len());
            body[i] = byte;
        }
        body.truncate(cut.max(1));
        let answer = rt.block_on(raw(&addr, &post(paths[p], &key, &body, body.len()), None));
        prop_assert!(
            answer.as_ref().is_some_and(|(s, _)| *s < 500),
            "{}: {:?}",
            String::from_utf8_lossy(&body),
            answer
        );
        Ok(())
    });
    rt.block_on(still_answers(&addr));
    rt.block_on(mock.shutdown());
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
