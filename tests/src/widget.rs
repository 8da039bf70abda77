//! The widget router served on `127.0.0.1` for the widget's HTTP and browser tests, with every
//! answer it gives recorded and checked against `openapi/widget.yaml`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use optimly_widget::Widget;
use serde_json::{Value, json};

use crate::spec::{Spec, violations};

/// One answer of the router: what was asked and what came back, headers and body as sent.
#[derive(Clone, Debug)]
pub struct Answer {
    /// `GET`, `POST`.
    pub method: String,
    /// The request path, without its query.
    pub path: String,
    /// The status sent.
    pub status: u16,
    /// Every response header, as `name: value` lines.
    pub headers: String,
    /// The body sent.
    pub body: Vec<u8>,
}

/// A widget served on a free port of `127.0.0.1`, with the demo page at `/`; stopped on drop.
pub struct WidgetServer {
    /// `http://127.0.0.1:PORT`: also the page origin the widget allows.
    pub origin: String,
    answers: Arc<Mutex<Vec<Answer>>>,
    task: tokio::task::JoinHandle<()>,
}

impl WidgetServer {
    /// Serve `widget` (built to allow [`origin_for`]`(addr)`) on the listener it was built for.
    pub async fn serve(listener: tokio::net::TcpListener, widget: &Widget) -> Self {
        let addr = listener.local_addr().expect("local address");
        let answers = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&answers);
        let app = widget
            .router()
            .route("/", get(optimly_widget::demo_page))
            .layer(axum::middleware::from_fn(
                move |request: Request, next: Next| {
                    let record = Arc::clone(&record);
                    async move { recorded(record, request, next).await }
                },
            ));
        let task = tokio::spawn(async move {
            optimly_widget::serve(listener, app, optimly_widget::DEFAULT_HEADER_TIMEOUT)
                .await
                .expect("widget server");
        });
        Self {
            origin: origin_for(addr),
            answers,
            task,
        }
    }

    /// Every answer so far.
    pub fn answers(&self) -> Vec<Answer> {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for WidgetServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A widget on `client` (a fixed cookie secret, plain-http cookies, allowing its own origin),
/// with `configure` applied, serving on a free port of `127.0.0.1`.
pub async fn serve(
    client: optimly::OptimlyClient,
    configure: impl FnOnce(optimly_widget::WidgetBuilder) -> optimly_widget::WidgetBuilder,
) -> WidgetServer {
    let listener = listener().await;
    let origin = origin_for(listener.local_addr().expect("address"));
    let widget = configure(
        Widget::builder(client)
            .cookie_secret(&[42; 64])
            .allow_origin(&origin)
            .secure_cookie(false),
    )
    .build()
    .expect("widget");
    WidgetServer::serve(listener, &widget).await
}

/// The page origin of a server at `addr`.
pub fn origin_for(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// A listener on a free port of `127.0.0.1`.
pub async fn listener() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on 127.0.0.1")
}

async fn recorded(answers: Arc<Mutex<Vec<Answer>>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect::<Vec<_>>()
        .join("\n");
    answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Answer {
            method,
            path,
            status: parts.status.as_u16(),
            headers,
            body: body.to_vec(),
        });
    Response::from_parts(parts, Body::from(body))
}

/// `openapi/widget.yaml`.
pub fn contract() -> Spec {
    let text = std::fs::read_to_string(crate::root().join("openapi/widget.yaml"))
        .expect("openapi/widget.yaml");
    Spec::from_yaml(&text).expect("widget.yaml parses")
}

/// What is wrong with an answer by the contract: an undocumented route or status, a body
/// that is not JSON or does not match its schema. Empty when it matches. Answers outside
/// `/api` (the widget's files, the demo page) are not part of it.
pub fn contract_violations(contract: &Spec, answer: &Answer) -> Vec<String> {
    if !answer.path.starts_with("/api/") {
        return Vec::new();
    }
    let at = format!("{} {} -> {}", answer.method, answer.path, answer.status);
    let Some(operation) = contract.operation(&answer.method, &answer.path) else {
        return vec![format!("{at}: no such operation in widget.yaml")];
    };
    let Some(schema) = operation.response_schema(contract, answer.status) else {
        return vec![format!(
            "{at}: status not documented (documented: {:?})",
            operation.statuses()
        )];
    };
    let body: Value = match serde_json::from_slice(&answer.body) {
        Ok(body) => body,
        Err(e) => return vec![format!("{at}: body is not JSON: {e}")],
    };
    match violations(&contract.json_schema(schema, false), &body) {
        Ok(lines) => lines.into_iter().map(|l| format!("{at}: {l}")).collect(),
        Err(e) => vec![format!("{at}: {e}")],
    }
}

