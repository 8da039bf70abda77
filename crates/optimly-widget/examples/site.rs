//! A site of its own (a home page, a login, its own state) with the chat widget mounted under
//! `/chat`, and its login session telling the widget who a visitor is.
//!
//! ```sh
//! # Against the embedded offline mock:
//! cargo run -p optimly-widget --example site
//! # Against Optimly, as in production:
//! OPTIMLY_API_KEY=agt_… WIDGET_COOKIE_SECRET="$(openssl rand -hex 64)" \
//!   SITE_ORIGIN=https://www.example.com TRUSTED_PROXIES=10.0.0.0/8 \
//!   cargo run -p optimly-widget --example site
//! ```
//!
//! Open <http://127.0.0.1:3000/>, log in as `jane` with the form, and talk to the agent: the
//! chat is created with `client_id` `jane`, so `client.list_chats("jane")` finds it.
//!
//! - **The prefix.** The page loads `/chat/optimly/widget.js`; the script takes everything
//!   before `/optimly/widget.js` in its own URL as the widget's root, so it calls
//!   `/chat/api/...`. Mount the router anywhere with `nest` and point the script tag there.
//! - **The cookie secret** (`WIDGET_COOKIE_SECRET`): at least 64 random bytes, the same on
//!   every replica, from your secret store. Changing it logs every visitor out of their chat.
//! - **Trusted proxies** (`TRUSTED_PROXIES`, comma-separated): the load balancers or CDN in
//!   front of the app. Without them the widget counts each connection's peer address, which
//!   behind a proxy is the proxy's, so every visitor would share one per-address allowance.
//!   Name only proxies you run: an address you trust can write any `X-Forwarded-For`.
//! - **The limits** ([`WidgetLimits`](optimly_widget::WidgetLimits)): its docs give each
//!   default and what it protects; this site keeps them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{Form, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use optimly::OptimlyClient;
use optimly_widget::{Identity, Widget};
use serde::Deserialize;

/// The site's own signed-in user, put in each request's extensions by its session layer.
#[derive(Clone, Debug)]
pub struct User {
    /// The site's id for them.
    pub id: String,
    /// Their plan, which the site tells the agent about as chat metadata.
    pub plan: String,
}

/// The site's own state: its sessions (a real site keeps them in its database).
#[derive(Clone, Default)]
pub struct Site {
    sessions: Arc<Mutex<HashMap<String, User>>>,
}

const SESSION_COOKIE: &str = "site_session";

impl Site {
    fn user_of(&self, headers: &HeaderMap) -> Option<User> {
        let token = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| pair.trim().strip_prefix(&format!("{SESSION_COOKIE}=")))?;
        let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.get(token).cloned()
    }
}

/// The site's session layer: the signed-in user, if any, into the request's extensions.
async fn session(State(site): State<Site>, mut request: Request, next: Next) -> Response {
    if let Some(user) = site.user_of(request.headers()) {
        request.extensions_mut().insert(user);
    }
    next.run(request).await
}

async fn home(request: Request) -> Html<String> {
    let who = match request.extensions().get::<User>() {
        Some(user) => format!("Signed in as {} ({} plan).", user.id, user.plan),
        None => "Not signed in.".to_owned(),
    };
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Example site</title></head>\
         <body><h1>Example site</h1><p>{who}</p>\
         <form method=post action=/login><input name=user placeholder=jane><button>Log in</button></form>\
         <script src=\"/chat/optimly/widget.js\" defer></script></body></html>"
    ))
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

async fn login(State(site): State<Site>, Form(login): Form<Login>) -> Response {
    let user: String = login
        .user
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    if user.is_empty() {
        return Redirect::to("/").into_response();
    }
    let token = format!("{:032x}", fastrand::u128(..));
    site.sessions
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(
            token.clone(),
            User {
                id: user,
                plan: "pro".into(),
            },
        );
    let mut response = Redirect::to("/").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// The site's app: its own routes and state, the widget under `/chat`, the session layer over
/// both (so the widget's identity hook sees the signed-in user).
pub fn app(widget: Widget, site: Site) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .with_state(site.clone())
        .nest("/chat", widget.router())
        .layer(axum::middleware::from_fn_with_state(site, session))
}

/// The widget as this site configures it: its origin, its proxies, and who its users are.
pub fn widget(
    client: OptimlyClient,
    secret: Option<&[u8]>,
    origin: &str,
    proxies: &[&str],
) -> Result<Widget, optimly::Error> {
    let builder = Widget::builder(client)
        .allow_origin(origin)
        .identify(|head| {
            let user = head.extensions.get::<User>().cloned();
            async move { user.map(|u| Identity::new(u.id).meta("plan", u.plan)) }
        });
    let builder = match secret {
        Some(secret) => builder.cookie_secret(secret),
        None => builder.random_cookie_secret(),
    };
    let builder = proxies
        .iter()
        .fold(builder, |b, proxy| b.trusted_proxy(proxy.trim()));
    // Plain http only for a local try-out; in production the site is https.
    builder
        .secure_cookie(origin.starts_with("https://"))
        .build()
}

#[allow(
    dead_code,
    reason = "the workspace's tests use this file's app, not its main"
)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = if std::env::var_os("OPTIMLY_API_KEY").is_some() {
        (OptimlyClient::from_env()?, None)
    } else {
        let (client, mock) = optimly::testing::start_mock().await?;
        eprintln!("OPTIMLY_API_KEY is not set: the agent is the offline mock");
        (client, Some(mock))
    };
    let origin = std::env::var("SITE_ORIGIN").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
    let secret = std::env::var("WIDGET_COOKIE_SECRET").ok();
    let proxies = std::env::var("TRUSTED_PROXIES").unwrap_or_default();
    let proxies: Vec<&str> = proxies
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let widget = widget(
        client,
        secret.as_deref().map(str::as_bytes),
        &origin,
        &proxies,
    )?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 3000))).await?;
    eprintln!("open http://127.0.0.1:3000/");
    optimly_widget::serve(
        listener,
        app(widget, Site::default()),
        optimly_widget::DEFAULT_HEADER_TIMEOUT,
    )
    .await?;
    Ok(())
}
