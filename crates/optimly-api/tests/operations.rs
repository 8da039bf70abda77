//! Every operation of the spec against httpmock: the exact method, path, auth header and JSON
//! body go out, and the documented response comes back parsed.

use httpmock::prelude::*;
use optimly_api::types::{self, Sender, ToolName, ToolStatus};
use optimly_api::{Auth, Client, Context};
use serde_json::{Value, json};

const KEY: &str = "agt_0123456789abcdefABCDEF0123456789";

fn client(server: &MockServer) -> Client {
    Client::new(&server.base_url(), Context::new(Auth::bearer(KEY)))
}

fn metadata(value: Value) -> types::Metadata {
    match value {
        Value::Object(map) => types::Metadata(map),
        other => panic!("test metadata must be an object, got {other}"),
    }
}

/// The agent reply with every field API-NOTES lists for the v2 reference (the three seed pages
/// show no reply body of their own).
fn agent_reply() -> Value {
    json!({
        "agent_id": "agent_main",
        "chat_id": "conversation_123",
        "response": "Our plans start at $49/month. Could I get your email to send details?",
        "message_id": "msg_654",
        "timestamp": "2025-06-16T10:30:00Z",
        "tools_executed": [
            {"tool": "lead_capture", "status": "executed", "data": {"email": "john@example.com"}}
        ],
        "handoff_data": null,
        "metadata": {"processing_time": 1.25, "tokens_used": 412, "knowledge_chunks_used": 3}
    })
}

/// The overview's "Send a Message (Enhanced)" request.
fn pricing_question() -> types::builder::AgentRequest {
    types::AgentRequest::builder()
        .chat_id("conversation_123")
        .content("Hello! I need help with pricing.")
        .metadata(metadata(
            json!({"source": "website", "user_tier": "premium"}),
        ))
}

fn assert_agent_reply(reply: &types::AgentReply) {
    assert_eq!(reply.agent_id.as_deref(), Some("agent_main"));
    assert_eq!(reply.chat_id.as_deref(), Some("conversation_123"));
    assert_eq!(
        reply.response,
        "Our plans start at $49/month. Could I get your email to send details?"
    );
    assert_eq!(reply.message_id.as_deref(), Some("msg_654"));
    assert_eq!(reply.timestamp.as_deref(), Some("2025-06-16T10:30:00Z"));
    let tools = reply.tools_executed.as_deref().unwrap_or_default();
    assert_eq!(tools.len(), 1);
    let tool = &tools[0];
    assert_eq!(tool.tool, Some(ToolName::LeadCapture));
    assert_eq!(tool.status, Some(ToolStatus::Executed));
    assert_eq!(
        tool.data.as_ref().map(|d| d.0.clone()),
        Some(
            json!({"email": "john@example.com"})
                .as_object()
                .cloned()
                .unwrap_or_default()
        )
    );
    assert_eq!(reply.handoff_data, None);
    let meta = reply.metadata.as_ref().expect("metadata");
    assert_eq!(meta.processing_time, Some(1.25));
    assert_eq!(meta.tokens_used, Some(412));
    assert_eq!(meta.knowledge_chunks_used, Some(3));
    assert!(meta.extra.is_empty());
}

async fn agent_call_round_trip(path: &str) -> (MockServer, types::AgentReply) {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path)
                .header("authorization", format!("Bearer {KEY}"))
                .header("content-type", "application/json")
                .json_body(json!({
                    "chat_id": "conversation_123",
                    "content": "Hello! I need help with pricing.",
                    "metadata": {"source": "website", "user_tier": "premium"}
                }));
            then.status(200).json_body(agent_reply());
        })
        .await;
    let api = client(&server);
    let reply = match path {
        "/external/agent" => {
            #[allow(deprecated)]
            let call = api.call_agent();
            call.body(pricing_question()).send().await
        }
        "/external/agent/v2" => api.call_agent_v2().body(pricing_question()).send().await,
        "/external/agent/v3" => api.call_agent_v3().body(pricing_question()).send().await,
        other => panic!("not an agent path: {other}"),
    }
    .expect("agent reply")
    .into_inner();
    mock.assert_async().await;
    (server, reply)
}

#[tokio::test]
async fn call_agent_posts_to_the_legacy_endpoint() {
    let (_server, reply) = agent_call_round_trip("/external/agent").await;
    assert_agent_reply(&reply);
}

#[tokio::test]
async fn call_agent_v2_posts_the_overview_example() {
    let (_server, reply) = agent_call_round_trip("/external/agent/v2").await;
    assert_agent_reply(&reply);
}

#[tokio::test]
async fn call_agent_v3_posts_the_v2_body() {
    let (_server, reply) = agent_call_round_trip("/external/agent/v3").await;
    assert_agent_reply(&reply);
}

/// The automations page's "Create a dedicated lead chat" request and response.
fn lead_chat_request() -> types::builder::ChatBase {
    types::ChatBase::builder()
        .client_id("web_form_47")
        .ai_enabled(true)
        .lead_collected(true)
        .metadata(metadata(
            json!({"source": "homepage hero", "campaign": "spring_launch"}),
        ))
}

