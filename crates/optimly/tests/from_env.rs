//! `OPTIMLY_API_KEY`, `OPTIMLY_BASE_URL` and `OPTIMLY_AUTH`: present, missing and malformed.

use std::collections::HashMap;

use optimly::{AuthMethod, ClientBuilder, Error, ErrorKind, OptimlyClient};

const KEY: &str = "agt_0123456789abcdefABCDEF0123456789";

fn from(vars: &[(&str, &str)]) -> Result<OptimlyClient, Error> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ClientBuilder::from_lookup(|name| vars.get(name).cloned())?.build()
}

fn config_error(result: Result<OptimlyClient, Error>) -> (String, String) {
    match result.map_err(|e| e.kind().clone()) {
        Err(ErrorKind::Config { setting, reason }) => (setting, reason),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn all_variables_present() {
    let client = from(&[
        ("OPTIMLY_API_KEY", KEY),
        ("OPTIMLY_BASE_URL", "http://127.0.0.1:8080/"),
        ("OPTIMLY_AUTH", "query"),
    ])
    .expect("client");
    assert_eq!(client.base_url(), "http://127.0.0.1:8080");
    assert_eq!(client.auth_method(), AuthMethod::QueryParam);
}

#[test]
fn only_the_key_gives_the_defaults() {
    let client = from(&[("OPTIMLY_API_KEY", KEY)]).expect("client");
    assert_eq!(client.base_url(), "https://api.optimly.io");
    assert_eq!(client.auth_method(), AuthMethod::Bearer);
    let blank = from(&[
        ("OPTIMLY_API_KEY", KEY),
        ("OPTIMLY_BASE_URL", ""),
        ("OPTIMLY_AUTH", " "),
    ])
    .expect("client");
    assert_eq!(blank.base_url(), "https://api.optimly.io");
}

#[test]
fn a_missing_key_names_the_variable() {
    let (setting, reason) = config_error(from(&[]));
    assert_eq!(setting, "OPTIMLY_API_KEY");
    assert!(reason.starts_with("not set"), "{reason}");
    let (setting, reason) = config_error(from(&[("OPTIMLY_API_KEY", "  ")]));
    assert_eq!(
        (setting.as_str(), reason.as_str()),
        ("OPTIMLY_API_KEY", "is empty")
    );
}

#[test]
fn a_malformed_base_url_names_the_variable_without_echoing_it() {
    let (setting, reason) = config_error(from(&[
        ("OPTIMLY_API_KEY", KEY),
        ("OPTIMLY_BASE_URL", "api.optimly.io"),
    ]));
    assert_eq!(setting, "OPTIMLY_BASE_URL");
    assert!(reason.starts_with("not a valid URL"), "{reason}");
    let (setting, reason) = config_error(from(&[
        ("OPTIMLY_API_KEY", KEY),
        (
            "OPTIMLY_BASE_URL",
            &format!("https://x/?access_token_query={KEY}"),
        ),
    ]));
    assert_eq!(setting, "OPTIMLY_BASE_URL");
    assert!(!reason.contains(KEY), "{reason}");
    let (setting, _) = config_error(from(&[
        ("OPTIMLY_API_KEY", KEY),
        ("OPTIMLY_BASE_URL", "http://api.optimly.io"),
    ]));
    assert_eq!(setting, "OPTIMLY_BASE_URL");
}

#[test]
fn a_malformed_auth_way_names_the_variable_and_the_choices() {
    let err = from(&[("OPTIMLY_API_KEY", KEY), ("OPTIMLY_AUTH", "cookie")]).expect_err("bad auth");
    assert_eq!(
        err.to_string(),
        "configuration: OPTIMLY_AUTH: expected one of bearer, header, query"
    );
}

#[test]
fn from_env_reads_the_process_environment() {
    // Whatever this process's environment holds, the result is a client or a typed error
    // naming one of the three variables; run with OPTIMLY_API_KEY unset it must be the latter.
    match OptimlyClient::from_env() {
        Ok(client) => assert!(!format!("{client:?}").contains("agt_")),
        Err(e) => match e.kind() {
            ErrorKind::Config { setting, .. } => assert!(
                ["OPTIMLY_API_KEY", "OPTIMLY_BASE_URL", "OPTIMLY_AUTH"].contains(&setting.as_str())
            ),
            _ => panic!("unexpected {e:?}"),
        },
    }
}

#[test]
fn the_client_is_cheap_to_clone_and_shareable_across_threads() {
    fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
    assert_shareable::<OptimlyClient>();
    assert_shareable::<optimly::Conversation>();
    assert_shareable::<Error>();
    let client = from(&[("OPTIMLY_API_KEY", KEY)]).expect("client");
    let clone = client.clone();
    assert!(
        std::ptr::eq(client.raw(), clone.raw()),
        "clones share one generated client and pool"
    );
}
