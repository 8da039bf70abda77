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
//! | [`Lead`] via [`start_lead_chat`](crate::OptimlyClient::start_lead_chat) | `POST /external/message/new-chat`, then the call above | chat: `client_id`, `ai_enabled: true`, `lead_collected: true`, your lead metadata |
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
//! A key of your own (`.meta(..)`) that the mapping also sets, to another value, is refused
//! the same way (`metadata.<key>`): nothing you give is silently dropped.
//!
//! Each is a request builder like every other call: configure it (`.options(..)`, `.meta(..)`)
//! and await it, or call `send`.
//!
//! A user message triggers the agent, so an appointment request (sent as `user`, as the
//! automations page does) is answered by the agent like any user message.

use optimly_api::types;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// A person who showed interest, as the tools page's lead form describes them.
///
/// ```
/// let lead = optimly::Lead::new("john@example.com")
///     .full_name("John Doe")
///     .company("Acme Corp")
///     .meta("interest", "50 seat pilot");
/// ```
///
/// It also reads the tools page's lead-form body (less `chat_id`, which the call takes),
/// refusing a field it does not know rather than dropping it:
///
/// ```
/// let lead: optimly::Lead = serde_json::from_value(serde_json::json!({
///     "full_name": "John Doe", "email": "john@example.com", "message_id": "msg_456",
///     "metadata": {"source": "website"}
/// }))?;
/// assert_eq!(lead, optimly::Lead::new("john@example.com").full_name("John Doe")
///     .message_id("msg_456").meta("source", "website"));
/// assert!(serde_json::from_value::<optimly::Lead>(serde_json::json!({"email": "j@example.com", "nmae": "J"})).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lead {
    email: String,
    full_name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    message: Option<String>,
    message_id: Option<String>,
    #[serde(default)]
    metadata: Metadata,
}

impl Lead {
    /// A lead known by their email address (required).
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            ..Self::default()
        }
    }

    /// Their full name.
    pub fn full_name(mut self, name: impl Into<String>) -> Self {
        self.full_name = Some(name.into());
        self
    }

    /// Their phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// Their company.
    pub fn company(mut self, company: impl Into<String>) -> Self {
        self.company = Some(company.into());
        self
    }

    /// What they wrote.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The chat message that revealed the lead.
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Add a key of your own (`source`, `campaign`, `interest`, ...).
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Every problem, named by its path in the lead message's body.
    fn issues(&self) -> Vec<FieldIssue> {
        let mut check = Check::new();
        check.email("metadata.email", &self.email);
        if let Some(name) = &self.full_name {
            check.required("metadata.full_name", name);
        }
        let mut issues = check.issues();
        issues.extend(collisions(&self.mapped_metadata(), &self.metadata));
        issues
    }

    fn content(&self) -> String {
        match &self.full_name {
            Some(name) => format!("Lead captured for {name} <{}>", self.email),
            None => format!("Lead captured: <{}>", self.email),
        }
    }

    fn wire_metadata(&self) -> Metadata {
        with_own_keys(self.mapped_metadata(), &self.metadata)
    }

    /// The keys the mapping sets.
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

