//! The `optimly` binary, run as a user runs it, against a mock started by the test.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use optimly_mock::{MockConfig, RunningMock};
use serde_json::Value;

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
        cmd.args(&args)
            .env_remove("OPTIMLY_API_KEY")
            .env_remove("OPTIMLY_BASE_URL")
            .env_remove("OPTIMLY_AUTH");
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
        "The mock recorded 2 lead(s), 2 appointment request(s) and 1 handoff(s).",
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
    assert_eq!(
        bad_key.stderr.trim(),
        "error: list_client_chats: unauthorized (HTTP 401): Unauthorized: Invalid or missing API key"
    );

    let unknown = optimly(&["history", "chat_nope"], &env_for(&mock)).await;
    assert_eq!(unknown.code, 5);
    assert_eq!(
        unknown.stderr.trim(),
        "error: list_chat_messages: not found (HTTP 404): Not Found: chat chat_nope not found"
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
