//! The client, its builder and its configuration.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{ClientClock, Clock};
use crate::credentials::{ApiKey, AuthMethod, Redactor};
use crate::error::Error;
use crate::rate_limit::{Limiter, LimiterStats, RateLimits};
use crate::retry::RetryPolicy;

/// Optimly's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.optimly.io";

/// The `User-Agent` the SDK sends when it builds its own HTTP client.
pub const USER_AGENT: &str = concat!("optimly-rust/", env!("CARGO_PKG_VERSION"));

/// Environment variables read by [`OptimlyClient::from_env`].
pub mod env {
    /// The API key (required).
    pub const API_KEY: &str = "OPTIMLY_API_KEY";
    /// The base URL (optional; default `https://api.optimly.io`).
    pub const BASE_URL: &str = "OPTIMLY_BASE_URL";
    /// The auth way: `bearer` (default), `header` or `query`.
    pub const AUTH: &str = "OPTIMLY_AUTH";
    /// A Redis URL (optional): count the rate limits there, shared by every process on the
    /// key. Needs the crate's `redis` feature.
    pub const REDIS_URL: &str = "OPTIMLY_REDIS_URL";
    /// `true` (optional; default `false`): fail calls while Redis is unavailable instead of
    /// counting in the process.
    pub const REDIS_STRICT: &str = "OPTIMLY_REDIS_STRICT";
    /// `true` (optional; default `false`): allow a plain `http` base URL on a host that is not
    /// loopback, such as a mock in another container. The key then crosses the network
    /// unencrypted; building the client logs a warning that says so.
    pub const ALLOW_INSECURE_HTTP: &str = "OPTIMLY_ALLOW_INSECURE_HTTP";
}

/// A `true`/`false` variable (also `1`/`0`); unset or empty is `false`.
fn flag(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Result<bool, Error> {
    match lookup(name).as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(Error::config(name, "must be `true` or `false`")),
    }
}

/// A client for Optimly's API. Cheap to clone (one shared connection pool), `Send + Sync`.
///
/// ```no_run
/// # async fn run() -> Result<(), optimly::Error> {
/// let client = optimly::OptimlyClient::builder()
///     .api_key("agt_0123456789abcdef0123456789abcdef")
///     .build()?;
/// let chat = client.create_chat("user_456").await?;
/// let reply = client.ask(chat.id(), "Hello! I need help with pricing.").await?;
/// println!("{}", reply.text());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OptimlyClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: optimly_api::Client,
    pub(crate) base_url: String,
    /// The base URL's host and port, as the call span reports them.
    pub(crate) server: Server,
    pub(crate) auth: AuthMethod,
    pub(crate) retry: RetryPolicy,
    pub(crate) retry_non_idempotent: bool,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) clock: ClientClock,
    pub(crate) redactor: Redactor,
    /// The generated client's context, whose credentials every clone shares.
    credentials: optimly_api::Context,
    pub(crate) limiter: Limiter,
}

impl fmt::Debug for OptimlyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("OptimlyClient")
            .field("base_url", &i.base_url)
            .field("auth", &i.auth)
            .field("api_key", &"[redacted]")
            .field("retry", &i.retry)
            .field("retry_non_idempotent", &i.retry_non_idempotent)
            .field("attempt_timeout", &i.attempt_timeout)
            .field("operation_timeout", &i.operation_timeout)
            .field("rate_limits", i.limiter.limits())
            .field("rate_limit_backend", &i.limiter.backend())
            .finish()
    }
}

impl OptimlyClient {
    /// Start configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `OPTIMLY_API_KEY` (required), `OPTIMLY_BASE_URL`,
    /// `OPTIMLY_AUTH` (`bearer`, `header` or `query`), and `OPTIMLY_REDIS_URL` with
    /// `OPTIMLY_REDIS_STRICT` for rate limits shared in Redis (feature `redis`).
    ///
    /// Fails with [`ErrorKind::Config`](crate::ErrorKind::Config) naming the variable that is missing or malformed.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// How the key is presented.
    pub fn auth_method(&self) -> AuthMethod {
        self.inner.auth
    }

