//! The operations themselves: chats, messages, the agent's turn, handoffs.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use optimly_api::operations::{self};
use optimly_api::{Operation, types};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::agent;

use super::answers::*;
use super::gate::*;
use super::store::*;

pub(super) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An unknown chat, as a FastAPI handler raises it (`HTTPException(404, ...)`).
pub(super) fn not_found(what: &str, id: &str) -> Response {
    detail(StatusCode::NOT_FOUND, &format!("{what} {id} not found"))
}

pub(super) fn json_response<T: Serialize>(value: &T) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

// ---- chats

pub(super) type JsonBody = Option<Result<Value, serde_json::Error>>;

pub(super) fn create(shared: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::ChatBase = match parse_body(shared, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&shared.store);
    let chat_id = store.id("chat");
    let chat = types::Chat {
        chat_id: chat_id.clone(),
        agent_id: Some("agent_mock".into()),
        client_id: Some(body.client_id),
        ai_enabled: Some(body.ai_enabled),
        lead_collected: Some(body.lead_collected.unwrap_or(false)),
        status: Some(types::ChatStatus::Active),
        metadata: body.metadata,
        created_at: Some(now()),
        last_activity: None,
        message_count: None,
    };
    store.chats.insert(
        chat_id,
        ChatRecord {
            chat: chat.clone(),
            messages: Vec::new(),
        },
    );
    json_response(&chat)
}

pub(super) fn list_client_chats(s: &Shared, client_id: &str) -> Response {
    let store = lock(&s.store);
    let chats: Vec<types::Chat> = store
        .chats
        .values()
        .filter(|c| c.chat.client_id.as_deref() == Some(client_id))
        .map(|c| {
            let mut chat = c.chat.clone();
            chat.message_count = i64::try_from(c.messages.len()).ok();
            chat.last_activity = c
                .messages
                .last()
                .and_then(|m| m.created_at.clone())
                .or(chat.created_at.clone());
            chat
        })
        .collect();
    json_response(&chats)
}

/// A chat's messages, each with its time as `timestamp`, as the chat management page shows
/// them (the new-message reply has it as `created_at`, as the automations page shows it).
pub(super) fn list_chat_messages(s: &Shared, chat_id: &str) -> Response {
    let mut store = lock(&s.store);
    store.knows(chat_id, s.config.ad_hoc_chats);
    match store.chats.get(chat_id) {
        Some(chat) => {
            let listed: Vec<types::Message> = chat
                .messages
                .iter()
                .cloned()
                .map(|mut m| {
                    m.timestamp = m.created_at.take();
                    m
                })
                .collect();
            json_response(&listed)
        }
        None => not_found("chat", chat_id),
    }
}

/// An appointment request's date and time, when they are before now (UTC: the time zone a
/// request may name is not looked up).
pub(super) fn in_the_past(metadata: Option<&types::Metadata>) -> bool {
    let field = |k: &str| metadata.and_then(|m| m.get(k)).and_then(Value::as_str);
    let Some(Ok(date)) = field("date").map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"))
    else {
        return false;
    };
    let time = field("time")
        .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
        .unwrap_or(chrono::NaiveTime::MIN);
    date.and_time(time) < chrono::Utc::now().naive_utc()
}

// ---- messages and the agent

pub(super) fn message(
    store: &mut Store,
    chat_id: &str,
    sender: types::Sender,
    content: &str,
    metadata: Option<types::Metadata>,
) -> types::Message {
    types::Message {
        message_id: store.id("msg"),
        chat_id: Some(chat_id.to_owned()),
        sender: Some(sender),
        content: Some(content.to_owned()),
        metadata,
        created_at: Some(now()),
        timestamp: None,
        processed: None,
        agent_response: None,
    }
}

/// The agent answers a user message: the reply is stored, and every tool it ran is captured,
/// except the one the message itself already `recorded`.
pub(super) fn agent_turn(
    store: &mut Store,
    chat_id: &str,
    content: &str,
    recorded: Option<&types::ToolName>,
) -> (types::Message, agent::Outcome, Option<Map<String, Value>>) {
    let outcome = agent::respond(content);
    let reply = message(
        store,
        chat_id,
        types::Sender::Assistant,
        &outcome.text,
        None,
    );
    let mut handoff_data = None;
    for (tool, data) in &outcome.tools {
        if Some(tool) == recorded {
            continue;
        }
        let record = json!({"chat_id": chat_id, "source": "agent", "data": data});
        match tool {
            types::ToolName::LeadCapture => store.captured.leads.push(record),
            types::ToolName::Appointment => store.captured.appointments.push(record),
            _ => {
                let handoff_id = store.id("handoff");
                let reason = outcome.handoff_reason.clone().unwrap_or_default();
                let mut h = Map::new();
                h.insert("handoff_id".into(), json!(handoff_id));
                h.insert("status".into(), json!("queued"));
                h.insert("reason".into(), json!(reason));
                store.captured.handoffs.push(json!({"chat_id": chat_id, "source": "agent", "handoff_id": handoff_id, "reason": reason}));
                handoff_data = Some(h);
            }
        }
    }
    if let Some(record) = store.chats.get_mut(chat_id) {
        record.messages.push(reply.clone());
    }
    (reply, outcome, handoff_data)
}

