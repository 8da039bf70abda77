//! One typed description per spec operation, generated beside the client, so that the SDK's
//! call engine and the mock read each operation's method, path, retry safety and rate limits
//! from one place: `optimly_api::operations`.
//!
//! The root `x-rate-limits.global` list becomes `GLOBAL_LIMITS`; an operation's own
//! `x-rate-limits` list becomes its `limits`. Every generated request builder gets an
//! `optimly_api::Request` impl naming its description and its success type, read from the
//! builder's own `send` so the two cannot disagree.

use anyhow::{Result, bail};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::spec;

/// Tokens as text without spaces, the form the generator's output is matched in: `quote!`
/// spaces tokens in ways that are not worth matching.
pub fn text(tokens: &impl quote::ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

/// One rate-limit entry, checked.
struct Entry {
    limit: u32,
    seconds: u64,
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
            let seconds = match field("per") {
                Some("second") => Some(1),
                Some("minute") => Some(60),
                Some("hour") => Some(3_600),
                Some("day") => Some(86_400),
                _ => None,
            };
            let scope = match field("scope") {
                Some("api_key") => Some("ApiKey"),
                Some("agent") => Some("Agent"),
                Some("chat") => Some("Chat"),
                _ => None,
            };
            match (limit, seconds, scope) {
                (Some(limit), Some(seconds), Some(scope)) => Ok(Entry {
                    limit,
                    seconds,
                    scope,
                }),
                _ => bail!(
                    "{at}[{i}]: a rate limit needs `limit` (1..=4294967295), `per` \
                     (second|minute|hour|day) and `scope` (api_key|agent|chat)"
                ),
            }
        })
        .collect()
}

fn limits(entries: &[Entry]) -> TokenStream {
    let items = entries.iter().map(|e| {
        let limit = e.limit;
        let seconds = e.seconds;
        let scope = format_ident!("{}", e.scope);
        quote! { Limit::new(#limit, Duration::from_secs(#seconds), Scope::#scope) }
    });
    quote! { &[#(#items),*] }
}

/// `new_message` → `NewMessage`, the way progenitor names the operation's builder.
fn camel(id: &str) -> String {
    id.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// A request builder progenitor generated: its operation id and the success type of its
/// `send`.
struct Builder {
    name: syn::Ident,
    operation_id: String,
    output: syn::Type,
}

/// The `ResponseValue<T>` of `Result<ResponseValue<T>, _>`.
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let arg = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(path) = ty else {
            return None;
        };
        let last = path.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner.clone()),
            _ => None,
        }
    };
    arg(&arg(ty)?)
}

/// Every builder of progenitor's `mod builder`, with the operation id its `send` reports.
fn builders(file: &syn::File) -> Vec<Builder> {
    let module = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
        _ => None,
    });
    let mut found = Vec::new();
    for item in module
        .map(|(_, items)| items.as_slice())
        .unwrap_or_default()
    {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let syn::Type::Path(self_ty) = &*block.self_ty else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.clone()) else {
            continue;
        };
        for member in &block.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if f.sig.ident != "send" {
                continue;
            }
            let body = text(&f.block);
            let operation_id = body
                .split_once("operation_id:\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(id, _)| id.to_owned());
            if let (Some(operation_id), Some(output)) = (operation_id, success_type(&f.sig.output))
            {
                found.push(Builder {
                    name: name.clone(),
                    operation_id,
                    output,
                });
            }
        }
    }
    found
}

