//! `optimly-mock`: serve the offline Optimly mock (on 127.0.0.1 unless told otherwise) until
//! Ctrl-C.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::Parser;
use optimly_mock::{DEFAULT_KEY, Faults, MockConfig};

/// An offline, spec-faithful mock of Optimly's v3 External API.
#[derive(Debug, Parser)]
#[command(name = "optimly-mock", version)]
struct Args {
    /// The address to listen on: 0.0.0.0 lets other containers reach it, over plain http
    /// (their clients then need OPTIMLY_ALLOW_INSECURE_HTTP=true).
    #[arg(long, env = "OPTIMLY_MOCK_HOST", default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The API key to accept (a key you give is never printed; the default one is).
    #[arg(long, env = "OPTIMLY_MOCK_KEY", default_value = DEFAULT_KEY, hide_default_value = true)]
    key: String,
    /// Do not enforce the spec's rate limits.
    #[arg(long)]
    no_rate_limits: bool,
    /// Multiply every rate limit by this.
    #[arg(long, default_value_t = 1.0)]
    rate_limit_scale: f64,
    /// Multiply every rate-limit window by this (0.0166 makes a minute one second).
    #[arg(long, default_value_t = 1.0)]
    rate_limit_window_scale: f64,
    /// Send `Retry-After` with a rate-limit 429 (no Optimly page promises it, so by default
    /// the mock sends none).
    #[arg(long)]
    retry_after: bool,
    /// Accept any chat id: a call naming a chat the mock does not know creates it (by
    /// default such a call is a 404).
    #[arg(long)]
    ad_hoc_chats: bool,
    /// Milliseconds added before every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests (0 to 1) answered with a 500.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Seed for --error-rate.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Answer request N with STATUS, as N:STATUS (repeatable).
    #[arg(long = "status-on", value_parser = parse_status_on)]
    status_on: Vec<(u64, u16)>,
    /// Cut the connection of request N mid-response.
    #[arg(long)]
    drop_on: Option<u64>,
}

fn parse_status_on(text: &str) -> Result<(u64, u16), String> {
    let (n, status) = text
        .split_once(':')
        .ok_or("expected N:STATUS, e.g. 3:503")?;
    let n = n
        .parse()
        .map_err(|_| format!("`{n}` is not a request number"))?;
    let status: u16 = status
        .parse()
        .map_err(|_| format!("`{status}` is not a status"))?;
    if !(100..=599).contains(&status) {
        return Err(format!("{status} is not an HTTP status"));
    }
    Ok((n, status))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if !(0.0..=1.0).contains(&args.error_rate) {
        eprintln!("error: --error-rate must be between 0 and 1");
        return std::process::ExitCode::from(2);
    }
    let config = MockConfig {
        key: args.key,
        host: args.host,
        port: args.port,
        rate_limits: !args.no_rate_limits,
        rate_limit_scale: args.rate_limit_scale,
        rate_limit_window_scale: args.rate_limit_window_scale,
        retry_after: args.retry_after,
        ad_hoc_chats: args.ad_hoc_chats,
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            error_rate: args.error_rate,
            seed: args.seed,
            status_on: args.status_on.into_iter().collect::<BTreeMap<_, _>>(),
            drop_on: args.drop_on,
        },
        ..MockConfig::default()
    };
    let mock = match optimly_mock::start(config).await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", args.host, args.port);
            return std::process::ExitCode::FAILURE;
        }
    };
    let ctrl_c = optimly_mock::ctrl_c().await;
    eprintln!(
        "optimly-mock listening on {} (Ctrl-C to stop)",
        mock.base_url()
    );
    eprintln!("  export OPTIMLY_BASE_URL={}", mock.base_url());
    if !args.host.is_loopback() {
        tracing::warn!(
            "listening on {} beyond this machine, over plain http: a client elsewhere reaches it as http://<this host>:{} with OPTIMLY_ALLOW_INSECURE_HTTP=true, and its key crosses the network unencrypted",
            args.host,
            mock.addr().port()
        );
    }
    if mock.key() == DEFAULT_KEY {
        eprintln!("  export OPTIMLY_API_KEY={DEFAULT_KEY}");
    } else {
        eprintln!("  (it accepts the key you gave with --key or OPTIMLY_MOCK_KEY)");
    }
    if ctrl_c.await.is_err() {
        eprintln!("error: cannot listen for Ctrl-C");
    }
    eprintln!("shutting down");
    mock.shutdown().await;
    std::process::ExitCode::SUCCESS
}
