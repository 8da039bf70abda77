//! What the spec says about each operation, in one typed description that the SDK's call
//! engine and the offline mock both read.
//!
//! The descriptions themselves are generated from `openapi/v3.yaml` into
//! [`operations`](crate::operations) (one constant per operation, and [`ALL`](crate::operations::ALL));
//! this module holds only their types. Every generated request builder implements [`Request`],
//! which ties it to its description, so a caller that holds a builder never names the operation
//! again.
//!
//! ```
//! use optimly_api::operations::{self, NEW_MESSAGE};
//! use optimly_api::{Method, Scope};
//!
//! assert_eq!(NEW_MESSAGE.name(), "new_message");
//! assert_eq!(NEW_MESSAGE.method, Method::Post);
//! assert!(!NEW_MESSAGE.retry_safe);
//! assert!(NEW_MESSAGE.counted_per_chat());
//! assert_eq!(NEW_MESSAGE.limits[0].scope(), Scope::Chat);
//! assert_eq!(operations::by_name("new_message"), Some(&NEW_MESSAGE));
//! ```

use std::fmt;
use std::future::Future;

use crate::limit::{Limit, Scope};
use crate::operations::{ActionId, OperationId};

/// The HTTP method of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// The method as it is written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation of the spec: its id, method, path template, whether it may be sent again after
/// the server may have acted on it, and its own rate limits (on top of
/// [`GLOBAL_LIMITS`](crate::operations::GLOBAL_LIMITS)).
#[derive(Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Operation {
    /// Which operation this is.
    pub id: OperationId,
    /// The HTTP method.
    pub method: Method,
    /// The path template (`/external/chat/{chat_id}/messages`).
    pub path: &'static str,
    /// Whether sending the request again after the server may have acted on it is harmless
    /// (a read). Every Optimly write is a `POST` that is not.
    pub retry_safe: bool,
    /// The operation's own limits (its `x-rate-limits`), empty when it has none.
    pub limits: &'static [Limit],
    /// What the operation is in OpenTelemetry's GenAI conventions (`gen_ai.operation.name`:
    /// `invoke_agent`, `chat`), from its `x-gen-ai-operation`; `None` for the rest.
    pub gen_ai: Option<&'static str>,
}

impl Operation {
    /// The spec's `operationId` (`new_message`).
    pub const fn name(&self) -> &'static str {
        self.id.name()
    }

    /// Whether one of the operation's limits is counted per chat, so its requests must name one.
    pub fn counted_per_chat(&self) -> bool {
        self.limits.iter().any(|l| l.scope() == Scope::Chat)
    }
}

impl fmt::Display for Operation {
    /// The operation id, as error messages and logs name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An action with limits of its own, whatever operation performs it (the spec's
/// `x-rate-limits.actions`): requesting an appointment is a `new_message` with
/// `metadata.form_type = "appointment_request"`, counted 20 per hour on top of the operation's
/// limits.
///
/// ```
/// use optimly_api::operations::{REQUEST_APPOINTMENT, TOOL_EXECUTION};
///
/// assert_eq!(REQUEST_APPOINTMENT.limits[0].to_string(), "20 per hour per API key");
/// assert!(REQUEST_APPOINTMENT.enforced);
/// assert_eq!(REQUEST_APPOINTMENT.form_type(), Some("appointment_request"));
/// // The agent runs tools on its own: a client can record this limit but not count it.
/// assert!(!TOOL_EXECUTION.enforced);
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Action {
    /// Which action this is.
    pub id: ActionId,
    /// Its limits.
    pub limits: &'static [Limit],
    /// Whether a client counts these limits on the calls that perform the action (`false`:
    /// recorded from the docs only, because the client does not perform it).
    pub enforced: bool,
    /// The operation that performs an enforced action, and the `metadata.form_type` its
    /// request carries (`None` when not enforced).
    pub performed_by: Option<(OperationId, &'static str)>,
}

impl Action {
    /// The spec's name for the action (`request_appointment`).
    pub const fn name(&self) -> &'static str {
        self.id.name()
    }

    /// The `metadata.form_type` of the requests that perform it.
    pub const fn form_type(&self) -> Option<&'static str> {
        match self.performed_by {
            Some((_, form)) => Some(form),
            None => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A generated request builder, tied to the description of the operation it sends.
///
/// Implemented by `cargo xtask generate` for every builder in [`builder`](crate::builder); a
/// layer above this crate (retries, limits, error mapping) takes any `Request` and reads what
/// it needs from [`OPERATION`](Self::OPERATION).
pub trait Request: Send + Sized {
    /// The success body.
    type Output: serde::de::DeserializeOwned + Send;
    /// The operation this builder sends.
    const OPERATION: &'static Operation;
    /// Send the request once (no retries).
    fn send(
        self,
    ) -> impl Future<
        Output = Result<
            progenitor_client::ResponseValue<Self::Output>,
            progenitor_client::Error<crate::types::ApiErrorBody>,
        >,
    > + Send;
}
