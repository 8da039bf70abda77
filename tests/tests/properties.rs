//! Property tests: hostile responses and hostile input never panic the SDK.
//!
//! - Every documented response of a v3 operation (and the mock's agent reply), mutated
//!   (swapped types, missing and extra fields, nulls, huge numbers, odd unicode, lone
//!   surrogates), is served over HTTP to the SDK call that reads it: the call parses, or fails
//!   with a typed `Decode` (a success status) or API error (an error status). Parsed values are
//!   read through every accessor.
//! - Arbitrary strings, numbers and durations given to every builder never panic: the call
//!   succeeds or gives a typed error before or after sending.
//! - What a FastAPI server legitimately sends parses: every documented response with each
//!   optional field (by the spec), in turn and all at once, absent, `null`, or of a kind this
//!   version does not know (a new enum value, an extra field), through every SDK call, and
//!   `null` reads exactly as absent.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use optimly::automations::Urgency;
use optimly::{
    AppointmentRequest, EmailHandoff, Error, ErrorKind, Lead, OptimlyClient, RateLimits,
    RequestOptions, RetryPolicy, Sender,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use workspace_tests::fault_server::{FaultServer, Reply};
use workspace_tests::spec::{Spec, required};

/// Cases per property; docs/reliability.md's table reports these numbers.
const RESPONSE_CASES: u32 = 512;
const INPUT_CASES: u32 = 256;

#[derive(Clone, Copy, Debug)]
enum Call {
    Ask,
    AppendMessage,
    CreateChat,
    HandOff,
    History,
    ListChats,
}

/// What the SDK makes of a response: anything but a panic, and only these kinds.
fn acceptable(result: Result<usize, Error>, status: u16) -> Result<(), TestCaseError> {
    match (result, status) {
        (Ok(_), 200) => Ok(()),
        (Err(e), 200) if *e.kind() == ErrorKind::Decode && e.status() == Some(200) => Ok(()),
        (Err(e), s) if s != 200 && e.status() == Some(s) => Ok(()),
        (other, s) => Err(TestCaseError::fail(format!("status {s} gave {other:?}"))),
    }
}

/// Run the call and read everything the parsed value offers.
async fn exercise(client: &OptimlyClient, call: Call) -> Result<usize, Error> {
    match call {
        Call::Ask => {
            let r = client.ask("chat_1", "Hello").await?;
            let tools: usize = r
                .tools_executed()
                .map(|t| {
                    t.tool().to_string().len()
                        + t.status().to_string().len()
                        + t.data().map_or(0, |d| d.raw().len())
                })
                .sum();
            Ok(r.text().len()
                + tools
                + usize::from(r.time() != optimly::NO_TIME)
                + usize::from(r.handoff().is_some())
                + usize::from(r.processing_time().is_some())
                + usize::from(r.tokens_used().is_some()))
        }
        Call::AppendMessage => {
            let m = client
                .append_message("chat_1", Sender::User, "Hello")
                .await?;
            Ok(m.id().len() + m.content().len() + usize::from(m.time() != optimly::NO_TIME))
        }
        Call::CreateChat => {
            let c = client.create_chat("user_456").await?;
            Ok(c.id().len()
                + usize::from(c.created_at().is_some())
                + usize::from(c.last_activity().is_some()))
        }
        Call::HandOff => {
            let h = client
                .hand_off(
                    "chat_1",
                    &EmailHandoff {
                        reason: Some("help".into()),
                        ..EmailHandoff::default()
                    },
                )
                .await?;
            Ok(h.id().len() + usize::from(h.status().is_some()))
        }
        Call::History => {
            let messages = client.history("chat_1").await?;
            Ok(messages
                .iter()
                .map(|m| {
                    m.content().len()
                        + usize::from(m.time() != optimly::NO_TIME)
                        + m.sender().to_string().len()
                })
                .sum())
        }
        Call::ListChats => Ok(client.list_chats("user_456").await?.len()),
    }
}

fn documented(id: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi/docs/examples")
        .join(format!("{id}.json"));
    let text = std::fs::read_to_string(&path).expect("example exists");
    let example: Value = serde_json::from_str(&text).expect("example parses");
    example["body"].clone()
}

/// One step of damage, aimed at one node of the document.
#[derive(Clone, Debug)]
enum Mutation {
    Replace(Index, Value),
    Remove(Index),
    AddField(Index, String, Value),
    HugeNumber(Index),
    LoneSurrogate(Index),
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
        "[\u{0}-\u{1f}\u{202e}\u{feff}\u{1f600}é]{0,8}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{"loc": [1], "msg": null}])),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), leaf()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        any::<Index>().prop_map(Mutation::Remove),
        (any::<Index>(), "[a-z_]{1,12}", leaf()).prop_map(|(i, k, v)| Mutation::AddField(i, k, v)),
        any::<Index>().prop_map(Mutation::HugeNumber),
        any::<Index>().prop_map(Mutation::LoneSurrogate),
    ]
}

