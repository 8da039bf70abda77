//! Chats (conversations) and their messages.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};
use optimly_api::types;
use serde::{Deserialize, Serialize};

use crate::call::RequestOptions;
use crate::client::OptimlyClient;
use crate::error::{Error, FieldIssue};
use crate::rate_limit::Target;
use crate::validate::Check;
use crate::{Metadata, Sender};

/// A chat (conversation) between one of your users and the agent.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Chat(pub(crate) types::Chat);

impl Chat {
    /// The chat's id: pass it to every later call about this conversation.
    pub fn id(&self) -> &str {
        &self.0.chat_id
    }

    /// Your identifier for the end user.
    pub fn client_id(&self) -> Option<&str> {
        self.0.client_id.as_deref()
    }

    /// The agent that answers in this chat.
    pub fn agent_id(&self) -> Option<&str> {
        self.0.agent_id.as_deref()
    }

    /// Whether the agent answers in this chat.
    pub fn ai_enabled(&self) -> Option<bool> {
        self.0.ai_enabled
    }

    /// Whether the chat is marked as a lead submission.
    pub fn lead_collected(&self) -> Option<bool> {
        self.0.lead_collected
    }

    /// The chat's state (only `active` is documented; others parse to `Unknown`, and a
    /// missing one reads as `ChatStatus::Unknown("")`).
    pub fn status(&self) -> &crate::ChatStatus {
        self.0
            .status
            .as_ref()
            .unwrap_or(&crate::UNKNOWN_CHAT_STATUS)
    }

    /// Free-form metadata given at creation.
    pub fn metadata(&self) -> Option<&Metadata> {
        self.0.metadata.as_ref().map(|m| &m.0)
    }

    /// When the chat was created.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.created_at.as_deref().and_then(parse_time)
    }

    /// The time of the chat's last message (client-chats list only).
    pub fn last_activity(&self) -> Option<DateTime<Utc>> {
        self.0.last_activity.as_deref().and_then(parse_time)
    }

    /// How many messages the chat has (client-chats list only).
    pub fn message_count(&self) -> Option<i64> {
        self.0.message_count
    }

    /// The wire form, as the generated client parsed it.
    pub fn raw(&self) -> &types::Chat {
        &self.0
    }
}

/// One message of a chat.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Message(pub(crate) types::Message);

impl Message {
    /// The message's id.
    pub fn id(&self) -> &str {
        &self.0.message_id
    }

    /// The chat it belongs to.
    pub fn chat_id(&self) -> Option<&str> {
        self.0.chat_id.as_deref()
    }

    /// Who wrote it: `Sender::Unknown("")` when the server left it out (every documented
    /// message has one).
    pub fn sender(&self) -> &Sender {
        self.0.sender.as_ref().unwrap_or(&crate::UNKNOWN_SENDER)
    }

    /// Its text (empty when the server sent none).
    pub fn content(&self) -> &str {
        self.0.content.as_deref().unwrap_or_default()
    }

    /// Its metadata (automations put `form_type` and the captured fields here).
    pub fn metadata(&self) -> Option<&Metadata> {
        self.0.metadata.as_ref().map(|m| &m.0)
    }

    /// When it was written, whichever of `created_at` (automations page) or `timestamp`
    /// (every other page) the server sent. Offsets are converted to UTC; a time without an
    /// offset is taken as UTC. [`NO_TIME`](crate::NO_TIME) (the Unix epoch) when the server
    /// sent none or one that does not parse; [`time_text`](Self::time_text) has what it sent.
    pub fn time(&self) -> DateTime<Utc> {
        time_or_none(self.time_text())
    }

    /// The time exactly as the server wrote it (`created_at`, else `timestamp`).
    pub fn time_text(&self) -> Option<&str> {
        self.0.created_at.as_deref().or(self.0.timestamp.as_deref())
    }

    /// Whether the server has processed the message (message management page).
    pub fn processed(&self) -> Option<bool> {
        self.0.processed
    }

