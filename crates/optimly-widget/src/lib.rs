//! The backend half of a website chat widget on Optimly, as an axum [`Router`]: a visitor's
//! conversation, their messages and the agent's replies, lead and appointment forms and a
//! handoff to a human, plus the widget's own script and stylesheet. Your API key stays on
//! the server: the browser talks only to this router.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = optimly::OptimlyClient::from_env()?;
//! let widget = optimly_widget::Widget::builder(client)
//!     .cookie_secret(std::env::var("WIDGET_COOKIE_SECRET")?.as_bytes())
//!     .allow_origin("https://www.example.com")
//!     .trusted_proxy("10.0.0.0/8") // your load balancers, if any
//!     .build()?;
//! let app = axum::Router::new().nest("/chat", widget.router());
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
//! optimly_widget::serve(listener, app, optimly_widget::DEFAULT_HEADER_TIMEOUT).await?;
//! # Ok(()) }
//! ```
//!
//! and in any page of the site (the script finds the API beside itself, under the prefix):
//!
//! ```html
//! <script src="/chat/optimly/widget.js" defer></script>
//! ```
//!
//! `examples/site.rs` is a whole site: its own routes, state and login, the widget under
//! `/chat`, and the login telling the widget who the visitor is ([`WidgetBuilder::identify`]).
//!
//! What the router answers is written down as OpenAPI in the repository's
//! `openapi/widget.yaml`:
//!
//! | route | what it does |
//! |---|---|
//! | `POST /api/conversation` | gives the visitor their cookie, or keeps theirs; nothing is sent to Optimly |
//! | `POST /api/messages` `{content}` | sends a message (the first one creates the visitor's chat); the agent's reply, the tools it ran, any handoff |
//! | `GET /api/messages` | the visitor's history |
//! | `POST /api/lead`, `/api/appointment`, `/api/handoff` | the forms the page sends: an allow-list of fields, each with a length cap |
//! | `GET /optimly/widget.js`, `/optimly/widget.css` | the widget |
//!
//! Safe on the public internet:
//! - a visitor is known only by an encrypted, authenticated cookie (`__Host-`, `Secure`,
//!   `HttpOnly`, `SameSite=Strict`, expiring after 30 days on the server too) that holds
//!   their chat and, with an identity hook, the site's user it was made for: a visitor
//!   reaches their own chat and no other, and any replica with the same secret serves any
//!   visitor, with no session store;
//! - a state-changing request must come from an allowed `Origin`, with a JSON
//!   `Content-Type`, within a body timeout and size cap;
//! - every call to Optimly counts in the widget's own limits ([`WidgetLimits`]): per visitor,
//!   per client address (the peer, or the right-most untrusted `X-Forwarded-For` hop behind
//!   a [trusted proxy](WidgetBuilder::trusted_proxy)), per chat's handoffs and bookings, and
//!   a share of the key's budget for new conversations; counted in Redis when the client's
//!   limits are, and a full one is a `429` at once. Loading a page costs nothing;
//! - a handoff's routing (`urgency`, `assigned_team`) is the site's
//!   ([`WidgetBuilder::handoff_routing`]), never the visitor's;
//! - errors are JSON a page can show (`{"error", "fields": [{"field", "message"}],
//!   "retry_after"}`), never the API's raw answer, and never the key; every answer has
//!   `nosniff`, `Referrer-Policy` and a CSP `frame-ancestors`;
//! - the widget renders every text as text, never as HTML.

mod api;
mod assets;
mod forms;
mod limits;
mod refusal;
mod serve;
mod visitor;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodRouter, any, get, post};
use axum_extra::extract::cookie::{Cookie, Key, SameSite};
use optimly::{EmailHandoff, Error, OptimlyClient};
use sha2::{Digest, Sha512};

pub use assets::demo_page;
pub use limits::WidgetLimits;
pub use refusal::{ErrorBody, FieldError};
pub use serve::{DEFAULT_HEADER_TIMEOUT, serve};
pub use visitor::Identity;

