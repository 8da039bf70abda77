//! Record a lead, request an appointment and hand the chat to a human, the v3 way.
//!
//! ```sh
//! OPTIMLY_API_KEY=agt_... cargo run -p optimly --example automations
//! ```

use std::process::ExitCode;

use optimly::{AppointmentRequest, EmailHandoff, Error, Lead, OptimlyClient, Urgency};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if !e.fields().is_empty() => {
            // Refused locally (nothing sent) or by the server's 422: the same field paths.
            eprintln!("{}:", e.operation().map_or("request", |op| op.name()));
            for field in e.fields() {
                eprintln!("  {field}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Error> {
    let client = OptimlyClient::from_env()?;

    // A dedicated chat for a form submission, seeded with the lead.
    let lead = Lead {
        full_name: Some("John Doe".into()),
        company: Some("Acme Corp".into()),
        ..Lead::new("john@example.com")
    };
    let started = client
        .start_lead_chat("web_form_47", &lead)
        .meta("interest", "50 seat pilot")
        .await?;
    let chat_id = started.chat().id().to_owned();
    println!("lead chat {chat_id}: seeded = {}", started.seeded().is_ok());

    let appointment = AppointmentRequest {
        subject: "onboarding call".into(),
        timezone: Some("America/New_York".into()),
        preferred_channel: Some("Zoom".into()),
        ..AppointmentRequest::new("John Doe", "john@example.com", "2025-06-20", "14:00")
    };
    let message = client.request_appointment(&chat_id, &appointment).await?;
    println!("appointment request recorded as {}", message.id());

    let handoff = EmailHandoff {
        customer_email: Some("john@example.com".into()),
        reason: Some("Pricing approval".into()),
        context: Some("Lead qualified via chatbot, needs annual invoice".into()),
        urgency: Some(Urgency::High),
        assigned_team: Some("Sales".into()),
        ..EmailHandoff::default()
    };
    let queued = client.hand_off(&chat_id, &handoff).await?;
    println!("handoff {} is {:?}", queued.id(), queued.status());
    Ok(())
}
