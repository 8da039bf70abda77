//! What every request to an operation passes before the operation itself: faults, auth, the
//! body, rate limits, and the log; and FastAPI's serialisation of what it answers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use optimly_api::Operation;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::answers::*;
use super::routes::*;
use super::store::*;

/// The largest request body accepted, in bytes.
pub(super) const MAX_BODY: usize = 256 * 1024;
pub(super) fn with_retry_after(mut response: Response, wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// How the request presents a key, and whether it is the right one.
pub(super) fn authenticate(
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    key: &str,
) -> (&'static str, bool) {
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
pub(super) async fn serve(
    shared: Arc<Shared>,
    op: &'static Operation,
    request: Request,
) -> Response {
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

pub(super) async fn answer(
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
pub(super) async fn unset_as_null(shared: &Shared, op: &Operation, response: Response) -> Response {
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
pub(super) fn dropped_connection() -> Response {
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
pub(super) fn parse_body<T: DeserializeOwned>(
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
