//! `optimly`: talk to an Optimly agent from the terminal, or run a whole conversation offline
//! against the embedded mock (`optimly demo`).
//!
//! Every setting of the connection is an option that can also come from its `OPTIMLY_*`
//! environment variable (`--help` lists them); the exit codes are listed there too.

mod demo;
mod output;

use std::process::ExitCode;
use std::str::FromStr;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use clap_complete::Shell;
use optimly::{
    AgentVersion, AppointmentRequest, AuthMethod, ClientBuilder, EmailHandoff, Error, ErrorKind,
    Lead, OptimlyClient, Urgency, env,
};

use crate::output::Output;

/// Talk to an Optimly AI agent.
#[derive(Debug, Parser)]
#[command(name = "optimly", version, about)]
struct Cli {
    /// Print JSON instead of text for people; errors are then JSON on stderr.
    #[arg(long, global = true)]
    json: bool,
    /// Show the SDK's log on stderr: -v info, -vv debug, -vvv trace (warnings always show).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    verbose: u8,
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: Command,
}

/// How to reach Optimly: the settings `OptimlyClient::from_env` reads, each an option or its
/// environment variable, and read by the SDK's own parser (`ClientBuilder::from_lookup`).
#[derive(Debug, Args)]
struct Connection {
    /// The agent's API key (prefer the variable: a flag's value shows in process lists).
    #[arg(long, env = env::API_KEY, hide_env_values = true, global = true)]
    api_key: Option<String>,
    /// The API's base URL.
    #[arg(long, env = env::BASE_URL, global = true, default_value = optimly::DEFAULT_BASE_URL)]
    base_url: Option<String>,
    /// How the key is sent (the SDK's default when not given: the bearer header).
    #[arg(long, env = env::AUTH, global = true, value_parser = names(AuthMethod::NAMES))]
    auth: Option<String>,
    /// Allow plain http to a host that is not loopback (a mock in another container); the
    /// key then crosses the network unencrypted, and a warning says so.
    #[arg(long, env = env::ALLOW_INSECURE_HTTP, global = true, value_parser = names(["true", "false"]))]
    allow_insecure_http: Option<String>,
    /// Count the rate limits in this Redis, shared by every process on the key.
    #[arg(long, env = env::REDIS_URL, hide_env_values = true, global = true)]
    redis_url: Option<String>,
    /// Fail calls while Redis is unavailable instead of counting in this process.
    #[arg(long, env = env::REDIS_STRICT, global = true, value_parser = names(["true", "false"]))]
    redis_strict: Option<String>,
}

impl Connection {
    /// What the SDK would read from the environment, as the options (or variables) say.
    fn lookup(&self, name: &str) -> Option<String> {
        match name {
            env::API_KEY => self.api_key.clone(),
            env::BASE_URL => self.base_url.clone(),
            env::AUTH => self.auth.clone(),
            env::ALLOW_INSECURE_HTTP => self.allow_insecure_http.clone(),
            env::REDIS_URL => self.redis_url.clone(),
            env::REDIS_STRICT => self.redis_strict.clone(),
            // A variable a newer SDK reads and this CLI does not declare yet.
            other => std::env::var(other).ok(),
        }
    }

    fn builder(&self) -> Result<ClientBuilder, Error> {
        ClientBuilder::from_lookup(|name| self.lookup(name))
    }
}

