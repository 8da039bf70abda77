//! A real Redis Cluster for the fleet test: three `redis-server`s in cluster mode on
//! `127.0.0.1`, joined by `redis-cli --cluster create` (no replicas), stopped and their
//! directory removed when dropped.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Three cluster nodes, each owning a third of the hash slots.
#[derive(Debug)]
pub struct RedisCluster {
    ports: Vec<u16>,
    nodes: Vec<Child>,
    cli: PathBuf,
    dir: PathBuf,
}

/// A port that is free now, with its cluster bus port (`+ 10000`) free too.
fn free_port_pair() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        if port < 55_000 && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

impl RedisCluster {
    /// Start and join three nodes, or `None` (said loudly) when `redis-server` or `redis-cli`
    /// is not installed; under `CI=true` that panics instead.
    pub fn start(test: &str) -> Option<Self> {
        let server = optimly::testing::program(test, &["redis-server"], "redis-server")?;
        let cli = optimly::testing::program(test, &["redis-cli"], "redis-tools")?;
        let dir = std::env::temp_dir().join(format!(
            "optimly-redis-cluster-{}-{}",
            std::process::id(),
            fastrand::u32(..)
        ));
        std::fs::create_dir_all(&dir).expect("a directory for the cluster");
        let mut cluster = Self {
            ports: Vec::new(),
            nodes: Vec::new(),
            cli,
            dir,
        };
        for _ in 0..3 {
            let port = free_port_pair();
            let child = Command::new(&server)
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"])
                .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(&cluster.dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server starts");
            cluster.ports.push(port);
            cluster.nodes.push(child);
        }
        for &port in &cluster.ports {
            cluster.wait_for(port, "PING", "PONG");
        }
        let mut create = Command::new(&cluster.cli);
        create.args(["--cluster", "create"]);
        for port in &cluster.ports {
            create.arg(format!("127.0.0.1:{port}"));
        }
        let out = create
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .expect("redis-cli runs");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        for &port in &cluster.ports {
            cluster.wait_for(port, "CLUSTER INFO", "cluster_state:ok");
        }
        Some(cluster)
    }

    /// `redis-cli -p <port> <command>`'s output.
    pub fn cli(&self, port: u16, command: &str) -> String {
        let out = Command::new(&self.cli)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(command.split(' '))
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, port: u16, command: &str, expect: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.cli(port, command).contains(expect) {
            assert!(
                Instant::now() < deadline,
                "node 127.0.0.1:{port} did not answer `{command}` with {expect} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Refuse `INFO` to clients on every node (`ACL SETUSER default -info`), as managed
    /// services that hide it do.
    pub fn deny_info(&self) {
        for &port in &self.ports {
            assert_eq!(self.cli(port, "ACL SETUSER default -info").trim(), "OK");
            let info = self.cli(port, "INFO cluster");
            assert!(info.contains("NOPERM"), "{info}");
        }
    }

    /// `redis://127.0.0.1:<port>` of each node.
    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect()
    }

    /// The nodes' ports.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let _ = node.kill();
            let _ = node.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
