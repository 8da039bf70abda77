//! Leads, appointment requests and email handoffs.
//!
//! You describe them with the fields Optimly's tools page documents; the SDK validates them
//! locally and maps them onto the v3 wire format, where every automation rides on the
//! `/external/message` namespace (the automations page says the `/external/tools/*` routes
//! are absent from the OpenAPI spec; the SDK does not call them):
//!
//! | you give | wire call | what is sent |
//! |---|---|---|
//! | [`Lead`] via [`capture_lead`](crate::OptimlyClient::capture_lead) | `POST /external/message/new-message` | `sender: "assistant"`; `content: "Lead captured for <full_name> <<email>>"` (`"Lead captured: <<email>>"` without a name); `metadata`: `form_type: "lead_capture"`, `lead_collected: true`, `full_name`, `email`, `phone`, `company`, `message`, `message_id`, then your own keys |
//! | [`Lead`] via [`start_lead_chat`](crate::OptimlyClient::start_lead_chat) | `POST /external/message/new-chat`, then the call above | chat: `client_id`, `ai_enabled: true`, `lead_collected: true`, your own metadata |
//! | [`AppointmentRequest`] via [`request_appointment`](crate::OptimlyClient::request_appointment) | `POST /external/message/new-message` | `sender: "user"`; `content: "Book a <duration>-minute <subject> on <date> at <time> for <name>"`; `metadata`: `form_type: "appointment_request"`, `name`, `email`, `phone`, `date`, `time`, `duration_minutes`, `timezone`, `preferred_channel`, `notes`, `message_id`, then your own keys |
//! | [`EmailHandoff`] via [`hand_off`](crate::OptimlyClient::hand_off) | `POST /external/message/email-handoff` | `chat_id`, `customer_email`, `reason`, `context`; `metadata`: `priority` (from `urgency`), `category`, `assigned_team`, `message_id`, then your own keys |
//!
//! Checked before anything is sent, every problem at once, each named by its path on the wire
//! (`metadata.email`, as a 422 from the server would name it): emails (`name@example.com`),
//! dates (`YYYY-MM-DD`, and a real day), times (`HH:MM`, and a real time), a positive duration,
//! urgency (`low`, `medium`, `high`, `critical`), and the required fields (lead: `email`;
//! appointment: `name`, `email`, `date`, `time`; every call: `chat_id`). A lead's `full_name`
//! is optional: the tools page's table requires it, but its own "progressive lead capture"
//! sends only the email.
//!
//! Each form is a plain serde struct with public fields, and each call returns a request
//! builder like every other call: add your own metadata keys (`.meta(..)`, `.metadata(..)`),
//! set `.options(..)`, and await it. A key of your own that the mapping also sets, to another
//! value, is refused the same way (`metadata.<key>`): nothing you give is silently dropped.
//!
//! A user message triggers the agent, so an appointment request (sent as `user`, as the
//! automations page does) is answered by the agent like any user message.

use optimly_api::types;
use serde::{Deserialize, Serialize};

use crate::call::RequestOptions;
use crate::chats::{AppendMessage, Chat, Message};
use crate::client::OptimlyClient;
use crate::error::{Error, FieldIssue};
use crate::rate_limit::Target;
use crate::validate::Check;
use crate::{HandoffStatus, Metadata, Sender};
use optimly_api::operations::REQUEST_APPOINTMENT;

/// The `metadata.form_type` of a lead message.
pub const FORM_TYPE_LEAD: &str = "lead_capture";
/// The `metadata.form_type` of an appointment request.
pub const FORM_TYPE_APPOINTMENT: &str = match REQUEST_APPOINTMENT.form_type() {
    Some(form_type) => form_type,
    None => panic!("the spec names the form type of an appointment request"),
};

