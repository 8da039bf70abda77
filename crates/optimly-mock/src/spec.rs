//! The spec side: operations of `openapi/v3.yaml` and its schemas as JSON Schema.

use serde_json::{Map, Value, json};

/// The spec as a JSON value.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The whole document.
    pub value: Value,
}

/// One operation of the spec.
#[derive(Clone, Debug)]
pub struct Operation<'a> {
    /// `operationId`.
    pub id: &'a str,
    /// Lower-case method.
    pub method: &'a str,
    /// Path template.
    pub path: &'a str,
    /// The operation object.
    pub value: &'a Value,
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

impl Spec {
    /// Parse YAML text.
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        serde_yaml::from_str(text)
            .map(|value| Self { value })
            .map_err(|e| e.to_string())
    }

    /// Every operation, sorted by id.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut ops = Vec::new();
        if let Some(paths) = self.value.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in METHODS {
                    if let Some(op) = item.get(method) {
                        ops.push(Operation {
                            id: op.get("operationId").and_then(Value::as_str).unwrap_or("?"),
                            method,
                            path,
                            value: op,
                        });
                    }
                }
            }
        }
        ops.sort_by(|a, b| a.id.cmp(b.id));
        ops
    }

    /// The operation at `method` `path`, if the spec has it.
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let method = method.to_ascii_lowercase();
        self.operations()
            .into_iter()
            .find(|op| op.method == method && op.path == path)
    }

    /// The operation serving a concrete request path (`/external/chat/chat_1/messages`).
    pub fn route(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        self.operations()
            .into_iter()
            .find(|op| op.method.eq_ignore_ascii_case(method) && template_matches(op.path, path))
    }

    /// A component schema by name.
    pub fn component(&self, name: &str) -> Option<&Value> {
        self.value.pointer(&format!("/components/schemas/{name}"))
    }

    /// Component schema names, sorted.
    pub fn component_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .value
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Follow `$ref` to a component response (`#/components/responses/X`).
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix('#')
                .and_then(|p| self.value.pointer(p))
                .unwrap_or(value),
            None => value,
        }
    }

    /// A JSON Schema (2020-12) for `schema`, with every component schema under `$defs`.
    /// OpenAPI 3.0's dialect is converted: `$ref`s point into `$defs`, `nullable: true` admits
    /// `null`, and examples are dropped. With `strict`, an object that declares properties
    /// and says nothing of others refuses them, so a documented field the spec lacks is
    /// reported.
    pub fn json_schema(&self, schema: &Value, strict: bool) -> Value {
        let defs: Map<String, Value> = self
            .value
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), convert(v, strict)))
                    .collect()
            })
            .unwrap_or_default();
        let mut root = match convert(schema, strict) {
            Value::Object(map) => map,
            other => {
                let mut m = Map::new();
                m.insert("allOf".into(), json!([other]));
                m
            }
        };
        root.insert("$defs".into(), Value::Object(defs));
        Value::Object(root)
    }
}

impl<'a> Operation<'a> {
    /// The JSON request body schema.
    pub fn request_schema(&self) -> Option<&'a Value> {
        self.value
            .pointer("/requestBody/content/application~1json/schema")
    }

    /// The JSON body schema of the response with `status`.
    pub fn response_schema(&self, spec: &'a Spec, status: u16) -> Option<&'a Value> {
        let response = self.value.get("responses")?.get(status.to_string())?;
        spec.resolve(response)
            .pointer("/content/application~1json/schema")
    }

    /// The response statuses, sorted.
    pub fn statuses(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .value
            .get("responses")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        codes.sort();
        codes
    }
}

impl Spec {
    /// What FastAPI does to a response model: every optional property `value` leaves unset
    /// is sent as `null`, in every object the schema describes (nested ones and array
    /// elements included). Properties that are set keep their values.
    pub fn unset_as_null(&self, schema: &Value, value: &mut Value) {
        let schema = self.schema_behind(schema);
        if let (Some(items), Value::Array(elements)) = (schema.get("items"), &mut *value) {
            for element in elements {
                self.unset_as_null(items, element);
            }
        }
        let (Some(properties), Value::Object(object)) =
            (schema.get("properties").and_then(Value::as_object), value)
        else {
            return;
        };
        for (name, property) in properties {
            match object.get_mut(name) {
                Some(inner) => self.unset_as_null(property, inner),
                None => {
                    object.insert(name.clone(), Value::Null);
                }
            }
        }
    }

