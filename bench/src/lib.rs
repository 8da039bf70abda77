//! What the benchmarks share: a minimal loopback server answering with the docs' own payloads,
//! the same call made through the SDK and with raw `reqwest` + `serde_json`, and the
//! documented payloads with the generated type each one parses into.

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use optimly::{OptimlyClient, RateLimits, RetryPolicy, Sender};
use optimly_api::types;
use serde_json::Value;
use std::path::PathBuf;

/// The key the canned server's clients send (it checks nothing).
pub const KEY: &str = "agt_bench000000000000000000000000000";

/// The chat every benchmark call reads or writes (the docs' example id).
pub const CHAT_ID: &str = "chat_123";

/// The message every benchmark POST sends.
pub const CONTENT: &str = "Hello! I need help with pricing.";

/// The workspace root.
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// One documented payload: its file, and its body as bytes.
#[derive(Clone, Debug)]
pub struct Payload {
    /// The example's file name without `.json`.
    pub id: String,
    /// The generated type it parses into (`Message`, `ChatBase`, ...).
    pub schema: &'static str,
    /// The body, as the docs show it.
    pub body: Vec<u8>,
}

/// The generated type for a documented body, by path and direction; `None` for the removed
/// `/external/tools/*` routes and for code samples that show no JSON body.
fn schema_of(path: &str, direction: &str) -> Option<&'static str> {
    Some(match (path, direction) {
        ("/external/agent" | "/external/agent/v2" | "/external/agent/v3", "request") => {
            "AgentRequest"
        }
        ("/external/agent" | "/external/agent/v2" | "/external/agent/v3", "response") => {
            "AgentReply"
        }
        ("/external/chat" | "/external/message/new-chat", "request") => "ChatBase",
        ("/external/chat" | "/external/message/new-chat", "response") => "Chat",
        ("/external/message/new-message", "request") => "MessageCore",
        ("/external/message/new-message", "response") => "Message",
        ("/external/message/email-handoff", "request") => "EmailHandoffRequest",
        ("/external/message/email-handoff", "response") => "EmailHandoff",
        _ => return None,
    })
}

/// Every documented payload of a v3 operation, from `openapi/docs/examples`.
pub fn payloads() -> Result<Vec<Payload>, String> {
    let dir = root().join("openapi/docs/examples");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let example: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let field = |k: &str| example.get(k).and_then(Value::as_str).unwrap_or_default();
        let Some(schema) = schema_of(field("path"), field("direction")) else {
            continue;
        };
        let body = example.get("body").filter(|b| b.is_object());
        let Some(body) = body else { continue };
        out.push(Payload {
            id: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            schema,
            body: serde_json::to_vec(body).map_err(|e| e.to_string())?,
        });
    }
    Ok(out)
}

/// Parse a payload into its generated type and serialise it back: the work a call does on
/// its body. Returns the serialised length.
pub fn round_trip(payload: &Payload) -> Result<usize, serde_json::Error> {
    fn again<T: serde::de::DeserializeOwned + serde::Serialize>(
        bytes: &[u8],
    ) -> Result<usize, serde_json::Error> {
        let value: T = serde_json::from_slice(bytes)?;
        Ok(serde_json::to_vec(&value)?.len())
    }
    match payload.schema {
        "AgentRequest" => again::<types::AgentRequest>(&payload.body),
        "AgentReply" => again::<types::AgentReply>(&payload.body),
        "ChatBase" => again::<types::ChatBase>(&payload.body),
        "Chat" => again::<types::Chat>(&payload.body),
        "MessageCore" => again::<types::MessageCore>(&payload.body),
        "Message" => again::<types::Message>(&payload.body),
        "EmailHandoffRequest" => again::<types::EmailHandoffRequest>(&payload.body),
        _ => again::<types::EmailHandoff>(&payload.body),
    }
}

fn json(bytes: Bytes) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], bytes)
}

