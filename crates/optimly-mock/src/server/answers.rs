//! The bodies the mock answers with: FastAPI's `{"detail"}`, its 422 list, Starlette's
//! plain-text 500, and the tools page's `{"error", "detail", "status_code"}`.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What FastAPI's `HTTPException` sends: `{"detail": "..."}`.
pub(super) fn detail(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({"detail": text}))).into_response()
}

/// Starlette's answer to an exception nothing handled: plain text.
pub(super) fn internal_server_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Internal Server Error",
    )
        .into_response()
}

/// The tools page's error shape: `{"error", "detail", "status_code"}`.
pub(super) fn error(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({"error": title, "detail": detail, "status_code": status.as_u16()});
    (status, axum::Json(body)).into_response()
}

/// FastAPI's validation shape: `{"detail": [{"type", "loc", "msg", "input"}]}`.
pub(super) fn validation(items: Vec<Value>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({"detail": items})),
    )
        .into_response()
}
