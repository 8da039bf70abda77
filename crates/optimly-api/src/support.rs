//! What the generated code calls besides the hooks: the speed rewrites `cargo xtask generate`
//! makes to progenitor's output (see the README's Known quirks for what each one buys). Only
//! generated code calls these; they are not part of the crate's API.

use std::fmt;
use std::future::Future;

use progenitor_client::{ClientHooks, Error, OperationInfo, ResponseValue};

use crate::Client;

/// Read a response into a [`ResponseValue`]: what progenitor's
/// `ResponseValue::from_response` does, with the same errors, but moving the response's
/// headers into the value instead of copying them. Every generated operation calls this
/// (`cargo xtask generate` puts it in place of `from_response`).
///
/// Every call's future carries this one's state while the body is read, so it holds no more
/// than the response and one frame.
pub(crate) async fn response_value<T: serde::de::DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let full = read_body(&mut response)
        .await
        .map_err(Error::ResponseBodyError)?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let inner =
        serde_json::from_slice(&full).map_err(|e| Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, status, headers))
}

/// The whole body. A body that arrives in one frame (every short JSON response over HTTP/1.1
/// with a Content-Length) is returned as that frame, neither copied nor collected into a list;
/// `Response::bytes` would also hold the response a second time while reading.
async fn read_body(response: &mut reqwest::Response) -> reqwest::Result<bytes::Bytes> {
    let Some(first) = response.chunk().await? else {
        return Ok(bytes::Bytes::new());
    };
    let Some(second) = response.chunk().await? else {
        return Ok(first);
    };
    let mut all = bytes::BytesMut::with_capacity(first.len() + second.len());
    all.extend_from_slice(&first);
    all.extend_from_slice(&second);
    while let Some(more) = response.chunk().await? {
        all.extend_from_slice(&more);
    }
    Ok(all.freeze())
}

/// Send a request through the hooks: [`pre`](ClientHooks::pre), [`exec`](ClientHooks::exec),
/// [`post`](ClientHooks::post), then a failure to communicate as
/// [`Error::CommunicationError`], exactly as progenitor's generated `send()` does inline.
/// Every generated operation calls this instead (`cargo xtask generate` puts it in place):
/// inline, the request and the result stay in the operation's future while the response is
/// read; here they are gone once the response has arrived.
// An `async fn` would store the request twice: as its argument and as the `mut` binding.
#[allow(clippy::manual_async_fn)]
pub(crate) fn execute<'a, E>(
    client: &'a Client,
    mut request: reqwest::Request,
    info: &'a OperationInfo,
) -> impl Future<Output = Result<reqwest::Response, Error<E>>> + 'a {
    async move {
        client.pre(&mut request, info).await?;
        let result = client.exec(request, info).await;
        client.post(&result, info).await?;
        Ok(result?)
    }
}

/// The error of a builder field: `error`, or when the field was never set (its error is
/// still the empty string it starts as), `message`. Builders start their required fields
/// empty so that making one allocates nothing (`cargo xtask generate` writes the calls).
pub(crate) fn unset(error: String, message: &'static str) -> String {
    if error.is_empty() {
        message.to_owned()
    } else {
        error
    }
}

/// An operation's URL: `base` followed by `path`, written into a string with room for
/// `room` bytes past the base, so that it is never reallocated while it is written (which
/// `format!` does to every URL of this API). `cargo xtask generate` writes the calls, with
/// the room each path needs.
pub(crate) fn url(base: &str, room: usize, path: fmt::Arguments<'_>) -> String {
    use fmt::Write;
    let mut url = String::with_capacity(base.len().saturating_add(room));
    url.push_str(base);
    // Writing into a `String` fails only when a `Display` impl does, and none of the path
    // parameters' (`PathSegment`) can.
    let _ = url.write_fmt(path);
    url
}