use crate::refusal::ForgetVisitor;
use crate::visitor::{IdentityHook, Network};

/// The name of the cookie that identifies a visitor on plain-http development setups
/// ([`secure_cookie(false)`](WidgetBuilder::secure_cookie)).
pub const COOKIE_NAME: &str = "optimly_visitor";

/// The name of the visitor cookie when it is `Secure` (the default): the `__Host-` prefix
/// makes the browser refuse it unless it is `Secure`, for this host only, and `Path=/`, so no
/// sibling subdomain can set or shadow it.
pub const SECURE_COOKIE_NAME: &str = "__Host-optimly_visitor";

/// The visitor cookie, set and removed (`max_age` zero) with the same name and attributes.
fn visitor_cookie(shared: &Shared, value: String, max_age: Duration) -> Cookie<'static> {
    let max_age = time::Duration::seconds(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
    Cookie::build((shared.cookie_name(), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(shared.secure_cookie)
        .max_age(max_age)
        .build()
}

/// Where the router serves the widget's script and stylesheet.
pub const ASSET_PATH: &str = "/optimly";

/// A configured widget backend. Build one with [`Widget::builder`], then mount
/// [`router`](Self::router) in your app.
#[derive(Clone, Debug)]
pub struct Widget {
    shared: Arc<Shared>,
}

/// The router's state: what every handler reads.
#[derive(Clone)]
pub(crate) struct State(pub(crate) Arc<Shared>);

/// The private cookie jar finds its key in the state.
impl FromRef<State> for Key {
    fn from_ref(state: &State) -> Self {
        state.0.key.clone()
    }
}

/// What every request handler reads.
pub(crate) struct Shared {
    pub(crate) client: OptimlyClient,
    pub(crate) key: Key,
    pub(crate) origins: Vec<String>,
    pub(crate) max_message_chars: usize,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) secure_cookie: bool,
    pub(crate) limits: WidgetLimits,
    /// The share of the key's windows new conversations may use, worked out once.
    pub(crate) new_conversations: limits::NewShare,
    pub(crate) trusted_proxies: Vec<Network>,
    pub(crate) identify: Option<IdentityHook>,
    pub(crate) handoff_routing: EmailHandoff,
    pub(crate) frame_ancestors: HeaderValue,
}

impl Shared {
    pub(crate) fn cookie_name(&self) -> &'static str {
        if self.secure_cookie {
            SECURE_COOKIE_NAME
        } else {
            COOKIE_NAME
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The cookie key is a secret: never shown.
        f.debug_struct("Widget")
            .field("client", &self.client)
            .field("origins", &self.origins)
            .field("max_message_chars", &self.max_message_chars)
            .field("body_timeout", &self.body_timeout)
            .field("secure_cookie", &self.secure_cookie)
            .field("limits", &self.limits)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("identify", &self.identify.as_ref().map(|_| "<hook>"))
            .field("handoff_routing", &self.handoff_routing)
            .field("frame_ancestors", &self.frame_ancestors)
            .finish_non_exhaustive()
    }
}

impl Widget {
    /// Start configuring a widget that talks to Optimly through `client`.
    pub fn builder(client: OptimlyClient) -> WidgetBuilder {
        WidgetBuilder {
            client,
            key: None,
            origins: Vec::new(),
            max_message_chars: WidgetBuilder::DEFAULT_MAX_MESSAGE_CHARS,
            body_timeout: WidgetBuilder::DEFAULT_BODY_TIMEOUT,
            limits: WidgetLimits::default(),
            trusted_proxies: Vec::new(),
            identify: None,
            handoff_routing: EmailHandoff::default(),
            frame_ancestors: "'self'".to_owned(),
            secure_cookie: true,
        }
    }

    /// The routes: the JSON API under `/api` and the widget under [`ASSET_PATH`]. Every answer
    /// carries `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and a CSP
    /// that lets only [`frame_ancestors`](WidgetBuilder::frame_ancestors) frame it; a path
    /// under `/api` that is not a route, or a method a route does not take, gets the JSON error
    /// shape.
    pub fn router(&self) -> Router {
        let json = |route: MethodRouter<State>| route.fallback(refusal::method_not_allowed);
        let state = State(Arc::clone(&self.shared));
        Router::new()
            .route("/api/conversation", json(post(api::start_conversation)))
            .route(
                "/api/messages",
                json(post(api::send_message).get(api::history)),
            )
            .route("/api/lead", json(post(api::lead)))
            .route("/api/appointment", json(post(api::appointment)))
            .route("/api/handoff", json(post(api::handoff)))
            .route("/api/{*rest}", any(refusal::not_found))
            .route(
                &format!("{ASSET_PATH}/widget.js"),
                json(get(assets::script)),
            )
            .route(
                &format!("{ASSET_PATH}/widget.css"),
                json(get(assets::stylesheet)),
            )
            .layer(axum::middleware::from_fn_with_state(state.clone(), guarded))
            .with_state(state)
    }

    /// The widget's limits in force.
    pub fn limits(&self) -> &WidgetLimits {
        &self.shared.limits
    }
}

/// Every answer's security headers, and the removal of a visitor cookie whose chat is gone.
async fn guarded(
    axum::extract::State(State(shared)): axum::extract::State<State>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let forget = response
        .extensions_mut()
        .remove::<ForgetVisitor>()
        .is_some();
    let headers = response.headers_mut();
    assets::secure(headers, shared.frame_ancestors.clone());
    if forget {
        let removal = visitor_cookie(&shared, String::new(), Duration::ZERO);
        if let Ok(removal) = HeaderValue::from_str(&removal.to_string()) {
            headers.append(header::SET_COOKIE, removal);
        }
    }
    response
}

/// Settings of a [`Widget`]. Each has one setter; [`build`](Self::build) checks them.
#[derive(Clone)]
#[must_use = "a builder does nothing until built"]
pub struct WidgetBuilder {
    client: OptimlyClient,
    key: Option<Key>,
    origins: Vec<String>,
    max_message_chars: usize,
    body_timeout: Duration,
    limits: WidgetLimits,
    trusted_proxies: Vec<String>,
    identify: Option<IdentityHook>,
    handoff_routing: EmailHandoff,
    frame_ancestors: String,
    secure_cookie: bool,
}

impl std::fmt::Debug for WidgetBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetBuilder")
            .field("client", &self.client)
            .field("cookie_secret", &self.key.as_ref().map(|_| "<redacted>"))
            .field("origins", &self.origins)
            .field("max_message_chars", &self.max_message_chars)
            .field("body_timeout", &self.body_timeout)
            .field("limits", &self.limits)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("identify", &self.identify.as_ref().map(|_| "<hook>"))
            .field("handoff_routing", &self.handoff_routing)
            .field("frame_ancestors", &self.frame_ancestors)
            .field("secure_cookie", &self.secure_cookie)
            .finish()
    }
}

