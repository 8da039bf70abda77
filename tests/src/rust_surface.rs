//! Report 4: the public Rust surface of `optimly-api`, read from `generated.rs` with syn, so
//! a reviewer sees what a spec change does to Rust users without reading generated code.

use std::fmt::Write;

use quote::ToTokens;
use syn::{ImplItem, Item, Visibility};

/// Render a type as short text: `Option<String>` rather than `::std::option::Option<...>`.
fn short(ty: &impl ToTokens) -> String {
    let text = ty.to_token_stream().to_string().replace(' ', "");
    let mut text = text.as_str().to_owned();
    for prefix in [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "::std::collections::",
        "::serde_json::",
        "crate::types::",
        "super::",
        "types::",
    ] {
        text = text.replace(prefix, "");
    }
    text.replace(',', ", ")
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn deprecated(attrs: &[syn::Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("deprecated")) {
        " (deprecated)"
    } else {
        ""
    }
}

/// The report for the source text of `generated.rs`.
pub fn report(source: &str) -> Result<String, String> {
    let file = syn::parse_file(source).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let mut types = Vec::new();
    let mut client = Vec::new();
    let mut builders = Vec::new();
    for item in &file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => {
                for inner in m.content.iter().flat_map(|(_, items)| items) {
                    type_lines(inner, &mut types);
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() && short(&imp.self_ty) == "Client" => {
                for it in &imp.items {
                    if let ImplItem::Fn(f) = it
                        && is_pub(&f.vis)
                        && !matches!(
                            f.sig.ident.to_string().as_str(),
                            "new"
                                | "new_with_client"
                                | "baseurl"
                                | "client"
                                | "api_version"
                                | "inner"
                        )
                    {
                        let ret = match &f.sig.output {
                            syn::ReturnType::Type(_, t) => short(t),
                            syn::ReturnType::Default => "()".into(),
                        };
                        client.push(format!(
                            "Client::{}() -> {ret}{}",
                            f.sig.ident,
                            deprecated(&f.attrs)
                        ));
                    }
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                for inner in m.content.iter().flat_map(|(_, items)| items) {
                    if let Item::Impl(imp) = inner {
                        let owner = short(&imp.self_ty).replace("<'a>", "");
                        let methods: Vec<String> = imp
                            .items
                            .iter()
                            .filter_map(|it| match it {
                                ImplItem::Fn(f) if is_pub(&f.vis) && f.sig.ident != "new" => {
                                    Some(f.sig.ident.to_string())
                                }
                                _ => None,
                            })
                            .collect();
                        if !methods.is_empty() {
                            builders.push(format!("builder::{owner}: {}", methods.join(", ")));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let _ = writeln!(out, "CLIENT METHODS");
    for line in client {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nREQUEST BUILDERS (setters, then send)");
    for line in builders {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nTYPES (types::*)");
    for line in types {
        let _ = writeln!(out, "{line}");
    }
    Ok(out)
}

fn type_lines(item: &Item, out: &mut Vec<String>) {
    match item {
        Item::Struct(s) if is_pub(&s.vis) => match &s.fields {
            syn::Fields::Named(named) => {
                out.push(format!("struct {}", s.ident));
                for f in &named.named {
                    if let Some(ident) = &f.ident {
                        out.push(format!("    {ident}: {}", short(&f.ty)));
                    }
                }
            }
            syn::Fields::Unnamed(unnamed) => {
                let inner: Vec<String> = unnamed.unnamed.iter().map(|f| short(&f.ty)).collect();
                out.push(format!("struct {}({})", s.ident, inner.join(", ")));
            }
            syn::Fields::Unit => out.push(format!("struct {}", s.ident)),
        },
        Item::Enum(e) if is_pub(&e.vis) => {
            let variants: Vec<String> = e
                .variants
                .iter()
                .map(|v| match &v.fields {
                    syn::Fields::Unnamed(u) => {
                        format!(
                            "{}({})",
                            v.ident,
                            u.unnamed
                                .iter()
                                .map(|f| short(&f.ty))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                    _ => v.ident.to_string(),
                })
                .collect();
            out.push(format!("enum {} {{ {} }}", e.ident, variants.join(", ")));
        }
        _ => {}
    }
}
