//! Each operation is described once, generated from the spec: every spec operation has exactly
//! one description that agrees with the spec, no call site in the SDK or the mock spells an
//! operation's name, path, method or limit scope, and every SDK method reports the operation
//! it calls (and sends it where its description says).

use std::collections::BTreeSet;
use std::path::Path;

use httpmock::prelude::*;
use optimly::{
    AgentVersion, AppointmentRequest, ChatEndpoint, EmailHandoff, Error, Lead, OptimlyClient,
    RetryPolicy, Sender,
};
use optimly_api::operations::{self, OperationId};
use optimly_api::{Method, Operation, Scope};
use serde_json::Value;
use workspace_tests::spec::Spec;

fn spec() -> Spec {
    Spec::from_yaml(optimly_mock::SPEC).expect("spec parses")
}

#[test]
fn every_spec_operation_has_exactly_one_description_that_agrees_with_it() {
    let spec = spec();
    let described: Vec<&str> = operations::ALL.iter().map(|op| op.name()).collect();
    let unique: BTreeSet<&str> = described.iter().copied().collect();
    assert_eq!(unique.len(), described.len(), "a name twice: {described:?}");
    let in_spec: BTreeSet<&str> = spec.operations().iter().map(|op| op.id).collect();
    assert_eq!(unique, in_spec);
    for op in spec.operations() {
        let d = operations::by_name(op.id).expect("described");
        let method = match d.method {
            Method::Get => "get",
            Method::Post => "post",
            other => panic!("{other}"),
        };
        assert_eq!((method, d.path), (op.method, op.path), "{}", op.id);
        assert_eq!(d.retry_safe, op.method == "get", "{}", op.id);
        assert_eq!(d.id.operation(), d);
        let limits: Vec<(u64, u64, &str)> = op
            .value
            .get("x-rate-limits")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|l| {
                let seconds = match l["per"].as_str() {
                    Some("minute") => 60,
                    Some("hour") => 3_600,
                    other => panic!("{other:?}"),
                };
                (
                    l["limit"].as_u64().expect("count"),
                    seconds,
                    l["scope"].as_str().expect("scope"),
                )
            })
            .collect();
        let generated: Vec<(u64, u64, &str)> = d
            .limits
            .iter()
            .map(|l| {
                let scope = match l.scope() {
                    Scope::ApiKey => "api_key",
                    Scope::Agent => "agent",
                    Scope::Chat => "chat",
                    other => panic!("{other:?}"),
                };
                (u64::from(l.count()), l.window().as_secs(), scope)
            })
            .collect();
        assert_eq!(generated, limits, "{}", op.id);
    }
    assert_eq!(
        operations::GLOBAL_LIMITS
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "100 per minute per API key",
            "1000 per hour per API key",
            "10000 per day per API key"
        ]
    );
}

/// The code of a source file without its `#[cfg(test)]` module.
fn production_code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("source");
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[test]
fn no_call_site_spells_an_operation_name_path_method_or_scope() {
    let root = workspace_tests::root();
    // The limiters define what a scope means; they are where `Scope::` belongs.
    let limiters = [
        "crates/optimly/src/rate_limit.rs",
        "crates/optimly-mock/src/limits.rs",
    ];
    let mut spelled = Vec::new();
    let mut files = 0;
    for dir in ["crates/optimly/src", "crates/optimly-mock/src"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("dir") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            files += 1;
            let relative = path
                .strip_prefix(&root)
                .expect("inside")
                .display()
                .to_string();
            let code = production_code(&path);
            let mut forbidden: Vec<String> = operations::ALL
                .iter()
                .flat_map(|op| [format!("\"{}\"", op.name()), format!("\"{}\"", op.path)])
                .collect();
            forbidden.extend(
                [
                    "\"/external/",
                    "Method::Get",
                    "Method::Post",
                    "Method::GET",
                    "Method::POST",
                ]
                .map(String::from),
            );
            forbidden.extend(["\"GET\"", "\"POST\""].map(String::from));
            if !limiters.contains(&relative.as_str()) {
                forbidden.push("Scope::".into());
            }
            for (n, line) in code.lines().enumerate() {
                let line = line.trim_start();
                if line.starts_with("//") {
                    continue;
                }
                for word in &forbidden {
                    if line.contains(word.as_str()) {
                        spelled.push(format!("{relative}:{}: {word}: {line}", n + 1));
                    }
                }
            }
        }
    }
    assert!(files >= 20, "read {files} files");
    assert!(
        spelled.is_empty(),
        "spelled by hand:\n{}",
        spelled.join("\n")
    );
}

