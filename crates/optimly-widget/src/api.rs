//! The JSON API the widget calls (`openapi/widget.yaml`), and its one error shape.

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::PrivateCookieJar;
use optimly::{AgentReply, AppointmentRequest, EmailHandoff, Lead, Message, Sender};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::refusal::{Refusal, no_store};
use crate::visitor::{Visitor, check_origin};

type Widget = State<crate::State>;

/// A success: `body` as JSON, never cached.
fn ok<T: Serialize>(body: T) -> Result<Response, Refusal> {
    Ok(no_store(Json(body).into_response()))
}

/// Read a JSON body of type `T`, within the size cap; a missing or unknown field is named.
async fn read<T: DeserializeOwned>(shared: &Shared, body: Body) -> Result<T, Refusal> {
    let bytes = to_bytes(body, shared.max_body_bytes).await.map_err(|_| {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request is larger than {} bytes.",
                shared.max_body_bytes
            ),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let text = e.to_string();
        // serde names the field in backticks: `missing field `email``, `unknown field `x``.
        let named = |prefix: &str| {
            text.strip_prefix(prefix)
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned)
        };
        if let Some(field) = named("missing field `") {
            Refusal::field(&field, "is required")
        } else if let Some(field) = named("unknown field `") {
            Refusal::field(&field, "is not a field of this form")
        } else {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "The request body is not the JSON this route takes.",
            )
        }
    })
}

/// A form or message that may reach Optimly: it came from an allowed origin, with the
/// visitor's cookie and a body this route reads, and the visitor's own limit had room.
pub(crate) struct Admitted<T> {
    shared: Arc<Shared>,
    visitor: Visitor,
    form: T,
}

impl<T: DeserializeOwned> FromRequest<crate::State> for Admitted<T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &crate::State) -> Result<Self, Refusal> {
        let shared = Arc::clone(&state.0);
        let (parts, body) = request.into_parts();
        check_origin(&shared, &parts.headers)?;
        let jar = PrivateCookieJar::from_headers(&parts.headers, shared.key.clone());
        let visitor = Visitor::required(&jar, &parts.headers)?;
        let form = read(&shared, body).await?;
        count(&shared, &visitor.id)?;
        Ok(Self {
            shared,
            visitor,
            form,
        })
    }
}

/// A visitor's request that reaches Optimly counts against their own limit.
fn count(shared: &Shared, visitor: &str) -> Result<(), Refusal> {
    shared
        .visitors
        .take(visitor)
        .map_err(|wait| Refusal::wait("Too many messages; please wait a moment.", Some(wait)))
}

#[derive(Serialize)]
struct Started {
    resumed: bool,
}

/// `POST /api/conversation`: the conversation in the visitor's cookie, or a new one.
pub(crate) async fn start_conversation(
    State(crate::State(shared)): Widget,
    jar: PrivateCookieJar,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    check_origin(&shared, &headers)?;
    // A cookie this server cannot read (another secret, say) is replaced.
    if let Ok(Some(_)) = Visitor::from_request(&jar, &headers) {
        return ok(Started { resumed: true });
    }
    let id = Visitor::new_id();
    count(&shared, &id)?;
    let conversation = shared.client.start_conversation(id.as_str()).await?;
    let visitor = Visitor {
        id,
        chat_id: conversation.chat_id().to_owned(),
    };
    let jar = jar.add(visitor.cookie(&shared));
    Ok((jar, ok(Started { resumed: false })?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewMessage {
    content: String,
}

/// The agent's answer to one message.
#[derive(Serialize)]
struct Reply {
    reply: Said,
    tools: Vec<Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    handoff: Option<Handoff>,
}

/// One message, as the widget shows it.
#[derive(Serialize)]
struct Said {
    role: &'static str,
    content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
}

#[derive(Serialize)]
struct Tool {
    tool: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

#[derive(Serialize)]
struct Handoff {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

impl From<&AgentReply> for Reply {
    fn from(reply: &AgentReply) -> Self {
        Self {
            reply: Said {
                role: "assistant",
                content: reply.text().to_owned(),
                time: reply.time().map(|t| t.to_rfc3339()),
            },
            tools: reply
                .tools_executed()
                .filter_map(|t| {
                    Some(Tool {
                        tool: t.tool()?.to_string(),
                        status: t.status().map(ToString::to_string),
                    })
                })
                .collect(),
            handoff: reply.handoff().map(|h| Handoff {
                id: h.id().map(str::to_owned),
                status: h.status().map(|s| s.to_string()),
            }),
        }
    }
}

/// `POST /api/messages`: send the visitor's message; the agent's reply.
pub(crate) async fn send_message(
    Admitted {
        shared,
        visitor,
        form: message,
    }: Admitted<NewMessage>,
) -> Result<Response, Refusal> {
    let content = message.content.trim();
    if content.is_empty() {
        return Err(Refusal::field("content", "is required"));
    }
    let chars = content.chars().count();
    if chars > shared.max_message_chars {
        return Err(Refusal::field(
            "content",
            format!(
                "is {chars} characters long; at most {} are taken",
                shared.max_message_chars
            ),
        ));
    }
    let conversation = shared.client.resume_conversation(visitor.chat_id)?;
    let reply = conversation.send(content).await?;
    ok(Reply::from(&reply))
}

#[derive(Serialize)]
struct Messages {
    messages: Vec<Said>,
}

impl From<&Message> for Said {
    fn from(message: &Message) -> Self {
        Self {
            role: match message.sender() {
                Some(Sender::User) => "user",
                Some(Sender::Assistant) => "assistant",
                _ => "other",
            },
            content: message.content().to_owned(),
            time: message.time().map(|t| t.to_rfc3339()),
        }
    }
}

/// `GET /api/messages`: the visitor's history, oldest first.
pub(crate) async fn history(
    State(crate::State(shared)): Widget,
    jar: PrivateCookieJar,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let visitor = Visitor::required(&jar, &headers)?;
    count(&shared, &visitor.id)?;
    let messages = shared.client.history(visitor.chat_id.as_str()).await?;
    ok(Messages {
        messages: messages.iter().map(Said::from).collect(),
    })
}

/// What a form left in the chat.
#[derive(Serialize)]
struct Recorded {
    message_id: String,
}

impl From<&Message> for Recorded {
    fn from(message: &Message) -> Self {
        Self {
            message_id: message.id().to_owned(),
        }
    }
}

/// `POST /api/lead`: the lead form.
pub(crate) async fn lead(
    Admitted {
        shared,
        visitor,
        form,
    }: Admitted<Lead>,
) -> Result<Response, Refusal> {
    let message = shared.client.capture_lead(&visitor.chat_id, &form).await?;
    ok(Recorded::from(&message))
}

/// `POST /api/appointment`: the booking form.
pub(crate) async fn appointment(
    Admitted {
        shared,
        visitor,
        form,
    }: Admitted<AppointmentRequest>,
) -> Result<Response, Refusal> {
    let message = shared
        .client
        .request_appointment(&visitor.chat_id, &form)
        .await?;
    ok(Recorded::from(&message))
}

#[derive(Serialize)]
struct HandedOff {
    handoff_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

/// `POST /api/handoff`: ask for a human by email.
pub(crate) async fn handoff(
    Admitted {
        shared,
        visitor,
        form,
    }: Admitted<EmailHandoff>,
) -> Result<Response, Refusal> {
    let handoff = shared.client.hand_off(&visitor.chat_id, &form).await?;
    ok(HandedOff {
        handoff_id: handoff.id().to_owned(),
        status: handoff.status().map(ToString::to_string),
    })
}
