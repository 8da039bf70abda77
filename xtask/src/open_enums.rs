//! Open enums: every top-level `type: string` schema with an `x-extensible-enum` list (the
//! convention that marks a list that can grow, in place of `enum`) becomes a Rust enum with
//! an `Unknown(String)` variant, so a server that adds a value breaks no user.
//!
//! typify generates closed enums and has no catch-all setting, so each enum schema is
//! registered as a replacement type and its code is emitted here, into the generated `types`
//! module, where typify's own types would have been.

use anyhow::{Result, bail};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;

/// The key that lists an open enum's known values.
pub const EXTENSIBLE: &str = "x-extensible-enum";

/// One string enum of `components.schemas`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenEnum {
    /// The schema name, which is also the Rust type name.
    pub name: String,
    /// The schema's description, used as the type's doc comment.
    pub description: Option<String>,
    /// The documented values, in spec order.
    pub values: Vec<String>,
}

/// The path at which generated code refers to an open enum.
pub fn replacement_path(name: &str) -> String {
    format!("crate::types::{name}")
}

/// Collect the string enums of `components.schemas`, sorted by name for stable output.
pub fn collect(spec: &Value) -> Result<Vec<OpenEnum>> {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    let mut enums = Vec::new();
    for (name, schema) in schemas {
        let Some(values) = schema.get(EXTENSIBLE).and_then(Value::as_array) else {
            continue;
        };
        if schema.get("type").and_then(Value::as_str) != Some("string") {
            bail!("components.schemas.{name}: only string enums can be made open");
        }
        let values = values
            .iter()
            .map(|v| match v.as_str() {
                Some(s) => Ok(s.to_owned()),
                None => bail!("components.schemas.{name}: enum value {v} is not a string"),
            })
            .collect::<Result<Vec<_>>>()?;
        let variants: Vec<String> = values.iter().map(|v| variant_name(v)).collect();
        for (i, v) in variants.iter().enumerate() {
            if v == "Unknown" || v.is_empty() || variants[..i].contains(v) {
                bail!(
                    "components.schemas.{name}: value {:?} gives the variant name {v:?}, which is empty, taken or reserved for unknown values",
                    values[i]
                );
            }
        }
        enums.push(OpenEnum {
            name: name.clone(),
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            values,
        });
    }
    Ok(enums)
}

/// `lead_capture` -> `LeadCapture`, `email-handoff` -> `EmailHandoff`.
pub fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// The Rust code of one open enum.
pub fn tokens(e: &OpenEnum) -> TokenStream {
    let name = Ident::new(&e.name, Span::call_site());
    let doc = e.description.as_deref().unwrap_or("").trim_end();
    let idents: Vec<Ident> = e
        .values
        .iter()
        .map(|v| Ident::new(&variant_name(v), Span::call_site()))
        .collect();
    let values = &e.values;
    let name_str = &e.name;
    let value_docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    quote! {
        #[doc = #doc]
        #[doc = ""]
        #[doc = "Open enum: a value this version does not know is kept in `Unknown` and serialised back unchanged."]
        #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #value_docs] #idents, )*
            /// A value the spec does not list, kept verbatim.
            Unknown(::std::string::String),
        }

        impl #name {
            /// Every documented value, in spec order.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #values, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value the spec does not list.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#idents, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        /// Any string: the documented values are listed as examples.
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #name_str.into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "string",
                    "description": #doc,
                    "examples": [#(#values),*]
                })
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::std::string::String::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

/// Put the open enums into the generated `mod types`, beside the types that use them.
pub fn insert_into_types(file: &mut syn::File, enums: &[OpenEnum]) -> Result<()> {
    let types = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    });
    let Some((_, items)) = types else {
        bail!("progenitor's output has no `mod types` to put the open enums in");
    };
    for e in enums {
        let enum_file: syn::File = syn::parse2(tokens(e))?;
        items.extend(enum_file.items);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variant_names_follow_rust_conventions() {
        assert_eq!(variant_name("lead_capture"), "LeadCapture");
        assert_eq!(variant_name("email-handoff"), "EmailHandoff");
        assert_eq!(variant_name("queued"), "Queued");
        assert_eq!(variant_name("2fa"), "V2fa");
    }

    #[test]
    fn collects_only_top_level_string_enums_sorted() {
        let spec = json!({"components": {"schemas": {
            "Sender": {"type": "string", "description": "Who.", "x-extensible-enum": ["user", "assistant"]},
            "Chat": {"type": "object"},
            "Anything": {"type": "string"}
        }}});
        let enums = collect(&spec).expect("collects");
        assert_eq!(
            enums,
            vec![OpenEnum {
                name: "Sender".into(),
                description: Some("Who.".into()),
                values: vec!["user".into(), "assistant".into()],
            }]
        );
    }

    #[test]
    fn a_value_named_unknown_is_refused() {
        let spec = json!({"components": {"schemas": {
            "State": {"type": "string", "x-extensible-enum": ["ok", "unknown"]}
        }}});
        let err = collect(&spec).expect_err("refused").to_string();
        assert!(
            err.contains("components.schemas.State: value \"unknown\""),
            "{err}"
        );
    }

    #[test]
    fn non_string_enum_is_refused() {
        let spec = json!({"components": {"schemas": {"Level": {"type": "integer", "x-extensible-enum": [1, 2]}}}});
        let err = collect(&spec).expect_err("refused").to_string();
        assert_eq!(
            err,
            "components.schemas.Level: only string enums can be made open"
        );
    }
}
