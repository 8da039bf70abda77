//! Testing your own code on the embedded mock: an app function, and the checks a test suite
//! of it makes. `cargo run` runs the checks as a program; `cargo test` runs the same checks
//! as tests, one of them under paused time.
//!
//! ```sh
//! cargo run -p optimly --example testing --features testing
//! cargo test -p optimly --example testing --features testing
//! ```
//!
//! In your project: `optimly = { version = "0.1", features = ["testing"] }` in
//! `[dev-dependencies]`, and each check below is a `#[tokio::test]`.

use optimly::testing::{Faults, MockConfig};
use optimly::{Lead, OptimlyClient, ToolName};

/// The app under test: answer a visitor, and when they leave an email address the agent did
/// not capture itself (its lead-capture tool runs on its own when it sees one), record them
/// as a lead in the same conversation: one lead per visitor, never two.
async fn answer_visitor(
    client: &OptimlyClient,
    visitor: &str,
    message: &str,
) -> Result<String, optimly::Error> {
    let conversation = client.start_conversation(visitor).await?;
    let reply = conversation.ask(message).await?;
    let email = message.split_whitespace().find(|w| w.contains('@'));
    if let Some(email) = email
        && !reply.executed(&ToolName::LeadCapture)
    {
        conversation.capture_lead(&Lead::new(email)).await?;
    }
    Ok(reply.text().to_owned())
}

/// A visitor who leaves an address becomes exactly one lead, with that address (the mock's
/// agent captures it, as Optimly's does).
async fn a_visitor_with_an_email_becomes_one_lead() -> Result<(), Box<dyn std::error::Error>> {
    let (client, mock) = optimly::testing::start_mock().await?;
    let reply = answer_visitor(&client, "visitor_1", "A demo please, jane@company.com").await?;
    assert!(!reply.is_empty());
    let leads = mock.leads();
    assert_eq!(leads.len(), 1, "{leads:?}");
    assert_eq!(leads[0]["data"]["email"], "jane@company.com", "{leads:?}");
    Ok(())
}

/// Without an address the app records no lead of its own (what the agent captures on its
/// own, here the visitor's interest, is the agent's: its `source` is `agent`).
async fn without_an_email_the_app_records_no_lead() -> Result<(), Box<dyn std::error::Error>> {
    let (client, mock) = optimly::testing::start_mock().await?;
    answer_visitor(&client, "visitor_2", "What does it cost?").await?;
    let leads = mock.leads();
    assert!(leads.iter().all(|l| l["source"] == "agent"), "{leads:?}");
    Ok(())
}

/// When Optimly fails the agent call (the 2nd request: after the chat is created), the app
/// returns the SDK's typed error, and records nothing. A client that does not retry sees the
/// mock's answer as it was.
async fn an_outage_is_a_typed_error_and_records_nothing() -> Result<(), Box<dyn std::error::Error>>
{
    let faults = Faults {
        status_on: [(2, 503)].into(),
        ..Faults::default()
    };
    let (_, mock) = optimly::testing::start_mock_with(MockConfig {
        faults,
        ..MockConfig::default()
    })
    .await?;
    let client = optimly::testing::client_for_mock(&mock)?;
    let err = answer_visitor(&client, "visitor_3", "Hi, jane@company.com")
        .await
        .expect_err("the agent call fails");
    assert_eq!(err.status(), Some(503), "{err}");
    assert!(mock.leads().is_empty());
    Ok(())
}

/// The checks as a program: each panics with what it found when it fails.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    a_visitor_with_an_email_becomes_one_lead().await?;
    println!("ok  a visitor with an email becomes one lead");
    without_an_email_the_app_records_no_lead().await?;
    println!("ok  without an email the app records no lead");
    an_outage_is_a_typed_error_and_records_nothing().await?;
    println!("ok  an outage is a typed error and records nothing");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_visitor_with_an_email_becomes_one_lead() {
        super::a_visitor_with_an_email_becomes_one_lead()
            .await
            .expect("passes");
    }

    #[tokio::test]
    async fn without_an_email_the_app_records_no_lead() {
        super::without_an_email_the_app_records_no_lead()
            .await
            .expect("passes");
    }

    /// Under paused time: any wait the SDK makes (a retry's backoff, a rate limit) takes no
    /// real time, and requests to the local mock still are not timed out.
    #[tokio::test(start_paused = true)]
    async fn an_outage_is_a_typed_error_and_records_nothing() {
        super::an_outage_is_a_typed_error_and_records_nothing()
            .await
            .expect("passes");
    }
}
