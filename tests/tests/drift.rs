//! The drift snapshots. With `CI=true` a changed report fails the test and shows its diff;
//! locally, `cargo insta review` shows and accepts the change.

use workspace_tests::{docs, reports, root, rust_surface, spec::Spec};

fn spec() -> Spec {
    let text = std::fs::read_to_string(root().join("openapi/v3.yaml")).expect("openapi/v3.yaml");
    Spec::from_yaml(&text).expect("spec parses")
}

fn examples() -> Vec<docs::Example> {
    docs::examples(&root().join("openapi/docs/examples")).expect("examples load")
}

#[test]
fn examples_report() {
    insta::assert_snapshot!("examples", reports::examples(&spec(), &examples()));
}

#[test]
fn surface_report() {
    let docs = docs::load(&root().join("openapi/docs")).expect("docs load");
    insta::assert_snapshot!("surface", reports::surface(&spec(), &docs));
}

/// Every numbered disagreement of `shared/optimly-docs/CONTRADICTIONS.md` is a row of the
/// committed surface snapshot, with its pages and a ruling.
#[test]
fn every_contradiction_is_a_row() {
    let snap = std::fs::read_to_string(root().join("tests/tests/snapshots/drift__surface.snap"))
        .expect("snapshot");
    let missing: Vec<String> = (1..=24)
        .map(|n| format!("C{n}"))
        .filter(|c| {
            !snap.lines().any(|l| {
                let mut cells = l.split(" | ");
                cells.next() == Some(c.as_str()) && l.contains(" VS ") && cells.count() == 3
            })
        })
        .collect();
    assert!(missing.is_empty(), "no row for {missing:?}");
}

#[test]
fn spec_inventory() {
    insta::assert_snapshot!("inventory", reports::inventory(&spec()));
}

#[test]
fn rust_surface() {
    let source = std::fs::read_to_string(root().join("crates/optimly-api/src/generated.rs"))
        .expect("generated.rs");
    insta::assert_snapshot!(
        "rust_surface",
        rust_surface::report(&source).expect("parses")
    );
}

#[test]
fn generated_types_vs_spec() {
    insta::assert_snapshot!("types_vs_spec", reports::types_vs_spec(&spec()));
}

/// A folder laid out like `openapi/docs` (this repo's surface, a fixture page's facts), in
/// the temporary directory; removed when dropped.
struct DocsCopy(std::path::PathBuf);

impl DocsCopy {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("drift-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("docs/pages")).expect("dir");
        std::fs::create_dir_all(dir.join("docs/examples")).expect("dir");
        std::fs::copy(
            root().join("openapi/docs/surface.yaml"),
            dir.join("docs/surface.yaml"),
        )
        .expect("surface");
        Self(dir)
    }

    /// Import `page` (text) as the page `900_widgets.txt`; the reports, surface and examples.
    fn import(&self, page: &str) -> (String, String) {
        let path = self.0.join("900_widgets.txt");
        std::fs::write(&path, page).expect("page");
        xtask::docs::import(&[path], &self.0.join("docs")).expect("import");
        let docs = docs::load(&self.0.join("docs")).expect("load");
        (
            reports::surface(&spec(), &docs),
            reports::examples(&spec(), &docs.examples),
        )
    }
}

impl Drop for DocsCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lines of `after` not in `before`, and of `before` not in `after`.
fn changed(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let b: Vec<&str> = before.lines().collect();
    let a: Vec<&str> = after.lines().collect();
    (
        a.iter()
            .filter(|l| !b.contains(l))
            .map(|l| l.to_string())
            .collect(),
        b.iter()
            .filter(|l| !a.contains(l))
            .map(|l| l.to_string())
            .collect(),
    )
}

