//! The JSON API the widget calls (`openapi/widget.yaml`), and its one error shape.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::PrivateCookieJar;
use optimly::{
    AgentReply, AppointmentRequest, EmailHandoff, Error, ErrorKind, FieldIssue, Lead, Message,
    Sender,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::visitor::{Visitor, check_origin};

type Widget = State<crate::State>;

/// Every error the router answers, as JSON a page can show.
///
/// ```json
/// {"error": "Please check the highlighted fields.",
///  "fields": [{"field": "email", "message": "is not an email address like name@example.com"}]}
/// {"error": "Too many messages; please wait a moment.", "retry_after": 12}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// What went wrong, in words for the visitor.
    pub error: String,
    /// The fields of a form that were refused, by the form's field names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// Seconds to wait before trying again (429).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// One refused field of a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldError {
    /// The form field (`email`, `date`, `content`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// An answer other than success: a status and its [`ErrorBody`].
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    body: ErrorBody,
    /// The visitor's chat is gone: the cookie that names it is removed, so the page's next
    /// `POST /api/conversation` starts a new one instead of resuming a dead chat.
    forget_visitor: bool,
}

impl Refusal {
    fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: error.into(),
                fields: Vec::new(),
                retry_after: None,
            },
            forget_visitor: false,
        }
    }

    fn fields(issues: &[FieldIssue]) -> Self {
        let mut refusal = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please check the highlighted fields.",
        );
        refusal.body.fields = issues
            .iter()
            .map(|issue| FieldError {
                field: form_field(issue.field()).to_owned(),
                message: issue.message().to_owned(),
            })
            .collect();
        refusal
    }

    fn field(field: &str, message: impl Into<String>) -> Self {
        Self::fields(&[FieldIssue::new(field, message)])
    }

    fn wait(error: &str, wait: Option<Duration>) -> Self {
        let mut refusal = Self::new(StatusCode::TOO_MANY_REQUESTS, error);
        // Whole seconds, rounded up: a page that waits this long finds room.
        refusal.body.retry_after = Some(
            wait.map_or(1, |w| w.as_secs() + u64::from(w.subsec_nanos() > 0))
                .max(1),
        );
        refusal
    }

    pub(crate) fn bad_cookie() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This conversation cookie is not valid here; start a new conversation.",
        )
    }

    pub(crate) fn no_conversation() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Start a conversation first (POST /api/conversation).",
        )
    }

    pub(crate) fn origin() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Requests from this page's origin are not allowed.",
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let retry_after = self.body.retry_after;
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.forget_visitor
            && let Ok(removal) = HeaderValue::from_str(&Visitor::removal().to_string())
        {
            response.headers_mut().append(header::SET_COOKIE, removal);
        }
        no_store(response)
    }
}

/// The SDK's error, as the visitor should see it: what they can fix (fields, waiting) in
/// detail, anything else as a service problem without the API's own words.
impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        match error.kind() {
            ErrorKind::InvalidInput { fields } | ErrorKind::Validation { fields }
                if !fields.is_empty() =>
            {
                Self::fields(fields)
            }
            ErrorKind::Validation { .. } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The assistant could not accept that request.",
            ),
            ErrorKind::RateLimited | ErrorKind::Throttled { .. } => Self::wait(
                "The assistant is busy right now; please try again in a moment.",
                error.retry_after(),
            ),
            ErrorKind::NotFound => Self {
                forget_visitor: true,
                ..Self::new(
                    StatusCode::NOT_FOUND,
                    "This conversation is no longer available; start a new one.",
                )
            },
            ErrorKind::Timeout { .. } => Self::new(
                StatusCode::GATEWAY_TIMEOUT,
                "The assistant took too long to answer; please try again.",
            ),
            _ => {
                tracing::warn!(error = %error, "optimly call failed");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    "The assistant is unavailable right now; please try again later.",
                )
            }
        }
    }
}

/// The form's name for a field the SDK names by its wire path (`metadata.email` → `email`).
fn form_field(wire: &str) -> &str {
    wire.strip_prefix("metadata.").unwrap_or(wire)
}

/// API answers are per visitor: never stored by a cache on the way.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

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
