//! The single place where the generated client's errors become [`Error`]s.

use super::*;

/// What the mapping needs to know about the call.
pub(crate) struct CallContext<'a> {
    pub redactor: &'a Redactor,
    pub now: SystemTime,
}

impl CallContext<'_> {
    /// An unsuccessful response. The key is scrubbed from the text first and the API error is
    /// parsed from the scrubbed text, so no part of the error can carry it.
    fn failure(&self, status: u16, retry_after: Option<Duration>, text: &str) -> Error {
        Error::from_status(status, self.redactor.scrub(text), retry_after)
    }

    /// A redirect that was not followed; the `Location` it named, scrubbed of the key.
    fn redirected(&self, status: u16, location: &str, bytes: &[u8]) -> Error {
        let mut error = Error::new(ErrorKind::Redirected {
            location: self.redactor.scrub(location),
        });
        error.0.response = Some(Response {
            status,
            body: self.redactor.scrub(&String::from_utf8_lossy(bytes)),
            api_error: None,
        });
        error
    }

    fn undecodable(&self, status: u16, bytes: &[u8], reason: &str) -> Error {
        Error::undecodable(
            status,
            self.redactor.scrub(&String::from_utf8_lossy(bytes)),
            self.redactor.scrub(reason),
        )
    }
}

/// Map the generated client's error into the SDK's. A 2xx that progenitor did not expect
/// (201, 202) is parsed leniently into `T` instead of failing.
pub(crate) async fn from_api<T: DeserializeOwned>(
    err: optimly_api::Error<types::ApiErrorBody>,
    cx: &CallContext<'_>,
) -> Result<T, Error> {
    use optimly_api::Error as E;
    Err(match err {
        E::InvalidRequest(reason) | E::Custom(reason) => {
            Error::invalid("request", cx.redactor.scrub(&reason))
        }
        E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => {
            network_error(e)
        }
        // optimly_api's hooks hand every error response on as `UnexpectedResponse`, its bytes
        // as received; a parsed one can only come from a client built around other hooks.
        E::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let retry_after = retry_after(rv.headers(), cx.now);
            let text = serde_json::to_string(&rv.into_inner()).unwrap_or_default();
            cx.failure(status, retry_after, &text)
        }
        // The spec documents exactly one success status, 200, and progenitor only parses
        // documented statuses, so a success body that failed to decode came with a 200.
        E::InvalidResponsePayload(bytes, e) => cx.undecodable(200, &bytes, &e.to_string()),
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers(), cx.now);
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => return Err(network_error(e)),
            };
            if (200..300).contains(&status) {
                return serde_json::from_slice(&bytes)
                    .map_err(|e| cx.undecodable(status, &bytes, &e.to_string()));
            }
            if (300..400).contains(&status) {
                return Err(cx.redirected(status, &location, &bytes));
            }
            cx.failure(status, retry_after, &String::from_utf8_lossy(&bytes))
        }
    })
}

fn retry_after(headers: &reqwest::header::HeaderMap, now: SystemTime) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now))
}

/// A transport failure. The cause is kept as the error's source with its URL removed (in
/// query mode the URL carries the key); nothing else of reqwest's error names the URL.
pub(crate) fn network_error(e: reqwest::Error) -> Error {
    let sent = !e.is_connect();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        if let Some(too_large) = c.downcast_ref::<optimly_api::ResponseTooLarge>() {
            return Error::new(ErrorKind::ResponseTooLarge {
                limit: too_large.limit,
            })
            .with_source(optimly_api::ResponseTooLarge {
                limit: too_large.limit,
            });
        }
        cause = c.source();
    }
    let kind = if e.is_timeout() {
        ErrorKind::Timeout { sent }
    } else {
        ErrorKind::Connection { sent }
    };
    Error::new(kind).with_source(e.without_url())
}
