//! The hand-written hooks of the generated client: credentials on every request, and no
//! error response that loses its status code.
//!
//! This `ClientHooks` impl has to live in this crate: the generated `Client` is defined here,
//! and the orphan rule forbids implementing progenitor's trait for it anywhere else.

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::Client;
use crate::auth::Auth;

/// What the generated [`Client`] carries besides its HTTP client and base URL.
///
/// ```
/// use optimly_api::{Auth, Client, Context};
///
/// let client = Client::new("https://api.optimly.io", Context::new(Auth::bearer("agt_…")));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Context {
    /// How the API key is presented.
    pub auth: Auth,
}

impl Context {
    /// A context that presents the key as `auth` says.
    pub fn new(auth: Auth) -> Self {
        Self { auth }
    }
}

impl From<Auth> for Context {
    fn from(auth: Auth) -> Self {
        Self::new(auth)
    }
}

/// An error response whose body is not the documented `Error` JSON, kept whole so that the
/// caller still gets its status, headers and body.
#[derive(Clone, Debug)]
struct UnparsedErrorBody(bytes::Bytes);

impl ClientHooks<Context> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        self.inner()
            .auth
            .apply(request)
            .map_err(|e| Error::InvalidRequest(e.to_string()))
    }

    /// progenitor turns a documented error status with a body that is not valid `Error` JSON
    /// (an HTML page from a proxy, an empty body) into `InvalidResponsePayload`, which has no
    /// status. So error bodies are read here, and the ones that do not parse are marked for
    /// [`post`](Self::post), which reports them as `UnexpectedResponse` with status, headers
    /// and body intact.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        let mut rebuilt = http::Response::new(body.clone());
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        if serde_json::from_slice::<crate::types::Error>(&body).is_err() {
            rebuilt.extensions_mut().insert(UnparsedErrorBody(body));
        }
        Ok(reqwest::Response::from(rebuilt))
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let Ok(response) = result else {
            return Ok(());
        };
        let Some(UnparsedErrorBody(body)) = response.extensions().get::<UnparsedErrorBody>() else {
            return Ok(());
        };
        let mut copy = http::Response::new(body.clone());
        *copy.status_mut() = response.status();
        *copy.version_mut() = response.version();
        *copy.headers_mut() = response.headers().clone();
        Err(Error::UnexpectedResponse(reqwest::Response::from(copy)))
    }
}
