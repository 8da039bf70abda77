//! Every public method: the exact request (method, path, auth, body) and the parsed response.

mod common;

use common::{KEY, bearer, harness, harness_with};
use httpmock::prelude::*;
use optimly::{
    AgentVersion, AppointmentRequest, AuthMethod, ChatEndpoint, ChatStatus, EmailHandoff,
    HandoffStatus, Lead, RetryPolicy, Sender, ToolName, ToolStatus, Urgency,
};
use serde_json::json;

fn reply_body() -> serde_json::Value {
    json!({
        "agent_id": "agent_main", "chat_id": "chat_123",
        "response": "Our plans start at $49/month.", "message_id": "msg_654",
        "timestamp": "2025-06-16T10:30:00Z",
        "tools_executed": [{"tool": "lead_capture", "status": "executed", "data": {"email": "john@example.com"}}],
        "handoff_data": null,
        "metadata": {"processing_time": 1.25, "tokens_used": 412, "knowledge_chunks_used": 3, "model": "x"}
    })
}

#[tokio::test(start_paused = true)]
async fn create_chat_uses_new_chat_with_the_lead_flags() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/new-chat")
                .header("authorization", bearer())
                .header("user-agent", optimly::USER_AGENT)
                .json_body(json!({
                    "client_id": "web_form_47", "ai_enabled": true, "lead_collected": true,
                    "metadata": {"source": "homepage hero", "campaign": "spring_launch"}
                }));
            then.status(200).json_body(json!({
                "chat_id": "chat_456", "client_id": "web_form_47", "agent_id": "agent_main",
                "ai_enabled": true, "lead_collected": true,
                "metadata": {"source": "homepage hero", "campaign": "spring_launch"},
                "created_at": "2025-06-16T10:30:00Z"
            }));
        })
        .await;
    let chat = harness(&server)
        .client
        .create_chat("web_form_47")
        .lead_collected(true)
        .meta("source", "homepage hero")
        .meta("campaign", "spring_launch")
        .await
        .expect("chat");
    mock.assert_async().await;
    assert_eq!(chat.id(), "chat_456");
    assert_eq!(chat.client_id(), Some("web_form_47"));
    assert_eq!(chat.agent_id(), Some("agent_main"));
    assert_eq!(chat.lead_collected(), Some(true));
    assert_eq!(
        chat.metadata().map(|m| m["campaign"].clone()),
        Some(json!("spring_launch"))
    );
    assert_eq!(
        chat.created_at().map(|t| t.to_rfc3339()),
        Some("2025-06-16T10:30:00+00:00".to_owned())
    );
}

#[tokio::test(start_paused = true)]
async fn create_chat_can_use_the_chat_management_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/chat")
                .json_body(json!({"client_id": "user_456", "ai_enabled": false}));
            then.status(200)
                .json_body(json!({"chat_id": "chat_1", "status": "active"}));
        })
        .await;
    let chat = harness(&server)
        .client
        .create_chat("user_456")
        .ai_enabled(false)
        .endpoint(ChatEndpoint::Chat)
        .await
        .expect("chat");
    mock.assert_async().await;
    assert_eq!(chat.id(), "chat_1");
    assert_eq!(chat.status(), &ChatStatus::Active);
}