/// A person who showed interest: the tools page's lead form, less `chat_id` (the call takes
/// it) and `metadata` (your own keys go on the request, with `.meta(..)`, as on every call).
///
/// ```
/// use optimly::Lead;
///
/// let lead = Lead {
///     full_name: Some("John Doe".into()),
///     company: Some("Acme Corp".into()),
///     ..Lead::new("john@example.com")
/// };
/// // The tools page's body reads into it; a field it does not know is refused, not dropped:
/// let read: Lead = serde_json::from_value(serde_json::json!({
///     "full_name": "John Doe", "email": "john@example.com", "company": "Acme Corp"
/// }))?;
/// assert_eq!(read, lead);
/// assert!(serde_json::from_value::<Lead>(serde_json::json!({"email": "j@example.com", "nmae": "J"})).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lead {
    /// Their email address (required).
    pub email: String,
    /// Their full name.
    pub full_name: Option<String>,
    /// Their phone number.
    pub phone: Option<String>,
    /// Their company.
    pub company: Option<String>,
    /// What they wrote.
    pub message: Option<String>,
    /// The chat message that revealed the lead.
    pub message_id: Option<String>,
}

impl Lead {
    /// A lead known only by their email address.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            ..Self::default()
        }
    }

    /// Every problem the client would refuse this lead for, without sending anything, named
    /// by its path in the message's body (`metadata.email`).
    pub fn issues(&self) -> Vec<FieldIssue> {
        let mut check = Check::new();
        check.email("metadata.email", &self.email);
        if let Some(name) = &self.full_name {
            check.required("metadata.full_name", name);
        }
        check.issues()
    }

    fn content(&self) -> String {
        match &self.full_name {
            Some(name) => format!("Lead captured for {name} <{}>", self.email),
            None => format!("Lead captured: <{}>", self.email),
        }
    }

    /// The metadata the lead maps onto.
    fn mapped_metadata(&self) -> Metadata {
        let mut m = Metadata::new();
        m.insert("form_type".into(), FORM_TYPE_LEAD.into());
        m.insert("lead_collected".into(), true.into());
        insert_some(&mut m, "full_name", &self.full_name);
        m.insert("email".into(), self.email.clone().into());
        insert_some(&mut m, "phone", &self.phone);
        insert_some(&mut m, "company", &self.company);
        insert_some(&mut m, "message", &self.message);
        insert_some(&mut m, "message_id", &self.message_id);
        m
    }
}

/// A wish to meet: the tools page's appointment form, less `chat_id` and `metadata`.
///
/// ```
/// use optimly::AppointmentRequest;
///
/// let request = AppointmentRequest {
///     subject: "onboarding call".into(),
///     timezone: Some("America/New_York".into()),
///     preferred_channel: Some("Zoom".into()),
///     ..AppointmentRequest::new("Jane Smith", "jane@company.com", "2025-06-20", "14:00")
/// };
/// assert_eq!(request.duration_minutes, 30, "the documented default");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRequest {
    /// Who the meeting is for (required).
    pub name: String,
    /// Their email address (required).
    pub email: String,
    /// The day, `YYYY-MM-DD` (required).
    pub date: String,
    /// The time, `HH:MM` (required).
    pub time: String,
    /// Length in minutes (default 30; must be positive).
    #[serde(default = "default_duration")]
    pub duration_minutes: u32,
    /// What kind of meeting, used in the message text (default `appointment`).
    #[serde(default = "default_subject")]
    pub subject: String,
    /// Their phone number.
    pub phone: Option<String>,
    /// Agenda or notes.
    pub notes: Option<String>,
    /// The IANA time zone of `date` and `time` (`America/New_York`).
    pub timezone: Option<String>,
    /// How they want to meet (`Zoom`, `phone`, ...).
    pub preferred_channel: Option<String>,
    /// The chat message the request came from.
    pub message_id: Option<String>,
}

fn default_duration() -> u32 {
    AppointmentRequest::DEFAULT_DURATION_MINUTES
}

fn default_subject() -> String {
    "appointment".into()
}

