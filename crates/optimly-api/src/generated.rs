// @generated from openapi/v3.yaml by `cargo xtask generate`; do not edit.
// Change the spec (or the xtask) and run `cargo xtask generate` again.

#[allow(unused_imports)]
pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
#[allow(unused_imports)]
use progenitor_client::{encode_path, ClientHooks, OperationInfo, RequestBuilderExt};
/// Types used as operation parameters and responses.
#[allow(clippy::all)]
pub mod types {
    ///The agent's reply (v2 reference).
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct AgentReply {
        ///The agent that answered.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub agent_id: ::std::option::Option<::std::string::String>,
        ///The chat the reply belongs to.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub chat_id: ::std::option::Option<::std::string::String>,
        ///Details of an email handoff the agent started, or null.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub handoff_data: ::std::option::Option<
            ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        >,
        ///The id of the stored reply message.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub message_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub metadata: ::std::option::Option<AgentReplyMetadata>,
        ///The agent's reply text.
        pub response: ::std::string::String,
        ///When the reply was made (ISO-8601).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub timestamp: ::std::option::Option<::std::string::String>,
        ///The tools the agent ran on its own while answering.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub tools_executed: ::std::option::Option<::std::vec::Vec<ToolExecution>>,
    }
    impl AgentReply {
        pub fn builder() -> builder::AgentReply {
            Default::default()
        }
    }
    ///Processing details of a reply; other keys may appear.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct AgentReplyMetadata {
        ///Knowledge-base chunks retrieved for the reply.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub knowledge_chunks_used: ::std::option::Option<i64>,
        ///Seconds the agent took.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub processing_time: ::std::option::Option<f64>,
        ///Model tokens used for the reply.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub tokens_used: ::std::option::Option<i64>,
        #[serde(flatten)]
        pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
    }
    impl AgentReplyMetadata {
        pub fn builder() -> builder::AgentReplyMetadata {
            Default::default()
        }
    }
    ///A user's message for the agent (legacy, v2 and v3 endpoints).
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct AgentRequest {
        ///The chat this message belongs to.
        pub chat_id: ::std::string::String,
        ///The user's message.
        pub content: ::std::string::String,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub metadata: ::std::option::Option<Metadata>,
    }
    impl AgentRequest {
        pub fn builder() -> builder::AgentRequest {
            Default::default()
        }
    }
    ///The agent's reply to a user message, inline (message management page).
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct AgentResponse {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub content: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub message_id: ::std::option::Option<::std::string::String>,
        ///ISO-8601 time.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub timestamp: ::std::option::Option<::std::string::String>,
    }
    impl AgentResponse {
        pub fn builder() -> builder::AgentResponse {
            Default::default()
        }
    }
    /**The body of every 4xx and 5xx. The docs show three shapes, all accepted here:
`{"error", "detail", "status_code"}` (tools page), `{"success": false, "error",
"detail"}` (external overview page), and FastAPI's
`{"detail": [{"loc", "msg", "type"}]}` (generated reference, 422).
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct ApiErrorBody {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub detail: ::std::option::Option<ErrorDetail>,
        ///A short error title.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub error: ::std::option::Option<::std::string::String>,
        ///The HTTP status, repeated in the body (tools page).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub status_code: ::std::option::Option<i64>,
        ///Always false on errors (external overview page).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub success: ::std::option::Option<bool>,
    }
    impl ApiErrorBody {
        pub fn builder() -> builder::ApiErrorBody {
            Default::default()
        }
    }
    /**A chat (conversation). Pages disagree on which fields it shows: `status` on some,
`metadata` on others. The client-chats list adds `last_activity` and `message_count`.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct Chat {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub agent_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub ai_enabled: ::std::option::Option<bool>,
        ///Use this id for every later message.
        pub chat_id: ::std::string::String,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub client_id: ::std::option::Option<::std::string::String>,
        ///ISO-8601 creation time.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub created_at: ::std::option::Option<::std::string::String>,
        ///ISO-8601 time of the last message (client-chats list).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub last_activity: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub lead_collected: ::std::option::Option<bool>,
        ///Number of messages (client-chats list).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub message_count: ::std::option::Option<i64>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub metadata: ::std::option::Option<Metadata>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub status: ::std::option::Option<crate::types::ChatStatus>,
    }
    impl Chat {
        pub fn builder() -> builder::Chat {
            Default::default()
        }
    }
    ///The body of both chat-creation paths.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct ChatBase {
        ///Whether the agent answers in this chat.
        #[serde(default = "defaults::default_bool::<true>")]
        pub ai_enabled: bool,
        ///Your identifier for the end user.
        pub client_id: ::std::string::String,
        ///Marks the chat as a lead submission (automations page).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub lead_collected: ::std::option::Option<bool>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub metadata: ::std::option::Option<Metadata>,
    }
    impl ChatBase {
        pub fn builder() -> builder::ChatBase {
            Default::default()
        }
    }
    ///A queued email handoff.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct EmailHandoff {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub chat_id: ::std::option::Option<::std::string::String>,
        pub handoff_id: ::std::string::String,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub status: ::std::option::Option<crate::types::HandoffStatus>,
    }
    impl EmailHandoff {
        pub fn builder() -> builder::EmailHandoff {
            Default::default()
        }
    }
    ///Hand a chat to a human by email (automations page contract).
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct EmailHandoffRequest {
        pub chat_id: ::std::string::String,
        ///What the human needs to know.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub context: ::std::option::Option<::std::string::String>,
        ///Where the human follows up.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub customer_email: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub metadata: ::std::option::Option<Metadata>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub reason: ::std::option::Option<::std::string::String>,
    }
    impl EmailHandoffRequest {
        pub fn builder() -> builder::EmailHandoffRequest {
            Default::default()
        }
    }
    ///A message, or FastAPI's list of validation problems.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[serde(untagged)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub enum ErrorDetail {
        String(::std::string::String),
        Array(::std::vec::Vec<ValidationIssue>),
    }
    impl ::std::convert::From<::std::vec::Vec<ValidationIssue>> for ErrorDetail {
        fn from(value: ::std::vec::Vec<ValidationIssue>) -> Self {
            Self::Array(value)
        }
    }
    ///One step of a validation location: a field name or an array index.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[serde(untagged)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub enum LocationItem {
        String(::std::string::String),
        Integer(i64),
    }
    impl ::std::fmt::Display for LocationItem {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match self {
                Self::String(x) => x.fmt(f),
                Self::Integer(x) => x.fmt(f),
            }
        }
    }
    impl ::std::convert::From<i64> for LocationItem {
        fn from(value: i64) -> Self {
            Self::Integer(value)
        }
    }
    /**A stored message. Its time is `created_at` on the automations page and `timestamp` on
every other page; both are optional here.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct Message {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub agent_response: ::std::option::Option<AgentResponse>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub chat_id: ::std::option::Option<::std::string::String>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub content: ::std::option::Option<::std::string::String>,
        ///ISO-8601 time (automations page).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub created_at: ::std::option::Option<::std::string::String>,
        pub message_id: ::std::string::String,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub metadata: ::std::option::Option<Metadata>,
        ///Whether the message was processed (message management page).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub processed: ::std::option::Option<bool>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub sender: ::std::option::Option<crate::types::Sender>,
        ///ISO-8601 time (every other page).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub timestamp: ::std::option::Option<::std::string::String>,
    }
    impl Message {
        pub fn builder() -> builder::Message {
            Default::default()
        }
    }
    /**A message to append. Automations put `form_type` (`lead_capture`,
`appointment_request`) and the captured fields in `metadata`.
*/
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct MessageCore {
        pub chat_id: ::std::string::String,
        pub content: ::std::string::String,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub metadata: ::std::option::Option<Metadata>,
        pub sender: NewMessageSender,
    }
    impl MessageCore {
        pub fn builder() -> builder::MessageCore {
            Default::default()
        }
    }
    ///Free-form metadata: any JSON object.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
    #[serde(transparent)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct Metadata(
        pub ::serde_json::Map<::std::string::String, ::serde_json::Value>,
    );
    impl ::std::ops::Deref for Metadata {
        type Target = ::serde_json::Map<::std::string::String, ::serde_json::Value>;
        fn deref(
            &self,
        ) -> &::serde_json::Map<::std::string::String, ::serde_json::Value> {
            &self.0
        }
    }
    impl ::std::convert::From<Metadata>
    for ::serde_json::Map<::std::string::String, ::serde_json::Value> {
        fn from(value: Metadata) -> Self {
            value.0
        }
    }
    impl ::std::convert::From<
        ::serde_json::Map<::std::string::String, ::serde_json::Value>,
    > for Metadata {
        fn from(
            value: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        ) -> Self {
            Self(value)
        }
    }
    /**Who a new message is from. Closed: the server validates it, and answers any other value
with a 422 (the stored message's `sender` is open).
*/
    #[derive(
        ::serde::Deserialize,
        ::serde::Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd
    )]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub enum NewMessageSender {
        #[serde(rename = "user")]
        User,
        #[serde(rename = "assistant")]
        Assistant,
    }
    impl ::std::fmt::Display for NewMessageSender {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::User => f.write_str("user"),
                Self::Assistant => f.write_str("assistant"),
            }
        }
    }
    impl ::std::str::FromStr for NewMessageSender {
        type Err = self::error::ConversionError;
        fn from_str(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "user" => Ok(Self::User),
                "assistant" => Ok(Self::Assistant),
                _ => Err("invalid value".into()),
            }
        }
    }
    impl ::std::convert::TryFrom<&str> for NewMessageSender {
        type Error = self::error::ConversionError;
        fn try_from(
            value: &str,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    impl ::std::convert::TryFrom<::std::string::String> for NewMessageSender {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }
    ///One tool the agent executed.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct ToolExecution {
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub data: ::std::option::Option<Metadata>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub status: ::std::option::Option<crate::types::ToolStatus>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub tool: ::std::option::Option<crate::types::ToolName>,
    }
    impl ToolExecution {
        pub fn builder() -> builder::ToolExecution {
            Default::default()
        }
    }
    ///One validation problem, FastAPI style.
    #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    pub struct ValidationIssue {
        ///Details of the problem, such as the limit a value broke (pydantic v2).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub ctx: ::std::option::Option<
            ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        >,
        ///The value found there (pydantic v2; any JSON).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub input: ::std::option::Option<::serde_json::Value>,
        ///Where the problem is, e.g. `["body", "email"]`.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub loc: ::std::option::Option<::std::vec::Vec<LocationItem>>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub msg: ::std::option::Option<::std::string::String>,
        #[serde(rename = "type", skip_serializing_if = "::std::option::Option::is_none")]
        pub type_: ::std::option::Option<::std::string::String>,
    }
    impl ValidationIssue {
        pub fn builder() -> builder::ValidationIssue {
            Default::default()
        }
    }
    /// Types for composing complex structures.
    pub mod builder {
        #[derive(Clone, Debug)]
        pub struct AgentReply {
            agent_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            chat_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            handoff_data: ::std::result::Result<
                ::std::option::Option<
                    ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                >,
                ::std::string::String,
            >,
            message_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            metadata: ::std::result::Result<
                ::std::option::Option<super::AgentReplyMetadata>,
                ::std::string::String,
            >,
            response: ::std::result::Result<
                ::std::string::String,
                ::std::string::String,
            >,
            timestamp: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            tools_executed: ::std::result::Result<
                ::std::option::Option<::std::vec::Vec<super::ToolExecution>>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for AgentReply {
            fn default() -> Self {
                Self {
                    agent_id: Ok(Default::default()),
                    chat_id: Ok(Default::default()),
                    handoff_data: Ok(Default::default()),
                    message_id: Ok(Default::default()),
                    metadata: Ok(Default::default()),
                    response: Err("no value supplied for response".to_string()),
                    timestamp: Ok(Default::default()),
                    tools_executed: Ok(Default::default()),
                }
            }
        }
        impl AgentReply {
            pub fn agent_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.agent_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for agent_id: {e}")
                    });
                self
            }
            pub fn chat_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.chat_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for chat_id: {e}")
                    });
                self
            }
            pub fn handoff_data<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<
                        ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    >,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.handoff_data = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for handoff_data: {e}")
                    });
                self
            }
            pub fn message_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.message_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for message_id: {e}")
                    });
                self
            }
            pub fn metadata<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<super::AgentReplyMetadata>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.metadata = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for metadata: {e}")
                    });
                self
            }
            pub fn response<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.response = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for response: {e}")
                    });
                self
            }
            pub fn timestamp<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.timestamp = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for timestamp: {e}")
                    });
                self
            }
            pub fn tools_executed<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<::std::vec::Vec<super::ToolExecution>>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.tools_executed = value
                    .try_into()
                    .map_err(|e| {
                        format!(
                            "error converting supplied value for tools_executed: {e}"
                        )
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<AgentReply> for super::AgentReply {
            type Error = super::error::ConversionError;
            fn try_from(
                value: AgentReply,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    agent_id: value.agent_id?,
                    chat_id: value.chat_id?,
                    handoff_data: value.handoff_data?,
                    message_id: value.message_id?,
                    metadata: value.metadata?,
                    response: value.response?,
                    timestamp: value.timestamp?,
                    tools_executed: value.tools_executed?,
                })
            }
        }
        impl ::std::convert::From<super::AgentReply> for AgentReply {
            fn from(value: super::AgentReply) -> Self {
                Self {
                    agent_id: Ok(value.agent_id),
                    chat_id: Ok(value.chat_id),
                    handoff_data: Ok(value.handoff_data),
                    message_id: Ok(value.message_id),
                    metadata: Ok(value.metadata),
                    response: Ok(value.response),
                    timestamp: Ok(value.timestamp),
                    tools_executed: Ok(value.tools_executed),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct AgentReplyMetadata {
            knowledge_chunks_used: ::std::result::Result<
                ::std::option::Option<i64>,
                ::std::string::String,
            >,
            processing_time: ::std::result::Result<
                ::std::option::Option<f64>,
                ::std::string::String,
            >,
            tokens_used: ::std::result::Result<
                ::std::option::Option<i64>,
                ::std::string::String,
            >,
            extra: ::std::result::Result<
                ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for AgentReplyMetadata {
            fn default() -> Self {
                Self {
                    knowledge_chunks_used: Ok(Default::default()),
                    processing_time: Ok(Default::default()),
                    tokens_used: Ok(Default::default()),
                    extra: Err("no value supplied for extra".to_string()),
                }
            }
        }
        impl AgentReplyMetadata {
            pub fn knowledge_chunks_used<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<i64>>,
                T::Error: ::std::fmt::Display,
            {
                self.knowledge_chunks_used = value
                    .try_into()
                    .map_err(|e| {
                        format!(
                            "error converting supplied value for knowledge_chunks_used: {e}"
                        )
                    });
                self
            }
            pub fn processing_time<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<f64>>,
                T::Error: ::std::fmt::Display,
            {
                self.processing_time = value
                    .try_into()
                    .map_err(|e| {
                        format!(
                            "error converting supplied value for processing_time: {e}"
                        )
                    });
                self
            }
            pub fn tokens_used<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<i64>>,
                T::Error: ::std::fmt::Display,
            {
                self.tokens_used = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for tokens_used: {e}")
                    });
                self
            }
            pub fn extra<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.extra = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for extra: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<AgentReplyMetadata> for super::AgentReplyMetadata {
            type Error = super::error::ConversionError;
            fn try_from(
                value: AgentReplyMetadata,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    knowledge_chunks_used: value.knowledge_chunks_used?,
                    processing_time: value.processing_time?,
                    tokens_used: value.tokens_used?,
                    extra: value.extra?,
                })
            }
        }
        impl ::std::convert::From<super::AgentReplyMetadata> for AgentReplyMetadata {
            fn from(value: super::AgentReplyMetadata) -> Self {
                Self {
                    knowledge_chunks_used: Ok(value.knowledge_chunks_used),
                    processing_time: Ok(value.processing_time),
                    tokens_used: Ok(value.tokens_used),
                    extra: Ok(value.extra),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct AgentRequest {
            chat_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            content: ::std::result::Result<::std::string::String, ::std::string::String>,
            metadata: ::std::result::Result<
                ::std::option::Option<super::Metadata>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for AgentRequest {
            fn default() -> Self {
                Self {
                    chat_id: Err("no value supplied for chat_id".to_string()),
                    content: Err("no value supplied for content".to_string()),
                    metadata: Ok(Default::default()),
                }
            }
        }
        impl AgentRequest {
            pub fn chat_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.chat_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for chat_id: {e}")
                    });
                self
            }
            pub fn content<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.content = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for content: {e}")
                    });
                self
            }
            pub fn metadata<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::Metadata>>,
                T::Error: ::std::fmt::Display,
            {
                self.metadata = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for metadata: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<AgentRequest> for super::AgentRequest {
            type Error = super::error::ConversionError;
            fn try_from(
                value: AgentRequest,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    chat_id: value.chat_id?,
                    content: value.content?,
                    metadata: value.metadata?,
                })
            }
        }
        impl ::std::convert::From<super::AgentRequest> for AgentRequest {
            fn from(value: super::AgentRequest) -> Self {
                Self {
                    chat_id: Ok(value.chat_id),
                    content: Ok(value.content),
                    metadata: Ok(value.metadata),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct AgentResponse {
            content: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            message_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            timestamp: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for AgentResponse {
            fn default() -> Self {
                Self {
                    content: Ok(Default::default()),
                    message_id: Ok(Default::default()),
                    timestamp: Ok(Default::default()),
                }
            }
        }
        impl AgentResponse {
            pub fn content<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.content = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for content: {e}")
                    });
                self
            }
            pub fn message_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.message_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for message_id: {e}")
                    });
                self
            }
            pub fn timestamp<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.timestamp = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for timestamp: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<AgentResponse> for super::AgentResponse {
            type Error = super::error::ConversionError;
            fn try_from(
                value: AgentResponse,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    content: value.content?,
                    message_id: value.message_id?,
                    timestamp: value.timestamp?,
                })
            }
        }
        impl ::std::convert::From<super::AgentResponse> for AgentResponse {
            fn from(value: super::AgentResponse) -> Self {
                Self {
                    content: Ok(value.content),
                    message_id: Ok(value.message_id),
                    timestamp: Ok(value.timestamp),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct ApiErrorBody {
            detail: ::std::result::Result<
                ::std::option::Option<super::ErrorDetail>,
                ::std::string::String,
            >,
            error: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            status_code: ::std::result::Result<
                ::std::option::Option<i64>,
                ::std::string::String,
            >,
            success: ::std::result::Result<
                ::std::option::Option<bool>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for ApiErrorBody {
            fn default() -> Self {
                Self {
                    detail: Ok(Default::default()),
                    error: Ok(Default::default()),
                    status_code: Ok(Default::default()),
                    success: Ok(Default::default()),
                }
            }
        }
        impl ApiErrorBody {
            pub fn detail<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::ErrorDetail>>,
                T::Error: ::std::fmt::Display,
            {
                self.detail = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for detail: {e}")
                    });
                self
            }
            pub fn error<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.error = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for error: {e}")
                    });
                self
            }
            pub fn status_code<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<i64>>,
                T::Error: ::std::fmt::Display,
            {
                self.status_code = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for status_code: {e}")
                    });
                self
            }
            pub fn success<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<bool>>,
                T::Error: ::std::fmt::Display,
            {
                self.success = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for success: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<ApiErrorBody> for super::ApiErrorBody {
            type Error = super::error::ConversionError;
            fn try_from(
                value: ApiErrorBody,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    detail: value.detail?,
                    error: value.error?,
                    status_code: value.status_code?,
                    success: value.success?,
                })
            }
        }
        impl ::std::convert::From<super::ApiErrorBody> for ApiErrorBody {
            fn from(value: super::ApiErrorBody) -> Self {
                Self {
                    detail: Ok(value.detail),
                    error: Ok(value.error),
                    status_code: Ok(value.status_code),
                    success: Ok(value.success),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct Chat {
            agent_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            ai_enabled: ::std::result::Result<
                ::std::option::Option<bool>,
                ::std::string::String,
            >,
            chat_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            client_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            created_at: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            last_activity: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            lead_collected: ::std::result::Result<
                ::std::option::Option<bool>,
                ::std::string::String,
            >,
            message_count: ::std::result::Result<
                ::std::option::Option<i64>,
                ::std::string::String,
            >,
            metadata: ::std::result::Result<
                ::std::option::Option<super::Metadata>,
                ::std::string::String,
            >,
            status: ::std::result::Result<
                ::std::option::Option<crate::types::ChatStatus>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for Chat {
            fn default() -> Self {
                Self {
                    agent_id: Ok(Default::default()),
                    ai_enabled: Ok(Default::default()),
                    chat_id: Err("no value supplied for chat_id".to_string()),
                    client_id: Ok(Default::default()),
                    created_at: Ok(Default::default()),
                    last_activity: Ok(Default::default()),
                    lead_collected: Ok(Default::default()),
                    message_count: Ok(Default::default()),
                    metadata: Ok(Default::default()),
                    status: Ok(Default::default()),
                }
            }
        }
        impl Chat {
            pub fn agent_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.agent_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for agent_id: {e}")
                    });
                self
            }
            pub fn ai_enabled<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<bool>>,
                T::Error: ::std::fmt::Display,
            {
                self.ai_enabled = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for ai_enabled: {e}")
                    });
                self
            }
            pub fn chat_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.chat_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for chat_id: {e}")
                    });
                self
            }
            pub fn client_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.client_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for client_id: {e}")
                    });
                self
            }
            pub fn created_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.created_at = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for created_at: {e}")
                    });
                self
            }
            pub fn last_activity<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.last_activity = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for last_activity: {e}")
                    });
                self
            }
            pub fn lead_collected<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<bool>>,
                T::Error: ::std::fmt::Display,
            {
                self.lead_collected = value
                    .try_into()
                    .map_err(|e| {
                        format!(
                            "error converting supplied value for lead_collected: {e}"
                        )
                    });
                self
            }
            pub fn message_count<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<i64>>,
                T::Error: ::std::fmt::Display,
            {
                self.message_count = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for message_count: {e}")
                    });
                self
            }
            pub fn metadata<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::Metadata>>,
                T::Error: ::std::fmt::Display,
            {
                self.metadata = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for metadata: {e}")
                    });
                self
            }
            pub fn status<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<crate::types::ChatStatus>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.status = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for status: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<Chat> for super::Chat {
            type Error = super::error::ConversionError;
            fn try_from(
                value: Chat,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    agent_id: value.agent_id?,
                    ai_enabled: value.ai_enabled?,
                    chat_id: value.chat_id?,
                    client_id: value.client_id?,
                    created_at: value.created_at?,
                    last_activity: value.last_activity?,
                    lead_collected: value.lead_collected?,
                    message_count: value.message_count?,
                    metadata: value.metadata?,
                    status: value.status?,
                })
            }
        }
        impl ::std::convert::From<super::Chat> for Chat {
            fn from(value: super::Chat) -> Self {
                Self {
                    agent_id: Ok(value.agent_id),
                    ai_enabled: Ok(value.ai_enabled),
                    chat_id: Ok(value.chat_id),
                    client_id: Ok(value.client_id),
                    created_at: Ok(value.created_at),
                    last_activity: Ok(value.last_activity),
                    lead_collected: Ok(value.lead_collected),
                    message_count: Ok(value.message_count),
                    metadata: Ok(value.metadata),
                    status: Ok(value.status),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct ChatBase {
            ai_enabled: ::std::result::Result<bool, ::std::string::String>,
            client_id: ::std::result::Result<
                ::std::string::String,
                ::std::string::String,
            >,
            lead_collected: ::std::result::Result<
                ::std::option::Option<bool>,
                ::std::string::String,
            >,
            metadata: ::std::result::Result<
                ::std::option::Option<super::Metadata>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for ChatBase {
            fn default() -> Self {
                Self {
                    ai_enabled: Ok(super::defaults::default_bool::<true>()),
                    client_id: Err("no value supplied for client_id".to_string()),
                    lead_collected: Ok(Default::default()),
                    metadata: Ok(Default::default()),
                }
            }
        }
        impl ChatBase {
            pub fn ai_enabled<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<bool>,
                T::Error: ::std::fmt::Display,
            {
                self.ai_enabled = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for ai_enabled: {e}")
                    });
                self
            }
            pub fn client_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.client_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for client_id: {e}")
                    });
                self
            }
            pub fn lead_collected<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<bool>>,
                T::Error: ::std::fmt::Display,
            {
                self.lead_collected = value
                    .try_into()
                    .map_err(|e| {
                        format!(
                            "error converting supplied value for lead_collected: {e}"
                        )
                    });
                self
            }
            pub fn metadata<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::Metadata>>,
                T::Error: ::std::fmt::Display,
            {
                self.metadata = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for metadata: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<ChatBase> for super::ChatBase {
            type Error = super::error::ConversionError;
            fn try_from(
                value: ChatBase,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    ai_enabled: value.ai_enabled?,
                    client_id: value.client_id?,
                    lead_collected: value.lead_collected?,
                    metadata: value.metadata?,
                })
            }
        }
        impl ::std::convert::From<super::ChatBase> for ChatBase {
            fn from(value: super::ChatBase) -> Self {
                Self {
                    ai_enabled: Ok(value.ai_enabled),
                    client_id: Ok(value.client_id),
                    lead_collected: Ok(value.lead_collected),
                    metadata: Ok(value.metadata),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct EmailHandoff {
            chat_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            handoff_id: ::std::result::Result<
                ::std::string::String,
                ::std::string::String,
            >,
            status: ::std::result::Result<
                ::std::option::Option<crate::types::HandoffStatus>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for EmailHandoff {
            fn default() -> Self {
                Self {
                    chat_id: Ok(Default::default()),
                    handoff_id: Err("no value supplied for handoff_id".to_string()),
                    status: Ok(Default::default()),
                }
            }
        }
        impl EmailHandoff {
            pub fn chat_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.chat_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for chat_id: {e}")
                    });
                self
            }
            pub fn handoff_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.handoff_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for handoff_id: {e}")
                    });
                self
            }
            pub fn status<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<crate::types::HandoffStatus>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.status = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for status: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<EmailHandoff> for super::EmailHandoff {
            type Error = super::error::ConversionError;
            fn try_from(
                value: EmailHandoff,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    chat_id: value.chat_id?,
                    handoff_id: value.handoff_id?,
                    status: value.status?,
                })
            }
        }
        impl ::std::convert::From<super::EmailHandoff> for EmailHandoff {
            fn from(value: super::EmailHandoff) -> Self {
                Self {
                    chat_id: Ok(value.chat_id),
                    handoff_id: Ok(value.handoff_id),
                    status: Ok(value.status),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct EmailHandoffRequest {
            chat_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            context: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            customer_email: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            metadata: ::std::result::Result<
                ::std::option::Option<super::Metadata>,
                ::std::string::String,
            >,
            reason: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for EmailHandoffRequest {
            fn default() -> Self {
                Self {
                    chat_id: Err("no value supplied for chat_id".to_string()),
                    context: Ok(Default::default()),
                    customer_email: Ok(Default::default()),
                    metadata: Ok(Default::default()),
                    reason: Ok(Default::default()),
                }
            }
        }
        impl EmailHandoffRequest {
            pub fn chat_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.chat_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for chat_id: {e}")
                    });
                self
            }
            pub fn context<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.context = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for context: {e}")
                    });
                self
            }
            pub fn customer_email<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.customer_email = value
                    .try_into()
                    .map_err(|e| {
                        format!(
                            "error converting supplied value for customer_email: {e}"
                        )
                    });
                self
            }
            pub fn metadata<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::Metadata>>,
                T::Error: ::std::fmt::Display,
            {
                self.metadata = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for metadata: {e}")
                    });
                self
            }
            pub fn reason<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.reason = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for reason: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<EmailHandoffRequest>
        for super::EmailHandoffRequest {
            type Error = super::error::ConversionError;
            fn try_from(
                value: EmailHandoffRequest,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    chat_id: value.chat_id?,
                    context: value.context?,
                    customer_email: value.customer_email?,
                    metadata: value.metadata?,
                    reason: value.reason?,
                })
            }
        }
        impl ::std::convert::From<super::EmailHandoffRequest> for EmailHandoffRequest {
            fn from(value: super::EmailHandoffRequest) -> Self {
                Self {
                    chat_id: Ok(value.chat_id),
                    context: Ok(value.context),
                    customer_email: Ok(value.customer_email),
                    metadata: Ok(value.metadata),
                    reason: Ok(value.reason),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct Message {
            agent_response: ::std::result::Result<
                ::std::option::Option<super::AgentResponse>,
                ::std::string::String,
            >,
            chat_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            content: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            created_at: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            message_id: ::std::result::Result<
                ::std::string::String,
                ::std::string::String,
            >,
            metadata: ::std::result::Result<
                ::std::option::Option<super::Metadata>,
                ::std::string::String,
            >,
            processed: ::std::result::Result<
                ::std::option::Option<bool>,
                ::std::string::String,
            >,
            sender: ::std::result::Result<
                ::std::option::Option<crate::types::Sender>,
                ::std::string::String,
            >,
            timestamp: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for Message {
            fn default() -> Self {
                Self {
                    agent_response: Ok(Default::default()),
                    chat_id: Ok(Default::default()),
                    content: Ok(Default::default()),
                    created_at: Ok(Default::default()),
                    message_id: Err("no value supplied for message_id".to_string()),
                    metadata: Ok(Default::default()),
                    processed: Ok(Default::default()),
                    sender: Ok(Default::default()),
                    timestamp: Ok(Default::default()),
                }
            }
        }
        impl Message {
            pub fn agent_response<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::AgentResponse>>,
                T::Error: ::std::fmt::Display,
            {
                self.agent_response = value
                    .try_into()
                    .map_err(|e| {
                        format!(
                            "error converting supplied value for agent_response: {e}"
                        )
                    });
                self
            }
            pub fn chat_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.chat_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for chat_id: {e}")
                    });
                self
            }
            pub fn content<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.content = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for content: {e}")
                    });
                self
            }
            pub fn created_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.created_at = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for created_at: {e}")
                    });
                self
            }
            pub fn message_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.message_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for message_id: {e}")
                    });
                self
            }
            pub fn metadata<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::Metadata>>,
                T::Error: ::std::fmt::Display,
            {
                self.metadata = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for metadata: {e}")
                    });
                self
            }
            pub fn processed<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<bool>>,
                T::Error: ::std::fmt::Display,
            {
                self.processed = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for processed: {e}")
                    });
                self
            }
            pub fn sender<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<crate::types::Sender>>,
                T::Error: ::std::fmt::Display,
            {
                self.sender = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for sender: {e}")
                    });
                self
            }
            pub fn timestamp<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.timestamp = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for timestamp: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<Message> for super::Message {
            type Error = super::error::ConversionError;
            fn try_from(
                value: Message,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    agent_response: value.agent_response?,
                    chat_id: value.chat_id?,
                    content: value.content?,
                    created_at: value.created_at?,
                    message_id: value.message_id?,
                    metadata: value.metadata?,
                    processed: value.processed?,
                    sender: value.sender?,
                    timestamp: value.timestamp?,
                })
            }
        }
        impl ::std::convert::From<super::Message> for Message {
            fn from(value: super::Message) -> Self {
                Self {
                    agent_response: Ok(value.agent_response),
                    chat_id: Ok(value.chat_id),
                    content: Ok(value.content),
                    created_at: Ok(value.created_at),
                    message_id: Ok(value.message_id),
                    metadata: Ok(value.metadata),
                    processed: Ok(value.processed),
                    sender: Ok(value.sender),
                    timestamp: Ok(value.timestamp),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct MessageCore {
            chat_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            content: ::std::result::Result<::std::string::String, ::std::string::String>,
            metadata: ::std::result::Result<
                ::std::option::Option<super::Metadata>,
                ::std::string::String,
            >,
            sender: ::std::result::Result<
                super::NewMessageSender,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for MessageCore {
            fn default() -> Self {
                Self {
                    chat_id: Err("no value supplied for chat_id".to_string()),
                    content: Err("no value supplied for content".to_string()),
                    metadata: Ok(Default::default()),
                    sender: Err("no value supplied for sender".to_string()),
                }
            }
        }
        impl MessageCore {
            pub fn chat_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.chat_id = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for chat_id: {e}")
                    });
                self
            }
            pub fn content<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.content = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for content: {e}")
                    });
                self
            }
            pub fn metadata<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::Metadata>>,
                T::Error: ::std::fmt::Display,
            {
                self.metadata = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for metadata: {e}")
                    });
                self
            }
            pub fn sender<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::NewMessageSender>,
                T::Error: ::std::fmt::Display,
            {
                self.sender = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for sender: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<MessageCore> for super::MessageCore {
            type Error = super::error::ConversionError;
            fn try_from(
                value: MessageCore,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    chat_id: value.chat_id?,
                    content: value.content?,
                    metadata: value.metadata?,
                    sender: value.sender?,
                })
            }
        }
        impl ::std::convert::From<super::MessageCore> for MessageCore {
            fn from(value: super::MessageCore) -> Self {
                Self {
                    chat_id: Ok(value.chat_id),
                    content: Ok(value.content),
                    metadata: Ok(value.metadata),
                    sender: Ok(value.sender),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct ToolExecution {
            data: ::std::result::Result<
                ::std::option::Option<super::Metadata>,
                ::std::string::String,
            >,
            status: ::std::result::Result<
                ::std::option::Option<crate::types::ToolStatus>,
                ::std::string::String,
            >,
            tool: ::std::result::Result<
                ::std::option::Option<crate::types::ToolName>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for ToolExecution {
            fn default() -> Self {
                Self {
                    data: Ok(Default::default()),
                    status: Ok(Default::default()),
                    tool: Ok(Default::default()),
                }
            }
        }
        impl ToolExecution {
            pub fn data<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::Metadata>>,
                T::Error: ::std::fmt::Display,
            {
                self.data = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for data: {e}")
                    });
                self
            }
            pub fn status<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<crate::types::ToolStatus>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.status = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for status: {e}")
                    });
                self
            }
            pub fn tool<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<crate::types::ToolName>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.tool = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for tool: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<ToolExecution> for super::ToolExecution {
            type Error = super::error::ConversionError;
            fn try_from(
                value: ToolExecution,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    data: value.data?,
                    status: value.status?,
                    tool: value.tool?,
                })
            }
        }
        impl ::std::convert::From<super::ToolExecution> for ToolExecution {
            fn from(value: super::ToolExecution) -> Self {
                Self {
                    data: Ok(value.data),
                    status: Ok(value.status),
                    tool: Ok(value.tool),
                }
            }
        }
        #[derive(Clone, Debug)]
        pub struct ValidationIssue {
            ctx: ::std::result::Result<
                ::std::option::Option<
                    ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                >,
                ::std::string::String,
            >,
            input: ::std::result::Result<
                ::std::option::Option<::serde_json::Value>,
                ::std::string::String,
            >,
            loc: ::std::result::Result<
                ::std::option::Option<::std::vec::Vec<super::LocationItem>>,
                ::std::string::String,
            >,
            msg: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            type_: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
        }
        impl ::std::default::Default for ValidationIssue {
            fn default() -> Self {
                Self {
                    ctx: Ok(Default::default()),
                    input: Ok(Default::default()),
                    loc: Ok(Default::default()),
                    msg: Ok(Default::default()),
                    type_: Ok(Default::default()),
                }
            }
        }
        impl ValidationIssue {
            pub fn ctx<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<
                        ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    >,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.ctx = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for ctx: {e}")
                    });
                self
            }
            pub fn input<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::serde_json::Value>>,
                T::Error: ::std::fmt::Display,
            {
                self.input = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for input: {e}")
                    });
                self
            }
            pub fn loc<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<::std::vec::Vec<super::LocationItem>>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.loc = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for loc: {e}")
                    });
                self
            }
            pub fn msg<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.msg = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for msg: {e}")
                    });
                self
            }
            pub fn type_<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.type_ = value
                    .try_into()
                    .map_err(|e| {
                        format!("error converting supplied value for type_: {e}")
                    });
                self
            }
        }
        impl ::std::convert::TryFrom<ValidationIssue> for super::ValidationIssue {
            type Error = super::error::ConversionError;
            fn try_from(
                value: ValidationIssue,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    ctx: value.ctx?,
                    input: value.input?,
                    loc: value.loc?,
                    msg: value.msg?,
                    type_: value.type_?,
                })
            }
        }
        impl ::std::convert::From<super::ValidationIssue> for ValidationIssue {
            fn from(value: super::ValidationIssue) -> Self {
                Self {
                    ctx: Ok(value.ctx),
                    input: Ok(value.input),
                    loc: Ok(value.loc),
                    msg: Ok(value.msg),
                    type_: Ok(value.type_),
                }
            }
        }
    }
    /// Generation of default values for serde.
    pub mod defaults {
        pub(super) fn default_bool<const V: bool>() -> bool {
            V
        }
    }
    /// Error types.
    pub mod error {
        /// Error from a `TryFrom` or `FromStr` implementation.
        pub struct ConversionError(::std::borrow::Cow<'static, str>);
        impl ::std::error::Error for ConversionError {}
        impl ::std::fmt::Display for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }
        impl ::std::fmt::Debug for ConversionError {
            fn fmt(
                &self,
                f: &mut ::std::fmt::Formatter<'_>,
            ) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }
        impl From<&'static str> for ConversionError {
            fn from(value: &'static str) -> Self {
                Self(value.into())
            }
        }
        impl From<String> for ConversionError {
            fn from(value: String) -> Self {
                Self(value.into())
            }
        }
    }
    ///A chat's state. Only `active` appears in the docs.
    ///
    ///Open enum: a value this version does not know is kept in `Unknown` and serialised back unchanged.
    #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[non_exhaustive]
    pub enum ChatStatus {
        ///`active`
        Active,
        /// A value the spec does not list, kept verbatim.
        Unknown(::std::string::String),
    }
    impl ChatStatus {
        /// Every documented value, in spec order.
        pub const KNOWN: &'static [&'static str] = &["active"];
        /// The value as it appears on the wire.
        pub fn as_str(&self) -> &str {
            match self {
                Self::Active => "active",
                Self::Unknown(other) => other.as_str(),
            }
        }
        /// Whether this is a value the spec does not list.
        pub fn is_unknown(&self) -> bool {
            matches!(self, Self::Unknown(_))
        }
    }
    impl ::std::convert::From<&str> for ChatStatus {
        fn from(value: &str) -> Self {
            match value {
                "active" => Self::Active,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }
    impl ::std::convert::From<::std::string::String> for ChatStatus {
        fn from(value: ::std::string::String) -> Self {
            match Self::from(value.as_str()) {
                Self::Unknown(_) => Self::Unknown(value),
                known => known,
            }
        }
    }
    impl ::std::str::FromStr for ChatStatus {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self::from(value))
        }
    }
    impl ::std::fmt::Display for ChatStatus {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            f.write_str(self.as_str())
        }
    }
    impl ::serde::Serialize for ChatStatus {
        fn serialize<S: ::serde::Serializer>(
            &self,
            serializer: S,
        ) -> ::std::result::Result<S::Ok, S::Error> {
            serializer.serialize_str(self.as_str())
        }
    }
    /// Any string: the documented values are listed as examples.
    #[cfg(feature = "schemars")]
    impl ::schemars::JsonSchema for ChatStatus {
        fn schema_name() -> ::std::borrow::Cow<'static, str> {
            "ChatStatus".into()
        }
        fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
            ::schemars::json_schema!(
                { "type" : "string", "description" :
                "A chat's state. Only `active` appears in the docs.", "examples" :
                ["active"] }
            )
        }
    }
    impl<'de> ::serde::Deserialize<'de> for ChatStatus {
        fn deserialize<D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<Self, D::Error> {
            ::std::string::String::deserialize(deserializer).map(Self::from)
        }
    }
    ///A handoff's state. Only `queued` appears in the docs.
    ///
    ///Open enum: a value this version does not know is kept in `Unknown` and serialised back unchanged.
    #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[non_exhaustive]
    pub enum HandoffStatus {
        ///`queued`
        Queued,
        /// A value the spec does not list, kept verbatim.
        Unknown(::std::string::String),
    }
    impl HandoffStatus {
        /// Every documented value, in spec order.
        pub const KNOWN: &'static [&'static str] = &["queued"];
        /// The value as it appears on the wire.
        pub fn as_str(&self) -> &str {
            match self {
                Self::Queued => "queued",
                Self::Unknown(other) => other.as_str(),
            }
        }
        /// Whether this is a value the spec does not list.
        pub fn is_unknown(&self) -> bool {
            matches!(self, Self::Unknown(_))
        }
    }
    impl ::std::convert::From<&str> for HandoffStatus {
        fn from(value: &str) -> Self {
            match value {
                "queued" => Self::Queued,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }
    impl ::std::convert::From<::std::string::String> for HandoffStatus {
        fn from(value: ::std::string::String) -> Self {
            match Self::from(value.as_str()) {
                Self::Unknown(_) => Self::Unknown(value),
                known => known,
            }
        }
    }
    impl ::std::str::FromStr for HandoffStatus {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self::from(value))
        }
    }
    impl ::std::fmt::Display for HandoffStatus {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            f.write_str(self.as_str())
        }
    }
    impl ::serde::Serialize for HandoffStatus {
        fn serialize<S: ::serde::Serializer>(
            &self,
            serializer: S,
        ) -> ::std::result::Result<S::Ok, S::Error> {
            serializer.serialize_str(self.as_str())
        }
    }
    /// Any string: the documented values are listed as examples.
    #[cfg(feature = "schemars")]
    impl ::schemars::JsonSchema for HandoffStatus {
        fn schema_name() -> ::std::borrow::Cow<'static, str> {
            "HandoffStatus".into()
        }
        fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
            ::schemars::json_schema!(
                { "type" : "string", "description" :
                "A handoff's state. Only `queued` appears in the docs.", "examples" :
                ["queued"] }
            )
        }
    }
    impl<'de> ::serde::Deserialize<'de> for HandoffStatus {
        fn deserialize<D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<Self, D::Error> {
            ::std::string::String::deserialize(deserializer).map(Self::from)
        }
    }
    ///Who wrote a stored message. Clients must accept other values.
    ///
    ///Open enum: a value this version does not know is kept in `Unknown` and serialised back unchanged.
    #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[non_exhaustive]
    pub enum Sender {
        ///`user`
        User,
        ///`assistant`
        Assistant,
        /// A value the spec does not list, kept verbatim.
        Unknown(::std::string::String),
    }
    impl Sender {
        /// Every documented value, in spec order.
        pub const KNOWN: &'static [&'static str] = &["user", "assistant"];
        /// The value as it appears on the wire.
        pub fn as_str(&self) -> &str {
            match self {
                Self::User => "user",
                Self::Assistant => "assistant",
                Self::Unknown(other) => other.as_str(),
            }
        }
        /// Whether this is a value the spec does not list.
        pub fn is_unknown(&self) -> bool {
            matches!(self, Self::Unknown(_))
        }
    }
    impl ::std::convert::From<&str> for Sender {
        fn from(value: &str) -> Self {
            match value {
                "user" => Self::User,
                "assistant" => Self::Assistant,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }
    impl ::std::convert::From<::std::string::String> for Sender {
        fn from(value: ::std::string::String) -> Self {
            match Self::from(value.as_str()) {
                Self::Unknown(_) => Self::Unknown(value),
                known => known,
            }
        }
    }
    impl ::std::str::FromStr for Sender {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self::from(value))
        }
    }
    impl ::std::fmt::Display for Sender {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            f.write_str(self.as_str())
        }
    }
    impl ::serde::Serialize for Sender {
        fn serialize<S: ::serde::Serializer>(
            &self,
            serializer: S,
        ) -> ::std::result::Result<S::Ok, S::Error> {
            serializer.serialize_str(self.as_str())
        }
    }
    /// Any string: the documented values are listed as examples.
    #[cfg(feature = "schemars")]
    impl ::schemars::JsonSchema for Sender {
        fn schema_name() -> ::std::borrow::Cow<'static, str> {
            "Sender".into()
        }
        fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
            ::schemars::json_schema!(
                { "type" : "string", "description" :
                "Who wrote a stored message. Clients must accept other values.",
                "examples" : ["user", "assistant"] }
            )
        }
    }
    impl<'de> ::serde::Deserialize<'de> for Sender {
        fn deserialize<D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<Self, D::Error> {
            ::std::string::String::deserialize(deserializer).map(Self::from)
        }
    }
    /**Which tool ran. Only `lead_capture` appears in the docs; `appointment` and
`email_handoff` are implied by the automations and assumed here. Clients must accept
other values.*/
    ///
    ///Open enum: a value this version does not know is kept in `Unknown` and serialised back unchanged.
    #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[non_exhaustive]
    pub enum ToolName {
        ///`lead_capture`
        LeadCapture,
        ///`appointment`
        Appointment,
        ///`email_handoff`
        EmailHandoff,
        /// A value the spec does not list, kept verbatim.
        Unknown(::std::string::String),
    }
    impl ToolName {
        /// Every documented value, in spec order.
        pub const KNOWN: &'static [&'static str] = &[
            "lead_capture",
            "appointment",
            "email_handoff",
        ];
        /// The value as it appears on the wire.
        pub fn as_str(&self) -> &str {
            match self {
                Self::LeadCapture => "lead_capture",
                Self::Appointment => "appointment",
                Self::EmailHandoff => "email_handoff",
                Self::Unknown(other) => other.as_str(),
            }
        }
        /// Whether this is a value the spec does not list.
        pub fn is_unknown(&self) -> bool {
            matches!(self, Self::Unknown(_))
        }
    }
    impl ::std::convert::From<&str> for ToolName {
        fn from(value: &str) -> Self {
            match value {
                "lead_capture" => Self::LeadCapture,
                "appointment" => Self::Appointment,
                "email_handoff" => Self::EmailHandoff,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }
    impl ::std::convert::From<::std::string::String> for ToolName {
        fn from(value: ::std::string::String) -> Self {
            match Self::from(value.as_str()) {
                Self::Unknown(_) => Self::Unknown(value),
                known => known,
            }
        }
    }
    impl ::std::str::FromStr for ToolName {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self::from(value))
        }
    }
    impl ::std::fmt::Display for ToolName {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            f.write_str(self.as_str())
        }
    }
    impl ::serde::Serialize for ToolName {
        fn serialize<S: ::serde::Serializer>(
            &self,
            serializer: S,
        ) -> ::std::result::Result<S::Ok, S::Error> {
            serializer.serialize_str(self.as_str())
        }
    }
    /// Any string: the documented values are listed as examples.
    #[cfg(feature = "schemars")]
    impl ::schemars::JsonSchema for ToolName {
        fn schema_name() -> ::std::borrow::Cow<'static, str> {
            "ToolName".into()
        }
        fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
            ::schemars::json_schema!(
                { "type" : "string", "description" :
                "Which tool ran. Only `lead_capture` appears in the docs; `appointment` and\n`email_handoff` are implied by the automations and assumed here. Clients must accept\nother values.",
                "examples" : ["lead_capture", "appointment", "email_handoff"] }
            )
        }
    }
    impl<'de> ::serde::Deserialize<'de> for ToolName {
        fn deserialize<D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<Self, D::Error> {
            ::std::string::String::deserialize(deserializer).map(Self::from)
        }
    }
    ///Outcome of a tool execution. Only `executed` appears in the docs.
    ///
    ///Open enum: a value this version does not know is kept in `Unknown` and serialised back unchanged.
    #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[non_exhaustive]
    pub enum ToolStatus {
        ///`executed`
        Executed,
        /// A value the spec does not list, kept verbatim.
        Unknown(::std::string::String),
    }
    impl ToolStatus {
        /// Every documented value, in spec order.
        pub const KNOWN: &'static [&'static str] = &["executed"];
        /// The value as it appears on the wire.
        pub fn as_str(&self) -> &str {
            match self {
                Self::Executed => "executed",
                Self::Unknown(other) => other.as_str(),
            }
        }
        /// Whether this is a value the spec does not list.
        pub fn is_unknown(&self) -> bool {
            matches!(self, Self::Unknown(_))
        }
    }
    impl ::std::convert::From<&str> for ToolStatus {
        fn from(value: &str) -> Self {
            match value {
                "executed" => Self::Executed,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }
    impl ::std::convert::From<::std::string::String> for ToolStatus {
        fn from(value: ::std::string::String) -> Self {
            match Self::from(value.as_str()) {
                Self::Unknown(_) => Self::Unknown(value),
                known => known,
            }
        }
    }
    impl ::std::str::FromStr for ToolStatus {
        type Err = ::std::convert::Infallible;
        fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
            Ok(Self::from(value))
        }
    }
    impl ::std::fmt::Display for ToolStatus {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            f.write_str(self.as_str())
        }
    }
    impl ::serde::Serialize for ToolStatus {
        fn serialize<S: ::serde::Serializer>(
            &self,
            serializer: S,
        ) -> ::std::result::Result<S::Ok, S::Error> {
            serializer.serialize_str(self.as_str())
        }
    }
    /// Any string: the documented values are listed as examples.
    #[cfg(feature = "schemars")]
    impl ::schemars::JsonSchema for ToolStatus {
        fn schema_name() -> ::std::borrow::Cow<'static, str> {
            "ToolStatus".into()
        }
        fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
            ::schemars::json_schema!(
                { "type" : "string", "description" :
                "Outcome of a tool execution. Only `executed` appears in the docs.",
                "examples" : ["executed"] }
            )
        }
    }
    impl<'de> ::serde::Deserialize<'de> for ToolStatus {
        fn deserialize<D: ::serde::Deserializer<'de>>(
            deserializer: D,
        ) -> ::std::result::Result<Self, D::Error> {
            ::std::string::String::deserialize(deserializer).map(Self::from)
        }
    }
}
#[derive(Clone, Debug)]
#[doc = "Client for Optimly External API\n\nOptimly's v3 External API: create chats for your users, send their messages to an\nOptimly AI agent, read its replies, and record leads, appointment requests and email\nhandoffs on the chat timeline.\n\nThis document is maintained by hand from Optimly's documentation pages, which contradict\neach other in places. Every ruling taken here is recorded in `shared/optimly-docs/API-NOTES.md`\nand every disagreement between the pages and this document is listed by the drift snapshots.\n\n- Every body is JSON; every success is HTTP 200 (no 201 anywhere).\n- Responses are flat JSON objects or bare arrays. The external overview page claims a\n  `{\"success\": true, \"data\": ...}` envelope, but every concrete example is flat; this\n  document follows the examples.\n- Each key (\"API key\", also called \"agent access token\") looks like `agt_` followed by\n  32 alphanumerics and is tied to one agent. Keep it out of front-end code, store it in\n  an environment variable, and rotate it when exposed.\n- Once the monthly message quota is used up, agents stop responding until the next cycle\n  or an upgrade; the docs give no status code for this.\n- The `/external/tools/*` routes (lead-form, appointment, email-handoff) are documented by\n  the overview and tools pages; the automations page says they \"no longer exist in the\n  OpenAPI spec\" and that a site-wide redirect keeps old bookmarks working, without saying\n  whether the API still answers them. They are deliberately absent from this spec:\n  automations go through `/external/message/*`.\n- Where no page settles a fact, this spec assumes one and says so, in the description and\n  in an `x-assumed` extension beside it.\n\n\nVersion: 3.0.0"]
pub struct Client {
    pub(crate) baseurl: String,
    pub(crate) client: reqwest::Client,
    pub(crate) inner: crate::hooks::Context,
}
impl Client {
    /// Create a new client.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new(baseurl: &str, inner: crate::hooks::Context) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let client = {
            let dur = ::std::time::Duration::from_secs(15u64);
            crate::tls::builder_or_panic().connect_timeout(dur).timeout(dur)
        };
        #[cfg(target_arch = "wasm32")]
        let client = crate::tls::builder_or_panic();
        Self::new_with_client(baseurl, client.build().unwrap(), inner)
    }
    /// Construct a new client with an existing `reqwest::Client`,
    /// allowing more control over its configuration.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new_with_client(
        baseurl: &str,
        client: reqwest::Client,
        inner: crate::hooks::Context,
    ) -> Self {
        Self {
            baseurl: baseurl.to_string(),
            client,
            inner,
        }
    }
}
impl ClientInfo<crate::hooks::Context> for Client {
    fn api_version() -> &'static str {
        "3.0.0"
    }
    fn baseurl(&self) -> &str {
        self.baseurl.as_str()
    }
    fn client(&self) -> &reqwest::Client {
        &self.client
    }
    fn inner(&self) -> &crate::hooks::Context {
        &self.inner
    }
}
const _: () = {
    #[allow(dead_code)]
    fn assert_client_hooks()
    where
        Client: ClientHooks<crate::hooks::Context>,
    {}
};
impl Client {
    /**Ask the agent (legacy endpoint)

Legacy agent endpoint: use it "only when supporting historical webhooks". New
integrations call `POST /external/agent/v2`. Same request as v2; the reply is assumed
to be v2's, since no page shows the legacy reply.


Sends a `POST` request to `/external/agent`

```ignore
let response = client.call_agent()
    .body(body)
    .send()
    .await;
```*/
    #[deprecated(
        note = "Legacy agent endpoint: use it \"only when supporting historical webhooks\". New integrations call `POST /external/agent/v2`. Same request as v2; the reply is assumed to be v2's, since no page shows the legacy reply."
    )]
    pub fn call_agent(&self) -> builder::CallAgent<'_> {
        builder::CallAgent::new(self)
    }
    /**Ask the agent (v2, "Enhanced")

Sends the user's message to the agent and returns its reply. The agent runs its tools
(lead capture, appointment, email handoff) on its own when the conversation calls for
it and lists them in `tools_executed`. This is the endpoint every getting-started page
uses.


Sends a `POST` request to `/external/agent/v2`

```ignore
let response = client.call_agent_v2()
    .body(body)
    .send()
    .await;
```*/
    pub fn call_agent_v2(&self) -> builder::CallAgentV2<'_> {
        builder::CallAgentV2::new(self)
    }
    /**Ask the agent (v3, "LangChain-powered")

One introduction page calls this the new default. Only its request is documented
(the same body as v2); the reply shape is assumed to be v2's `AgentReply`.


Sends a `POST` request to `/external/agent/v3`

```ignore
let response = client.call_agent_v3()
    .body(body)
    .send()
    .await;
```*/
    pub fn call_agent_v3(&self) -> builder::CallAgentV3<'_> {
        builder::CallAgentV3::new(self)
    }
    /**Create a chat

Creates a chat (conversation) for a client, as documented by the chat management page
and the generated reference. `POST /external/message/new-chat` does the same with the
same body; the docs give no reason to prefer one path.


Sends a `POST` request to `/external/chat`

```ignore
let response = client.create_chat()
    .body(body)
    .send()
    .await;
```*/
    pub fn create_chat(&self) -> builder::CreateChat<'_> {
        builder::CreateChat::new(self)
    }
    /**Read a chat's history

Returns every message of the chat as a bare JSON array, assumed oldest first (no page
states the order). No pagination is documented.


Sends a `GET` request to `/external/chat/{chat_id}/messages`

Arguments:
- `chat_id`: The chat whose messages to return.
```ignore
let response = client.list_chat_messages()
    .chat_id(chat_id)
    .send()
    .await;
```*/
    pub fn list_chat_messages(&self) -> builder::ListChatMessages<'_> {
        builder::ListChatMessages::new(self)
    }
    /**List a client's chats

Returns every chat of one client as a bare JSON array; each chat also carries
`last_activity` and `message_count`.


Sends a `GET` request to `/external/chat/{client_id}/chats`

Arguments:
- `client_id`: The client (end user) whose chats to return.
```ignore
let response = client.list_client_chats()
    .client_id(client_id)
    .send()
    .await;
```*/
    pub fn list_client_chats(&self) -> builder::ListClientChats<'_> {
        builder::ListClientChats::new(self)
    }
    /**Hand a chat over to a human by email

Signals that a human should take over the chat by email while the chat history is
kept for auditing (automations page contract). The tools page documents a different
contract on `/external/tools/email-handoff`, absent from this spec (`urgency`, `category`, a
reply with `ticket_id` and `estimated_response`); this operation follows the
automations page.


Sends a `POST` request to `/external/message/email-handoff`

```ignore
let response = client.email_handoff()
    .body(body)
    .send()
    .await;
```*/
    pub fn email_handoff(&self) -> builder::EmailHandoff<'_> {
        builder::EmailHandoff::new(self)
    }
    /**Create a chat (message namespace)

Creates a chat, as the getting-started and automations pages document it. Set
`lead_collected: true` to start a dedicated lead chat for a form submission, then seed
its transcript with `POST /external/message/new-message`.


Sends a `POST` request to `/external/message/new-chat`

```ignore
let response = client.new_chat()
    .body(body)
    .send()
    .await;
```*/
    pub fn new_chat(&self) -> builder::NewChat<'_> {
        builder::NewChat::new(self)
    }
    /**Append a message to a chat

Appends a message to the chat's timeline. Triggers response generation if the sender
is the user; the message management page then shows the agent's reply inline as
`agent_response`.

Automations ride on this endpoint (automations page): a lead is an `assistant`
message with `metadata.form_type = "lead_capture"`, `metadata.lead_collected = true`
and the lead's fields; an appointment request is a `user` message with
`metadata.form_type = "appointment_request"`, `duration_minutes`, `email`, `timezone`
and `preferred_channel`.


Sends a `POST` request to `/external/message/new-message`

```ignore
let response = client.new_message()
    .body(body)
    .send()
    .await;
```*/
    pub fn new_message(&self) -> builder::NewMessage<'_> {
        builder::NewMessage::new(self)
    }
}
/// Types for composing operation parameters.
#[allow(clippy::all)]
pub mod builder {
    use super::types;
    #[allow(unused_imports)]
    use super::{
        encode_path, ByteStream, ClientInfo, ClientHooks, Error, OperationInfo,
        RequestBuilderExt, ResponseValue,
    };
    /**Builder for [`Client::call_agent`]

[`Client::call_agent`]: super::Client::call_agent*/
    #[derive(Debug, Clone)]
    pub struct CallAgent<'a> {
        client: &'a super::Client,
        body: Result<types::builder::AgentRequest, String>,
    }
    impl<'a> CallAgent<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }
        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::AgentRequest>,
            <V as std::convert::TryInto<types::AgentRequest>>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| {
                    format!("conversion to `AgentRequest` for body failed: {}", s)
                });
            self
        }
        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::AgentRequest,
            ) -> types::builder::AgentRequest,
        {
            self.body = self.body.map(f);
            self
        }
        ///Sends a `POST` request to `/external/agent`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::AgentReply>, Error<types::ApiErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| {
                    types::AgentRequest::try_from(v).map_err(|e| e.to_string())
                })
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/external/agent", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "call_agent",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::call_agent_v2`]