    /// The agent's reply, when the server answered a user message inline.
    pub fn agent_response(&self) -> Option<InlineReply<'_>> {
        self.0.agent_response.as_ref().map(InlineReply)
    }

    /// The wire form, as the generated client parsed it.
    pub fn raw(&self) -> &types::Message {
        &self.0
    }
}

/// The agent's reply to a user message, returned inline with the message (message management
/// page: `agent_response`).
#[derive(Clone, Copy, Debug)]
pub struct InlineReply<'a>(&'a types::AgentResponse);

impl<'a> InlineReply<'a> {
    /// The reply text (empty when the server sent none).
    pub fn text(&self) -> &'a str {
        self.0.content.as_deref().unwrap_or_default()
    }

    /// The id of the stored reply message.
    pub fn message_id(&self) -> Option<&'a str> {
        self.0.message_id.as_deref()
    }

    /// When the reply was made ([`NO_TIME`](crate::NO_TIME) when the server did not say).
    pub fn time(&self) -> DateTime<Utc> {
        time_or_none(self.0.timestamp.as_deref())
    }

    /// The wire form, as the generated client parsed it.
    pub fn raw(&self) -> &'a types::AgentResponse {
        self.0
    }
}

/// Read an ISO-8601 time: RFC 3339 with an offset, or a naive date-time taken as UTC (what
/// Python servers often send).
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// The time a message or reply was made: what `text` says, or [`NO_TIME`](crate::NO_TIME)
/// when the server sent none or one that does not parse.
pub(crate) fn time_or_none(text: Option<&str>) -> DateTime<Utc> {
    text.and_then(parse_time).unwrap_or(crate::NO_TIME)
}

/// Which of the two documented chat-creation paths to use. They take the same body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChatEndpoint {
    /// `POST /external/message/new-chat`, the path the getting-started pages use.
    #[default]
    MessageNewChat,
    /// `POST /external/chat`, the path of the chat management page.
    Chat,
}

/// Builds `POST /external/message/new-chat` (or `/external/chat`). Await it, or call `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateChat<'a> {
    client: &'a OptimlyClient,
    body: types::ChatBase,
    endpoint: ChatEndpoint,
    /// What a caller that builds the chat for more than itself found wrong (a lead chat's
    /// lead), reported before anything is sent.
    problems: Vec<FieldIssue>,
    options: RequestOptions,
}

impl<'a> CreateChat<'a> {
    pub(crate) fn new(client: &'a OptimlyClient, client_id: String) -> Self {
        Self {
            client,
            body: types::ChatBase {
                client_id,
                ai_enabled: true,
                lead_collected: None,
                metadata: None,
            },
            endpoint: ChatEndpoint::default(),
            problems: Vec::new(),
            options: RequestOptions::default(),
        }
    }

    pub(crate) fn client(&self) -> &'a OptimlyClient {
        self.client
    }

    pub(crate) fn with_problems(mut self, problems: Vec<FieldIssue>) -> Self {
        self.problems = problems;
        self
    }

    /// Whether the agent answers (default `true`).
    pub fn ai_enabled(mut self, enabled: bool) -> Self {
        self.body.ai_enabled = enabled;
        self
    }

    /// Mark the chat as a lead submission.
    pub fn lead_collected(mut self, collected: bool) -> Self {
        self.body.lead_collected = Some(collected);
        self
    }

    crate::call::builder_methods!(metadata);

    /// Which creation path to call.
    pub fn endpoint(mut self, endpoint: ChatEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Create the chat.
    pub async fn send(self) -> Result<Chat, Error> {
        let mut problems = Check::new()
            .required("client_id", &self.body.client_id)
            .issues();
        problems.extend(self.problems);
        let body = &self.body;
        let (client, options) = (self.client, &self.options);
        let chat = match self.endpoint {
            ChatEndpoint::MessageNewChat => {
                client
                    .call(Target::NONE, problems, options, |api| {
                        api.new_chat().body(body.clone())
                    })
                    .await?
            }
            ChatEndpoint::Chat => {
                client
                    .call(Target::NONE, problems, options, |api| {
                        api.create_chat().body(body.clone())
                    })
                    .await?
            }
        };
        Ok(Chat(chat))
    }
}

