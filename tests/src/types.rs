//! From a schema name to the Rust type generated for it: parse an example into it and
//! serialise it back, or ask schemars for its JSON Schema.

use optimly_api::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

macro_rules! generated_types {
    ($($name:ident $(as $ty:ident)?),* $(,)?) => {
        /// Every component schema that has a generated type.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Parse `value` into the type generated for `name` and serialise it back.
        /// `None` when no type is known for `name`.
        pub fn round_trip(name: &str, value: &Value) -> Option<Result<Value, String>> {
            match name {
                $(stringify!($name) => Some(through::<generated_types!(@type $name $($ty)?)>(value)),)*
                _ => None,
            }
        }

        /// The JSON Schema schemars produces for the type generated for `name`.
        pub fn rust_schema(name: &str) -> Option<Value> {
            match name {
                $(stringify!($name) => Some(
                    schemars::schema_for!(generated_types!(@type $name $($ty)?)).as_value().clone()
                ),)*
                _ => None,
            }
        }
    };
    // The type of a schema: its own name, or the one the xtask gives it.
    (@type $name:ident) => { types::$name };
    (@type $name:ident $ty:ident) => { types::$ty };
}

generated_types!(
    AgentReply,
    AgentReplyMetadata,
    AgentRequest,
    AgentResponse,
    Chat,
    ChatBase,
    ChatStatus,
    EmailHandoff,
    EmailHandoffRequest,
    // The xtask names the API's error body `ApiErrorBody` (beside the SDK's own `Error`).
    Error as ApiErrorBody,
    ErrorDetail,
    HandoffStatus,
    LocationItem,
    Message,
    MessageCore,
    NewMessageSender,
    Metadata,
    Sender,
    ToolExecution,
    ToolName,
    ToolStatus,
    ValidationIssue,
);

fn through<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let parsed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&parsed).map_err(|e| e.to_string())
}

/// What a round trip changed, one line per JSON path: `dropped`, `added` or `changed`.
pub fn differences(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(before, after, "", &mut out);
    out
}

fn diff(before: &Value, after: &Value, at: &str, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, bv) in b {
                let path = format!("{at}/{k}");
                match a.get(k) {
                    Some(av) => diff(bv, av, &path, out),
                    None => out.push(format!("dropped {path} (was {bv})")),
                }
            }
            for (k, av) in a {
                if !b.contains_key(k) {
                    out.push(format!("added {at}/{k} = {av}"));
                }
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                diff(bv, av, &format!("{at}/{i}"), out);
            }
        }
        _ if before != after => out.push(format!("changed {at}: {before} -> {after}")),
        _ => {}
    }
}