/// Every SDK method, each with the operation it must report.
async fn every_call(client: &OptimlyClient) -> Vec<(&'static Operation, Error)> {
    let lead = Lead::new("jane@company.com");
    let appointment = AppointmentRequest::new("Jane", "jane@company.com", "2030-12-02", "14:00");
    let handoff = EmailHandoff::default();
    let conversation = client.resume_conversation("chat_1").expect("a chat id");
    let failed = |r: Result<(), Error>| r.expect_err("every request is answered 404");
    vec![
        (
            &operations::NEW_CHAT,
            failed(client.create_chat("u").await.map(drop)),
        ),
        (
            &operations::CREATE_CHAT,
            failed(
                client
                    .create_chat("u")
                    .endpoint(ChatEndpoint::Chat)
                    .await
                    .map(drop),
            ),
        ),
        (
            &operations::LIST_CLIENT_CHATS,
            failed(client.list_chats("u").await.map(drop)),
        ),
        (
            &operations::LIST_CHAT_MESSAGES,
            failed(client.history("chat_1").await.map(drop)),
        ),
        (
            &operations::NEW_MESSAGE,
            failed(
                client
                    .append_message("chat_1", Sender::User, "hi")
                    .await
                    .map(drop),
            ),
        ),
        (
            &operations::CALL_AGENT_V2,
            failed(client.ask("chat_1", "hi").await.map(drop)),
        ),
        (
            &operations::CALL_AGENT_V3,
            failed(
                client
                    .ask("chat_1", "hi")
                    .version(AgentVersion::V3)
                    .await
                    .map(drop),
            ),
        ),
        (
            &operations::CALL_AGENT,
            failed(
                client
                    .ask("chat_1", "hi")
                    .version(AgentVersion::Legacy)
                    .await
                    .map(drop),
            ),
        ),
        (
            &operations::NEW_MESSAGE,
            failed(client.capture_lead("chat_1", &lead).await.map(drop)),
        ),
        (
            &operations::NEW_MESSAGE,
            failed(
                client
                    .request_appointment("chat_1", &appointment)
                    .await
                    .map(drop),
            ),
        ),
        (
            &operations::EMAIL_HANDOFF,
            failed(client.hand_off("chat_1", &handoff).await.map(drop)),
        ),
        (
            &operations::NEW_CHAT,
            failed(client.start_lead_chat("u", &lead).await.map(drop)),
        ),
        (
            &operations::NEW_CHAT,
            failed(client.start_conversation("u").await.map(drop)),
        ),
        (
            &operations::CALL_AGENT_V2,
            failed(conversation.ask("hi").await.map(drop)),
        ),
        (
            &operations::LIST_CHAT_MESSAGES,
            failed(conversation.history().await.map(drop)),
        ),
        (
            &operations::NEW_MESSAGE,
            failed(conversation.capture_lead(&lead).await.map(drop)),
        ),
        (
            &operations::NEW_MESSAGE,
            failed(
                conversation
                    .request_appointment(&appointment)
                    .await
                    .map(drop),
            ),
        ),
        (
            &operations::EMAIL_HANDOFF,
            failed(conversation.hand_off(&handoff).await.map(drop)),
        ),
    ]
}

#[tokio::test]
async fn every_sdk_method_reports_the_operation_it_calls_and_sends_it_there() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for op in operations::ALL {
        let path = op
            .path
            .replace("{chat_id}", "chat_1")
            .replace("{client_id}", "u");
        let method = op.method.as_str();
        mocks.push((
            op.id,
            server
                .mock_async(|when, then| {
                    when.method(method).path(path);
                    then.status(404)
                        .json_body(serde_json::json!({"error": "Not Found", "detail": "none"}));
                })
                .await,
        ));
    }
    let client = OptimlyClient::builder()
        .api_key(optimly_mock::DEFAULT_KEY)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let calls = every_call(&client).await;
    let mut expected_hits: Vec<OperationId> = Vec::new();
    for (operation, err) in &calls {
        assert_eq!(err.operation(), Some(*operation), "{err}");
        assert_eq!(err.status(), Some(404), "{err}");
        assert_eq!(err.attempts(), 1, "{err}");
        expected_hits.push(operation.id);
    }
    for (id, mock) in &mocks {
        let want = expected_hits.iter().filter(|hit| *hit == id).count();
        assert_eq!(mock.calls_async().await, want, "{}", id.name());
    }
    // Every operation is reachable from the SDK.
    let reached: BTreeSet<OperationId> = expected_hits.into_iter().collect();
    assert_eq!(reached.len(), operations::ALL.len());
}

/// The `use` lines of a file's production code.
fn imports(path: &Path) -> Vec<String> {
    production_code(path)
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("use "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_error_and_the_limiter_do_not_import_each_other() {
    let root = workspace_tests::root();
    let error = imports(&root.join("crates/optimly/src/error.rs"));
    let limiter = imports(&root.join("crates/optimly/src/rate_limit.rs"));
    assert!(
        error.len() >= 5 && limiter.len() >= 5,
        "{error:?} {limiter:?}"
    );
    assert!(
        error.iter().all(|u| !u.contains("rate_limit")),
        "error.rs imports the limiter: {error:?}"
    );
    assert!(
        limiter
            .iter()
            .all(|u| !u.contains("crate::error") && !u.contains("crate::Error")),
        "the limiter imports the error: {limiter:?}"
    );
}