pub(super) fn ask(shared: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::AgentRequest = match parse_body(shared, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&shared.store);
    if !store.knows(&body.chat_id, shared.config.ad_hoc_chats) {
        return not_found("chat", &body.chat_id);
    }
    let user = message(
        &mut store,
        &body.chat_id,
        types::Sender::User,
        &body.content,
        body.metadata,
    );
    if let Some(record) = store.chats.get_mut(&body.chat_id) {
        record.messages.push(user);
    }
    let (reply, outcome, handoff_data) = agent_turn(&mut store, &body.chat_id, &body.content, None);
    let tools: Vec<Value> = outcome
        .tools
        .iter()
        .map(|(tool, data)| json!({"tool": tool.as_str(), "status": "executed", "data": data}))
        .collect();
    json_response(&json!({
        "agent_id": "agent_mock",
        "chat_id": body.chat_id,
        "response": outcome.text,
        "message_id": reply.message_id,
        "timestamp": reply.created_at,
        // Unset when no tool ran, so sent as null, as a FastAPI server sends it.
        "tools_executed": (!tools.is_empty()).then_some(tools),
        "handoff_data": handoff_data,
        "metadata": {"processing_time": 0.0, "tokens_used": body.content.split_whitespace().count(), "knowledge_chunks_used": 0}
    }))
}

pub(super) fn new_message(s: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::MessageCore = match parse_body(s, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&s.store);
    store.knows(&body.chat_id, s.config.ad_hoc_chats);
    let Some(ai_enabled) = store
        .chats
        .get(&body.chat_id)
        .map(|c| c.chat.ai_enabled != Some(false))
    else {
        return not_found("chat", &body.chat_id);
    };
    let form_type = body
        .metadata
        .as_ref()
        .and_then(|m| m.get("form_type"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let appointment =
        form_type.is_some() && form_type.as_deref() == operations::REQUEST_APPOINTMENT.form_type();
    // The tools page's example of a tool that fails: an appointment in the past.
    if appointment && in_the_past(body.metadata.as_ref()) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Tool execution failed",
            "Unable to schedule appointment for past date",
        );
    }
    let mut stored = message(
        &mut store,
        &body.chat_id,
        types::Sender::from(body.sender.to_string()),
        &body.content,
        body.metadata.clone(),
    );
    let record = json!({
        "chat_id": body.chat_id, "source": "message", "message_id": stored.message_id,
        "sender": body.sender, "content": body.content, "metadata": body.metadata
    });
    match form_type.as_deref() {
        Some("lead_capture") => {
            store.captured.leads.push(record);
            // A lead message marks its chat as having collected a lead.
            if let Some(chat) = store.chats.get_mut(&body.chat_id) {
                chat.chat.lead_collected = Some(true);
            }
        }
        _ if appointment => store.captured.appointments.push(record),
        _ => {}
    }
    if let Some(chat) = store.chats.get_mut(&body.chat_id) {
        chat.messages.push(stored.clone());
    }
    // "Triggers response generation if the sender is the user."
    if body.sender == types::NewMessageSender::User && ai_enabled {
        // An appointment request the message itself recorded is not recorded again when
        // the agent, reading it, runs its appointment tool.
        let recorded = appointment.then_some(&types::ToolName::Appointment);
        let (reply, _, _) = agent_turn(&mut store, &body.chat_id, &body.content, recorded);
        stored.processed = Some(true);
        stored.agent_response = Some(types::AgentResponse {
            message_id: Some(reply.message_id),
            content: reply.content,
            timestamp: reply.created_at,
        });
    }
    json_response(&stored)
}

pub(super) fn email_handoff(s: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::EmailHandoffRequest = match parse_body(s, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&s.store);
    if !store.knows(&body.chat_id, s.config.ad_hoc_chats) {
        return not_found("chat", &body.chat_id);
    }
    let handoff_id = store.id("handoff");
    store.captured.handoffs.push(json!({
        "chat_id": body.chat_id, "source": "request", "handoff_id": handoff_id,
        "customer_email": body.customer_email, "reason": body.reason, "context": body.context, "metadata": body.metadata
    }));
    json_response(&types::EmailHandoff {
        handoff_id,
        status: Some(types::HandoffStatus::Queued),
        chat_id: Some(body.chat_id),
    })
}
