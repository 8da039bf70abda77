//! The spec's `x-rate-limits` as Rust constants, so that the SDK's limiter and the mock's
//! enforcement read the documented limits from one generated place instead of parsing YAML at
//! run time.
//!
//! The root `x-rate-limits.global` list applies to every request; an operation's own
//! `x-rate-limits` list applies to that operation. The root `tools` list counts tool executions,
//! which no v3 operation maps onto one to one, so it is recorded in the spec but not generated.

use anyhow::{Result, bail};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::spec;

/// One entry, checked.
struct Entry {
    limit: u32,
    per: &'static str,
    scope: &'static str,
}

fn entries(list: Option<&Value>, at: &str) -> Result<Vec<Entry>> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let Some(items) = list.as_array() else {
        bail!("{at}: x-rate-limits must be a list");
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |name: &str| item.get(name).and_then(Value::as_str);
            let limit = item
                .get("limit")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0);
            let per = match field("per") {
                Some("second") => Some("Second"),
                Some("minute") => Some("Minute"),
                Some("hour") => Some("Hour"),
                Some("day") => Some("Day"),
                _ => None,
            };
            let scope = match field("scope") {
                Some("api_key") => Some("ApiKey"),
                Some("agent") => Some("Agent"),
                Some("chat") => Some("Chat"),
                _ => None,
            };
            match (limit, per, scope) {
                (Some(limit), Some(per), Some(scope)) => Ok(Entry { limit, per, scope }),
                _ => bail!(
                    "{at}[{i}]: a rate limit needs `limit` (1..=4294967295), `per` \
                     (second|minute|hour|day) and `scope` (api_key|agent|chat)"
                ),
            }
        })
        .collect()
}

fn list(entries: &[Entry]) -> TokenStream {
    let items = entries.iter().map(|e| {
        let limit = e.limit;
        let per = format_ident!("{}", e.per);
        let scope = format_ident!("{}", e.scope);
        quote! { RateLimit { limit: #limit, per: Per::#per, scope: Scope::#scope } }
    });
    quote! { &[#(#items),*] }
}

/// The `rate_limits` module for a spec.
pub fn module(value: &Value) -> Result<syn::Item> {
    let global = list(&entries(
        value.pointer("/x-rate-limits/global"),
        "x-rate-limits.global",
    )?);
    let mut arms = Vec::new();
    let mut ids = Vec::new();
    for (path, method, op) in spec::operations(value) {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let own = entries(op.get("x-rate-limits"), &format!("paths.{path}.{method}"))?;
        ids.push(id.to_owned());
        if !own.is_empty() {
            let own = list(&own);
            arms.push(quote! { #id => #own, });
        }
    }
    ids.sort();
    let item = quote! {
        /// The rate limits `openapi/v3.yaml` documents (`x-rate-limits`), as constants.
        ///
        /// [`GLOBAL`] applies to every request made with one API key; [`for_operation`] gives
        /// the limits of one operation on top of those.
        pub mod rate_limits {
            /// What a limit is counted per.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum Scope {
                /// One count per API key.
                ApiKey,
                /// One count per agent (an API key belongs to one agent).
                Agent,
                /// One count per chat (`chat_id`).
                Chat,
            }

            /// The length of a limit's window.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum Per {
                /// One second.
                Second,
                /// One minute.
                Minute,
                /// One hour.
                Hour,
                /// One day.
                Day,
            }

            impl Per {
                /// The window in seconds.
                pub const fn seconds(self) -> u64 {
                    match self {
                        Self::Second => 1,
                        Self::Minute => 60,
                        Self::Hour => 3_600,
                        Self::Day => 86_400,
                    }
                }

                /// The window.
                pub const fn duration(self) -> ::std::time::Duration {
                    ::std::time::Duration::from_secs(self.seconds())
                }
            }

            /// At most `limit` requests in any window of length `per`, counted per `scope`.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub struct RateLimit {
                /// Requests allowed in one window.
                pub limit: u32,
                /// The window.
                pub per: Per,
                /// What the requests are counted per.
                pub scope: Scope,
            }

            /// The limits on every request (`x-rate-limits.global`).
            pub const GLOBAL: &[RateLimit] = #global;

            /// Every operation id of the spec, sorted.
            pub const OPERATIONS: &[&str] = &[#(#ids),*];

            /// The limits of one operation (its `x-rate-limits`), empty when it has none.
            pub fn for_operation(operation_id: &str) -> &'static [RateLimit] {
                match operation_id {
                    #(#arms)*
                    _ => &[],
                }
            }
        }
    };
    Ok(syn::parse2(item)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(yaml: &str) -> Result<String> {
        let value: Value = serde_yaml::from_str(yaml)?;
        let mut file: syn::File = syn::parse_str("")?;
        file.items.push(module(&value)?);
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn global_and_per_operation_limits_become_constants() {
        let code = render(
            "x-rate-limits:\n  global:\n    - {limit: 100, per: minute, scope: api_key}\n\
             paths:\n  /a:\n    post:\n      operationId: send\n      x-rate-limits:\n\
             \x20       - {limit: 120, per: minute, scope: chat}\n  /b:\n    get:\n      operationId: list\n",
        )
        .expect("renders");
        assert!(code.contains(
            "pub const GLOBAL: &[RateLimit] = &[\n        RateLimit {\n            limit: 100u32,\n            per: Per::Minute,\n            scope: Scope::ApiKey,\n        },\n    ];"
        ), "{code}");
        assert!(
            code.contains("pub const OPERATIONS: &[&str] = &[\"list\", \"send\"];"),
            "{code}"
        );
        assert!(code.contains("\"send\" => {\n                &[\n                    RateLimit {\n                        limit: 120u32,\n                        per: Per::Minute,\n                        scope: Scope::Chat,"), "{code}");
    }

    #[test]
    fn a_malformed_limit_is_refused_with_its_location() {
        let err = render(
            "paths:\n  /a:\n    get:\n      operationId: list\n      x-rate-limits:\n\
             \x20       - {limit: 10, per: fortnight, scope: api_key}\n",
        )
        .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "paths./a.get[0]: a rate limit needs `limit` (1..=4294967295), `per` \
             (second|minute|hour|day) and `scope` (api_key|agent|chat)"
        );
    }
}