impl AppointmentRequest {
    /// The default length of a meeting, as documented.
    pub const DEFAULT_DURATION_MINUTES: u32 = 30;

    /// An appointment for `name` (`email`) on `date` (`YYYY-MM-DD`) at `time` (`HH:MM`), with
    /// the documented defaults.
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        date: impl Into<String>,
        time: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
            date: date.into(),
            time: time.into(),
            duration_minutes: Self::DEFAULT_DURATION_MINUTES,
            subject: default_subject(),
            phone: None,
            notes: None,
            timezone: None,
            preferred_channel: None,
            message_id: None,
        }
    }

    /// Every problem the client would refuse this request for, without sending anything,
    /// named by its path in the message's body (`metadata.date`).
    pub fn issues(&self) -> Vec<FieldIssue> {
        Check::new()
            .required("metadata.name", &self.name)
            .email("metadata.email", &self.email)
            .date("metadata.date", &self.date)
            .time("metadata.time", &self.time)
            .positive("metadata.duration_minutes", self.duration_minutes)
            .issues()
    }

    fn content(&self) -> String {
        format!(
            "Book a {}-minute {} on {} at {} for {}",
            self.duration_minutes, self.subject, self.date, self.time, self.name
        )
    }

    /// The metadata the request maps onto.
    fn mapped_metadata(&self) -> Metadata {
        let mut m = Metadata::new();
        m.insert("form_type".into(), FORM_TYPE_APPOINTMENT.into());
        m.insert("name".into(), self.name.clone().into());
        m.insert("email".into(), self.email.clone().into());
        insert_some(&mut m, "phone", &self.phone);
        m.insert("date".into(), self.date.clone().into());
        m.insert("time".into(), self.time.clone().into());
        m.insert("duration_minutes".into(), self.duration_minutes.into());
        insert_some(&mut m, "timezone", &self.timezone);
        insert_some(&mut m, "preferred_channel", &self.preferred_channel);
        insert_some(&mut m, "notes", &self.notes);
        insert_some(&mut m, "message_id", &self.message_id);
        m
    }
}

/// How urgently a human should pick up a handoff (tools page: low, medium, high, critical).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Urgency {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

impl Urgency {
    /// Every urgency, least urgent first.
    pub const ALL: [Urgency; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    /// The documented wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl std::str::FromStr for Urgency {
    type Err = Error;

    /// One of [`ALL`](Self::ALL)'s wire values, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|u| u.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|u| u.as_str()).collect();
                Error::invalid("urgency", format!("expected one of {}", names.join(", ")))
            })
    }
}

impl std::fmt::Display for Urgency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request for a human to take the chat over by email: the tools page's email-handoff
/// form, less `chat_id` and `metadata`. Every field is optional.
///
/// ```
/// use optimly::{EmailHandoff, Urgency};
///
/// let handoff = EmailHandoff {
///     customer_email: Some("enterprise-buyer@example.com".into()),
///     reason: Some("Pricing approval".into()),
///     urgency: Some(Urgency::High),
///     assigned_team: Some("Sales".into()),
///     ..EmailHandoff::default()
/// };
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailHandoff {
    /// Where the human follows up.
    pub customer_email: Option<String>,
    /// Why a human is needed.
    pub reason: Option<String>,
    /// What the human needs to know.
    pub context: Option<String>,
    /// How urgent it is (sent as `metadata.priority`).
    pub urgency: Option<Urgency>,
    /// A support category for routing (`technical_support`, ...).
    pub category: Option<String>,
    /// The team that should pick it up (`Sales`, ...).
    pub assigned_team: Option<String>,
    /// The chat message that asked for a human (sent as `metadata.message_id`).
    pub message_id: Option<String>,
}

impl EmailHandoff {
    /// Every problem the client would refuse this handoff for, without sending anything,
    /// named by its path in the request body (`metadata.customer_email`).
    pub fn issues(&self) -> Vec<FieldIssue> {
        let mut check = Check::new();
        if let Some(email) = &self.customer_email {
            check.email("customer_email", email);
        }
        check.issues()
    }

