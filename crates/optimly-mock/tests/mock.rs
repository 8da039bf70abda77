//! The mock over real HTTP: auth, validation, 404, rate limits, every fault knob, the agent's
//! tool detection and the request log.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use optimly_mock::{DEFAULT_KEY, Faults, MockConfig, RunningMock};
use serde_json::{Value, json};

async fn mock_with(config: MockConfig) -> (RunningMock, reqwest::Client) {
    (
        optimly_mock::start(config).await.expect("mock starts"),
        optimly_api::tls::client_builder()
            .expect("TLS setup")
            .build()
            .expect("http client"),
    )
}

async fn mock() -> (RunningMock, reqwest::Client) {
    mock_with(MockConfig::default()).await
}

async fn post(http: &reqwest::Client, mock: &RunningMock, path: &str, body: Value) -> (u16, Value) {
    let response = http
        .post(format!("{}{path}", mock.base_url()))
        .bearer_auth(mock.key())
        .json(&body)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn new_chat(http: &reqwest::Client, mock: &RunningMock) -> String {
    let (status, chat) = post(
        http,
        mock,
        "/external/message/new-chat",
        json!({"client_id": "user_456"}),
    )
    .await;
    assert_eq!(status, 200, "{chat}");
    chat["chat_id"].as_str().expect("chat_id").to_owned()
}

#[tokio::test]
async fn each_auth_way_is_accepted_a_wrong_key_is_a_401_and_none_a_403() {
    let (mock, http) = mock().await;
    let url = format!("{}/external/chat/user_456/chats", mock.base_url());
    let ok = [
        http.get(&url).bearer_auth(DEFAULT_KEY),
        http.get(&url).header("X-API-Key", DEFAULT_KEY),
        http.get(&url).query(&[("access_token_query", DEFAULT_KEY)]),
    ];
    for request in ok {
        assert_eq!(request.send().await.expect("answered").status(), 200);
    }
    // FastAPI's security classes: no credentials at all is a 403 "Not authenticated" (the
    // blogs' `x_api_key` header is none of the three ways); a wrong key is the app's 401.
    for (request, status, detail) in [
        (http.get(&url), 403, "Not authenticated"),
        (
            http.get(&url).bearer_auth("agt_wrong"),
            401,
            "Invalid API key",
        ),
        (
            http.get(&url).header("x_api_key", DEFAULT_KEY),
            403,
            "Not authenticated",
        ),
    ] {
        let response = request.send().await.expect("answered");
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{detail}"
        );
        assert_eq!(
            response.json::<Value>().await.expect("json"),
            json!({ "detail": detail })
        );
    }
    let auths: Vec<&str> = mock.requests().iter().map(|r| r.auth).collect();
    assert_eq!(
        auths,
        ["bearer", "header", "query", "none", "bearer", "none"]
    );
}

