//! Routes (one per operation description), the request gate (faults, auth, rate limits,
//! log) and the in-memory state.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get, on};
use optimly_api::operations::{self, OperationId};
use optimly_api::{Operation, types};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::agent;
use crate::limits::{Limiter, Limits};
use crate::spec::{RequestValidator, Spec};
use crate::{Faults, MockConfig};

/// The largest request body accepted, in bytes.
const MAX_BODY: usize = 256 * 1024;

/// The log keeps the last this many requests, so a long soak does not grow it without bound.
pub const REQUEST_LOG_CAPACITY: usize = 10_000;

/// One request to `/external/*`, as the log keeps it (never the key).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RequestRecord {
    /// Its number, from 1.
    pub n: u64,
    /// HTTP method.
    pub method: String,
    /// Path, without the query (which may hold the key).
    pub path: String,
    /// How the request presented a key: `bearer`, `header`, `query` or `none`.
    pub auth: &'static str,
    /// The status answered.
    pub status: u16,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Captured {
    pub leads: Vec<Value>,
    pub appointments: Vec<Value>,
    pub handoffs: Vec<Value>,
}

#[derive(Debug)]
struct ChatRecord {
    chat: types::Chat,
    messages: Vec<types::Message>,
}

#[derive(Debug, Default)]
struct Store {
    chats: BTreeMap<String, ChatRecord>,
    next_id: u64,
    captured: Captured,
}

impl Store {
    /// Whether the chat exists; with `ad_hoc`, an unknown one is created first (its client
    /// unknown), so it always does.
    fn knows(&mut self, chat_id: &str, ad_hoc: bool) -> bool {
        if ad_hoc && !self.chats.contains_key(chat_id) {
            let chat = types::Chat {
                chat_id: chat_id.to_owned(),
                agent_id: Some("agent_mock".into()),
                client_id: None,
                ai_enabled: Some(true),
                lead_collected: Some(false),
                status: Some(types::ChatStatus::Active),
                metadata: None,
                created_at: Some(now()),
                last_activity: None,
                message_count: None,
            };
            self.chats.insert(
                chat_id.to_owned(),
                ChatRecord {
                    chat,
                    messages: Vec::new(),
                },
            );
        }
        self.chats.contains_key(chat_id)
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{}", self.next_id)
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    config: MockConfig,
    spec: Spec,
    /// Each operation's request-body validator, compiled once at start-up.
    validators: BTreeMap<OperationId, RequestValidator>,
    /// Each operation's success schema, whose unset optional fields are sent as `null`.
    responses: BTreeMap<OperationId, Value>,
    limits: Limits,
    limiter: Mutex<Limiter>,
    store: Mutex<Store>,
    log: Mutex<VecDeque<RequestRecord>>,
    counter: AtomicU64,
    rng: Mutex<fastrand::Rng>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(config: MockConfig) -> Result<Self, String> {
        let spec = Spec::from_yaml(crate::SPEC)?;
        let mut validators = BTreeMap::new();
        let mut responses = BTreeMap::new();
        for op in operations::ALL {
            let described = spec
                .operations()
                .into_iter()
                .find(|o| o.id == op.name())
                .ok_or_else(|| format!("the embedded spec has no operation {op}"))?;
            if let Some(schema) = described.request_schema() {
                let validator = RequestValidator::new(&spec.json_schema(schema, false))?;
                validators.insert(op.id, validator);
            }
            if let Some(schema) = described.response_schema(&spec, 200) {
                responses.insert(op.id, schema.clone());
            }
        }
        let limits = Limits::documented(config.rate_limit_scale, config.rate_limit_window_scale);
        let rng = fastrand::Rng::with_seed(config.faults.seed);
        Ok(Self {
            config,
            spec,
            validators,
            responses,
            limits,
            limiter: Mutex::default(),
            store: Mutex::default(),
            log: Mutex::default(),
            counter: AtomicU64::new(0),
            rng: Mutex::new(rng),
        })
    }

    pub(crate) fn captured(&self) -> Captured {
        lock(&self.store).captured.clone()
    }

    pub(crate) fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.log).iter().cloned().collect()
    }

    pub(crate) fn message_count(&self, chat_id: &str) -> Option<usize> {
        lock(&self.store)
            .chats
            .get(chat_id)
            .map(|c| c.messages.len())
    }

    fn faults(&self) -> &Faults {
        &self.config.faults
    }
}

