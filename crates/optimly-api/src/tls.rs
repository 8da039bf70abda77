//! The HTTP client this crate's TLS features choose, the one place that choice is made.
//!
//! | feature | TLS | another crate's `reqwest::Client::new()` in the same build |
//! |---|---|---|
//! | `native-tls` (default) | the platform's TLS (OpenSSL on Linux: `libssl-dev` and `pkg-config` to build; Schannel, Security.framework elsewhere) | works: reqwest's own default backend is then native-tls |
//! | `rustls` | rustls on *ring*, certificates checked by the platform's verifier (on Linux, the system's CA store). No system library, and only *ring*'s small C to build | panics, unless the program installs a rustls provider or builds its clients from [`client_builder`]: reqwest is built without a provider of its own |
//! | `rustls-aws-lc` | rustls on aws-lc-rs, reqwest's own default (`aws-lc-sys` compiles a large C library: about 20 s more of a cold build on two cores) | works |
//! | none | plain `http` only: an `https` request fails to connect | works for `http` |
//!
//! Cargo unifies a crate's features across a build, so the TLS chosen here is also the TLS of
//! every other `reqwest` in it. That is why the default is `native-tls`: a program that adds
//! this crate beside its own `reqwest` with default features off (say `features = ["json"]`)
//! still gets a working `reqwest::Client::new()`.
//!
//! With `rustls` the provider is given to this client only: nothing process-wide is
//! installed, so an application that installs its own rustls provider is not disturbed.
//! `rustls-aws-lc` takes precedence over `rustls` when both are on (as `--all-features`
//! does), and either rustls feature over `native-tls` for this crate's own client (another
//! crate's `reqwest::Client::new()` still uses native-tls while it is on).
//!
//! The builder also carries the one redirect policy ([`redirect_policy`]): the key is
//! attached to every request, and reqwest would re-send an `X-API-Key` header or an
//! `access_token_query` parameter to wherever a redirect points.

use std::fmt;

/// A TLS setup that could not be made (for instance, no usable CA certificate on the system).
#[derive(Debug)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLS setup failed: {}", self.0)
    }
}

impl std::error::Error for TlsError {}

/// Whether this build can speak `https` (one of the TLS features is on).
pub const AVAILABLE: bool = cfg!(any(
    feature = "rustls",
    feature = "rustls-aws-lc",
    feature = "native-tls"
));

/// The features that give a build TLS, for messages that ask for one.
pub const FEATURES: &str = "`native-tls` (the default), `rustls` or `rustls-aws-lc`";

/// The most redirects followed in one request.
pub const MAX_REDIRECTS: usize = 3;

/// Follow a redirect only within the origin the request went to (same scheme, host and
/// port, so never from `https` to `http`), at most [`MAX_REDIRECTS`] times. Any other
/// redirect is not followed: the 3xx response comes back as the answer, and the key never
/// leaves for another origin.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// A `reqwest::ClientBuilder` with this build's TLS and the [`redirect_policy`] already
/// chosen. Add timeouts, a user agent, a proxy and build it; `Client::new` and the `optimly`
/// crate start from it.
///
/// Under the `rustls` feature alone, build every `reqwest::Client` of the program from here
/// (or install a rustls crypto provider yourself): reqwest is then built without a provider
/// of its own, and `reqwest::Client::new()` would panic.
pub fn client_builder() -> Result<reqwest::ClientBuilder, TlsError> {
    #[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
    {
        use rustls_platform_verifier::BuilderVerifierExt;
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|builder| builder.with_platform_verifier())
            .map_err(|e| TlsError(e.to_string()))?
            .with_no_client_auth();
        Ok(reqwest::ClientBuilder::new()
            .tls_backend_preconfigured(config)
            .redirect(redirect_policy()))
    }
    #[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc"))))]
    {
        Ok(reqwest::ClientBuilder::new().redirect(redirect_policy()))
    }
}

/// What the generated `Client::new` starts from (`cargo xtask generate` puts it in place of
/// `reqwest::ClientBuilder::new()`); like the rest of `Client::new`, it panics when the
/// client cannot be made. Use [`client_builder`] and `Client::new_with_client` to get the
/// error instead.
pub(crate) fn builder_or_panic() -> reqwest::ClientBuilder {
    match client_builder() {
        Ok(builder) => builder,
        Err(e) => panic!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The builder this crate hands out builds, whatever the features: under `rustls` alone a
    /// plain `reqwest::ClientBuilder::new().build()` would panic for want of a provider.
    #[test]
    fn the_client_builder_builds() {
        let client = client_builder().and_then(|b| b.build().map_err(|e| TlsError(e.to_string())));
        assert!(client.is_ok(), "{:?}", client.err());
    }
}
