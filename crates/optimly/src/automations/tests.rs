//! Unit tests of [`super`].

use super::*;
use serde_json::{Value, json};

fn own(pairs: Value) -> Metadata {
    pairs.as_object().cloned().unwrap_or_default()
}

#[test]
fn lead_maps_onto_the_automations_page_message() {
    let lead = Lead {
        full_name: Some("John Doe".into()),
        company: Some("Acme Corp".into()),
        phone: Some("+1-555-123-4567".into()),
        message_id: Some("msg_456".into()),
        ..Lead::new("john@example.com")
    };
    assert!(lead.issues().is_empty());
    assert_eq!(
        lead.content(),
        "Lead captured for John Doe <john@example.com>"
    );
    assert_eq!(
        Value::Object(lead.mapped_metadata()),
        json!({
            "form_type": "lead_capture", "lead_collected": true, "full_name": "John Doe",
            "email": "john@example.com", "phone": "+1-555-123-4567", "company": "Acme Corp",
            "message_id": "msg_456"
        })
    );
    assert_eq!(
        Lead::new("j@example.com").content(),
        "Lead captured: <j@example.com>"
    );
}

#[test]
fn appointment_maps_onto_the_automations_page_message() {
    let r = AppointmentRequest {
        subject: "onboarding call".into(),
        timezone: Some("America/New_York".into()),
        preferred_channel: Some("Zoom".into()),
        ..AppointmentRequest::new("Jane Smith", "jane@company.com", "2025-06-20", "14:00")
    };
    assert_eq!(
        r.content(),
        "Book a 30-minute onboarding call on 2025-06-20 at 14:00 for Jane Smith"
    );
    assert_eq!(
        Value::Object(r.mapped_metadata()),
        json!({
            "form_type": "appointment_request", "name": "Jane Smith", "email": "jane@company.com",
            "date": "2025-06-20", "time": "14:00", "duration_minutes": 30,
            "timezone": "America/New_York", "preferred_channel": "Zoom"
        })
    );
}

#[test]
fn handoff_maps_urgency_to_priority() {
    let h = EmailHandoff {
        customer_email: Some("enterprise-buyer@example.com".into()),
        reason: Some("Pricing approval".into()),
        urgency: Some(Urgency::High),
        assigned_team: Some("Sales".into()),
        message_id: Some("msg_456".into()),
        ..EmailHandoff::default()
    };
    assert_eq!(
        serde_json::to_value(h.wire("chat_123".into())).expect("json"),
        json!({
            "chat_id": "chat_123", "customer_email": "enterprise-buyer@example.com",
            "reason": "Pricing approval"
        })
    );
    assert_eq!(
        Value::Object(h.mapped_metadata()),
        json!({"priority": "high", "assigned_team": "Sales", "message_id": "msg_456"})
    );
}

#[test]
fn an_own_key_the_mapping_sets_otherwise_is_an_error_not_a_silent_drop() {
    let fields = |issues: Vec<FieldIssue>| -> Vec<String> {
        issues.iter().map(|i| i.field().to_owned()).collect()
    };
    let lead = Lead {
        full_name: Some("J".into()),
        ..Lead::new("j@example.com")
    };
    let keys = own(json!({"full_name": "K", "form_type": "x", "source": "web"}));
    assert_eq!(
        fields(collisions(&lead.mapped_metadata(), &keys)),
        ["metadata.form_type", "metadata.full_name"]
    );
    // The same value is no loss, and a key the mapping leaves unset is the caller's.
    let same = own(json!({"full_name": "J", "priority": "high"}));
    assert!(collisions(&lead.mapped_metadata(), &same).is_empty());
    let merged = with_own_keys(lead.mapped_metadata(), &keys);
    assert_eq!(merged["source"], "web");
    assert_eq!(merged["full_name"], "J");
}

#[test]
fn every_invalid_field_is_named_by_its_wire_path() {
    let fields = |issues: Vec<FieldIssue>| {
        issues
            .into_iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
    };
    let ok = AppointmentRequest::new("Jane", "jane@company.com", "2025-06-20", "14:00");
    assert!(ok.issues().is_empty());
    let bad = AppointmentRequest {
        duration_minutes: 0,
        ..AppointmentRequest::new("", "jane", "2026-02-30", "2pm")
    };
    assert_eq!(
        fields(bad.issues()),
        [
            "metadata.name: is required and must not be blank",
            "metadata.email: is not an email address like name@example.com",
            "metadata.date: `2026-02-30` is not a real date",
            "metadata.time: `2pm` is not written HH:MM",
            "metadata.duration_minutes: must be a positive number",
        ]
    );
    let lead = Lead {
        full_name: Some(" ".into()),
        ..Lead::new("nope")
    };
    assert_eq!(
        fields(lead.issues()),
        [
            "metadata.email: is not an email address like name@example.com",
            "metadata.full_name: is required and must not be blank",
        ]
    );
    let handoff = EmailHandoff {
        customer_email: Some("x".into()),
        ..EmailHandoff::default()
    };
    assert_eq!(
        fields(handoff.issues()),
        ["customer_email: is not an email address like name@example.com"]
    );
    let urgency = "urgent".parse::<Urgency>().expect_err("urgency");
    assert_eq!(
        urgency.to_string(),
        "invalid input: urgency: expected one of low, medium, high, critical"
    );
    assert_eq!("CRITICAL".parse::<Urgency>().ok(), Some(Urgency::Critical));
}
