//! Local checks of what the docs define, so a bad value fails before any request is sent.

use chrono::{NaiveDate, NaiveTime};

use crate::error::Error;

/// Refuse an empty or blank value.
pub(crate) fn required(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "is required and must not be blank"));
    }
    Ok(())
}

/// An email address with a dotted domain (`name@example.com`). The value is not echoed: it is
/// personal data.
pub(crate) fn email(field: &str, value: &str) -> Result<(), Error> {
    required(field, value)?;
    let dotted_domain = value
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
    if !email_address::EmailAddress::is_valid(value) || !dotted_domain {
        return Err(Error::invalid(
            field,
            "is not an email address like name@example.com",
        ));
    }
    Ok(())
}

/// A calendar date written `YYYY-MM-DD`.
pub(crate) fn date(field: &str, value: &str) -> Result<NaiveDate, Error> {
    let parsed = (value.len() == 10)
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten();
    parsed
        .ok_or_else(|| Error::invalid(field, format!("`{value}` is not a date written YYYY-MM-DD")))
}

/// A time of day written `HH:MM` (24-hour).
pub(crate) fn time(field: &str, value: &str) -> Result<NaiveTime, Error> {
    let parsed = (value.len() == 5)
        .then(|| NaiveTime::parse_from_str(value, "%H:%M").ok())
        .flatten();
    parsed.ok_or_else(|| Error::invalid(field, format!("`{value}` is not a time written HH:MM")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "john@example.com",
            "enterprise-buyer@example.com",
            "a.b+c@sub.example.co.uk",
        ] {
            assert!(email("email", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            " ",
            "john",
            "john@",
            "@example.com",
            "john@example",
            "john@example.",
            "jo hn@example.com",
            "a@b@c.com",
        ] {
            let err = email("email", bad).expect_err(bad).to_string();
            assert!(err.starts_with("invalid email: "), "{err}");
        }
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            date("date", "2025-06-20").ok(),
            NaiveDate::from_ymd_opt(2025, 6, 20)
        );
        for bad in [
            "2025-6-20",
            "2025-02-30",
            "20-06-2025",
            "2025-06-20T10:00",
            "",
        ] {
            assert!(date("date", bad).is_err(), "{bad}");
        }
        assert_eq!(
            time("time", "14:00").ok(),
            NaiveTime::from_hms_opt(14, 0, 0)
        );
        for bad in ["2pm", "24:00", "14:60", "9:00", "14:00:00"] {
            assert!(time("time", bad).is_err(), "{bad}");
        }
        assert_eq!(
            date("date", "2025-13-01")
                .expect_err("month 13")
                .to_string(),
            "invalid date: `2025-13-01` is not a date written YYYY-MM-DD"
        );
    }
}