/// One route per operation of the spec, each at its documented method and path, plus the
/// inspection routes.
pub(crate) fn router(shared: Arc<Shared>) -> Result<Router, String> {
    let mut app = Router::new();
    for op in operations::ALL {
        app = app.route(&axum_path(op.path), endpoint(op)?);
    }
    let app = app
        .route(
            "/_mock/leads",
            get(|State(s): State<Arc<Shared>>| async move { axum::Json(s.captured().leads) }),
        )
        .route(
            "/_mock/appointments",
            get(
                |State(s): State<Arc<Shared>>| async move { axum::Json(s.captured().appointments) },
            ),
        )
        .route(
            "/_mock/handoffs",
            get(|State(s): State<Arc<Shared>>| async move { axum::Json(s.captured().handoffs) }),
        )
        .route(
            "/_mock/requests",
            get(|State(s): State<Arc<Shared>>| async move { axum::Json(s.requests()) }),
        )
        .fallback(unknown_route)
        .method_not_allowed_fallback(|| async {
            detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        })
        .with_state(shared);
    Ok(app)
}

/// A path no route serves. With its trailing slash removed it may name an operation: FastAPI
/// then redirects (`307`) to that path, keeping the query, with a `Location` built from the
/// request's `Host` (`http`, as behind a proxy that does not pass the scheme). Otherwise
/// Starlette's `404 {"detail":"Not Found"}`.
async fn unknown_route(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    let canonical = path.strip_suffix('/').filter(|p| !p.is_empty());
    let served = canonical.is_some_and(|p| shared.spec.route(method.as_str(), p).is_some());
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (canonical, host) {
        (Some(canonical), Some(host)) if served => {
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let location = format!("http://{host}{canonical}{query}");
            match HeaderValue::from_str(&location) {
                Ok(location) => (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(header::LOCATION, location)],
                )
                    .into_response(),
                Err(_) => detail(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        _ => detail(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// The spec's path template in axum's syntax: every `{name}` becomes `{p<segment>}`, since
/// axum refuses two routes naming the parameter of one segment differently
/// (`/external/chat/{chat_id}/messages` beside `/external/chat/{client_id}/chats`).
fn axum_path(template: &str) -> String {
    template
        .split('/')
        .enumerate()
        .map(|(i, segment)| {
            if segment.starts_with('{') {
                format!("{{p{i}}}")
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The route of one operation: its method, and [`serve`] for it.
fn endpoint(op: &'static Operation) -> Result<MethodRouter<Arc<Shared>>, String> {
    let filter = Method::from_bytes(op.method.as_str().as_bytes())
        .ok()
        .and_then(|m| MethodFilter::try_from(m).ok())
        .ok_or_else(|| format!("{op}: axum cannot route the method {}", op.method))?;
    Ok(on(
        filter,
        move |State(shared): State<Arc<Shared>>, request: Request| serve(shared, op, request),
    ))
}

/// What an operation's handler gets: the request's parts (for path parameters) and its JSON
/// body, read and parsed once.
struct Incoming {
    parts: Parts,
    body: Option<Result<Value, serde_json::Error>>,
}

impl Incoming {
    /// The one path parameter of a `GET` operation.
    async fn path_parameter(&mut self) -> String {
        Path::<String>::from_request_parts(&mut self.parts, &())
            .await
            .map(|Path(p)| p)
            .unwrap_or_default()
    }

    /// The `chat_id` of the body, for limits counted per chat.
    fn chat_id(&self) -> &str {
        match &self.body {
            Some(Ok(value)) => value.get("chat_id").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        }
    }

    /// `metadata.form_type`, which says whether a message performs a limited action.
    fn form_type(&self) -> Option<&str> {
        match &self.body {
            Some(Ok(value)) => value.pointer("/metadata/form_type").and_then(Value::as_str),
            _ => None,
        }
    }
}

/// The operation's own work, once the gate let the request through.
async fn dispatch(shared: &Shared, op: &'static Operation, mut incoming: Incoming) -> Response {
    match op.id {
        OperationId::CallAgent | OperationId::CallAgentV2 | OperationId::CallAgentV3 => {
            ask(shared, op, incoming.body)
        }
        OperationId::CreateChat | OperationId::NewChat => create(shared, op, incoming.body),
        OperationId::ListChatMessages => {
            list_chat_messages(shared, &incoming.path_parameter().await)
        }
        OperationId::ListClientChats => list_client_chats(shared, &incoming.path_parameter().await),
        OperationId::NewMessage => new_message(shared, op, incoming.body),
        OperationId::EmailHandoff => email_handoff(shared, op, incoming.body),
        // An operation a newer spec added and this mock does not play yet (the operation ids
        // are non-exhaustive; `every_operation_is_played` in the tests keeps this empty).
        _ => error(
            StatusCode::NOT_IMPLEMENTED,
            "Not Implemented",
            &format!("the mock does not play `{}`", op.name()),
        ),
    }
}

/// What FastAPI's `HTTPException` sends: `{"detail": "..."}`.
fn detail(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({"detail": text}))).into_response()
}

/// Starlette's answer to an exception nothing handled: plain text.
fn internal_server_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Internal Server Error",
    )
        .into_response()
}

/// The tools page's error shape: `{"error", "detail", "status_code"}`.
fn error(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({"error": title, "detail": detail, "status_code": status.as_u16()});
    (status, axum::Json(body)).into_response()
}

/// FastAPI's validation shape: `{"detail": [{"type", "loc", "msg", "input"}]}`.
fn validation(items: Vec<Value>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({"detail": items})),
    )
        .into_response()
}

fn with_retry_after(mut response: Response, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// How the request presents a key, and whether it is the right one.
fn authenticate(headers: &HeaderMap, uri: &axum::http::Uri, key: &str) -> (&'static str, bool) {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let given = value.strip_prefix("Bearer ").unwrap_or_default();
        return ("bearer", given == key);
    }
    if let Some(value) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return ("header", value == key);
    }
    let from_query = axum::extract::Query::<BTreeMap<String, String>>::try_from_uri(uri)
        .ok()
        .and_then(|q| q.0.get("access_token_query").cloned());
    match from_query {
        Some(given) => ("query", given == key),
        None => ("none", false),
    }
}

/// Every request to an operation: numbering, faults, auth, the body, rate limits, the
/// operation itself, the log.
async fn serve(shared: Arc<Shared>, op: &'static Operation, request: Request) -> Response {
    let n = shared.counter.fetch_add(1, Ordering::SeqCst) + 1;
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let (auth, authorised) = authenticate(request.headers(), request.uri(), &shared.config.key);
    let started = Instant::now();
    let response = answer(&shared, op, n, request, (auth, authorised)).await;
    let status = response.status().as_u16();
    tracing::info!(target: "optimly_mock", "{method} {path} {status} {}ms", started.elapsed().as_millis());
    let mut log = lock(&shared.log);
    if log.len() >= REQUEST_LOG_CAPACITY {
        log.pop_front();
    }
    log.push_back(RequestRecord {
        n,
        method: method.to_string(),
        path,
        auth,
        status,
    });
    response
}

async fn answer(
    shared: &Shared,
    op: &'static Operation,
    n: u64,
    request: Request,
    (presented, authorised): (&str, bool),
) -> Response {
    let faults = shared.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.drop_on == Some(n) {
        return dropped_connection();
    }
    if faults.status_on.get(&n) == Some(&500) {
        return internal_server_error();
    }
    if let Some(&code) = faults.status_on.get(&n) {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let response = error(
            status,
            status.canonical_reason().unwrap_or("Injected"),
            &format!("injected fault on request {n}"),
        );
        return if matches!(code, 429 | 503) {
            with_retry_after(response, Duration::from_secs(1))
        } else {
            response
        };
    }
    if faults.error_rate > 0.0 && lock(&shared.rng).f64() < faults.error_rate {
        return internal_server_error();
    }
    match presented {
        // FastAPI's security classes answer a request without credentials themselves.
        "none" => return detail(StatusCode::FORBIDDEN, "Not authenticated"),
        _ if !authorised => return detail(StatusCode::UNAUTHORIZED, "Invalid API key"),
        _ => {}
    }
    let (parts, body) = request.into_parts();
    // A client that stalls mid-body gets a 408 instead of holding a task forever.
    let read = tokio::time::timeout(
        shared.config.body_timeout,
        axum::body::to_bytes(body, MAX_BODY),
    );
    let bytes = match read.await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload Too Large",
                &format!("bodies are limited to {MAX_BODY} bytes"),
            );
        }
        Err(_) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "Request Timeout",
                &format!(
                    "the body did not arrive within {} ms",
                    shared.config.body_timeout.as_millis()
                ),
            );
        }
    };
    let body = (!bytes.is_empty() || shared.validators.contains_key(&op.id))
        .then(|| serde_json::from_slice::<Value>(&bytes));
    let incoming = Incoming { parts, body };
    if shared.config.rate_limits
        && let Err(wait) =
            // tokio's clock, so a mock in a test under paused time counts in the test's time.
            lock(&shared.limiter).admit(
                &shared.limits,
                op,
                incoming.chat_id(),
                incoming.form_type(),
                tokio::time::Instant::now().into_std(),
            )
    {
        let response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
            "rate limit exceeded",
        );
        // No page promises `Retry-After`, so by default the mock sends none.
        return if shared.config.retry_after {
            with_retry_after(response, wait)
        } else {
            response
        };
    }
    let response = dispatch(shared, op, incoming).await;
    if response.status() == StatusCode::OK {
        unset_as_null(shared, op, response).await
    } else {
        response
    }
}