/// `x-rate-limits.actions`: an `ActionId` enum, one `Action` constant per action, `ACTIONS`.
fn actions(value: &Value) -> Result<TokenStream> {
    let list = match value.pointer("/x-rate-limits/actions") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => bail!("x-rate-limits.actions must be a list"),
    };
    // name, enforced, performed by (operation, form type), limit entries
    type Named = (String, bool, Option<(String, String)>, Vec<Value>);
    let mut named: Vec<Named> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = format!("x-rate-limits.actions[{i}]");
        let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
        let Some(name) = field("action") else {
            bail!("{at}: an action limit needs `action` (its name)");
        };
        let Some(enforced) = item.get("enforced").and_then(Value::as_bool) else {
            bail!("{at}: an action limit needs `enforced: true|false`");
        };
        let by = match (field("operation"), field("form_type")) {
            (Some(op), Some(form)) => {
                if spec::operations(value)
                    .all(|(.., o)| o.get("operationId").and_then(Value::as_str) != Some(&op))
                {
                    bail!("{at}: `operation: {op}` is not an operation of the spec");
                }
                Some((op, form))
            }
            (None, None) if !enforced => None,
            _ => bail!(
                "{at}: an enforced action names the `operation` and `form_type` that perform it"
            ),
        };
        match named.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, e, b, items)) if *e == enforced && *b == by => items.push(item.clone()),
            Some(_) => bail!("{at}: `{name}` is described twice in different ways"),
            None => named.push((name, enforced, by, vec![item.clone()])),
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut variants = Vec::new();
    let mut names = Vec::new();
    let mut constants = Vec::new();
    let mut all = Vec::new();
    for (name, enforced, by, items) in &named {
        let own = limits(&entries(
            Some(&Value::Array(items.clone())),
            &format!("x-rate-limits.actions.{name}"),
        )?);
        let variant = format_ident!("{}", camel(name));
        let constant = format_ident!("{}", name.to_uppercase());
        let line = format!(" `{name}`");
        let performed_by = match by {
            Some((op, form)) => {
                let op = format_ident!("{}", camel(op));
                quote! { Some((OperationId::#op, #form)) }
            }
            None => quote! { None },
        };
        variants.push(quote! { #[doc = #line] #variant, });
        names.push(quote! { Self::#variant => #name, });
        constants.push(quote! {
            #[doc = #line]
            pub const #constant: Action = Action {
                id: ActionId::#variant,
                limits: #own,
                enforced: #enforced,
                performed_by: #performed_by,
            };
        });
        all.push(quote! { &#constant });
    }
    let count = Literal::usize_unsuffixed(named.len());
    Ok(quote! {
        /// Which action of `x-rate-limits.actions`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ActionId {
            #(#variants)*
        }

        impl ActionId {
            /// The spec's name for the action.
            pub const fn name(self) -> &'static str {
                match self {
                    #(#names)*
                }
            }
        }

        #(#constants)*

        /// Every action with limits of its own, sorted by name.
        pub const ACTIONS: [&Action; #count] = [#(#all),*];

        /// The enforced actions a request of `operation` performs, given its
        /// `metadata.form_type`.
        pub fn actions_of(
            operation: OperationId,
            form_type: Option<&str>,
        ) -> impl Iterator<Item = &'static Action> + '_ {
            ACTIONS.into_iter().filter(move |a| {
                a.enforced && a.performed_by.is_some_and(|(op, form)| {
                    op == operation && form_type == Some(form)
                })
            })
        }
    })
}

/// The `operations` module for a spec, given progenitor's output for it.
pub fn module(value: &Value, file: &syn::File) -> Result<syn::Item> {
    let global = limits(&entries(
        value.pointer("/x-rate-limits/global"),
        "x-rate-limits.global",
    )?);
    let actions = actions(value)?;
    let mut ops: Vec<(&str, &str, &str, &Value)> = spec::operations(value)
        .filter_map(|(path, method, op)| {
            let id = op.get("operationId").and_then(Value::as_str)?;
            Some((id, path, method, op))
        })
        .collect();
    ops.sort_by_key(|(id, ..)| *id);
    let builders = builders(file);

    let mut variants = Vec::new();
    let mut names = Vec::new();
    let mut describes = Vec::new();
    let mut constants = Vec::new();
    let mut all = Vec::new();
    let mut impls = Vec::new();
    for (id, path, method, op) in &ops {
        let own = limits(&entries(
            op.get("x-rate-limits"),
            &format!("paths.{path}.{method}"),
        )?);
        let variant = format_ident!("{}", camel(id));
        let constant = format_ident!("{}", id.to_uppercase());
        let method_ident = format_ident!("{}", camel(method));
        let retry_safe = *method == "get";
        let gen_ai = match op.get("x-gen-ai-operation").and_then(Value::as_str) {
            Some(name) => quote!(Some(#name)),
            None => quote!(None),
        };
        let line = format!(" `{}` `{}` (`{id}`)", method.to_uppercase(), path);
        let deprecated = op.get("deprecated").and_then(Value::as_bool) == Some(true);
        let allow = deprecated.then(|| quote!(#[allow(deprecated)]));
        variants.push(quote! { #[doc = #line] #variant, });
        names.push(quote! { Self::#variant => #id, });
        describes.push(quote! { Self::#variant => &#constant, });
        constants.push(quote! {
            #[doc = #line]
            pub const #constant: Operation = Operation {
                id: OperationId::#variant,
                method: Method::#method_ident,
                path: #path,
                retry_safe: #retry_safe,
                limits: #own,
                gen_ai: #gen_ai,
            };
        });
        all.push(quote! { &#constant });
        let Some(builder) = builders.iter().find(|b| b.operation_id == *id) else {
            bail!("progenitor generated no builder that sends `{id}`");
        };
        let name = &builder.name;
        let output = &builder.output;
        impls.push(quote! {
            #allow
            impl<'a> Request for crate::builder::#name<'a> {
                type Output = #output;
                const OPERATION: &'static Operation = &#constant;
                fn send(self) -> impl ::std::future::Future<
                    Output = Result<crate::ResponseValue<Self::Output>, crate::Error<types::ApiErrorBody>>,
                > + Send {
                    crate::builder::#name::send(self)
                }
            }
        });
    }
    if builders.len() != ops.len() {
        bail!(
            "{} builders for {} operations: every builder must send one spec operation",
            builders.len(),
            ops.len()
        );
    }
    let count = Literal::usize_unsuffixed(ops.len());
    let item = quote! {
        /// One description per operation of `openapi/v3.yaml`: method, path, retry safety and
        /// rate limits (`x-rate-limits`), for the SDK's call engine and the mock alike.
        pub mod operations {
            use ::std::time::Duration;

            use crate::limit::{Limit, Scope};
            use crate::operation::{Action, Method, Operation, Request};
            use crate::types;

            /// Which operation of the spec.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum OperationId {
                #(#variants)*
            }

            impl OperationId {
                /// The spec's `operationId`.
                pub const fn name(self) -> &'static str {
                    match self {
                        #(#names)*
                    }
                }

                /// The operation's description.
                pub const fn operation(self) -> &'static Operation {
                    match self {
                        #(#describes)*
                    }
                }
            }

            /// The limits on every request made with one API key (`x-rate-limits.global`).
            pub const GLOBAL_LIMITS: &[Limit] = #global;

            #actions

            #(#constants)*

            /// Every operation, sorted by id.
            pub const ALL: [&Operation; #count] = [#(#all),*];

            /// The operation with this `operationId`.
            pub fn by_name(name: &str) -> Option<&'static Operation> {
                ALL.iter().copied().find(|op| op.name() == name)
            }

            #(#impls)*
        }
    };
    Ok(syn::parse2(item)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(yaml: &str, builders: &str) -> Result<String> {
        let value: Value = serde_yaml::from_str(yaml)?;
        let progenitor: syn::File = syn::parse_str(builders)?;
        let mut file: syn::File = syn::parse_str("")?;
        file.items.push(module(&value, &progenitor)?);
        Ok(text(&file))
    }

    const BUILDERS: &str = r#"
        pub mod builder {
            impl<'a> Send<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::Message>, Error<types::ApiErrorBody>> {
                    let info = OperationInfo { operation_id: "send" };
                }
            }
            impl<'a> List<'a> {
                pub async fn send(self) -> Result<ResponseValue<::std::vec::Vec<types::Chat>>, Error<types::ApiErrorBody>> {
                    let info = OperationInfo { operation_id: "list" };
                }
            }
        }
    "#;

    #[test]
    fn every_operation_gets_a_description_and_its_builder_a_request_impl() {
        let code = render(
            "x-rate-limits:\n  global:\n    - {limit: 100, per: minute, scope: api_key}\n\
             paths:\n  /a:\n    post:\n      operationId: send\n      x-rate-limits:\n\
             \x20       - {limit: 120, per: minute, scope: chat}\n  /b/{id}:\n    get:\n      operationId: list\n",
            BUILDERS,
        )
        .expect("renders");
        assert!(
            code.contains("pubconstGLOBAL_LIMITS:&[Limit]=&[Limit::new(100u32,Duration::from_secs(60u64),Scope::ApiKey)];"),
            "{code}"
        );
        assert!(
            code.contains("pubconstSEND:Operation=Operation{id:OperationId::Send,method:Method::Post,path:\"/a\",retry_safe:false,limits:&[Limit::new(120u32,Duration::from_secs(60u64),Scope::Chat)],gen_ai:None,};"),
            "{code}"
        );
        assert!(
            code.contains("pubconstLIST:Operation=Operation{id:OperationId::List,method:Method::Get,path:\"/b/{id}\",retry_safe:true,limits:&[],gen_ai:None,};"),
            "{code}"
        );
        assert!(
            code.contains("pubconstALL:[&Operation;2]=[&LIST,&SEND];"),
            "{code}"
        );
        assert!(
            code.contains("impl<'a>Requestforcrate::builder::List<'a>{typeOutput=::std::vec::Vec<types::Chat>;constOPERATION:&'staticOperation=&LIST;"),
            "{code}"
        );
    }

    #[test]
    fn an_operation_without_a_builder_is_refused() {
        let err = render(
            "paths:\n  /a:\n    post:\n      operationId: send\n  /c:\n    get:\n      operationId: other\n",
            BUILDERS,
        )
        .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "progenitor generated no builder that sends `other`"
        );
    }

    #[test]
    fn a_malformed_limit_is_refused_with_its_location() {
        let err = render(
            "paths:\n  /a:\n    get:\n      operationId: list\n      x-rate-limits:\n\
             \x20       - {limit: 10, per: fortnight, scope: api_key}\n",
            BUILDERS,
        )
        .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "paths./a.get[0]: a rate limit needs `limit` (1..=4294967295), `per` \
             (second|minute|hour|day) and `scope` (api_key|agent|chat)"
        );
    }
}
