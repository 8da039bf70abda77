//! The SDK's every operation and the widget's every route against a real FastAPI server
//! (`tests/fastapi/app.py`), happy paths and errors: `null` for every unset field, FastAPI's
//! `{"detail": ...}` errors, its 422 items, Starlette's plain-text 500. The CLI's commands
//! run against the same app in `crates/optimly-cli/tests/fastapi.rs`.

use std::time::Duration;

use optimly::{
    AgentVersion, AppointmentRequest, AuthMethod, ChatEndpoint, EmailHandoff, ErrorKind,
    FieldIssue, HandoffStatus, Lead, OptimlyClient, RetryPolicy, Sender, ToolName, Urgency,
};
use optimly_widget::Widget;
use serde_json::json;
use workspace_tests::fastapi::{AuthStyle, FastApiApp, KEY};
use workspace_tests::widget::{Browser, WidgetServer, assert_contract, listener, origin_for};

fn client(app: &FastApiApp, auth: AuthMethod, key: &str) -> OptimlyClient {
    OptimlyClient::builder()
        .api_key(key)
        .auth_method(auth)
        .base_url(&app.base_url)
        .retry_policy(RetryPolicy::default().with_base_delay(Duration::ZERO))
        .build()
        .expect("client")
}

fn a_week_from_now() -> String {
    (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn every_sdk_operation_works_against_fastapi_with_each_auth_way() {
    let Some(app) = FastApiApp::start(
        "every_sdk_operation_works_against_fastapi_with_each_auth_way",
        AuthStyle::SecuritySchemes,
    ) else {
        return;
    };
    for auth in [
        AuthMethod::Bearer,
        AuthMethod::ApiKeyHeader,
        AuthMethod::QueryParam,
    ] {
        let client = client(&app, auth, KEY);
        let user = format!("user_{auth:?}");
        // Both creation paths; every unset field of the chat is null.
        let chat = client
            .create_chat(&user)
            .endpoint(ChatEndpoint::Chat)
            .await
            .expect("create_chat");
        assert_eq!(chat.client_id(), Some(user.as_str()));
        assert_eq!((chat.agent_id(), chat.lead_collected()), (None, None));
        let conversation = client.start_conversation(&user).await.expect("new_chat");

        // "hi there": no tool ran, so tools_executed, handoff_data and metadata are null.
        for version in AgentVersion::ALL {
            let reply = conversation
                .ask("hi there")
                .version(version)
                .await
                .unwrap_or_else(|e| panic!("{auth:?} {version}: {e}"));
            assert_eq!(reply.text(), "Hello! How can I help?");
            assert_eq!(reply.tools_executed().len(), 0);
            assert!(reply.handoff().is_none());
            assert_eq!((reply.agent_id(), reply.tokens_used()), (None, None));
            assert_ne!(reply.time(), optimly::NO_TIME);
        }
        let reply = conversation
            .ask("I'm jane@company.com and I'd like a human")
            .await
            .expect("tools");
        assert!(reply.executed(&ToolName::LeadCapture));
        assert!(reply.executed(&ToolName::EmailHandoff));
        assert!(reply.handoff().is_some());

        let appended = client
            .append_message(conversation.chat_id(), Sender::User, "hi there")
            .await
            .expect("new_message");
        assert_eq!(appended.processed(), Some(true));
        assert_eq!(
            appended.agent_response().map(|r| r.text().to_owned()),
            Some("Hello! How can I help?".to_owned())
        );
        conversation
            .capture_lead(&Lead {
                full_name: Some("John Doe".into()),
                ..Lead::new("john@example.com")
            })
            .await
            .expect("capture_lead");
        let booked = conversation
            .request_appointment(&AppointmentRequest::new(
                "Jane Smith",
                "jane@company.com",
                a_week_from_now(),
                "14:00",
            ))
            .await
            .expect("request_appointment");
        assert_eq!(booked.sender(), &Sender::User);
        let handoff = conversation
            .hand_off(&EmailHandoff {
                customer_email: Some("enterprise-buyer@example.com".into()),
                reason: Some("Pricing approval".into()),
                urgency: Some(Urgency::High),
                ..EmailHandoff::default()
            })
            .await
            .expect("email_handoff");
        assert_eq!(handoff.status(), Some(&HandoffStatus::Queued));

        let history = conversation.history().await.expect("history");
        // Four turns and an appended user message, each with its reply; the lead; the
        // booking and its reply.
        assert_eq!(history.len(), 13);
        assert!(history.iter().all(|m| m.time() != optimly::NO_TIME));
        let chats = client.list_chats(&user).await.expect("list_chats");
        assert_eq!(chats.len(), 2);
        assert_eq!(chats[1].message_count(), Some(13));
        let lead_chat = client
            .start_lead_chat(&user, &Lead::new("lee@example.com"))
            .await
            .expect("start_lead_chat");
        assert!(lead_chat.seeded().is_ok());
        assert_eq!(lead_chat.chat().lead_collected(), Some(true));
    }
}

#[tokio::test]
async fn fastapis_errors_become_typed_errors() {
    let Some(app) = FastApiApp::start(
        "fastapis_errors_become_typed_errors",
        AuthStyle::SecuritySchemes,
    ) else {
        return;
    };
    let wrong = client(
        &app,
        AuthMethod::Bearer,
        "agt_wrong000000000000000000000000000",
    )
    .list_chats("u")
    .await
    .expect_err("401");
    assert_eq!(
        (wrong.kind(), wrong.api_message().as_deref()),
        (&ErrorKind::Unauthorized, Some("Invalid API key"))
    );
    let client = client(&app, AuthMethod::Bearer, KEY);
    let missing = client.history("chat_nope").await.expect_err("404");
    assert_eq!(
        missing.to_string(),
        "list_chat_messages: not found (HTTP 404): Chat not found"
    );
    let chat = client.create_chat("u").await.expect("chat");
    let long = client
        .ask(chat.id(), "x".repeat(4001))
        .await
        .expect_err("422");
    assert_eq!(
        long.kind(),
        &ErrorKind::RefusedByServer {
            fields: vec![
                FieldIssue::new("content", "String should have at most 4000 characters")
                    .with_kind("string_too_long")
            ]
        }
    );
    let past = client
        .request_appointment(
            chat.id(),
            &AppointmentRequest::new("Jane", "jane@company.com", "2020-01-01", "14:00"),
        )
        .await
        .expect_err("past");
    assert_eq!(
        (past.kind(), past.api_message().as_deref()),
        (
            &ErrorKind::RefusedByServer { fields: vec![] },
            Some("Unable to schedule appointment for past date")
        )
    );
    let crashed = client
        .ask(chat.id(), "raise an unhandled error")
        .await
        .expect_err("500");
    assert_eq!(crashed.kind(), &ErrorKind::Server);
    assert_eq!(crashed.body(), Some("Internal Server Error"));
    assert_eq!(
        crashed.attempts(),
        1,
        "a POST the server may have acted on is not re-sent"
    );
    assert!(crashed.server_may_have_acted());
}

#[tokio::test]
async fn every_widget_route_works_against_fastapi() {
    let Some(app) = FastApiApp::start(
        "every_widget_route_works_against_fastapi",
        AuthStyle::SecuritySchemes,
    ) else {
        return;
    };
    let listener = listener().await;
    let origin = origin_for(listener.local_addr().expect("address"));
    let widget = Widget::builder(client(&app, AuthMethod::Bearer, KEY))
        .cookie_secret(&[7; 64])
        .allow_origin(&origin)
        .secure_cookie(false)
        .build()
        .expect("widget");
    let server = WidgetServer::serve(listener, &widget).await;
    let mut visitor = Browser::new(&server);
    let started = visitor.start().await;
    assert_eq!(started.status, 200, "{}", started.body);
    let said = visitor.say("hi there").await;
    assert_eq!(said.status, 200, "{}", said.body);
    assert_eq!(said.body["reply"]["content"], "Hello! How can I help?");
    let lead = visitor
        .post(
            "/api/lead",
            json!({"email": "jane@company.com", "full_name": "Jane Smith"}),
        )
        .await;
    assert_eq!(lead.status, 200, "{}", lead.body);
    let booked = visitor
        .post(
            "/api/appointment",
            json!({"name": "Jane", "email": "jane@company.com", "date": a_week_from_now(), "time": "14:00"}),
        )
        .await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    let past = visitor
        .post(
            "/api/appointment",
            json!({"name": "Jane", "email": "jane@company.com", "date": "2020-01-01", "time": "14:00"}),
        )
        .await;
    assert_eq!(past.status, 422, "{}", past.body);
    let handed = visitor
        .post(
            "/api/handoff",
            json!({"customer_email": "jane@company.com", "reason": "billing question"}),
        )
        .await;
    assert_eq!(handed.status, 200, "{}", handed.body);
    let history = visitor.history().await;
    assert_eq!(history.status, 200);
    let roles: Vec<&str> = history.body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    // The greeting and its reply, the lead, the booking and its reply (a handoff is no
    // message).
    assert_eq!(
        roles,
        ["user", "assistant", "assistant", "user", "assistant"]
    );
    assert_contract(&server.answers());
}