impl WidgetBuilder {
    /// The longest message (and free-text form field) a visitor may send, in characters.
    pub const DEFAULT_MAX_MESSAGE_CHARS: usize = 2_000;

    /// How long a request's body may take to arrive once its headers have: 10 seconds.
    pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

    /// The shortest cookie secret taken, in bytes.
    pub const MIN_SECRET_BYTES: usize = 64;

    /// The secret that encrypts and signs visitor cookies: at least
    /// [`MIN_SECRET_BYTES`](Self::MIN_SECRET_BYTES) random bytes, the same on every replica
    /// (from your configuration, never from the source). Required. Every byte of it counts:
    /// the cookie key is derived from the SHA-512 of the whole secret.
    pub fn cookie_secret(mut self, secret: &[u8]) -> Self {
        // A secret too short is remembered as missing, so `build` says why.
        self.key = (secret.len() >= Self::MIN_SECRET_BYTES)
            .then(|| Key::from(Sha512::digest(secret).as_slice()));
        self
    }

    /// A fresh random secret, for one process on its own (a demo, a test): cookies made by
    /// one process are refused by any other.
    pub fn random_cookie_secret(mut self) -> Self {
        self.key = Some(Key::generate());
        self
    }

    /// A page origin allowed to call the API (`https://www.example.com`, no path). Call once
    /// per origin; at least one is required.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins
            .push(origin.into().trim_end_matches('/').to_owned());
        self
    }

    /// The longest message a visitor may send, in characters (default
    /// [`DEFAULT_MAX_MESSAGE_CHARS`](Self::DEFAULT_MAX_MESSAGE_CHARS)); also the cap of a
    /// form's free text (a lead's message, a booking's notes, a handoff's reason). Other form
    /// fields take at most 200.
    pub fn max_message_chars(mut self, chars: usize) -> Self {
        self.max_message_chars = chars;
        self
    }

    /// How long a request's body may take to arrive (default
    /// [`DEFAULT_BODY_TIMEOUT`](Self::DEFAULT_BODY_TIMEOUT)); a slower one gets `408`.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// How much of the key's budget each visitor, address and chat may spend (default
    /// [`WidgetLimits::default`]).
    pub fn limits(mut self, limits: WidgetLimits) -> Self {
        self.limits = limits;
        self
    }

    /// A proxy (load balancer, CDN) in front of the app, as an address or a network
    /// (`10.0.0.0/8`, `2001:db8::/32`). A request from one is from the right-most address
    /// in `X-Forwarded-For` that is not a trusted proxy. With none (the default), that header
    /// is ignored and the client is the connection's peer. Call once per proxy or network.
    pub fn trusted_proxy(mut self, network: impl Into<String>) -> Self {
        self.trusted_proxies.push(network.into());
        self
    }

    /// Who a request's visitor is, by your app's own session: given the request's head
    /// (headers, cookies, and whatever your middleware put in its extensions), your user's
    /// [`Identity`], or `None` for an anonymous visitor. The id becomes the chat's
    /// `client_id` and is sealed into the visitor's cookie: a cookie made for one user is
    /// refused (`403`, nothing sent) for a request the hook says is another's.
    ///
    /// ```
    /// # fn demo(builder: optimly_widget::WidgetBuilder) -> optimly_widget::WidgetBuilder {
    /// #[derive(Clone)]
    /// struct User { id: String, plan: String }
    ///
    /// builder.identify(|head| {
    ///     let user = head.extensions.get::<User>().cloned();
    ///     async move {
    ///         user.map(|u| optimly_widget::Identity::new(u.id).meta("plan", u.plan))
    ///     }
    /// })
    /// # }
    /// ```
    pub fn identify<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(&Parts) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Identity>> + Send + 'static,
    {
        self.identify = Some(Arc::new(move |parts: &Parts| {
            Box::pin(hook(parts)) as visitor::IdentityFuture
        }));
        self
    }

    /// How handoffs are routed: the `urgency`, `category` and `assigned_team` (and a default
    /// `reason`) every visitor's handoff is sent with. The visitor sets only their email,
    /// reason and context.
    pub fn handoff_routing(mut self, routing: EmailHandoff) -> Self {
        self.handoff_routing = routing;
        self
    }

    /// Who may frame the widget's answers: CSP `frame-ancestors` sources (default `'self'`;
    /// `'none'`, or `'self' https://partner.example`).
    pub fn frame_ancestors(mut self, sources: impl Into<String>) -> Self {
        self.frame_ancestors = sources.into();
        self
    }

    /// Mark the cookie `Secure` and name it with the `__Host-` prefix (default `true`). Turn
    /// it off only for plain-http development on your own machine.
    pub fn secure_cookie(mut self, secure: bool) -> Self {
        self.secure_cookie = secure;
        self
    }

    /// Check the settings and build the widget.
    pub fn build(self) -> Result<Widget, Error> {
        let key = self.key.ok_or_else(|| {
            Error::config(
                "cookie_secret",
                format!(
                    "a cookie secret of at least {} bytes is required",
                    Self::MIN_SECRET_BYTES
                ),
            )
        })?;
        if self.origins.is_empty() {
            return Err(Error::config(
                "allow_origin",
                "at least one allowed page origin is required (https://www.example.com)",
            ));
        }
        if let Some(bad) = self.origins.iter().find(|o| !is_origin(o)) {
            return Err(Error::config(
                "allow_origin",
                format!("`{bad}` is not an origin like https://www.example.com"),
            ));
        }
        if self.max_message_chars == 0 {
            return Err(Error::config("max_message_chars", "must be at least 1"));
        }
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .map(|n| {
                Network::parse(n).ok_or_else(|| {
                    Error::config(
                        "trusted_proxy",
                        format!("`{n}` is not an address or a network like 10.0.0.0/8"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let csp = format!(
            "default-src 'none'; frame-ancestors {}",
            self.frame_ancestors
        );
        let frame_ancestors = HeaderValue::from_str(&csp)
            .map_err(|_| Error::config("frame_ancestors", "must be CSP sources on one line"))?;
        // Room for the longest message in UTF-8 (4 bytes a character at most), its JSON
        // escapes, and the forms' fields.
        let max_body_bytes = self.max_message_chars.saturating_mul(6).max(16 * 1024);
        let new_conversations = self.limits.new_conversations(self.client.rate_limits());
        Ok(Widget {
            shared: Arc::new(Shared {
                client: self.client,
                key,
                origins: self.origins,
                max_message_chars: self.max_message_chars,
                max_body_bytes,
                body_timeout: self.body_timeout,
                secure_cookie: self.secure_cookie,
                limits: self.limits,
                new_conversations,
                trusted_proxies,
                identify: self.identify,
                handoff_routing: self.handoff_routing,
                frame_ancestors,
            }),
        })
    }
}

/// `scheme://host[:port]` and nothing more.
fn is_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> OptimlyClient {
        OptimlyClient::builder()
            .api_key("agt_test")
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("client")
    }

    #[test]
    fn build_names_each_missing_or_bad_setting() {
        let setting = |b: WidgetBuilder| match b.build() {
            Err(e) => match e.kind() {
                optimly::ErrorKind::Config { setting, .. } => setting.clone(),
                other => panic!("{other:?}"),
            },
            Ok(_) => panic!("built"),
        };
        let ok = || {
            Widget::builder(client())
                .cookie_secret(&[7; 64])
                .allow_origin("https://www.example.com")
        };
        assert!(ok().build().is_ok());
        assert_eq!(
            setting(Widget::builder(client()).allow_origin("https://a.example")),
            "cookie_secret"
        );
        assert_eq!(setting(ok().cookie_secret(&[7; 63])), "cookie_secret");
        assert_eq!(
            setting(Widget::builder(client()).cookie_secret(&[7; 64])),
            "allow_origin"
        );
        assert_eq!(
            setting(ok().allow_origin("https://www.example.com/page")),
            "allow_origin"
        );
        assert_eq!(
            setting(ok().allow_origin("www.example.com")),
            "allow_origin"
        );
        assert_eq!(setting(ok().max_message_chars(0)), "max_message_chars");
    }

    #[test]
    fn the_cookie_secret_is_never_shown() {
        let builder = Widget::builder(client())
            .cookie_secret(&[b'S'; 64])
            .allow_origin("https://www.example.com");
        let shown = format!("{builder:?}");
        assert!(!shown.contains("SSSS"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let widget = builder.build().expect("builds");
        let shown = format!("{widget:?}");
        assert!(
            !shown.contains("SSSS") && !shown.contains("83, 83"),
            "{shown}"
        );
        assert!(!shown.contains("agt_test"), "{shown}");
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        for good in ["https://www.example.com", "http://127.0.0.1:8080"] {
            assert!(is_origin(good), "{good}");
        }
        for bad in [
            "",
            "example.com",
            "ftp://x",
            "https://",
            "https://x/y",
            "https://u@x",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
