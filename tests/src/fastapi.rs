//! A real FastAPI server for contract tests: `tests/fastapi/app.py`, run by uvicorn on
//! `127.0.0.1` from the Python environment `.ci/run` makes (`target/ci-venv`, from
//! `.ci/requirements.txt`), and stopped when dropped.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key the app accepts.
pub const KEY: &str = "agt_fastapi0000000000000000000000000";

/// How the app declares the key in its OpenAPI document: FastAPI's security schemes, or
/// `Header()`/`Query()` parameters on every operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthStyle {
    /// `HTTPBearer`, `APIKeyHeader`, `APIKeyQuery`.
    SecuritySchemes,
    /// `authorization`, `x-api-key` and `access_token_query` parameters.
    Parameters,
}

/// A running app. Dropping it stops the server.
#[derive(Debug)]
pub struct FastApiApp {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    child: Child,
}

/// The environment's `python`, when it can import FastAPI and uvicorn. When it cannot, the
/// test should skip: this says so loudly on stderr and returns `None`, except under
/// `CI=true`, where it panics, since `.ci/run` makes that environment.
pub fn python(test: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("OPTIMLY_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| crate::root().join("target"))
                .join("ci-venv")
        });
    let python = venv.join("bin").join("python");
    let usable = Command::new(&python)
        .args(["-c", "import fastapi, uvicorn"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if usable {
        return Some(python);
    }
    let why = format!(
        "{} cannot import fastapi and uvicorn (python3 -m venv {0} && {0}/bin/pip install -r .ci/requirements.txt)",
        venv.display()
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {why}; CI=true needs it (.ci/run makes it)"
    );
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED {test}: {why} ***\n");
    None
}

impl FastApiApp {
    /// Start the app on a free port of `127.0.0.1`, declaring its key the `auth` way; `None`
    /// (with a loud note) when the Python environment is missing outside CI.
    pub fn start(test: &str, auth: AuthStyle) -> Option<Self> {
        let python = python(test)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(python)
            .args(["-m", "uvicorn", "app:app", "--host", "127.0.0.1"])
            .args(["--port", &port.to_string(), "--log-level", "warning"])
            .current_dir(crate::root().join("tests/fastapi"))
            .env("OPTIMLY_APP_KEY", KEY)
            .env(
                "OPTIMLY_APP_AUTH",
                match auth {
                    AuthStyle::SecuritySchemes => "security",
                    AuthStyle::Parameters => "parameters",
                },
            )
            .stdin(Stdio::null())
            .spawn()
            .expect("uvicorn starts");
        let app = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            child,
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{test}: the FastAPI app did not listen on {addr} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(app)
    }
}

impl Drop for FastApiApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
