//! The SDK's own HTTP client goes through the proxy the environment names (`HTTP_PROXY` here,
//! for an `http://` base URL; `HTTPS_PROXY` for `https://`), as the crate's README says.
//!
//! The test runs this binary again with the variable set (a process's environment is its
//! own), while it plays the proxy and records what it is sent.

mod common;

use std::io::{Read, Write};
use std::process::Command;

use common::KEY;
use optimly::{AuthMethod, OptimlyClient};

const CHILD: &str = "OPTIMLY_PROXY_TEST_CHILD";

#[test]
fn the_environments_proxy_carries_the_calls() {
    if std::env::var_os(CHILD).is_some() {
        return call_through_the_proxy();
    }
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = proxy.local_addr().expect("address");
    let recorder = std::thread::spawn(move || {
        let (mut stream, _) = proxy.accept().expect("a connection");
        let mut bytes = Vec::new();
        let mut buf = [0u8; 1024];
        while !bytes.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]";
        stream.write_all(answer.as_bytes()).expect("write");
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let child = Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "the_environments_proxy_carries_the_calls",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("HTTP_PROXY", format!("http://{address}"))
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .expect("the test binary runs");
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stdout)
    );
    let head = recorder.join().expect("the proxy");
    let mut lines = head.lines();
    assert_eq!(
        lines.next(),
        Some("GET http://optimly.example/external/chat/chat_1/messages HTTP/1.1")
    );
    assert!(
        lines.any(|l| l.eq_ignore_ascii_case(&format!("x-api-key: {KEY}"))),
        "{head}"
    );
}

/// In the child: one call to a host only the proxy can reach.
#[tokio::main(flavor = "current_thread")]
async fn call_through_the_proxy() {
    let client = OptimlyClient::builder()
        .api_key(KEY)
        .auth_method(AuthMethod::ApiKeyHeader)
        .base_url("http://optimly.example")
        .allow_insecure_http(true)
        .build()
        .expect("client");
    let messages = client
        .history("chat_1")
        .await
        .expect("answered through the proxy");
    assert!(messages.is_empty());
}
