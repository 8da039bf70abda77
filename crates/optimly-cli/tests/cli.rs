//! The `optimly` binary, run as a user runs it, against a mock started by the test.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use optimly_mock::{MockConfig, RunningMock};
use serde_json::Value;

/// Every variable the CLI reads; the tests start without any of them.
const ENV: [&str; 6] = [
    optimly::env::API_KEY,
    optimly::env::BASE_URL,
    optimly::env::AUTH,
    optimly::env::ALLOW_INSECURE_HTTP,
    optimly::env::REDIS_URL,
    optimly::env::REDIS_STRICT,
];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `optimly args...` with the given environment, off the async runtime.
async fn optimly(args: &[&str], env: &[(&str, String)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::cargo_bin("optimly").expect("the optimly binary");
        cmd.args(&args);
        for name in ENV {
            cmd.env_remove(name);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("joined")
}

async fn mock() -> RunningMock {
    optimly_mock::start(MockConfig::default())
        .await
        .expect("mock")
}

fn env_for(mock: &RunningMock) -> Vec<(&'static str, String)> {
    vec![
        ("OPTIMLY_API_KEY", mock.key().to_owned()),
        ("OPTIMLY_BASE_URL", mock.base_url()),
    ]
}

async fn new_chat(mock: &RunningMock) -> String {
    let run = optimly(&["--json", "chat", "new", "user_456"], &env_for(mock)).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let chat: Value = serde_json::from_str(&run.stdout).expect("json");
    chat["chat_id"].as_str().expect("id").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_offline_without_a_key() {
    let run = optimly(&["demo"], &[]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "1. new chat chat_1 for client demo_visitor",
        "   (the agent ran lead_capture)",
        "3. lead captured: Jane Smith <jane@company.com>, message msg_4",
        "5. handed over to a human by email: handoff_7 (queued)",
        "6. history (5 messages):",
        "The mock recorded 2 lead(s), 1 appointment request(s) and 1 handoff(s).",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "missing {line:?} in\n{}",
            run.stdout
        );
    }
    let json = optimly(&["--json", "demo"], &[]).await;
    let value: Value = serde_json::from_str(&json.stdout).expect("--json prints one JSON document");
    assert_eq!(value["history"].as_array().map(Vec::len), Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_say_history_and_chats() {
    let mock = mock().await;
    let env = env_for(&mock);
    let text = optimly(
        &["chat", "new", "user_9", "--lead", "--meta", "source=cli"],
        &env,
    )
    .await;
    assert_eq!(
        (text.code, text.stdout.trim()),
        (0, "chat chat_1 for user_9")
    );
    let chat = new_chat(&mock).await;
    let say = optimly(
        &[
            "say",
            &chat,
            "Can we book a meeting on 2026-12-01 at 09:30?",
        ],
        &env,
    )
    .await;
    assert_eq!(say.code, 0, "{}", say.stderr);
    assert_eq!(
        say.stdout,
        "agent: I've requested an appointment on 2026-12-01 at 09:30; you'll get a confirmation by email.\n  tool appointment: executed {\"date\":\"2026-12-01\",\"time\":\"09:30\"}\n"
    );
    let history = optimly(&["history", &chat], &env).await;
    assert_eq!(history.stdout.lines().count(), 2);
    assert!(history.stdout.starts_with("[user] Can we book"));
    let chats = optimly(&["--json", "chats", "user_456"], &env).await;
    let list: Value = serde_json::from_str(&chats.stdout).expect("json");
    assert_eq!(list[0]["message_count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_appointment_and_handoff() {
    let mock = mock().await;
    let env = env_for(&mock);
    let chat = new_chat(&mock).await;
    let lead = optimly(
        &[
            "lead",
            &chat,
            "--email",
            "john@example.com",
            "--name",
            "John Doe",
            "--company",
            "Acme Corp",
        ],
        &env,
    )
    .await;
    assert_eq!(
        (lead.code, lead.stdout.trim()),
        (0, "lead recorded: message msg_2")
    );
    let appointment = optimly(
        &[
            "appointment",
            &chat,
            "--name",
            "Jane",
            "--email",
            "jane@company.com",
            "--date",
            "2030-12-02",
            "--time",
            "14:00",
            "--channel",
            "Zoom",
        ],
        &env,
    )
    .await;
    assert_eq!(appointment.code, 0, "{}", appointment.stderr);
    assert!(
        appointment
            .stdout
            .starts_with("appointment requested: message msg_3\nagent: ")
    );
    let handoff = optimly(
        &[
            "handoff",
            &chat,
            "--reason",
            "Pricing approval",
            "--urgency",
            "high",
            "--team",
            "Sales",
        ],
        &env,
    )
    .await;
    assert_eq!(
        (handoff.code, handoff.stdout.trim()),
        (0, "handoff handoff_5 is queued")
    );
    assert_eq!(mock.leads()[0]["metadata"]["company"], "Acme Corp");
    assert_eq!(
        mock.handoffs()[0]["metadata"],
        serde_json::json!({"priority": "high", "assigned_team": "Sales"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_one_line_and_distinct_exit_codes() {
    let mock = mock().await;
    let bad_key = optimly(
        &["chats", "u"],
        &[
            ("OPTIMLY_API_KEY", "agt_wrong".into()),
            ("OPTIMLY_BASE_URL", mock.base_url()),
        ],
    )
    .await;
    assert_eq!(bad_key.code, 3);
    // The SDK's warnings show without -v.
    assert_eq!(
        bad_key.stderr.trim().lines().collect::<Vec<_>>(),
        [
            "WARN the API key does not look like an Optimly key (`agt_` followed by 32 letters or digits); using it anyway",
            "error: list_client_chats: unauthorized (HTTP 401): Invalid API key"
        ]
    );

    let unknown = optimly(&["history", "chat_nope"], &env_for(&mock)).await;
    assert_eq!(unknown.code, 5);
    assert_eq!(
        unknown.stderr.trim(),
        "error: list_chat_messages: not found (HTTP 404): chat chat_nope not found"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let down = optimly(
        &["chats", "u"],
        &[
            ("OPTIMLY_API_KEY", mock.key().into()),
            ("OPTIMLY_BASE_URL", format!("http://127.0.0.1:{port}")),
        ],
    )
    .await;
    assert_eq!(down.code, 4, "{}", down.stderr);
    assert!(
        down.stderr
            .starts_with("error: list_client_chats: connection failed: error sending request"),
        "{}",
        down.stderr
    );
    assert!(
        down.stderr.contains("Connection refused"),
        "{}",
        down.stderr
    );
    assert_eq!(down.stderr.lines().count(), 1);

    let invalid = optimly(
        &["lead", "chat_1", "--email", "not-an-email"],
        &env_for(&mock),
    )
    .await;
    assert_eq!(
        (invalid.code, invalid.stderr.trim()),
        (
            2,
            "error: new_message: invalid input: metadata.email: is not an email address like name@example.com"
        )
    );

    let no_key = optimly(&["chats", "u"], &[]).await;
    assert_eq!(no_key.code, 2);
    assert!(
        no_key
            .stderr
            .starts_with("error: configuration: OPTIMLY_API_KEY: not set"),
        "{}",
        no_key.stderr
    );

    let usage = optimly(&["say"], &[]).await;
    assert_eq!(usage.code, 2);
    for run in [&bad_key, &unknown, &down, &invalid] {
        assert!(
            !run.stderr.contains(mock.key()),
            "the key leaked: {}",
            run.stderr
        );
    }
}

#[test]
fn mock_serve_prints_its_url_and_stops_on_ctrl_c() {
    let mut child = Command::cargo_bin("optimly")
        .expect("binary")
        .args(["mock", "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    assert!(
        first.starts_with("export OPTIMLY_BASE_URL=http://127.0.0.1:"),
        "{first}"
    );
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0), "a clean shutdown on Ctrl-C");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_generate_for_bash_zsh_and_fish() {
    // Each shell's opening, and how it spells a long option.
    for (shell, opening, long) in [
        ("bash", "_optimly() {", "--"),
        ("zsh", "#compdef optimly", "--"),
        ("fish", "# Print an optspec for argparse", "-l "),
    ] {
        let run = optimly(&["completions", shell], &[]).await;
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.starts_with(opening), "{shell}: {}", run.stdout);
        // Subcommands, options and the values of the value enums are all completed.
        let urgency = format!("{long}urgency");
        let auth = format!("{long}auth");
        for word in [
            "appointment",
            "handoff",
            "critical",
            "legacy",
            &urgency,
            &auth,
        ] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    // The bash script is valid bash.
    let bash = optimly(&["completions", "bash"], &[]).await;
    let checked = tokio::task::spawn_blocking(move || {
        let mut child = Command::new("bash")
            .arg("-n")
            .stdin(Stdio::piped())
            .spawn()
            .expect("bash runs");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("stdin"),
            bash.stdout.as_bytes(),
        )
        .expect("script written");
        child.wait().expect("bash ends")
    })
    .await
    .expect("joined");
    assert!(checked.success(), "bash -n refused the script");
    let unknown = optimly(&["completions", "tcsh"], &[]).await;
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn man_prints_a_roff_page_of_every_subcommand() {
    let run = optimly(&["man"], &[]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = run.stdout;
    assert!(page.contains("\n.TH optimly 1 "), "{page}");
    assert!(page.contains("\n.SH NAME\noptimly"), "{page}");
    for subcommand in [
        "demo",
        "chat",
        "say",
        "history",
        "lead",
        "appointment",
        "handoff",
        "mock",
        "widget",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("optimly\\-{subcommand}(1)")),
            "{subcommand} is not in the page"
        );
    }
    assert!(
        page.contains("OPTIMLY_API_KEY"),
        "the variables are in the page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_every_variable_and_the_exit_codes() {
    let help = optimly(&["--help"], &[]).await;
    assert_eq!(help.code, 0, "{}", help.stderr);
    for name in ENV {
        assert!(
            help.stdout.contains(&format!("[env: {name}")),
            "{name} missing:\n{}",
            help.stdout
        );
    }
    let exit_codes = help
        .stdout
        .split("Exit codes:\n")
        .nth(1)
        .expect("an exit-code list");
    assert_eq!(
        exit_codes.lines().map(str::trim).collect::<Vec<_>>(),
        [
            "0  success",
            "1  anything unexpected",
            "2  usage: bad arguments, invalid input, configuration",
            "3  authentication: 401, 403",
            "4  network: connection failed, timed out",
            "5  an API error: 404, 422, 429, 5xx, an undecodable response, a rate limit",
        ]
    );
    // A key given in the environment is never shown by --help.
    let key = "agt_CANARY00000000000000000000000000";
    let with_key = optimly(&["--help"], &[(optimly::env::API_KEY, key.into())]).await;
    assert!(!with_key.stdout.contains(key), "--help printed the key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_json_every_error_is_one_json_object_on_stderr() {
    let mock = mock().await;
    let parse = |run: &Run| -> Value {
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        serde_json::from_str(&run.stderr).expect("stderr is JSON")
    };
    let bad_key = optimly(
        &["--json", "chats", "u"],
        &[
            (
                optimly::env::API_KEY,
                "agt_00000000000000000000000000000000".into(),
            ),
            (optimly::env::BASE_URL, mock.base_url()),
        ],
    )
    .await;
    assert_eq!(bad_key.code, 3);
    assert_eq!(
        parse(&bad_key),
        serde_json::json!({"error": {
            "kind": "unauthorized",
            "message": "list_client_chats: unauthorized (HTTP 401): Invalid API key",
            "exit_code": 3,
            "operation": "list_client_chats",
            "attempts": 1,
            "status": 401,
            "retry_after_seconds": null,
            "fields": [],
        }})
    );
    let invalid = optimly(
        &["--json", "lead", "chat_1", "--email", "not-an-email"],
        &env_for(&mock),
    )
    .await;
    assert_eq!(invalid.code, 2);
    let invalid = parse(&invalid);
    assert_eq!(invalid["error"]["kind"], "refused_locally");
    assert_eq!(invalid["error"]["attempts"], 0);
    assert_eq!(
        invalid["error"]["fields"],
        serde_json::json!([{"field": "metadata.email", "message": "is not an email address like name@example.com"}])
    );
    let usage = optimly(&["--json", "say"], &[]).await;
    assert_eq!(usage.code, 2);
    assert_eq!(
        parse(&usage),
        serde_json::json!({"error": {
            "kind": "usage",
            "message": "the following required arguments were not provided: <CHAT_ID> <TEXT>",
            "exit_code": 2,
        }})
    );
    let urgency = optimly(&["--json", "handoff", "chat_1", "--urgency", "soon"], &[]).await;
    assert_eq!(urgency.code, 2);
    assert_eq!(parse(&urgency)["error"]["kind"], "usage");
    assert!(usage.stdout.is_empty() && urgency.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_the_sdk_call_span_and_never_the_key() {
    let mock = mock().await;
    let quiet = optimly(&["chats", "u"], &env_for(&mock)).await;
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stderr, "");
    let loud = optimly(&["-vv", "chats", "u"], &env_for(&mock)).await;
    assert_eq!(loud.code, 0, "{}", loud.stderr);
    assert!(
        loud.stderr
            .contains("DEBUG optimly.call{otel.name=GET /external/chat/{client_id}/chats"),
        "{}",
        loud.stderr
    );
    assert!(loud.stderr.contains("call succeeded"), "{}", loud.stderr);
    assert!(
        !loud.stderr.contains(mock.key()),
        "the key leaked: {}",
        loud.stderr
    );
    let query = optimly(&["-vvv", "--auth", "query", "chats", "u"], &env_for(&mock)).await;
    assert_eq!(query.code, 0, "{}", query.stderr);
    assert!(
        !query.stderr.contains(mock.key()),
        "the key leaked: {}",
        query.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_beyond_loopback_needs_the_explicit_switch_and_warns() {
    // 127.0.0.2 is loopback too, so use the machine's own non-loopback spelling: 0.0.0.0 is
    // "not loopback" for the SDK and reaches a mock listening on every address.
    let mock = optimly_mock::start(MockConfig {
        host: std::net::Ipv4Addr::UNSPECIFIED.into(),
        ..MockConfig::default()
    })
    .await
    .expect("mock");
    let url = format!("http://0.0.0.0:{}", mock.addr().port());
    let env = [
        (optimly::env::API_KEY, mock.key().to_owned()),
        (optimly::env::BASE_URL, url),
    ];
    let refused = optimly(&["chats", "u"], &env).await;
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("plain http is only allowed for loopback hosts"),
        "{}",
        refused.stderr
    );
    let mut allowed_env = env.to_vec();
    allowed_env.push((optimly::env::ALLOW_INSECURE_HTTP, "true".into()));
    let allowed = optimly(&["chats", "u"], &allowed_env).await;
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(
        allowed.stderr.contains(
            "plain http to a host that is not loopback: the API key crosses the network unencrypted"
        ),
        "{}",
        allowed.stderr
    );
    assert!(!allowed.stderr.contains(mock.key()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_serves_the_demo_page_and_a_conversation_offline() {
    let mut child = Command::cargo_bin("optimly")
        .expect("binary")
        .args(["widget", "--port", "0"])
        .env_remove(optimly::env::API_KEY)
        .env_remove("OPTIMLY_WIDGET_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let first = tokio::task::spawn_blocking(move || {
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("a line");
        first
    })
    .await
    .expect("joined");
    let url = first.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let origin = url.trim_end_matches('/').to_owned();

    let http = optimly::tls::client_builder()
        .expect("TLS")
        .build()
        .expect("an HTTP client");
    let page = http.get(&url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("html");
    assert!(
        page.contains(r#"<script src="/optimly/widget.js" defer></script>"#),
        "{page}"
    );
    let script = http
        .get(format!("{origin}/optimly/widget.js"))
        .send()
        .await
        .expect("script");
    assert_eq!(script.status(), 200);
    let started = http
        .post(format!("{origin}/api/conversation"))
        .header("origin", &origin)
        .send()
        .await
        .expect("conversation");
    assert_eq!(started.status(), 200);
    let cookie = started.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let reply: Value = http
        .post(format!("{origin}/api/messages"))
        .header("origin", &origin)
        .header("cookie", cookie)
        .json(&serde_json::json!({"content": "Can we book a meeting?"}))
        .send()
        .await
        .expect("message")
        .json()
        .await
        .expect("json");
    assert_eq!(reply["tools"][0]["tool"], "appointment", "{reply}");

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let status = tokio::task::spawn_blocking(move || child.wait().expect("exits"))
        .await
        .expect("joined");
    assert_eq!(status.code(), Some(0), "a clean shutdown on Ctrl-C");
}

/// Every command against a real FastAPI server (`tests/fastapi/app.py`), which sends `null`
/// for every field it leaves unset: the agent's reply to "hi there" carries
/// `"tools_executed": null`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_works_against_fastapi() {
    use workspace_tests::fastapi::{AuthStyle, FastApiApp, KEY};
    let Some(app) = FastApiApp::start(
        "every_command_works_against_fastapi",
        AuthStyle::SecuritySchemes,
    ) else {
        return;
    };
    let env = vec![
        ("OPTIMLY_API_KEY", KEY.to_owned()),
        ("OPTIMLY_BASE_URL", app.base_url.clone()),
    ];
    let week = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let runs: [(&[&str], &str); 7] = [
        (&["chat", "new", "u1"], "chat chat_1 for u1\n"),
        (
            &["say", "chat_1", "hi there"],
            "agent: Hello! How can I help?\n",
        ),
        (
            &["history", "chat_1"],
            "[user] hi there\n[assistant] Hello! How can I help?\n",
        ),
        (&["chats", "u1"], "chat_1  2 messages\n"),
        (
            &[
                "lead",
                "chat_1",
                "--email",
                "j@example.com",
                "--name",
                "J D",
            ],
            "lead recorded: message msg_4\n",
        ),
        (
            &[
                "appointment",
                "chat_1",
                "--name",
                "Jane",
                "--email",
                "jane@example.com",
                "--date",
                &week,
                "--time",
                "14:00",
            ],
            "appointment requested: message msg_5\nagent: Hello! How can I help?\n",
        ),
        (
            &[
                "handoff",
                "chat_1",
                "--reason",
                "billing",
                "--urgency",
                "high",
            ],
            "handoff handoff_7 is queued\n",
        ),
    ];
    for (args, stdout) in runs {
        let run = optimly(args, &env).await;
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, stdout),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stderr, "", "{args:?}");
    }
    let missing = optimly(&["history", "nope"], &env).await;
    assert_eq!(
        (missing.code, missing.stderr.as_str()),
        (
            5,
            "error: list_chat_messages: not found (HTTP 404): Chat not found\n"
        )
    );
    let demo = optimly(&["demo"], &env).await;
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    assert!(
        demo.stdout.contains("6. history (5 messages):"),
        "{}",
        demo.stdout
    );
    let mut wrong = env.clone();
    wrong[0].1 = "agt_wrong000000000000000000000000000".into();
    let refused = optimly(&["chats", "u1"], &wrong).await;
    assert_eq!(
        (refused.code, refused.stderr.as_str()),
        (
            3,
            "error: list_client_chats: unauthorized (HTTP 401): Invalid API key\n"
        )
    );
}