#[tokio::test(start_paused = true)]
async fn list_chats_and_history_parse_bare_arrays() {
    let server = MockServer::start_async().await;
    let chats = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/external/chat/user_456/chats")
                .header("authorization", bearer())
                .header("accept", "application/json");
            then.status(200).json_body(json!([{
                "chat_id": "chat_123", "client_id": "user_456", "status": "active",
                "last_activity": "2025-06-16T10:30:00Z", "message_count": 2
            }]));
        })
        .await;
    let history = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/chat_123/messages").header("authorization", bearer());
            then.status(200).json_body(json!([
                {"message_id": "m1", "sender": "user", "content": "Hi", "timestamp": "2025-06-16T10:29:00Z"},
                {"message_id": "m2", "sender": "assistant", "content": "Hello!", "created_at": "2025-06-16T10:30:00Z"}
            ]));
        })
        .await;
    let h = harness(&server);
    let list = h.client.list_chats("user_456").await.expect("chats");
    let messages = h.client.history("chat_123").await.expect("history");
    chats.assert_async().await;
    history.assert_async().await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].message_count(), Some(2));
    assert!(list[0].last_activity().is_some());
    let summary: Vec<_> = messages
        .iter()
        .map(|m| {
            (
                m.id(),
                m.sender().clone(),
                m.content(),
                m.time().to_rfc3339(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "m1",
                Sender::User,
                "Hi",
                "2025-06-16T10:29:00+00:00".to_owned()
            ),
            (
                "m2",
                Sender::Assistant,
                "Hello!",
                "2025-06-16T10:30:00+00:00".to_owned()
            ),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn append_message_sends_sender_content_and_metadata() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message").json_body(json!({
                "chat_id": "chat_123", "sender": "user", "content": "Do you offer annual billing?",
                "metadata": {"source": "website"}
            }));
            then.status(200).json_body(json!({
                "message_id": "msg_1", "chat_id": "chat_123", "sender": "user",
                "content": "Do you offer annual billing?", "processed": true,
                "agent_response": {"message_id": "msg_2", "content": "Yes, with two months free.", "timestamp": "2025-06-16T10:30:01Z"}
            }));
        })
        .await;
    let message = harness(&server)
        .client
        .append_message("chat_123", Sender::User, "Do you offer annual billing?")
        .meta("source", "website")
        .await
        .expect("message");
    mock.assert_async().await;
    assert_eq!(message.id(), "msg_1");
    assert_eq!(message.processed(), Some(true));
    assert_eq!(
        message.agent_response().map(|r| r.text()),
        Some("Yes, with two months free.")
    );
}

async fn ask_with(version: AgentVersion, path: &str) {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path)
                .header("authorization", bearer())
                .json_body(json!({
                    "chat_id": "chat_123", "content": "Hello! I need help with pricing.",
                    "metadata": {"source": "website", "user_tier": "premium"}
                }));
            then.status(200).json_body(reply_body());
        })
        .await;
    let reply = harness(&server)
        .client
        .ask("chat_123", "Hello! I need help with pricing.")
        .version(version)
        .meta("source", "website")
        .meta("user_tier", "premium")
        .await
        .expect("reply");
    mock.assert_async().await;
    assert_eq!(reply.text(), "Our plans start at $49/month.");
    assert_eq!(reply.chat_id(), Some("chat_123"));
    assert_eq!(reply.agent_id(), Some("agent_main"));
    assert_eq!(reply.message_id(), Some("msg_654"));
    assert!(reply.executed(&ToolName::LeadCapture));
    assert!(!reply.executed(&ToolName::EmailHandoff));
    let tools: Vec<_> = reply
        .tools_executed()
        .map(|t| {
            (
                t.tool().clone(),
                t.status().clone(),
                t.data().and_then(|d| d.email()),
            )
        })
        .collect();
    assert_eq!(
        tools,
        [(
            ToolName::LeadCapture,
            ToolStatus::Executed,
            Some("john@example.com")
        )]
    );
    assert!(reply.handoff().is_none());
    assert_eq!(reply.processing_time(), Some(1.25));
    assert_eq!(reply.tokens_used(), Some(412));
    assert_eq!(reply.knowledge_chunks_used(), Some(3));
    assert_eq!(
        reply
            .raw()
            .metadata
            .as_ref()
            .map(|m| m.extra["model"].clone()),
        Some(json!("x")),
        "unknown metadata keys are kept"
    );
}

#[tokio::test(start_paused = true)]
async fn ask_uses_v2_by_default() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/agent/v2");
            then.status(200).json_body(json!({"response": "Hi"}));
        })
        .await;
    let reply = harness(&server).client.ask("c", "Hi").await.expect("reply");
    mock.assert_async().await;
    assert_eq!(reply.text(), "Hi");
    assert_eq!(reply.tools_executed().len(), 0);
}

#[tokio::test(start_paused = true)]
async fn ask_v2() {
    ask_with(AgentVersion::V2, "/external/agent/v2").await;
}

#[tokio::test(start_paused = true)]
async fn ask_v3() {
    ask_with(AgentVersion::V3, "/external/agent/v3").await;
}

#[tokio::test(start_paused = true)]
async fn ask_legacy() {
    ask_with(AgentVersion::Legacy, "/external/agent").await;
}