/// A wish to meet, as the tools page's appointment form describes it.
///
/// ```
/// let request = optimly::AppointmentRequest::new("Jane Smith", "jane@company.com", "2025-06-20", "14:00")
///     .duration_minutes(30)
///     .subject("onboarding call")
///     .timezone("America/New_York")
///     .preferred_channel("Zoom");
/// ```
///
/// It also reads the tools page's appointment body (less `chat_id`), with the documented
/// default duration; an unknown field is refused, not dropped.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRequest {
    name: String,
    email: String,
    date: String,
    time: String,
    #[serde(default = "default_duration")]
    duration_minutes: u32,
    #[serde(default = "default_subject")]
    subject: String,
    phone: Option<String>,
    notes: Option<String>,
    timezone: Option<String>,
    preferred_channel: Option<String>,
    message_id: Option<String>,
    #[serde(default)]
    metadata: Metadata,
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

    /// An appointment for `name` (`email`) on `date` (`YYYY-MM-DD`) at `time` (`HH:MM`).
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
            metadata: Metadata::new(),
        }
    }

    /// Length in minutes (default 30; must be positive).
    pub fn duration_minutes(mut self, minutes: u32) -> Self {
        self.duration_minutes = minutes;
        self
    }

    /// What kind of meeting, used in the message text (default `appointment`).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    /// Their phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// Agenda or notes.
    pub fn notes(mut self, notes: impl Into<String>) -> Self {
        self.notes = Some(notes.into());
        self
    }

    /// The IANA time zone of `date` and `time` (`America/New_York`).
    pub fn timezone(mut self, tz: impl Into<String>) -> Self {
        self.timezone = Some(tz.into());
        self
    }

    /// How they want to meet (`Zoom`, `phone`, ...).
    pub fn preferred_channel(mut self, channel: impl Into<String>) -> Self {
        self.preferred_channel = Some(channel.into());
        self
    }

    /// The chat message the request came from (sent as `metadata.message_id`).
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Add a key of your own.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Every problem, named by its path in the request message's body.
    fn issues(&self) -> Vec<FieldIssue> {
        Check::new()
            .required("metadata.name", &self.name)
            .email("metadata.email", &self.email)
            .date("metadata.date", &self.date)
            .time("metadata.time", &self.time)
            .positive("metadata.duration_minutes", self.duration_minutes)
            .issues()
            .into_iter()
            .chain(collisions(&self.mapped_metadata(), &self.metadata))
            .collect()
    }

    fn content(&self) -> String {
        format!(
            "Book a {}-minute {} on {} at {} for {}",
            self.duration_minutes, self.subject, self.date, self.time, self.name
        )
    }

    fn wire_metadata(&self) -> Metadata {
        with_own_keys(self.mapped_metadata(), &self.metadata)
    }

    /// The keys the mapping sets.
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

/// A request for a human to take the chat over by email.
///
/// ```
/// use optimly::{EmailHandoff, Urgency};
///
/// let handoff = EmailHandoff::new()
///     .customer_email("enterprise-buyer@example.com")
///     .reason("Pricing approval")
///     .context("Lead qualified via chatbot, needs annual invoice")
///     .urgency(Urgency::High)
///     .assigned_team("Sales");
/// ```
///
/// It also reads the tools page's email-handoff body (less `chat_id`); an unknown field is
/// refused, not dropped.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailHandoff {
    customer_email: Option<String>,
    reason: Option<String>,
    context: Option<String>,
    urgency: Option<Urgency>,
    category: Option<String>,
    assigned_team: Option<String>,
    message_id: Option<String>,
    #[serde(default)]
    metadata: Metadata,
}

impl EmailHandoff {
    /// An empty request: every field is optional.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where the human follows up.
    pub fn customer_email(mut self, email: impl Into<String>) -> Self {
        self.customer_email = Some(email.into());
        self
    }

    /// Why a human is needed.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// What the human needs to know.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// How urgent it is (sent as `metadata.priority`).
    pub fn urgency(mut self, urgency: Urgency) -> Self {
        self.urgency = Some(urgency);
        self
    }

    /// A support category for routing (`technical_support`, ...).
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    /// The team that should pick it up (`Sales`, ...).
    pub fn assigned_team(mut self, team: impl Into<String>) -> Self {
        self.assigned_team = Some(team.into());
        self
    }

    /// The chat message that asked for a human (sent as `metadata.message_id`).
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Add a key of your own.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Every problem, named by its path in the handoff's body.
    fn issues(&self) -> Vec<FieldIssue> {
        let mut check = Check::new();
        if let Some(email) = &self.customer_email {
            check.email("customer_email", email);
        }
        let mut issues = check.issues();
        issues.extend(collisions(&self.mapped_metadata(), &self.metadata));
        issues
    }

