//! A conversation with your Optimly agent.
//!
//! ```sh
//! OPTIMLY_API_KEY=agt_... cargo run -p optimly --example quickstart -- "Do you have a free trial?"
//! ```

use std::process::ExitCode;

use optimly::OptimlyClient;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), optimly::Error> {
    let question = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Hello! I need help with pricing.".to_owned());
    let client = OptimlyClient::from_env()?;

    let conversation = client.start_conversation("quickstart_user").await?;
    println!("chat {}", conversation.chat_id());
    println!("you:   {question}");
    let reply = conversation.ask(question).await?;
    println!("agent: {}", reply.text());
    for tool in reply.tools_executed() {
        println!("       (ran {}: {})", tool.tool(), tool.status());
    }

    println!("\nhistory:");
    for message in conversation.history().await? {
        println!(
            "  {} [{}] {}",
            message.time().format("%H:%M"),
            message.sender(),
            message.content()
        );
    }
    Ok(())
}