/// Builds `GET /external/chat/{client_id}/chats`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct ListChats<'a> {
    client: &'a OptimlyClient,
    client_id: Cow<'a, str>,
    options: RequestOptions,
}

impl ListChats<'_> {
    crate::call::builder_methods!();

    /// Fetch every chat of the client.
    pub async fn send(self) -> Result<Vec<Chat>, Error> {
        let id = &*self.client_id;
        let problems = Check::new().required("client_id", id).issues();
        let chats: Vec<types::Chat> = self
            .client
            .call(Target::NONE, problems, &self.options, |api| {
                api.list_client_chats().client_id(id)
            })
            .await?;
        Ok(chats.into_iter().map(Chat).collect())
    }
}

/// Builds `GET /external/chat/{chat_id}/messages`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct History<'a> {
    client: &'a OptimlyClient,
    chat_id: Cow<'a, str>,
    options: RequestOptions,
}

impl History<'_> {
    crate::call::builder_methods!();

    /// Fetch every message of the chat, oldest first.
    pub async fn send(self) -> Result<Vec<Message>, Error> {
        let id = &*self.chat_id;
        let problems = Check::new().required("chat_id", id).issues();
        let messages: Vec<types::Message> = self
            .client
            .call(Target::chat(id), problems, &self.options, |api| {
                api.list_chat_messages().chat_id(id)
            })
            .await?;
        Ok(messages.into_iter().map(Message).collect())
    }
}

/// Builds `POST /external/message/new-message`: a message you write, a lead
/// ([`capture_lead`](OptimlyClient::capture_lead)) or an appointment request
/// ([`request_appointment`](OptimlyClient::request_appointment)). Await it, or call `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct AppendMessage<'a> {
    client: &'a OptimlyClient,
    /// The message, with the caller's own metadata (`.meta(..)`, `.metadata(..)`).
    body: types::MessageCore,
    /// The metadata an automation mapped its fields onto; the caller's own keys are merged
    /// beside it at `send`, and one that would change a mapped key is refused.
    mapped: Option<Metadata>,
    /// What the automation that built the message found wrong with it (the chat id is
    /// checked at `send`).
    problems: Vec<FieldIssue>,
    options: RequestOptions,
}

impl<'a> AppendMessage<'a> {
    pub(crate) fn new(
        client: &'a OptimlyClient,
        chat_id: String,
        sender: &Sender,
        content: String,
        mapped: Option<Metadata>,
        mut problems: Vec<FieldIssue>,
    ) -> Self {
        // The server validates `sender` against its closed list; an open value read from a
        // stored message (`Sender::Unknown`) is refused here instead of by a 422.
        let sender = types::NewMessageSender::try_from(sender.as_str()).unwrap_or_else(|_| {
            problems.push(
                FieldIssue::new("sender", "expected `user` or `assistant`")
                    .with_kind("literal_error"),
            );
            types::NewMessageSender::User
        });
        Self {
            client,
            body: types::MessageCore {
                chat_id,
                sender,
                content,
                metadata: None,
            },
            mapped,
            problems,
            options: RequestOptions::default(),
        }
    }

    crate::call::builder_methods!(metadata);

    /// Append the message. A user message makes the agent generate a reply.
    pub async fn send(self) -> Result<Message, Error> {
        let mut body = self.body;
        let mut problems = Check::new().required("chat_id", &body.chat_id).issues();
        problems.extend(self.problems);
        if let Some(mapped) = self.mapped {
            let own = body.metadata.take().map(|m| m.0).unwrap_or_default();
            problems.extend(crate::automations::collisions(&mapped, &own));
            body.metadata = Some(types::Metadata(crate::automations::with_own_keys(
                mapped, &own,
            )));
        }
        // The form type names the action a message performs (an appointment request).
        let target = Target {
            chat: Some(&body.chat_id),
            form_type: body
                .metadata
                .as_ref()
                .and_then(|m| m.0.get("form_type"))
                .and_then(serde_json::Value::as_str),
        };
        let message = self
            .client
            .call(target, problems, &self.options, |api| {
                api.new_message().body(body.clone())
            })
            .await?;
        Ok(Message(message))
    }
}

