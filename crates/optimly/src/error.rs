//! The SDK's one error type, and the single place where the generated client's errors are
//! mapped into it.

use std::fmt;
use std::time::{Duration, SystemTime};

use optimly_api::types::{self, ErrorDetail};
use serde::de::DeserializeOwned;

use crate::credentials::Redactor;
use crate::retry::{Outcome, parse_retry_after};

/// Everything that can go wrong, in variants a caller can act on.
///
/// Every variant produced by a call names the operation (`new_message`, `call_agent_v2`, ...);
/// the ones produced by a response carry its status, the API's parsed error and the raw body.
/// `Display` is one line with the API's own message. No variant ever contains the API key.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given to the SDK is not acceptable; nothing was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field (`email`, `date`, `base_url`, ...).
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The client could not be configured (a missing or malformed environment variable, a
    /// refused base URL, a TLS backend that failed to start).
    #[error("configuration: {setting}: {reason}")]
    Config {
        /// The environment variable or builder setting.
        setting: String,
        /// What is wrong with it.
        reason: String,
    },
    /// 401: the key is missing, wrong, or revoked.
    #[error("{}", .0.line("unauthorized"))]
    Unauthorized(Box<ApiFailure>),
    /// 403: the key may not do this (the API needs the Advanced plan or higher).
    #[error("{}", .0.line("forbidden"))]
    Forbidden(Box<ApiFailure>),
    /// 404: the chat, client or agent does not exist.
    #[error("{}", .0.line("not found"))]
    NotFound(Box<ApiFailure>),
    /// 400 or 422: the server refused the data. `fields` lists FastAPI-style per-field issues.
    #[error("{}", .failure.line("rejected"))]
    Validation {
        /// The response.
        failure: Box<ApiFailure>,
        /// One entry per problem the server located, if it sent a `detail` list.
        fields: Vec<FieldIssue>,
    },
    /// 429: too many requests. [`Error::retry_after`] says how long the server asked to wait.
    #[error("{}", .0.line("rate limited"))]
    RateLimited(Box<ApiFailure>),
    /// 5xx: the server failed.
    #[error("{}", .0.line("server error"))]
    Server(Box<ApiFailure>),
    /// Any other unsuccessful status.
    #[error("{}", .0.line("unexpected status"))]
    Api(Box<ApiFailure>),
    /// The call ran out of time (per attempt, or the whole-operation deadline).
    #[error("{operation}: timed out after {attempts} attempt(s)")]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// Whether the last request may have reached the server.
        sent: bool,
    },
    /// The connection failed.
    #[error("{operation}: connection failed{}: {message}", if *.sent { " after the request was sent" } else { "" })]
    Connection {
        /// The operation.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// Whether the request may have reached the server.
        sent: bool,
        /// What the network layer said, with the key and URL removed.
        message: String,
    },
    /// The client-side rate limiter had no room for the call before its deadline, or is set to
    /// [fail fast](crate::WhenLimited::FailFast). The attempt it held back was not sent.
    #[error("{operation}: held back by the client-side rate limit ({limit}){}", match .wait {
        Some(w) => format!("; room in {} ms", w.as_millis()),
        None => String::new(),
    })]
    Throttled {
        /// The operation.
        operation: &'static str,
        /// The limit that was full.
        limit: crate::rate_limit::Limit,
        /// How long until it has room, when known.
        wait: Option<Duration>,
        /// Attempts sent before this one was held back (0 when nothing was sent).
        attempts: u32,
    },
    /// The response body was larger than the client's
    /// [maximum](crate::ClientBuilder::max_response_size); reading stopped there.
    #[error("{operation}: response body exceeds the {limit}-byte limit")]
    ResponseTooLarge {
        /// The operation.
        operation: &'static str,
        /// The limit, in bytes.
        limit: u64,
        /// Attempts made.
        attempts: u32,
    },
    /// A successful response whose body is not what the spec says.
    #[error("{operation}: could not decode the response (HTTP {status}): {reason}")]
    Decode {
        /// The operation.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The raw body, as text.
        body: String,
        /// What did not match.
        reason: String,
    },
}

/// An unsuccessful response, kept whole.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiFailure {
    /// The operation (`new_message`, `call_agent_v2`, ...).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The API's error body, when it was one of the documented shapes.
    pub error: Option<types::Error>,
    /// The raw body, as text (the key scrubbed).
    pub body: String,
    /// How long the server asked to wait (`Retry-After`), if it said.
    pub retry_after: Option<Duration>,
    /// Attempts made before giving up.
    pub attempts: u32,
}

