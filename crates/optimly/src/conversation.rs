//! A conversation: one chat, its id kept for you.

use crate::RequestOptions;
use crate::agent::{AgentVersion, Ask};
use crate::automations::{AppointmentRequest, EmailHandoff, Lead, SendHandoff};
use crate::chats::{AppendMessage, Chat, CreateChat, History};
use crate::client::OptimlyClient;
use crate::error::Error;
use crate::validate::Check;

/// One chat with the agent. Create it with [`OptimlyClient::start_conversation`] or pick an
/// existing chat up with [`OptimlyClient::resume_conversation`].
///
/// ```no_run
/// # async fn run(client: optimly::OptimlyClient) -> Result<(), optimly::Error> {
/// let conversation = client.start_conversation("user_456").await?;
/// let reply = conversation.ask("Hello! I need help with pricing.").await?;
/// println!("agent: {}", reply.text());
/// for message in conversation.history().await? {
///     println!("{:?}: {}", message.sender(), message.content());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Conversation {
    client: OptimlyClient,
    chat_id: String,
    version: AgentVersion,
}

impl Conversation {
    /// The chat's id: store it to resume the conversation later.
    pub fn chat_id(&self) -> &str {
        &self.chat_id
    }

    /// Use another agent endpoint for [`ask`](Self::ask) (default v2).
    pub fn with_agent_version(mut self, version: AgentVersion) -> Self {
        self.version = version;
        self
    }

    /// Ask the agent: send the user's message; await the builder for the agent's reply
    /// (`conversation.ask(text).await`).
    pub fn ask(&self, text: impl Into<String>) -> Ask<'_> {
        self.client.ask(&self.chat_id, text).version(self.version)
    }

    /// Every message so far, oldest first.
    pub fn history(&self) -> History<'_> {
        self.client.history(self.chat_id.as_str())
    }

    /// Record a lead in this chat.
    pub fn capture_lead(&self, lead: &Lead) -> AppendMessage<'_> {
        self.client.capture_lead(&self.chat_id, lead)
    }

    /// Ask for an appointment in this chat.
    pub fn request_appointment(&self, request: &AppointmentRequest) -> AppendMessage<'_> {
        self.client.request_appointment(&self.chat_id, request)
    }

    /// Hand this chat over to a human by email.
    pub fn hand_off(&self, handoff: &EmailHandoff) -> SendHandoff<'_> {
        self.client.hand_off(&self.chat_id, handoff)
    }
}

/// Builds a new chat and its [`Conversation`]. Await it, or call `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct StartConversation<'a>(CreateChat<'a>);

impl StartConversation<'_> {
    /// Per-call settings (deadline, retry policy, re-sending a POST).
    pub fn options(self, options: RequestOptions) -> Self {
        Self(self.0.options(options))
    }

    /// Create the chat.
    pub async fn send(self) -> Result<Conversation, Error> {
        let client = self.0.client();
        let chat = self.0.send().await?;
        Ok(client.conversation_for(&chat))
    }
}

crate::call::into_future!(StartConversation<'a> => Conversation);

impl OptimlyClient {
    /// Create a chat for one of your users; await the builder for a handle to it. (To set
    /// the chat's metadata too, use [`create_chat`](Self::create_chat) and
    /// [`conversation_for`](Self::conversation_for).)
    pub fn start_conversation(&self, client_id: impl Into<String>) -> StartConversation<'_> {
        StartConversation(self.create_chat(client_id))
    }

    /// A handle to a chat created earlier. Nothing is sent.
    pub fn resume_conversation(&self, chat_id: impl Into<String>) -> Result<Conversation, Error> {
        let chat_id = chat_id.into();
        let problems = Check::new().required("chat_id", &chat_id).issues();
        if !problems.is_empty() {
            return Err(Error::refused_locally(problems));
        }
        Ok(Conversation {
            client: self.clone(),
            chat_id,
            version: AgentVersion::default(),
        })
    }

    /// A handle to a chat you already hold.
    pub fn conversation_for(&self, chat: &Chat) -> Conversation {
        Conversation {
            client: self.clone(),
            chat_id: chat.id().to_owned(),
            version: AgentVersion::default(),
        }
    }
}
