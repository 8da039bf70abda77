//! `optimly`: talk to an Optimly agent from the terminal, or run a whole conversation offline
//! against the embedded mock (`optimly demo`).
//!
//! Exit codes: 0 success, 1 anything unexpected, 2 usage (bad arguments, invalid input,
//! configuration), 3 authentication (401, 403), 4 network (connection, timeout), 5 an API
//! error (404, 422, 429, 5xx, an undecodable response).

mod demo;
mod output;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use optimly::{
    AgentVersion, AppointmentRequest, EmailHandoff, Error, ErrorKind, Lead, OptimlyClient, Urgency,
};

use crate::output::Output;

/// Talk to an Optimly AI agent.
#[derive(Debug, Parser)]
#[command(name = "optimly", version, about)]
struct Cli {
    /// Print JSON instead of text for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a whole conversation: offline against the embedded mock, or against Optimly when
    /// OPTIMLY_API_KEY is set.
    Demo,
    /// Chats.
    #[command(subcommand)]
    Chat(ChatCommand),
    /// Send a user's message to the agent and print its reply.
    Say {
        /// The chat.
        chat_id: String,
        /// The message.
        text: String,
        /// Agent endpoint: v2 (default), v3 or legacy.
        #[arg(long, default_value = "v2", value_parser = parse_version)]
        agent: AgentVersion,
    },
    /// Print a chat's messages.
    History {
        /// The chat.
        chat_id: String,
    },
    /// List a client's chats.
    Chats {
        /// Your identifier for the end user.
        client_id: String,
    },
    /// Record a lead in a chat.
    Lead(LeadArgs),
    /// Ask for an appointment in a chat.
    Appointment(AppointmentArgs),
    /// Hand a chat over to a human by email.
    Handoff(HandoffArgs),
    /// The offline mock.
    #[command(subcommand)]
    Mock(MockCommand),
}

#[derive(Debug, Subcommand)]
enum ChatCommand {
    /// Create a chat for a client.
    New {
        /// Your identifier for the end user.
        client_id: String,
        /// Mark the chat as a lead submission.
        #[arg(long)]
        lead: bool,
        /// Metadata entries, as key=value (repeatable).
        #[arg(long = "meta", value_parser = parse_meta)]
        meta: Vec<(String, String)>,
    },
}

#[derive(Debug, Args)]
struct LeadArgs {
    /// The chat.
    chat_id: String,
    /// Their email (required).
    #[arg(long)]
    email: String,
    /// Their full name.
    #[arg(long)]
    name: Option<String>,
    /// Their company.
    #[arg(long)]
    company: Option<String>,
    /// Their phone number.
    #[arg(long)]
    phone: Option<String>,
    /// What they wrote.
    #[arg(long)]
    message: Option<String>,
}

#[derive(Debug, Args)]
struct AppointmentArgs {
    /// The chat.
    chat_id: String,
    /// Their name.
    #[arg(long)]
    name: String,
    /// Their email.
    #[arg(long)]
    email: String,
    /// The day, YYYY-MM-DD.
    #[arg(long)]
    date: String,
    /// The time, HH:MM.
    #[arg(long)]
    time: String,
    /// Length in minutes.
    #[arg(long, default_value_t = 30)]
    duration: u32,
    /// IANA time zone of date and time.
    #[arg(long)]
    timezone: Option<String>,
    /// How to meet (Zoom, phone, ...).
    #[arg(long)]
    channel: Option<String>,
}

#[derive(Debug, Args)]
struct HandoffArgs {
    /// The chat.
    chat_id: String,
    /// Where the human follows up.
    #[arg(long)]
    email: Option<String>,
    /// Why a human is needed.
    #[arg(long)]
    reason: Option<String>,
    /// What the human needs to know.
    #[arg(long)]
    context: Option<String>,
    /// low, medium, high or critical.
    #[arg(long)]
    urgency: Option<String>,
    /// The team that should pick it up.
    #[arg(long)]
    team: Option<String>,
}

#[derive(Debug, Subcommand)]
enum MockCommand {
    /// Serve the mock on 127.0.0.1 until Ctrl-C.
    Serve {
        /// Port (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The key to accept.
        #[arg(long, default_value = optimly_mock::DEFAULT_KEY, hide_default_value = true)]
        key: String,
        /// Do not enforce the spec's rate limits.
        #[arg(long)]
        no_rate_limits: bool,
    },
}