impl ApiFailure {
    /// The most useful one-line message: the API's `error` and `detail`, else the body.
    pub fn message(&self) -> String {
        let title = self.error.as_ref().and_then(|e| e.error.clone());
        let detail = self
            .error
            .as_ref()
            .and_then(|e| e.detail.as_ref())
            .map(|d| match d {
                ErrorDetail::String(s) => s.clone(),
                ErrorDetail::Array(issues) => issues
                    .iter()
                    .map(|i| FieldIssue::from(i).to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        match (title, detail) {
            (Some(t), Some(d)) if !d.is_empty() => format!("{t}: {d}"),
            (Some(t), _) => t,
            (None, Some(d)) => d,
            (None, None) => body_excerpt(&self.body),
        }
    }

    fn line(&self, what: &str) -> String {
        let wait = self
            .retry_after
            .map(|d| format!(", retry after {}s", d.as_secs()))
            .unwrap_or_default();
        format!(
            "{}: {what} (HTTP {}{wait}): {}",
            self.operation,
            self.status,
            self.message()
        )
    }
}

fn body_excerpt(body: &str) -> String {
    const MAX: usize = 200;
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(MAX) {
        None if flat.is_empty() => "(empty body)".to_owned(),
        None => flat,
        Some((cut, _)) => format!("{}…", &flat[..cut]),
    }
}

/// One problem the server located in a request (FastAPI's `detail` list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldIssue {
    /// Where, dotted, without FastAPI's leading `body` (`chat_id`, `metadata.0`).
    pub field: String,
    /// The server's message.
    pub message: String,
    /// The server's error type (`value_error.missing`), if given.
    pub kind: Option<String>,
}

impl From<&types::ValidationIssue> for FieldIssue {
    fn from(issue: &types::ValidationIssue) -> Self {
        let parts: Vec<String> = issue.loc.iter().map(ToString::to_string).collect();
        let located = match parts.first().map(String::as_str) {
            Some("body" | "query" | "path") if parts.len() > 1 => &parts[1..],
            _ => &parts[..],
        };
        Self {
            field: located.join("."),
            message: issue.msg.clone().unwrap_or_default(),
            kind: issue.type_.clone(),
        }
    }
}

impl fmt::Display for FieldIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl Error {
    /// The operation that failed, when the error came from a call.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Self::InvalidInput { .. } | Self::Config { .. } => None,
            Self::Timeout { operation, .. }
            | Self::Connection { operation, .. }
            | Self::Throttled { operation, .. }
            | Self::ResponseTooLarge { operation, .. }
            | Self::Decode { operation, .. } => Some(operation),
            _ => self.failure().map(|f| f.operation),
        }
    }

