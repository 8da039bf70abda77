//! Who a request comes from: the visitor cookie (encrypted and authenticated, so it holds the
//! visitor's chat without a session store), the site's own answer to who they are, the
//! client's address, and the `Origin` check.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, PrivateCookieJar};
use serde::{Deserialize, Serialize};

use crate::refusal::Refusal;
use crate::{Shared, visitor_cookie};

/// What the cookie holds: the visitor's id (the `client_id` of their chat), their chat once
/// they have one, whether the id is the site's own user id, and when the binding ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Visitor {
    #[serde(rename = "v")]
    pub(crate) id: String,
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub(crate) chat_id: Option<String>,
    #[serde(rename = "u", default)]
    pub(crate) identified: bool,
    /// Seconds since the Unix epoch after which this server no longer honours the cookie,
    /// whatever the browser does with its `Max-Age`.
    #[serde(rename = "e")]
    pub(crate) expires: u64,
}

/// How long a visitor's cookie, and so their conversation, is kept: 30 days.
pub(crate) const COOKIE_LIFETIME: Duration = Duration::from_secs(30 * 86_400);

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Visitor {
    /// A new visitor: the signed-in user, or an anonymous id of their own.
    pub(crate) fn new(identity: Option<&Identity>) -> Self {
        let (id, identified) = match identity {
            Some(identity) => (identity.user_id.clone(), true),
            None => (format!("web_{:032x}", fastrand::u128(..)), false),
        };
        Self {
            id,
            chat_id: None,
            identified,
            expires: now_secs() + COOKIE_LIFETIME.as_secs(),
        }
    }

    /// The visitor in the request's cookie: `Ok(None)` when there is none (or it has expired),
    /// a refusal when there is one this server did not make (tampered with, or made with
    /// another secret).
    pub(crate) fn from_request(
        shared: &Shared,
        jar: &PrivateCookieJar,
        headers: &HeaderMap,
    ) -> Result<Option<Self>, Refusal> {
        let name = shared.cookie_name();
        if let Some(cookie) = jar.get(name) {
            let visitor: Self =
                serde_json::from_str(cookie.value()).map_err(|_| Refusal::bad_cookie())?;
            return Ok((visitor.expires > now_secs()).then_some(visitor));
        }
        // The private jar drops a cookie it cannot decrypt: tell that from no cookie at all.
        let sent = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|pair| pair.trim_start().starts_with(&format!("{name}=")));
        if sent {
            Err(Refusal::bad_cookie())
        } else {
            Ok(None)
        }
    }

    /// Whether this cookie belongs to whom the site says the request comes from.
    pub(crate) fn belongs_to(&self, identity: Option<&Identity>) -> bool {
        match identity {
            Some(identity) => self.identified && self.id == identity.user_id,
            None => !self.identified,
        }
    }

    /// The cookie that remembers this visitor.
    pub(crate) fn cookie(&self, shared: &Shared) -> Cookie<'static> {
        // Serialising strings, a bool and a number cannot fail.
        let value = serde_json::to_string(self).unwrap_or_default();
        visitor_cookie(shared, value, COOKIE_LIFETIME)
    }
}

/// Who the site says a visitor is: its own user id (sent as the chat's `client_id`, so
/// `list_chats(user_id)` finds their widget chats) and metadata for their new chats (their
/// plan, the page they came from). Returned by the [identity hook](crate::WidgetBuilder::identify).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Identity {
    /// The site's id for the user.
    pub user_id: String,
    /// Set on each chat the widget creates for them.
    pub metadata: optimly::Metadata,
}

impl Identity {
    /// The user `user_id`, with no metadata.
    pub fn new(user_id: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            metadata: optimly::Metadata::new(),
        }
    }

    /// Add one metadata entry (`plan`, `page`, ...).
    #[must_use]
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }
}

/// The future an identity hook returns.
pub(crate) type IdentityFuture = Pin<Box<dyn Future<Output = Option<Identity>> + Send>>;

/// The site's identity hook, as the widget keeps it.
pub(crate) type IdentityHook = Arc<dyn Fn(&Parts) -> IdentityFuture + Send + Sync>;

/// Who one request comes from.
pub(crate) struct Caller {
    pub(crate) visitor: Visitor,
    pub(crate) address: IpAddr,
    pub(crate) identity: Option<Identity>,
}

