//! The hand-written hooks of the generated client: credentials on every request, a bound on
//! how much of a response is read, and no error response that loses its status code.
//!
//! This `ClientHooks` impl has to live in this crate: the generated `Client` is defined here,
//! and the orphan rule forbids implementing progenitor's trait for it anywhere else.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use http_body_util::{BodyExt, LengthLimitError, Limited};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::Client;
use crate::auth::{Auth, Prepared};

/// What the generated [`Client`] carries besides its HTTP client and base URL.
///
/// ```
/// use optimly_api::{Auth, Client, Context};
///
/// let client = Client::new("https://api.optimly.io", Context::new(Auth::bearer("agt_…")));
/// ```
///
/// Its credentials are shared by every clone of the context (and so of the client): a key
/// set with [`set_auth`](Self::set_auth) is what every clone presents from its next request.
#[derive(Clone, Default)]
pub struct Context {
    credentials: Arc<RwLock<Credentials>>,
    max_response_bytes: Option<u64>,
}

/// How the key is presented, and the header (or query) prepared from it once.
#[derive(Default)]
struct Credentials {
    auth: Auth,
    prepared: Prepared,
}

impl Credentials {
    fn of(auth: Auth) -> Self {
        Self {
            prepared: Prepared::of(&auth),
            auth,
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("auth", &self.auth())
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl Context {
    /// A context that presents the key as `auth` says, with no bound on response size.
    pub fn new(auth: Auth) -> Self {
        Self {
            credentials: Arc::new(RwLock::new(Credentials::of(auth))),
            max_response_bytes: None,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Credentials> {
        self.credentials
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How the API key is presented.
    pub fn auth(&self) -> Auth {
        self.read().auth.clone()
    }

    /// Present another key (or the same key another way) from the next request on, in this
    /// context and every clone of it: a running client switches keys without being rebuilt.
    pub fn set_auth(&self, auth: Auth) {
        let fresh = Credentials::of(auth);
        *self
            .credentials
            .write()
            .unwrap_or_else(PoisonError::into_inner) = fresh;
    }

    /// The most bytes of a response body read; a longer body fails with a
    /// [`ResponseTooLarge`] as the cause of the body error. `None`: no bound.
    pub fn max_response_bytes(&self) -> Option<u64> {
        self.max_response_bytes
    }

    /// Bound the bytes read of any response body.
    pub fn with_max_response_bytes(mut self, limit: Option<u64>) -> Self {
        self.max_response_bytes = limit;
        self
    }
}

/// A response body was longer than [`Context::max_response_bytes`]: reading stopped at the
/// limit. Found as the source of the `reqwest::Error` that reading the body returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "response body exceeds the {}-byte limit", self.limit)
    }
}

impl std::error::Error for ResponseTooLarge {}

/// The response with its body cut off, with a [`ResponseTooLarge`] error, past `limit` bytes.
/// The body still streams: nothing is buffered here.
fn limited(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let (parts, body) = http::Response::from(response).into_parts();
    let max = usize::try_from(limit).unwrap_or(usize::MAX);
    let body = Limited::new(body, max).map_err(move |e| {
        if e.is::<LengthLimitError>() {
            Box::new(ResponseTooLarge { limit }) as Box<dyn std::error::Error + Send + Sync>
        } else {
            e
        }
    });
    reqwest::Response::from(http::Response::from_parts(parts, reqwest::Body::wrap(body)))
}

impl From<Auth> for Context {
    fn from(auth: Auth) -> Self {
        Self::new(auth)
    }
}

/// The body of an error response, as received: [`ClientHooks::post`] hands every error
/// response on whole, so the caller parses it once, and gets its status, headers and bytes
/// even when the body is not the documented `Error` JSON (an HTML page from a proxy).
#[derive(Clone, Debug)]
struct ErrorBody(bytes::Bytes);

/// An error response with its body read into memory and kept as an [`ErrorBody`].
async fn buffer_error_body(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    let mut rebuilt = http::Response::new(body.clone());
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    rebuilt.extensions_mut().insert(ErrorBody(body));
    Ok(reqwest::Response::from(rebuilt))
}

impl ClientHooks<Context> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        self.inner()
            .read()
            .prepared
            .apply(request)
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        // For a span that follows OpenTelemetry's HTTP client conventions (the `optimly`
        // crate's call span declares it): the URL without its query, which holds the key
        // when it is sent as `access_token_query`.
        let span = tracing::Span::current();
        if !span.is_disabled() {
            let url = request.url().as_str();
            let without_query = url.split(['?', '#']).next().unwrap_or(url);
            span.record("url.full", without_query);
        }
        Ok(())
    }

    /// Bound what is read of a body, and read every error body here: progenitor would parse a
    /// documented error status's body into `types::ApiErrorBody`, and one that is not that JSON (an
    /// empty body, an HTML page from a proxy) would lose its status. [`post`](Self::post)
    /// hands every error response on as `UnexpectedResponse` instead, status, headers and
    /// bytes intact, for the caller to parse once.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let mut response = self.client().execute(request).await?;
        if let Some(limit) = self.inner().max_response_bytes {
            // hyper never delivers more than a declared Content-Length, so a body declared
            // within the limit needs no counting; any other body is counted as it streams.
            let declared = response.content_length();
            if declared.is_none_or(|length| length > limit) {
                response = limited(response, limit);
            }
        }
        if response.status().is_success() {
            return Ok(response);
        }
        // Boxed: reading an error body takes more future state than the request itself, and
        // every successful call would carry it (and move it with the call's future).
        Box::pin(buffer_error_body(response)).await
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let Ok(response) = result else {
            return Ok(());
        };
        let Some(ErrorBody(body)) = response.extensions().get::<ErrorBody>() else {
            return Ok(());
        };
        let mut copy = http::Response::new(body.clone());
        *copy.status_mut() = response.status();
        *copy.version_mut() = response.version();
        *copy.headers_mut() = response.headers().clone();
        Err(Error::UnexpectedResponse(reqwest::Response::from(copy)))
    }
}
