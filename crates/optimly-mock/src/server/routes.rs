//! One route per operation description, the inspection routes under `/_mock`, and FastAPI's
//! answers to a route or method that does not exist.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get, on};
use optimly_api::Operation;
use optimly_api::operations::{self, OperationId};
use serde_json::Value;

use super::answers::*;
use super::gate::*;
use super::handlers::*;
use super::store::*;

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
pub(super) async fn unknown_route(
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
pub(super) fn axum_path(template: &str) -> String {
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
pub(super) fn endpoint(op: &'static Operation) -> Result<MethodRouter<Arc<Shared>>, String> {
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
pub(super) struct Incoming {
    pub(super) parts: Parts,
    pub(super) body: Option<Result<Value, serde_json::Error>>,
}

impl Incoming {
    /// The one path parameter of a `GET` operation.
    pub(super) async fn path_parameter(&mut self) -> String {
        Path::<String>::from_request_parts(&mut self.parts, &())
            .await
            .map(|Path(p)| p)
            .unwrap_or_default()
    }

    /// The `chat_id` of the body, for limits counted per chat.
    pub(super) fn chat_id(&self) -> &str {
        match &self.body {
            Some(Ok(value)) => value.get("chat_id").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        }
    }

    /// `metadata.form_type`, which says whether a message performs a limited action.
    pub(super) fn form_type(&self) -> Option<&str> {
        match &self.body {
            Some(Ok(value)) => value.pointer("/metadata/form_type").and_then(Value::as_str),
            _ => None,
        }
    }
}

/// The operation's own work, once the gate let the request through.
pub(super) async fn dispatch(
    shared: &Shared,
    op: &'static Operation,
    mut incoming: Incoming,
) -> Response {
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
