//! The JSON API the widget calls (`openapi/widget.yaml`), and its one error shape.

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::PrivateCookieJar;
use optimly::{AgentReply, Message, RequestOptions, Sender};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::forms::{AppointmentForm, HandoffForm, LeadForm};
use crate::limits::Spend;
use crate::refusal::{Refusal, no_store};
use crate::visitor::{Caller, Identity, Visitor, check_origin, client_address};

/// A success: `body` as JSON, never cached.
fn ok<T: Serialize>(body: T) -> Result<Response, Refusal> {
    Ok(no_store(Json(body).into_response()))
}

/// A JSON route's body must say it is JSON: a `text/plain` form post from another site is
/// refused before it is read.
fn require_json(headers: &HeaderMap) -> Result<(), Refusal> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err(Refusal::not_json())
    }
}

/// Read a JSON body of type `T`, within the size cap and the body timeout; a missing or
/// unknown field is named.
async fn read<T: DeserializeOwned>(shared: &Shared, body: Body) -> Result<T, Refusal> {
    let bytes = tokio::time::timeout(shared.body_timeout, to_bytes(body, shared.max_body_bytes))
        .await
        .map_err(|_| Refusal::slow_body())?
        .map_err(|_| {
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

/// Who the site says the request's visitor is (nobody, without an identity hook).
async fn identify(shared: &Shared, parts: &Parts) -> Option<Identity> {
    match &shared.identify {
        Some(hook) => hook(parts).await,
        None => None,
    }
}

/// The request's caller: its cookie's visitor, who must be whom the site says.
async fn caller(shared: &Shared, parts: &Parts) -> Result<Caller, Refusal> {
    let address = client_address(&shared.trusted_proxies, parts)?;
    let jar = PrivateCookieJar::from_headers(&parts.headers, shared.key.clone());
    let visitor = Visitor::from_request(shared, &jar, &parts.headers)?
        .ok_or_else(Refusal::no_conversation)?;
    let identity = identify(shared, parts).await;
    if !visitor.belongs_to(identity.as_ref()) {
        return Err(Refusal::other_user());
    }
    Ok(Caller {
        visitor,
        address,
        identity,
    })
}

/// A form or message that may reach Optimly: it came from an allowed origin, as JSON, from
/// the visitor the cookie names, with a body this route reads.
pub(crate) struct Admitted<T> {
    shared: Arc<Shared>,
    caller: Caller,
    form: T,
}

impl<T: DeserializeOwned> FromRequest<crate::State> for Admitted<T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &crate::State) -> Result<Self, Refusal> {
        let shared = Arc::clone(&state.0);
        let (parts, body) = request.into_parts();
        check_origin(&shared, &parts.headers)?;
        require_json(&parts.headers)?;
        let caller = caller(&shared, &parts).await?;
        let form = read(&shared, body).await?;
        Ok(Self {
            shared,
            caller,
            form,
        })
    }
}

/// What one call that spends in the visitor's chat needs: the chat (the one in their cookie,
/// or one created now: the first thing they send creates it, not the page's loading), the
/// jar with the sealed cookie that names a chat created now, and the call's options (every
/// window it counts in).
async fn spend_in_chat(
    shared: &Shared,
    caller: &mut Caller,
    spend: Spend,
) -> Result<(String, Option<PrivateCookieJar>, RequestOptions), Refusal> {
    let share = &shared.new_conversations;
    let mut jar = None;
    let fresh = caller.visitor.chat_id.is_none();
    if fresh {
        let options = shared.limits.options(caller, share, true, Spend::NewChat);
        let mut create = shared
            .client
            .create_chat(caller.visitor.id.as_str())
            .options(options);
        if let Some(identity) = &caller.identity
            && !identity.metadata.is_empty()
        {
            create = create.metadata(identity.metadata.clone());
        }
        let chat = create.await?;
        caller.visitor.chat_id = Some(chat.id().to_owned());
        jar = Some(PrivateCookieJar::new(shared.key.clone()).add(caller.visitor.cookie(shared)));
    }
    let chat = caller.visitor.chat_id.clone().unwrap_or_default();
    let options = shared.limits.options(caller, share, fresh, spend);
    Ok((chat, jar, options))
}

/// A success, with the cookie that names a chat created for it.
fn ok_with<T: Serialize>(jar: Option<PrivateCookieJar>, body: T) -> Result<Response, Refusal> {
    Ok((jar, ok(body)?).into_response())
}

#[derive(Serialize)]
struct Started {
    resumed: bool,
}

/// `POST /api/conversation`: the visitor's cookie, kept or made. Nothing is sent to Optimly:
/// the chat is created when the visitor first sends something. `resumed`: they have a chat
/// whose history the page can show.
pub(crate) async fn start_conversation(
    State(crate::State(shared)): State<crate::State>,
    request: Request,
) -> Result<Response, Refusal> {
    let (parts, _) = request.into_parts();
    check_origin(&shared, &parts.headers)?;
    let jar = PrivateCookieJar::from_headers(&parts.headers, shared.key.clone());
    let identity = identify(&shared, &parts).await;
    // A cookie this server cannot read (another secret, say), one that has expired, or one
    // made for someone else is replaced.
    if let Ok(Some(visitor)) = Visitor::from_request(&shared, &jar, &parts.headers)
        && visitor.belongs_to(identity.as_ref())
    {
        return ok(Started {
            resumed: visitor.chat_id.is_some(),
        });
    }
    let visitor = Visitor::new(identity.as_ref());
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
                time: shown(reply.time()),
            },
            tools: reply
                .tools_executed()
                .filter_map(|t| {
                    let tool = t.tool().to_string();
                    let status = Some(t.status().to_string()).filter(|s| !s.is_empty());
                    (!tool.is_empty()).then_some(Tool { tool, status })
                })
                .collect(),
            handoff: reply.handoff().map(|h| Handoff {
                id: h.id().map(str::to_owned),
                status: h.status().map(|s| s.to_string()),
            }),
        }
    }
}

