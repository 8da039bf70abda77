//! OpenTelemetry's GenAI attributes on the call span, as an OpenTelemetry exporter receives
//! them (`tracing-opentelemetry` into the OpenTelemetry SDK's in-memory exporter): an agent
//! call and a new message carry what LLM-observability tools group by, and no span carries the
//! key or any message's content.

mod common;

use std::collections::BTreeMap;

use common::KEY;
use httpmock::prelude::*;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use optimly::{OptimlyClient, Sender};
use tracing_subscriber::layer::SubscriberExt;

const QUESTION: &str = "Secret plan: can we get annual billing?";
const ANSWER: &str = "Yes, annual billing is available.";
const LEAD: &str = "Lead captured for John Doe <john@example.com>";

/// Every exported span: its name and its attributes as text.
fn exported(exporter: &InMemorySpanExporter) -> Vec<(String, BTreeMap<String, String>)> {
    exporter
        .get_finished_spans()
        .expect("finished spans")
        .into_iter()
        .map(|span| {
            let attributes = span
                .attributes
                .iter()
                .map(|kv| (kv.key.to_string(), kv.value.to_string()))
                .collect();
            (span.name.to_string(), attributes)
        })
        .collect()
}

#[tokio::test]
async fn an_agent_call_and_a_new_message_carry_the_gen_ai_attributes_and_no_content() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/agent/v2");
            then.status(200).json_body(serde_json::json!({
                "agent_id": "agent_main",
                "chat_id": "chat_123",
                "response": ANSWER,
                "message_id": "msg_2",
                "tools_executed": null,
                "metadata": {"processing_time": 1.25, "tokens_used": 412}
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/external/message/new-message");
            then.status(200).json_body(serde_json::json!({
                "message_id": "msg_3",
                "chat_id": "chat_123",
                "sender": "assistant",
                "content": LEAD
            }));
        })
        .await;

    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("gen-ai-test")));
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = OptimlyClient::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .expect("client");
    let reply = client.ask("chat_123", QUESTION).await.expect("a reply");
    assert_eq!(reply.text(), ANSWER);
    client
        .append_message("chat_123", Sender::Assistant, LEAD)
        .await
        .expect("appended");
    provider.force_flush().expect("flushed");

    let spans = exported(&exporter);
    let names: Vec<&str> = spans.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "POST /external/agent/v2",
            "POST /external/message/new-message"
        ]
    );
    let gen_ai = |attributes: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        attributes
            .iter()
            .filter(|(k, _)| k.starts_with("gen_ai."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let pairs = |list: &[(&str, &str)]| -> BTreeMap<String, String> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        gen_ai(&spans[0].1),
        pairs(&[
            ("gen_ai.agent.id", "agent_main"),
            ("gen_ai.conversation.id", "chat_123"),
            ("gen_ai.operation.name", "invoke_agent"),
            ("gen_ai.provider.name", "optimly"),
            ("gen_ai.usage.output_tokens", "412"),
        ])
    );
    assert_eq!(
        gen_ai(&spans[1].1),
        pairs(&[
            ("gen_ai.conversation.id", "chat_123"),
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", "optimly"),
        ])
    );
    // The HTTP client conventions are still there, beside.
    assert_eq!(spans[0].1["http.response.status_code"], "200");
    for (name, attributes) in &spans {
        for (key, value) in attributes {
            for secret in [KEY, QUESTION, ANSWER, LEAD, "john@example.com"] {
                assert!(
                    !value.contains(secret),
                    "{name}: `{key}` carries {secret:?}: {value}"
                );
            }
        }
    }
}
