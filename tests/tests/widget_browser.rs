//! The widget in a real headless Chromium: a conversation with the typing indicator, the lead
//! form's inline errors, history after a reload, a reply full of HTML shown as text, and a
//! screenshot under `target/`. Every answer the router gave is checked against
//! `openapi/widget.yaml`.

use std::time::Duration;

use httpmock::Method::POST;
use optimly::operations::{CALL_AGENT_V2, NEW_CHAT};
use optimly::testing::{Faults, MockConfig, MockServer, when_operation};
use optimly::{OptimlyClient, RetryPolicy};
use optimly_widget::Widget;
use serde_json::json;
use workspace_tests::browser::Chrome;
use workspace_tests::widget::{WidgetServer, assert_contract, listener, origin_for};

const WAIT: Duration = Duration::from_secs(15);

async fn serve(client: OptimlyClient) -> WidgetServer {
    let listener = listener().await;
    let origin = origin_for(listener.local_addr().expect("address"));
    let widget = Widget::builder(client)
        .random_cookie_secret()
        .allow_origin(&origin)
        // Plain http on loopback, as `optimly widget` serves it.
        .secure_cookie(false)
        .build()
        .expect("widget");
    WidgetServer::serve(listener, &widget).await
}

/// Open the demo page of `server` and wait until the widget has its conversation.
async fn open(chrome: &Chrome, server: &WidgetServer) {
    chrome.goto(&format!("{}/", server.origin)).await;
    chrome
        .until(
            "the widget's conversation",
            "return document.querySelector('#optimly-input') && performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/conversation'));",
            WAIT,
        )
        .await;
}