/// After `docs import` of a changed page, the drift reports change in the rows that name the
/// change, and nowhere else.
#[test]
fn an_imported_change_shows_in_the_rows_that_name_it() {
    let page = std::fs::read_to_string(root().join("xtask/tests/fixtures/docs/900_widgets.txt"))
        .expect("fixture page");
    let copy = DocsCopy::new("import");
    let (surface, examples) = copy.import(&page);
    assert!(surface.contains(
        "widget registrations per access token | 40/hour | P900 › Rate Limits | NOT IN SPEC"
    ));

    // A renamed field in an example.
    let (_, ex) = copy.import(&page.replacen(
        "\"owner_email\": \"owner@example.com\"",
        "\"owner\": \"owner@example.com\"",
        1,
    ));
    assert_eq!(
        changed(&examples, &ex),
        (
            vec!["    fields: /label, /metadata/shelf, /owner, /size".to_owned()],
            vec!["    fields: /label, /metadata/shelf, /owner_email, /size".to_owned()]
        )
    );

    // A flipped Required cell.
    let (s, _) = copy.import(&page.replacen("sizeintegerNo", "sizeintegerYes", 1));
    assert_eq!(
        changed(&surface, &s),
        (
            vec![
                "P900 › Register a Widget › Parameters | size | integer | required | 1".to_owned()
            ],
            vec![
                "P900 › Register a Widget › Parameters | size | integer | optional | 1".to_owned()
            ]
        )
    );

    // A changed rate limit.
    let (s, _) =
        copy.import(&page.replacen("40 widget registrations", "60 widget registrations", 1));
    assert_eq!(
        changed(&surface, &s),
        (
            vec!["widget registrations per access token | 60/hour | P900 › Rate Limits | NOT IN SPEC".to_owned()],
            vec!["widget registrations per access token | 40/hour | P900 › Rate Limits | NOT IN SPEC".to_owned()]
        )
    );

    // A removed endpoint (its section goes, and with it its example).
    let start = page.find("Retire a Widget").expect("section");
    let end = page.find("Error Handling").expect("next");
    let (s, ex) = copy.import(&format!("{}{}", &page[..start], &page[end..]));
    assert_eq!(
        changed(&surface, &s),
        (
            vec![],
            vec!["POST /external/widgets/retire | P900 › Retire a Widget › Endpoint: named | NOT IN SPEC".to_owned()]
        )
    );
    let (_, gone) = changed(&examples, &ex);
    assert!(
        gone.iter().any(|l| l.starts_with(
            "P900-retire-a-widget-request-body | POST /external/widgets/retire request"
        )),
        "{gone:?}"
    );
}

/// A value the SDK accepts in place of a page's expression, by the field it stands in.
fn stand_in(pointer: &str) -> Option<serde_json::Value> {
    let field = pointer.rsplit('/').next().unwrap_or_default();
    Some(match field {
        f if f.contains("email") => serde_json::json!("stand.in@example.com"),
        "date" => serde_json::json!("2099-01-01"),
        "time" => serde_json::json!("09:00"),
        "duration_minutes" => serde_json::json!(30),
        "urgency" => serde_json::json!("medium"),
        _ => return None,
    })
}

/// Where each leaf of `sent` is in `wire`: equal leaves, and `content` when a string is part
/// of the message's text.
fn places(value: &serde_json::Value, wire: &serde_json::Value) -> Vec<String> {
    let mut at: Vec<String> = reports::leaf_values(wire)
        .into_iter()
        .filter(|(p, v)| {
            v == value && !["/source", "/message_id", "/handoff_id"].contains(&p.as_str())
        })
        .map(|(p, _)| p)
        .collect();
    if let (Some(s), Some(content)) = (value.as_str(), wire["content"].as_str())
        && !at.contains(&"/content".to_owned())
        && content.contains(s)
    {
        at.push("/content (in the text)".into());
    }
    at
}

