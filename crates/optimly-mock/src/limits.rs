//! The spec's rate limits (`optimly_api::operations`), enforced with the same sliding windows
//! the SDK's client-side limiter counts in, scalable in count and in time for tests.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use optimly_api::limit::{Owner, SlidingWindow};
use optimly_api::operations::{self, ActionId, OperationId};
use optimly_api::{Limit, Operation, Scope};

/// The global limits, the per-operation ones and the per-action ones.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// Apply to every request.
    pub global: Vec<Limit>,
    /// Apply to one operation each.
    pub per_operation: BTreeMap<OperationId, Vec<Limit>>,
    /// Apply to the requests that perform one action each (`x-rate-limits.actions`, the
    /// enforced ones: an appointment request is a `new_message` with its `form_type`).
    pub per_action: BTreeMap<ActionId, Vec<Limit>>,
}

impl Limits {
    /// The documented limits, each [scaled](Limit::scaled) by `count` and `time`.
    pub fn documented(count: f64, time: f64) -> Self {
        let scaled = |limits: &[Limit]| -> Vec<Limit> {
            limits.iter().map(|l| l.scaled(count, time)).collect()
        };
        Self {
            global: scaled(operations::GLOBAL_LIMITS),
            per_operation: operations::ALL
                .iter()
                .filter(|op| !op.limits.is_empty())
                .map(|op| (op.id, scaled(op.limits)))
                .collect(),
            per_action: operations::ACTIONS
                .iter()
                .filter(|a| a.enforced)
                .map(|a| (a.id, scaled(a.limits)))
                .collect(),
        }
    }
}

/// Which window a request is counted in: an owner's limit (by index), per chat for a
/// chat-scoped one.
type Key = (Owner, usize, String);

/// Sliding-window counters.
#[derive(Debug, Default)]
pub struct Limiter {
    seen: BTreeMap<Key, SlidingWindow>,
}

