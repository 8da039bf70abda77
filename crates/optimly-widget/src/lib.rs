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
//!     .build()?;
//! let app = axum::Router::new().merge(widget.router());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! and in any page of the site:
//!
//! ```html
//! <script src="/optimly/widget.js" defer></script>
//! ```
//!
//! What the router answers is written down as OpenAPI in the repository's
//! `openapi/widget.yaml`:
//!
//! | route | what it does |
//! |---|---|
//! | `POST /api/conversation` | starts the visitor's conversation, or resumes the one their cookie names |
//! | `POST /api/messages` `{content}` | sends a message; the agent's reply, the tools it ran, any handoff |
//! | `GET /api/messages` | the visitor's history |
//! | `POST /api/lead`, `/api/appointment`, `/api/handoff` | the tools page's form fields ([`optimly::Lead`], [`optimly::AppointmentRequest`], [`optimly::EmailHandoff`]) |
//! | `GET /optimly/widget.js`, `/optimly/widget.css` | the widget |
//!
//! Safe by construction:
//! - a visitor is known only by an encrypted, authenticated cookie (`HttpOnly`,
//!   `SameSite=Strict`) that holds their chat: a visitor reaches their own chat and no other,
//!   and any replica with the same secret serves any visitor, with no session store;
//! - a state-changing request must come from an allowed `Origin`;
//! - each visitor has a message-size cap and a rate limit of their own
//!   ([`WidgetBuilder::visitor_limit`]), so one visitor cannot spend the key's whole budget;
//! - errors are JSON a page can show (`{"error", "fields": [{"field", "message"}],
//!   "retry_after"}`), never the API's raw answer, and never the key;
//! - the widget renders every text as text, never as HTML.

mod api;
mod assets;
mod refusal;
mod visitor;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum_extra::extract::cookie::Key;
use optimly::{Error, OptimlyClient};

pub use assets::demo_page;
pub use refusal::{ErrorBody, FieldError};
pub use visitor::VisitorLimit;

use crate::visitor::Visitors;

/// The name of the cookie that identifies a visitor.
pub const COOKIE_NAME: &str = "optimly_visitor";

/// The visitor cookie, set and removed (`max_age` zero) with the same name and attributes.
fn visitor_cookie(
    value: String,
    secure: bool,
    max_age: time::Duration,
) -> axum_extra::extract::cookie::Cookie<'static> {
    axum_extra::extract::cookie::Cookie::build((COOKIE_NAME, value))
        .path("/")
        .http_only(true)
        .same_site(axum_extra::extract::cookie::SameSite::Strict)
        .secure(secure)
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
    pub(crate) secure_cookie: bool,
    pub(crate) visitors: Visitors,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The cookie key is a secret: never shown.
        f.debug_struct("Widget")
            .field("client", &self.client)
            .field("origins", &self.origins)
            .field("max_message_chars", &self.max_message_chars)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("secure_cookie", &self.secure_cookie)
            .field("visitor_limit", &self.visitors.limit())
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
            visitor_limit: WidgetBuilder::DEFAULT_VISITOR_LIMIT,
            secure_cookie: true,
        }
    }

    /// The routes: the JSON API under `/api` and the widget under [`ASSET_PATH`].
    pub fn router(&self) -> Router {
        Router::new()
            .route("/api/conversation", post(api::start_conversation))
            .route("/api/messages", post(api::send_message).get(api::history))
            .route("/api/lead", post(api::lead))
            .route("/api/appointment", post(api::appointment))
            .route("/api/handoff", post(api::handoff))
            .route(&format!("{ASSET_PATH}/widget.js"), get(assets::script))
            .route(&format!("{ASSET_PATH}/widget.css"), get(assets::stylesheet))
            .with_state(State(Arc::clone(&self.shared)))
    }

    /// The per-visitor limit in force.
    pub fn visitor_limit(&self) -> VisitorLimit {
        self.shared.visitors.limit()
    }
}

/// Settings of a [`Widget`]. Each has one setter; [`build`](Self::build) checks them.
#[derive(Clone)]
#[must_use = "a builder does nothing until built"]
pub struct WidgetBuilder {
    client: OptimlyClient,
    key: Option<Key>,
    origins: Vec<String>,
    max_message_chars: usize,
    visitor_limit: VisitorLimit,
    secure_cookie: bool,
}

impl std::fmt::Debug for WidgetBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetBuilder")
            .field("client", &self.client)
            .field("cookie_secret", &self.key.as_ref().map(|_| "<redacted>"))
            .field("origins", &self.origins)
            .field("max_message_chars", &self.max_message_chars)
            .field("visitor_limit", &self.visitor_limit)
            .field("secure_cookie", &self.secure_cookie)
            .finish()
    }
}

impl WidgetBuilder {
    /// The longest message a visitor may send, in characters.
    pub const DEFAULT_MAX_MESSAGE_CHARS: usize = 2_000;

    /// Requests one visitor may make that reach Optimly: 20 a minute.
    pub const DEFAULT_VISITOR_LIMIT: VisitorLimit = VisitorLimit {
        count: 20,
        window: Duration::from_secs(60),
    };

    /// The shortest cookie secret taken, in bytes.
    pub const MIN_SECRET_BYTES: usize = 64;

    /// The secret that encrypts and signs visitor cookies: at least
    /// [`MIN_SECRET_BYTES`](Self::MIN_SECRET_BYTES) random bytes, the same on every replica
    /// (from your configuration, never from the source). Required.
    pub fn cookie_secret(mut self, secret: &[u8]) -> Self {
        // A secret too short is remembered as missing, so `build` says why.
        self.key = Key::try_from(secret).ok();
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

    /// The longest message a visitor may send, in characters
    /// (default [`DEFAULT_MAX_MESSAGE_CHARS`](Self::DEFAULT_MAX_MESSAGE_CHARS)).
    pub fn max_message_chars(mut self, chars: usize) -> Self {
        self.max_message_chars = chars;
        self
    }

    /// How many requests that reach Optimly one visitor may make in a window (default
    /// [`DEFAULT_VISITOR_LIMIT`](Self::DEFAULT_VISITOR_LIMIT)). Counted per process: with
    /// several replicas a visitor gets up to this much on each.
    pub fn visitor_limit(mut self, count: u32, window: Duration) -> Self {
        self.visitor_limit = VisitorLimit { count, window };
        self
    }

    /// Mark the cookie `Secure` (default `true`). Turn it off only for plain-http development
    /// on your own machine.
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
        // Room for the longest message in UTF-8 (4 bytes a character at most), its JSON
        // escapes, and the forms' fields.
        let max_body_bytes = self.max_message_chars.saturating_mul(6).max(16 * 1024);
        Ok(Widget {
            shared: Arc::new(Shared {
                client: self.client,
                key,
                origins: self.origins,
                max_message_chars: self.max_message_chars,
                max_body_bytes,
                secure_cookie: self.secure_cookie,
                visitors: Visitors::new(self.visitor_limit),
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