[`Client::call_agent_v2`]: super::Client::call_agent_v2*/
    #[derive(Debug, Clone)]
    pub struct CallAgentV2<'a> {
        client: &'a super::Client,
        body: Result<types::builder::AgentRequest, String>,
    }
    impl<'a> CallAgentV2<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }
        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::AgentRequest>,
            <V as std::convert::TryInto<types::AgentRequest>>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| {
                    format!("conversion to `AgentRequest` for body failed: {}", s)
                });
            self
        }
        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::AgentRequest,
            ) -> types::builder::AgentRequest,
        {
            self.body = self.body.map(f);
            self
        }
        ///Sends a `POST` request to `/external/agent/v2`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::AgentReply>, Error<types::ApiErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| {
                    types::AgentRequest::try_from(v).map_err(|e| e.to_string())
                })
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/external/agent/v2", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "call_agent_v2",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::call_agent_v3`]

[`Client::call_agent_v3`]: super::Client::call_agent_v3*/
    #[derive(Debug, Clone)]
    pub struct CallAgentV3<'a> {
        client: &'a super::Client,
        body: Result<types::builder::AgentRequest, String>,
    }
    impl<'a> CallAgentV3<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }
        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::AgentRequest>,
            <V as std::convert::TryInto<types::AgentRequest>>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| {
                    format!("conversion to `AgentRequest` for body failed: {}", s)
                });
            self
        }
        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::AgentRequest,
            ) -> types::builder::AgentRequest,
        {
            self.body = self.body.map(f);
            self
        }
        ///Sends a `POST` request to `/external/agent/v3`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::AgentReply>, Error<types::ApiErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| {
                    types::AgentRequest::try_from(v).map_err(|e| e.to_string())
                })
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/external/agent/v3", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "call_agent_v3",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::create_chat`]

