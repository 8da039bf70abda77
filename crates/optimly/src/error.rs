//! The SDK's one error type, and the single place where the generated client's errors are
//! mapped into it.
//!
//! What every failure of a call shares (the operation, the attempts made, the response when
//! there was one, `Retry-After`, the underlying cause) is stored once, in [`Error`]; what
//! happened is its [`ErrorKind`], which a caller can `match` on.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use optimly_api::types::{self, ErrorDetail};
use optimly_api::{Limit, Operation};
use serde::de::DeserializeOwned;

use crate::credentials::Redactor;
use crate::retry::{Outcome, parse_retry_after};

/// Everything that can go wrong, with what a caller needs to act on it.
///
/// [`kind`](Self::kind) says what happened; the accessors give the call's context:
/// [`operation`](Self::operation), [`attempts`](Self::attempts), [`status`](Self::status),
/// [`retry_after`](Self::retry_after), [`body`](Self::body), [`api_error`](Self::api_error),
/// [`fields`](Self::fields), and [`source`](std::error::Error::source) for the underlying
/// cause of a transport failure. `Display` is one line with the API's own message. No part of an
/// error (its text, its `Debug`, its source chain) ever contains the API key.
///
/// ```
/// # async fn run(client: optimly::OptimlyClient) {
/// use optimly::ErrorKind;
///
/// match client.history("chat_123").await {
///     Ok(messages) => println!("{} messages", messages.len()),
///     Err(e) => match e.kind() {
///         ErrorKind::NotFound => println!("no such chat"),
///         ErrorKind::RateLimitedByServer => println!("try again in {:?}", e.retry_after()),
///         _ => println!("{e} (after {} attempt(s))", e.attempts()),
///     },
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    operation: Option<&'static Operation>,
    attempts: u32,
    response: Option<Response>,
    retry_after: Option<Duration>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// What came back, when a response did.
#[derive(Clone, Debug)]
struct Response {
    status: u16,
    /// The raw body, as text, the key scrubbed.
    body: String,
    /// The body parsed as one of the documented error shapes.
    api_error: Option<types::ApiErrorBody>,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Refused by the client before sending: values given to the SDK are not acceptable, and
    /// nothing was sent. `fields` lists every problem, with the field paths a 422 from the
    /// server would use (`metadata.email`). Its server-side twin is
    /// [`RefusedByServer`](Self::RefusedByServer).
    RefusedLocally {
        /// One entry per problem.
        fields: Vec<FieldIssue>,
    },
    /// The client could not be configured (a missing or malformed environment variable, a
    /// refused base URL, a TLS backend that failed to start).
    Config {
        /// The environment variable or builder setting.
        setting: String,
        /// What is wrong with it.
        reason: String,
    },
    /// 401: the key is missing, wrong, or revoked.
    Unauthorized,
    /// 403: the server refused this request with this key. The docs list the status but give
    /// no cause; [`Error::api_message`] has the server's own words.
    Forbidden,
    /// 404: the chat, client or agent does not exist.
    NotFound,
    /// 400 or 422: the server refused the data. `fields` lists FastAPI-style per-field issues
    /// when the server sent a `detail` list (the same paths as
    /// [`RefusedLocally`](Self::RefusedLocally)'s).
    RefusedByServer {
        /// One entry per problem the server located.
        fields: Vec<FieldIssue>,
    },
    /// 429: the server answered too many requests. [`Error::retry_after`] says how long the
    /// server asked to wait. Its client-side twin is [`HeldByLimiter`](Self::HeldByLimiter).
    RateLimitedByServer,
    /// 5xx: the server failed.
    Server,
    /// Any other unsuccessful status.
    Api,
    /// The call ran out of time (per attempt, or the whole-operation deadline).
    Timeout {
        /// Whether the last request may have reached the server.
        sent: bool,
    },
    /// The connection failed; [`source`](std::error::Error::source) says how.
    Connection {
        /// Whether the request may have reached the server.
        sent: bool,
    },
    /// The client's own rate limiter held the call: it had no room before the deadline, or is
    /// set to [fail fast](crate::WhenLimited::FailFast). The attempt it held back was not sent;
    /// [`Error::retry_after`] says when the limit has room, when known.
    HeldByLimiter {
        /// The limit that was full.
        limit: Limit,
        /// Whose limit it was: `None` for the key's own, or the name a caller counted its
        /// own limit under ([`RequestOptions::limit_as`](crate::RequestOptions::limit_as)).
        caller: Option<String>,
    },
    /// The shared rate limiter (Redis) did not answer and is
    /// strict (`RedisLimits::strict`, feature `redis`); nothing was sent.
    /// [`source`](std::error::Error::source) says why.
    LimiterUnavailable,
    /// The response body was larger than the client's
    /// [maximum](crate::ClientBuilder::max_response_size); reading stopped there.
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A successful response whose body is not what the spec says; [`Error::body`] has it.
    /// The server acted on the request (see [`Error::server_may_have_acted`]).
    Decode,
    /// The server answered with a redirect the client does not follow: to another origin
    /// (scheme, host or port), from `https` to `http`, or past the most a call follows. The
    /// key was not sent there. Fix the base URL (or the proxy that builds the redirect).
    Redirected {
        /// Where the redirect pointed, with the key scrubbed (empty when it named nowhere).
        location: String,
    },
}