    /// The HTTP status, when a response came back.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Decode { status, .. } => Some(*status),
            _ => self.failure().map(|f| f.status),
        }
    }

    /// How long the server asked to wait before trying again.
    /// For [`Error::Throttled`], how long until the client-side limit has room.
    pub fn retry_after(&self) -> Option<Duration> {
        if let Self::Throttled { wait, .. } = self {
            return *wait;
        }
        self.failure().and_then(|f| f.retry_after)
    }

    /// The unsuccessful response, for the variants that have one.
    pub fn failure(&self) -> Option<&ApiFailure> {
        match self {
            Self::Unauthorized(f)
            | Self::Forbidden(f)
            | Self::NotFound(f)
            | Self::RateLimited(f)
            | Self::Server(f)
            | Self::Api(f)
            | Self::Validation { failure: f, .. } => Some(f),
            _ => None,
        }
    }

    /// The raw response body, when there was one.
    pub fn body(&self) -> Option<&str> {
        match self {
            Self::Decode { body, .. } => Some(body),
            _ => self.failure().map(|f| f.body.as_str()),
        }
    }

    /// Attempts made before this error was returned (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Timeout { attempts, .. }
            | Self::Connection { attempts, .. }
            | Self::Throttled { attempts, .. }
            | Self::ResponseTooLarge { attempts, .. } => *attempts,
            Self::Decode { .. } => 1,
            _ => self.failure().map_or(0, |f| f.attempts),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn config(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Config {
            setting: setting.into(),
            reason: reason.into(),
        }
    }

    /// What the retry policy needs to know about this error; `None` means never retry.
    pub(crate) fn retry_outcome(&self) -> Option<Outcome> {
        match self {
            Self::Connection { sent: false, .. } | Self::Timeout { sent: false, .. } => {
                Some(Outcome::NotSent)
            }
            Self::Connection { sent: true, .. } | Self::Timeout { sent: true, .. } => {
                Some(Outcome::MaybeSent)
            }
            _ => self.failure().map(|f| Outcome::Status {
                status: f.status,
                retry_after: f.retry_after,
            }),
        }
    }

    /// Record how many attempts the call made.
    pub(crate) fn with_attempts(mut self, n: u32) -> Self {
        match &mut self {
            Self::Timeout { attempts, .. }
            | Self::Connection { attempts, .. }
            | Self::Throttled { attempts, .. }
            | Self::ResponseTooLarge { attempts, .. } => *attempts = n,
            Self::Unauthorized(f)
            | Self::Forbidden(f)
            | Self::NotFound(f)
            | Self::RateLimited(f)
            | Self::Server(f)
            | Self::Api(f)
            | Self::Validation { failure: f, .. } => f.attempts = n,
            _ => {}
        }
        self
    }

    fn from_failure(failure: ApiFailure) -> Self {
        let failure = Box::new(failure);
        match failure.status {
            400 | 422 => {
                let fields = match failure.error.as_ref().and_then(|e| e.detail.as_ref()) {
                    Some(ErrorDetail::Array(issues)) => {
                        issues.iter().map(FieldIssue::from).collect()
                    }
                    _ => Vec::new(),
                };
                Self::Validation { failure, fields }
            }
            401 => Self::Unauthorized(failure),
            403 => Self::Forbidden(failure),
            404 => Self::NotFound(failure),
            429 => Self::RateLimited(failure),
            500..=599 => Self::Server(failure),
            _ => Self::Api(failure),
        }
    }
}

/// What the mapping needs to know about the call.
pub(crate) struct CallContext<'a> {
    pub operation: &'static str,
    pub redactor: &'a Redactor,
    pub now: SystemTime,
}

impl CallContext<'_> {
    /// An unsuccessful response. The key is scrubbed from the text first and the API error is
    /// parsed from the scrubbed text, so no part of the error can carry it.
    fn failure(&self, status: u16, retry_after: Option<Duration>, text: &str) -> Error {
        let body = self.redactor.scrub(text);
        Error::from_failure(ApiFailure {
            operation: self.operation,
            status,
            error: serde_json::from_str(&body).ok(),
            body,
            retry_after,
            attempts: 1,
        })
    }
}

/// Map the generated client's error into the SDK's. A 2xx that progenitor did not expect
/// (201, 202) is parsed leniently into `T` instead of failing.
pub(crate) async fn from_api<T: DeserializeOwned>(
    err: optimly_api::Error<types::Error>,
    cx: &CallContext<'_>,
) -> Result<T, Error> {
    use optimly_api::Error as E;
    let operation = cx.operation;
    Err(match err {
        E::InvalidRequest(reason) | E::Custom(reason) => {
            Error::invalid("request", cx.redactor.scrub(&reason))
        }
        E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => {
            network_error(operation, &e, cx.redactor)
        }
        E::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let retry_after = retry_after(rv.headers(), cx.now);
            let text = serde_json::to_string(&rv.into_inner()).unwrap_or_default();
            cx.failure(status, retry_after, &text)
        }
        // The spec documents exactly one success status, 200, and progenitor only parses
        // documented statuses, so a success body that failed to decode came with a 200.
        E::InvalidResponsePayload(bytes, e) => Error::Decode {
            operation,
            status: 200,
            body: cx.redactor.scrub(&String::from_utf8_lossy(&bytes)),
            reason: cx.redactor.scrub(&e.to_string()),
        },
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers(), cx.now);
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => return Err(network_error(operation, &e, cx.redactor)),
            };
            if (200..300).contains(&status) {
                return serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                    operation,
                    status,
                    body: cx.redactor.scrub(&String::from_utf8_lossy(&bytes)),
                    reason: cx.redactor.scrub(&e.to_string()),
                });
            }
            cx.failure(status, retry_after, &String::from_utf8_lossy(&bytes))
        }
    })
}

