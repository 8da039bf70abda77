//! The `optimly::testing` httpmock helpers produce exactly the situations they name.

use std::time::Duration;

use httpmock::MockServer;
use optimly::testing;
use optimly::{Error, ToolName};

#[tokio::test]
async fn agent_reply_and_chat_created() {
    let server = MockServer::start_async().await;
    let chat = testing::chat_created(&server, "chat_9").await;
    let reply = testing::agent_reply(&server, "Booked!", &[ToolName::Appointment]).await;
    let client = testing::client_for(&server).expect("client");
    let conversation = client.start_conversation("u").await.expect("chat");
    assert_eq!(conversation.chat_id(), "chat_9");
    let answer = conversation.send("book me").await.expect("reply");
    assert_eq!(answer.text(), "Booked!");
    assert!(answer.executed(&ToolName::Appointment));
    chat.assert_async().await;
    reply.assert_async().await;
}

#[tokio::test]
async fn failure_helpers_give_their_typed_errors() {
    let server = MockServer::start_async().await;
    let client = testing::client_for(&server).expect("client");
    testing::rate_limited(&server, "/external/chat/a/messages", 7).await;
    testing::not_found(&server, "/external/chat/b/messages").await;
    testing::unauthorized(&server, "/external/chat/c/messages").await;
    testing::validation_error(
        &server,
        "/external/chat/d/messages",
        "metadata.email",
        "not an email",
    )
    .await;

    let limited = client.history("a").await.expect_err("429");
    assert!(matches!(limited, Error::RateLimited(_)));
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
    assert!(matches!(
        client.history("b").await.expect_err("404"),
        Error::NotFound(_)
    ));
    assert!(matches!(
        client.history("c").await.expect_err("401"),
        Error::Unauthorized(_)
    ));
    match client.history("d").await.expect_err("422") {
        Error::Validation { fields, .. } => {
            assert_eq!(fields.len(), 1);
            assert_eq!(
                (fields[0].field.as_str(), fields[0].message.as_str()),
                ("metadata.email", "not an email")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn start_mock_gives_a_working_client() {
    let (client, mock) = testing::start_mock().await.expect("mock");
    let conversation = client.start_conversation("u").await.expect("chat");
    conversation
        .send("I'd like a demo, jane@company.com")
        .await
        .expect("reply");
    assert_eq!(mock.leads().len(), 1);
}
