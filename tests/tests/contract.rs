//! Contract tests between the SDK, the mock and the spec: the SDK's whole flow against the
//! mock; every documented request example accepted by the mock; every response the mock
//! sends valid against the spec's schema for its status.

use optimly::testing::{self, MockConfig};
use optimly::{AppointmentRequest, EmailHandoff, Lead, ToolName, Urgency};
use serde_json::{Value, json};
use workspace_tests::{docs, root, spec::Spec, spec::violations};

fn spec() -> Spec {
    Spec::from_yaml(optimly_mock::SPEC).expect("spec")
}

#[tokio::test]
async fn the_sdk_flow_against_the_mock() {
    let (client, mock) = testing::start_mock().await.expect("mock");
    let conversation = client.start_conversation("user_456").await.expect("chat");
    let reply = conversation
        .ask("What does the Pro plan cost? jane@company.com")
        .await
        .expect("reply");
    assert!(reply.executed(&ToolName::LeadCapture));
    assert_eq!(
        reply.text(),
        "Thanks! I've noted jane@company.com so our team can send you the details."
    );
    conversation
        .capture_lead(&Lead {
            full_name: Some("Jane Smith".into()),
            ..Lead::new("jane@company.com")
        })
        .await
        .expect("lead");
    let appointment =
        AppointmentRequest::new("Jane Smith", "jane@company.com", "2030-12-02", "14:00");
    let message = conversation
        .request_appointment(&appointment)
        .await
        .expect("appointment");
    assert_eq!(message.processed(), Some(true));
    let handoff = conversation
        .hand_off(&EmailHandoff {
            reason: Some("Pricing approval".into()),
            urgency: Some(Urgency::High),
            ..EmailHandoff::default()
        })
        .await
        .expect("handoff");
    assert_eq!(handoff.status(), Some(&optimly::HandoffStatus::Queued));
    let history = conversation.history().await.expect("history");
    let senders: Vec<String> = history.iter().map(|m| m.sender().to_string()).collect();
    assert_eq!(
        senders,
        ["user", "assistant", "assistant", "user", "assistant"]
    );
    assert!(
        history.iter().all(|m| m.time() != optimly::NO_TIME),
        "every message has a time"
    );
    let chats = client.list_chats("user_456").await.expect("chats");
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].message_count(), Some(5));
    assert_eq!(
        (
            mock.leads().len(),
            mock.appointments().len(),
            mock.handoffs().len()
        ),
        (2, 1, 1)
    );
    let handoffs = mock.handoffs();
    assert_eq!(handoffs[0]["metadata"], json!({"priority": "high"}));
    let err = client.history("chat_nope").await.expect_err("unknown chat");
    assert_eq!(err.kind(), &optimly::ErrorKind::NotFound, "{err:?}");
}

/// A mock that does not enforce rate limits, for tests that send many requests.
async fn unlimited_mock() -> optimly_mock::RunningMock {
    let config = MockConfig {
        rate_limits: false,
        ..MockConfig::default()
    };
    testing::start_mock_with(config).await.expect("mock").1
}

#[tokio::test]
async fn every_documented_request_example_is_accepted_by_the_mock() {
    let mock = unlimited_mock().await;
    let http = optimly_api::tls::client_builder()
        .expect("TLS setup")
        .build()
        .expect("http client");
    let chat: Value = http
        .post(format!("{}/external/message/new-chat", mock.base_url()))
        .bearer_auth(mock.key())
        .json(&json!({"client_id": "contract"}))
        .send()
        .await
        .expect("chat")
        .json()
        .await
        .expect("json");
    let spec = spec();
    let mut checked = Vec::new();
    for example in docs::examples(&root().join("openapi/docs/examples")).expect("examples") {
        let (Some(method), Some(path)) = (&example.method, &example.path) else {
            continue;
        };
        if example.direction != docs::Direction::Request || spec.operation(method, path).is_none() {
            continue;
        }
        let mut body = example.body.clone();
        if body.get("chat_id").is_some() {
            body["chat_id"] = chat["chat_id"].clone();
        }
        let response = http
            .post(format!("{}{path}", mock.base_url()))
            .bearer_auth(mock.key())
            .json(&body)
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(status, 200, "{} was refused: {text}", example.id);
        checked.push(example.id);
    }
    assert_eq!(checked.len(), 7, "{checked:?}");
}