/// A value parser that accepts exactly `names` (listed by `--help` and completions).
fn names<const N: usize>(names: [&'static str; N]) -> PossibleValuesParser {
    PossibleValuesParser::new(names)
}

/// A value parser for one of a type's names, parsed by the type's own `FromStr`.
fn choice<T, const N: usize>(all: [&'static str; N]) -> impl TypedValueParser<Value = T>
where
    T: FromStr + Clone + Send + Sync + 'static,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    names(all).try_map(|name| name.parse::<T>())
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
        /// The agent endpoint.
        #[arg(long, default_value = AgentVersion::default().as_str(), value_parser = choice::<AgentVersion, 3>(AgentVersion::ALL.map(AgentVersion::as_str)))]
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
    /// Serve a demo page with the website chat widget on 127.0.0.1: offline against the
    /// embedded mock, or against Optimly when OPTIMLY_API_KEY is set. Prints the page's URL.
    Widget {
        /// The port to listen on (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The secret that seals visitor cookies, 64 bytes or more (the same on every
        /// replica); a random one per run when not given.
        #[arg(long, env = "OPTIMLY_WIDGET_SECRET", hide_env_values = true)]
        cookie_secret: Option<String>,
    },
    /// Print a completion script for a shell (`optimly completions bash > /etc/bash_completion.d/optimly`).
    Completions {
        /// The shell.
        shell: Shell,
    },
    /// Print this command's man page, in roff (`optimly man > /usr/local/share/man/man1/optimly.1`).
    Man,
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
    /// How urgent it is.
    #[arg(long, value_parser = choice::<Urgency, 4>(Urgency::ALL.map(Urgency::as_str)))]
    urgency: Option<Urgency>,
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
        /// Accept any chat id: a call naming a chat the mock does not know creates it (by
        /// default such a call is a 404).
        #[arg(long)]
        ad_hoc_chats: bool,
    },
}

fn parse_meta(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "expected key=value".to_owned())
}

/// What the exit status of `optimly` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    Unexpected = 1,
    Usage = 2,
    Auth = 3,
    Network = 4,
    Api = 5,
}

impl Exit {
    const ALL: [Exit; 5] = [
        Exit::Unexpected,
        Exit::Usage,
        Exit::Auth,
        Exit::Network,
        Exit::Api,
    ];

    fn meaning(self) -> &'static str {
        match self {
            Exit::Unexpected => "anything unexpected",
            Exit::Usage => "usage: bad arguments, invalid input, configuration",
            Exit::Auth => "authentication: 401, 403",
            Exit::Network => "network: connection failed, timed out",
            Exit::Api => "an API error: 404, 422, 429, 5xx, an undecodable response, a rate limit",
        }
    }

    fn of(error: &Error) -> Exit {
        match error.kind() {
            ErrorKind::RefusedLocally { .. } | ErrorKind::Config { .. } => Exit::Usage,
            ErrorKind::Unauthorized | ErrorKind::Forbidden => Exit::Auth,
            ErrorKind::Connection { .. } | ErrorKind::Timeout { .. } => Exit::Network,
            _ => Exit::Api,
        }
    }

    /// The list `--help` ends with.
    fn help() -> String {
        let mut text = String::from("Exit codes:\n  0  success");
        for exit in Exit::ALL {
            text.push_str(&format!("\n  {}  {}", exit as u8, exit.meaning()));
        }
        text
    }
}

/// The command line, with the exit codes in `--help`.
fn cli_command() -> clap::Command {
    Cli::command().after_help(Exit::help())
}

#[tokio::main]
async fn main() -> ExitCode {
    let wants_json = std::env::args_os().any(|a| a == "--json");
    let cli = match cli_command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        // `--help`, `--version`, and usage errors without `--json`: as clap prints them.
        Err(e) if !wants_json || !e.use_stderr() => e.exit(),
        Err(e) => {
            // clap's message without its usage and help hints, on one line.
            let text = e.to_string();
            let message = text
                .split("\n\n")
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            output::json_error(serde_json::json!({
                "kind": "usage",
                "message": message.trim_start_matches("error: "),
                "exit_code": Exit::Usage as u8,
            }));
            return ExitCode::from(Exit::Usage as u8);
        }
    };
    output::log_to_stderr(cli.verbose);
    let out = Output::new(cli.json);
    match run(cli.command, &cli.connection, &out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let exit = Exit::of(&error) as u8;
            out.error(&error, exit);
            ExitCode::from(exit)
        }
    }
}