/// A set of trusted proxy addresses: `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let base: IpAddr = address.trim().parse().ok()?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Self { base, prefix })
    }

    fn contains(&self, address: IpAddr) -> bool {
        let as_bits = |a: IpAddr| match a {
            IpAddr::V4(v4) => (u128::from(v4.to_bits()), 32),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => (u128::from(v4.to_bits()), 32),
                None => (v6.to_bits(), 128),
            },
        };
        let ((base, bits), (address, other)) = (as_bits(self.base), as_bits(address));
        if bits != other {
            return false;
        }
        let shift = u32::from(bits - self.prefix);
        // A shift by the whole width (a `/0`) is `None` on both sides: every address matches.
        base.checked_shr(shift) == address.checked_shr(shift)
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the right-most
/// `X-Forwarded-For` hop that is not one. With no trusted proxy, that header is ignored.
pub(crate) fn client_address(trusted: &[Network], parts: &Parts) -> Result<IpAddr, Refusal> {
    let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
        tracing::error!(
            "optimly-widget: no client address; serve the app with optimly_widget::serve, or \
             axum::serve with into_make_service_with_connect_info::<SocketAddr>()"
        );
        return Err(Refusal::misconfigured());
    };
    let mut address = peer.ip().to_canonical();
    if trusted.iter().any(|n| n.contains(address)) {
        let hops = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in hops.iter().rev() {
            let Ok(hop) = hop.parse::<IpAddr>() else {
                // A hop that is no address was written by no proxy of ours: stop at the
                // last one that was.
                break;
            };
            address = hop.to_canonical();
            if !trusted.iter().any(|n| n.contains(address)) {
                break;
            }
        }
    }
    Ok(address)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: &str, forwarded: &[&str]) -> Parts {
        let mut request = axum::http::Request::builder();
        for hop in forwarded {
            request = request.header("x-forwarded-for", *hop);
        }
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        let peer: SocketAddr = peer.parse().expect("peer");
        parts.extensions.insert(ConnectInfo(peer));
        parts
    }

    fn networks(list: &[&str]) -> Vec<Network> {
        list.iter()
            .map(|n| Network::parse(n).expect("network"))
            .collect()
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let address = |trusted: &[&str], peer: &str, forwarded: &[&str]| {
            client_address(&networks(trusted), &parts(peer, forwarded))
                .expect("address")
                .to_string()
        };
        // No trusted proxy: the header is ignored, whatever it says.
        assert_eq!(
            address(&[], "203.0.113.9:5000", &["1.2.3.4"]),
            "203.0.113.9"
        );
        // A trusted proxy: the right-most hop it did not add.
        let lb = ["10.0.0.0/8"];
        assert_eq!(
            address(&lb, "10.1.2.3:80", &["1.2.3.4, 198.51.100.7, 10.9.9.9"]),
            "198.51.100.7"
        );
        assert_eq!(
            address(&lb, "10.1.2.3:80", &["1.2.3.4", "198.51.100.7"]),
            "198.51.100.7"
        );
        // A peer that is not a trusted proxy is the client, whatever it forwards.
        assert_eq!(
            address(&lb, "198.51.100.8:80", &["10.0.0.1"]),
            "198.51.100.8"
        );
        // Garbage in the header stops the walk at the last hop a proxy wrote.
        assert_eq!(address(&lb, "10.1.2.3:80", &["nonsense"]), "10.1.2.3");
        // IPv4-mapped IPv6 peers are IPv4 clients.
        assert_eq!(address(&[], "[::ffff:192.0.2.1]:80", &[]), "192.0.2.1");
        let no_peer = axum::http::Request::new(()).into_parts().0;
        assert!(client_address(&[], &no_peer).is_err());
    }

    #[test]
    fn networks_parse_and_match() {
        let lb = Network::parse("10.0.0.0/8").expect("v4");
        assert!(lb.contains("10.255.0.1".parse().expect("ip")));
        assert!(!lb.contains("11.0.0.1".parse().expect("ip")));
        let all = Network::parse("0.0.0.0/0").expect("all");
        assert!(all.contains("192.0.2.1".parse().expect("ip")));
        let one = Network::parse("2001:db8::1").expect("v6");
        assert!(one.contains("2001:db8::1".parse().expect("ip")));
        assert!(!one.contains("2001:db8::2".parse().expect("ip")));
        for bad in ["", "10.0.0.0/33", "nonsense", "10.0.0.0/x"] {
            assert_eq!(Network::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cookie_belongs_to_the_user_it_was_made_for() {
        let jane = Identity::new("user_jane");
        let visitor = Visitor::new(Some(&jane));
        assert_eq!(visitor.id, "user_jane");
        assert!(visitor.belongs_to(Some(&jane)));
        assert!(!visitor.belongs_to(Some(&Identity::new("user_joe"))));
        assert!(!visitor.belongs_to(None));
        let anonymous = Visitor::new(None);
        assert!(anonymous.id.starts_with("web_") && anonymous.id.len() == 36);
        assert!(anonymous.belongs_to(None));
        assert!(!anonymous.belongs_to(Some(&jane)));
        assert_ne!(anonymous.id, Visitor::new(None).id);
    }
}