/// A running canned server.
pub struct CannedServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serve `GET /external/chat/{id}/messages` and `POST /external/message/new-message` with
/// documented payloads, doing nothing else, on an OS-assigned loopback port.
pub async fn canned_server() -> std::io::Result<CannedServer> {
    let message = std::fs::read_to_string(
        root().join("openapi/docs/examples/P002-append-lead-data-to-an-active-chat-response-message-schema.json"),
    )?;
    let example: Value = serde_json::from_str(&message).map_err(std::io::Error::other)?;
    let body = &example["body"];
    // The docs' `Message` response, and a history of two of them.
    let message = Bytes::from(serde_json::to_vec(body).map_err(std::io::Error::other)?);
    let history = Bytes::from(serde_json::to_vec(&[body, body]).map_err(std::io::Error::other)?);
    let app = Router::new()
        .route(
            "/external/chat/{id}/messages",
            get(move || {
                let history = history.clone();
                async move { json(history) }
            }),
        )
        .route(
            "/external/message/new-message",
            post(move |_body: Bytes| {
                let message = message.clone();
                async move { json(message) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(CannedServer { base_url, task })
}

/// The SDK client the benchmarks use: limiter off (its cost is measured apart), no retries
/// needed on a healthy loopback. With `OPTIMLY_BENCH_NO_TIMEOUTS=1` it has no attempt or
/// operation timeout, so no timer is armed per attempt: what that timer costs, measured.
pub fn sdk_client(base_url: &str, limits: RateLimits) -> Result<OptimlyClient, optimly::Error> {
    let builder = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(base_url)
        .rate_limits(limits)
        .retry_policy(RetryPolicy::never());
    let builder = if std::env::var_os("OPTIMLY_BENCH_NO_TIMEOUTS").is_some() {
        builder.attempt_timeout(None).operation_timeout(None)
    } else {
        builder
    };
    builder.build()
}

/// A benchmark binary's exit: its error printed, and a failure status.
pub fn exit(outcome: Result<(), Box<dyn std::error::Error>>) -> std::process::ExitCode {
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The canned server and the three clients every comparison uses.
pub struct Sides {
    /// The server (stopped when dropped).
    pub server: CannedServer,
    /// Raw `reqwest` + `serde_json`.
    pub raw: Raw,
    /// The SDK with its rate limiter off.
    pub sdk: OptimlyClient,
    /// The SDK counting the documented limits a thousand times over: every call counted,
    /// no limit ever full.
    pub limited: OptimlyClient,
}

/// Start the canned server and build the clients that call it.
pub async fn sides() -> Result<Sides, Box<dyn std::error::Error>> {
    let server = canned_server().await?;
    let raw = Raw::new(&server.base_url)?;
    let sdk = sdk_client(&server.base_url, RateLimits::off())?;
    let limited = sdk_client(
        &server.base_url,
        RateLimits::documented().scaled(1000.0, 1.0),
    )?;
    Ok(Sides {
        server,
        raw,
        sdk,
        limited,
    })
}

/// The same HTTP calls with raw `reqwest` + `serde_json`: one pooled client, the same request
/// on the wire (URL built from the chat id on each call, as a caller holding a chat id must;
/// `Accept: application/json`, the bearer key, the same User-Agent), the body parsed into the
/// same generated types.
#[derive(Clone)]
pub struct Raw {
    http: reqwest::Client,
    base_url: String,
    auth: reqwest::header::HeaderValue,
    /// progenitor's generated client alone (with this crate's hooks: the key, error bodies)
    /// on the same `reqwest` client: what the generated code costs before the SDK's own work.
    generated: optimly_api::Client,
}

impl Raw {
    /// A raw client for `base_url`.
    pub fn new(base_url: &str) -> Result<Self, String> {
        let mut auth = reqwest::header::HeaderValue::from_str(&format!("Bearer {KEY}"))
            .map_err(|e| e.to_string())?;
        auth.set_sensitive(true);
        let http = optimly_api::tls::client_builder()
            .map_err(|e| e.to_string())?
            .user_agent(optimly::USER_AGENT)
            .build()
            .map_err(|e| e.to_string())?;
        let generated = optimly_api::Client::new_with_client(
            base_url,
            http.clone(),
            optimly_api::Context::new(optimly_api::Auth::bearer(KEY)),
        );
        Ok(Self {
            http,
            base_url: base_url.to_owned(),
            auth,
            generated,
        })
    }

    /// `GET` a chat's history.
    pub async fn history(&self) -> Result<Vec<types::Message>, String> {
        let response = self
            .http
            .get(format!(
                "{}/external/chat/{CHAT_ID}/messages",
                self.base_url
            ))
            .header(
                reqwest::header::ACCEPT,
                reqwest::header::HeaderValue::from_static("application/json"),
            )
            .header(reqwest::header::AUTHORIZATION, self.auth.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }

    /// `POST` a message.
    pub async fn append(&self) -> Result<types::Message, String> {
        let body = types::MessageCore {
            chat_id: CHAT_ID.into(),
            sender: types::NewMessageSender::User,
            content: CONTENT.into(),
            metadata: None,
        };
        let response = self
            .http
            .post(format!("{}/external/message/new-message", self.base_url))
            .header(
                reqwest::header::ACCEPT,
                reqwest::header::HeaderValue::from_static("application/json"),
            )
            .header(reqwest::header::AUTHORIZATION, self.auth.clone())
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }
}

impl Raw {
    /// `GET` a chat's history through the generated client alone.
    pub async fn generated_history(&self) -> Result<usize, String> {
        let messages = self
            .generated
            .list_chat_messages()
            .chat_id(CHAT_ID)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(messages.len())
    }

    /// `POST` a message through the generated client alone.
    pub async fn generated_append(&self) -> Result<usize, String> {
        let body = types::MessageCore {
            chat_id: CHAT_ID.into(),
            sender: types::NewMessageSender::User,
            content: CONTENT.into(),
            metadata: None,
        };
        let message = self
            .generated
            .new_message()
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(message.message_id.len())
    }
}

/// `GET` a chat's history through the SDK, sent with `.send()`.
pub async fn sdk_history(client: &OptimlyClient) -> Result<usize, optimly::Error> {
    Ok(client.history(CHAT_ID).send().await?.len())
}

/// `GET` a chat's history through the SDK, the builder awaited directly (`IntoFuture`, which
/// boxes the call's future).
pub async fn sdk_history_awaited(client: &OptimlyClient) -> Result<usize, optimly::Error> {
    Ok(client.history(CHAT_ID).await?.len())
}

/// `POST` a message through the SDK, sent with `.send()`.
pub async fn sdk_append(client: &OptimlyClient) -> Result<usize, optimly::Error> {
    let message = client
        .append_message(CHAT_ID, Sender::User, CONTENT)
        .send()
        .await?;
    Ok(message.id().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_v3_payload_round_trips_through_its_type() {
        let payloads = payloads().expect("examples load");
        let ids: Vec<(&str, &str)> = payloads.iter().map(|p| (p.id.as_str(), p.schema)).collect();
        assert_eq!(
            ids,
            [
                ("P000-create-a-new-conversation-javascript", "ChatBase"),
                ("P000-send-a-message-enhanced-javascript", "AgentRequest"),
                ("P000-website-chat-widget-javascript", "AgentRequest"),
                (
                    "P002-append-lead-data-to-an-active-chat-request",
                    "MessageCore"
                ),
                (
                    "P002-append-lead-data-to-an-active-chat-response-message-schema",
                    "Message"
                ),
                ("P002-capture-appointment-requests", "MessageCore"),
                ("P002-create-a-dedicated-lead-chat-request", "ChatBase"),
                (
                    "P002-create-a-dedicated-lead-chat-response-chat-schema-excerpt",
                    "Chat"
                ),
                ("P002-escalate-to-email-request", "EmailHandoffRequest"),
                ("P002-escalate-to-email-response", "EmailHandoff"),
            ]
        );
        for payload in &payloads {
            assert!(round_trip(payload).is_ok(), "{}", payload.id);
        }
    }
}
