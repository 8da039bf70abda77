//! Every enum of the spec is open: an unknown value parses to `Unknown` and serialises back
//! unchanged, so a server that adds a value breaks no user.

use httpmock::prelude::*;
use optimly_api::types::{ChatStatus, HandoffStatus, Message, Sender, ToolName, ToolStatus};
use optimly_api::{Auth, Client, Context};
use serde_json::json;

#[test]
fn known_values_parse_to_their_variants() {
    assert_eq!(
        serde_json::from_value::<Sender>(json!("user")).ok(),
        Some(Sender::User)
    );
    assert_eq!(
        serde_json::from_value::<ToolName>(json!("email_handoff")).ok(),
        Some(ToolName::EmailHandoff)
    );
    assert_eq!("queued".parse::<HandoffStatus>(), Ok(HandoffStatus::Queued));
    assert_eq!(ChatStatus::Active.to_string(), "active");
    assert_eq!(Sender::KNOWN, ["user", "assistant"]);
}

#[test]
fn unknown_values_round_trip_unchanged() {
    for raw in ["system", "", "Assistant", "ünïcødé 🙂"] {
        let parsed: Sender = serde_json::from_value(json!(raw)).expect("any string parses");
        assert_eq!(parsed, Sender::Unknown(raw.to_owned()));
        assert!(parsed.is_unknown());
        assert_eq!(parsed.as_str(), raw);
        assert_eq!(
            serde_json::to_value(&parsed).expect("serialises"),
            json!(raw)
        );
    }
}

#[test]
fn a_non_string_is_still_a_decode_error() {
    assert!(serde_json::from_value::<ToolStatus>(json!(3)).is_err());
}

#[tokio::test]
async fn a_response_with_unknown_values_parses_and_serialises_back_unchanged() {
    let body = json!([{
        "message_id": "msg_1",
        "sender": "system",
        "content": "Chat archived",
        "metadata": {"form_type": "crm_sync"}
    }]);
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/chat_1/messages");
            then.status(200).json_body(body.clone());
        })
        .await;
    let messages: Vec<Message> = Client::new(&server.base_url(), Context::new(Auth::None))
        .list_chat_messages()
        .chat_id("chat_1")
        .send()
        .await
        .expect("unknown values do not fail the response")
        .into_inner();
    assert_eq!(messages[0].sender, Some(Sender::Unknown("system".into())));
    assert_eq!(serde_json::to_value(&messages).expect("serialises"), body);
}

#[tokio::test]
async fn an_unknown_tool_in_an_agent_reply_is_kept() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/agent/v2");
            then.status(200).json_body(json!({
                "response": "Synced.",
                "tools_executed": [{"tool": "crm_sync", "status": "failed", "data": {}}]
            }));
        })
        .await;
    let reply = Client::new(&server.base_url(), Context::new(Auth::None))
        .call_agent_v2()
        .body(
            optimly_api::types::AgentRequest::builder()
                .chat_id("c")
                .content("sync"),
        )
        .send()
        .await
        .expect("parses")
        .into_inner();
    let tools = reply.tools_executed.expect("tools_executed");
    assert_eq!(tools[0].tool, Some(ToolName::Unknown("crm_sync".into())));
    assert_eq!(tools[0].status, Some(ToolStatus::Unknown("failed".into())));
}
