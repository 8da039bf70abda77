//! The spec's `x-rate-limits` (as `optimly_api::rate_limits` generates them), enforced with
//! sliding windows, scalable in count and in time for tests.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use optimly_api::rate_limits::{self as documented, RateLimit, Scope};

/// One limit: `limit` requests per `window`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed in the window.
    pub limit: u32,
    /// The window.
    pub window: Duration,
    /// What the count is per.
    pub scope: Scope,
}

/// The global limits and the per-operation ones.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// Apply to every request.
    pub global: Vec<Limit>,
    /// Apply to one operation each.
    pub per_operation: BTreeMap<String, Vec<Limit>>,
}

fn scaled(limits: &[RateLimit], count: f64, time: f64) -> Vec<Limit> {
    limits
        .iter()
        .map(|l| Limit {
            limit: ((f64::from(l.limit) * count).ceil().max(1.0)).min(f64::from(u32::MAX)) as u32,
            window: l.per.duration().mul_f64(time.max(0.0)),
            scope: l.scope,
        })
        .collect()
}

impl Limits {
    /// The documented limits, each count multiplied by `count` (at least 1 request) and each
    /// window by `time`.
    pub fn documented(count: f64, time: f64) -> Self {
        let per_operation = documented::OPERATIONS
            .iter()
            .filter(|id| !documented::for_operation(id).is_empty())
            .map(|id| {
                (
                    (*id).to_owned(),
                    scaled(documented::for_operation(id), count, time),
                )
            })
            .collect();
        Self {
            global: scaled(documented::GLOBAL, count, time),
            per_operation,
        }
    }
}

/// Sliding-window counters.
#[derive(Debug, Default)]
pub struct Limiter {
    seen: BTreeMap<String, VecDeque<Instant>>,
}

impl Limiter {
    /// Count one request against every limit that applies; when one is full, nothing is
    /// counted and the wait until it frees is returned.
    pub fn admit(&mut self, limits: &[(String, &Limit)], now: Instant) -> Result<(), Duration> {
        let mut longest = None;
        for (key, limit) in limits {
            let times = self.seen.entry(key.clone()).or_default();
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= limit.window)
            {
                times.pop_front();
            }
            if times.len() >= limit.limit as usize {
                let oldest = times.front().copied().unwrap_or(now);
                let wait = limit.window.saturating_sub(now.duration_since(oldest));
                longest = Some(longest.map_or(wait, |w: Duration| w.max(wait)));
            }
        }
        if let Some(wait) = longest {
            return Err(wait);
        }
        for (key, _) in limits {
            self.seen.entry(key.clone()).or_default().push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_scales_the_spec_limits() {
        let limits = Limits::documented(1.0, 1.0);
        assert_eq!(
            limits.global.iter().map(|l| l.limit).collect::<Vec<_>>(),
            [100, 1000, 10000]
        );
        assert_eq!(
            limits.per_operation["new_message"][0],
            Limit {
                limit: 120,
                window: Duration::from_secs(60),
                scope: Scope::Chat
            }
        );
        let scaled = Limits::documented(0.03, 1.0 / 60.0);
        assert_eq!(
            scaled.global.iter().map(|l| l.limit).collect::<Vec<_>>(),
            [3, 30, 300]
        );
        assert_eq!(scaled.per_operation["email_handoff"][0].limit, 1);
        assert_eq!(scaled.global[0].window, Duration::from_secs(1));
        assert_eq!(
            scaled.per_operation["email_handoff"][0].window,
            Duration::from_secs(60)
        );
    }

    #[test]
    fn a_full_window_refuses_until_its_oldest_request_leaves() {
        let limit = Limit {
            limit: 2,
            window: Duration::from_secs(60),
            scope: Scope::ApiKey,
        };
        let mut limiter = Limiter::default();
        let start = Instant::now();
        let key = vec![("k".to_owned(), &limit)];
        assert_eq!(limiter.admit(&key, start), Ok(()));
        assert_eq!(limiter.admit(&key, start + Duration::from_secs(10)), Ok(()));
        assert_eq!(
            limiter.admit(&key, start + Duration::from_secs(15)),
            Err(Duration::from_secs(45))
        );
        assert_eq!(limiter.admit(&key, start + Duration::from_secs(60)), Ok(()));
    }
}
