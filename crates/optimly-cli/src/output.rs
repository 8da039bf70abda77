//! Printing results: short text for people, or JSON with `--json`.

use std::future::IntoFuture;
use std::io::IsTerminal;
use std::time::Duration;

use optimly::{AgentReply, Chat, Error, Handoff, Message};
use serde::Serialize;
use serde_json::{Value, json};

/// Print a line on stdout. A closed stdout (`optimly history chat_1 | head -1`) is not an
/// error worth a panic: the reader has what it wanted.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
pub(crate) use say;

/// Print `{"error": ...}` on stderr, in one line.
pub fn json_error(error: Value) {
    eprintln!("{}", json!({ "error": error }));
}

/// Send the SDK's tracing output to stderr: warnings, and more with each `-v`.
pub fn log_to_stderr(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .without_time()
        .with_writer(std::io::stderr)
        .init();
}

/// Where and how results are printed.
pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Report a failed command on stderr: one line of text, or one JSON object with
    /// `--json` (what went wrong, the call's context, and the fields to fix).
    pub fn error(&self, error: &Error, exit_code: u8) {
        if !self.json {
            eprintln!("error: {error}");
            return;
        }
        let fields: Vec<Value> = error
            .fields()
            .iter()
            .map(|f| json!({ "field": f.field(), "message": f.message() }))
            .collect();
        json_error(json!({
            "kind": error.kind().code(),
            "message": error.to_string(),
            "exit_code": exit_code,
            "operation": error.operation().map(|o| o.name()),
            "attempts": error.attempts(),
            "status": error.status(),
            "retry_after_seconds": error.retry_after().map(|d| d.as_secs_f64()),
            "fields": fields,
        }));
    }

    /// Print `value` as pretty JSON.
    pub fn print_json<T: Serialize + ?Sized>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => say!("{text}"),
            Err(e) => eprintln!("error: cannot print JSON: {e}"),
        }
    }

    /// In JSON mode, print `value` and say so.
    fn json<T: Serialize + ?Sized>(&self, value: &T) -> bool {
        if self.json {
            self.print_json(value);
        }
        self.json
    }

    /// Run `work` with a spinner on stderr when it is a terminal (never in JSON mode).
    pub async fn waiting<T>(&self, label: &str, work: impl IntoFuture<Output = T>) -> T {
        if self.json || !std::io::stderr().is_terminal() {
            return work.await;
        }
        let spinner = indicatif::ProgressBar::new_spinner().with_message(label.to_owned());
        spinner.enable_steady_tick(Duration::from_millis(100));
        let result = work.await;
        spinner.finish_and_clear();
        result
    }

    pub fn chat(&self, chat: &Chat) {
        if !self.json(chat) {
            say!("chat {} for {}", chat.id(), chat.client_id().unwrap_or("?"));
        }
    }

    pub fn chats(&self, chats: &[Chat]) {
        if !self.json(chats) {
            if chats.is_empty() {
                say!("no chats");
            }
            for chat in chats {
                let count = chat
                    .message_count()
                    .map(|n| format!("{n} messages"))
                    .unwrap_or_default();
                say!("{}  {count}", chat.id());
            }
        }
    }

    pub fn reply(&self, reply: &AgentReply) {
        if self.json(reply) {
            return;
        }
        say!("agent: {}", reply.text());
        for tool in reply.tools_executed() {
            let name = tool.tool();
            let data = tool
                .data()
                .map(|d| serde_json::Value::Object(d.raw().clone()).to_string())
                .unwrap_or_default();
            say!("  tool {name}: {} {data}", tool.status());
        }
    }

    pub fn message(&self, what: &str, message: &Message) {
        if !self.json(message) {
            say!("{what}: message {}", message.id());
            if let Some(reply) = message.agent_response() {
                say!("agent: {}", reply.text());
            }
        }
    }

    pub fn history(&self, messages: &[Message]) {
        if self.json(messages) {
            return;
        }
        if messages.is_empty() {
            say!("no messages");
        }
        for m in messages {
            say!("[{}] {}", m.sender(), m.content());
        }
    }

    pub fn handoff(&self, handoff: &Handoff) {
        if !self.json(handoff) {
            let status = handoff
                .status()
                .map(ToString::to_string)
                .unwrap_or_else(|| "?".into());
            say!("handoff {} is {status}", handoff.id());
        }
    }
}
