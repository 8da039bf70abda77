//! The `optimly::testing` httpmock helpers produce exactly the situations they name.

use std::time::Duration;

use httpmock::MockServer;
use optimly::testing;
use optimly::{ErrorKind, FieldIssue, ToolName};
use optimly_api::operations::{LIST_CHAT_MESSAGES, LIST_CLIENT_CHATS, NEW_CHAT, NEW_MESSAGE};

#[tokio::test]
async fn agent_reply_and_chat_created() {
    let server = MockServer::start_async().await;
    let chat = testing::chat_created(&server, "chat_9").await;
    let reply = testing::agent_reply(&server, "Booked!", &[ToolName::Appointment]).await;
    let client = testing::client_for(&server).expect("client");
    let conversation = client.start_conversation("u").await.expect("chat");
    assert_eq!(conversation.chat_id(), "chat_9");
    let answer = conversation.ask("book me").await.expect("reply");
    assert_eq!(answer.text(), "Booked!");
    assert!(answer.executed(&ToolName::Appointment));
    chat.assert_async().await;
    reply.assert_async().await;
}

#[tokio::test]
async fn failure_helpers_give_their_typed_errors() {
    let server = MockServer::start_async().await;
    let client = testing::client_for(&server).expect("client");
    testing::rate_limited(&server, &LIST_CHAT_MESSAGES, 7).await;
    testing::not_found(&server, &LIST_CLIENT_CHATS).await;
    testing::unauthorized(&server, &NEW_CHAT).await;
    testing::validation_error(&server, &NEW_MESSAGE, "metadata.email", "not an email").await;

    let limited = client.history("a").await.expect_err("429");
    assert_eq!(limited.kind(), &ErrorKind::RateLimitedByServer);
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
    let missing = client.list_chats("b").await.expect_err("404");
    assert_eq!(
        (missing.kind(), missing.operation()),
        (&ErrorKind::NotFound, Some(&LIST_CLIENT_CHATS))
    );
    assert_eq!(
        client.create_chat("c").await.expect_err("401").kind(),
        &ErrorKind::Unauthorized
    );
    let rejected = client
        .append_message("d", optimly::Sender::User, "hi")
        .await
        .expect_err("422");
    assert_eq!(
        rejected.fields(),
        [FieldIssue::new("metadata.email", "not an email").with_kind("value_error")]
    );
}

#[tokio::test]
async fn start_mock_gives_a_working_client() {
    let (client, mock) = testing::start_mock().await.expect("mock");
    let conversation = client.start_conversation("u").await.expect("chat");
    conversation
        .ask("I'd like a demo, jane@company.com")
        .await
        .expect("reply");
    assert_eq!(mock.leads().len(), 1);
}

#[tokio::test]
async fn the_embedded_mock_has_a_client_that_does_not_retry() {
    let faults = optimly::testing::Faults {
        status_on: [(1, 503)].into(),
        ..optimly::testing::Faults::default()
    };
    let config = optimly::testing::MockConfig {
        faults,
        ..optimly::testing::MockConfig::default()
    };
    let (_retrying, mock) = testing::start_mock_with(config).await.expect("mock");
    let client = testing::client_for_mock(&mock).expect("client");
    let first = client
        .list_chats("user_456")
        .await
        .expect_err("the 503, as the mock gave it");
    assert_eq!((first.status(), first.attempts()), (Some(503), 1));
    assert_eq!(
        client
            .list_chats("user_456")
            .await
            .expect("the next one")
            .len(),
        0
    );
    assert_eq!(mock.requests().len(), 2);
}
