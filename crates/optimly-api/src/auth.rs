//! The three documented ways of presenting an Optimly API key.
//!
//! progenitor ignores `securitySchemes`, so the key is attached by the request hook in
//! [`crate::hooks`]. The key is held as a [`SecretString`]: it is never printed by `Debug`,
//! and header values carrying it are marked sensitive.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// How the API key travels with each request. Each way alone is enough.
///
/// ```
/// use optimly_api::Auth;
///
/// let auth = Auth::bearer("agt_0123456789abcdef0123456789abcdef");
/// assert_eq!(format!("{auth:?}"), "Bearer([redacted])");
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// Send no credentials (for servers that need none, or to test a 401).
    #[default]
    None,
    /// `Authorization: Bearer <key>`, the way most of Optimly's pages recommend.
    Bearer(SecretString),
    /// `X-API-Key: <key>` (automations page).
    ApiKeyHeader(SecretString),
    /// `?access_token_query=<key>`, "for situations where headers cannot be set". The key then
    /// appears in the request URL: anything that prints URLs must scrub it.
    QueryParam(SecretString),
}

/// The name of the header used by [`Auth::ApiKeyHeader`].
pub const API_KEY_HEADER: &str = "x-api-key";

/// The name of the query parameter used by [`Auth::QueryParam`].
pub const API_KEY_QUERY_PARAM: &str = "access_token_query";

impl Auth {
    /// `Authorization: Bearer <key>`.
    pub fn bearer(key: impl Into<String>) -> Self {
        Self::Bearer(SecretString::from(key.into()))
    }

    /// `X-API-Key: <key>`.
    pub fn api_key_header(key: impl Into<String>) -> Self {
        Self::ApiKeyHeader(SecretString::from(key.into()))
    }

    /// `?access_token_query=<key>`.
    pub fn query_param(key: impl Into<String>) -> Self {
        Self::QueryParam(SecretString::from(key.into()))
    }

    /// The key, if any. Only the request hook should need this.
    pub fn key(&self) -> Option<&SecretString> {
        match self {
            Self::None => None,
            Self::Bearer(k) | Self::ApiKeyHeader(k) | Self::QueryParam(k) => Some(k),
        }
    }

    /// Attach the credentials to a request, exactly where the docs say and nowhere else.
    ///
    /// Fails, without echoing the key, when the key cannot be an HTTP header value.
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), InvalidKey> {
        match self {
            Self::None => {}
            Self::Bearer(key) => {
                let value = sensitive_header(&format!("Bearer {}", key.expose_secret()))?;
                request
                    .headers_mut()
                    .insert(reqwest::header::AUTHORIZATION, value);
            }
            Self::ApiKeyHeader(key) => {
                let value = sensitive_header(key.expose_secret())?;
                request.headers_mut().insert(API_KEY_HEADER, value);
            }
            Self::QueryParam(key) => {
                request
                    .url_mut()
                    .query_pairs_mut()
                    .append_pair(API_KEY_QUERY_PARAM, key.expose_secret());
            }
        }
        Ok(())
    }
}

/// An [`Auth`] with its header value built once, for the request hook: the key is checked
/// and formatted when the client is made, not on every request.
#[derive(Clone, Default)]
pub(crate) enum Prepared {
    #[default]
    None,
    Header(reqwest::header::HeaderName, reqwest::header::HeaderValue),
    /// Query keys go into each URL; the hook appends them per request.
    Query(Auth),
    Invalid,
}

impl Prepared {
    pub(crate) fn of(auth: &Auth) -> Self {
        let header = match auth {
            Auth::None => return Self::None,
            Auth::QueryParam(_) => return Self::Query(auth.clone()),
            Auth::Bearer(key) => (
                reqwest::header::AUTHORIZATION,
                sensitive_header(&format!("Bearer {}", key.expose_secret())),
            ),
            Auth::ApiKeyHeader(key) => (
                reqwest::header::HeaderName::from_static(API_KEY_HEADER),
                sensitive_header(key.expose_secret()),
            ),
        };
        match header {
            (name, Ok(value)) => Self::Header(name, value),
            (_, Err(InvalidKey)) => Self::Invalid,
        }
    }

    pub(crate) fn apply(&self, request: &mut reqwest::Request) -> Result<(), InvalidKey> {
        match self {
            Self::None => Ok(()),
            Self::Header(name, value) => {
                request.headers_mut().insert(name.clone(), value.clone());
                Ok(())
            }
            Self::Query(auth) => auth.apply(request),
            Self::Invalid => Err(InvalidKey),
        }
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Prepared([redacted])")
    }
}

fn sensitive_header(text: &str) -> Result<reqwest::header::HeaderValue, InvalidKey> {
    let mut value = reqwest::header::HeaderValue::from_str(text).map_err(|_| InvalidKey)?;
    value.set_sensitive(true);
    Ok(value)
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let way = match self {
            Self::None => return f.write_str("None"),
            Self::Bearer(_) => "Bearer",
            Self::ApiKeyHeader(_) => "ApiKeyHeader",
            Self::QueryParam(_) => "QueryParam",
        };
        write!(f, "{way}([redacted])")
    }
}

/// The API key contains characters that cannot appear in an HTTP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidKey;

impl fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the API key contains characters that are not allowed in an HTTP header")
    }
}

impl std::error::Error for InvalidKey {}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "agt_CANARYcanary0123456789abcdefghij";

    fn request() -> reqwest::Request {
        reqwest::Request::new(
            reqwest::Method::POST,
            "http://127.0.0.1/external/agent/v2".parse().expect("url"),
        )
    }

    #[test]
    fn debug_never_shows_the_key() {
        for auth in [
            Auth::bearer(KEY),
            Auth::api_key_header(KEY),
            Auth::query_param(KEY),
        ] {
            let printed = format!("{auth:?}");
            assert!(!printed.contains(KEY), "{printed}");
            assert!(printed.ends_with("([redacted])"), "{printed}");
        }
        assert_eq!(format!("{:?}", Auth::None), "None");
    }

    #[test]
    fn header_values_carrying_the_key_are_sensitive() {
        let mut bearer = request();
        Auth::bearer(KEY).apply(&mut bearer).expect("applies");
        let value = &bearer.headers()[reqwest::header::AUTHORIZATION];
        assert!(value.is_sensitive());
        assert_eq!(value, &format!("Bearer {KEY}"));

        let mut header = request();
        Auth::api_key_header(KEY)
            .apply(&mut header)
            .expect("applies");
        assert!(header.headers()[API_KEY_HEADER].is_sensitive());
        assert_eq!(header.headers()[API_KEY_HEADER], KEY);
    }

    #[test]
    fn a_key_with_a_newline_is_refused_without_echoing_it() {
        let mut req = request();
        let err = Auth::bearer("agt_abc\ndef")
            .apply(&mut req)
            .expect_err("refused");
        assert!(!err.to_string().contains("agt_abc"));
        assert!(req.headers().is_empty());
    }

    #[test]
    fn query_param_is_appended_to_an_existing_query() {
        let mut req = reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1/x?a=1".parse().expect("url"),
        );
        Auth::query_param("k&y").apply(&mut req).expect("applies");
        assert_eq!(req.url().query(), Some("a=1&access_token_query=k%26y"));
    }
}
