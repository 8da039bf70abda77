//! The widget itself: one script and one stylesheet, no build step, no framework.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

const SCRIPT: &str = include_str!("../assets/widget.js");
const STYLESHEET: &str = include_str!("../assets/widget.css");
const DEMO_PAGE: &str = include_str!("../assets/demo.html");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// The headers every answer carries: no type sniffing, no referrer, and `csp` (which says
/// who may frame it).
pub(crate) fn secure(headers: &mut HeaderMap, csp: HeaderValue) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
}

/// `GET /optimly/widget.js`
pub(crate) async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// A page with the widget embedded, for trying it (`optimly widget` serves it at `/`):
/// mount it where you like, `Router::new().route("/", get(optimly_widget::demo_page))`.
/// It loads the widget from its own origin and may be framed only by it.
pub async fn demo_page() -> Response {
    let mut response = asset(DEMO_PAGE, "text/html; charset=utf-8");
    // Its own small stylesheet is inline; everything else comes from its origin.
    let csp = "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'";
    secure(response.headers_mut(), HeaderValue::from_static(csp));
    response
}

/// `GET /optimly/widget.css`
pub(crate) async fn stylesheet() -> Response {
    asset(STYLESHEET, "text/css; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The script writes every text with `textContent`: nothing it shows is parsed as HTML.
    #[test]
    fn the_script_never_parses_text_as_html() {
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!SCRIPT.contains(sink), "widget.js uses {sink}");
        }
        assert!(SCRIPT.contains("textContent"));
    }
}
