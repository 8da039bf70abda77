//! A real headless Chromium for the widget's browser tests, driven through WebDriver
//! (`chromedriver`, Debian's `chromium-driver`) on `127.0.0.1`.
//!
//! The few W3C WebDriver commands the tests use (a session, navigate, find, type, click,
//! run a script, screenshot) are JSON over HTTP, sent with the `reqwest` the workspace
//! already builds; `chromedriver` and its profile directory are removed on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use optimly::testing::program;
use serde_json::{Value, json};

/// The W3C key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session, stopped with its driver when dropped.
pub struct Chrome {
    driver: Child,
    base: String,
    session: String,
    profile: PathBuf,
    http: reqwest::Client,
}

impl Chrome {
    /// Start `chromedriver` and a headless Chromium, or `None` (said loudly on stderr) when
    /// either is not installed. Under `CI=true` a missing one is a failure: `.ci/run`
    /// installs Debian's `chromium` and `chromium-driver`.
    pub async fn start(test: &str) -> Option<Self> {
        let driver = program(test, &["chromedriver"], "chromium-driver")?;
        let browser = program(test, &["chromium", "chromium-browser"], "chromium")?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("optimly-chrome-{}-{port}", std::process::id()));
        let mut chrome = Self {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            profile,
            http: optimly::tls::client_builder()
                .expect("TLS")
                .build()
                .expect("an HTTP client"),
        };
        chrome.wait_for_driver().await;
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1100,900".to_owned(),
            format!("--user-data-dir={}", chrome.profile.display()),
        ];
        let created = chrome
            .command(
                reqwest::Method::POST,
                "/session",
                Some(json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {"binary": browser, "args": args},
                }}})),
            )
            .await;
        chrome.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Some(chrome)
    }

    async fn wait_for_driver(&self) {
        let start = Instant::now();
        loop {
            let ready = self
                .http
                .get(format!("{}/status", self.base))
                .send()
                .await
                .ok()
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            if ready {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One WebDriver command; its `value`. A WebDriver error fails the test, with its message.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("chromedriver answers");
        let status = response.status();
        let mut body: Value = response.json().await.expect("chromedriver's JSON");
        assert!(status.is_success(), "WebDriver {path}: {status} {body}");
        body["value"].take()
    }

    fn at(&self, path: &str) -> String {
        format!("/session/{}{path}", self.session)
    }

    /// Open `url`.
    pub async fn goto(&self, url: &str) {
        self.command(
            reqwest::Method::POST,
            &self.at("/url"),
            Some(json!({"url": url})),
        )
        .await;
    }

    /// Reload the page.
    pub async fn reload(&self) {
        self.command(reqwest::Method::POST, &self.at("/refresh"), Some(json!({})))
            .await;
    }

    /// Run `script` (a function body; `arguments[i]` are `args`) in the page; what it returns.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            &self.at("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Wait until `script` returns something truthy; that value. Fails after `limit`.
    pub async fn until(&self, what: &str, script: &str, limit: Duration) -> Value {
        let start = Instant::now();
        loop {
            let value = self.run(script, json!([])).await;
            let truthy = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return value;
            }
            assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn element(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                &self.at("/element"),
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    /// Type `text` into the element at `css`, as keystrokes.
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &self.at(&format!("/element/{id}/value")),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Empty the input at `css`.
    pub async fn clear(&self, css: &str) {
        self.act(css, "clear").await;
    }

    /// Click the element at `css`.
    pub async fn click(&self, css: &str) {
        self.act(css, "click").await;
    }

    /// An element command without arguments (`click`, `clear`) on the element at `css`.
    async fn act(&self, css: &str, action: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &self.at(&format!("/element/{id}/{action}")),
            Some(json!({})),
        )
        .await;
    }

    /// The element's text as shown (`textContent`).
    pub async fn text(&self, css: &str) -> String {
        self.run(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            json!([css]),
        )
        .await
        .as_str()
        .unwrap_or_else(|| panic!("no element {css}"))
        .to_owned()
    }

    /// Save a PNG of the window at `path`; its size in bytes.
    pub async fn screenshot(&self, path: &Path) -> usize {
        let encoded = self
            .command(reqwest::Method::GET, &self.at("/screenshot"), None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("base64 text"))
            .expect("base64");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot directory");
        }
        std::fs::write(path, &png).expect("screenshot written");
        png.len()
    }
}

impl Chrome {
    /// End the session (the browser quits), then the driver.
    pub async fn quit(mut self) {
        let path = self.at("");
        self.command(reqwest::Method::DELETE, &path, None).await;
        self.session.clear();
    }
}

impl Drop for Chrome {
    /// A test that failed before [`quit`](Chrome::quit) still stops its driver.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
