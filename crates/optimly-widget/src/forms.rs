//! The forms a visitor may send: each takes only the fields the widget's page sends, each field
//! within a length cap. What routes a handoff (`urgency`, `category`, `assigned_team`) comes
//! from the site's configuration, and no visitor names a chat message (`message_id`).

use optimly::{AppointmentRequest, EmailHandoff, FieldIssue, Lead};
use serde::Deserialize;

use crate::refusal::Refusal;

/// The longest short field (a name, an email, a phone number) a form takes, in characters.
pub(crate) const MAX_FIELD_CHARS: usize = 200;

/// Every field over its cap, named as the form names it. `long`: the cap of free text (a
/// message, notes, a reason), which is the message cap.
fn check_lengths(fields: &[(&str, Option<&str>, bool)], long: usize) -> Result<(), Refusal> {
    let issues: Vec<FieldIssue> = fields
        .iter()
        .filter_map(|&(name, value, free_text)| {
            let cap = if free_text { long } else { MAX_FIELD_CHARS };
            let chars = value?.chars().count();
            (chars > cap).then(|| {
                FieldIssue::new(
                    name,
                    format!("is {chars} characters long; at most {cap} are taken"),
                )
            })
        })
        .collect();
    if issues.is_empty() {
        Ok(())
    } else {
        Err(Refusal::fields(&issues))
    }
}

/// The form's request when the client would send it: checked here, before a visitor's
/// first form creates their chat.
fn checked<T>(request: T, issues: fn(&T) -> Vec<FieldIssue>) -> Result<T, Refusal> {
    let issues = issues(&request);
    if issues.is_empty() {
        Ok(request)
    } else {
        Err(Refusal::fields(&issues))
    }
}

/// The lead form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeadForm {
    email: String,
    full_name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    message: Option<String>,
}

impl LeadForm {
    pub(crate) fn into_lead(self, long: usize) -> Result<Lead, Refusal> {
        check_lengths(
            &[
                ("email", Some(&self.email), false),
                ("full_name", self.full_name.as_deref(), false),
                ("phone", self.phone.as_deref(), false),
                ("company", self.company.as_deref(), false),
                ("message", self.message.as_deref(), true),
            ],
            long,
        )?;
        checked(
            Lead {
                full_name: self.full_name,
                phone: self.phone,
                company: self.company,
                message: self.message,
                ..Lead::new(self.email)
            },
            Lead::issues,
        )
    }
}

/// The booking form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AppointmentForm {
    name: String,
    email: String,
    date: String,
    time: String,
    phone: Option<String>,
    notes: Option<String>,
    timezone: Option<String>,
}

impl AppointmentForm {
    pub(crate) fn into_request(self, long: usize) -> Result<AppointmentRequest, Refusal> {
        check_lengths(
            &[
                ("name", Some(&self.name), false),
                ("email", Some(&self.email), false),
                ("date", Some(&self.date), false),
                ("time", Some(&self.time), false),
                ("phone", self.phone.as_deref(), false),
                ("notes", self.notes.as_deref(), true),
                ("timezone", self.timezone.as_deref(), false),
            ],
            long,
        )?;
        checked(
            AppointmentRequest {
                phone: self.phone,
                notes: self.notes,
                timezone: self.timezone,
                ..AppointmentRequest::new(self.name, self.email, self.date, self.time)
            },
            AppointmentRequest::issues,
        )
    }
}

/// The "talk to a person" form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HandoffForm {
    customer_email: Option<String>,
    reason: Option<String>,
    context: Option<String>,
}

impl HandoffForm {
    /// The handoff: the visitor's fields over the site's `routing` (its urgency, category
    /// and team).
    pub(crate) fn into_handoff(
        self,
        routing: &EmailHandoff,
        long: usize,
    ) -> Result<EmailHandoff, Refusal> {
        check_lengths(
            &[
                ("customer_email", self.customer_email.as_deref(), false),
                ("reason", self.reason.as_deref(), true),
                ("context", self.context.as_deref(), true),
            ],
            long,
        )?;
        checked(
            EmailHandoff {
                customer_email: self.customer_email,
                reason: self.reason,
                context: self.context,
                message_id: None,
                ..routing.clone()
            },
            EmailHandoff::issues,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_comes_from_the_site_and_text_from_the_visitor() {
        let routing = EmailHandoff {
            urgency: Some(optimly::Urgency::High),
            assigned_team: Some("Sales".into()),
            reason: Some("the site's default reason".into()),
            message_id: Some("msg_site".into()),
            ..EmailHandoff::default()
        };
        let form: HandoffForm =
            serde_json::from_str(r#"{"reason": "billing", "customer_email": "jane@example.com"}"#)
                .expect("form");
        let handoff = form.into_handoff(&routing, 2_000).expect("handoff");
        assert_eq!(
            handoff,
            EmailHandoff {
                customer_email: Some("jane@example.com".into()),
                reason: Some("billing".into()),
                urgency: Some(optimly::Urgency::High),
                assigned_team: Some("Sales".into()),
                ..EmailHandoff::default()
            }
        );
        for field in [
            "urgency",
            "assigned_team",
            "category",
            "message_id",
            "metadata",
        ] {
            let body = format!(r#"{{"{field}": "x"}}"#);
            assert!(
                serde_json::from_str::<HandoffForm>(&body).is_err(),
                "{field} is not the visitor's to set"
            );
        }
    }
}
