//! Asking the agent and reading its reply.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use optimly_api::types;
use serde::{Deserialize, Serialize};

use optimly_api::Operation;
use optimly_api::operations::{CALL_AGENT, CALL_AGENT_V2, CALL_AGENT_V3};

use crate::call::RequestOptions;
use crate::chats::time_or_none;
use crate::client::OptimlyClient;
use crate::error::Error;
use crate::rate_limit::Target;
use crate::validate::Check;
use crate::{HandoffStatus, Metadata, ToolName, ToolStatus};

/// Which agent endpoint answers. They take the same request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// Every version, oldest first.
    pub const ALL: [AgentVersion; 3] = [Self::Legacy, Self::V2, Self::V3];

    /// Its name: `legacy`, `v2` or `v3` (the last segment of its path, `legacy` for the
    /// unversioned one).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::V2 => "v2",
            Self::V3 => "v3",
        }
    }

    /// The operation this version calls.
    pub fn operation(self) -> &'static Operation {
        match self {
            Self::Legacy => &CALL_AGENT,
            Self::V2 => &CALL_AGENT_V2,
            Self::V3 => &CALL_AGENT_V3,
        }
    }
}

impl std::str::FromStr for AgentVersion {
    type Err = Error;

    /// One of [`ALL`](Self::ALL)'s names, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                Error::invalid(
                    "agent_version",
                    format!("expected one of {}", names.join(", ")),
                )
            })
    }
}

impl std::fmt::Display for AgentVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

    /// When the reply was made ([`NO_TIME`](crate::NO_TIME) when the server did not say).
    pub fn time(&self) -> DateTime<Utc> {
        time_or_none(self.0.timestamp.as_deref())
    }

    /// The tools the agent ran on its own while answering (lead capture, appointment, email
    /// handoff, or a tool this version does not know).
    pub fn tools_executed(&self) -> impl ExactSizeIterator<Item = ToolExecution<'_>> {
        self.0
            .tools_executed
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(ToolExecution)
    }

    /// Whether the agent ran `tool` while answering.
    pub fn executed(&self, tool: &ToolName) -> bool {
        self.tools_executed().any(|t| t.tool() == tool)
    }

    /// The email handoff the agent started while answering, if it did.
    pub fn handoff(&self) -> Option<HandoffData<'_>> {
        self.0.handoff_data.as_ref().map(HandoffData)
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
    /// Which tool ran (`ToolName::Unknown("")` when the server did not say).
    pub fn tool(&self) -> &'a ToolName {
        self.0.tool.as_ref().unwrap_or(&crate::UNKNOWN_TOOL)
    }

    /// Its outcome (only `executed` is documented; `ToolStatus::Unknown("")` when the server
    /// did not say).
    pub fn status(&self) -> &'a ToolStatus {
        self.0
            .status
            .as_ref()
            .unwrap_or(&crate::UNKNOWN_TOOL_STATUS)
    }

    /// What the tool captured.
    pub fn data(&self) -> Option<ToolData<'a>> {
        self.0.data.as_ref().map(|d| ToolData(&d.0))
    }
}

/// Text of a key of a free-form object, when it is a string.
fn text<'a>(map: &'a Metadata, key: &str) -> Option<&'a str> {
    map.get(key).and_then(serde_json::Value::as_str)
}

/// What a tool captured: the fields the tools page's forms define, typed, and the whole
/// object for the rest.
#[derive(Clone, Copy, Debug)]
pub struct ToolData<'a>(&'a Metadata);

impl<'a> ToolData<'a> {
    /// The person's email address (lead capture, appointment).
    pub fn email(&self) -> Option<&'a str> {
        text(self.0, "email")
    }

    /// The person's name (`full_name` of a lead, `name` of an appointment).
    pub fn name(&self) -> Option<&'a str> {
        text(self.0, "full_name").or_else(|| text(self.0, "name"))
    }

    /// Their phone number.
    pub fn phone(&self) -> Option<&'a str> {
        text(self.0, "phone")
    }

    /// Their company.
    pub fn company(&self) -> Option<&'a str> {
        text(self.0, "company")
    }

    /// The appointment's date (`date`, written `YYYY-MM-DD`), when it is one.
    pub fn date(&self) -> Option<NaiveDate> {
        text(self.0, "date").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }

    /// The appointment's time of day (`time`, written `HH:MM`), when it is one.
    pub fn time(&self) -> Option<NaiveTime> {
        text(self.0, "time").and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
    }

    /// Every key the tool sent.
    pub fn raw(&self) -> &'a Metadata {
        self.0
    }
}

/// An email handoff the agent started (`handoff_data` of its reply).
#[derive(Clone, Copy, Debug)]
pub struct HandoffData<'a>(&'a Metadata);

impl<'a> HandoffData<'a> {
    /// The handoff's id.
    pub fn id(&self) -> Option<&'a str> {
        text(self.0, "handoff_id")
    }

    /// Its state (`queued` is documented; others parse to `Unknown`).
    pub fn status(&self) -> Option<HandoffStatus> {
        text(self.0, "status").map(HandoffStatus::from)
    }

    /// Why the agent handed the chat over.
    pub fn reason(&self) -> Option<&'a str> {
        text(self.0, "reason")
    }

    /// Every key the server sent.
    pub fn raw(&self) -> &'a Metadata {
        self.0
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
        let body = &self.body;
        let problems = Check::new()
            .required("chat_id", &body.chat_id)
            .required("content", &body.content)
            .issues();
        let (client, chat, options) = (self.client, Target::chat(&body.chat_id), &self.options);
        let reply = match self.version {
            #[allow(deprecated)]
            AgentVersion::Legacy => {
                client
                    .call(chat, problems, options, |api| {
                        api.call_agent().body(body.clone())
                    })
                    .await
            }
            AgentVersion::V2 => {
                client
                    .call(chat, problems, options, |api| {
                        api.call_agent_v2().body(body.clone())
                    })
                    .await
            }
            AgentVersion::V3 => {
                client
                    .call(chat, problems, options, |api| {
                        api.call_agent_v3().body(body.clone())
                    })
                    .await
            }
        }?;
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