[`Client::create_chat`]: super::Client::create_chat*/
    #[derive(Debug, Clone)]
    pub struct CreateChat<'a> {
        client: &'a super::Client,
        body: Result<types::builder::ChatBase, String>,
    }
    impl<'a> CreateChat<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }
        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::ChatBase>,
            <V as std::convert::TryInto<types::ChatBase>>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| format!("conversion to `ChatBase` for body failed: {}", s));
            self
        }
        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(types::builder::ChatBase) -> types::builder::ChatBase,
        {
            self.body = self.body.map(f);
            self
        }
        ///Sends a `POST` request to `/external/chat`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::Chat>, Error<types::ApiErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| types::ChatBase::try_from(v).map_err(|e| e.to_string()))
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/external/chat", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "create_chat",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::list_chat_messages`]

[`Client::list_chat_messages`]: super::Client::list_chat_messages*/
    #[derive(Debug, Clone)]
    pub struct ListChatMessages<'a> {
        client: &'a super::Client,
        chat_id: Result<::std::string::String, String>,
    }
    impl<'a> ListChatMessages<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                chat_id: Err("chat_id was not initialized".to_string()),
            }
        }
        pub fn chat_id<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<::std::string::String>,
        {
            self.chat_id = value
                .try_into()
                .map_err(|_| {
                    "conversion to `:: std :: string :: String` for chat_id failed"
                        .to_string()
                });
            self
        }
        ///Sends a `GET` request to `/external/chat/{chat_id}/messages`
        pub async fn send(
            self,
        ) -> Result<
            ResponseValue<::std::vec::Vec<types::Message>>,
            Error<types::ApiErrorBody>,
        > {
            let Self { client, chat_id } = self;
            let chat_id = chat_id.map_err(Error::InvalidRequest)?;
            let url = format!(
                "{}/external/chat/{}/messages", client.baseurl, encode_path(& chat_id
                .to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .get(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "list_chat_messages",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::list_client_chats`]

[`Client::list_client_chats`]: super::Client::list_client_chats*/
    #[derive(Debug, Clone)]
    pub struct ListClientChats<'a> {
        client: &'a super::Client,
        client_id: Result<::std::string::String, String>,
    }
    impl<'a> ListClientChats<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                client_id: Err("client_id was not initialized".to_string()),
            }
        }
        pub fn client_id<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<::std::string::String>,
        {
            self.client_id = value
                .try_into()
                .map_err(|_| {
                    "conversion to `:: std :: string :: String` for client_id failed"
                        .to_string()
                });
            self
        }
        ///Sends a `GET` request to `/external/chat/{client_id}/chats`
        pub async fn send(
            self,
        ) -> Result<
            ResponseValue<::std::vec::Vec<types::Chat>>,
            Error<types::ApiErrorBody>,
        > {
            let Self { client, client_id } = self;
            let client_id = client_id.map_err(Error::InvalidRequest)?;
            let url = format!(
                "{}/external/chat/{}/chats", client.baseurl, encode_path(& client_id
                .to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .get(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "list_client_chats",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::email_handoff`]

[`Client::email_handoff`]: super::Client::email_handoff*/
    #[derive(Debug, Clone)]
    pub struct EmailHandoff<'a> {
        client: &'a super::Client,
        body: Result<types::builder::EmailHandoffRequest, String>,
    }
    impl<'a> EmailHandoff<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }
        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::EmailHandoffRequest>,
            <V as std::convert::TryInto<
                types::EmailHandoffRequest,
            >>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| {
                    format!("conversion to `EmailHandoffRequest` for body failed: {}", s)
                });
            self
        }
        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::EmailHandoffRequest,
            ) -> types::builder::EmailHandoffRequest,
        {
            self.body = self.body.map(f);
            self
        }
        ///Sends a `POST` request to `/external/message/email-handoff`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::EmailHandoff>, Error<types::ApiErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| {
                    types::EmailHandoffRequest::try_from(v).map_err(|e| e.to_string())
                })
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/external/message/email-handoff", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "email_handoff",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::new_chat`]