/// Paths to every node, the root included.
fn paths(value: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                paths(
                    v,
                    format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                paths(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

const HUGE: &str = "\"__huge__\"";
const SURROGATE: &str = "\"__surrogate__\"";

/// Apply the mutations; the placeholders become text JSON values cannot hold.
fn mutate(mut doc: Value, mutations: &[Mutation]) -> String {
    for m in mutations {
        let mut all = Vec::new();
        paths(&doc, String::new(), &mut all);
        let pick = |i: &Index| all[i.index(all.len())].clone();
        match m {
            Mutation::Replace(i, v) => {
                if let Some(node) = doc.pointer_mut(&pick(i)) {
                    *node = v.clone();
                }
            }
            Mutation::Remove(i) => {
                let path = pick(i);
                if let Some((parent, key)) = path.rsplit_once('/')
                    && let Some(node) = doc.pointer_mut(parent)
                {
                    match node {
                        Value::Object(map) => {
                            map.remove(&key.replace("~1", "/").replace("~0", "~"));
                        }
                        Value::Array(items) => {
                            if let Ok(n) = key.parse::<usize>()
                                && n < items.len()
                            {
                                items.remove(n);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Mutation::AddField(i, key, v) => {
                if let Some(Value::Object(map)) = doc.pointer_mut(&pick(i)) {
                    map.insert(key.clone(), v.clone());
                }
            }
            Mutation::HugeNumber(i) => {
                if let Some(node) = doc.pointer_mut(&pick(i)) {
                    *node = json!("__huge__");
                }
            }
            Mutation::LoneSurrogate(i) => {
                if let Some(node) = doc.pointer_mut(&pick(i)) {
                    *node = json!("__surrogate__");
                }
            }
        }
    }
    doc.to_string()
        .replacen(HUGE, "123456789012345678901234567890e400", 1)
        .replace(HUGE, "-18446744073709551617")
        .replace(SURROGATE, "\"\\ud800 lone\"")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn client_for(base_url: &str) -> OptimlyClient {
    OptimlyClient::builder()
        .api_key(optimly::testing::DEFAULT_KEY)
        .base_url(base_url)
        .retry_policy(RetryPolicy::never())
        .rate_limits(RateLimits::off())
        .build()
        .expect("client builds")
}

/// The mock's agent reply (spec-valid, as the contract tests prove): the docs show none.
fn agent_reply(rt: &tokio::runtime::Runtime) -> Value {
    rt.block_on(async {
        let (client, mock) = optimly::testing::start_mock().await.expect("mock");
        let chat = client.create_chat("user_456").await.expect("chat");
        let url = format!("{}/external/agent/v2", mock.base_url());
        let body = optimly_api::tls::client_builder()
            .expect("TLS setup")
            .build()
            .expect("http client")
            .post(url)
            .bearer_auth(mock.key())
            .json(&json!({"chat_id": chat.id(), "content": "I'd like a demo, jane@company.com"}))
            .send()
            .await
            .expect("sent")
            .json::<Value>()
            .await
            .expect("json");
        mock.shutdown().await;
        body
    })
}

#[test]
fn mutated_documented_responses_parse_or_give_a_typed_error() {
    let rt = runtime();
    let message = documented("P002-append-lead-data-to-an-active-chat-response-message-schema");
    let chat = documented("P002-create-a-dedicated-lead-chat-response-chat-schema-excerpt");
    let seeds: Vec<(Call, u16, Value)> = vec![
        (Call::Ask, 200, agent_reply(&rt)),
        (Call::AppendMessage, 200, message.clone()),
        (Call::History, 200, json!([message.clone(), message])),
        (Call::CreateChat, 200, chat.clone()),
        (Call::ListChats, 200, json!([chat])),
        (
            Call::HandOff,
            200,
            documented("P002-escalate-to-email-response"),
        ),
        (
            Call::AppendMessage,
            400,
            documented("P001-error-handling-common-error-responses"),
        ),
        (
            Call::History,
            422,
            documented("P001-error-handling-common-error-responses-2"),
        ),
    ];
    let server = rt
        .block_on(FaultServer::start(Reply::json(200, "{}")))
        .expect("server");
    let client = client_for(&server.base_url);
    // Every seed must parse unmutated: otherwise the property proves nothing.
    for (call, status, seed) in &seeds {
        server.set_reply(Reply::json(*status, &seed.to_string()));
        let result = rt.block_on(exercise(&client, *call));
        match status {
            200 => assert!(result.is_ok(), "{call:?}: {result:?}"),
            s => assert_eq!(result.err().and_then(|e| e.status()), Some(*s)),
        }
    }
    let mut runner = TestRunner::new(Config {
        cases: RESPONSE_CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (any::<Index>(), proptest::collection::vec(mutation(), 1..4));
    let outcome = runner.run(&strategy, |(pick, mutations)| {
        let (call, status, seed) = &seeds[pick.index(seeds.len())];
        let body = mutate(seed.clone(), &mutations);
        server.set_reply(Reply::json(*status, &body));
        acceptable(rt.block_on(exercise(&client, *call)), *status)
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// Where an optional property of a response can be: the object holding it (a JSON pointer
/// into the document), its name, and a value of a kind this version does not know, when its
/// schema is an open enum.
#[derive(Debug)]
struct Slot {
    parent: String,
    name: String,
    unknown: Option<Value>,
}

/// Every optional property the spec declares for `doc` (present in it or not), walking the
/// objects and arrays it holds.
fn optional_slots(spec: &Spec, schema: &Value, doc: &Value, at: &str, out: &mut Vec<Slot>) {
    let schema = spec.schema_behind(schema);
    if let (Some(items), Value::Array(elements)) = (schema.get("items"), doc) {
        for (i, element) in elements.iter().enumerate() {
            optional_slots(spec, items, element, &format!("{at}/{i}"), out);
        }
    }
    let required = required(schema);
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, property) in properties.into_iter().flatten() {
        let target = spec.schema_behind(property);
        if !required.contains(&name.as_str()) {
            out.push(Slot {
                parent: at.to_owned(),
                name: name.clone(),
                unknown: target
                    .get("x-extensible-enum")
                    .map(|_| json!("a_value_from_the_future")),
            });
        }
        if let Some(inner) = doc.get(name) {
            optional_slots(spec, property, inner, &format!("{at}/{name}"), out);
        }
    }
}

/// How a slot is sent.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Absent,
    Null,
    Unknown,
}

/// The document with `slots` sent as `shape`; an unknown shape also adds an extra field of a
/// kind no schema names to every object that holds a slot.
fn shaped(doc: &Value, slots: &[&Slot], shape: Shape) -> Value {
    let mut doc = doc.clone();
    for slot in slots {
        let Some(Value::Object(parent)) = doc.pointer_mut(&slot.parent) else {
            continue;
        };
        match shape {
            Shape::Absent => {
                parent.remove(&slot.name);
            }
            Shape::Null => {
                parent.insert(slot.name.clone(), Value::Null);
            }
            Shape::Unknown => {
                if let Some(v) = &slot.unknown {
                    parent.insert(slot.name.clone(), v.clone());
                }
                parent.insert("x_added_later".into(), json!({"kind": [1, null, "new"]}));
            }
        }
    }
    doc
}

#[test]
fn every_optional_field_absent_null_or_of_an_unknown_kind_parses_and_null_reads_as_absent() {
    let rt = runtime();
    let spec = Spec::from_yaml(optimly_mock::SPEC).expect("spec");
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let list = |name: &str| json!({"type": "array", "items": schema(name)});
    let message = documented("P002-append-lead-data-to-an-active-chat-response-message-schema");
    let mut answered = message.clone();
    answered["agent_response"] =
        json!({"message_id": "msg_2", "content": "Thanks!", "timestamp": "2025-06-16T10:30:00Z"});
    answered["processed"] = json!(true);
    let chat = documented("P002-create-a-dedicated-lead-chat-response-chat-schema-excerpt");
    let seeds: Vec<(Call, Value, Value)> = vec![
        (Call::Ask, schema("AgentReply"), agent_reply(&rt)),
        (Call::AppendMessage, schema("Message"), answered.clone()),
        (Call::History, list("Message"), json!([message, answered])),
        (Call::CreateChat, schema("Chat"), chat.clone()),
        (Call::ListChats, list("Chat"), json!([chat])),
        (
            Call::HandOff,
            schema("EmailHandoff"),
            documented("P002-escalate-to-email-response"),
        ),
    ];
    let server = rt
        .block_on(FaultServer::start(Reply::json(200, "{}")))
        .expect("server");
    let client = client_for(&server.base_url);
    let run = |call: Call, body: &Value| {
        server.set_reply(Reply::json(200, &body.to_string()));
        rt.block_on(exercise(&client, call))
            .unwrap_or_else(|e| panic!("{call:?} failed on {body}: {e}"))
    };
    let mut checked = 0;
    for (call, schema, seed) in &seeds {
        let mut slots = Vec::new();
        optional_slots(&spec, schema, seed, "", &mut slots);
        assert!(slots.len() >= 2, "{call:?}: {slots:?}");
        let each = slots.iter().map(|s| vec![s]);
        let all = std::iter::once(slots.iter().collect::<Vec<_>>());
        for group in each.chain(all) {
            let absent = run(*call, &shaped(seed, &group, Shape::Absent));
            let null = run(*call, &shaped(seed, &group, Shape::Null));
            run(*call, &shaped(seed, &group, Shape::Unknown));
            assert_eq!(
                null, absent,
                "{call:?}: null must read as absent: {group:?}"
            );
            checked += 3;
        }
    }
    // Six calls, each with at least two optional fields, each in turn and all at once.
    assert!(checked >= 6 * 3 * 3, "{checked}");
}

#[derive(Clone, Debug)]
struct Input {
    text: String,
    other: String,
    minutes: u32,
    timeout: Duration,
    meta_key: String,
    meta_value: i64,
}

fn input() -> impl Strategy<Value = Input> {
    (
        any::<String>(),
        prop_oneof![
            any::<String>(),
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "[0-9]{2}:[0-9]{2}",
            "[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}",
        ],
        any::<u32>(),
        prop_oneof![
            Just(Duration::MAX),
            (0..5_000u64).prop_map(Duration::from_millis)
        ],
        any::<String>(),
        any::<i64>(),
    )
        .prop_map(
            |(text, other, minutes, timeout, meta_key, meta_value)| Input {
                text,
                other,
                minutes,
                timeout,
                meta_key,
                meta_value,
            },
        )
}

/// Whether an error is one that arbitrary input may earn: refused locally, refused by the
/// server's validation, an unknown chat, or a deadline of a few milliseconds. A connection,
/// decode, auth or server error would mean the SDK sent something malformed.
fn expected_for_bad_input(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::RefusedLocally { .. }
            | ErrorKind::RefusedByServer { .. }
            | ErrorKind::NotFound
            | ErrorKind::Timeout { .. }
    )
}

/// Every builder and call with the input, against the mock; the errors that bad input must
/// not cause.
async fn feed(client: &OptimlyClient, i: &Input) -> Vec<String> {
    let options = RequestOptions::new().timeout(i.timeout);
    let mut results: Vec<Result<(), Error>> = Vec::new();
    // Building a client only configures: its errors are `Config`, never a panic.
    for built in [
        OptimlyClient::builder().api_key(i.text.as_str()).build(),
        OptimlyClient::builder()
            .api_key(optimly::testing::DEFAULT_KEY)
            .base_url(i.other.as_str())
            .build(),
    ] {
        if let Err(e) = built
            && !matches!(e.kind(), ErrorKind::Config { .. })
        {
            results.push(Err(e));
        }
    }
    results.push(
        client
            .create_chat(i.text.as_str())
            .meta(i.meta_key.as_str(), i.meta_value)
            .await
            .map(drop),
    );
    results.push(
        client
            .append_message(
                i.text.as_str(),
                Sender::Unknown(i.other.clone()),
                i.other.as_str(),
            )
            .options(options.clone())
            .await
            .map(drop),
    );
    results.push(
        client
            .ask(i.text.as_str(), i.other.as_str())
            .options(options.clone())
            .await
            .map(drop),
    );
    results.push(client.history(i.text.as_str()).await.map(drop));
    results.push(client.list_chats(i.other.as_str()).await.map(drop));
    let lead = Lead {
        full_name: Some(i.text.as_str().into()),
        phone: Some(i.text.as_str().into()),
        ..Lead::new(i.other.as_str())
    };
    results.push(
        client
            .capture_lead(i.text.as_str(), &lead)
            .meta(i.meta_key.as_str(), i.meta_value)
            .await
            .map(drop),
    );
    let appointment = AppointmentRequest {
        duration_minutes: i.minutes,
        timezone: Some(i.text.as_str().into()),
        ..AppointmentRequest::new(
            i.text.as_str(),
            i.other.as_str(),
            i.other.as_str(),
            i.other.as_str(),
        )
    };
    results.push(
        client
            .request_appointment(i.text.as_str(), &appointment)
            .options(options.clone())
            .await
            .map(drop),
    );
    let handoff = EmailHandoff {
        customer_email: Some(i.other.as_str().into()),
        reason: Some(i.text.as_str().into()),
        urgency: Some(i.other.parse().unwrap_or(Urgency::High)),
        ..EmailHandoff::default()
    };
    results.push(
        client
            .hand_off(i.text.as_str(), &handoff)
            .options(options)
            .await
            .map(drop),
    );
    results.push(client.resume_conversation(i.text.as_str()).map(drop));
    results
        .into_iter()
        .filter_map(Result::err)
        .filter(|e| !expected_for_bad_input(e))
        .map(|e| format!("{e:?}"))
        .collect()
}

#[test]
fn arbitrary_builder_input_never_panics() {
    let rt = runtime();
    let (client, mock) = rt
        .block_on(async {
            let mock = optimly_mock::start(optimly::testing::MockConfig {
                rate_limits: false,
                ..optimly::testing::MockConfig::default()
            })
            .await?;
            let client = OptimlyClient::builder()
                .api_key(mock.key())
                .base_url(mock.base_url())
                .rate_limits(RateLimits::off())
                .retry_policy(RetryPolicy::never())
                .build()
                .map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>((client, mock))
        })
        .expect("mock starts");
    let client = Arc::new(client);
    let mut runner = TestRunner::new(Config {
        cases: INPUT_CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&input(), |i| {
        let unexpected = rt.block_on(feed(&client, &i));
        prop_assert!(unexpected.is_empty(), "{:?}", unexpected);
        Ok(())
    });
    rt.block_on(mock.shutdown());
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