impl OptimlyClient {
    /// Create a chat for one of your users (`client_id`). Await it, or configure it first:
    /// `.lead_collected(true)`, `.meta("source", "website")`, `.endpoint(ChatEndpoint::Chat)`.
    pub fn create_chat(&self, client_id: impl Into<String>) -> CreateChat<'_> {
        CreateChat::new(self, client_id.into())
    }

    /// Every chat of one of your users. The id is borrowed when given as `&str` or
    /// `&String`: a call makes no copy of it to hold while it runs.
    pub fn list_chats<'a>(&'a self, client_id: impl Into<Cow<'a, str>>) -> ListChats<'a> {
        ListChats {
            client: self,
            client_id: client_id.into(),
            options: RequestOptions::default(),
        }
    }

    /// Every message of a chat, oldest first. The id is borrowed when given as `&str` or
    /// `&String`: a call makes no copy of it to hold while it runs.
    pub fn history<'a>(&'a self, chat_id: impl Into<Cow<'a, str>>) -> History<'a> {
        History {
            client: self,
            chat_id: chat_id.into(),
            options: RequestOptions::default(),
        }
    }

    /// Append a message to a chat's timeline without asking the agent directly. A `user`
    /// message triggers a reply; an `assistant` message is recorded as is.
    pub fn append_message(
        &self,
        chat_id: impl Into<String>,
        sender: Sender,
        content: impl Into<String>,
    ) -> AppendMessage<'_> {
        AppendMessage::new(
            self,
            chat_id.into(),
            &sender,
            content.into(),
            None,
            Vec::new(),
        )
    }
}

crate::call::into_future!(CreateChat<'a> => Chat);
crate::call::into_future!(ListChats<'a> => Vec<Chat>);
crate::call::into_future!(History<'a> => Vec<Message>);
crate::call::into_future!(AppendMessage<'a> => Message);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_with_offsets_and_without() {
        let t = |s| parse_time(s).map(|t| t.to_rfc3339());
        assert_eq!(
            t("2025-06-16T10:30:00Z"),
            Some("2025-06-16T10:30:00+00:00".into())
        );
        assert_eq!(
            t("2025-06-16T12:30:00+02:00"),
            Some("2025-06-16T10:30:00+00:00".into())
        );
        assert_eq!(
            t("2025-06-16T10:30:00.123456"),
            Some("2025-06-16T10:30:00.123456+00:00".into())
        );
        assert_eq!(t("yesterday"), None);
    }

    fn message(value: serde_json::Value) -> Message {
        serde_json::from_value(value).expect("message")
    }

    #[test]
    fn message_time_reads_created_at_or_timestamp() {
        let a =
            message(serde_json::json!({"message_id": "m", "created_at": "2025-06-16T10:30:00Z"}));
        let b =
            message(serde_json::json!({"message_id": "m", "timestamp": "2025-06-16T10:30:00Z"}));
        let none = message(serde_json::json!({"message_id": "m"}));
        assert_eq!(a.time(), b.time());
        assert_eq!(a.time_text(), Some("2025-06-16T10:30:00Z"));
        assert_ne!(a.time(), crate::NO_TIME);
        // Left out: the documented defaults, each printable as it is.
        assert_eq!(none.time(), crate::NO_TIME);
        assert_eq!(none.time_text(), None);
        assert_eq!(none.content(), "");
        assert_eq!(none.sender(), &Sender::Unknown(String::new()));
        assert_eq!(format!("[{}] {}", none.sender(), none.content()), "[] ");
    }
}