[`Client::new_chat`]: super::Client::new_chat*/
    #[derive(Debug, Clone)]
    pub struct NewChat<'a> {
        client: &'a super::Client,
        body: Result<types::builder::ChatBase, String>,
    }
    impl<'a> NewChat<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }
        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::ChatBase>,
            <V as std::convert::TryInto<types::ChatBase>>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| format!("conversion to `ChatBase` for body failed: {}", s));
            self
        }
        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(types::builder::ChatBase) -> types::builder::ChatBase,
        {
            self.body = self.body.map(f);
            self
        }
        ///Sends a `POST` request to `/external/message/new-chat`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::Chat>, Error<types::ApiErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| types::ChatBase::try_from(v).map_err(|e| e.to_string()))
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/external/message/new-chat", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "new_chat",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
    /**Builder for [`Client::new_message`]

[`Client::new_message`]: super::Client::new_message*/
    #[derive(Debug, Clone)]
    pub struct NewMessage<'a> {
        client: &'a super::Client,
        body: Result<types::builder::MessageCore, String>,
    }
    impl<'a> NewMessage<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }
        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::MessageCore>,
            <V as std::convert::TryInto<types::MessageCore>>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| {
                    format!("conversion to `MessageCore` for body failed: {}", s)
                });
            self
        }
        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::MessageCore,
            ) -> types::builder::MessageCore,
        {
            self.body = self.body.map(f);
            self
        }
        ///Sends a `POST` request to `/external/message/new-message`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::Message>, Error<types::ApiErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| types::MessageCore::try_from(v).map_err(|e| e.to_string()))
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/external/message/new-message", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "new_message",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                401u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                403u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                404u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                422u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                429u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                500u16 => {
                    Err(
                        Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        ),
                    )
                }
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
}
/// Items consumers will typically use such as the Client.
pub mod prelude {
    pub use self::super::Client;
}
/// One description per operation of `openapi/v3.yaml`: method, path, retry safety and
/// rate limits (`x-rate-limits`), for the SDK's call engine and the mock alike.
pub mod operations {
    use ::std::time::Duration;
    use crate::limit::{Limit, Scope};
    use crate::operation::{Action, Method, Operation, Request};
    use crate::types;
    /// Which operation of the spec.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum OperationId {
        /// `POST` `/external/agent` (`call_agent`)
        CallAgent,
        /// `POST` `/external/agent/v2` (`call_agent_v2`)
        CallAgentV2,
        /// `POST` `/external/agent/v3` (`call_agent_v3`)
        CallAgentV3,
        /// `POST` `/external/chat` (`create_chat`)
        CreateChat,
        /// `POST` `/external/message/email-handoff` (`email_handoff`)
        EmailHandoff,
        /// `GET` `/external/chat/{chat_id}/messages` (`list_chat_messages`)
        ListChatMessages,
        /// `GET` `/external/chat/{client_id}/chats` (`list_client_chats`)
        ListClientChats,
        /// `POST` `/external/message/new-chat` (`new_chat`)
        NewChat,
        /// `POST` `/external/message/new-message` (`new_message`)
        NewMessage,
    }
    impl OperationId {
        /// The spec's `operationId`.
        pub const fn name(self) -> &'static str {
            match self {
                Self::CallAgent => "call_agent",
                Self::CallAgentV2 => "call_agent_v2",
                Self::CallAgentV3 => "call_agent_v3",
                Self::CreateChat => "create_chat",
                Self::EmailHandoff => "email_handoff",
                Self::ListChatMessages => "list_chat_messages",
                Self::ListClientChats => "list_client_chats",
                Self::NewChat => "new_chat",
                Self::NewMessage => "new_message",
            }
        }
        /// The operation's description.
        pub const fn operation(self) -> &'static Operation {
            match self {
                Self::CallAgent => &CALL_AGENT,
                Self::CallAgentV2 => &CALL_AGENT_V2,
                Self::CallAgentV3 => &CALL_AGENT_V3,
                Self::CreateChat => &CREATE_CHAT,
                Self::EmailHandoff => &EMAIL_HANDOFF,
                Self::ListChatMessages => &LIST_CHAT_MESSAGES,
                Self::ListClientChats => &LIST_CLIENT_CHATS,
                Self::NewChat => &NEW_CHAT,
                Self::NewMessage => &NEW_MESSAGE,
            }
        }
    }
    /// The limits on every request made with one API key (`x-rate-limits.global`).
    pub const GLOBAL_LIMITS: &[Limit] = &[
        Limit::new(100u32, Duration::from_secs(60u64), Scope::ApiKey),
        Limit::new(1000u32, Duration::from_secs(3600u64), Scope::ApiKey),
        Limit::new(10000u32, Duration::from_secs(86400u64), Scope::ApiKey),
    ];
    /// Which action of `x-rate-limits.actions`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum ActionId {
        /// `request_appointment`
        RequestAppointment,
        /// `tool_execution`
        ToolExecution,
    }
    impl ActionId {
        /// The spec's name for the action.
        pub const fn name(self) -> &'static str {
            match self {
                Self::RequestAppointment => "request_appointment",
                Self::ToolExecution => "tool_execution",
            }
        }
    }
    /// `request_appointment`
    pub const REQUEST_APPOINTMENT: Action = Action {
        id: ActionId::RequestAppointment,
        limits: &[Limit::new(20u32, Duration::from_secs(3600u64), Scope::ApiKey)],
        enforced: true,
        performed_by: Some((OperationId::NewMessage, "appointment_request")),
    };
    /// `tool_execution`
    pub const TOOL_EXECUTION: Action = Action {
        id: ActionId::ToolExecution,
        limits: &[Limit::new(50u32, Duration::from_secs(3600u64), Scope::ApiKey)],
        enforced: false,
        performed_by: None,
    };
    /// Every action with limits of its own, sorted by name.
    pub const ACTIONS: [&Action; 2] = [&REQUEST_APPOINTMENT, &TOOL_EXECUTION];
    /// The enforced actions a request of `operation` performs, given its
    /// `metadata.form_type`.
    pub fn actions_of(
        operation: OperationId,
        form_type: Option<&str>,
    ) -> impl Iterator<Item = &'static Action> + '_ {
        ACTIONS
            .into_iter()
            .filter(move |a| {
                a.enforced
                    && a
                        .performed_by
                        .is_some_and(|(op, form)| {
                            op == operation && form_type == Some(form)
                        })
            })
    }
    /// `POST` `/external/agent` (`call_agent`)
    pub const CALL_AGENT: Operation = Operation {
        id: OperationId::CallAgent,
        method: Method::Post,
        path: "/external/agent",
        retry_safe: false,
        limits: &[Limit::new(60u32, Duration::from_secs(60u64), Scope::Agent)],
        gen_ai: Some("invoke_agent"),
    };
    /// `POST` `/external/agent/v2` (`call_agent_v2`)
    pub const CALL_AGENT_V2: Operation = Operation {
        id: OperationId::CallAgentV2,
        method: Method::Post,
        path: "/external/agent/v2",
        retry_safe: false,
        limits: &[],
        gen_ai: Some("invoke_agent"),
    };
    /// `POST` `/external/agent/v3` (`call_agent_v3`)
    pub const CALL_AGENT_V3: Operation = Operation {
        id: OperationId::CallAgentV3,
        method: Method::Post,
        path: "/external/agent/v3",
        retry_safe: false,
        limits: &[],
        gen_ai: Some("invoke_agent"),
    };
    /// `POST` `/external/chat` (`create_chat`)
    pub const CREATE_CHAT: Operation = Operation {
        id: OperationId::CreateChat,
        method: Method::Post,
        path: "/external/chat",
        retry_safe: false,
        limits: &[Limit::new(30u32, Duration::from_secs(60u64), Scope::Agent)],
        gen_ai: None,
    };
    /// `POST` `/external/message/email-handoff` (`email_handoff`)
    pub const EMAIL_HANDOFF: Operation = Operation {
        id: OperationId::EmailHandoff,
        method: Method::Post,
        path: "/external/message/email-handoff",
        retry_safe: false,
        limits: &[Limit::new(10u32, Duration::from_secs(3600u64), Scope::ApiKey)],
        gen_ai: None,
    };
    /// `GET` `/external/chat/{chat_id}/messages` (`list_chat_messages`)
    pub const LIST_CHAT_MESSAGES: Operation = Operation {
        id: OperationId::ListChatMessages,
        method: Method::Get,
        path: "/external/chat/{chat_id}/messages",
        retry_safe: true,
        limits: &[Limit::new(300u32, Duration::from_secs(60u64), Scope::Agent)],
        gen_ai: None,
    };
    /// `GET` `/external/chat/{client_id}/chats` (`list_client_chats`)
    pub const LIST_CLIENT_CHATS: Operation = Operation {
        id: OperationId::ListClientChats,
        method: Method::Get,
        path: "/external/chat/{client_id}/chats",
        retry_safe: true,
        limits: &[],
        gen_ai: None,
    };
    /// `POST` `/external/message/new-chat` (`new_chat`)
    pub const NEW_CHAT: Operation = Operation {
        id: OperationId::NewChat,
        method: Method::Post,
        path: "/external/message/new-chat",
        retry_safe: false,
        limits: &[Limit::new(30u32, Duration::from_secs(60u64), Scope::Agent)],
        gen_ai: None,
    };
    /// `POST` `/external/message/new-message` (`new_message`)
    pub const NEW_MESSAGE: Operation = Operation {
        id: OperationId::NewMessage,
        method: Method::Post,
        path: "/external/message/new-message",
        retry_safe: false,
        limits: &[Limit::new(120u32, Duration::from_secs(60u64), Scope::Chat)],
        gen_ai: Some("chat"),
    };
    /// Every operation, sorted by id.
    pub const ALL: [&Operation; 9] = [
        &CALL_AGENT,
        &CALL_AGENT_V2,
        &CALL_AGENT_V3,
        &CREATE_CHAT,
        &EMAIL_HANDOFF,
        &LIST_CHAT_MESSAGES,
        &LIST_CLIENT_CHATS,
        &NEW_CHAT,
        &NEW_MESSAGE,
    ];
    /// The operation with this `operationId`.
    pub fn by_name(name: &str) -> Option<&'static Operation> {
        ALL.iter().copied().find(|op| op.name() == name)
    }
    #[allow(deprecated)]
    impl<'a> Request for crate::builder::CallAgent<'a> {
        type Output = types::AgentReply;
        const OPERATION: &'static Operation = &CALL_AGENT;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::CallAgent::send(self)
        }
    }
    impl<'a> Request for crate::builder::CallAgentV2<'a> {
        type Output = types::AgentReply;
        const OPERATION: &'static Operation = &CALL_AGENT_V2;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::CallAgentV2::send(self)
        }
    }
    impl<'a> Request for crate::builder::CallAgentV3<'a> {
        type Output = types::AgentReply;
        const OPERATION: &'static Operation = &CALL_AGENT_V3;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::CallAgentV3::send(self)
        }
    }
    impl<'a> Request for crate::builder::CreateChat<'a> {
        type Output = types::Chat;
        const OPERATION: &'static Operation = &CREATE_CHAT;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::CreateChat::send(self)
        }
    }
    impl<'a> Request for crate::builder::EmailHandoff<'a> {
        type Output = types::EmailHandoff;
        const OPERATION: &'static Operation = &EMAIL_HANDOFF;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::EmailHandoff::send(self)
        }
    }
    impl<'a> Request for crate::builder::ListChatMessages<'a> {
        type Output = ::std::vec::Vec<types::Message>;
        const OPERATION: &'static Operation = &LIST_CHAT_MESSAGES;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::ListChatMessages::send(self)
        }
    }
    impl<'a> Request for crate::builder::ListClientChats<'a> {
        type Output = ::std::vec::Vec<types::Chat>;
        const OPERATION: &'static Operation = &LIST_CLIENT_CHATS;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::ListClientChats::send(self)
        }
    }
    impl<'a> Request for crate::builder::NewChat<'a> {
        type Output = types::Chat;
        const OPERATION: &'static Operation = &NEW_CHAT;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::NewChat::send(self)
        }
    }
    impl<'a> Request for crate::builder::NewMessage<'a> {
        type Output = types::Message;
        const OPERATION: &'static Operation = &NEW_MESSAGE;
        fn send(
            self,
        ) -> impl ::std::future::Future<
            Output = Result<
                crate::ResponseValue<Self::Output>,
                crate::Error<types::ApiErrorBody>,
            >,
        > + Send {
            crate::builder::NewMessage::send(self)
        }
    }
}