    /// The metadata keys the mapping sets.
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
        let m = with_own_keys(self.mapped_metadata(), &self.metadata);
        types::EmailHandoffRequest {
            chat_id,
            customer_email: self.customer_email.clone(),
            reason: self.reason.clone(),
            context: self.context.clone(),
            metadata: (!m.is_empty()).then_some(types::Metadata(m)),
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
pub struct HandOff<'a> {
    client: &'a OptimlyClient,
    /// The handoff, with the caller's own metadata (`.meta(..)`, `.metadata(..)`).
    body: types::EmailHandoffRequest,
    /// The metadata the handoff's fields map onto; the caller's own keys are merged beside
    /// it at `send`, and one that would change a mapped key is refused.
    mapped: Metadata,
    problems: Vec<FieldIssue>,
    options: RequestOptions,
}

impl HandOff<'_> {
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
    options: RequestOptions,
}

impl StartLeadChat<'_> {
    crate::call::builder_methods!();

    /// Create the chat, then seed it. Nothing is sent when the lead is invalid.
    pub async fn send(self) -> Result<LeadChat, Error> {
        let problems = self.lead.issues();
        let chat = self
            .client
            .create_chat(self.client_id)
            .lead_collected(true)
            .metadata(self.lead.metadata.clone())
            .options(self.options.clone())
            .with_problems(problems)
            .send()
            .await?;
        let seeded = self
            .client
            .capture_lead(chat.id(), self.lead)
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
            Some(lead.wire_metadata()),
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
            Some(request.wire_metadata()),
            request.issues(),
        )
    }

    /// Hand the chat over to a human by email.
    pub fn hand_off(&self, chat_id: impl Into<String>, handoff: &EmailHandoff) -> HandOff<'_> {
        let mut body = handoff.wire(chat_id.into());
        let mapped = body.metadata.take().map(|m| m.0).unwrap_or_default();
        HandOff {
            client: self,
            body,
            mapped,
            problems: handoff.issues(),
            options: RequestOptions::default(),
        }
    }
}

