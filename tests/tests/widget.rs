//! The widget router over HTTP, as a browser would call it: a visitor's conversation, their
//! own chat and no other, cookies, origins, the per-visitor limit, errors as JSON with fields,
//! the key never sent. Every answer is checked against `openapi/widget.yaml`.

use std::time::Duration;

use httpmock::Method::{GET, POST};
use optimly::operations::{CALL_AGENT_V2, LIST_CHAT_MESSAGES, NEW_CHAT, NEW_MESSAGE};
use optimly::testing::{MockConfig, MockServer, when_operation};
use optimly::{Limit, Scope};
use optimly::{OptimlyClient, RetryPolicy};
use optimly_mock::RunningMock;
use optimly_widget::{COOKIE_NAME, Widget, WidgetBuilder, WidgetLimits};
use reqwest::StatusCode;
use serde_json::{Value, json};
use workspace_tests::widget::{Browser, Got, WidgetServer, assert_contract, listener, serve};

/// A widget over the offline mock.
async fn over_mock(
    config: MockConfig,
    configure: impl FnOnce(WidgetBuilder) -> WidgetBuilder,
) -> (WidgetServer, RunningMock) {
    let (client, mock) = optimly::testing::start_mock_with(config)
        .await
        .expect("mock");
    (serve(client, configure).await, mock)
}

fn contents(history: &Value) -> Vec<(String, String)> {
    history["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["role"].as_str().expect("role").to_owned(),
                m["content"].as_str().expect("content").to_owned(),
            )
        })
        .collect()
}

fn fields(got: &Got) -> Vec<String> {
    got.body["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["field"].as_str().expect("field").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_visitor_talks_to_the_agent_and_comes_back_to_their_history() {
    let (server, mock) = over_mock(MockConfig::default(), |b| b).await;
    let mut visitor = Browser::new(&server);

    let started = visitor.start().await;
    assert_eq!(started.status, StatusCode::OK);
    assert_eq!(started.body, json!({"resumed": false}));
    let cookie = started.set_cookie.expect("a visitor cookie");
    assert!(cookie.starts_with(&format!("{COOKIE_NAME}=")), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=2592000"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }

    let reply = visitor
        .say("Hi! What does the Pro plan cost? You can reach me at jane@company.com")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["reply"]["content"],
        "Thanks! I've noted jane@company.com so our team can send you the details."
    );
    assert_eq!(reply.body["reply"]["role"], "assistant");
    assert_eq!(reply.body["tools"][0]["tool"], "lead_capture");
    assert_eq!(mock.leads().len(), 1);

    // Back later: the same conversation, nothing created.
    let chats_before = mock.requests().len();
    let again = visitor.start().await;
    assert_eq!(again.body, json!({"resumed": true}));
    assert!(again.set_cookie.is_none());
    assert_eq!(
        mock.requests().len(),
        chats_before,
        "a resume sends nothing"
    );
    let history = visitor.history().await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(
        contents(&history.body),
        [
            (
                "user".to_owned(),
                "Hi! What does the Pro plan cost? You can reach me at jane@company.com".to_owned()
            ),
            (
                "assistant".to_owned(),
                "Thanks! I've noted jane@company.com so our team can send you the details."
                    .to_owned()
            ),
        ]
    );

    // The forms and the handoff land in the same chat.
    let lead = visitor
        .post(
            "/api/lead",
            json!({"email": "jane@company.com", "full_name": "Jane Smith", "company": "Acme"}),
        )
        .await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.body);
    assert!(lead.body["message_id"].is_string());
    let handoff = visitor
        .post("/api/handoff", json!({"reason": "billing question"}))
        .await;
    assert_eq!(handoff.status, StatusCode::OK, "{}", handoff.body);
    assert!(handoff.body["handoff_id"].is_string());
    assert_eq!(mock.handoffs().len(), 1);
    assert_eq!(mock.leads().len(), 2);

    assert_eq!(assert_contract(&server.answers()), 6);
}