    /// Switch to a new API key (Optimly's advice: rotate a key you suspect is exposed). This
    /// client and every clone of it present the new key from their next attempt, a retry of
    /// a call already running included; nothing is rebuilt, and neither key is ever logged
    /// or shown in an error. The rate limits go on counting as before: they belong to the
    /// agent, whichever of its keys is sent.
    ///
    /// ```
    /// # fn main() -> Result<(), optimly::Error> {
    /// let client = optimly::OptimlyClient::builder()
    ///     .api_key("agt_0123456789abcdef0123456789abcdef")
    ///     .build()?;
    /// let clone = client.clone();
    /// client.rotate_key("agt_fedcba9876543210fedcba9876543210")?;
    /// // `clone` sends the new key too.
    /// # drop(clone);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rotate_key(&self, key: impl Into<ApiKey>) -> Result<(), Error> {
        let key = key.into();
        if key.expose().trim().is_empty() {
            return Err(Error::config("api_key", "is empty"));
        }
        if !key.looks_valid() {
            tracing::warn!(
                "the new API key does not look like an Optimly key (`agt_` followed by 32 letters or digits); using it anyway"
            );
        }
        // Scrub the new key before anything can send it.
        self.inner.redactor.add(&key);
        self.inner
            .credentials
            .set_auth(self.inner.auth.with_key(&key));
        tracing::info!("API key rotated");
        Ok(())
    }

    /// The retry policy applied to every call.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The limits this client holds itself to (shared by its clones).
    pub fn rate_limits(&self) -> &RateLimits {
        self.inner.limiter.limits()
    }

    /// What the shared rate-limit backend has done: slots taken there, fallbacks to the
    /// process's windows, outages and recoveries. All zero without one.
    pub fn limiter_stats(&self) -> LimiterStats {
        self.inner.limiter.stats()
    }

    /// The generated low-level client, for what this crate does not cover. It attaches the key
    /// but does not retry.
    pub fn raw(&self) -> &optimly_api::Client {
        &self.inner.api
    }
}

/// Configures an [`OptimlyClient`]. Every setting has a sensible default except the key.
#[derive(Clone)]
pub struct ClientBuilder {
    key: Option<ApiKey>,
    auth: AuthMethod,
    base_url: String,
    allow_insecure_http: bool,
    connect_timeout: Duration,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    retry: RetryPolicy,
    retry_non_idempotent: bool,
    rate_limits: RateLimits,
    #[cfg(feature = "redis")]
    redis: Option<crate::RedisLimits>,
    max_response_bytes: Option<u64>,
    http: Option<reqwest::Client>,
    clock: ClientClock,
}

