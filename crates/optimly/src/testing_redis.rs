//! A real `redis-server` for tests of code that shares rate limits (features `testing` and
//! `redis`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A real `redis-server`, started on 127.0.0.1 on a free port with a temporary directory,
/// stopped (and its directory removed) when dropped.
///
/// When `redis-server` is not on `PATH`, [`start`](Self::start) returns `None` after saying so
/// loudly on stderr, so a test can skip; under `CI=true` it panics instead, since a CI that
/// runs such tests should install it (Debian: `apt-get install redis-server`).
///
/// ```no_run
/// # async fn run() -> Result<(), optimly::Error> {
/// use optimly::RedisLimits;
/// use optimly::testing::RedisServer;
///
/// let Some(redis) = RedisServer::start("my_test") else { return Ok(()) };
/// let client = optimly::OptimlyClient::builder()
///     .api_key("agt_0123456789abcdef0123456789abcdef")
///     .redis_limits(RedisLimits::new(redis.url()))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RedisServer {
    binary: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Start one, or `None` (said on stderr) when `redis-server` is not installed. Panics
    /// under `CI=true` when it is missing, and whenever it is installed but does not start.
    pub fn start(test: &str) -> Option<Self> {
        let binary = crate::testing::program(test, &["redis-server"], "redis-server")?;
        let port = free_port();
        let dir = std::env::temp_dir().join(format!(
            "optimly-redis-{}-{port}-{}",
            std::process::id(),
            fastrand_suffix()
        ));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("a temporary directory for redis-server: {e}"));
        let mut server = Self {
            binary,
            port,
            dir,
            child: None,
        };
        server.spawn();
        Some(server)
    }

    fn spawn(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("redis-server does not start: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING on 127.0.0.1:{} within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A connection to it, when it answers within half a second.
    fn connection(&self) -> Option<redis::Connection> {
        redis::Client::open(self.url())
            .ok()?
            .get_connection_with_timeout(Duration::from_millis(500))
            .ok()
    }

    /// Whether it answers `PING`.
    pub fn answers(&self) -> bool {
        self.connection()
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c).ok())
            .is_some_and(|reply| reply == "PONG")
    }

    /// Every key it holds (`KEYS *`); empty when it does not answer.
    pub fn keys(&self) -> Vec<String> {
        self.connection()
            .and_then(|mut c| redis::cmd("KEYS").arg("*").query(&mut c).ok())
            .unwrap_or_default()
    }

    /// Kill it (SIGKILL: no goodbye to its clients) and wait until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start it again on the same port (empty: it saves nothing).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("no free port on 127.0.0.1: {e}"),
    }
}

fn fastrand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}