#[tokio::test]
async fn a_visitor_reaches_only_their_own_chat() {
    let (server, mock) = over_mock(MockConfig::default(), |b| b).await;
    let mut first = Browser::new(&server);
    let mut second = Browser::new(&server);
    first.start().await;
    first.say("hello there").await;
    second.start().await;
    second.say("Can we book a meeting?").await;

    assert_eq!(contents(&first.history().await.body)[0].1, "hello there");
    assert_eq!(contents(&first.history().await.body).len(), 2);
    assert_eq!(
        contents(&second.history().await.body)[0].1,
        "Can we book a meeting?"
    );

    // A cookie written by hand to name the first visitor's chat is not one this server
    // made: refused, and nothing reaches Optimly.
    // The first history read was the first visitor's: its path names their chat.
    let chat_id = mock
        .requests()
        .iter()
        .find_map(|r| {
            r.path
                .strip_prefix("/external/chat/")?
                .strip_suffix("/messages")
                .map(str::to_owned)
        })
        .expect("the first visitor's chat");
    let sent = mock.requests().len();
    let mut forger = Browser::new(&server);
    forger.cookie = Some(format!(
        "{COOKIE_NAME}={}",
        json!({"v": "web_forged", "c": chat_id})
    ));
    let forged = forger.say("what did they say?").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(forger.history().await.status, StatusCode::FORBIDDEN);

    // A cookie another server made, with another secret, is refused the same way.
    let (other, _other_mock) =
        over_mock(MockConfig::default(), |b| b.cookie_secret(&[7; 64])).await;
    let mut elsewhere = Browser::new(&other);
    elsewhere.start().await;
    let mut replayed = Browser::new(&server);
    replayed.cookie = elsewhere.cookie.clone();
    assert_eq!(replayed.history().await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        mock.requests().len(),
        sent,
        "nothing sent for a refused cookie"
    );
    assert_contract(&server.answers());
}