    /// The schema a `$ref`, or a nullable `allOf: [$ref]`, stands for.
    pub fn schema_behind<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let target = schema
            .get("allOf")
            .and_then(|all| all.get(0))
            .unwrap_or(schema);
        match target.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix('#')
                .and_then(|p| self.value.pointer(p))
                .map_or(target, |s| self.schema_behind(s)),
            None => target,
        }
    }
}

/// The names an object schema lists as `required`.
pub fn required(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Whether `path` fits the template (`{param}` matches one non-empty segment).
pub fn template_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
}

/// The component name a schema refers to, if it is a bare `$ref`.
pub fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
}

fn convert(value: &Value, strict: bool) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                match key.as_str() {
                    "example" | "examples" | "nullable" | "deprecated" => {}
                    // The mock is strict: a list that may grow is checked as it stands.
                    "x-extensible-enum" => {
                        out.insert("enum".into(), child.clone());
                    }
                    "$ref" => {
                        let target = child.as_str().unwrap_or_default();
                        out.insert(
                            key.clone(),
                            Value::String(target.replace("#/components/schemas/", "#/$defs/")),
                        );
                    }
                    "properties" => {
                        let props = child
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), convert(v, strict)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    _ => {
                        out.insert(key.clone(), convert(child, strict));
                    }
                }
            }
            if strict && map.contains_key("properties") && !map.contains_key("additionalProperties")
            {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                return admit_null(out);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| convert(v, strict)).collect()),
        other => other.clone(),
    }
}

fn admit_null(mut schema: Map<String, Value>) -> Value {
    match schema.get("type").cloned() {
        Some(Value::String(t)) => {
            schema.insert("type".into(), json!([t, "null"]));
            Value::Object(schema)
        }
        _ => json!({"anyOf": [Value::Object(schema), {"type": "null"}]}),
    }
}

/// One problem with a request body, located FastAPI-style: `["body", "metadata", "email"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Where: `body`, then each key or index.
    pub loc: Vec<Value>,
    /// What is wrong.
    pub msg: String,
    /// FastAPI's error type: `missing`, `type_error`, `enum`, `value_error`.
    pub kind: &'static str,
    /// The value found there (for a missing field, the object that lacks it), as pydantic
    /// reports it.
    pub input: Value,
}

/// A request-body schema compiled once, that locates each problem the way FastAPI does.
#[derive(Debug)]
pub struct RequestValidator(jsonschema::Validator);

impl RequestValidator {
    /// Compile `schema` (a JSON Schema, as [`Spec::json_schema`] makes them).
    pub fn new(schema: &Value) -> Result<Self, String> {
        jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .map(Self)
            .map_err(|e| format!("invalid schema: {e}"))
    }

    /// One [`Issue`] per problem of `instance`, sorted by location (a missing field is
    /// located at the field itself).
    pub fn issues(&self, instance: &Value) -> Vec<Issue> {
        use jsonschema::error::ValidationErrorKind as K;
        let mut issues: Vec<Issue> = self
            .0
            .iter_errors(instance)
            .map(|e| {
                let mut loc = vec![Value::String("body".into())];
                for segment in e.instance_path().to_string().split('/').skip(1) {
                    loc.push(match segment.parse::<u64>() {
                        Ok(i) => Value::from(i),
                        Err(_) => Value::String(segment.replace("~1", "/").replace("~0", "~")),
                    });
                }
                let (msg, kind) = match e.kind() {
                    K::Required { property } => {
                        loc.push(property.clone());
                        ("Field required".to_owned(), "missing")
                    }
                    K::Type { .. } => (e.to_string(), "type_error"),
                    K::Enum { .. } => (e.to_string(), "enum"),
                    _ => (e.to_string(), "value_error"),
                };
                Issue {
                    loc,
                    msg,
                    kind,
                    input: e.instance().clone().into_owned(),
                }
            })
            .collect();
        issues.sort_by(|a, b| {
            a.loc
                .iter()
                .map(Value::to_string)
                .cmp(b.loc.iter().map(Value::to_string))
        });
        issues
    }
}

/// Validate a request body once against `schema`: [`RequestValidator`] compiled and used.
pub fn issues(schema: &Value, instance: &Value) -> Result<Vec<Issue>, String> {
    Ok(RequestValidator::new(schema)?.issues(instance))
}

/// Validate `instance` against `schema`; one line per violation, `path: message`.
pub fn violations(schema: &Value, instance: &Value) -> Result<Vec<String>, String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| format!("invalid schema: {e}"))?;
    let mut lines: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("{}: {e}", if at.is_empty() { "/" } else { &at })
        })
        .collect();
    lines.sort();
    Ok(lines)
}