#[tokio::test]
async fn a_missing_or_mistyped_field_is_a_fastapi_422() {
    let (mock, http) = mock().await;
    let (status, body) = post(
        &http,
        &mock,
        "/external/message/new-message",
        json!({"chat_id": "c", "content": 5}),
    )
    .await;
    assert_eq!(status, 422);
    let detail = body["detail"].as_array().expect("a detail list");
    let located: Vec<(Value, &str)> = detail
        .iter()
        .map(|d| (d["loc"].clone(), d["type"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        located,
        [
            (json!(["body", "content"]), "type_error"),
            (json!(["body", "sender"]), "missing")
        ]
    );
    let (status, body) = post(
        &http,
        &mock,
        "/external/message/new-message",
        json!({"chat_id": "c", "sender": "robot", "content": "x"}),
    )
    .await;
    assert_eq!(
        (status, body["detail"][0]["type"].clone()),
        (422, json!("enum"))
    );
}

#[tokio::test]
async fn malformed_json_is_a_422_and_an_oversized_body_a_413() {
    let (mock, http) = mock().await;
    let response = http
        .post(format!("{}/external/message/new-chat", mock.base_url()))
        .bearer_auth(mock.key())
        .header("content-type", "application/json")
        .body("{\"client_id\": ")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<Value>().await.expect("json")["detail"][0]["type"],
        "json_invalid"
    );
    let big = json!({"client_id": "x".repeat(300 * 1024)});
    let (status, body) = post(&http, &mock, "/external/message/new-chat", big).await;
    assert_eq!((status, body["status_code"].clone()), (413, json!(413)));
}

#[tokio::test]
async fn an_unknown_chat_or_path_is_a_fastapi_404() {
    let (mock, http) = mock().await;
    let response = http
        .get(format!(
            "{}/external/chat/chat_nope/messages",
            mock.base_url()
        ))
        .bearer_auth(mock.key())
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({"detail": "chat chat_nope not found"})
    );
    let (status, _) = post(
        &http,
        &mock,
        "/external/agent/v2",
        json!({"chat_id": "chat_nope", "content": "hi"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = post(&http, &mock, "/external/tools/lead-form", json!({})).await;
    assert_eq!((status, body), (404, json!({"detail": "Not Found"})));
}

/// A client that shows redirects instead of following them.
fn not_following() -> reqwest::Client {
    optimly_api::tls::client_builder()
        .expect("TLS setup")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// FastAPI's router: a wrong method is a 405 with `Allow`; a trailing slash is a 307 to the
/// canonical path built from the request's `Host`, query kept; an unknown path a 404.
#[tokio::test]
async fn the_router_answers_as_fastapis_does() {
    let (mock, _) = mock().await;
    let http = not_following();
    let base = mock.base_url();
    let wrong = http
        .get(format!("{base}/external/agent/v2"))
        .bearer_auth(mock.key())
        .send()
        .await
        .expect("answered");
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers()["allow"], "POST");
    assert_eq!(
        wrong.json::<Value>().await.expect("json"),
        json!({"detail": "Method Not Allowed"})
    );
    let slashed = http
        .post(format!(
            "{base}/external/message/new-chat/?access_token_query=k"
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(slashed.status(), 307);
    assert_eq!(
        slashed.headers()["location"],
        format!(
            "http://{}/external/message/new-chat?access_token_query=k",
            mock.addr()
        )
        .as_str()
    );
    assert_eq!(slashed.bytes().await.expect("body").len(), 0);
    let slashed_get = http
        .get(format!("{base}/external/chat/chat_1/messages/"))
        .send()
        .await
        .expect("answered");
    assert_eq!(slashed_get.status(), 307);
    // A trailing slash on a path no operation has is a plain 404.
    let unknown = http
        .post(format!("{base}/external/nothing/"))
        .send()
        .await
        .expect("answered");
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.expect("json"),
        json!({"detail": "Not Found"})
    );
}

/// An unhandled error is Starlette's plain-text 500; a validation failure lists `type`,
/// `loc`, `msg` and `input`, as pydantic v2 does.
#[tokio::test]
async fn a_500_is_plain_text_and_a_422_names_the_input() {
    let (mock, http) = mock_with(MockConfig {
        faults: Faults {
            status_on: BTreeMap::from([(1, 500)]),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await;
    let crashed = http
        .get(format!("{}/external/chat/u/chats", mock.base_url()))
        .bearer_auth(mock.key())
        .send()
        .await
        .expect("answered");
    assert_eq!(crashed.status(), 500);
    assert_eq!(
        crashed.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(crashed.text().await.expect("text"), "Internal Server Error");
    let (status, body) = post(
        &http,
        &mock,
        "/external/message/new-message",
        json!({"chat_id": "chat_1", "sender": "robot", "content": "hi"}),
    )
    .await;
    assert_eq!(status, 422);
    let issue = &body["detail"][0];
    assert_eq!(issue["loc"], json!(["body", "sender"]));
    assert_eq!(issue["input"], json!("robot"));
    assert_eq!(issue["type"], "enum");
}

/// Every optional field the mock leaves unset is `null`, as a pydantic response model sends
/// it; what it sets keeps its value.
#[tokio::test]
async fn unset_optional_fields_are_null() {
    let (mock, http) = mock().await;
    let (_, chat) = post(
        &http,
        &mock,
        "/external/message/new-chat",
        json!({"client_id": "user_456"}),
    )
    .await;
    assert_eq!(
        chat,
        json!({
            "chat_id": chat["chat_id"], "agent_id": "agent_mock", "client_id": "user_456",
            "ai_enabled": true, "lead_collected": false, "status": "active", "metadata": null,
            "created_at": chat["created_at"], "last_activity": null, "message_count": null
        })
    );
    let (_, reply) = post(
        &http,
        &mock,
        "/external/agent/v2",
        json!({"chat_id": chat["chat_id"], "content": "hi there"}),
    )
    .await;
    assert_eq!(reply["tools_executed"], Value::Null, "no tool ran");
    assert_eq!(reply["handoff_data"], Value::Null);
    let (_, sent) = post(
        &http,
        &mock,
        "/external/message/new-message",
        json!({"chat_id": chat["chat_id"], "sender": "assistant", "content": "noted"}),
    )
    .await;
    for unset in ["metadata", "timestamp", "processed", "agent_response"] {
        assert_eq!(sent[unset], Value::Null, "{unset}: {sent}");
    }
}

/// `ad_hoc_chats` (the `--ad-hoc-chats` flag) lets a call name a chat the mock does not know,
/// as the blogs' fire-and-forget calls do; by default that is a 404.
#[tokio::test]
async fn ad_hoc_chats_accept_an_unknown_chat_id() {
    let (mock, http) = mock_with(MockConfig {
        ad_hoc_chats: true,
        ..MockConfig::default()
    })
    .await;
    let (status, reply) = post(
        &http,
        &mock,
        "/external/agent/v2",
        json!({"chat_id": "conversation_123", "content": "Hello! I need help with pricing."}),
    )
    .await;
    assert_eq!(
        (status, reply["chat_id"].clone()),
        (200, json!("conversation_123"))
    );
    let history = get(&http, &mock, "/external/chat/abc123/messages").await;
    assert_eq!(history, json!([]));
    assert_eq!(mock.message_count("conversation_123"), Some(2));
}

/// Three GETs against a mock whose global limit is 2 per minute: the statuses, and the
/// `Retry-After` of the last answer.
async fn three_calls(retry_after: bool) -> (Vec<u16>, Option<String>) {
    let (mock, http) = mock_with(MockConfig {
        rate_limit_scale: 0.02,
        retry_after,
        ..MockConfig::default()
    })
    .await;
    let url = format!("{}/external/chat/u/chats", mock.base_url());
    let mut statuses = Vec::new();
    let mut header = None;
    for _ in 0..3 {
        let response = http
            .get(&url)
            .bearer_auth(mock.key())
            .send()
            .await
            .expect("answered");
        statuses.push(response.status().as_u16());
        header = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
    }
    (statuses, header)
}

#[tokio::test]
async fn the_scaled_rate_limit_answers_429_without_retry_after_unless_switched_on() {
    // 100/minute scaled by 0.02 = 2/minute. No page promises the header: by default, none.
    let (statuses, header) = three_calls(false).await;
    assert_eq!((statuses, header), (vec![200, 200, 429], None));
    let (statuses, header) = three_calls(true).await;
    assert_eq!(statuses, [200, 200, 429]);
    let seconds = header.and_then(|s| s.parse::<u64>().ok());
    assert!(
        seconds.is_some_and(|s| (59..=60).contains(&s)),
        "{seconds:?}"
    );
}

#[tokio::test]
async fn injected_latency_delays_every_answer() {
    let (mock, http) = mock_with(MockConfig {
        faults: Faults {
            latency: Duration::from_millis(150),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await;
    let started = Instant::now();
    let response = http
        .get(format!("{}/external/chat/u/chats", mock.base_url()))
        .bearer_auth(mock.key())
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn status_on_and_error_rate_inject_failures() {
    let (mock, http) = mock_with(MockConfig {
        faults: Faults {
            status_on: BTreeMap::from([(2, 503), (3, 429)]),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await;
    let url = format!("{}/external/chat/u/chats", mock.base_url());
    let mut seen = Vec::new();
    for _ in 0..4 {
        let r = http
            .get(&url)
            .bearer_auth(mock.key())
            .send()
            .await
            .expect("answered");
        seen.push((
            r.status().as_u16(),
            r.headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap_or("").to_owned()),
        ));
    }
    assert_eq!(
        seen,
        [
            (200, None),
            (503, Some("1".into())),
            (429, Some("1".into())),
            (200, None)
        ]
    );

    let (always, http) = mock_with(MockConfig {
        faults: Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await;
    let r = http
        .get(format!("{}/external/chat/u/chats", always.base_url()))
        .bearer_auth(always.key())
        .send()
        .await
        .expect("answered");
    assert_eq!(r.status(), 500);
}

#[tokio::test]
async fn drop_on_cuts_the_connection_mid_response() {
    let (mock, http) = mock_with(MockConfig {
        faults: Faults {
            drop_on: Some(1),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await;
    let response = http
        .get(format!("{}/external/chat/u/chats", mock.base_url()))
        .bearer_auth(mock.key())
        .send()
        .await;
    let body = match response {
        Ok(r) => r.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(body.is_err(), "the body must break off");
    let ok = http
        .get(format!("{}/external/chat/u/chats", mock.base_url()))
        .bearer_auth(mock.key())
        .send()
        .await
        .expect("answered");
    assert_eq!(ok.status(), 200, "the next request is served");
}

#[tokio::test]
async fn the_agent_detects_tools_and_the_mock_records_them() {
    let (mock, http) = mock().await;
    let chat = new_chat(&http, &mock).await;
    let (status, reply) = post(
        &http,
        &mock,
        "/external/agent/v2",
        json!({"chat_id": chat, "content": "What does the Pro plan cost? I'm jane@company.com"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        reply["tools_executed"],
        json!([{"tool": "lead_capture", "status": "executed", "data": {"email": "jane@company.com", "interest": "plan"}}])
    );
    assert_eq!(reply["handoff_data"], Value::Null);
    let (_, reply) = post(
        &http,
        &mock,
        "/external/agent/v2",
        json!({"chat_id": chat, "content": "Can we meet on 2025-06-20 at 14:00?"}),
    )
    .await;
    assert_eq!(reply["tools_executed"][0]["tool"], "appointment");
    assert_eq!(
        reply["tools_executed"][0]["data"],
        json!({"date": "2025-06-20", "time": "14:00"})
    );
    let (_, reply) = post(
        &http,
        &mock,
        "/external/agent/v3",
        json!({"chat_id": chat, "content": "I need a human for a billing question"}),
    )
    .await;
    assert_eq!(reply["tools_executed"][0]["tool"], "email_handoff");
    assert_eq!(reply["handoff_data"]["status"], "queued");
    assert_eq!(mock.leads().len(), 1);
    assert_eq!(mock.appointments().len(), 1);
    assert_eq!(mock.handoffs().len(), 1);
    assert_eq!(
        mock.message_count(&chat),
        Some(6),
        "three user messages and three replies"
    );
    let leads: Value = http
        .get(format!("{}/_mock/leads", mock.base_url()))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    assert_eq!(leads[0]["data"]["email"], "jane@company.com");
}

#[tokio::test]
async fn automations_through_new_message_are_recorded_and_a_user_message_gets_a_reply() {
    let (mock, http) = mock().await;
    let chat = new_chat(&http, &mock).await;
    let (status, lead) = post(&http, &mock, "/external/message/new-message", json!({
        "chat_id": chat, "sender": "assistant", "content": "Lead captured for John Doe <john@example.com>",
        "metadata": {"form_type": "lead_capture", "lead_collected": true}
    }))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        lead["agent_response"],
        Value::Null,
        "an assistant message gets no reply"
    );
    let (_, appointment) = post(&http, &mock, "/external/message/new-message", json!({
        "chat_id": chat, "sender": "user", "content": "Book a 30-minute call on 2025-06-20 at 14:00 for Jane",
        "metadata": {"form_type": "appointment_request"}
    }))
    .await;
    assert_eq!(appointment["processed"], true);
    assert!(
        appointment["agent_response"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("2025-06-20 at 14:00"))
    );
    let (_, handoff) = post(
        &http,
        &mock,
        "/external/message/email-handoff",
        json!({"chat_id": chat, "reason": "Pricing approval"}),
    )
    .await;
    assert_eq!(handoff["status"], "queued");
    assert_eq!(mock.leads().len(), 1);
    assert_eq!(
        mock.appointments().len(),
        1,
        "one request, counted once though the agent also reads it"
    );
    assert_eq!(mock.handoffs().len(), 1);
}

#[tokio::test]
async fn the_request_log_never_holds_the_key() {
    let (mock, http) = mock().await;
    http.get(format!("{}/external/chat/u/chats", mock.base_url()))
        .query(&[("access_token_query", DEFAULT_KEY)])
        .send()
        .await
        .expect("answered");
    let log = serde_json::to_string(&mock.requests()).expect("json");
    assert!(log.contains("/external/chat/u/chats"));
    assert!(!log.contains(DEFAULT_KEY), "{log}");
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let (mock, http) = mock().await;
    let url = format!("{}/external/chat/u/chats", mock.base_url());
    mock.shutdown().await;
    assert!(http.get(&url).send().await.is_err());
}

async fn get(http: &reqwest::Client, mock: &RunningMock, path: &str) -> Value {
    http.get(format!("{}{path}", mock.base_url()))
        .bearer_auth(mock.key())
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json")
}

/// The rulings: `timestamp` in message lists and agent replies (chat-mgmt, agent-v2),
/// `created_at` in the new-message reply (P002).
#[tokio::test]
async fn each_time_field_where_its_pages_show_it() {
    let (mock, http) = mock().await;
    let chat = new_chat(&http, &mock).await;
    let (_, sent) = post(
        &http,
        &mock,
        "/external/message/new-message",
        json!({
            "chat_id": chat, "sender": "user", "content": "Hello"
        }),
    )
    .await;
    assert!(
        sent["created_at"].is_string() && sent["timestamp"].is_null(),
        "{sent}"
    );
    let (_, reply) = post(
        &http,
        &mock,
        "/external/agent/v2",
        json!({"chat_id": chat, "content": "Hi"}),
    )
    .await;
    assert!(
        reply["timestamp"].is_string() && reply.get("created_at").is_none(),
        "{reply}"
    );
    let listed = get(&http, &mock, &format!("/external/chat/{chat}/messages")).await;
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), 4, "two user messages, two replies");
    for m in listed {
        assert!(
            m["timestamp"].is_string() && m["created_at"].is_null(),
            "{m}"
        );
    }
    assert_eq!(listed[0]["timestamp"], sent["created_at"]);
}

/// A lead-capture message marks its chat `lead_collected`.
#[tokio::test]
async fn a_lead_message_marks_its_chat_lead_collected() {
    let (mock, http) = mock().await;
    let chat = new_chat(&http, &mock).await;
    let chats = get(&http, &mock, "/external/chat/user_456/chats").await;
    assert_eq!(chats[0]["lead_collected"], false);
    let (status, _) = post(
        &http,
        &mock,
        "/external/message/new-message",
        json!({
            "chat_id": chat, "sender": "assistant", "content": "Lead captured: <j@example.com>",
            "metadata": {"form_type": "lead_capture", "email": "j@example.com"}
        }),
    )
    .await;
    assert_eq!(status, 200);
    let chats = get(&http, &mock, "/external/chat/user_456/chats").await;
    assert_eq!(chats[0]["lead_collected"], true);
}

/// An appointment request dated in the past is the tools page's 422 "Tool execution failed",
/// and nothing is stored.
#[tokio::test]
async fn an_appointment_in_the_past_is_a_422_tool_execution_failed() {
    let (mock, http) = mock().await;
    let chat = new_chat(&http, &mock).await;
    let request = |date: &str| {
        json!({
            "chat_id": chat, "sender": "user", "content": format!("Book a call on {date} at 14:00"),
            "metadata": {"form_type": "appointment_request", "date": date, "time": "14:00"}
        })
    };
    let (status, body) = post(
        &http,
        &mock,
        "/external/message/new-message",
        request("2020-01-01"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"error": "Tool execution failed", "detail": "Unable to schedule appointment for past date", "status_code": 422})
    );
    assert_eq!(mock.message_count(&chat), Some(0));
    assert!(mock.appointments().is_empty());
    let (status, _) = post(
        &http,
        &mock,
        "/external/message/new-message",
        request("2099-01-01"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        mock.appointments().len(),
        1,
        "one request, counted once though the agent also reads it"
    );
}

/// The dispatch has a fallback for operations a newer spec adds (the ids are non-exhaustive);
/// no operation of this spec may reach it.
#[tokio::test]
async fn every_operation_is_played() {
    let (mock, http) = mock().await;
    let chat = new_chat(&http, &mock).await;
    for op in optimly_api::operations::ALL {
        let path = op
            .path
            .replace("{chat_id}", &chat)
            .replace("{client_id}", "user_456");
        let request = http
            .request(
                op.method.as_str().parse().expect("a method"),
                format!("{}{path}", mock.base_url()),
            )
            .bearer_auth(mock.key());
        let request = match op.method.as_str() {
            "GET" => request,
            _ => request.json(&json!({})),
        };
        let status = request.send().await.expect("answered").status().as_u16();
        assert!(
            matches!(status, 200 | 422),
            "{} answered {status}",
            op.name()
        );
    }
}