#[tokio::test(start_paused = true)]
async fn capture_lead_appends_the_documented_assistant_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message").json_body(json!({
                "chat_id": "chat_123", "sender": "assistant",
                "content": "Lead captured for John Doe <john@example.com>",
                "metadata": {
                    "form_type": "lead_capture", "lead_collected": true, "full_name": "John Doe",
                    "email": "john@example.com", "company": "Acme Corp", "phone": "+1-555-123-4567",
                    "interest": "50 seat pilot"
                }
            }));
            then.status(200).json_body(json!({
                "message_id": "msg_987", "chat_id": "chat_123", "sender": "assistant",
                "content": "Lead captured for John Doe <john@example.com>", "created_at": "2025-06-16T10:30:00Z",
                "metadata": {"form_type": "lead_capture", "lead_collected": true, "interest": "50 seat pilot"}
            }));
        })
        .await;
    let lead = Lead {
        full_name: Some("John Doe".into()),
        company: Some("Acme Corp".into()),
        phone: Some("+1-555-123-4567".into()),
        ..Lead::new("john@example.com")
    };
    let message = harness(&server)
        .client
        .capture_lead("chat_123", &lead)
        .meta("interest", "50 seat pilot")
        .await
        .expect("lead");
    mock.assert_async().await;
    assert_eq!(message.id(), "msg_987");
    assert_eq!(
        message.metadata().map(|m| m["form_type"].clone()),
        Some(json!("lead_capture"))
    );
}

#[tokio::test(start_paused = true)]
async fn start_lead_chat_creates_a_lead_chat_then_seeds_it() {
    let server = MockServer::start_async().await;
    let chat = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/new-chat")
                .json_body(json!({
                    "client_id": "web_form_47", "ai_enabled": true, "lead_collected": true,
                    "metadata": {"campaign": "spring_launch"}
                }));
            then.status(200)
                .json_body(json!({"chat_id": "chat_456", "lead_collected": true}));
        })
        .await;
    let seed = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message").json_body(json!({
                "chat_id": "chat_456", "sender": "assistant", "content": "Lead captured: <lead@example.com>",
                "metadata": {"form_type": "lead_capture", "lead_collected": true, "email": "lead@example.com", "campaign": "spring_launch"}
            }));
            then.status(200).json_body(json!({"message_id": "msg_1"}));
        })
        .await;
    let lead = Lead::new("lead@example.com");
    let started = harness(&server)
        .client
        .start_lead_chat("web_form_47", &lead)
        .meta("campaign", "spring_launch")
        .await
        .expect("chat");
    chat.assert_async().await;
    seed.assert_async().await;
    assert_eq!(started.chat().id(), "chat_456");
    assert_eq!(started.seeded().expect("seeded").id(), "msg_1");
}

#[tokio::test(start_paused = true)]
async fn start_lead_chat_keeps_the_chat_when_seeding_fails() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-chat");
            then.status(200).json_body(json!({"chat_id": "chat_456"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(404)
                .json_body(json!({"error": "Not Found", "detail": "chat not ready"}));
        })
        .await;
    let started = harness(&server)
        .client
        .start_lead_chat("web_form_47", &Lead::new("lead@example.com"))
        .await
        .expect("the chat was created");
    assert_eq!(started.chat().id(), "chat_456");
    let seeded = started.seeded().expect_err("seeding failed");
    assert_eq!(seeded.kind(), &optimly::ErrorKind::NotFound);
    assert_eq!(
        seeded.operation(),
        Some(&optimly_api::operations::NEW_MESSAGE)
    );
}

#[tokio::test(start_paused = true)]
async fn request_appointment_appends_the_documented_user_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message").json_body(json!({
                "chat_id": "chat_789", "sender": "user",
                "content": "Book a 30-minute onboarding call on 2025-06-20 at 14:00 for Jane Smith",
                "metadata": {
                    "form_type": "appointment_request", "name": "Jane Smith", "email": "jane@company.com",
                    "date": "2025-06-20", "time": "14:00", "duration_minutes": 30,
                    "timezone": "America/New_York", "preferred_channel": "Zoom"
                }
            }));
            then.status(200).json_body(json!({"message_id": "msg_55", "sender": "user"}));
        })
        .await;
    let request = AppointmentRequest {
        subject: "onboarding call".into(),
        timezone: Some("America/New_York".into()),
        preferred_channel: Some("Zoom".into()),
        ..AppointmentRequest::new("Jane Smith", "jane@company.com", "2025-06-20", "14:00")
    };
    let message = harness(&server)
        .client
        .request_appointment("chat_789", &request)
        .await
        .expect("appointment");
    mock.assert_async().await;
    assert_eq!(message.id(), "msg_55");
}