crate::call::into_future!(HandOff<'a> => Handoff);
crate::call::into_future!(StartLeadChat<'a> => LeadChat);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lead_maps_onto_the_automations_page_message() {
        let lead = Lead::new("john@example.com")
            .full_name("John Doe")
            .company("Acme Corp")
            .phone("+1-555-123-4567")
            .meta("interest", "50 seat pilot")
            .meta("form_type", FORM_TYPE_LEAD);
        assert!(lead.issues().is_empty(), "the same value is no collision");
        assert_eq!(
            lead.content(),
            "Lead captured for John Doe <john@example.com>"
        );
        assert_eq!(
            Value::Object(lead.wire_metadata()),
            json!({
                "form_type": "lead_capture", "lead_collected": true, "full_name": "John Doe",
                "email": "john@example.com", "phone": "+1-555-123-4567", "company": "Acme Corp",
                "interest": "50 seat pilot"
            })
        );
        assert_eq!(
            Lead::new("j@example.com").content(),
            "Lead captured: <j@example.com>"
        );
    }

    #[test]
    fn appointment_maps_onto_the_automations_page_message() {
        let r = AppointmentRequest::new("Jane Smith", "jane@company.com", "2025-06-20", "14:00")
            .subject("onboarding call")
            .timezone("America/New_York")
            .preferred_channel("Zoom");
        assert_eq!(
            r.content(),
            "Book a 30-minute onboarding call on 2025-06-20 at 14:00 for Jane Smith"
        );
        assert_eq!(
            Value::Object(r.wire_metadata()),
            json!({
                "form_type": "appointment_request", "name": "Jane Smith", "email": "jane@company.com",
                "date": "2025-06-20", "time": "14:00", "duration_minutes": 30,
                "timezone": "America/New_York", "preferred_channel": "Zoom"
            })
        );
    }

    #[test]
    fn message_id_reaches_the_wire_for_all_three() {
        let lead = Lead::new("j@example.com").message_id("msg_456");
        assert_eq!(lead.wire_metadata()["message_id"], "msg_456");
        let r = AppointmentRequest::new("Jane", "jane@example.com", "2030-06-20", "14:00")
            .message_id("msg_456");
        assert_eq!(r.wire_metadata()["message_id"], "msg_456");
        let h = EmailHandoff::new().message_id("msg_456");
        let wire = serde_json::to_value(h.wire("chat_1".into())).expect("json");
        assert_eq!(wire["metadata"]["message_id"], "msg_456");
    }

    #[test]
    fn an_own_key_the_mapping_sets_otherwise_is_an_error_not_a_silent_drop() {
        let fields = |issues: Vec<FieldIssue>| -> Vec<String> {
            issues.iter().map(|i| i.field().to_owned()).collect()
        };
        assert_eq!(
            fields(
                Lead::new("j@example.com")
                    .full_name("J")
                    .meta("full_name", "K")
                    .meta("form_type", "x")
                    .issues()
            ),
            ["metadata.form_type", "metadata.full_name"]
        );
        assert_eq!(
            fields(
                AppointmentRequest::new("Jane", "jane@example.com", "2030-06-20", "14:00")
                    .meta("duration_minutes", 45)
                    .issues()
            ),
            ["metadata.duration_minutes"]
        );
        assert_eq!(
            fields(
                EmailHandoff::new()
                    .urgency(Urgency::Low)
                    .meta("priority", "high")
                    .issues()
            ),
            ["metadata.priority"]
        );
        // A key the mapping leaves unset is the caller's to use.
        assert!(
            EmailHandoff::new()
                .meta("priority", "high")
                .issues()
                .is_empty()
        );
    }

    #[test]
    fn handoff_maps_urgency_to_priority() {
        let h = EmailHandoff::new()
            .customer_email("enterprise-buyer@example.com")
            .reason("Pricing approval")
            .urgency(Urgency::High)
            .assigned_team("Sales");
        let wire = serde_json::to_value(h.wire("chat_123".into())).expect("json");
        assert_eq!(
            wire,
            json!({
                "chat_id": "chat_123", "customer_email": "enterprise-buyer@example.com",
                "reason": "Pricing approval", "metadata": {"priority": "high", "assigned_team": "Sales"}
            })
        );
        assert_eq!(
            serde_json::to_value(EmailHandoff::new().wire("c".into())).expect("json"),
            json!({"chat_id": "c"})
        );
    }

    #[test]
    fn every_invalid_field_is_named_by_its_wire_path() {
        let fields = |issues: Vec<FieldIssue>| {
            issues
                .into_iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
        };
        let ok = || AppointmentRequest::new("Jane", "jane@company.com", "2025-06-20", "14:00");
        assert!(ok().issues().is_empty());
        assert_eq!(
            fields(
                AppointmentRequest::new("", "jane", "2026-02-30", "2pm")
                    .duration_minutes(0)
                    .issues()
            ),
            [
                "metadata.name: is required and must not be blank",
                "metadata.email: is not an email address like name@example.com",
                "metadata.date: `2026-02-30` is not a real date",
                "metadata.time: `2pm` is not written HH:MM",
                "metadata.duration_minutes: must be a positive number",
            ]
        );
        assert_eq!(
            fields(Lead::new("nope").full_name(" ").issues()),
            [
                "metadata.email: is not an email address like name@example.com",
                "metadata.full_name: is required and must not be blank",
            ]
        );
        assert_eq!(
            fields(EmailHandoff::new().customer_email("x").issues()),
            ["customer_email: is not an email address like name@example.com"]
        );
        let urgency = "urgent".parse::<Urgency>().expect_err("urgency");
        assert_eq!(
            urgency.to_string(),
            "invalid input: urgency: expected one of low, medium, high, critical"
        );
        assert_eq!("CRITICAL".parse::<Urgency>().ok(), Some(Urgency::Critical));
    }
}