/// Where the screenshot goes: the workspace's target directory.
fn screenshot_path() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_tests::root().join("target"))
        .join("widget-screenshot.png")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_works_in_a_real_browser() {
    let Some(chrome) = Chrome::start("the_widget_works_in_a_real_browser").await else {
        return;
    };
    // The agent takes a moment, as a real one does: long enough to see the indicator.
    let (client, mock) = optimly::testing::start_mock_with(MockConfig {
        faults: Faults {
            latency: Duration::from_millis(700),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .expect("mock");
    let server = serve(client).await;

    // Loading the page creates nothing at Optimly: three page views, no chat.
    for _ in 0..3 {
        open(&chrome, &server).await;
    }
    let chats = || {
        mock.requests()
            .iter()
            .filter(|r| r.path == NEW_CHAT.path)
            .count()
    };
    assert_eq!(chats(), 0, "page views created chats");

    // A message: the typing indicator while the agent answers, then the reply.
    let question = "Hi! What does the Pro plan cost? You can reach me at jane@company.com";
    chrome.type_into("#optimly-input", question).await;
    chrome.click("#optimly-send").await;
    chrome
        .until(
            "the typing indicator",
            "return !document.getElementById('optimly-typing').hidden && getComputedStyle(document.getElementById('optimly-typing')).display !== 'none';",
            WAIT,
        )
        .await;
    chrome
        .until(
            "the agent's reply",
            "return document.querySelector('.optimly-message.optimly-assistant');",
            WAIT,
        )
        .await;
    assert_eq!(
        chrome.text(".optimly-message.optimly-assistant").await,
        "Thanks! I've noted jane@company.com so our team can send you the details."
    );
    assert_eq!(chrome.text(".optimly-message.optimly-user").await, question);
    assert_eq!(
        chrome
            .run(
                "return document.getElementById('optimly-typing').hidden;",
                json!([])
            )
            .await,
        json!(true),
        "the indicator is gone with the reply"
    );

    // The lead form: a bad email is shown at its field; fixed, the form succeeds.
    chrome.click("#optimly-lead-tab").await;
    chrome
        .type_into("#optimly-lead-form input[name=full_name]", "Jane Smith")
        .await;
    chrome
        .type_into("#optimly-lead-form input[name=email]", "jane@")
        .await;
    chrome.click("#optimly-lead-form button[type=submit]").await;
    let error = chrome
        .until(
            "the inline email error",
            "return document.querySelector('#optimly-lead-form .optimly-field-error[data-field=email]').textContent;",
            WAIT,
        )
        .await;
    assert_eq!(
        error,
        json!("is not an email address like name@example.com")
    );
    assert_eq!(
        chrome
            .run(
                "return document.querySelector('#optimly-lead-form input[name=email]').getAttribute('aria-invalid');",
                json!([])
            )
            .await,
        json!("true")
    );
    assert_eq!(mock.leads().len(), 1, "only the agent's lead so far");
    chrome.clear("#optimly-lead-form input[name=email]").await;
    chrome
        .type_into("#optimly-lead-form input[name=email]", "jane@company.com")
        .await;
    chrome.click("#optimly-lead-form button[type=submit]").await;
    let status = chrome
        .until(
            "the form's success",
            "return document.querySelector('#optimly-lead-form .optimly-form-status').textContent;",
            WAIT,
        )
        .await;
    assert_eq!(status, json!("Thanks! We'll be in touch."));
    assert_eq!(
        chrome
            .text("#optimly-lead-form .optimly-field-error[data-field=email]")
            .await,
        ""
    );
    assert_eq!(mock.leads().len(), 2);

    let bytes = chrome.screenshot(&screenshot_path()).await;
    assert!(bytes > 10_000, "a screenshot of {bytes} bytes");

    // A reload restores the conversation from the server: the cookie, not the page, keeps it.
    chrome.reload().await;
    let count = chrome
        .until(
            "the restored history",
            "const n = document.querySelectorAll('#optimly-messages .optimly-message').length; return n >= 3 ? n : 0;",
            WAIT,
        )
        .await;
    assert_eq!(
        count,
        json!(3),
        "the question, the reply and the lead's record"
    );
    let texts = chrome
        .run(
            "return Array.from(document.querySelectorAll('#optimly-messages .optimly-text')).map(e => e.textContent);",
            json!([]),
        )
        .await;
    assert_eq!(texts[0], json!(question));
    assert_eq!(
        texts[1],
        json!("Thanks! I've noted jane@company.com so our team can send you the details.")
    );
    assert_contract(&server.answers());

    // An agent reply, and a visitor's message, full of HTML: shown as text, nothing runs.
    let optimly = MockServer::start_async().await;
    optimly.mock(|when, then| {
        when_operation(when.method(POST), &NEW_CHAT);
        then.status(200)
            .json_body(json!({"chat_id": "chat_html", "client_id": "web_x"}));
    });
    let hostile = r#"Sure! <img src=x onerror="window.__xss = 'reply'"><script>window.__xss = 'script'</script>"#;
    optimly.mock(|when, then| {
        when_operation(when.method(POST), &CALL_AGENT_V2);
        then.status(200)
            .json_body(json!({"response": hostile, "chat_id": "chat_html"}));
    });
    let upstream = OptimlyClient::builder()
        .api_key("agt_test")
        .base_url(optimly.base_url())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let html_server = serve(upstream).await;
    open(&chrome, &html_server).await;
    let typed = r#"<b>bold</b><img src=x onerror="window.__xss = 'visitor'">"#;
    chrome.type_into("#optimly-input", typed).await;
    chrome.click("#optimly-send").await;
    chrome
        .until(
            "the HTML reply",
            "return document.querySelector('.optimly-message.optimly-assistant');",
            WAIT,
        )
        .await;
    // Give an injected handler every chance to run before looking.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        chrome.text(".optimly-message.optimly-assistant").await,
        hostile
    );
    assert_eq!(chrome.text(".optimly-message.optimly-user").await, typed);
    assert_eq!(
        chrome
            .run(
                "return [window.__xss === undefined, document.querySelectorAll('#optimly-widget img, #optimly-widget b, #optimly-messages script').length];",
                json!([])
            )
            .await,
        json!([true, 0])
    );
    assert_contract(&html_server.answers());
    chrome.quit().await;
}
