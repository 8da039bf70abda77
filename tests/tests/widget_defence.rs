//! The widget on the public internet, against the offline mock with its real limits: what one
//! anonymous client can do to everyone else. A flood from one address, with or without its
//! cookie, with forged `X-Forwarded-For`; one visitor's handoffs and bookings; a site's own
//! users; forms that carry what the page never sends; a client that drips its headers; two
//! replicas sharing one Redis.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use optimly::operations::{CALL_AGENT_V2, NEW_CHAT};
use optimly::testing::{MockConfig, RedisServer};
use optimly::{Limit, OptimlyClient, RedisLimits, Scope};
use optimly_mock::RunningMock;
use optimly_widget::{
    COOKIE_NAME, Identity, SECURE_COOKIE_NAME, Widget, WidgetBuilder, WidgetLimits,
};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use workspace_tests::widget::{
    Browser, WidgetServer, assert_contract, listener, origin_for, serve,
};

/// The mock with its real (documented) limits, and a widget over it.
async fn over_mock(
    configure: impl FnOnce(WidgetBuilder) -> WidgetBuilder,
) -> (WidgetServer, RunningMock) {
    let (client, mock) = optimly::testing::start_mock_with(MockConfig::default())
        .await
        .expect("mock");
    (serve(client, configure).await, mock)
}

fn count(mock: &RunningMock, path: &str) -> usize {
    mock.requests().iter().filter(|r| r.path == path).count()
}

/// `127.0.0.N`: a client address of its own on loopback.
fn address(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, n)
}

