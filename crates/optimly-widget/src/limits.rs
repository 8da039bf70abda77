//! How much of the key's budget each party may spend through the widget: every call the
//! widget makes counts in windows of its own (per visitor, per client address, per chat's
//! actions, and one for all new conversations) beside the key's, in the client's limiter, so
//! they are shared through Redis when the key's limits are, and every call fails fast.

use std::time::Duration;

use optimly::operations::NEW_CHAT;
use optimly::{Limit, RateLimits, RequestOptions, Scope, WhenLimited};

use crate::visitor::Caller;

/// `count` calls in any window of `seconds` (a caller's own limit: its scope is not used).
const fn per(count: u32, seconds: u64) -> Limit {
    Limit::new(count, Duration::from_secs(seconds), Scope::ApiKey)
}

const MINUTE: u64 = 60;
const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

/// The widget's own limits on the calls it makes to Optimly for its visitors. Each is a list
/// of [`Limit`]s (count and window; the scope is not used), all of which must have room. A call
/// that finds one full is not sent: the visitor gets a `429` with `retry_after` at once.
///
/// The defaults keep an honest site working when one client tries to spend the key's budget
/// (the client's [`RateLimits`], the documented ones by default):
///
/// ```
/// use optimly_widget::WidgetLimits;
///
/// let limits = WidgetLimits::default();
/// assert_eq!(limits.visitor[0].count(), 20);
/// assert_eq!(limits.new_share, 0.5);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WidgetLimits {
    /// Calls per anonymous visitor (their cookie): 20 a minute, 100 an hour.
    pub visitor: Vec<Limit>,
    /// Calls per signed-in visitor (named by the [identity hook](crate::WidgetBuilder::identify)):
    /// 60 a minute, 600 an hour.
    pub identified: Vec<Limit>,
    /// Calls per client address, for anonymous visitors: 30 a minute, 300 an hour. Dropping
    /// the cookie does not escape it.
    pub address: Vec<Limit>,
    /// New conversations per client address, for anonymous visitors: 3 a minute, 20 an hour.
    pub new_per_address: Vec<Limit>,
    /// The share of each of the key's own windows (every call's, and the new-chat ones) that
    /// calls for new conversations may use (`0.5`): the rest is kept for conversations
    /// already under way, whatever a flood of new visitors does.
    pub new_share: f64,
    /// Handoffs per chat: 1 a day.
    pub handoffs_per_chat: Vec<Limit>,
    /// Appointment requests per chat: 3 an hour.
    pub appointments_per_chat: Vec<Limit>,
    /// Appointment requests per visitor: 3 an hour.
    pub appointments_per_visitor: Vec<Limit>,
}

impl Default for WidgetLimits {
    fn default() -> Self {
        Self {
            visitor: vec![per(20, MINUTE), per(100, HOUR)],
            identified: vec![per(60, MINUTE), per(600, HOUR)],
            address: vec![per(30, MINUTE), per(300, HOUR)],
            new_per_address: vec![per(3, MINUTE), per(20, HOUR)],
            new_share: 0.5,
            handoffs_per_chat: vec![per(1, DAY)],
            appointments_per_chat: vec![per(3, HOUR)],
            appointments_per_visitor: vec![per(3, HOUR)],
        }
    }
}

/// The share of the key's windows that new conversations may use.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct NewShare {
    /// Of the windows every call counts in (the key's minute, hour and day).
    calls: Vec<Limit>,
    /// Of the new-chat windows: counted by the chats' creation alone.
    chats: Vec<Limit>,
}

/// What a call is, for the limits that apply to it beyond the caller's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spend {
    /// A message, a lead or the history.
    Call,
    /// Creating the visitor's chat.
    NewChat,
    /// A handoff in the visitor's chat.
    Handoff,
    /// An appointment request in the visitor's chat.
    Appointment,
}

impl WidgetLimits {
    /// The share of the key's windows new conversations may use, from the client's limits:
    /// of every call's windows, and of the new-chat ones.
    pub(crate) fn new_conversations(&self, key: &RateLimits) -> NewShare {
        let share = self.new_share.clamp(0.0, 1.0);
        let scaled = |limits: &[Limit]| limits.iter().map(|l| l.scaled(share, 1.0)).collect();
        NewShare {
            calls: scaled(key.global()),
            chats: scaled(key.operation(&NEW_CHAT)),
        }
    }

    /// The options of one call for `caller`: every window it counts in, failing fast. `fresh`:
    /// the call is part of starting the visitor's conversation (the chat's creation, and the
    /// first message or form it was created for).
    pub(crate) fn options(
        &self,
        caller: &Caller,
        new_share: &NewShare,
        fresh: bool,
        spend: Spend,
    ) -> RequestOptions {
        let id = caller.visitor.id.as_str();
        let chat = caller.visitor.chat_id.as_deref().unwrap_or_default();
        let mut options = RequestOptions::new().when_limited(WhenLimited::FailFast);
        options = if caller.visitor.identified {
            options.limit_as(format!("widget:user:{id}"), self.identified.clone())
        } else {
            let address = caller.address;
            let options = options
                .limit_as(format!("widget:visitor:{id}"), self.visitor.clone())
                .limit_as(format!("widget:address:{address}"), self.address.clone());
            if spend == Spend::NewChat {
                options.limit_as(
                    format!("widget:new:{address}"),
                    self.new_per_address.clone(),
                )
            } else {
                options
            }
        };
        if fresh {
            options = options.limit_as("widget:new", new_share.calls.clone());
        }
        if spend == Spend::NewChat {
            options = options.limit_as("widget:new-chats", new_share.chats.clone());
        }
        match spend {
            Spend::Call | Spend::NewChat => options,
            Spend::Handoff => options.limit_as(
                format!("widget:handoff:{chat}"),
                self.handoffs_per_chat.clone(),
            ),
            Spend::Appointment => options
                .limit_as(
                    format!("widget:appointment:{chat}"),
                    self.appointments_per_chat.clone(),
                )
                .limit_as(
                    format!("widget:appointment-visitor:{id}"),
                    self.appointments_per_visitor.clone(),
                ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_conversations_get_half_of_each_of_the_keys_windows() {
        let share = WidgetLimits::default().new_conversations(&RateLimits::documented());
        let shown =
            |limits: &[Limit]| -> Vec<String> { limits.iter().map(ToString::to_string).collect() };
        assert_eq!(
            shown(&share.calls),
            [
                "50 per minute per API key",
                "500 per hour per API key",
                "5000 per day per API key",
            ]
        );
        assert_eq!(shown(&share.chats), ["15 per minute per agent"]);
        assert_eq!(
            WidgetLimits::default().new_conversations(&RateLimits::off()),
            NewShare::default()
        );
    }
}