fn parse_version(text: &str) -> Result<AgentVersion, String> {
    match text {
        "v2" => Ok(AgentVersion::V2),
        "v3" => Ok(AgentVersion::V3),
        "legacy" => Ok(AgentVersion::Legacy),
        _ => Err("expected v2, v3 or legacy".into()),
    }
}

fn parse_meta(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "expected key=value".to_owned())
}

/// The exit code for an error.
fn exit_code(error: &Error) -> u8 {
    match error.kind() {
        ErrorKind::InvalidInput { .. } | ErrorKind::Config { .. } => 2,
        ErrorKind::Unauthorized | ErrorKind::Forbidden => 3,
        ErrorKind::Connection { .. } | ErrorKind::Timeout { .. } => 4,
        _ => 5,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output::new(cli.json);
    match run(cli.command, &out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(exit_code(&error))
        }
    }
}

async fn run(command: Command, out: &Output) -> Result<(), Error> {
    match command {
        Command::Demo => demo::run(out).await,
        Command::Mock(MockCommand::Serve {
            port,
            key,
            no_rate_limits,
        }) => serve_mock(port, key, !no_rate_limits).await,
        command => {
            let client = OptimlyClient::from_env()?;
            let result = api_command(&client, command, out).await;
            // With OPTIMLY_REDIS_URL, record this process's calls before it exits.
            client.flush().await;
            result
        }
    }
}

async fn api_command(client: &OptimlyClient, command: Command, out: &Output) -> Result<(), Error> {
    match command {
        Command::Chat(ChatCommand::New {
            client_id,
            lead,
            meta,
        }) => {
            let mut request = client.create_chat(client_id).lead_collected(lead);
            for (k, v) in meta {
                request = request.meta(k, v);
            }
            out.chat(&request.await?);
        }
        Command::Say {
            chat_id,
            text,
            agent,
        } => {
            let reply = out
                .waiting(
                    "waiting for the agent",
                    client.ask(chat_id, text).version(agent).send(),
                )
                .await?;
            out.reply(&reply);
        }
        Command::History { chat_id } => out.history(&client.history(chat_id).await?),
        Command::Chats { client_id } => out.chats(&client.list_chats(client_id).await?),
        Command::Lead(a) => {
            let mut lead = Lead::new(a.email);
            if let Some(v) = a.name {
                lead = lead.full_name(v);
            }
            if let Some(v) = a.company {
                lead = lead.company(v);
            }
            if let Some(v) = a.phone {
                lead = lead.phone(v);
            }
            if let Some(v) = a.message {
                lead = lead.message(v);
            }
            out.message(
                "lead recorded",
                &client.capture_lead(a.chat_id, &lead).await?,
            );
        }
        Command::Appointment(a) => {
            let mut request = AppointmentRequest::new(a.name, a.email, a.date, a.time)
                .duration_minutes(a.duration);
            if let Some(v) = a.timezone {
                request = request.timezone(v);
            }
            if let Some(v) = a.channel {
                request = request.preferred_channel(v);
            }
            out.message(
                "appointment requested",
                &client.request_appointment(a.chat_id, &request).await?,
            );
        }
        Command::Handoff(a) => {
            let mut handoff = EmailHandoff::new();
            if let Some(v) = a.email {
                handoff = handoff.customer_email(v);
            }
            if let Some(v) = a.reason {
                handoff = handoff.reason(v);
            }
            if let Some(v) = a.context {
                handoff = handoff.context(v);
            }
            if let Some(v) = a.urgency {
                handoff = handoff.urgency(v.parse::<Urgency>()?);
            }
            if let Some(v) = a.team {
                handoff = handoff.assigned_team(v);
            }
            out.handoff(&client.hand_off(a.chat_id, &handoff).await?);
        }
        Command::Demo | Command::Mock(_) => {}
    }
    Ok(())
}

async fn serve_mock(port: u16, key: String, rate_limits: bool) -> Result<(), Error> {
    let default_key = key == optimly_mock::DEFAULT_KEY;
    let config = optimly_mock::MockConfig {
        key,
        port,
        rate_limits,
        ..optimly_mock::MockConfig::default()
    };
    let mock = optimly_mock::start(config)
        .await
        .map_err(|e| Error::config("port", format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    eprintln!(
        "optimly mock listening on {} (Ctrl-C to stop)",
        mock.base_url()
    );
    crate::output::say!("export OPTIMLY_BASE_URL={}", mock.base_url());
    if default_key {
        crate::output::say!("export OPTIMLY_API_KEY={}", optimly_mock::DEFAULT_KEY);
    }
    let _ = tokio::signal::ctrl_c().await;
    mock.shutdown().await;
    Ok(())
}