/// One cookie-dropping attempt from `attacker`: a fresh visitor, and a message.
async fn drop_and_say(
    server: &WidgetServer,
    attacker: Ipv4Addr,
    forwarded: Option<String>,
) -> (StatusCode, Duration) {
    let mut browser = Browser::from_address(server, attacker);
    browser.forwarded_for = forwarded;
    let started = Instant::now();
    assert_eq!(browser.start().await.status, StatusCode::OK);
    let said = browser.say("buy cheap watches").await;
    (said.status, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_leaves_every_honest_conversation_its_replies() {
    let (server, mock) = over_mock(|b| b).await;
    let attacker = address(66);
    let flood = {
        async {
            let mut answers = Vec::new();
            let until = Instant::now() + Duration::from_secs(3);
            while Instant::now() < until {
                let wave: Vec<_> = (0..8)
                    .map(|_| drop_and_say(&server, attacker, None))
                    .collect();
                answers.extend(futures_util::future::join_all(wave).await);
            }
            answers
        }
    };
    let honest = async {
        let visitors = (10..20).map(|n| {
            let server = &server;
            async move {
                let mut visitor = Browser::from_address(server, address(n));
                visitor.start().await;
                let mut replies = Vec::new();
                for text in ["Hi there", "What does the Pro plan cost?", "Thanks!"] {
                    let reply = visitor.say(text).await;
                    if reply.status != StatusCode::OK {
                        eprintln!("honest visitor refused: {} {}", reply.status, reply.body);
                    }
                    replies.push((reply.status, reply.body["reply"]["content"].is_string()));
                }
                replies
            }
        });
        futures_util::future::join_all(visitors).await
    };
    let (answers, conversations) = tokio::join!(flood, honest);

    // Every honest message got its reply.
    for replies in &conversations {
        assert_eq!(replies, &[(StatusCode::OK, true); 3]);
    }
    // The attacker got three conversations (the default 3 new ones a minute per address),
    // and fast 429s for everything else.
    let refused: Vec<Duration> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .map(|(_, took)| *took)
        .collect();
    let served = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(served, 3, "{answers:?}");
    assert_eq!(refused.len(), answers.len() - 3, "{answers:?}");
    let mut sorted = refused.clone();
    sorted.sort();
    let p95 = sorted[sorted.len() * 95 / 100];
    eprintln!(
        "flood: {} attempts, {} served, {} refused, p95 of the 429s {p95:?}",
        answers.len(),
        served,
        refused.len()
    );
    assert!(p95 < Duration::from_secs(1), "p95 of the 429s: {p95:?}");
    // At the mock: 10 honest chats and their 30 messages, and the attacker's 3 chats with
    // one message each. Nothing else was spent.
    assert_eq!(count(&mock, NEW_CHAT.path), 13);
    assert_eq!(count(&mock, CALL_AGENT_V2.path), 33);
    assert_eq!(mock.requests().len(), 46);
    assert_contract(&server.answers());
}

#[tokio::test]
async fn forged_forwarded_for_is_ignored_without_a_trusted_proxy_and_read_behind_one() {
    let (server, mock) = over_mock(|b| b).await;
    let attacker = address(77);
    let mut statuses = Vec::new();
    for n in 0..10 {
        let forged = format!("198.51.100.{n}");
        statuses.push(drop_and_say(&server, attacker, Some(forged)).await.0);
    }
    let ok = StatusCode::OK;
    let limited = StatusCode::TOO_MANY_REQUESTS;
    assert_eq!(
        statuses,
        [
            ok, ok, ok, limited, limited, limited, limited, limited, limited, limited
        ]
    );
    assert_eq!(count(&mock, NEW_CHAT.path), 3);

    // Behind a trusted proxy (loopback here), each forwarded client has its own allowance.
    let (proxied, mock) = over_mock(|b| b.trusted_proxy("127.0.0.0/8")).await;
    for n in 0..5 {
        let client = format!("203.0.113.9, 198.51.100.{n}");
        assert_eq!(drop_and_say(&proxied, attacker, Some(client)).await.0, ok);
    }
    assert_eq!(count(&mock, NEW_CHAT.path), 5);
}

#[tokio::test]
async fn one_visitor_cannot_use_up_the_keys_handoffs_and_bookings() {
    let (server, mock) = over_mock(|b| b).await;
    let mut visitor = Browser::new(&server);
    visitor.start().await;
    let mut handoffs = Vec::new();
    for _ in 0..7 {
        handoffs.push(
            visitor
                .post("/api/handoff", json!({"reason": "call me"}))
                .await
                .status,
        );
    }
    let mut bookings = Vec::new();
    for day in 0..18 {
        let body = json!({
            "name": "Jane Smith", "email": "jane@company.com",
            "date": format!("2099-06-{:02}", day + 1), "time": "14:00"
        });
        bookings.push(visitor.post("/api/appointment", body).await.status);
    }
    let ok = StatusCode::OK;
    let limited = StatusCode::TOO_MANY_REQUESTS;
    assert_eq!(
        handoffs,
        [ok, limited, limited, limited, limited, limited, limited]
    );
    assert_eq!(bookings[..3], [ok, ok, ok]);
    assert!(bookings[3..].iter().all(|s| *s == limited), "{bookings:?}");
    assert_eq!(mock.handoffs().len(), 1);
    assert_eq!(mock.appointments().len(), 3);

    // Another visitor's handoff still goes through.
    let mut honest = Browser::from_address(&server, address(12));
    honest.start().await;
    let handed = honest
        .post("/api/handoff", json!({"reason": "billing"}))
        .await;
    assert_eq!(handed.status, StatusCode::OK, "{}", handed.body);
    assert_eq!(mock.handoffs().len(), 2);
    assert_contract(&server.answers());
}

#[tokio::test]
async fn the_sites_users_are_known_by_their_own_ids() {
    // The site's session: a header its own login layer would have turned into a user.
    let (client, mock) = optimly::testing::start_mock_with(MockConfig::default())
        .await
        .expect("mock");
    let server = serve(client.clone(), |b| {
        b.identify(|head| {
            let user = head
                .headers
                .get("x-site-user")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            async move { user.map(|id| Identity::new(id).meta("plan", "pro")) }
        })
    })
    .await;
    let signed_in = |user: &str| {
        let mut browser = Browser::new(&server);
        browser.extra_header = Some(("x-site-user".to_owned(), user.to_owned()));
        browser
    };
    let mut jane = signed_in("user_jane");
    let mut joe = signed_in("user_joe");
    let mut anonymous = Browser::new(&server);
    for browser in [&mut jane, &mut joe, &mut anonymous] {
        browser.start().await;
        assert_eq!(browser.say("hello").await.status, StatusCode::OK);
    }
    for user in ["user_jane", "user_joe"] {
        let chats = client.list_chats(user).await.expect("chats");
        assert_eq!(chats.len(), 1, "{user}");
        assert_eq!(chats[0].client_id(), Some(user));
        assert_eq!(
            chats[0].metadata().and_then(|m| m.get("plan")),
            Some(&json!("pro"))
        );
    }
    // Jane's cookie, presented by Joe's session: refused, nothing sent.
    let sent = mock.requests().len();
    let mut impostor = signed_in("user_joe");
    impostor.cookie = jane.cookie.clone();
    let refused = impostor.say("what did jane say?").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.body,
        json!({"error": "This conversation belongs to someone else; start a new conversation."})
    );
    assert_eq!(impostor.history().await.status, StatusCode::FORBIDDEN);
    // An anonymous visitor's cookie is no signed-in user's either.
    let mut claimed = signed_in("user_jane");
    claimed.cookie = anonymous.cookie.clone();
    assert_eq!(claimed.say("hi").await.status, StatusCode::FORBIDDEN);
    assert_eq!(mock.requests().len(), sent);
    assert_contract(&server.answers());
}

#[tokio::test]
async fn forms_take_only_what_the_page_sends() {
    let (server, mock) = over_mock(|b| {
        b.handoff_routing(optimly::EmailHandoff {
            assigned_team: Some("Support".into()),
            ..optimly::EmailHandoff::default()
        })
    })
    .await;
    let mut visitor = Browser::new(&server);
    visitor.start().await;
    let long_name = "x".repeat(15_000);
    let oversized = visitor
        .post(
            "/api/lead",
            json!({"email": "jane@company.com", "full_name": long_name}),
        )
        .await;
    assert_eq!(oversized.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        oversized.body,
        json!({"error": "Please check the highlighted fields.", "fields": [
            {"field": "full_name", "message": "is 15000 characters long; at most 200 are taken"}
        ]})
    );
    let huge = visitor
        .post(
            "/api/lead",
            json!({"email": "jane@company.com", "message": "x".repeat(20_000)}),
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let metadata = visitor
        .post(
            "/api/lead",
            json!({"email": "jane@company.com", "metadata": {"a": 1}}),
        )
        .await;
    assert_eq!(metadata.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        metadata.body["fields"],
        json!([{"field": "metadata", "message": "is not a field of this form"}])
    );
    for field in ["urgency", "assigned_team", "message_id"] {
        let set = visitor
            .post("/api/handoff", json!({"reason": "help", field: "critical"}))
            .await;
        assert_eq!(set.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(
            set.body["fields"],
            json!([{"field": field, "message": "is not a field of this form"}])
        );
    }
    assert_eq!(mock.requests().len(), 0, "nothing refused was sent");
    // The site's routing goes with the visitor's handoff.
    let handed = visitor
        .post("/api/handoff", json!({"reason": "help"}))
        .await;
    assert_eq!(handed.status, StatusCode::OK, "{}", handed.body);
    assert_eq!(mock.handoffs()[0]["metadata"]["assigned_team"], "Support");
    assert_contract(&server.answers());
}

#[tokio::test]
async fn hardened_http_headers_errors_and_cookies() {
    let (client, _mock) = optimly::testing::start_mock().await.expect("mock");
    let listener = listener().await;
    let origin = origin_for(listener.local_addr().expect("address"));
    let widget = Widget::builder(client)
        .cookie_secret(&[42; 64])
        .allow_origin(&origin)
        .build()
        .expect("widget");
    let app = widget
        .router()
        .route("/", axum::routing::get(optimly_widget::demo_page));
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(optimly_widget::serve(
        listener,
        app,
        Duration::from_millis(300),
    ));

    // A client dripping its headers is disconnected within the header timeout.
    let mut drip = tokio::net::TcpStream::connect(addr).await.expect("connect");
    drip.write_all(b"POST /api/messages HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let mut closed = false;
    for _ in 0..30 {
        if drip.write_all(b"X").await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 64];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(100), drip.read(&mut buf)).await
        {
            closed = true;
            break;
        }
    }
    assert!(closed, "a dripping client was still connected after 3 s");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    let http = optimly::tls::client_builder()
        .expect("TLS")
        .build()
        .expect("client");
    let base = format!("http://{addr}");
    // Every answer: nosniff, no referrer, not frameable by other sites.
    for path in ["/optimly/widget.js", "/api/messages", "/api/nothing-here"] {
        let response = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answer");
        let header = |name: &str| response.headers()[name].to_str().expect("ascii").to_owned();
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(
            header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'self'",
            "{path}"
        );
    }
    // The demo page: its own origin only, framed by no other site.
    let page = http.get(format!("{base}/")).send().await.expect("page");
    assert_eq!(
        page.headers()["content-security-policy"],
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    // 404 and 405 in the contract's error shape.
    let missing = http
        .get(format!("{base}/api/nothing-here"))
        .send()
        .await
        .expect("404");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json::<serde_json::Value>().await.expect("json"),
        json!({"error": "There is nothing here."})
    );
    let wrong = http
        .delete(format!("{base}/api/lead"))
        .send()
        .await
        .expect("405");
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        wrong.json::<serde_json::Value>().await.expect("json"),
        json!({"error": "This route does not take that method."})
    );
    // A JSON route refuses a body that does not say it is JSON.
    let plain = http
        .post(format!("{base}/api/lead"))
        .header("origin", &origin)
        .header("content-type", "text/plain")
        .body(r#"{"email": "a@b.co"}"#)
        .send()
        .await
        .expect("415");
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // The secure cookie: __Host-, Secure, HttpOnly, SameSite=Strict, Path=/, 30 days.
    let started = http
        .post(format!("{base}/api/conversation"))
        .header("origin", &origin)
        .send()
        .await
        .expect("start");
    let cookie = started.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        cookie.starts_with(&format!("{SECURE_COOKIE_NAME}=")),
        "{cookie}"
    );
    for attribute in [
        "; HttpOnly",
        "; SameSite=Strict",
        "; Secure",
        "; Path=/",
        "; Max-Age=2592000",
    ] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    task.abort();
}

#[tokio::test]
async fn every_byte_of_the_cookie_secret_counts() {
    let (client, _mock) = optimly::testing::start_mock().await.expect("mock");
    let mut one = [7u8; 80];
    let first = serve(client.clone(), |b| b.cookie_secret(&one)).await;
    one[79] = 8;
    let second = serve(client, |b| b.cookie_secret(&one)).await;
    let mut visitor = Browser::new(&first);
    visitor.start().await;
    assert!(
        visitor
            .cookie
            .as_deref()
            .is_some_and(|c| c.starts_with(COOKIE_NAME))
    );
    let mut replayed = Browser::new(&second);
    replayed.cookie = visitor.cookie.clone();
    assert_eq!(replayed.history().await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_replicas_share_one_visitors_limit_through_redis() {
    let Some(redis) = RedisServer::start("two_replicas_share_one_visitors_limit") else {
        return;
    };
    const SITE: &str = "https://shop.example";
    let mock = optimly_mock::start(MockConfig::default())
        .await
        .expect("mock");
    let mut limits = WidgetLimits::default();
    limits.visitor = vec![Limit::new(4, Duration::from_secs(60), Scope::ApiKey)];
    let replica = || {
        let client = OptimlyClient::builder()
            .api_key(mock.key())
            .base_url(mock.base_url())
            .redis_limits(RedisLimits::new(redis.url()))
            .build()
            .expect("client");
        let widget = Widget::builder(client)
            .cookie_secret(&[9; 64])
            .allow_origin(SITE)
            .secure_cookie(false)
            .limits(limits.clone())
            .build()
            .expect("widget");
        async move { WidgetServer::serve(listener().await, &widget).await }
    };
    let first = replica().await;
    let second = replica().await;
    let mut visitor = Browser::new(&first);
    visitor.origin = Some(SITE.to_owned());
    visitor.start().await;
    // Four calls in the minute, alternating replicas: the chat and its first message on one,
    // then one message on each.
    let mut statuses = vec![visitor.say("one").await.status];
    visitor.base = second.origin.clone();
    statuses.push(visitor.say("two").await.status);
    visitor.base = first.origin.clone();
    statuses.push(visitor.say("three").await.status);
    visitor.base = second.origin.clone();
    statuses.push(visitor.say("four").await.status);
    let ok = StatusCode::OK;
    let limited = StatusCode::TOO_MANY_REQUESTS;
    assert_eq!(statuses, [ok, ok, ok, limited]);
    assert_eq!(count(&mock, CALL_AGENT_V2.path), 3);
}