/// Assert that every answer matches the contract, and return how many were checked.
pub fn assert_contract(answers: &[Answer]) -> usize {
    let contract = contract();
    let wrong: Vec<String> = answers
        .iter()
        .flat_map(|a| contract_violations(&contract, a))
        .collect();
    assert!(
        wrong.is_empty(),
        "answers outside widget.yaml:\n{}",
        wrong.join("\n")
    );
    answers
        .iter()
        .filter(|a| a.path.starts_with("/api/"))
        .count()
}

/// One browser: its cookie, sent back as a browser would.
pub struct Browser {
    http: reqwest::Client,
    /// The `Origin` it sends (`None`: none, as a non-browser client).
    pub origin: Option<String>,
    /// Where its requests go (the widget's origin).
    pub base: String,
    /// The cookie it sends back.
    pub cookie: Option<String>,
    /// An `X-Forwarded-For` it sends (a proxy's, or a forged one).
    pub forwarded_for: Option<String>,
    /// One more header it sends on every request (the site's own session, say).
    pub extra_header: Option<(String, String)>,
}

/// One answer of the widget.
pub struct Got {
    /// Its status.
    pub status: reqwest::StatusCode,
    /// Its `Set-Cookie`.
    pub set_cookie: Option<String>,
    /// Its `Retry-After`.
    pub retry_after: Option<String>,
    /// Its JSON body.
    pub body: Value,
}

impl Browser {
    /// A browser on `server`'s page, sending its origin, from `127.0.0.1`.
    pub fn new(server: &WidgetServer) -> Self {
        Self::from_address(server, std::net::Ipv4Addr::LOCALHOST)
    }

    /// A browser on `server`'s page connecting from `address` (any of `127.0.0.0/8` on
    /// loopback): another client address, for the widget's per-address limits.
    pub fn from_address(server: &WidgetServer, address: std::net::Ipv4Addr) -> Self {
        Self {
            http: optimly::tls::client_builder()
                .expect("TLS")
                .local_address(std::net::IpAddr::V4(address))
                .build()
                .expect("an HTTP client"),
            origin: Some(server.origin.clone()),
            base: server.origin.clone(),
            cookie: None,
            forwarded_for: None,
            extra_header: None,
        }
    }

    /// One request, as the page's script makes it.
    pub async fn call(&mut self, method: reqwest::Method, path: &str, body: Option<&str>) -> Got {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(origin) = &self.origin {
            request = request.header("origin", origin);
        }
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(forwarded) = &self.forwarded_for {
            request = request.header("x-forwarded-for", forwarded);
        }
        if let Some((name, value)) = &self.extra_header {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.expect("the widget answers");
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().expect("ascii header").to_owned())
        };
        let set_cookie = header("set-cookie");
        let retry_after = header("retry-after");
        if let Some(set) = &set_cookie {
            // As a browser does: an expired cookie is dropped, any other kept.
            self.cookie = if set.contains("Max-Age=0") {
                None
            } else {
                set.split(';').next().map(str::to_owned)
            };
        }
        let body = response.json().await.expect("a JSON body");
        Got {
            status,
            set_cookie,
            retry_after,
            body,
        }
    }

    /// A JSON `POST`.
    pub async fn post(&mut self, path: &str, body: Value) -> Got {
        self.call(reqwest::Method::POST, path, Some(&body.to_string()))
            .await
    }

    /// What the page does on load.
    pub async fn start(&mut self) -> Got {
        self.call(reqwest::Method::POST, "/api/conversation", None)
            .await
    }

    /// The visitor sends a message.
    pub async fn say(&mut self, content: &str) -> Got {
        self.post("/api/messages", json!({ "content": content }))
            .await
    }

    /// The page reloads the chat's history.
    pub async fn history(&mut self) -> Got {
        self.call(reqwest::Method::GET, "/api/messages", None).await
    }
}