impl ErrorKind {
    /// A short, stable `snake_case` name of what went wrong (`rate_limited_by_server`, `timeout`), for
    /// metrics and logs. The call span reports it as OpenTelemetry's `error.type` when no
    /// response status was received.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::RefusedLocally { .. } => "refused_locally",
            Self::Config { .. } => "config",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RefusedByServer { .. } => "refused_by_server",
            Self::RateLimitedByServer => "rate_limited_by_server",
            Self::Server => "server",
            Self::Api => "api",
            Self::Timeout { .. } => "timeout",
            Self::Connection { .. } => "connection",
            Self::HeldByLimiter { .. } => "held_by_limiter",
            Self::LimiterUnavailable => "limiter_unavailable",
            Self::ResponseTooLarge { .. } => "response_too_large",
            Self::Decode => "decode",
            Self::Redirected { .. } => "redirected",
        }
    }
}

/// One problem with a request, located by its field path on the wire: found locally before
/// sending, or by the server (FastAPI's `detail` list). Both use the same paths
/// (`chat_id`, `metadata.email`), so one mapping to form fields serves both.
///
/// ```
/// use optimly::FieldIssue;
///
/// let issue = FieldIssue::new("metadata.email", "not an email").with_kind("value_error");
/// assert_eq!(issue.field(), "metadata.email");
/// assert_eq!(issue.kind(), Some("value_error"));
/// assert_eq!(issue.to_string(), "metadata.email: not an email");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldIssue {
    field: String,
    message: String,
    kind: Option<String>,
}

impl FieldIssue {
    /// A problem with the field at dotted path `field`, described by `message`, of no known
    /// kind.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            kind: None,
        }
    }

    /// The same problem, of error type `kind`.
    pub fn with_kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// Where, dotted, without FastAPI's leading `body`/`query`/`path` (`metadata.email`);
    /// empty when the problem is with the request as a whole.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error type (`missing`, `value_error`, or the server's own), if known.
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }
}

impl From<&types::ValidationIssue> for FieldIssue {
    fn from(issue: &types::ValidationIssue) -> Self {
        let parts: Vec<String> = issue
            .loc
            .iter()
            .flatten()
            .map(ToString::to_string)
            .collect();
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

/// The cause of an error, as text already cleared of the key (a decode failure's message can
/// quote the body, which can quote the key).
#[derive(Debug)]
struct Cause(String);

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

/// The cause of a timeout the SDK's own timer ended.
#[derive(Debug)]
pub(crate) struct NoResponseWithin(pub Duration);

impl fmt::Display for NoResponseWithin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no response within {} ms", self.0.as_millis())
    }
}

impl std::error::Error for NoResponseWithin {}

impl Error {
    fn new(kind: ErrorKind) -> Self {
        Self(Box::new(Inner {
            kind,
            operation: None,
            attempts: 0,
            response: None,
            retry_after: None,
            source: None,
        }))
    }

    fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.0.source = Some(Arc::new(source));
        self
    }

    /// What happened.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The operation that failed, when the error came from a call (its
    /// [`name`](Operation::name) is the spec's `operationId`).
    pub fn operation(&self) -> Option<&'static Operation> {
        self.0.operation
    }

    /// Attempts sent before this error was returned (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The HTTP status, when a response came back.
    pub fn status(&self) -> Option<u16> {
        self.0.response.as_ref().map(|r| r.status)
    }

    /// How long the server asked to wait before trying again (`Retry-After`); for
    /// [`ErrorKind::HeldByLimiter`], how long until the client-side limit has room.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// The raw response body (the key scrubbed), when there was one.
    pub fn body(&self) -> Option<&str> {
        self.0.response.as_ref().map(|r| r.body.as_str())
    }

    /// The API's error body, when it was one of the documented shapes.
    pub fn api_error(&self) -> Option<&types::ApiErrorBody> {
        self.0.response.as_ref().and_then(|r| r.api_error.as_ref())
    }

    /// Every problem located in the request, locally ([`ErrorKind::RefusedLocally`]) or by the
    /// server ([`ErrorKind::RefusedByServer`]); empty for other errors.
    pub fn fields(&self) -> &[FieldIssue] {
        match &self.0.kind {
            ErrorKind::RefusedLocally { fields } | ErrorKind::RefusedByServer { fields } => fields,
            _ => &[],
        }
    }

    /// Whether the server may have acted on the request before the call failed, so that
    /// sending it again could do it twice (a second message, a second lead): a response
    /// that could not be read (a 200 that did not decode, one too large), a 5xx, or no
    /// response after the request was sent. A `POST` the SDK does not re-send on its own
    /// (see [`crate::RetryPolicy`]) should be checked (list the chat's messages) before
    /// the caller sends it again.
    pub fn server_may_have_acted(&self) -> bool {
        match &self.0.kind {
            ErrorKind::Decode | ErrorKind::ResponseTooLarge { .. } | ErrorKind::Server => true,
            ErrorKind::Timeout { sent } | ErrorKind::Connection { sent } => *sent,
            ErrorKind::Api => self.status().is_some_and(|s| !(400..500).contains(&s)),
            _ => false,
        }
    }

    /// Invalid values given to the SDK (nothing was sent).
    pub(crate) fn refused_locally(fields: Vec<FieldIssue>) -> Self {
        Self::new(ErrorKind::RefusedLocally { fields })
    }

    /// One invalid value given to the SDK.
    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::refused_locally(vec![
            FieldIssue::new(field, reason).with_kind("value_error"),
        ])
    }

    /// A configuration error: `setting` (an environment variable, a builder setting, a port)
    /// cannot be used, for `reason`. For code that configures things around a client (a
    /// command-line tool, a test harness) and reports through the SDK's error.
    pub fn config(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config {
            setting: setting.into(),
            reason: reason.into(),
        })
    }

    /// The client-side limiter held the attempt back.
    pub(crate) fn held_by_limiter(
        limit: Limit,
        caller: Option<String>,
        wait: Option<Duration>,
    ) -> Self {
        let mut error = Self::new(ErrorKind::HeldByLimiter { limit, caller });
        error.0.retry_after = wait;
        error
    }

    /// The shared limiter could not be asked, and is strict.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn limiter_unavailable(why: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::new(ErrorKind::LimiterUnavailable).with_source(why)
    }

    /// The wait the limiter worked out after a 429 the server sent no `Retry-After` with.
    pub(crate) fn with_retry_after(mut self, wait: Duration) -> Self {
        self.0.retry_after = Some(wait);
        self
    }

    /// The SDK's own timer ended the attempt, after the request may have been sent.
    pub(crate) fn timed_out(after: Duration) -> Self {
        Self::new(ErrorKind::Timeout { sent: true }).with_source(NoResponseWithin(after))
    }

    /// Record the call this error ended: set once, by the call engine, when the call ends.
    pub(crate) fn ended(mut self, operation: &'static Operation, attempts: u32) -> Self {
        self.0.operation = Some(operation);
        self.0.attempts = attempts;
        self
    }

    /// What the retry policy needs to know about this error; `None` means never retry.
    pub(crate) fn retry_outcome(&self) -> Option<Outcome> {
        match self.0.kind {
            ErrorKind::Connection { sent: false } | ErrorKind::Timeout { sent: false } => {
                Some(Outcome::NotSent)
            }
            ErrorKind::Connection { sent: true } | ErrorKind::Timeout { sent: true } => {
                Some(Outcome::MaybeSent)
            }
            ErrorKind::Unauthorized
            | ErrorKind::Forbidden
            | ErrorKind::NotFound
            | ErrorKind::RefusedByServer { .. }
            | ErrorKind::RateLimitedByServer
            | ErrorKind::Server
            | ErrorKind::Api => self.status().map(|status| Outcome::Status {
                status,
                retry_after: self.0.retry_after,
            }),
            _ => None,
        }
    }

    /// An unsuccessful response.
    fn from_status(status: u16, body: String, retry_after: Option<Duration>) -> Self {
        let api_error: Option<types::ApiErrorBody> = serde_json::from_str(&body).ok();
        let kind = match status {
            400 | 422 => {
                let fields = match api_error.as_ref().and_then(|e| e.detail.as_ref()) {
                    Some(ErrorDetail::Array(issues)) => {
                        issues.iter().map(FieldIssue::from).collect()
                    }
                    _ => Vec::new(),
                };
                ErrorKind::RefusedByServer { fields }
            }
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimitedByServer,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Api,
        };
        let mut error = Self::new(kind);
        error.0.response = Some(Response {
            status,
            body,
            api_error,
        });
        error.0.retry_after = retry_after;
        error
    }

    /// A success status whose body did not decode.
    fn undecodable(status: u16, body: String, reason: String) -> Self {
        let mut error = Self::new(ErrorKind::Decode).with_source(Cause(reason));
        error.0.response = Some(Response {
            status,
            body,
            api_error: None,
        });
        error
    }

    /// The API's own message, when a response came back: its `error` and `detail` (each
    /// FastAPI issue as `field: message`), else an excerpt of the body.
    pub fn api_message(&self) -> Option<String> {
        self.0.response.as_ref().map(Self::response_message)
    }

    fn response_message(response: &Response) -> String {
        let error = response.api_error.as_ref();
        let title = error.and_then(|e| e.error.clone());
        let detail = error.and_then(|e| e.detail.as_ref()).map(|d| match d {
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
            (None, None) => body_excerpt(&response.body),
        }
    }

    /// The cause chain as one line.
    fn causes(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            let text = c.to_string();
            if !text.is_empty() && !parts.contains(&text) {
                parts.push(text);
            }
            cause = c.source();
        }
        parts.join(": ")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.0.operation {
            write!(f, "{operation}: ")?;
        }
        let issues = |fields: &[FieldIssue]| {
            fields
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        let response = self.0.response.as_ref();
        let status_line = |f: &mut fmt::Formatter<'_>, what: &str| {
            let status = response.map_or(0, |r| r.status);
            let wait = self
                .0
                .retry_after
                .map(|d| format!(", retry after {}s", d.as_secs()))
                .unwrap_or_default();
            let message = response.map(Self::response_message).unwrap_or_default();
            write!(f, "{what} (HTTP {status}{wait}): {message}")
        };
        match &self.0.kind {
            ErrorKind::RefusedLocally { fields } => write!(f, "invalid input: {}", issues(fields)),
            ErrorKind::Config { setting, reason } => {
                write!(f, "configuration: {setting}: {reason}")
            }
            ErrorKind::Unauthorized => status_line(f, "unauthorized"),
            ErrorKind::Forbidden => status_line(f, "forbidden"),
            ErrorKind::NotFound => status_line(f, "not found"),
            ErrorKind::RefusedByServer { .. } => status_line(f, "rejected"),
            ErrorKind::RateLimitedByServer => status_line(f, "rate limited"),
            ErrorKind::Server => status_line(f, "server error"),
            ErrorKind::Api => status_line(f, "unexpected status"),
            ErrorKind::Timeout { .. } => {
                write!(f, "timed out after {} attempt(s)", self.0.attempts)
            }
            ErrorKind::Connection { sent } => {
                let after = if *sent {
                    " after the request was sent"
                } else {
                    ""
                };
                write!(f, "connection failed{after}: {}", self.causes())
            }
            ErrorKind::HeldByLimiter {
                limit,
                caller: None,
            } => {
                write!(f, "held back by the client-side rate limit ({limit})")?;
                match self.0.retry_after {
                    Some(w) => write!(f, "; room in {} ms", w.as_millis()),
                    None => Ok(()),
                }
            }
            ErrorKind::HeldByLimiter {
                limit,
                caller: Some(name),
            } => {
                write!(
                    f,
                    "held back by the caller's own limit on `{name}` ({} in {} s)",
                    limit.count(),
                    limit.window().as_secs()
                )?;
                match self.0.retry_after {
                    Some(w) => write!(f, "; room in {} ms", w.as_millis()),
                    None => Ok(()),
                }
            }
            ErrorKind::ResponseTooLarge { limit } => write!(
                f,
                "response body exceeds the {limit}-byte limit (the server acted on it: check before sending it again)"
            ),
            ErrorKind::LimiterUnavailable => write!(f, "{}", self.causes()),
            ErrorKind::Decode => write!(
                f,
                "could not decode the response (HTTP {}, so the server acted on it: check before sending it again): {}",
                response.map_or(0, |r| r.status),
                self.causes()
            ),
            ErrorKind::Redirected { location } => write!(
                f,
                "redirected (HTTP {}) to `{location}`, not followed: the key goes to the configured origin only",
                response.map_or(0, |r| r.status),
            ),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.0;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("operation", &i.operation.map(Operation::name))
            .field("attempts", &i.attempts)
            .field("status", &self.status())
            .field("retry_after", &i.retry_after)
            .field("body", &self.body())
            .field("source", &i.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
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

mod mapping;
pub(crate) use mapping::{CallContext, from_api};

#[cfg(test)]
mod tests;