/// A time as the widget shows it: RFC 3339, or none when the server gave none.
fn shown(time: optimly::chrono::DateTime<optimly::chrono::Utc>) -> Option<String> {
    (time != optimly::NO_TIME).then(|| time.to_rfc3339())
}

/// `POST /api/messages`: send the visitor's message; the agent's reply.
pub(crate) async fn send_message(
    Admitted {
        shared,
        mut caller,
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
    let (chat, jar, options) = spend_in_chat(&shared, &mut caller, Spend::Call).await?;
    let conversation = shared.client.resume_conversation(chat)?;
    let reply = conversation.ask(content).options(options).await?;
    ok_with(jar, Reply::from(&reply))
}

#[derive(Serialize)]
struct Messages {
    messages: Vec<Said>,
}

impl From<&Message> for Said {
    fn from(message: &Message) -> Self {
        Self {
            role: match message.sender() {
                Sender::User => "user",
                Sender::Assistant => "assistant",
                _ => "other",
            },
            content: message.content().to_owned(),
            time: shown(message.time()),
        }
    }
}

/// `GET /api/messages`: the visitor's history, oldest first.
pub(crate) async fn history(
    State(crate::State(shared)): State<crate::State>,
    request: Request,
) -> Result<Response, Refusal> {
    let (parts, _) = request.into_parts();
    let caller = caller(&shared, &parts).await?;
    let Some(chat) = &caller.visitor.chat_id else {
        return ok(Messages {
            messages: Vec::new(),
        });
    };
    let options = shared
        .limits
        .options(&caller, &shared.new_conversations, false, Spend::Call);
    let messages = shared
        .client
        .history(chat.as_str())
        .options(options)
        .await?;
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
        mut caller,
        form,
    }: Admitted<LeadForm>,
) -> Result<Response, Refusal> {
    let lead = form.into_lead(shared.max_message_chars)?;
    let (chat, jar, options) = spend_in_chat(&shared, &mut caller, Spend::Call).await?;
    let message = shared
        .client
        .capture_lead(chat, &lead)
        .options(options)
        .await?;
    ok_with(jar, Recorded::from(&message))
}

/// `POST /api/appointment`: the booking form.
pub(crate) async fn appointment(
    Admitted {
        shared,
        mut caller,
        form,
    }: Admitted<AppointmentForm>,
) -> Result<Response, Refusal> {
    let request = form.into_request(shared.max_message_chars)?;
    let (chat, jar, options) = spend_in_chat(&shared, &mut caller, Spend::Appointment).await?;
    let message = shared
        .client
        .request_appointment(chat, &request)
        .options(options)
        .await?;
    ok_with(jar, Recorded::from(&message))
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
        mut caller,
        form,
    }: Admitted<HandoffForm>,
) -> Result<Response, Refusal> {
    let handoff = form.into_handoff(&shared.handoff_routing, shared.max_message_chars)?;
    let (chat, jar, options) = spend_in_chat(&shared, &mut caller, Spend::Handoff).await?;
    let handoff = shared
        .client
        .hand_off(chat, &handoff)
        .options(options)
        .await?;
    ok_with(
        jar,
        HandedOff {
            handoff_id: handoff.id().to_owned(),
            status: handoff.status().map(ToString::to_string),
        },
    )
}
