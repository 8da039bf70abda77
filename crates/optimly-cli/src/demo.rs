//! `optimly demo`: a whole scripted conversation. Offline against the embedded mock, or
//! against Optimly when `OPTIMLY_API_KEY` is set.

use optimly::{AppointmentRequest, EmailHandoff, Error, Lead, OptimlyClient, Urgency};

use crate::Connection;
use crate::output::Output;

const VISITOR: &str = "demo_visitor";
const QUESTION: &str = "Hi! What does the Pro plan cost? You can reach me at jane@company.com";

/// A client for Optimly when a key is given, else for the embedded mock, started here (it
/// stops when the returned mock is dropped).
pub async fn client_or_mock(
    connection: &Connection,
) -> Result<(OptimlyClient, Option<optimly_mock::RunningMock>), Error> {
    if connection.api_key.is_some() {
        return Ok((connection.builder()?.build()?, None));
    }
    let mock = optimly_mock::start(optimly_mock::MockConfig::default())
        .await
        .map_err(|e| Error::config("mock", e.to_string()))?;
    let client = OptimlyClient::builder()
        .api_key(mock.key())
        .base_url(mock.base_url())
        .build()?;
    Ok((client, Some(mock)))
}

pub async fn run(connection: &Connection, out: &Output) -> Result<(), Error> {
    // Keep the mock alive for the whole demo; it stops when dropped.
    let (client, mock) = client_or_mock(connection).await?;
    let say = |line: String| {
        if !out.is_json() {
            crate::output::say!("{line}");
        }
    };
    match &mock {
        Some(m) => say(format!(
            "Offline demo against the embedded mock at {} (set OPTIMLY_API_KEY to talk to Optimly).\n",
            m.base_url()
        )),
        None => say(format!("Demo against {}.\n", client.base_url())),
    }

    let conversation = client.start_conversation(VISITOR).await?;
    say(format!(
        "1. new chat {} for client {VISITOR}",
        conversation.chat_id()
    ));

    say(format!("2. user:  {QUESTION}"));
    let reply = out
        .waiting("waiting for the agent", conversation.ask(QUESTION))
        .await?;
    say(format!("   agent: {}", reply.text()));
    for tool in reply.tools_executed() {
        say(format!("   (the agent ran {})", tool.tool()));
    }

    let lead = Lead {
        full_name: Some("Jane Smith".into()),
        company: Some("Acme Corp".into()),
        ..Lead::new("jane@company.com")
    };
    let captured = conversation
        .capture_lead(&lead)
        .meta("interest", "Pro plan")
        .await?;
    say(format!(
        "3. lead captured: Jane Smith <jane@company.com>, message {}",
        captured.id()
    ));

    // A week from today: the API refuses an appointment in the past.
    let date = (chrono::Utc::now().date_naive() + chrono::Days::new(7))
        .format("%Y-%m-%d")
        .to_string();
    let appointment = AppointmentRequest {
        subject: "onboarding call".into(),
        timezone: Some("Europe/Berlin".into()),
        preferred_channel: Some("Zoom".into()),
        ..AppointmentRequest::new("Jane Smith", "jane@company.com", &*date, "14:00")
    };
    let requested = conversation.request_appointment(&appointment).await?;
    say(format!(
        "4. appointment requested for {date} at 14:00, message {}",
        requested.id()
    ));
    if let Some(answer) = requested.agent_response() {
        say(format!("   agent: {}", answer.text()));
    }

    let handoff = EmailHandoff {
        customer_email: Some("jane@company.com".into()),
        reason: Some("Pricing approval".into()),
        context: Some("Qualified lead, wants an annual invoice".into()),
        urgency: Some(Urgency::High),
        assigned_team: Some("Sales".into()),
        ..EmailHandoff::default()
    };
    let queued = conversation.hand_off(&handoff).await?;
    let status = queued.status().map(ToString::to_string).unwrap_or_default();
    say(format!(
        "5. handed over to a human by email: {} ({status})",
        queued.id()
    ));

    let history = conversation.history().await?;
    say(format!("6. history ({} messages):", history.len()));
    for m in &history {
        say(format!("   [{}] {}", m.sender(), m.content()));
    }
    if out.is_json() {
        out.print_json(&serde_json::json!({
            "chat_id": conversation.chat_id(),
            "reply": reply,
            "lead_message": captured,
            "appointment_message": requested,
            "handoff": queued,
            "history": history,
        }));
    }
    if let Some(mock) = mock {
        say(format!(
            "\nThe mock recorded {} lead(s), {} appointment request(s) and {} handoff(s).",
            mock.leads().len(),
            mock.appointments().len(),
            mock.handoffs().len()
        ));
        mock.shutdown().await;
    }
    Ok(())
}
