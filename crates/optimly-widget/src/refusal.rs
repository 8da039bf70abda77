//! The widget's one error shape: every answer other than success, as JSON a page can show,
//! and the SDK's errors as a visitor should see them.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use optimly::{Error, ErrorKind, FieldIssue};
use serde::{Deserialize, Serialize};

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
    pub(crate) fn new(status: StatusCode, error: impl Into<String>) -> Self {
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

    pub(crate) fn fields(issues: &[FieldIssue]) -> Self {
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

    pub(crate) fn field(field: &str, message: impl Into<String>) -> Self {
        Self::fields(&[FieldIssue::new(field, message)])
    }

    pub(crate) fn wait(error: &str, wait: Option<Duration>) -> Self {
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

    pub(crate) fn other_user() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This conversation belongs to someone else; start a new conversation.",
        )
    }

    pub(crate) fn misconfigured() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The chat is not available right now.",
        )
    }

    pub(crate) fn not_json() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The request body must be JSON (Content-Type: application/json).",
        )
    }

    pub(crate) fn slow_body() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "The request body took too long to arrive.",
        )
    }
}

/// `404` for a path the widget does not serve under its API.
pub(crate) async fn not_found() -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "There is nothing here.")
}

/// `405` for a method a route does not take.
pub(crate) async fn method_not_allowed() -> Refusal {
    Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "This route does not take that method.",
    )
}

/// Marks a response whose visitor cookie is to be removed: their chat is gone. The router's
/// response layer, which knows the cookie's name and attributes, turns it into `Set-Cookie`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ForgetVisitor;

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let retry_after = self.body.retry_after;
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.forget_visitor {
            response.extensions_mut().insert(ForgetVisitor);
        }
        no_store(response)
    }
}

/// The SDK's error, as the visitor should see it: what they can fix (fields, waiting) in
/// detail, anything else as a service problem without the API's own words.
impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        match error.kind() {
            ErrorKind::RefusedLocally { fields } | ErrorKind::RefusedByServer { fields }
                if !fields.is_empty() =>
            {
                Self::fields(fields)
            }
            ErrorKind::RefusedByServer { .. } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The assistant could not accept that request.",
            ),
            ErrorKind::HeldByLimiter {
                caller: Some(_), ..
            } => Self::wait(
                "Too many requests; please wait a moment.",
                error.retry_after(),
            ),
            ErrorKind::RateLimitedByServer | ErrorKind::HeldByLimiter { .. } => Self::wait(
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
pub(crate) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
