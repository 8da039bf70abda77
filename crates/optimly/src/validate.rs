//! Local checks of what the docs define, so a bad request fails before anything is sent, with
//! every problem at once and each located by the field path a 422 from the server would use.

use crate::error::FieldIssue;

/// The problems found in one request.
#[derive(Debug, Default)]
pub(crate) struct Check {
    issues: Vec<FieldIssue>,
}

impl Check {
    /// A check with nothing found yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn refuse(&mut self, path: &str, message: String, kind: &str) {
        self.issues
            .push(FieldIssue::new(path, message).with_kind(kind));
    }

    /// An empty or blank value is refused.
    pub(crate) fn required(&mut self, path: &str, value: &str) -> &mut Self {
        if value.trim().is_empty() {
            self.refuse(path, "is required and must not be blank".into(), "missing");
        }
        self
    }

    /// An email address with a dotted domain (`name@example.com`). The value is not echoed:
    /// it is personal data.
    pub(crate) fn email(&mut self, path: &str, value: &str) -> &mut Self {
        if value.trim().is_empty() {
            return self.required(path, value);
        }
        let dotted_domain = value
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if !email_address::EmailAddress::is_valid(value) || !dotted_domain {
            self.refuse(
                path,
                "is not an email address like name@example.com".into(),
                "value_error",
            );
        }
        self
    }

    /// A calendar date written `YYYY-MM-DD` that exists.
    pub(crate) fn date(&mut self, path: &str, value: &str) -> &mut Self {
        let Some([year, month, day]) = digits(value, '-', [4, 2, 2]) else {
            self.refuse(
                path,
                format!("`{value}` is not written YYYY-MM-DD"),
                "value_error",
            );
            return self;
        };
        let real = i32::try_from(year)
            .ok()
            .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, month, day));
        if real.is_none() {
            self.refuse(path, format!("`{value}` is not a real date"), "value_error");
        }
        self
    }

    /// A time of day written `HH:MM` (24-hour) that exists.
    pub(crate) fn time(&mut self, path: &str, value: &str) -> &mut Self {
        let Some([hour, minute]) = digits(value, ':', [2, 2]) else {
            self.refuse(
                path,
                format!("`{value}` is not written HH:MM"),
                "value_error",
            );
            return self;
        };
        if chrono::NaiveTime::from_hms_opt(hour, minute, 0).is_none() {
            self.refuse(
                path,
                format!("`{value}` is not a real time of day"),
                "value_error",
            );
        }
        self
    }

    /// A number that must be positive.
    pub(crate) fn positive(&mut self, path: &str, value: u32) -> &mut Self {
        if value == 0 {
            self.refuse(path, "must be a positive number".into(), "value_error");
        }
        self
    }

    /// Every problem found, in the order checked.
    pub(crate) fn issues(&mut self) -> Vec<FieldIssue> {
        std::mem::take(&mut self.issues)
    }
}

/// `value` as groups of exactly `widths` ASCII digits separated by `separator`.
fn digits<const N: usize>(value: &str, separator: char, widths: [usize; N]) -> Option<[u32; N]> {
    let mut parts = value.split(separator);
    let mut out = [0; N];
    for (slot, width) in out.iter_mut().zip(widths) {
        let part = parts.next()?;
        if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(check: &mut Check) -> Vec<String> {
        check.issues().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn emails() {
        for ok in [
            "john@example.com",
            "enterprise-buyer@example.com",
            "a.b+c@sub.example.co.uk",
        ] {
            assert!(Check::new().email("email", ok).issues().is_empty(), "{ok}");
        }
        assert_eq!(
            messages(Check::new().email("metadata.email", " ")),
            ["metadata.email: is required and must not be blank"]
        );
        for bad in [
            "john",
            "john@",
            "@example.com",
            "john@example",
            "john@example.",
            "jo hn@example.com",
            "a@b@c.com",
        ] {
            assert_eq!(
                messages(Check::new().email("email", bad)),
                ["email: is not an email address like name@example.com"],
                "{bad}"
            );
        }
    }

    #[test]
    fn dates_say_whether_the_form_or_the_day_is_wrong() {
        assert!(Check::new().date("date", "2025-06-20").issues().is_empty());
        assert!(Check::new().date("date", "2024-02-29").issues().is_empty());
        for (bad, why) in [
            ("2026-02-30", "`2026-02-30` is not a real date"),
            ("2025-13-01", "`2025-13-01` is not a real date"),
            ("2025-6-20", "`2025-6-20` is not written YYYY-MM-DD"),
            ("20-06-2025", "`20-06-2025` is not written YYYY-MM-DD"),
            (
                "2025-06-20T10:00",
                "`2025-06-20T10:00` is not written YYYY-MM-DD",
            ),
            ("+202-06-20", "`+202-06-20` is not written YYYY-MM-DD"),
            ("", "`` is not written YYYY-MM-DD"),
        ] {
            assert_eq!(
                messages(Check::new().date("d", bad)),
                [format!("d: {why}")],
                "{bad}"
            );
        }
    }

    #[test]
    fn times_say_whether_the_form_or_the_time_is_wrong() {
        assert!(Check::new().time("time", "14:00").issues().is_empty());
        assert!(Check::new().time("time", "00:00").issues().is_empty());
        for (bad, why) in [
            ("24:00", "`24:00` is not a real time of day"),
            ("14:60", "`14:60` is not a real time of day"),
            ("2pm", "`2pm` is not written HH:MM"),
            ("9:00", "`9:00` is not written HH:MM"),
            ("14:00:00", "`14:00:00` is not written HH:MM"),
        ] {
            assert_eq!(
                messages(Check::new().time("t", bad)),
                [format!("t: {why}")],
                "{bad}"
            );
        }
    }

    #[test]
    fn every_problem_is_kept_in_order() {
        let mut check = Check::new();
        check
            .required("metadata.name", "")
            .email("metadata.email", "jane")
            .date("metadata.date", "2026-02-30")
            .positive("metadata.duration_minutes", 0);
        assert_eq!(
            check
                .issues()
                .iter()
                .map(|i| (i.field(), i.kind()))
                .collect::<Vec<_>>(),
            [
                ("metadata.name", Some("missing")),
                ("metadata.email", Some("value_error")),
                ("metadata.date", Some("value_error")),
                ("metadata.duration_minutes", Some("value_error")),
            ]
        );
    }
}