impl Limiter {
    /// Count one request of `operation` (about `chat`, with `metadata.form_type` `form_type`)
    /// against every limit that applies; when one is full, nothing is counted and the wait
    /// until it frees is returned.
    pub fn admit(
        &mut self,
        limits: &Limits,
        operation: &Operation,
        chat: &str,
        form_type: Option<&str>,
        now: Instant,
    ) -> Result<(), Duration> {
        let no_limits: &[Limit] = &[];
        let applicable: Vec<(Key, &Limit)> = optimly_api::limit::applicable(
            &limits.global,
            limits
                .per_operation
                .get(&operation.id)
                .map_or(no_limits, Vec::as_slice),
            |action| {
                limits
                    .per_action
                    .get(&action.id)
                    .map_or(no_limits, Vec::as_slice)
            },
            operation,
            form_type,
        )
        .map(|(owner, i, l)| {
            let per = if l.scope() == Scope::Chat { chat } else { "" };
            ((owner, i, per.to_owned()), l)
        })
        .collect();
        let mut longest: Option<Duration> = None;
        for (key, limit) in &applicable {
            let window = self.seen.entry(key.clone()).or_default();
            if let Err(wait) = window.check(limit.count(), limit.window(), 0, now) {
                // Nothing is pending here, so a full window always has an oldest request.
                let wait = wait.unwrap_or(limit.window());
                longest = Some(longest.map_or(wait, |w| w.max(wait)));
            }
        }
        if let Some(wait) = longest {
            return Err(wait);
        }
        for (key, _) in applicable {
            self.seen.entry(key).or_default().record(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use optimly_api::operations::{
        EMAIL_HANDOFF, LIST_CLIENT_CHATS, NEW_MESSAGE, REQUEST_APPOINTMENT,
    };

    #[test]
    fn reads_and_scales_the_spec_limits() {
        let limits = Limits::documented(1.0, 1.0);
        assert_eq!(
            limits.global.iter().map(Limit::count).collect::<Vec<_>>(),
            [100, 1000, 10000]
        );
        assert_eq!(
            limits.per_operation[&OperationId::NewMessage][0],
            Limit::new(120, Duration::from_secs(60), Scope::Chat)
        );
        let scaled = Limits::documented(0.03, 1.0 / 60.0);
        assert_eq!(
            scaled.global.iter().map(Limit::count).collect::<Vec<_>>(),
            [3, 30, 300]
        );
        let handoff = scaled.per_operation[&OperationId::EmailHandoff][0];
        assert_eq!(handoff.count(), 1);
        assert_eq!(handoff.window(), Duration::from_secs(60));
        assert_eq!(scaled.global[0].window(), Duration::from_secs(1));
    }

    #[test]
    fn a_full_window_refuses_until_its_oldest_request_leaves() {
        let limits = Limits {
            global: vec![Limit::new(2, Duration::from_secs(60), Scope::ApiKey)],
            per_operation: BTreeMap::new(),
            per_action: BTreeMap::new(),
        };
        let mut limiter = Limiter::default();
        let start = Instant::now();
        let at = |s| start + Duration::from_secs(s);
        let op = &LIST_CLIENT_CHATS;
        assert_eq!(limiter.admit(&limits, op, "", None, at(0)), Ok(()));
        assert_eq!(limiter.admit(&limits, op, "", None, at(10)), Ok(()));
        assert_eq!(
            limiter.admit(&limits, op, "", None, at(15)),
            Err(Duration::from_secs(45))
        );
        assert_eq!(limiter.admit(&limits, op, "", None, at(60)), Ok(()));
    }

    #[test]
    fn chat_limits_count_each_chat_and_operation_limits_each_operation() {
        let limits = Limits {
            global: Vec::new(),
            ..Limits::documented(0.01, 1.0)
        };
        let mut limiter = Limiter::default();
        let now = Instant::now();
        // new_message: 2 per minute per chat at this scale; email_handoff: 1 per hour.
        assert_eq!(limiter.admit(&limits, &NEW_MESSAGE, "a", None, now), Ok(()));
        assert_eq!(limiter.admit(&limits, &NEW_MESSAGE, "a", None, now), Ok(()));
        assert_eq!(
            limiter.admit(&limits, &NEW_MESSAGE, "a", None, now),
            Err(Duration::from_secs(60))
        );
        assert_eq!(limiter.admit(&limits, &NEW_MESSAGE, "b", None, now), Ok(()));
        assert_eq!(
            limiter.admit(&limits, &EMAIL_HANDOFF, "a", None, now),
            Ok(())
        );
        assert_eq!(
            limiter.admit(&limits, &EMAIL_HANDOFF, "b", None, now),
            Err(Duration::from_secs(3_600))
        );
        assert_eq!(
            limiter.admit(&limits, &LIST_CLIENT_CHATS, "a", None, now),
            Ok(())
        );
    }

    #[test]
    fn appointment_requests_are_counted_apart_from_other_messages() {
        let limits = Limits {
            global: Vec::new(),
            ..Limits::documented(1.0, 1.0)
        };
        let mut limiter = Limiter::default();
        let now = Instant::now();
        let form = REQUEST_APPOINTMENT.form_type();
        assert_eq!(
            limits.per_action[&ActionId::RequestAppointment][0].count(),
            20
        );
        for chat in 0..20 {
            let chat = chat.to_string();
            assert_eq!(
                limiter.admit(&limits, &NEW_MESSAGE, &chat, form, now),
                Ok(())
            );
        }
        assert_eq!(
            limiter.admit(&limits, &NEW_MESSAGE, "x", form, now),
            Err(Duration::from_secs(3_600))
        );
        // A plain message, or a lead, is not an appointment request.
        assert_eq!(limiter.admit(&limits, &NEW_MESSAGE, "x", None, now), Ok(()));
        assert_eq!(
            limiter.admit(&limits, &NEW_MESSAGE, "x", Some("lead_capture"), now),
            Ok(())
        );
    }
}
