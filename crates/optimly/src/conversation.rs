//! A conversation: one chat, its id kept for you.

use crate::agent::{AgentReply, AgentVersion};
use crate::automations::{AppointmentRequest, EmailHandoff, Handoff, Lead};
use crate::chats::{Chat, Message};
use crate::client::OptimlyClient;
use crate::error::Error;
use crate::validate;

/// One chat with the agent. Create it with [`OptimlyClient::start_conversation`] or pick an
/// existing chat up with [`OptimlyClient::resume_conversation`].
///
/// ```no_run
/// # async fn run(client: optimly::OptimlyClient) -> Result<(), optimly::Error> {
/// let conversation = client.start_conversation("user_456").await?;
/// let reply = conversation.send("Hello! I need help with pricing.").await?;
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

    /// Use another agent endpoint for [`send`](Self::send) (default v2).
    pub fn with_agent_version(mut self, version: AgentVersion) -> Self {
        self.version = version;
        self
    }

    /// Send the user's message to the agent and return its reply.
    pub async fn send(&self, text: impl Into<String>) -> Result<AgentReply, Error> {
        self.client
            .ask(&self.chat_id, text)
            .version(self.version)
            .send()
            .await
    }

    /// Every message so far, oldest first.
    pub async fn history(&self) -> Result<Vec<Message>, Error> {
        self.client.history(&self.chat_id).send().await
    }

    /// Record a lead in this chat.
    pub async fn capture_lead(&self, lead: &Lead) -> Result<Message, Error> {
        self.client.capture_lead(&self.chat_id, lead).await
    }

    /// Ask for an appointment in this chat.
    pub async fn request_appointment(
        &self,
        request: &AppointmentRequest,
    ) -> Result<Message, Error> {
        self.client
            .request_appointment(&self.chat_id, request)
            .await
    }

    /// Hand this chat over to a human by email.
    pub async fn hand_off(&self, handoff: &EmailHandoff) -> Result<Handoff, Error> {
        self.client.hand_off(&self.chat_id, handoff).await
    }
}

impl OptimlyClient {
    /// Create a chat for one of your users and return a handle to it.
    pub async fn start_conversation(
        &self,
        client_id: impl Into<String>,
    ) -> Result<Conversation, Error> {
        let chat = self.create_chat(client_id).send().await?;
        Ok(self.conversation_for(&chat))
    }

    /// A handle to a chat created earlier. Nothing is sent.
    pub fn resume_conversation(&self, chat_id: impl Into<String>) -> Result<Conversation, Error> {
        let chat_id = chat_id.into();
        validate::required("chat_id", &chat_id)?;
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
