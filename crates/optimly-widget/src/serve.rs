//! Serving an app with the widget on the public internet: each connection's client address
//! for the per-address limits, and a header timeout that also closes idle connections.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long a client may take to send a request's headers: 10 seconds. hyper starts this
/// clock whenever a connection waits for a request, so a kept-alive connection left idle is
/// closed after it too. (The body's own timeout is the widget's
/// [`body_timeout`](crate::WidgetBuilder::body_timeout).)
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve `app` (your routes with the widget's) on `listener` over HTTP/1.1 until the task is
/// dropped: each request carries its connection's peer address (`ConnectInfo<SocketAddr>`,
/// which the widget's per-address limits need), and a client that does not send a whole
/// request head within `header_timeout` (a dripping client, or an idle kept-alive connection)
/// is disconnected.
///
/// ```no_run
/// # async fn run(widget: optimly_widget::Widget) -> std::io::Result<()> {
/// let app = axum::Router::new().merge(widget.router());
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
/// optimly_widget::serve(listener, app, optimly_widget::DEFAULT_HEADER_TIMEOUT).await
/// # }
/// ```
///
/// With `axum::serve` instead, serve
/// `app.into_make_service_with_connect_info::<SocketAddr>()`; it has no header timeout.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
) -> std::io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors, a connection reset before it was accepted: the
            // listener itself is fine.
            Err(e) => {
                tracing::warn!(error = %e, "optimly-widget: accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(peer));
            let app = app.clone();
            async move {
                Ok::<_, Infallible>(
                    app.oneshot(request.map(axum::body::Body::new))
                        .await
                        .unwrap_or_else(|never| match never {}),
                )
            }
        });
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "optimly-widget: connection closed");
            }
        });
    }
}