#[tokio::test(start_paused = true)]
async fn hand_off_posts_the_automations_contract() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/email-handoff").json_body(json!({
                "chat_id": "chat_123", "customer_email": "enterprise-buyer@example.com",
                "reason": "Pricing approval", "context": "Lead qualified via chatbot, needs annual invoice",
                "metadata": {"priority": "high", "assigned_team": "Sales"}
            }));
            then.status(200).json_body(json!({"handoff_id": "handoff_789", "status": "queued", "chat_id": "chat_123"}));
        })
        .await;
    let handoff = EmailHandoff {
        customer_email: Some("enterprise-buyer@example.com".into()),
        reason: Some("Pricing approval".into()),
        context: Some("Lead qualified via chatbot, needs annual invoice".into()),
        urgency: Some(Urgency::High),
        assigned_team: Some("Sales".into()),
        ..EmailHandoff::default()
    };
    let queued = harness(&server)
        .client
        .hand_off("chat_123", &handoff)
        .await
        .expect("handoff");
    mock.assert_async().await;
    assert_eq!(queued.id(), "handoff_789");
    assert_eq!(queued.status(), Some(&HandoffStatus::Queued));
    assert_eq!(queued.chat_id(), Some("chat_123"));
}

#[tokio::test(start_paused = true)]
async fn conversation_keeps_its_chat_id_for_every_call() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/new-chat")
                .json_body(json!({"client_id": "user_456", "ai_enabled": true}));
            then.status(200).json_body(json!({"chat_id": "chat_42"}));
        })
        .await;
    let ask = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/agent/v3")
                .json_body(json!({"chat_id": "chat_42", "content": "Hi"}));
            then.status(200).json_body(json!({"response": "Hello!"}));
        })
        .await;
    let appended = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/new-message")
                .json_body_includes(r#"{"chat_id": "chat_42"}"#);
            then.status(200).json_body(json!({"message_id": "m"}));
        })
        .await;
    let handoff = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/email-handoff")
                .json_body(json!({"chat_id": "chat_42"}));
            then.status(200).json_body(json!({"handoff_id": "h"}));
        })
        .await;
    let history = server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/chat_42/messages");
            then.status(200).json_body(json!([{"message_id": "m"}]));
        })
        .await;
    let h = harness(&server);
    let conversation = h
        .client
        .start_conversation("user_456")
        .await
        .expect("conversation")
        .with_agent_version(AgentVersion::V3);
    assert_eq!(conversation.chat_id(), "chat_42");
    assert_eq!(
        conversation.ask("Hi").await.expect("reply").text(),
        "Hello!"
    );
    conversation
        .capture_lead(&Lead::new("a@example.com"))
        .await
        .expect("lead");
    conversation
        .request_appointment(&AppointmentRequest::new(
            "A",
            "a@example.com",
            "2025-06-20",
            "09:30",
        ))
        .await
        .expect("appointment");
    assert_eq!(
        conversation
            .hand_off(&EmailHandoff::default())
            .await
            .expect("handoff")
            .id(),
        "h"
    );
    assert_eq!(conversation.history().await.expect("history").len(), 1);
    create.assert_async().await;
    ask.assert_async().await;
    appended.assert_calls_async(2).await;
    handoff.assert_async().await;
    history.assert_async().await;

    let resumed = h.client.resume_conversation("chat_42").expect("resumed");
    assert_eq!(resumed.chat_id(), "chat_42");
    assert!(h.client.resume_conversation(" ").is_err());
}

async fn auth_way_places_the_key(auth: AuthMethod) {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            let when = when.method(GET).path("/external/chat/c/messages");
            match auth {
                AuthMethod::Bearer => when
                    .header("authorization", bearer())
                    .header_missing("x-api-key")
                    .query_param_missing("access_token_query"),
                AuthMethod::ApiKeyHeader => when
                    .header("x-api-key", KEY)
                    .header_missing("authorization")
                    .query_param_missing("access_token_query"),
                AuthMethod::QueryParam => when
                    .query_param("access_token_query", KEY)
                    .header_missing("authorization")
                    .header_missing("x-api-key"),
                other => panic!("no placement test for {other:?}"),
            };
            then.status(200).json_body(json!([]));
        })
        .await;
    harness_with(&server, auth, RetryPolicy::default())
        .client
        .history("c")
        .await
        .expect("history");
    mock.assert_async().await;
}

#[tokio::test(start_paused = true)]
async fn each_auth_way_places_the_key_where_the_docs_say() {
    for auth in [
        AuthMethod::Bearer,
        AuthMethod::ApiKeyHeader,
        AuthMethod::QueryParam,
    ] {
        auth_way_places_the_key(auth).await;
    }
}
