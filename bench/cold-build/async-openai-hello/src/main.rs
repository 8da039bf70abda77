//! Hello, model: one message to a chat-completion endpoint and its reply, the baseline that
//! `measure.py` builds beside `optimly-hello`.

use async_openai::Client;
use async_openai::types::chat::{ChatCompletionRequestUserMessage, CreateChatCompletionRequestArgs};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new();
    let request = CreateChatCompletionRequestArgs::default()
        .model("gpt-4o-mini")
        .messages([ChatCompletionRequestUserMessage::from("Hello!").into()])
        .build()?;
    let response = client.chat().create(request).await?;
    if let Some(content) = response.choices.first().and_then(|c| c.message.content.as_ref()) {
        println!("{content}");
    }
    Ok(())
}
