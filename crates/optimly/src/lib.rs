#![doc = include_str!("../README.md")]
// On docs.rs, each item gated by a feature says which.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod agent;
pub mod automations;
mod call;
mod chats;
mod client;
pub mod clock;
mod conversation;
mod credentials;
mod error;
pub mod rate_limit;
pub mod retry;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(all(feature = "testing", feature = "redis"))]
mod testing_redis;
mod validate;

pub use agent::{AgentReply, AgentVersion, Ask, HandoffData, ToolData, ToolExecution};
pub use automations::{
    AppointmentRequest, EmailHandoff, Handoff, Lead, LeadChat, SendHandoff, StartLeadChat, Urgency,
};
pub use call::RequestOptions;
pub use chats::{
    AppendMessage, Chat, ChatEndpoint, CreateChat, History, InlineReply, ListChats, Message,
};
pub use client::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, OptimlyClient, USER_AGENT, env,
};
pub use conversation::{Conversation, StartConversation};
pub use credentials::{ApiKey, AuthMethod};
pub use error::{Error, ErrorKind, FieldIssue};
/// Every operation's description (`operations::NEW_MESSAGE`, ...), as errors report them and
/// the testing helpers take them.
pub use optimly_api::operations;
/// The TLS this build's features choose, and a `reqwest::ClientBuilder` that carries it.
pub use optimly_api::tls;
// Each re-exported item keeps its own summary: a doc comment here would be prepended to all
// of them.
pub use optimly_api::{Limit, Operation, Scope};
#[cfg(feature = "redis")]
pub use rate_limit::RedisLimits;
pub use rate_limit::{LimiterStats, RateLimits, WhenLimited};
pub use retry::RetryPolicy;

// The API's open enums: an unknown value parses to `Unknown(String)` (each says so itself).
pub use optimly_api::types::{ChatStatus, HandoffStatus, Sender, ToolName, ToolStatus};

/// The `chrono` the accessors' times are in, so an app names them without matching versions.
pub use chrono;

/// The `reqwest` the SDK sends with, so an app builds the client it passes to
/// [`ClientBuilder::http_client`] (a proxy, its own root certificates) without matching
/// versions.
pub use reqwest;

/// What an accessor reads when the server left out a time every message has: the Unix epoch.
pub const NO_TIME: chrono::DateTime<chrono::Utc> = chrono::DateTime::UNIX_EPOCH;

/// The sender, tool, status or chat state a message, tool run or chat reads as when the
/// server left it out: `Unknown("")`, which displays as an empty string.
pub(crate) static UNKNOWN_SENDER: Sender = Sender::Unknown(String::new());
pub(crate) static UNKNOWN_TOOL: ToolName = ToolName::Unknown(String::new());
pub(crate) static UNKNOWN_TOOL_STATUS: ToolStatus = ToolStatus::Unknown(String::new());
pub(crate) static UNKNOWN_CHAT_STATUS: ChatStatus = ChatStatus::Unknown(String::new());

/// The low-level generated client, for what this crate does not cover.
pub use optimly_api;

/// Free-form metadata: any JSON object.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// Insert one entry into an optional metadata object, creating it when absent.
pub(crate) fn insert_meta(
    slot: &mut Option<optimly_api::types::Metadata>,
    key: String,
    value: serde_json::Value,
) {
    slot.get_or_insert_with(|| optimly_api::types::Metadata(Metadata::new()))
        .0
        .insert(key, value);
}