async fn mapped(
    client: &optimly::OptimlyClient,
    mock: &optimly::testing::RunningMock,
    example: &docs::Example,
) -> reports::Mapped {
    let path = example.path.as_deref().unwrap_or_default();
    let sdk_type = match path {
        "/external/tools/lead-form" => "Lead",
        "/external/tools/appointment" => "AppointmentRequest",
        _ => "EmailHandoff",
    };
    let mut body = example.body.clone();
    for pointer in &example.expressions {
        if let (Some(v), Some(slot)) = (stand_in(pointer), body.pointer_mut(pointer)) {
            *slot = v;
        }
    }
    // A page's appointment date that has passed is sent on the same day of 2099 (the API
    // refuses a past date); the report says so.
    let mut moved = None;
    if let Some(date) = body.get("date").and_then(|d| d.as_str()).map(str::to_owned) {
        let today = chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        if !example.expressions.contains(&"/date".to_owned()) && date.len() == 10 && date < today {
            let future = format!("2099{}", &date[4..]);
            body["date"] = serde_json::json!(future);
            moved = Some(future);
        }
    }
    let chat = client.create_chat("mapping").await.expect("chat");
    let page_chat = body.as_object_mut().and_then(|m| m.remove("chat_id"));
    let sent = body.clone();
    // The form's own metadata goes on the request, as every call's does.
    let own = body
        .as_object_mut()
        .and_then(|m| m.remove("metadata"))
        .and_then(|m| m.as_object().cloned())
        .unwrap_or_default();
    let wire: Result<serde_json::Value, String> = async {
        let text = |e: &dyn std::fmt::Display| e.to_string();
        match sdk_type {
            "Lead" => {
                let lead: optimly::Lead = serde_json::from_value(body).map_err(|e| text(&e))?;
                client
                    .capture_lead(chat.id(), &lead)
                    .metadata(own)
                    .await
                    .map_err(|e| text(&e))?;
                mock.leads()
                    .pop()
                    .ok_or_else(|| "no lead recorded".to_owned())
            }
            "AppointmentRequest" => {
                let request: optimly::AppointmentRequest =
                    serde_json::from_value(body).map_err(|e| text(&e))?;
                client
                    .request_appointment(chat.id(), &request)
                    .metadata(own)
                    .await
                    .map_err(|e| text(&e))?;
                mock.appointments()
                    .into_iter()
                    .rfind(|r| r["source"] == "message")
                    .ok_or_else(|| "no appointment recorded".to_owned())
            }
            _ => {
                let handoff: optimly::EmailHandoff =
                    serde_json::from_value(body).map_err(|e| text(&e))?;
                client
                    .hand_off(chat.id(), &handoff)
                    .metadata(own)
                    .await
                    .map_err(|e| text(&e))?;
                mock.handoffs()
                    .pop()
                    .ok_or_else(|| "no handoff recorded".to_owned())
            }
        }
    }
    .await;
    let fields = wire.map(|wire| {
        let mut fields: Vec<(String, serde_json::Value, Vec<String>)> = Vec::new();
        if let Some(page_value) = page_chat {
            let at = if wire["chat_id"] == chat.id() {
                vec!["/chat_id (the chat the call names)".to_owned()]
            } else {
                Vec::new()
            };
            fields.push(("/chat_id".into(), page_value, at));
        }
        for (pointer, value) in reports::leaf_values(&sent) {
            let page_value = example
                .body
                .pointer(&pointer)
                .cloned()
                .unwrap_or(value.clone());
            let mut at = places(&value, &wire);
            if let (Some(future), "/date") = (&moved, pointer.as_str()) {
                for a in &mut at {
                    a.push_str(&format!(" (sent as {future}: the page's date has passed)"));
                }
            }
            fields.push((pointer, page_value, at));
        }
        fields
    });
    reports::Mapped {
        example: example.id.clone(),
        sdk_type,
        fields,
    }
}