/// A success body as FastAPI serialises its response model: every optional field the
/// handler left unset is `null`.
async fn unset_as_null(shared: &Shared, op: &Operation, response: Response) -> Response {
    let Some(schema) = shared.responses.get(&op.id) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return internal_server_error();
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    shared.spec.unset_as_null(schema, &mut value);
    let mut response = axum::Json(value).into_response();
    *response.status_mut() = parts.status;
    response
}

/// A 200 whose body breaks off: the client sees the connection cut mid-response.
fn dropped_connection() -> Response {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"{\"chat_id\": \"chat_")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected drop",
        )),
    ];
    let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Check a body against the operation's request schema, then parse it into the generated type.
/// The error is boxed: a `Response` is large and this is the common path.
fn parse_body<T: DeserializeOwned>(
    shared: &Shared,
    op: &Operation,
    body: Option<Result<Value, serde_json::Error>>,
) -> Result<T, Box<Response>> {
    let value = match body {
        Some(Ok(value)) => value,
        Some(Err(e)) => {
            return Err(Box::new(validation(vec![
                json!({"type": "json_invalid", "loc": ["body", e.column()], "msg": "JSON decode error", "input": {}, "ctx": {"error": e.to_string()}}),
            ])));
        }
        None => Value::Null,
    };
    let found = shared
        .validators
        .get(&op.id)
        .map(|v| v.issues(&value))
        .unwrap_or_default();
    if !found.is_empty() {
        return Err(Box::new(validation(
            found
                .into_iter()
                .map(|i| json!({"type": i.kind, "loc": i.loc, "msg": i.msg, "input": i.input}))
                .collect(),
        )));
    }
    serde_json::from_value(value.clone()).map_err(|e| {
        Box::new(validation(vec![
            json!({"type": "value_error", "loc": ["body"], "msg": e.to_string(), "input": value}),
        ]))
    })
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An unknown chat, as a FastAPI handler raises it (`HTTPException(404, ...)`).
fn not_found(what: &str, id: &str) -> Response {
    detail(StatusCode::NOT_FOUND, &format!("{what} {id} not found"))
}

fn json_response<T: Serialize>(value: &T) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

// ---- chats

type JsonBody = Option<Result<Value, serde_json::Error>>;

fn create(shared: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::ChatBase = match parse_body(shared, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&shared.store);
    let chat_id = store.id("chat");
    let chat = types::Chat {
        chat_id: chat_id.clone(),
        agent_id: Some("agent_mock".into()),
        client_id: Some(body.client_id),
        ai_enabled: Some(body.ai_enabled),
        lead_collected: Some(body.lead_collected.unwrap_or(false)),
        status: Some(types::ChatStatus::Active),
        metadata: body.metadata,
        created_at: Some(now()),
        last_activity: None,
        message_count: None,
    };
    store.chats.insert(
        chat_id,
        ChatRecord {
            chat: chat.clone(),
            messages: Vec::new(),
        },
    );
    json_response(&chat)
}

fn list_client_chats(s: &Shared, client_id: &str) -> Response {
    let store = lock(&s.store);
    let chats: Vec<types::Chat> = store
        .chats
        .values()
        .filter(|c| c.chat.client_id.as_deref() == Some(client_id))
        .map(|c| {
            let mut chat = c.chat.clone();
            chat.message_count = i64::try_from(c.messages.len()).ok();
            chat.last_activity = c
                .messages
                .last()
                .and_then(|m| m.created_at.clone())
                .or(chat.created_at.clone());
            chat
        })
        .collect();
    json_response(&chats)
}

/// A chat's messages, each with its time as `timestamp`, as the chat management page shows
/// them (the new-message reply has it as `created_at`, as the automations page shows it).
fn list_chat_messages(s: &Shared, chat_id: &str) -> Response {
    let mut store = lock(&s.store);
    store.knows(chat_id, s.config.ad_hoc_chats);
    match store.chats.get(chat_id) {
        Some(chat) => {
            let listed: Vec<types::Message> = chat
                .messages
                .iter()
                .cloned()
                .map(|mut m| {
                    m.timestamp = m.created_at.take();
                    m
                })
                .collect();
            json_response(&listed)
        }
        None => not_found("chat", chat_id),
    }
}

/// An appointment request's date and time, when they are before now (UTC: the time zone a
/// request may name is not looked up).
fn in_the_past(metadata: Option<&types::Metadata>) -> bool {
    let field = |k: &str| metadata.and_then(|m| m.get(k)).and_then(Value::as_str);
    let Some(Ok(date)) = field("date").map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"))
    else {
        return false;
    };
    let time = field("time")
        .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
        .unwrap_or(chrono::NaiveTime::MIN);
    date.and_time(time) < chrono::Utc::now().naive_utc()
}

// ---- messages and the agent

fn message(
    store: &mut Store,
    chat_id: &str,
    sender: types::Sender,
    content: &str,
    metadata: Option<types::Metadata>,
) -> types::Message {
    types::Message {
        message_id: store.id("msg"),
        chat_id: Some(chat_id.to_owned()),
        sender: Some(sender),
        content: Some(content.to_owned()),
        metadata,
        created_at: Some(now()),
        timestamp: None,
        processed: None,
        agent_response: None,
    }
}

/// The agent answers a user message: the reply is stored, and every tool it ran is captured,
/// except the one the message itself already `recorded`.
fn agent_turn(
    store: &mut Store,
    chat_id: &str,
    content: &str,
    recorded: Option<&types::ToolName>,
) -> (types::Message, agent::Outcome, Option<Map<String, Value>>) {
    let outcome = agent::respond(content);
    let reply = message(
        store,
        chat_id,
        types::Sender::Assistant,
        &outcome.text,
        None,
    );
    let mut handoff_data = None;
    for (tool, data) in &outcome.tools {
        if Some(tool) == recorded {
            continue;
        }
        let record = json!({"chat_id": chat_id, "source": "agent", "data": data});
        match tool {
            types::ToolName::LeadCapture => store.captured.leads.push(record),
            types::ToolName::Appointment => store.captured.appointments.push(record),
            _ => {
                let handoff_id = store.id("handoff");
                let reason = outcome.handoff_reason.clone().unwrap_or_default();
                let mut h = Map::new();
                h.insert("handoff_id".into(), json!(handoff_id));
                h.insert("status".into(), json!("queued"));
                h.insert("reason".into(), json!(reason));
                store.captured.handoffs.push(json!({"chat_id": chat_id, "source": "agent", "handoff_id": handoff_id, "reason": reason}));
                handoff_data = Some(h);
            }
        }
    }
    if let Some(record) = store.chats.get_mut(chat_id) {
        record.messages.push(reply.clone());
    }
    (reply, outcome, handoff_data)
}

fn ask(shared: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::AgentRequest = match parse_body(shared, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&shared.store);
    if !store.knows(&body.chat_id, shared.config.ad_hoc_chats) {
        return not_found("chat", &body.chat_id);
    }
    let user = message(
        &mut store,
        &body.chat_id,
        types::Sender::User,
        &body.content,
        body.metadata,
    );
    if let Some(record) = store.chats.get_mut(&body.chat_id) {
        record.messages.push(user);
    }
    let (reply, outcome, handoff_data) = agent_turn(&mut store, &body.chat_id, &body.content, None);
    let tools: Vec<Value> = outcome
        .tools
        .iter()
        .map(|(tool, data)| json!({"tool": tool.as_str(), "status": "executed", "data": data}))
        .collect();
    json_response(&json!({
        "agent_id": "agent_mock",
        "chat_id": body.chat_id,
        "response": outcome.text,
        "message_id": reply.message_id,
        "timestamp": reply.created_at,
        // Unset when no tool ran, so sent as null, as a FastAPI server sends it.
        "tools_executed": (!tools.is_empty()).then_some(tools),
        "handoff_data": handoff_data,
        "metadata": {"processing_time": 0.0, "tokens_used": body.content.split_whitespace().count(), "knowledge_chunks_used": 0}
    }))
}

fn new_message(s: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::MessageCore = match parse_body(s, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&s.store);
    store.knows(&body.chat_id, s.config.ad_hoc_chats);
    let Some(ai_enabled) = store
        .chats
        .get(&body.chat_id)
        .map(|c| c.chat.ai_enabled != Some(false))
    else {
        return not_found("chat", &body.chat_id);
    };
    let form_type = body
        .metadata
        .as_ref()
        .and_then(|m| m.get("form_type"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let appointment =
        form_type.is_some() && form_type.as_deref() == operations::REQUEST_APPOINTMENT.form_type();
    // The tools page's example of a tool that fails: an appointment in the past.
    if appointment && in_the_past(body.metadata.as_ref()) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Tool execution failed",
            "Unable to schedule appointment for past date",
        );
    }
    let mut stored = message(
        &mut store,
        &body.chat_id,
        types::Sender::from(body.sender.to_string()),
        &body.content,
        body.metadata.clone(),
    );
    let record = json!({
        "chat_id": body.chat_id, "source": "message", "message_id": stored.message_id,
        "sender": body.sender, "content": body.content, "metadata": body.metadata
    });
    match form_type.as_deref() {
        Some("lead_capture") => {
            store.captured.leads.push(record);
            // A lead message marks its chat as having collected a lead.
            if let Some(chat) = store.chats.get_mut(&body.chat_id) {
                chat.chat.lead_collected = Some(true);
            }
        }
        _ if appointment => store.captured.appointments.push(record),
        _ => {}
    }
    if let Some(chat) = store.chats.get_mut(&body.chat_id) {
        chat.messages.push(stored.clone());
    }
    // "Triggers response generation if the sender is the user."
    if body.sender == types::NewMessageSender::User && ai_enabled {
        // An appointment request the message itself recorded is not recorded again when
        // the agent, reading it, runs its appointment tool.
        let recorded = appointment.then_some(&types::ToolName::Appointment);
        let (reply, _, _) = agent_turn(&mut store, &body.chat_id, &body.content, recorded);
        stored.processed = Some(true);
        stored.agent_response = Some(types::AgentResponse {
            message_id: Some(reply.message_id),
            content: reply.content,
            timestamp: reply.created_at,
        });
    }
    json_response(&stored)
}

fn email_handoff(s: &Shared, op: &Operation, body: JsonBody) -> Response {
    let body: types::EmailHandoffRequest = match parse_body(s, op, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let mut store = lock(&s.store);
    if !store.knows(&body.chat_id, s.config.ad_hoc_chats) {
        return not_found("chat", &body.chat_id);
    }
    let handoff_id = store.id("handoff");
    store.captured.handoffs.push(json!({
        "chat_id": body.chat_id, "source": "request", "handoff_id": handoff_id,
        "customer_email": body.customer_email, "reason": body.reason, "context": body.context, "metadata": body.metadata
    }));
    json_response(&types::EmailHandoff {
        handoff_id,
        status: Some(types::HandoffStatus::Queued),
        chat_id: Some(body.chat_id),
    })
}
