//! `cargo xtask spec import URL`: the vendor's document fetched with the key.
//!
//! The key comes from `OPTIMLY_API_KEY` and goes the way `OPTIMLY_AUTH` says (`bearer`, the
//! default, `header` or `query`, as for the SDK), in the header or query parameter that the
//! overlay's security scheme of that kind names. `curl` does the request; it reads the URL and
//! the header from its standard input (`--config -`), so the key is in no process's arguments.
//! A redirect is not followed (the key stays with the origin it was given for) and is an
//! error naming where it pointed; so is any status but 200. Nothing printed contains the key.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The body of `GET url`, with the key from `OPTIMLY_API_KEY`, sent as `OPTIMLY_AUTH` says.
pub fn from_env(url: &str, overlay: &Value) -> Result<String> {
    let key = std::env::var("OPTIMLY_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .context("OPTIMLY_API_KEY is not set; the vendor's document is fetched with the key")?;
    let way = std::env::var("OPTIMLY_AUTH").unwrap_or_else(|_| "bearer".into());
    document(url, &key, &way, overlay)
}

/// The body of `GET url`, with `key` sent the `way` (`bearer`, `header`, `query`).
fn document(url: &str, key: &str, way: &str, overlay: &Value) -> Result<String> {
    let key = key.to_owned();
    let (header, query) = placement(way, overlay)?;
    let mut config = String::new();
    let target = match &query {
        Some(name) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}{name}={}", encode(&key))
        }
        None => url.to_owned(),
    };
    config.push_str(&format!("url = \"{}\"\n", quote(&target)));
    if let Some(name) = &header {
        let value = if name.eq_ignore_ascii_case("authorization") {
            format!("Bearer {key}")
        } else {
            key.clone()
        };
        config.push_str(&format!(
            "header = \"{}\"\n",
            quote(&format!("{name}: {value}"))
        ));
    }
    config.push_str("header = \"Accept: application/json, application/yaml\"\n");
    let body = std::env::temp_dir().join(format!("optimly-spec-{}.body", std::process::id()));
    let mut child = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "60",
            "--config",
            "-",
        ])
        .arg("--output")
        .arg(&body)
        .args(["--write-out", "%{http_code} %{redirect_url}"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context(
            "running curl (needed to fetch a URL; or download the document and import the file)",
        )?;
    child
        .stdin
        .take()
        .context("curl's standard input")?
        .write_all(config.as_bytes())?;
    let out = child.wait_with_output()?;
    let text = std::fs::read_to_string(&body).unwrap_or_default();
    let _ = std::fs::remove_file(&body);
    let scrub = |s: &str| {
        s.replace(&key, "[redacted]")
            .replace(&encode(&key), "[redacted]")
    };
    if !out.status.success() {
        bail!(
            "GET {url}: {}",
            scrub(String::from_utf8_lossy(&out.stderr).trim())
        );
    }
    let written = String::from_utf8_lossy(&out.stdout).into_owned();
    let (status, redirect) = written.split_once(' ').unwrap_or((&written, ""));
    match status {
        "200" => Ok(text),
        s if s.starts_with('3') => bail!(
            "GET {url}: HTTP {s}, redirected to {}; not followed, so the key goes nowhere else",
            scrub(redirect)
        ),
        s => bail!(
            "GET {url}: HTTP {s}: {}",
            scrub(&text.chars().take(200).collect::<String>())
        ),
    }
}

/// Where the key goes for `way`: a header name or a query parameter name, from the overlay's
/// security scheme of that kind.
fn placement(way: &str, overlay: &Value) -> Result<(Option<String>, Option<String>)> {
    let schemes = crate::overlay::security_schemes(overlay);
    let schemes: Vec<&Value> = schemes.values().collect();
    let find = |kind: &str, place: &str| {
        schemes
            .iter()
            .find_map(|s| match (s["type"].as_str(), kind) {
                (Some("http"), "http") => Some("Authorization".to_owned()),
                (Some("apiKey"), "apiKey") if s["in"] == place => {
                    s["name"].as_str().map(str::to_owned)
                }
                _ => None,
            })
    };
    let (kind, place) = match way.trim().to_ascii_lowercase().as_str() {
        "bearer" => ("http", "header"),
        "header" | "x-api-key" => ("apiKey", "header"),
        "query" | "access_token_query" => ("apiKey", "query"),
        other => bail!("OPTIMLY_AUTH={other:?}: expected bearer, header or query"),
    };
    let name = find(kind, place)
        .with_context(|| format!("openapi/overlay.yaml has no security scheme for {way}"))?;
    Ok(if place == "query" {
        (None, Some(name))
    } else {
        (Some(name), None)
    })
}

/// A value inside a double-quoted curl config string.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Percent-encoding of everything but unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A server that answers one request with `response` and hands back what it received.
    fn serve_once(response: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/openapi.json",
            listener.local_addr().expect("addr")
        );
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut request = vec![0u8; 4096];
            let n = stream.read(&mut request).expect("read");
            stream.write_all(response.as_bytes()).expect("write");
            String::from_utf8_lossy(&request[..n]).into_owned()
        });
        (url, handle)
    }

    fn overlay() -> Value {
        crate::overlay::read(
            &crate::codegen::Layout::workspace()
                .root
                .join("openapi/overlay.yaml"),
        )
        .expect("overlay")
    }

    /// A redirect elsewhere is an error naming where it pointed; it is not followed, and the
    /// key went only to the origin it was given for, in the header the overlay names.
    #[test]
    fn a_redirect_is_not_followed_and_the_key_goes_only_where_asked() {
        let (url, server) = serve_once(
            "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/openapi.json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        let err =
            document(&url, "agt_redirect_test_key", "header", &overlay()).expect_err("a redirect");
        let request = server.join().expect("the server");
        assert_eq!(
            err.to_string(),
            format!(
                "GET {url}: HTTP 302, redirected to http://elsewhere.example/openapi.json; not followed, so the key goes nowhere else"
            )
        );
        assert!(
            request
                .lines()
                .any(|l| l == "X-API-Key: agt_redirect_test_key\r"
                    || l == "X-API-Key: agt_redirect_test_key"),
            "{request}"
        );
    }
}