fn lead_chat_body() -> Value {
    json!({
        "client_id": "web_form_47",
        "ai_enabled": true,
        "lead_collected": true,
        "metadata": {"source": "homepage hero", "campaign": "spring_launch"}
    })
}

fn lead_chat_response() -> Value {
    json!({
        "chat_id": "chat_456",
        "client_id": "web_form_47",
        "agent_id": "agent_main",
        "ai_enabled": true,
        "lead_collected": true,
        "metadata": {"source": "homepage hero", "campaign": "spring_launch"},
        "created_at": "2025-06-16T10:30:00Z"
    })
}

fn assert_lead_chat(chat: &types::Chat) {
    assert_eq!(chat.chat_id, "chat_456");
    assert_eq!(chat.client_id.as_deref(), Some("web_form_47"));
    assert_eq!(chat.agent_id.as_deref(), Some("agent_main"));
    assert_eq!(chat.ai_enabled, Some(true));
    assert_eq!(chat.lead_collected, Some(true));
    assert_eq!(
        chat.metadata.as_ref().map(|m| Value::Object(m.0.clone())),
        Some(json!({"source": "homepage hero", "campaign": "spring_launch"}))
    );
    assert_eq!(chat.created_at.as_deref(), Some("2025-06-16T10:30:00Z"));
    assert_eq!(chat.status, None);
}

#[tokio::test]
async fn new_chat_posts_the_lead_chat_example_and_parses_the_chat() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/new-chat")
                .header("authorization", format!("Bearer {KEY}"))
                .json_body(lead_chat_body());
            then.status(200).json_body(lead_chat_response());
        })
        .await;
    let chat = client(&server)
        .new_chat()
        .body(lead_chat_request())
        .send()
        .await
        .expect("chat")
        .into_inner();
    mock.assert_async().await;
    assert_lead_chat(&chat);
}

#[tokio::test]
async fn create_chat_posts_to_external_chat_with_ai_enabled_defaulting_to_true() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/chat")
                .header("authorization", format!("Bearer {KEY}"))
                // The overview's example sends only client_id; the spec's default is sent.
                .json_body(json!({"client_id": "user_456", "ai_enabled": true}));
            then.status(200).json_body(
                json!({"chat_id": "chat_123", "client_id": "user_456", "status": "active"}),
            );
        })
        .await;
    let chat = client(&server)
        .create_chat()
        .body(types::ChatBase::builder().client_id("user_456"))
        .send()
        .await
        .expect("chat")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(chat.chat_id, "chat_123");
    assert_eq!(chat.client_id.as_deref(), Some("user_456"));
    assert_eq!(chat.status, Some(types::ChatStatus::Active));
}

#[tokio::test]
async fn new_message_posts_the_lead_capture_example_and_parses_the_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/new-message")
                .header("authorization", format!("Bearer {KEY}"))
                .json_body(json!({
                    "chat_id": "chat_123",
                    "sender": "assistant",
                    "content": "Lead captured for John Doe <john@example.com>",
                    "metadata": {
                        "form_type": "lead_capture",
                        "company": "Acme Corp",
                        "phone": "+1-555-123-4567",
                        "lead_collected": true,
                        "interest": "50 seat pilot"
                    }
                }));
            then.status(200).json_body(json!({
                "message_id": "msg_987",
                "chat_id": "chat_123",
                "sender": "assistant",
                "content": "Lead captured for John Doe <john@example.com>",
                "created_at": "2025-06-16T10:30:00Z",
                "metadata": {"form_type": "lead_capture", "lead_collected": true, "interest": "50 seat pilot"}
            }));
        })
        .await;
    let message = client(&server)
        .new_message()
        .body(
            types::MessageCore::builder()
                .chat_id("chat_123")
                .sender(types::NewMessageSender::Assistant)
                .content("Lead captured for John Doe <john@example.com>")
                .metadata(metadata(json!({
                    "form_type": "lead_capture",
                    "company": "Acme Corp",
                    "phone": "+1-555-123-4567",
                    "lead_collected": true,
                    "interest": "50 seat pilot"
                }))),
        )
        .send()
        .await
        .expect("message")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(message.message_id, "msg_987");
    assert_eq!(message.chat_id.as_deref(), Some("chat_123"));
    assert_eq!(message.sender, Some(Sender::Assistant));
    assert_eq!(
        message.content.as_deref(),
        Some("Lead captured for John Doe <john@example.com>")
    );
    assert_eq!(message.created_at.as_deref(), Some("2025-06-16T10:30:00Z"));
    assert_eq!(message.timestamp, None);
    assert_eq!(
        message.metadata.map(|m| Value::Object(m.0)),
        Some(
            json!({"form_type": "lead_capture", "lead_collected": true, "interest": "50 seat pilot"})
        )
    );
}

