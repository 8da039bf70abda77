//! Who a request comes from: the visitor cookie (encrypted and authenticated, so it holds the
//! visitor's chat without a session store), the `Origin` check, and each visitor's own limit.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, PrivateCookieJar};
use optimly::optimly_api::limit::SlidingWindow;
use serde::{Deserialize, Serialize};

use crate::refusal::Refusal;
use crate::{COOKIE_NAME, Shared};

/// What the cookie holds: the visitor's id (the `client_id` of their chat, and the key of
/// their limit) and their chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Visitor {
    #[serde(rename = "v")]
    pub(crate) id: String,
    #[serde(rename = "c")]
    pub(crate) chat_id: String,
}

/// How long a visitor's cookie, and so their conversation, is kept by the browser: 30 days.
const COOKIE_MAX_AGE_DAYS: i64 = 30;

impl Visitor {
    /// A new visitor, with an id of their own.
    pub(crate) fn new_id() -> String {
        format!("web_{:032x}", fastrand::u128(..))
    }

    /// The visitor in the request's cookie: `Ok(None)` when there is none, a refusal when
    /// there is one this server did not make (tampered with, or made with another secret).
    pub(crate) fn from_request(
        jar: &PrivateCookieJar,
        headers: &HeaderMap,
    ) -> Result<Option<Self>, Refusal> {
        if let Some(cookie) = jar.get(COOKIE_NAME) {
            return serde_json::from_str(cookie.value())
                .map(Some)
                .map_err(|_| Refusal::bad_cookie());
        }
        // The private jar drops a cookie it cannot decrypt: tell that from no cookie at all.
        let sent = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|pair| pair.trim_start().starts_with(&format!("{COOKIE_NAME}=")));
        if sent {
            Err(Refusal::bad_cookie())
        } else {
            Ok(None)
        }
    }

    /// The visitor a request must have: a refusal when it has none.
    pub(crate) fn required(jar: &PrivateCookieJar, headers: &HeaderMap) -> Result<Self, Refusal> {
        Self::from_request(jar, headers)?.ok_or_else(Refusal::no_conversation)
    }

    /// The cookie that remembers this visitor.
    pub(crate) fn cookie(&self, shared: &Shared) -> Cookie<'static> {
        // Serialising two strings cannot fail.
        let value = serde_json::to_string(self).unwrap_or_default();
        crate::visitor_cookie(
            value,
            shared.secure_cookie,
            time::Duration::days(COOKIE_MAX_AGE_DAYS),
        )
    }
}

/// A state-changing request must name an allowed origin: a page elsewhere cannot post in a
/// visitor's name, even where a browser would send their cookie.
pub(crate) fn check_origin(shared: &Shared, headers: &HeaderMap) -> Result<(), Refusal> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if shared.origins.iter().any(|allowed| allowed == origin) {
        Ok(())
    } else {
        Err(Refusal::origin())
    }
}

/// Each visitor's requests in the widget's limit, in this process.
pub(crate) struct Visitors {
    limit: VisitorLimit,
    windows: Mutex<HashMap<String, SlidingWindow>>,
}

/// How many requests that reach Optimly one visitor may make in any window of a length: not
/// an Optimly limit, but one the widget puts in front of the key so that one visitor cannot
/// spend everyone's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisitorLimit {
    /// Requests allowed in one window (at least 1).
    pub count: u32,
    /// The window's length.
    pub window: Duration,
}

/// Past this many visitors in memory, those with nothing in their window are forgotten.
const PRUNE_AT: usize = 10_000;

impl Visitors {
    pub(crate) fn new(limit: VisitorLimit) -> Self {
        Self {
            limit,
            windows: Mutex::default(),
        }
    }

    pub(crate) fn limit(&self) -> VisitorLimit {
        self.limit
    }

    /// Count one request of `visitor` now, or say how long until their window has room.
    pub(crate) fn take(&self, visitor: &str) -> Result<(), Duration> {
        let now = tokio::time::Instant::now().into_std();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= PRUNE_AT && !windows.contains_key(visitor) {
            Self::prune(&mut windows, self.limit.window, now);
        }
        let window = windows.entry(visitor.to_owned()).or_default();
        match window.check(self.limit.count.max(1), self.limit.window, 0, now) {
            Ok(()) => {
                window.record(now);
                Ok(())
            }
            // Full with nothing recorded cannot happen (nothing is pending): a whole window.
            Err(wait) => Err(wait.unwrap_or(self.limit.window)),
        }
    }

    fn prune(windows: &mut HashMap<String, SlidingWindow>, window: Duration, now: Instant) {
        windows.retain(|_, w| {
            w.forget_before(now, window);
            !w.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_visitor_gets_their_own_window() {
        let visitors = Visitors::new(VisitorLimit {
            count: 2,
            window: Duration::from_secs(60),
        });
        assert_eq!(visitors.take("a"), Ok(()));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(visitors.take("a"), Ok(()));
        assert_eq!(visitors.take("a"), Err(Duration::from_secs(50)));
        assert_eq!(visitors.take("b"), Ok(()));
        tokio::time::advance(Duration::from_secs(50)).await;
        assert_eq!(visitors.take("a"), Ok(()));
    }

    #[test]
    fn idle_visitors_are_forgotten() {
        let visitors = Visitors::new(VisitorLimit {
            count: 1,
            window: Duration::ZERO,
        });
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        rt.block_on(async {
            for i in 0..PRUNE_AT + 1 {
                assert_eq!(visitors.take(&i.to_string()), Ok(()));
            }
        });
        // A zero-length window has forgotten everyone by the next visitor.
        assert_eq!(visitors.windows.lock().expect("lock").len(), 1);
    }

    #[test]
    fn visitor_ids_are_distinct() {
        let a = Visitor::new_id();
        assert!(a.starts_with("web_") && a.len() == 36, "{a}");
        assert_ne!(a, Visitor::new_id());
    }
}