    /// The metadata keys the handoff maps onto.
    fn mapped_metadata(&self) -> Metadata {
        let mut m = Metadata::new();
        if let Some(urgency) = self.urgency {
            m.insert("priority".into(), urgency.as_str().into());
        }
        insert_some(&mut m, "category", &self.category);
        insert_some(&mut m, "assigned_team", &self.assigned_team);
        insert_some(&mut m, "message_id", &self.message_id);
        m
    }

    fn wire(&self, chat_id: String) -> types::EmailHandoffRequest {
        types::EmailHandoffRequest {
            chat_id,
            customer_email: self.customer_email.clone(),
            reason: self.reason.clone(),
            context: self.context.clone(),
            metadata: None,
        }
    }
}

/// A queued handoff.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Handoff(pub(crate) types::EmailHandoff);

impl Handoff {
    /// The handoff's id.
    pub fn id(&self) -> &str {
        &self.0.handoff_id
    }

    /// Its state (`queued` is documented; others parse to `Unknown`).
    pub fn status(&self) -> Option<&HandoffStatus> {
        self.0.status.as_ref()
    }

    /// The chat handed over.
    pub fn chat_id(&self) -> Option<&str> {
        self.0.chat_id.as_deref()
    }
}

/// The result of [`start_lead_chat`](OptimlyClient::start_lead_chat): the chat always exists;
/// seeding its transcript is a second call that may fail on its own.
#[derive(Debug)]
pub struct LeadChat {
    chat: Chat,
    seeded: Result<Message, Error>,
}

impl LeadChat {
    /// The new chat, marked `lead_collected`.
    pub fn chat(&self) -> &Chat {
        &self.chat
    }

    /// The lead message seeded into it, or why seeding failed (retry it with
    /// [`capture_lead`](OptimlyClient::capture_lead) on `chat().id()`).
    pub fn seeded(&self) -> Result<&Message, &Error> {
        self.seeded.as_ref()
    }

    /// The chat and the seeding's result, owned.
    pub fn into_parts(self) -> (Chat, Result<Message, Error>) {
        (self.chat, self.seeded)
    }
}

fn insert_some(m: &mut Metadata, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        m.insert(key.into(), v.clone().into());
    }
}

/// The mapped keys and the caller's own. A caller's key that the mapping also sets is
/// refused before sending ([`collisions`]), so none is dropped here.
pub(crate) fn with_own_keys(mut mapped: Metadata, own: &Metadata) -> Metadata {
    for (k, v) in own {
        mapped.entry(k.clone()).or_insert_with(|| v.clone());
    }
    mapped
}

/// A key of the caller's that the mapping sets to something else: it would be lost, so it is
/// an error (the same value is no loss).
pub(crate) fn collisions(mapped: &Metadata, own: &Metadata) -> Vec<FieldIssue> {
    own.iter()
        .filter(|(k, v)| mapped.get(*k).is_some_and(|m| m != *v))
        .map(|(k, _)| {
            FieldIssue::new(
                format!("metadata.{k}"),
                format!(
                    "`{k}` is set by the SDK from its own field; set it there, not with meta()"
                ),
            )
            .with_kind("value_error")
        })
        .collect()
}

/// Builds `POST /external/message/email-handoff`. Await it, or call `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct SendHandoff<'a> {
    client: &'a OptimlyClient,
    /// The handoff, with the caller's own metadata (`.meta(..)`, `.metadata(..)`).
    body: types::EmailHandoffRequest,
    /// The metadata the handoff's fields map onto; the caller's own keys are merged beside
    /// it at `send`, and one that would change a mapped key is refused.
    mapped: Metadata,
    problems: Vec<FieldIssue>,
    options: RequestOptions,
}

