//! The widget's example site (`crates/optimly-widget/examples/site.rs`), run as its users run
//! it: the widget under `/chat`, the site's login feeding the identity hook.

#[path = "../../crates/optimly-widget/examples/site.rs"]
mod site;

use reqwest::StatusCode;
use serde_json::{Value, json};
use workspace_tests::widget::listener;

#[tokio::test]
async fn the_example_site_serves_the_widget_under_its_prefix_for_its_signed_in_users() {
    let (client, mock) = optimly::testing::start_mock().await.expect("mock");
    let listener = listener().await;
    let addr = listener.local_addr().expect("address");
    let origin = format!("http://{addr}");
    let widget = site::widget(client.clone(), Some(&[5; 64]), &origin, &[]).expect("widget");
    let app = site::app(widget, site::Site::default());
    let server = tokio::spawn(optimly_widget::serve(
        listener,
        app,
        optimly_widget::DEFAULT_HEADER_TIMEOUT,
    ));
    let http = optimly::tls::client_builder()
        .expect("TLS")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // The page points the script at the prefix, and the script is there.
    let page = http
        .get(&origin)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains(r#"<script src="/chat/optimly/widget.js""#),
        "{page}"
    );
    assert!(page.contains("Not signed in."), "{page}");
    let script = http
        .get(format!("{origin}/chat/optimly/widget.js"))
        .send()
        .await
        .expect("script");
    assert_eq!(script.status(), StatusCode::OK);

    // Jane logs in with the site's own form; the widget knows her by the site's id.
    let login = http
        .post(format!("{origin}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=jane")
        .send()
        .await
        .expect("login");
    let session = login.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie")
        .to_owned();
    let mut cookies = vec![session];
    let mut call = async |path: &str, body: Option<Value>| {
        let mut request = http
            .post(format!("{origin}/chat/api/{path}"))
            .header("origin", &origin)
            .header("cookie", cookies.join("; "));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("answer");
        if let Some(set) = response.headers().get("set-cookie") {
            let pair = set
                .to_str()
                .expect("ascii")
                .split(';')
                .next()
                .expect("pair");
            let name = pair.split('=').next().expect("name").to_owned();
            cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            cookies.push(pair.to_owned());
        }
        (
            response.status(),
            response.json::<Value>().await.expect("json"),
        )
    };
    assert_eq!(
        call("conversation", None).await,
        (StatusCode::OK, json!({"resumed": false}))
    );
    let (status, reply) = call("messages", Some(json!({"content": "Hello from Jane"}))).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let chats = client.list_chats("jane").await.expect("chats");
    assert_eq!(chats.len(), 1);
    assert_eq!(
        chats[0].metadata().and_then(|m| m.get("plan")),
        Some(&json!("pro"))
    );
    assert_eq!(mock.requests().len(), 3, "the chat, the message, the list");
    server.abort();
}