fn retry_after(headers: &reqwest::header::HeaderMap, now: SystemTime) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

/// A transport failure, with the URL (which may carry the key in query mode) removed and the
/// cause chain flattened into one line.
pub(crate) fn network_error(
    operation: &'static str,
    e: &reqwest::Error,
    redactor: &Redactor,
) -> Error {
    let mut parts = vec![describe_reqwest(e)];
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(too_large) = c.downcast_ref::<optimly_api::ResponseTooLarge>() {
            return Error::ResponseTooLarge {
                operation,
                limit: too_large.limit,
                attempts: 1,
            };
        }
        let text = c.to_string();
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
        cause = c.source();
    }
    let message = parts.join(": ");
    let message = redactor.scrub(&message);
    if e.is_timeout() {
        Error::Timeout {
            operation,
            attempts: 1,
            sent: !e.is_connect(),
        }
    } else {
        Error::Connection {
            operation,
            attempts: 1,
            sent: !e.is_connect(),
            message,
        }
    }
}

/// reqwest's own top-level message names the URL; say what kind of failure it was instead.
fn describe_reqwest(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "could not connect".into()
    } else if e.is_body() || e.is_decode() {
        "the response body was cut off".into()
    } else if e.is_request() {
        "the request failed".into()
    } else {
        "transport error".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: u16, body: serde_json::Value) -> ApiFailure {
        ApiFailure {
            operation: "new_message",
            status,
            error: serde_json::from_value(body.clone()).ok(),
            body: body.to_string(),
            retry_after: None,
            attempts: 1,
        }
    }

    #[test]
    fn display_is_one_line_with_the_api_message() {
        let e = Error::from_failure(failure(
            400,
            serde_json::json!({"error": "Validation error", "detail": "email field is required", "status_code": 400}),
        ));
        assert_eq!(
            e.to_string(),
            "new_message: rejected (HTTP 400): Validation error: email field is required"
        );
    }

    #[test]
    fn fastapi_detail_becomes_field_issues() {
        let e = Error::from_failure(failure(
            422,
            serde_json::json!({"detail": [{"loc": ["body", "chat_id"], "msg": "field required", "type": "value_error.missing"}]}),
        ));
        let Error::Validation { fields, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            fields,
            &[FieldIssue {
                field: "chat_id".into(),
                message: "field required".into(),
                kind: Some("value_error.missing".into()),
            }]
        );
        assert_eq!(
            e.to_string(),
            "new_message: rejected (HTTP 422): chat_id: field required"
        );
    }

    #[test]
    fn rate_limited_line_names_the_wait() {
        let mut f = failure(429, serde_json::json!({"error": "Too Many Requests"}));
        f.retry_after = Some(Duration::from_secs(7));
        let e = Error::from_failure(f);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(
            e.to_string(),
            "new_message: rate limited (HTTP 429, retry after 7s): Too Many Requests"
        );
    }

    #[test]
    fn a_non_json_body_is_shown_flattened_and_cut() {
        let html = format!("<html>\n  <body>{}</body></html>", "x".repeat(300));
        let f = ApiFailure {
            error: None,
            body: html,
            ..failure(502, serde_json::json!(null))
        };
        let line = Error::from_failure(f).to_string();
        assert!(
            line.starts_with("new_message: server error (HTTP 502): <html> <body>xxx"),
            "{line}"
        );
        assert!(line.ends_with('…'), "{line}");
        assert_eq!(
            Error::from_failure(ApiFailure {
                error: None,
                body: String::new(),
                ..failure(404, serde_json::json!(null))
            })
            .to_string(),
            "new_message: not found (HTTP 404): (empty body)"
        );
    }

    #[test]
    fn statuses_map_to_their_variants() {
        let kind = |s| match Error::from_failure(failure(s, serde_json::json!({}))) {
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Validation { .. } => "validation",
            Error::RateLimited(_) => "rate_limited",
            Error::Server(_) => "server",
            Error::Api(_) => "api",
            _ => "other",
        };
        let got: Vec<_> = [400, 401, 403, 404, 409, 422, 429, 500, 503]
            .map(kind)
            .into();
        assert_eq!(
            got,
            [
                "validation",
                "unauthorized",
                "forbidden",
                "not_found",
                "api",
                "validation",
                "rate_limited",
                "server",
                "server"
            ]
        );
    }
}
