//! Nothing a caller gives is silently undone: an automation's builder takes the caller's own
//! metadata beside the keys it maps its fields onto, and a caller's value for a mapped key is
//! refused before anything is sent, through `.meta(..)` and `.metadata(..)` alike.

use optimly::testing::{self, RunningMock};
use optimly::{
    AppointmentRequest, EmailHandoff, ErrorKind, FieldIssue, Lead, Metadata, OptimlyClient, Urgency,
};
use serde_json::json;

fn lead() -> Lead {
    Lead {
        full_name: Some("John Doe".into()),
        phone: Some("+1-555-123-4567".into()),
        company: Some("Acme Corp".into()),
        message: Some("50 seats".into()),
        message_id: Some("msg_456".into()),
        ..Lead::new("john@example.com")
    }
}

fn appointment() -> AppointmentRequest {
    AppointmentRequest {
        duration_minutes: 45,
        subject: "onboarding call".into(),
        phone: Some("+1-555-987-6543".into()),
        notes: Some("bring the contract".into()),
        timezone: Some("Europe/Berlin".into()),
        preferred_channel: Some("video".into()),
        message_id: Some("msg_789".into()),
        ..AppointmentRequest::new("Jane Smith", "jane@example.com", "2030-06-20", "14:00")
    }
}

fn handoff() -> EmailHandoff {
    EmailHandoff {
        customer_email: Some("buyer@example.com".into()),
        reason: Some("Pricing approval".into()),
        context: Some("asked twice".into()),
        urgency: Some(Urgency::High),
        category: Some("sales".into()),
        assigned_team: Some("Sales".into()),
        message_id: Some("msg_1".into()),
    }
}

/// The three automations, sent with `own` as the caller's own metadata, through `.meta(..)`
/// (one call per key) or `.metadata(..)`.
async fn send(
    client: &OptimlyClient,
    chat: &str,
    which: usize,
    own: &Metadata,
    whole: bool,
) -> Result<(), optimly::Error> {
    macro_rules! with_own {
        ($builder:expr) => {{
            let mut b = $builder;
            if whole {
                b = b.metadata(own.clone());
            } else {
                for (k, v) in own {
                    b = b.meta(k.clone(), v.clone());
                }
            }
            b.send().await.map(drop)
        }};
    }
    match which {
        0 => with_own!(client.capture_lead(chat, &lead())),
        1 => with_own!(client.request_appointment(chat, &appointment())),
        _ => with_own!(client.hand_off(chat, &handoff())),
    }
}

/// The metadata automation `which` maps its fields onto: sent once with no keys of the
/// caller's, as the mock recorded it.
async fn mapped(client: &OptimlyClient, mock: &RunningMock, chat: &str, which: usize) -> Metadata {
    send(client, chat, which, &Metadata::new(), false)
        .await
        .expect("sent");
    last_recorded(mock, which)
}

/// The metadata the mock recorded for the last automation of kind `which`.
fn last_recorded(mock: &RunningMock, which: usize) -> Metadata {
    let records = match which {
        0 => mock.leads(),
        1 => mock.appointments(),
        _ => mock.handoffs(),
    };
    records
        .last()
        .and_then(|r| r["metadata"].as_object().cloned())
        .expect("a recorded automation with metadata")
}

/// A client on the embedded mock, and a chat there.
async fn mock_and_chat() -> (OptimlyClient, RunningMock, String) {
    let (client, mock) = testing::start_mock().await.expect("mock");
    let chat = client.create_chat("visitor").await.expect("chat");
    let id = chat.id().to_owned();
    (client, mock, id)
}

#[tokio::test]
async fn every_mapped_key_overridden_through_every_builder_is_refused_before_sending() {
    let (client, mock, chat) = mock_and_chat().await;
    for which in 0..3 {
        let mapped = mapped(&client, &mock, &chat, which).await;
        assert!(mapped.len() >= 4, "{mapped:?}");
        let requests = mock.requests().len();
        for (key, value) in &mapped {
            let other = json!(format!("not {value}"));
            for whole in [false, true] {
                let own = Metadata::from_iter([(key.clone(), other.clone())]);
                let err = send(&client, &chat, which, &own, whole)
                    .await
                    .expect_err("refused");
                let field = format!("metadata.{key}");
                assert_eq!(
                    err.kind(),
                    &ErrorKind::RefusedLocally {
                        fields: vec![FieldIssue::new(
                            field.clone(),
                            format!("`{key}` is set by the SDK from its own field; set it there, not with meta()")
                        )
                        .with_kind("value_error")]
                    },
                    "automation {which}, {field}, whole: {whole}"
                );
                assert_eq!(err.attempts(), 0);
            }
        }
        assert_eq!(mock.requests().len(), requests, "nothing was sent");
    }
    mock.shutdown().await;
}

#[tokio::test]
async fn a_callers_own_keys_merge_beside_the_mapped_ones() {
    let (client, mock, chat) = mock_and_chat().await;
    for which in 0..3 {
        let mapped = mapped(&client, &mock, &chat, which).await;
        let mut expected = mapped.clone();
        expected.insert("campaign".into(), json!("summer_2025"));
        expected.insert("source".into(), json!("website"));
        for whole in [false, true] {
            // A mapped key given again with the same value is no conflict.
            let (key, value) = mapped.iter().next().expect("a mapped key");
            let own = Metadata::from_iter([
                ("campaign".to_owned(), json!("summer_2025")),
                ("source".to_owned(), json!("website")),
                (key.clone(), value.clone()),
            ]);
            send(&client, &chat, which, &own, whole)
                .await
                .expect("sent");
            assert_eq!(last_recorded(&mock, which), expected, "{which} {whole}");
        }
    }
    mock.shutdown().await;
}
