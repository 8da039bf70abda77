//! API keys and the way they are presented.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// An Optimly API key (also called "agent access token"), held as a secret.
///
/// It never appears in `Debug` output, and the SDK scrubs it from every error message.
///
/// ```
/// use optimly::ApiKey;
///
/// let key = ApiKey::new("agt_0123456789abcdef0123456789abcdef");
/// assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
/// assert!(key.looks_valid());
/// ```
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wrap a key. Keys look like `agt_` followed by 32 letters or digits; one that does not is
    /// still accepted (with a `tracing` warning when a client is built), since the format is
    /// only documented, not guaranteed.
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into()))
    }

    /// Whether the key has the documented shape: `agt_` followed by 32 ASCII letters or digits.
    pub fn looks_valid(&self) -> bool {
        let key = self.0.expose_secret();
        key.strip_prefix("agt_")
            .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub(crate) fn secret(&self) -> SecretString {
        self.0.clone()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self::new(key)
    }
}

/// Where the key travels. Each way alone is enough; the docs recommend the bearer header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `Authorization: Bearer <key>`.
    #[default]
    Bearer,
    /// `X-API-Key: <key>`.
    ApiKeyHeader,
    /// `?access_token_query=<key>`, for situations where headers cannot be set. The key is
    /// then part of the URL; the SDK scrubs it from everything it prints.
    QueryParam,
}

impl AuthMethod {
    /// The names accepted by [`FromStr`](std::str::FromStr) and `OPTIMLY_AUTH`.
    pub const NAMES: [&'static str; 3] = ["bearer", "header", "query"];

    pub(crate) fn with_key(self, key: &ApiKey) -> optimly_api::Auth {
        match self {
            Self::Bearer => optimly_api::Auth::Bearer(key.secret()),
            Self::ApiKeyHeader => optimly_api::Auth::ApiKeyHeader(key.secret()),
            Self::QueryParam => optimly_api::Auth::QueryParam(key.secret()),
        }
    }
}

impl std::str::FromStr for AuthMethod {
    type Err = String;

    /// `bearer`, `header` (or `x-api-key`), `query` (or `access_token_query`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bearer" => Ok(Self::Bearer),
            "header" | "x-api-key" => Ok(Self::ApiKeyHeader),
            "query" | "access_token_query" => Ok(Self::QueryParam),
            _ => Err(format!("expected one of {}", Self::NAMES.join(", "))),
        }
    }
}

/// Replaces every occurrence of the keys (plain or percent-encoded) with `[redacted]`: the
/// client's key, and every key it used before a rotation.
#[derive(Default)]
pub(crate) struct Redactor {
    needles: std::sync::RwLock<Vec<String>>,
}

impl Redactor {
    pub(crate) fn for_key(key: &ApiKey) -> Self {
        let redactor = Self::default();
        redactor.add(key);
        redactor
    }

    /// Scrub `key` too, from now on.
    pub(crate) fn add(&self, key: &ApiKey) {
        let plain = key.expose().to_owned();
        if plain.is_empty() {
            return;
        }
        let encoded = url_encode(&plain);
        let mut needles = self
            .needles
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for needle in [plain, encoded] {
            if !needles.contains(&needle) {
                needles.push(needle);
            }
        }
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        let needles = self
            .needles
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        needles.iter().fold(text.to_owned(), |acc, needle| {
            acc.replace(needle.as_str(), "[redacted]")
        })
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor")
    }
}

/// Percent-encode the way `application/x-www-form-urlencoded` query pairs do.
fn url_encode(text: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").unwrap_or_else(|_| unreachable!());
    url.query_pairs_mut().append_pair("k", text);
    url.query()
        .and_then(|q| q.strip_prefix("k="))
        .unwrap_or(text)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_key_shape_is_recognised() {
        assert!(ApiKey::new("agt_0123456789abcdefABCDEF0123456789").looks_valid());
        assert!(!ApiKey::new("agt_short").looks_valid());
        assert!(!ApiKey::new("sk_0123456789abcdefABCDEF0123456789").looks_valid());
        assert!(!ApiKey::new("agt_0123456789abcdefABCDEF012345678-").looks_valid());
    }

    #[test]
    fn auth_method_parses_documented_names() {
        assert_eq!("Bearer".parse(), Ok(AuthMethod::Bearer));
        assert_eq!("x-api-key".parse(), Ok(AuthMethod::ApiKeyHeader));
        assert_eq!(" query ".parse(), Ok(AuthMethod::QueryParam));
        assert_eq!(
            "cookie".parse::<AuthMethod>(),
            Err("expected one of bearer, header, query".to_owned())
        );
    }

    #[test]
    fn redactor_scrubs_plain_and_encoded_key() {
        let r = Redactor::for_key(&ApiKey::new("agt_a+b/c"));
        assert_eq!(
            r.scrub("k=agt_a+b/c url=?access_token_query=agt_a%2Bb%2Fc"),
            "k=[redacted] url=?access_token_query=[redacted]"
        );
        assert_eq!(Redactor::for_key(&ApiKey::new("")).scrub("as is"), "as is");
    }
}
