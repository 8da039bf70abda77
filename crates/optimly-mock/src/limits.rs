//! The spec's `x-rate-limits`, enforced with sliding windows, scalable for tests.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One limit: `limit` requests per `window`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed in the window.
    pub limit: u32,
    /// The window.
    pub window: Duration,
    /// `api_key`, `agent` or `chat`: what the count is per.
    pub scope: String,
}

/// The global limits and the per-operation ones.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// Apply to every request.
    pub global: Vec<Limit>,
    /// Apply to one operation each.
    pub per_operation: BTreeMap<String, Vec<Limit>>,
}

fn window(per: &str) -> Option<Duration> {
    match per {
        "second" => Some(Duration::from_secs(1)),
        "minute" => Some(Duration::from_secs(60)),
        "hour" => Some(Duration::from_secs(3600)),
        "day" => Some(Duration::from_secs(86_400)),
        _ => None,
    }
}

fn parse(entries: Option<&Value>, scale: f64) -> Vec<Limit> {
    entries
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let limit = e.get("limit")?.as_u64()?;
            let scaled = ((limit as f64) * scale)
                .ceil()
                .max(1.0)
                .min(f64::from(u32::MAX)) as u32;
            Some(Limit {
                limit: scaled,
                window: window(e.get("per")?.as_str()?)?,
                scope: e
                    .get("scope")
                    .and_then(Value::as_str)
                    .unwrap_or("api_key")
                    .to_owned(),
            })
        })
        .collect()
}

impl Limits {
    /// Read the limits from the spec, each multiplied by `scale` (at least 1 request).
    pub fn from_spec(spec: &Value, scale: f64) -> Self {
        let mut per_operation = BTreeMap::new();
        for (_, _, op) in crate::spec::operations_of(spec) {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                let limits = parse(op.get("x-rate-limits"), scale);
                if !limits.is_empty() {
                    per_operation.insert(id.to_owned(), limits);
                }
            }
        }
        Self {
            global: parse(spec.pointer("/x-rate-limits/global"), scale),
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
        let spec: Value = serde_yaml::from_str(crate::SPEC).expect("spec");
        let limits = Limits::from_spec(&spec, 1.0);
        assert_eq!(
            limits.global.iter().map(|l| l.limit).collect::<Vec<_>>(),
            [100, 1000, 10000]
        );
        assert_eq!(
            limits.per_operation["new_message"][0],
            Limit {
                limit: 120,
                window: Duration::from_secs(60),
                scope: "chat".into()
            }
        );
        let scaled = Limits::from_spec(&spec, 0.03);
        assert_eq!(
            scaled.global.iter().map(|l| l.limit).collect::<Vec<_>>(),
            [3, 30, 300]
        );
        assert_eq!(scaled.per_operation["email_handoff"][0].limit, 1);
    }

    #[test]
    fn a_full_window_refuses_until_its_oldest_request_leaves() {
        let limit = Limit {
            limit: 2,
            window: Duration::from_secs(60),
            scope: "api_key".into(),
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