/// Send `(method, path, body)` and check the answer against the spec's schema for its status.
async fn answered_per_spec(
    http: &reqwest::Client,
    base: &str,
    key: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{base}{path}");
    let mut request = if method == "GET" {
        http.get(&url)
    } else {
        http.post(&url)
    };
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let value: Value = response.json().await.expect("every mock response is JSON");
    let spec = spec();
    let op = spec.route(method, path).expect("a spec operation");
    let schema = op
        .response_schema(&spec, status)
        .unwrap_or_else(|| panic!("{} does not declare {status}", op.id));
    let problems = violations(&spec.json_schema(schema, true), &value).expect("schema");
    assert!(
        problems.is_empty(),
        "{method} {path} -> {status} breaks the spec: {problems:#?}\n{value:#}"
    );
    (status, value)
}

#[tokio::test]
async fn every_response_of_the_mock_matches_the_spec() {
    let mock = unlimited_mock().await;
    let http = optimly_api::tls::client_builder()
        .expect("TLS setup")
        .build()
        .expect("http client");
    let (base, key) = (mock.base_url(), Some(mock.key()));
    let mut statuses = Vec::new();
    let (s, chat) = answered_per_spec(
        &http,
        &base,
        key,
        "POST",
        "/external/message/new-chat",
        Some(json!({"client_id": "u", "lead_collected": true, "metadata": {"source": "x"}})),
    )
    .await;
    statuses.push(s);
    let id = chat["chat_id"].as_str().expect("id").to_owned();
    for (method, path, body) in [
        (
            "POST",
            "/external/chat".to_owned(),
            Some(json!({"client_id": "u"})),
        ),
        (
            "POST",
            "/external/agent/v2".to_owned(),
            Some(
                json!({"chat_id": id, "content": "pricing on 2026-12-01 at 10:00, I need a human"}),
            ),
        ),
        (
            "POST",
            "/external/agent".to_owned(),
            Some(json!({"chat_id": id, "content": "hello"})),
        ),
        (
            "POST",
            "/external/agent/v3".to_owned(),
            Some(json!({"chat_id": id, "content": "hello"})),
        ),
        (
            "POST",
            "/external/message/new-message".to_owned(),
            Some(json!({"chat_id": id, "sender": "user", "content": "Book a call"})),
        ),
        (
            "POST",
            "/external/message/email-handoff".to_owned(),
            Some(json!({"chat_id": id, "customer_email": "a@b.io"})),
        ),
        ("GET", format!("/external/chat/{id}/messages"), None),
        ("GET", "/external/chat/u/chats".to_owned(), None),
        ("GET", "/external/chat/chat_nope/messages".to_owned(), None),
        (
            "POST",
            "/external/message/new-message".to_owned(),
            Some(json!({"chat_id": id})),
        ),
    ] {
        statuses.push(
            answered_per_spec(&http, &base, key, method, &path, body)
                .await
                .0,
        );
    }
    // No key: FastAPI's security classes answer 403; a wrong key: 401.
    for key in [None, Some("agt_wrong000000000000000000000000000")] {
        statuses.push(
            answered_per_spec(&http, &base, key, "GET", "/external/chat/u/chats", None)
                .await
                .0,
        );
    }
    assert_eq!(
        statuses,
        [
            200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 422, 403, 401
        ]
    );

    // 100/minute scaled by 0.01 is 1/minute: the second request is over the limit.
    let (_, limited) = testing::start_mock_with(MockConfig {
        rate_limit_scale: 0.01,
        ..MockConfig::default()
    })
    .await
    .expect("mock");
    let (base, key) = (limited.base_url(), Some(limited.key()));
    let first = answered_per_spec(&http, &base, key, "GET", "/external/chat/u/chats", None)
        .await
        .0;
    let (second, body) =
        answered_per_spec(&http, &base, key, "GET", "/external/chat/u/chats", None).await;
    assert_eq!(
        (first, second, body["status_code"].clone()),
        (200, 429, json!(429))
    );
}