async fn run(command: Command, connection: &Connection, out: &Output) -> Result<(), Error> {
    match command {
        Command::Demo => demo::run(connection, out).await,
        Command::Widget {
            port,
            cookie_secret,
        } => serve_widget(connection, port, cookie_secret).await,
        Command::Completions { shell } => {
            // Written whole: clap_complete panics when it cannot write (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli_command(), "optimly", &mut script);
            output::say!("{}", String::from_utf8_lossy(&script).trim_end());
            Ok(())
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cli_command())
                .render(&mut page)
                .map_err(|e| Error::config("man", e.to_string()))?;
            output::say!("{}", String::from_utf8_lossy(&page).trim_end());
            Ok(())
        }
        Command::Mock(MockCommand::Serve {
            port,
            key,
            no_rate_limits,
            ad_hoc_chats,
        }) => {
            let config = optimly_mock::MockConfig {
                key,
                port,
                rate_limits: !no_rate_limits,
                ad_hoc_chats,
                ..optimly_mock::MockConfig::default()
            };
            serve_mock(config).await
        }
        command => {
            let client = connection.builder()?.build()?;
            api_command(&client, command, out).await
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
            let lead = Lead {
                full_name: a.name,
                company: a.company,
                phone: a.phone,
                message: a.message,
                ..Lead::new(a.email)
            };
            out.message(
                "lead recorded",
                &client.capture_lead(a.chat_id, &lead).await?,
            );
        }
        Command::Appointment(a) => {
            let request = AppointmentRequest {
                duration_minutes: a.duration,
                timezone: a.timezone,
                preferred_channel: a.channel,
                ..AppointmentRequest::new(a.name, a.email, a.date, a.time)
            };
            out.message(
                "appointment requested",
                &client.request_appointment(a.chat_id, &request).await?,
            );
        }
        Command::Handoff(a) => {
            let handoff = EmailHandoff {
                customer_email: a.email,
                reason: a.reason,
                context: a.context,
                urgency: a.urgency,
                assigned_team: a.team,
                ..EmailHandoff::default()
            };
            out.handoff(&client.hand_off(a.chat_id, &handoff).await?);
        }
        Command::Demo
        | Command::Widget { .. }
        | Command::Mock(_)
        | Command::Completions { .. }
        | Command::Man => {}
    }
    Ok(())
}

async fn serve_widget(
    connection: &Connection,
    port: u16,
    cookie_secret: Option<String>,
) -> Result<(), Error> {
    let (client, mock) = demo::client_or_mock(connection).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Error::config("port", format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::config("port", e.to_string()))?;
    let builder = optimly_widget::Widget::builder(client)
        .allow_origin(format!("http://127.0.0.1:{}", addr.port()))
        .allow_origin(format!("http://localhost:{}", addr.port()))
        // Plain http on this machine only: a Secure cookie would not be sent back.
        .secure_cookie(false);
    let builder = match &cookie_secret {
        Some(secret) => builder.cookie_secret(secret.as_bytes()),
        None => builder.random_cookie_secret(),
    };
    let widget = builder.build()?;
    let app = widget
        .router()
        .route("/", axum::routing::get(optimly_widget::demo_page));
    let ctrl_c = optimly_mock::ctrl_c().await;
    crate::output::say!("http://{addr}/");
    match &mock {
        Some(m) => eprintln!(
            "optimly widget: open http://{addr}/ in a browser; the agent is the embedded mock at {} (set OPTIMLY_API_KEY to talk to Optimly). Ctrl-C to stop.",
            m.base_url()
        ),
        None => eprintln!("optimly widget: open http://{addr}/ in a browser. Ctrl-C to stop."),
    }
    // The widget's own server: each visitor's address for its per-address limits, and a
    // header timeout. Ctrl-C drops it with the connections it holds.
    tokio::select! {
        served = optimly_widget::serve(listener, app, optimly_widget::DEFAULT_HEADER_TIMEOUT) => {
            served.map_err(|e| Error::config("port", e.to_string()))?;
        }
        _ = ctrl_c => {}
    }
    Ok(())
}

async fn serve_mock(config: optimly_mock::MockConfig) -> Result<(), Error> {
    let default_key = config.key == optimly_mock::DEFAULT_KEY;
    let port = config.port;
    let mock = optimly_mock::start(config)
        .await
        .map_err(|e| Error::config("port", format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    // Listening before the address is printed: a Ctrl-C right after it stops the mock cleanly.
    let ctrl_c = optimly_mock::ctrl_c().await;
    eprintln!(
        "optimly mock listening on {} (Ctrl-C to stop)",
        mock.base_url()
    );
    crate::output::say!("export OPTIMLY_BASE_URL={}", mock.base_url());
    if default_key {
        crate::output::say!("export OPTIMLY_API_KEY={}", optimly_mock::DEFAULT_KEY);
    }
    let _ = ctrl_c.await;
    mock.shutdown().await;
    Ok(())
}