/// The largest response body the client reads by default: 8 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            key: None,
            auth: AuthMethod::default(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            allow_insecure_http: false,
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Some(Duration::from_secs(60)),
            operation_timeout: Some(Duration::from_secs(120)),
            retry: RetryPolicy::default(),
            retry_non_idempotent: false,
            rate_limits: RateLimits::documented(),
            #[cfg(feature = "redis")]
            redis: None,
            max_response_bytes: Some(DEFAULT_MAX_RESPONSE_BYTES),
            http: None,
            clock: ClientClock::Tokio,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("ClientBuilder");
        #[cfg(feature = "redis")]
        f.field("redis_limits", &self.redis);
        f.field("api_key", &self.key.as_ref().map(|_| "[redacted]"))
            .field("auth", &self.auth)
            .field("base_url", &self.base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry", &self.retry)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .field("rate_limits", &self.rate_limits)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder filled from the process environment (see [`OptimlyClient::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()))
    }

    /// A builder filled from `lookup`, which answers for the variables in [`env`](mod@crate::env) the way
    /// `std::env::var` would. [`from_env`](Self::from_env) is this with the real environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let key = match lookup(env::API_KEY) {
            None => {
                return Err(Error::config(
                    env::API_KEY,
                    "not set; copy the agent's API key from the Optimly dashboard (Agents > Configuration)",
                ));
            }
            Some(key) if key.trim().is_empty() => {
                return Err(Error::config(env::API_KEY, "is empty"));
            }
            Some(key) => ApiKey::new(key.trim()),
        };
        let insecure = flag(&lookup, env::ALLOW_INSECURE_HTTP)?;
        let mut builder = Self::default().api_key(key).allow_insecure_http(insecure);
        if let Some(url) = lookup(env::BASE_URL).filter(|u| !u.trim().is_empty()) {
            check_base_url(url.trim(), insecure)
                .map_err(|reason| Error::config(env::BASE_URL, reason))?;
            builder = builder.base_url(url.trim());
        }
        if let Some(auth) = lookup(env::AUTH).filter(|a| !a.trim().is_empty()) {
            let auth = auth
                .parse::<AuthMethod>()
                .map_err(|reason| Error::config(env::AUTH, reason))?;
            builder = builder.auth_method(auth);
        }
        let strict = flag(&lookup, env::REDIS_STRICT)?;
        if let Some(url) = lookup(env::REDIS_URL).filter(|u| !u.trim().is_empty()) {
            builder = builder.redis_from_env(url.trim(), strict)?;
        }
        Ok(builder)
    }

    #[cfg(feature = "redis")]
    fn redis_from_env(self, url: &str, strict: bool) -> Result<Self, Error> {
        Ok(self.redis_limits(crate::RedisLimits::new(url).strict(strict)))
    }

    #[cfg(not(feature = "redis"))]
    fn redis_from_env(self, _url: &str, _strict: bool) -> Result<Self, Error> {
        Err(Error::config(
            env::REDIS_URL,
            "is set, but this build of the optimly crate has no `redis` feature",
        ))
    }

    /// The API key (required).
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// How the key is presented. Default: `Authorization: Bearer`.
    pub fn auth_method(mut self, auth: AuthMethod) -> Self {
        self.auth = auth;
        self
    }

    /// Where requests go. Default `https://api.optimly.io`. Plain `http://` is refused except
    /// for loopback hosts, unless [`allow_insecure_http`](Self::allow_insecure_http).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Allow `http://` to hosts other than loopback (the key then travels unencrypted).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How long to wait for a TCP/TLS connection. Default 10 s. Ignored with
    /// [`http_client`](Self::http_client), whose own settings apply.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The limit on one attempt (sending and reading the response). Default 60 s, since an
    /// agent reply can take a while; `None` for no limit.
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The limit on a whole call, retries and waits included. Default 120 s; `None` for no
    /// limit. A retry whose wait would reach it is not started.
    pub fn operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// The retry policy. Default: [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Re-send POSTs after the server may have acted on them (a 5xx, a timeout or a lost
    /// response could mean the message was stored or the handoff queued). Default `false`;
    /// a call overrides it with
    /// [`RequestOptions::retry_non_idempotent`](crate::RequestOptions::retry_non_idempotent).
    pub fn retry_non_idempotent(mut self, allow: bool) -> Self {
        self.retry_non_idempotent = allow;
        self
    }

    /// The client-side rate limits. Default: [`RateLimits::documented`], waiting for capacity;
    /// [`RateLimits::off`] turns them off.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Count the rate limits in Redis, shared by every process that uses the same key
    /// (feature `redis`). Default: in this process only. See [`RedisLimits`](crate::RedisLimits).
    #[cfg(feature = "redis")]
    pub fn redis_limits(mut self, redis: crate::RedisLimits) -> Self {
        self.redis = Some(redis);
        self
    }

    /// The largest response body read before the call fails with
    /// [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge); `None` reads any size. Default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`] (8 MiB).
    pub fn max_response_size(mut self, bytes: Option<u64>) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Use this HTTP client (its own timeouts, proxy, TLS and user agent apply). Start it
    /// from [`crate::tls::client_builder`], which carries this build's TLS choice and the
    /// redirect policy that keeps the key on its origin: with the default `rustls` feature
    /// reqwest has no crypto provider of its own, so a plain `reqwest::Client::new()` panics
    /// unless the program installed one, and reqwest's own policy would follow a redirect to
    /// another host with the key.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The clock of every wait, deadline and per-attempt timeout. Default: tokio's time,
    /// which tests can pause (`#[tokio::test(start_paused = true)]`); see [`crate::clock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = ClientClock::Custom(clock);
        self
    }

    /// Check the settings and build the client. Nothing is sent.
    pub fn build(self) -> Result<OptimlyClient, Error> {
        let key = self
            .key
            .ok_or_else(|| Error::config("api_key", "no API key given"))?;
        if key.expose().trim().is_empty() {
            return Err(Error::config("api_key", "is empty"));
        }
        if !key.looks_valid() {
            tracing::warn!(
                "the API key does not look like an Optimly key (`agt_` followed by 32 letters or digits); using it anyway"
            );
        }
        let (base_url, server) = check_base_url(&self.base_url, self.allow_insecure_http)
            .map_err(|reason| Error::config("base_url", reason))?;
        let http = match self.http {
            Some(http) => http,
            None => optimly_api::tls::client_builder()
                .map_err(|e| Error::config("http_client", e.to_string()))?
                .connect_timeout(self.connect_timeout)
                .user_agent(USER_AGENT)
                .build()
                .map_err(|e| Error::config("http_client", e.to_string()))?,
        };
        let context = optimly_api::Context::new(self.auth.with_key(&key))
            .with_max_response_bytes(self.max_response_bytes);
        let credentials = context.clone();
        let api = optimly_api::Client::new_with_client(&base_url, http, context);
        let limiter = Limiter::new(self.rate_limits);
        #[cfg(feature = "redis")]
        let limiter = match self.redis {
            Some(redis) => limiter.with_shared(
                crate::rate_limit::redis_backend(redis, &key)
                    .map_err(|reason| Error::config("redis_limits", reason))?,
            ),
            None => limiter,
        };
        Ok(OptimlyClient {
            inner: Arc::new(Inner {
                api,
                base_url,
                server,
                auth: self.auth,
                retry: self.retry,
                retry_non_idempotent: self.retry_non_idempotent,
                attempt_timeout: self.attempt_timeout,
                operation_timeout: self.operation_timeout,
                clock: self.clock,
                redactor: Redactor::for_key(&key),
                credentials,
                limiter,
            }),
        })
    }
}

