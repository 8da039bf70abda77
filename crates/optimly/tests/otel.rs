//! The per-call span follows OpenTelemetry's HTTP client conventions (what
//! `tracing-opentelemetry` turns into a client span), with the exact names and values, and the
//! key is in none of them, whichever way it is sent.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::KEY;
use httpmock::prelude::*;
use optimly::{AuthMethod, OptimlyClient, RetryPolicy};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// One span's fields, by name, as text.
type SpanFields = BTreeMap<String, String>;

/// Every `optimly.call` span's fields as they ended up, in the order the spans started.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<(u64, SpanFields)>>>);

impl Spans {
    fn all(&self) -> Vec<SpanFields> {
        let spans = self.0.lock().expect("lock");
        spans.iter().map(|(_, fields)| fields.clone()).collect()
    }

    fn update(&self, id: &Id, record: impl FnOnce(&mut dyn Visit)) {
        let mut spans = self.0.lock().expect("lock");
        if let Some((_, fields)) = spans.iter_mut().find(|(span, _)| *span == id.into_u64()) {
            record(&mut Fields(fields));
        }
    }
}

struct Fields<'a>(&'a mut SpanFields);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        if attrs.metadata().name() != "optimly.call" {
            return;
        }
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.0.lock().expect("lock").push((id.into_u64(), fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        self.update(id, |visit| values.record(visit));
    }
}

fn capture() -> (Spans, tracing::subscriber::DefaultGuard) {
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    (spans, tracing::subscriber::set_default(subscriber))
}

fn client(base_url: &str, auth: AuthMethod) -> OptimlyClient {
    OptimlyClient::builder()
        .api_key(KEY)
        .auth_method(auth)
        .base_url(base_url)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_base_delay(Duration::ZERO),
        )
        .build()
        .expect("client")
}

fn expected(pairs: &[(&str, String)]) -> SpanFields {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn assert_no_key(spans: &[SpanFields]) {
    for fields in spans {
        for (name, value) in fields {
            assert!(!value.contains(KEY), "the key is in `{name}`: {value}");
            assert!(!value.contains('?'), "a query is in `{name}`: {value}");
        }
    }
}

#[tokio::test]
async fn a_read_retried_after_a_503_is_one_client_span_with_its_resend_count_and_error_type() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/external/chat/chat_1/messages");
            then.status(503).body("busy");
        })
        .await;
    for auth in [
        AuthMethod::Bearer,
        AuthMethod::ApiKeyHeader,
        AuthMethod::QueryParam,
    ] {
        let (spans, _guard) = capture();
        let err = client(&server.base_url(), auth)
            .history("chat_1")
            .await
            .expect_err("503 twice");
        assert_eq!(err.attempts(), 2);
        let spans = spans.all();
        let port = server.port().to_string();
        assert_eq!(
            spans,
            [expected(&[
                ("otel.name", "GET /external/chat/{chat_id}/messages".into()),
                ("otel.kind", "client".into()),
                ("otel.status_code", "ERROR".into()),
                ("optimly.operation", "list_chat_messages".into()),
                ("http.request.method", "GET".into()),
                ("server.address", "127.0.0.1".into()),
                ("server.port", port.clone()),
                ("url.template", "/external/chat/{chat_id}/messages".into()),
                (
                    "url.full",
                    format!("http://127.0.0.1:{port}/external/chat/chat_1/messages")
                ),
                ("http.request.resend_count", "1".into()),
                ("http.response.status_code", "503".into()),
                ("error.type", "503".into()),
                ("optimly.latency_ms", spans[0]["optimly.latency_ms"].clone()),
            ])],
            "{auth:?}"
        );
        assert!(
            spans[0]["optimly.latency_ms"].parse::<u64>().is_ok(),
            "{spans:?}"
        );
        assert_no_key(&spans);
    }
}

#[tokio::test]
async fn a_successful_write_has_its_status_and_no_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-chat");
            then.status(200).json_body(serde_json::json!({
                "chat_id": "chat_9",
                "client_id": "user_456",
                "status": "active",
                "created_at": "2026-01-15T10:30:00Z",
                "updated_at": "2026-01-15T10:30:00Z"
            }));
        })
        .await;
    let (spans, _guard) = capture();
    let chat = client(&server.base_url(), AuthMethod::QueryParam)
        .create_chat("user_456")
        .await
        .expect("chat");
    assert_eq!(chat.id(), "chat_9");
    let spans = spans.all();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let fields = &spans[0];
    assert_eq!(fields["otel.name"], "POST /external/message/new-chat");
    assert_eq!(fields["http.request.method"], "POST");
    assert_eq!(fields["http.response.status_code"], "200");
    assert_eq!(
        fields["url.full"],
        format!("{}/external/message/new-chat", server.base_url())
    );
    for absent in [
        "error.type",
        "otel.status_code",
        "http.request.resend_count",
    ] {
        assert!(
            !fields.contains_key(absent),
            "{absent} on a success: {fields:?}"
        );
    }
    assert_no_key(&spans);
}

#[tokio::test]
async fn a_call_that_gets_no_response_names_its_error_kind() {
    let port = common::closed_port();
    let (spans, _guard) = capture();
    let err = client(&format!("http://127.0.0.1:{port}"), AuthMethod::Bearer)
        .history("chat_1")
        .await
        .expect_err("nothing listens");
    assert_eq!(err.kind().code(), "connection");
    let spans = spans.all();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let fields = &spans[0];
    assert_eq!(fields["error.type"], "connection");
    assert_eq!(fields["otel.status_code"], "ERROR");
    assert_eq!(fields["server.port"], port.to_string());
    assert!(
        !fields.contains_key("http.response.status_code"),
        "{fields:?}"
    );
    assert_no_key(&spans);
}

#[tokio::test]
async fn invalid_input_is_an_error_span_without_a_request() {
    let (spans, _guard) = capture();
    let err = client("https://api.optimly.io", AuthMethod::Bearer)
        .create_chat("")
        .await
        .expect_err("an empty client id");
    assert_eq!(err.attempts(), 0);
    let spans = spans.all();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let fields = &spans[0];
    assert_eq!(fields["error.type"], "refused_locally");
    assert_eq!(fields["server.address"], "api.optimly.io");
    assert_eq!(fields["server.port"], "443");
    assert!(
        !fields.contains_key("url.full"),
        "nothing was sent: {fields:?}"
    );
}
