//! Asking the agent and reading its reply.

use chrono::{DateTime, Utc};
use optimly_api::types;
use serde::{Deserialize, Serialize};

use crate::call::{Method, RequestOptions};
use crate::chats::parse_time;
use crate::client::OptimlyClient;
use crate::error::Error;
use crate::{Metadata, ToolName, ToolStatus, validate};

/// Which agent endpoint answers. They take the same request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AgentVersion {
    /// `POST /external/agent`: legacy, "only when supporting historical webhooks".
    Legacy,
    /// `POST /external/agent/v2`: the documented default ("Enhanced").
    #[default]
    V2,
    /// `POST /external/agent/v3`: "LangChain-powered"; its reply shape is assumed to be v2's.
    V3,
}

impl AgentVersion {
    /// The operation id of the endpoint.
    pub fn operation(self) -> &'static str {
        match self {
            Self::Legacy => "call_agent",
            Self::V2 => "call_agent_v2",
            Self::V3 => "call_agent_v3",
        }
    }
}

/// The agent's answer to one user message.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentReply(pub(crate) types::AgentReply);

impl AgentReply {
    /// The agent's reply text.
    pub fn text(&self) -> &str {
        &self.0.response
    }

    /// The chat the reply belongs to.
    pub fn chat_id(&self) -> Option<&str> {
        self.0.chat_id.as_deref()
    }

    /// The agent that answered.
    pub fn agent_id(&self) -> Option<&str> {
        self.0.agent_id.as_deref()
    }

    /// The id of the stored reply message.
    pub fn message_id(&self) -> Option<&str> {
        self.0.message_id.as_deref()
    }

    /// When the reply was made.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        self.0.timestamp.as_deref().and_then(parse_time)
    }

    /// The tools the agent ran on its own while answering (lead capture, appointment, email
    /// handoff, or a tool this version does not know).
    pub fn tools_executed(&self) -> impl ExactSizeIterator<Item = ToolExecution<'_>> {
        self.0.tools_executed.iter().map(ToolExecution)
    }

    /// Whether the agent ran `tool` while answering.
    pub fn executed(&self, tool: &ToolName) -> bool {
        self.tools_executed().any(|t| t.tool() == Some(tool))
    }

    /// Details of an email handoff the agent started.
    pub fn handoff_data(&self) -> Option<&Metadata> {
        self.0.handoff_data.as_ref()
    }

    /// Seconds the agent took, if reported.
    pub fn processing_time(&self) -> Option<f64> {
        self.0.metadata.as_ref().and_then(|m| m.processing_time)
    }

    /// Model tokens used, if reported.
    pub fn tokens_used(&self) -> Option<i64> {
        self.0.metadata.as_ref().and_then(|m| m.tokens_used)
    }

    /// Knowledge-base chunks retrieved, if reported.
    pub fn knowledge_chunks_used(&self) -> Option<i64> {
        self.0
            .metadata
            .as_ref()
            .and_then(|m| m.knowledge_chunks_used)
    }

    /// The wire form, as the generated client parsed it (every metadata key included).
    pub fn raw(&self) -> &types::AgentReply {
        &self.0
    }
}

/// One tool the agent executed.
#[derive(Clone, Copy, Debug)]
pub struct ToolExecution<'a>(&'a types::ToolExecution);

impl<'a> ToolExecution<'a> {
    /// Which tool ran.
    pub fn tool(&self) -> Option<&'a ToolName> {
        self.0.tool.as_ref()
    }

    /// Its outcome (only `executed` is documented).
    pub fn status(&self) -> Option<&'a ToolStatus> {
        self.0.status.as_ref()
    }

    /// What the tool captured.
    pub fn data(&self) -> Option<&'a Metadata> {
        self.0.data.as_ref().map(|d| &d.0)
    }
}

/// Builds a call to the agent. Await it, or call `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct Ask<'a> {
    client: &'a OptimlyClient,
    body: types::AgentRequest,
    version: AgentVersion,
    options: RequestOptions,
}

impl<'a> Ask<'a> {
    pub(crate) fn new(client: &'a OptimlyClient, chat_id: String, content: String) -> Self {
        Self {
            client,
            body: types::AgentRequest {
                chat_id,
                content,
                metadata: None,
            },
            version: AgentVersion::default(),
            options: RequestOptions::default(),
        }
    }

    /// Which endpoint answers (default v2).
    pub fn version(mut self, version: AgentVersion) -> Self {
        self.version = version;
        self
    }

    crate::call::builder_methods!(metadata);

    /// Ask the agent. Asking is a POST: it is not re-sent after the server may have acted
    /// unless the options (or the client's policy) opt in.
    pub async fn send(self) -> Result<AgentReply, Error> {
        validate::required("chat_id", &self.body.chat_id)?;
        validate::required("content", &self.body.content)?;
        let body = self.body;
        let version = self.version;
        let reply = self
            .client
            .call(
                version.operation(),
                Method::Post,
                None,
                &self.options,
                |api| {
                    let body = body.clone();
                    async move {
                        match version {
                            #[allow(deprecated)]
                            AgentVersion::Legacy => api.call_agent().body(body).send().await,
                            AgentVersion::V2 => api.call_agent_v2().body(body).send().await,
                            AgentVersion::V3 => api.call_agent_v3().body(body).send().await,
                        }
                    }
                },
            )
            .await?;
        Ok(AgentReply(reply))
    }
}

impl OptimlyClient {
    /// Send a user's message to the agent and get its reply (v2 unless `.version(..)` says
    /// otherwise).
    pub fn ask(&self, chat_id: impl Into<String>, content: impl Into<String>) -> Ask<'_> {
        Ask::new(self, chat_id.into(), content.into())
    }
}

crate::call::into_future!(Ask<'a> => AgentReply);