impl SendHandoff<'_> {
    crate::call::builder_methods!(metadata);

    /// Hand the chat over.
    pub async fn send(self) -> Result<Handoff, Error> {
        let mut body = self.body;
        let mut problems = Check::new().required("chat_id", &body.chat_id).issues();
        problems.extend(self.problems);
        let own = body.metadata.take().map(|m| m.0).unwrap_or_default();
        problems.extend(collisions(&self.mapped, &own));
        let metadata = with_own_keys(self.mapped, &own);
        body.metadata = (!metadata.is_empty()).then_some(types::Metadata(metadata));
        let handoff = self
            .client
            .call(
                Target::chat(&body.chat_id),
                problems,
                &self.options,
                |api| api.email_handoff().body(body.clone()),
            )
            .await?;
        Ok(Handoff(handoff))
    }
}

/// Builds a lead's own chat: `POST /external/message/new-chat`, then the lead message. Await
/// it, or call `send`.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct StartLeadChat<'a> {
    client: &'a OptimlyClient,
    client_id: String,
    lead: &'a Lead,
    /// The caller's own metadata, given to the chat and to the lead message.
    metadata: Option<types::Metadata>,
    options: RequestOptions,
}

impl StartLeadChat<'_> {
    crate::call::builder_methods!(metadata in metadata);

    /// Create the chat, then seed it. Nothing is sent when the lead is invalid.
    pub async fn send(self) -> Result<LeadChat, Error> {
        let own = self.metadata.map(|m| m.0).unwrap_or_default();
        let mut problems = self.lead.issues();
        problems.extend(collisions(&self.lead.mapped_metadata(), &own));
        let chat = self
            .client
            .create_chat(self.client_id)
            .lead_collected(true)
            .metadata(own.clone())
            .options(self.options.clone())
            .with_problems(problems)
            .send()
            .await?;
        let seeded = self
            .client
            .capture_lead(chat.id(), self.lead)
            .metadata(own)
            .options(self.options)
            .send()
            .await;
        Ok(LeadChat { chat, seeded })
    }
}

impl OptimlyClient {
    /// Record a lead in a chat, as the automations page does: an assistant message with
    /// `form_type: "lead_capture"` (see the [module docs](crate::automations)).
    pub fn capture_lead(&self, chat_id: impl Into<String>, lead: &Lead) -> AppendMessage<'_> {
        AppendMessage::new(
            self,
            chat_id.into(),
            &Sender::Assistant,
            lead.content(),
            Some(lead.mapped_metadata()),
            lead.issues(),
        )
    }

    /// Start a dedicated chat for a lead (`lead_collected: true`), then seed its transcript
    /// with the lead message.
    pub fn start_lead_chat<'a>(
        &'a self,
        client_id: impl Into<String>,
        lead: &'a Lead,
    ) -> StartLeadChat<'a> {
        StartLeadChat {
            client: self,
            client_id: client_id.into(),
            lead,
            metadata: None,
            options: RequestOptions::default(),
        }
    }

    /// Ask for an appointment in a chat: a user message with
    /// `form_type: "appointment_request"` (see the [module docs](crate::automations)).
    pub fn request_appointment(
        &self,
        chat_id: impl Into<String>,
        request: &AppointmentRequest,
    ) -> AppendMessage<'_> {
        AppendMessage::new(
            self,
            chat_id.into(),
            &Sender::User,
            request.content(),
            Some(request.mapped_metadata()),
            request.issues(),
        )
    }

    /// Hand the chat over to a human by email.
    pub fn hand_off(&self, chat_id: impl Into<String>, handoff: &EmailHandoff) -> SendHandoff<'_> {
        SendHandoff {
            client: self,
            body: handoff.wire(chat_id.into()),
            mapped: handoff.mapped_metadata(),
            problems: handoff.issues(),
            options: RequestOptions::default(),
        }
    }
}

crate::call::into_future!(SendHandoff<'a> => Handoff);
crate::call::into_future!(StartLeadChat<'a> => LeadChat);

#[cfg(test)]
mod tests;