/// Accept `https://` anywhere and `http://` on loopback (or anywhere when allowed); return the
/// URL without a trailing slash. The reason never echoes the URL, which could carry a key.
/// Why an `https` URL is refused by a build without TLS.
fn no_tls() -> String {
    format!(
        "https needs one of optimly's TLS features, {}; this build has none, so only plain http to a loopback host works",
        optimly_api::tls::FEATURES
    )
}

/// Where a client's calls go: OpenTelemetry's `server.address` and `server.port`.
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) address: String,
    pub(crate) port: u16,
}

fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<(String, Server), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a valid URL ({e})"))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not contain credentials".into());
    }
    match parsed.scheme() {
        "https" if !optimly_api::tls::AVAILABLE => return Err(no_tls()),
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" if allow_insecure_http => {
            // The host is no secret; the URL as a whole is not printed.
            tracing::warn!(
                host = parsed.host_str().unwrap_or_default(),
                "plain http to a host that is not loopback: the API key crosses the network unencrypted (allowed by allow_insecure_http / OPTIMLY_ALLOW_INSECURE_HTTP)"
            );
        }
        "http" => {
            return Err(
                "plain http is only allowed for loopback hosts; use https (or allow_insecure_http)"
                    .into(),
            );
        }
        other => return Err(format!("unsupported scheme `{other}`; use https")),
    }
    let server = Server {
        address: parsed
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
        port: parsed.port_or_known_default().unwrap_or_default(),
    };
    Ok((parsed.as_str().trim_end_matches('/').to_owned(), server))
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(url: &str, allow_insecure_http: bool) -> Result<String, String> {
        check_base_url(url, allow_insecure_http).map(|(url, _)| url)
    }

    /// Only built without a TLS feature (`.ci/run` runs it so).
    #[test]
    #[cfg(not(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls")))]
    fn without_tls_https_is_a_config_error_and_loopback_http_works() {
        assert_eq!(checked("https://api.optimly.io", false), Err(no_tls()));
        let err = OptimlyClient::builder()
            .api_key("agt_0123456789abcdef0123456789abcdef")
            .build()
            .expect_err("the default base URL is https");
        assert!(
            err.to_string()
                .contains("`native-tls` (the default), `rustls` or `rustls-aws-lc`"),
            "{err}"
        );
        assert!(checked("http://127.0.0.1:8080", false).is_ok());
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            checked("https://api.optimly.io/", false),
            Ok("https://api.optimly.io".into())
        );
        assert_eq!(
            checked("http://127.0.0.1:8080", false),
            Ok("http://127.0.0.1:8080".into())
        );
        assert_eq!(
            checked("http://[::1]:9/", false),
            Ok("http://[::1]:9".into())
        );
        assert_eq!(
            checked("http://localhost:3000/v", false),
            Ok("http://localhost:3000/v".into())
        );
        assert!(checked("http://api.optimly.io", false).is_err());
        assert_eq!(
            checked("http://10.0.0.2", true),
            Ok("http://10.0.0.2".into())
        );
        assert!(checked("ftp://x", true).is_err());
        assert!(checked("https://x/?access_token_query=k", false).is_err());
        assert!(checked("https://u:p@x", false).is_err());
        assert!(checked("api.optimly.io", false).is_err());
    }
}