#[tokio::test]
async fn a_tampered_cookie_is_refused_and_replaced_only_by_a_new_conversation() {
    let (server, mock) = over_mock(MockConfig::default(), |b| b).await;
    let mut visitor = Browser::new(&server);
    visitor.start().await;
    let cookie = visitor.cookie.clone().expect("cookie");
    // Flip one character of the sealed value.
    let mut tampered: Vec<char> = cookie.chars().collect();
    let at = tampered.len() - 5;
    tampered[at] = if tampered[at] == 'A' { 'B' } else { 'A' };
    visitor.cookie = Some(tampered.into_iter().collect());
    let sent = mock.requests().len();

    let refused = visitor.say("hello").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.body["error"],
        "This conversation cookie is not valid here; start a new conversation."
    );
    assert_eq!(visitor.history().await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        visitor
            .post("/api/lead", json!({"email": "a@b.co"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(mock.requests().len(), sent);

    // Starting again gives a new conversation and a good cookie.
    let restarted = visitor.start().await;
    assert_eq!(restarted.body, json!({"resumed": false}));
    assert_ne!(visitor.cookie.as_deref(), Some(cookie.as_str()));
    assert_eq!(visitor.say("hello").await.status, StatusCode::OK);
    assert_contract(&server.answers());
}

#[tokio::test]
async fn a_request_without_an_allowed_origin_is_refused() {
    let (server, mock) = over_mock(MockConfig::default(), |b| b).await;
    let mut visitor = Browser::new(&server);
    visitor.start().await;
    let sent = mock.requests().len();
    for origin in [
        None,
        Some("https://evil.example"),
        Some("http://127.0.0.1:1"),
    ] {
        visitor.origin = origin.map(str::to_owned);
        for got in [
            visitor.say("hello").await,
            visitor.start().await,
            visitor.post("/api/lead", json!({"email": "a@b.co"})).await,
            visitor.post("/api/appointment", json!({})).await,
            visitor.post("/api/handoff", json!({})).await,
        ] {
            assert_eq!(
                got.status,
                StatusCode::FORBIDDEN,
                "{origin:?}: {}",
                got.body
            );
            assert_eq!(
                got.body["error"],
                "Requests from this page's origin are not allowed."
            );
        }
    }
    assert_eq!(mock.requests().len(), sent, "nothing sent");
    assert_contract(&server.answers());
}

#[tokio::test]
async fn each_visitor_has_a_limit_of_their_own() {
    let mut limits = WidgetLimits::default();
    limits.visitor = vec![Limit::new(3, Duration::from_secs(60), Scope::ApiKey)];
    let (server, mock) = over_mock(MockConfig::default(), |b| b.limits(limits)).await;
    let mut busy = Browser::new(&server);
    assert_eq!(busy.start().await.status, StatusCode::OK);
    // The first message costs two calls: its chat is created with it.
    assert_eq!(busy.say("one").await.status, StatusCode::OK);
    assert_eq!(busy.say("two").await.status, StatusCode::OK);
    let sent = mock.requests().len();
    let limited = busy.say("three").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.body["error"],
        "Too many requests; please wait a moment."
    );
    let retry_after = limited.body["retry_after"].as_u64().expect("retry_after");
    assert!((58..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(limited.retry_after, Some(retry_after.to_string()));
    assert_eq!(mock.requests().len(), sent, "the held message was not sent");

    // Another visitor is not held by the first one's use.
    let mut other = Browser::new(&server);
    assert_eq!(other.start().await.status, StatusCode::OK);
    assert_eq!(other.say("hello").await.status, StatusCode::OK);
    assert_contract(&server.answers());
}

#[tokio::test]
async fn form_and_message_errors_name_their_fields() {
    let (server, mock) = over_mock(MockConfig::default(), |b| b.max_message_chars(20)).await;
    let mut visitor = Browser::new(&server);
    visitor.start().await;
    let sent = mock.requests().len();

    let long = visitor.say("twenty-one characters").await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        long.body["fields"],
        json!([{"field": "content", "message": "is 21 characters long; at most 20 are taken"}])
    );
    assert_eq!(fields(&visitor.say("   ").await), ["content"]);

    let lead = visitor
        .post("/api/lead", json!({"email": "jane@", "full_name": " "}))
        .await;
    assert_eq!(lead.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(lead.body["error"], "Please check the highlighted fields.");
    assert_eq!(fields(&lead), ["email", "full_name"]);

    let booking = visitor
        .post(
            "/api/appointment",
            json!({"name": "Jane", "email": "jane@example", "date": "2026-02-30", "time": "2pm"}),
        )
        .await;
    assert_eq!(fields(&booking), ["email", "date", "time"]);
    assert_eq!(
        booking.body["fields"][1]["message"],
        "`2026-02-30` is not a real date"
    );
    assert_eq!(
        fields(
            &visitor
                .post("/api/appointment", json!({"name": "Jane"}))
                .await
        ),
        ["email"],
        "serde names the first missing field"
    );
    assert_eq!(
        fields(
            &visitor
                .post("/api/lead", json!({"email": "a@b.co", "nmae": "J"}))
                .await
        ),
        ["nmae"]
    );
    let not_json = visitor
        .call(reqwest::Method::POST, "/api/messages", Some("{content"))
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    let huge = visitor
        .call(
            reqwest::Method::POST,
            "/api/lead",
            Some(&json!({"email": "a@b.co", "message": "x".repeat(20_000)}).to_string()),
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(mock.requests().len(), sent, "nothing refused was sent");
    assert_contract(&server.answers());
}

/// A client on an httpmock server that answers a new chat, for the failures Optimly itself
/// can give.
fn upstream(server: &MockServer, key: &str, attempt_timeout: Option<Duration>) -> OptimlyClient {
    server.mock(|when, then| {
        when_operation(when.method(POST), &NEW_CHAT);
        then.status(200)
            .json_body(json!({"chat_id": "chat_up", "client_id": "web_x"}));
    });
    OptimlyClient::builder()
        .api_key(key)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::never())
        .attempt_timeout(attempt_timeout)
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_apis_own_422_arrives_as_fields_and_failures_as_plain_words() {
    const CANARY: &str = "agt_CANARY_widget_8c1f";
    let optimly = MockServer::start_async().await;
    let server = serve(upstream(&optimly, CANARY, None), |b| b).await;
    optimly.mock(|when, then| {
        when_operation(when.method(POST), &NEW_MESSAGE);
        then.status(422).json_body(json!({"detail": [
            {"loc": ["body", "metadata", "email"], "msg": "value is not a valid email address", "type": "value_error"}
        ]}));
    });
    optimly.mock(|when, then| {
        when_operation(when.method(POST), &CALL_AGENT_V2);
        // An upstream that echoes the key it was given: the visitor must see none of it.
        then.status(500)
            .json_body(json!({"error": format!("internal error for key {CANARY}")}));
    });
    let mut visitor = Browser::new(&server);
    assert_eq!(visitor.start().await.status, StatusCode::OK);

    let lead = visitor
        .post("/api/lead", json!({"email": "jane@company.com"}))
        .await;
    assert_eq!(lead.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        lead.body["fields"],
        json!([{"field": "email", "message": "value is not a valid email address"}])
    );

    let failed = visitor.say("hello").await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY, "{}", failed.body);
    assert_eq!(
        failed.body,
        json!({"error": "The assistant is unavailable right now; please try again later."})
    );
    assert_contract(&server.answers());
    assert_no_canary(&server, CANARY).await;
}

#[tokio::test]
async fn a_slow_agent_is_a_504_and_a_throttled_key_a_429() {
    let optimly = MockServer::start_async().await;
    let server = serve(
        upstream(&optimly, "agt_test", Some(Duration::from_millis(200))),
        |b| b,
    )
    .await;
    optimly.mock(|when, then| {
        when_operation(when.method(POST), &CALL_AGENT_V2);
        then.status(200)
            .delay(Duration::from_millis(1_500))
            .json_body(json!({"response": "late"}));
    });
    optimly.mock(|when, then| {
        when_operation(when.method(POST), &NEW_MESSAGE);
        then.status(429).json_body(json!({"error": "Rate limited"}));
    });
    let mut visitor = Browser::new(&server);
    visitor.start().await;
    let slow = visitor.say("hello").await;
    assert_eq!(slow.status, StatusCode::GATEWAY_TIMEOUT, "{}", slow.body);
    let limited = visitor.post("/api/lead", json!({"email": "a@b.co"})).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert!(limited.body["retry_after"].as_u64().is_some_and(|s| s >= 1));
    assert_contract(&server.answers());
}

/// Every byte the router sent, headers and bodies, its files and page included.
async fn assert_no_canary(server: &WidgetServer, canary: &str) {
    let http = optimly::tls::client_builder()
        .expect("TLS")
        .build()
        .expect("an HTTP client");
    for path in ["/", "/optimly/widget.js", "/optimly/widget.css"] {
        let got = http
            .get(format!("{}{path}", server.origin))
            .send()
            .await
            .expect("served");
        assert_eq!(got.status(), StatusCode::OK, "{path}");
    }
    let answers = server.answers();
    assert!(answers.len() >= 6, "{}", answers.len());
    for answer in answers {
        let text = format!(
            "{}\n{}",
            answer.headers,
            String::from_utf8_lossy(&answer.body)
        );
        assert!(
            !text.contains(canary) && !text.contains("CANARY"),
            "{} {}: {text}",
            answer.method,
            answer.path
        );
    }
}

#[tokio::test]
async fn the_key_never_reaches_the_browser() {
    const CANARY: &str = "agt_CANARY_mock_3d9a";
    let (server, mock) = over_mock(
        MockConfig {
            key: CANARY.to_owned(),
            ..MockConfig::default()
        },
        |b| b,
    )
    .await;
    let mut visitor = Browser::new(&server);
    visitor.start().await;
    visitor
        .say("Book a demo on 2099-06-20 at 14:00, jane@company.com")
        .await;
    visitor.history().await;
    visitor
        .post(
            "/api/appointment",
            json!({"name": "Jane", "email": "jane@company.com", "date": "2099-06-20", "time": "14:00"}),
        )
        .await;
    visitor.post("/api/lead", json!({"email": "bad"})).await;
    let sources: Vec<Value> = mock
        .appointments()
        .iter()
        .map(|a| a["source"].clone())
        .collect();
    // The agent booked from the chat message; the form's request is a message, counted once
    // though the mock's agent also reads it.
    assert_eq!(sources, [json!("agent"), json!("message")]);
    assert_no_canary(&server, CANARY).await;
    assert_contract(&server.answers());
}

/// The forms in widget.yaml take exactly what the SDK's types read: the same field names (the
/// SDK's own list, as serde gives it when it refuses a field), and a body with every
/// documented field is read.
#[tokio::test]
async fn the_contracts_forms_are_the_widgets() {
    let contract = workspace_tests::widget::contract();
    let sample = |name: &str, schema: &Value| -> Value {
        match (schema["type"].as_str(), schema["format"].as_str()) {
            (_, Some("email")) => json!("jane@example.com"),
            _ if name == "date" => json!("2099-06-20"),
            _ if name == "time" => json!("14:00"),
            _ => json!("x"),
        }
    };
    let (server, _mock) = over_mock(MockConfig::default(), |b| b).await;
    for (form, route) in [
        ("LeadForm", "/api/lead"),
        ("AppointmentForm", "/api/appointment"),
        ("HandoffForm", "/api/handoff"),
    ] {
        let schema = contract.component(form).expect(form);
        let props = schema["properties"].as_object().expect("properties");
        let body: serde_json::Map<String, Value> = props
            .iter()
            .map(|(name, s)| (name.clone(), sample(name, s)))
            .collect();
        // Every field the contract lists is taken ...
        let mut visitor = Browser::new(&server);
        visitor.start().await;
        let taken = visitor.post(route, Value::Object(body.clone())).await;
        assert_eq!(taken.status, StatusCode::OK, "{form}: {}", taken.body);
        // ... and each cap it states is the widget's.
        for (name, s) in props {
            if let Some(cap) = s["maxLength"].as_u64() {
                let mut long = body.clone();
                let over = usize::try_from(cap).expect("cap") + 1;
                long.insert(
                    name.clone(),
                    json!(format!("{}@example.com", "x".repeat(over))),
                );
                let refused = visitor.post(route, Value::Object(long)).await;
                assert_eq!(
                    fields(&refused),
                    [name.as_str()],
                    "{form}.{name}: {}",
                    refused.body
                );
            }
        }
        // A field it does not list is refused by name.
        let mut extra = body;
        extra.insert("not_in_the_contract".into(), json!("x"));
        let refused = visitor.post(route, Value::Object(extra)).await;
        assert_eq!(fields(&refused), ["not_in_the_contract"], "{form}");
    }
    assert_contract(&server.answers());
}

#[tokio::test]
async fn a_chat_gone_at_optimly_drops_the_cookie_so_the_next_start_is_new() {
    let optimly = MockServer::start_async().await;
    let server = serve(upstream(&optimly, "agt_test", None), |b| b).await;
    optimly.mock(|when, then| {
        when_operation(when.method(GET), &LIST_CHAT_MESSAGES);
        then.status(404)
            .json_body(json!({"detail": "Chat not found"}));
    });
    optimly::testing::agent_reply(&optimly, "Hello!", &[]).await;
    let mut visitor = Browser::new(&server);
    assert_eq!(visitor.start().await.body, json!({"resumed": false}));
    // Before anything is sent there is no chat: no history to ask Optimly for.
    let empty = visitor.history().await;
    assert_eq!(empty.body, json!({"messages": []}));
    assert_eq!(visitor.say("hello").await.status, StatusCode::OK);
    let gone = visitor.history().await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let removal = gone.set_cookie.expect("the cookie is removed");
    assert!(
        removal.starts_with(&format!("{COOKIE_NAME}=;")) && removal.contains("Max-Age=0"),
        "{removal}"
    );
    // The browser dropped it: the next start is a new conversation, not the dead one.
    assert!(visitor.cookie.is_none());
    assert_eq!(visitor.start().await.body, json!({"resumed": false}));
    assert_contract(&server.answers());
}

#[tokio::test]
async fn any_replica_with_the_same_secret_serves_any_visitor() {
    // Two replicas behind one site: one origin, one secret, one key; no shared session state.
    const SITE: &str = "https://shop.example";
    let (client, mock) = optimly::testing::start_mock().await.expect("mock");
    let replica = |client: OptimlyClient| async move {
        let widget = Widget::builder(client)
            .cookie_secret(&[9; 64])
            .allow_origin(SITE)
            .build()
            .expect("widget");
        WidgetServer::serve(listener().await, &widget).await
    };
    let first = replica(client.clone()).await;
    let second = replica(client).await;
    let mut visitor = Browser::new(&first);
    visitor.origin = Some(SITE.to_owned());
    let started = visitor.start().await;
    assert_eq!(started.body, json!({"resumed": false}));
    let cookie = started.set_cookie.expect("cookie");
    assert!(cookie.contains("; Secure"), "Secure by default: {cookie}");
    assert_eq!(visitor.say("hello there").await.status, StatusCode::OK);

    // The load balancer sends the next requests to the other replica.
    visitor.base = second.origin.clone();
    assert_eq!(visitor.start().await.body, json!({"resumed": true}));
    assert_eq!(
        visitor.say("Can we book a meeting?").await.status,
        StatusCode::OK
    );
    let history = visitor.history().await;
    assert_eq!(
        contents(&history.body)
            .iter()
            .filter(|(role, _)| role == "user")
            .map(|(_, text)| text.as_str())
            .collect::<Vec<_>>(),
        ["hello there", "Can we book a meeting?"],
        "one chat, reached through both replicas"
    );
    assert_eq!(
        mock.requests()
            .iter()
            .filter(|r| r.path == NEW_CHAT.path)
            .count(),
        1,
        "one chat created"
    );
    assert_contract(&first.answers());
    assert_contract(&second.answers());
}