/// The bytes percent-encoded in a path segment: the URL standard's path percent-encode set,
/// plus `/` and `%`. The same set as progenitor's `encode_path` (a test compares the two).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// A path parameter, percent-encoded as it is formatted into the URL. Every generated
/// operation with a path parameter uses this (`cargo xtask generate` puts it in place of
/// progenitor's `encode_path(&value.to_string())`, which makes two strings per parameter
/// before the URL is formatted).
pub(crate) struct PathSegment<'a, T: ?Sized>(pub &'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for PathSegment<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Encodes what is written through it. Bytes are encoded one by one, so it does not
        /// matter where the writes split the value.
        struct Encoding<'f, 'g>(&'f mut fmt::Formatter<'g>);
        impl fmt::Write for Encoding<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                percent_encoding::utf8_percent_encode(s, PATH_SEGMENT)
                    .try_for_each(|piece| self.0.write_str(piece))
            }
        }
        fmt::write(&mut Encoding(f), format_args!("{}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &'static str) -> reqwest::Response {
        let mut response = http::Response::new(body);
        *response.status_mut() = http::StatusCode::from_u16(status).expect("status");
        response
            .headers_mut()
            .insert("content-type", "application/json".parse().expect("value"));
        response
            .headers_mut()
            .insert("retry-after", "7".parse().expect("value"));
        reqwest::Response::from(response)
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    }

    #[test]
    fn urls_are_written_once_into_the_room_they_are_given() {
        let base = "http://127.0.0.1:41231";
        let url = url(
            base,
            24 + 64,
            format_args!("/external/chat/{}/messages", PathSegment("chat_123")),
        );
        assert_eq!(
            url,
            "http://127.0.0.1:41231/external/chat/chat_123/messages"
        );
        assert_eq!(url.capacity(), base.len() + 24 + 64);

        // Too little room still gives the whole URL.
        let url = super::url(
            base,
            0,
            format_args!("/external/chat/{}/chats", PathSegment("a b")),
        );
        assert_eq!(url, "http://127.0.0.1:41231/external/chat/a%20b/chats");
    }

    #[test]
    fn path_segments_are_encoded_as_progenitor_encodes_them() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for value in [
            every_ascii.as_str(),
            "chat_123",
            "a/b?c#d%e f",
            "é€😀",
            "../..",
            "",
        ] {
            assert_eq!(
                PathSegment(value).to_string(),
                progenitor_client::encode_path(value),
                "{value:?}"
            );
        }
        // A value whose Display writes in several pieces is encoded as one.
        struct Pieces;
        impl fmt::Display for Pieces {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a/")?;
                f.write_str("é b")
            }
        }
        assert_eq!(PathSegment(&Pieces).to_string(), "a%2F%C3%A9%20b");
    }

    #[test]
    fn response_value_keeps_status_headers_and_body() {
        let value = runtime()
            .block_on(response_value::<crate::types::Error, ()>(response(
                429,
                r#"{"error": "Rate limited", "status_code": 429}"#,
            )))
            .expect("parses");
        assert_eq!(value.status(), 429);
        assert_eq!(value.headers().len(), 2);
        assert_eq!(value.headers()["retry-after"], "7");
        assert_eq!(value.headers()["content-type"], "application/json");
        assert_eq!(value.into_inner().error.as_deref(), Some("Rate limited"));
    }

    /// A response whose body arrives in the given frames.
    fn framed(frames: &[&'static str]) -> reqwest::Response {
        let frames: Vec<reqwest::Result<bytes::Bytes>> = frames
            .iter()
            .map(|f| Ok(bytes::Bytes::from_static(f.as_bytes())))
            .collect();
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(frames));
        reqwest::Response::from(http::Response::new(body))
    }

    #[test]
    fn response_value_joins_a_body_that_arrives_in_frames() {
        for frames in [
            &[
                r#"{"error": "#,
                r#""Rate limited", "status_code""#,
                ": 429}",
            ][..],
            &[r#"{"error": "Rate limited", "#, r#""status_code": 429}"#][..],
            &[r#"{"error": "Rate limited", "status_code": 429}"#][..],
        ] {
            let value = runtime()
                .block_on(response_value::<crate::types::Error, ()>(framed(frames)))
                .expect("parses");
            let error = value.into_inner();
            assert_eq!(error.error.as_deref(), Some("Rate limited"), "{frames:?}");
            assert_eq!(error.status_code, Some(429), "{frames:?}");
        }
    }

    #[test]
    fn response_value_reports_an_empty_body_as_invalid_payload() {
        let err = runtime()
            .block_on(response_value::<crate::types::Error, ()>(framed(&[])))
            .expect_err("no JSON");
        match err {
            Error::InvalidResponsePayload(bytes, _) => assert!(bytes.is_empty()),
            other => panic!("expected InvalidResponsePayload, got {other:?}"),
        }
    }

    #[test]
    fn response_value_reports_a_body_that_does_not_parse_with_its_bytes() {
        let err = runtime()
            .block_on(response_value::<crate::types::Error, ()>(response(
                200, "<html>",
            )))
            .expect_err("not JSON");
        match err {
            Error::InvalidResponsePayload(bytes, _) => assert_eq!(&bytes[..], b"<html>"),
            other => panic!("expected InvalidResponsePayload, got {other:?}"),
        }
    }
}