/// Every tools-page request example through the SDK's automation types onto the v3 wire;
/// no field of the tools page's parameter tables is dropped.
#[tokio::test]
async fn automations_mapping() {
    let (client, mock) = optimly::testing::start_mock().await.expect("mock");
    let docs = docs::load(&root().join("openapi/docs")).expect("docs");
    let mut rows = Vec::new();
    for ex in docs.examples.iter().filter(|e| {
        e.direction == docs::Direction::Request
            && e.path
                .as_deref()
                .is_some_and(|p| p.starts_with("/external/tools/"))
    }) {
        rows.push(mapped(&client, &mock, ex).await);
    }
    let report = reports::automations(&rows);
    insta::assert_snapshot!("automations", report);

    // Every field of the tools page's parameter tables is placed on the wire by its
    // section's request body.
    let tables = &docs.pages["P001"].parameters;
    assert_eq!(tables.len(), 25, "lead 8, appointment 10, handoff 7");
    for p in tables {
        let section = p.section.trim_end_matches(" › Parameters");
        let body = docs
            .examples
            .iter()
            .find(|e| e.section == format!("{section} › Request Body"))
            .unwrap_or_else(|| panic!("no request body for {section}"));
        let row = rows.iter().find(|r| r.example == body.id).expect("mapped");
        let fields = row
            .fields
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", row.example));
        let placed = fields.iter().any(|(f, _, wire)| {
            (f == &format!("/{}", p.name) || f.starts_with(&format!("/{}/", p.name)))
                && !wire.is_empty()
        });
        assert!(
            placed,
            "{section}: {} is not placed on the wire\n{report}",
            p.name
        );
    }
    // message_id round-trips for all three automations.
    for section in [
        "Lead Form Capture",
        "Appointment Scheduling",
        "Email Handoff",
    ] {
        let id = &docs
            .examples
            .iter()
            .find(|e| e.section == format!("{section} › Request Body"))
            .expect("body")
            .id;
        let row = rows.iter().find(|r| &r.example == id).expect("row");
        let fields = row.fields.as_ref().expect("mapped");
        assert!(
            fields.iter().any(|(f, v, w)| f == "/message_id"
                && v == "msg_456"
                && w.iter().any(|w| w == "/metadata/message_id")),
            "{section}: {fields:?}"
        );
    }
    mock.shutdown().await;
}

/// `optimly`'s public API, one line per item (`cargo xtask public-api` prints it): a pull
/// request that changes the public surface changes this snapshot, and fails until it is
/// reviewed.
#[test]
fn public_api() {
    let listing = xtask::public_api::listing(&root().join("crates/optimly"), "optimly")
        .expect("the crate's source lists");
    insta::assert_snapshot!("public_api", listing);
    assert_eq!(case_collisions(&listing), Vec::<String>::new());
}

/// Public items whose rustdoc pages differ only in case (`struct.HandOff.html` and
/// `struct.Handoff.html`): on a case-insensitive file system (macOS, Windows) one page
/// overwrites the other. From a crate's public-API listing, which rustdoc's JSON produces.
fn case_collisions(listing: &str) -> Vec<String> {
    let mut pages: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for line in listing.lines() {
        // `pub struct optimly::chats::Chat`, `pub fn optimly::testing::start_mock(...)`.
        let Some((kind, rest)) = line.strip_prefix("pub ").and_then(|l| l.split_once(' ')) else {
            continue;
        };
        if !matches!(
            kind,
            "struct"
                | "enum"
                | "trait"
                | "type"
                | "fn"
                | "const"
                | "static"
                | "mod"
                | "macro"
                | "union"
        ) {
            continue;
        }
        let path = rest[..rest.find(['<', '(', ' ']).unwrap_or(rest.len())].trim_end_matches(':');
        let segments: Vec<&str> = path.split("::").collect();
        // A method's page is its type's: only items directly in a module have pages.
        let in_module = segments[..segments.len().saturating_sub(1)]
            .iter()
            .all(|s| {
                s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            });
        if in_module {
            let page = format!("{kind}.{path}").to_lowercase();
            pages
                .entry(page)
                .or_default()
                .push(format!("{kind} {path}"));
        }
    }
    pages
        .into_values()
        .filter_map(|mut items| {
            items.sort();
            items.dedup();
            (items.len() > 1).then(|| items.join(" / "))
        })
        .collect()
}

#[test]
fn case_collisions_are_found() {
    let listing = "pub struct optimly::automations::HandOff<'a>\n\
                   pub struct optimly::automations::Handoff(_)\n\
                   pub fn optimly::automations::Handoff::id(&self) -> &str\n\
                   pub fn optimly::automations::HandOff::id(&self) -> &str\n\
                   pub enum optimly::ErrorKind";
    assert_eq!(
        case_collisions(listing),
        ["struct optimly::automations::HandOff / struct optimly::automations::Handoff"]
    );
}
