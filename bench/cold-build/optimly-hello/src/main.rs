//! Hello, agent: one message to an Optimly agent and its reply, as the README's quickstart.

#[tokio::main]
async fn main() -> Result<(), optimly::Error> {
    let client = optimly::OptimlyClient::from_env()?;
    let conversation = client.start_conversation("hello-world").await?;
    let reply = conversation.ask("Hello!").await?;
    println!("{}", reply.text());
    Ok(())
}