#[tokio::test]
async fn email_handoff_posts_the_automations_example_and_parses_the_handoff() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/external/message/email-handoff")
                .header("authorization", format!("Bearer {KEY}"))
                .json_body(json!({
                    "chat_id": "chat_123",
                    "customer_email": "enterprise-buyer@example.com",
                    "reason": "Pricing approval",
                    "context": "Lead qualified via chatbot, needs annual invoice",
                    "metadata": {"priority": "high", "assigned_team": "Sales"}
                }));
            then.status(200).json_body(
                json!({"handoff_id": "handoff_789", "status": "queued", "chat_id": "chat_123"}),
            );
        })
        .await;
    let handoff = client(&server)
        .email_handoff()
        .body(
            types::EmailHandoffRequest::builder()
                .chat_id("chat_123")
                .customer_email(Some("enterprise-buyer@example.com".to_string()))
                .reason(Some("Pricing approval".to_string()))
                .context(Some(
                    "Lead qualified via chatbot, needs annual invoice".to_string(),
                ))
                .metadata(metadata(
                    json!({"priority": "high", "assigned_team": "Sales"}),
                )),
        )
        .send()
        .await
        .expect("handoff")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(handoff.handoff_id, "handoff_789");
    assert_eq!(handoff.status, Some(types::HandoffStatus::Queued));
    assert_eq!(handoff.chat_id.as_deref(), Some("chat_123"));
}

#[tokio::test]
async fn list_chat_messages_gets_a_bare_array_with_both_time_fields() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/external/chat/chat_123/messages")
                .header("authorization", format!("Bearer {KEY}"));
            then.status(200).json_body(json!([
                {
                    "message_id": "msg_1", "chat_id": "chat_123", "sender": "user",
                    "content": "Hello! I need help with pricing.", "timestamp": "2025-06-16T10:29:58Z",
                    "processed": true,
                    "agent_response": {"message_id": "msg_2", "content": "Happy to help.", "timestamp": "2025-06-16T10:30:00Z"}
                },
                {
                    "message_id": "msg_987", "chat_id": "chat_123", "sender": "assistant",
                    "content": "Lead captured for John Doe <john@example.com>", "created_at": "2025-06-16T10:30:00Z"
                }
            ]));
        })
        .await;
    let messages = client(&server)
        .list_chat_messages()
        .chat_id("chat_123")
        .send()
        .await
        .expect("messages")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].message_id, "msg_1");
    assert_eq!(messages[0].sender, Some(Sender::User));
    assert_eq!(
        messages[0].timestamp.as_deref(),
        Some("2025-06-16T10:29:58Z")
    );
    assert_eq!(messages[0].processed, Some(true));
    let inline = messages[0].agent_response.as_ref().expect("agent_response");
    assert_eq!(inline.message_id.as_deref(), Some("msg_2"));
    assert_eq!(inline.content.as_deref(), Some("Happy to help."));
    assert_eq!(
        messages[1].created_at.as_deref(),
        Some("2025-06-16T10:30:00Z")
    );
    assert_eq!(messages[1].timestamp, None);
}

#[tokio::test]
async fn list_chat_messages_percent_encodes_the_chat_id() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/external/chat/chat%2F1%20x/messages");
            then.status(200).json_body(json!([]));
        })
        .await;
    let messages = client(&server)
        .list_chat_messages()
        .chat_id("chat/1 x")
        .send()
        .await
        .expect("messages")
        .into_inner();
    mock.assert_async().await;
    assert!(messages.is_empty());
}

#[tokio::test]
async fn list_client_chats_gets_chats_with_activity_and_counts() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/external/chat/user_456/chats")
                .header("authorization", format!("Bearer {KEY}"));
            then.status(200).json_body(json!([{
                "chat_id": "chat_123", "agent_id": "agent_main", "client_id": "user_456",
                "status": "active", "created_at": "2025-06-16T10:00:00Z",
                "last_activity": "2025-06-16T10:30:00Z", "message_count": 4
            }]));
        })
        .await;
    let chats = client(&server)
        .list_client_chats()
        .client_id("user_456")
        .send()
        .await
        .expect("chats")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].chat_id, "chat_123");
    assert_eq!(chats[0].status, Some(types::ChatStatus::Active));
    assert_eq!(
        chats[0].last_activity.as_deref(),
        Some("2025-06-16T10:30:00Z")
    );
    assert_eq!(chats[0].message_count, Some(4));
}

#[tokio::test]
async fn a_missing_required_field_fails_before_any_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let err = client(&server)
        .new_message()
        .body(
            types::MessageCore::builder()
                .chat_id("chat_123")
                .content("hi"),
        )
        .send()
        .await
        .expect_err("sender is required");
    assert!(
        matches!(&err, optimly_api::Error::InvalidRequest(m) if m == "conversion to `MessageCore` for body failed: no value supplied for sender"),
        "{err:?}"
    );

    // A path parameter never set.
    let err = client(&server)
        .list_chat_messages()
        .send()
        .await
        .expect_err("chat_id is required");
    assert!(
        matches!(&err, optimly_api::Error::InvalidRequest(m) if m == "chat_id was not initialized"),
        "{err:?}"
    );

    assert_eq!(mock.calls_async().await, 0);
}
