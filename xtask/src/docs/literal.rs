//! The literal part of a JavaScript object or Python dict written in a page's sample code.
//!
//! Literal values (strings, numbers, booleans, null, nested objects and arrays) are kept as
//! they are; anything else (a variable, a call, `a || 30`, a template with `${..}`) is an
//! expression, kept as its source text. Spreads (`...formData`) are kept in order, for the
//! caller to resolve.

use serde_json::{Map, Number, Value};

/// Which language's literals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// JavaScript (and JSX).
    Js,
    /// Python.
    Python,
}

/// A parsed value.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// A literal JSON value (objects and arrays hold no expression).
    Json(Value),
    /// Source text that is not a literal.
    Expr(String),
    /// An object: its entries in order, spreads among them.
    Object(Vec<Entry>),
    /// An array with an expression somewhere inside.
    Array(Vec<Lit>),
    /// `JSON.stringify(<value>)`.
    Stringify(Box<Lit>),
}

/// One entry of an object.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// `key: value`.
    Field(String, Lit),
    /// `...name`.
    Spread(String),
}

impl Lit {
    /// The field `key` of an object.
    pub fn field(&self, key: &str) -> Option<&Lit> {
        match self {
            Lit::Object(entries) => entries.iter().rev().find_map(|e| match e {
                Entry::Field(k, v) if k == key => Some(v),
                _ => None,
            }),
            _ => None,
        }
    }

    /// The literal string this is, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Json(Value::String(s)) => Some(s),
            _ => None,
        }
    }
}

/// A parser over one source text.
pub struct Parser<'a> {
    src: &'a str,
    pos: usize,
    lang: Lang,
}

impl<'a> Parser<'a> {
    /// Parse from byte `pos` of `src`.
    pub fn new(src: &'a str, pos: usize, lang: Lang) -> Self {
        Self { src, pos, lang }
    }

    /// Where the parser is.
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn skip_space(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            let comment = match self.lang {
                Lang::Js => trimmed.starts_with("//"),
                Lang::Python => trimmed.starts_with('#'),
            };
            if comment {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return;
            }
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    /// One value, up to (not including) the `,`, `}`, `]` or `)` that ends it.
    pub fn value(&mut self) -> Result<Lit, String> {
        self.skip_space();
        let rest = self.rest();
        let start = self.pos;
        let lit = if rest.starts_with('{') {
            self.object()?
        } else if rest.starts_with('[') {
            self.array()?
        } else if rest.starts_with("JSON.stringify(") && self.lang == Lang::Js {
            self.pos += "JSON.stringify(".len();
            let inner = self.value()?;
            if !self.eat(")") {
                return Err(self.error("`)` after JSON.stringify's argument"));
            }
            Lit::Stringify(Box::new(inner))
        } else if let Some(s) = self.string()? {
            s
        } else {
            self.scalar_or_expr()?
        };
        // A literal followed by an operator on its line (`'a' + b`, `x || 30`) is an
        // expression after all; a line break ends a statement.
        let rest = self.rest();
        let inline = rest.trim_start_matches([' ', '\t']);
        let next = inline.chars().next();
        let comment = match self.lang {
            Lang::Js => inline.starts_with("//"),
            Lang::Python => inline.starts_with('#'),
        };
        if !comment && !matches!(next, None | Some(',' | '}' | ']' | ')' | '\n' | '\r' | ';')) {
            self.skip_expr()?;
            return Ok(Lit::Expr(self.src[start..self.pos].trim().to_owned()));
        }
        Ok(lit)
    }

    fn error(&self, what: &str) -> String {
        let line = self.src[..self.pos].matches('\n').count() + 1;
        let near: String = self.rest().chars().take(30).collect();
        format!("expected {what} at line {line} of the sample, near {near:?}")
    }

    fn object(&mut self) -> Result<Lit, String> {
        self.eat("{");
        let mut entries = Vec::new();
        loop {
            if self.eat("}") {
                break;
            }
            if self.eat("...") {
                let start = self.pos;
                self.skip_expr()?;
                entries.push(Entry::Spread(self.src[start..self.pos].trim().to_owned()));
            } else {
                self.skip_space();
                let key = match self.string()? {
                    Some(Lit::Json(Value::String(s))) => s,
                    Some(_) => return Err(self.error("a literal key")),
                    None => {
                        let rest = self.rest();
                        let len = rest
                            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                            .unwrap_or(rest.len());
                        if len == 0 {
                            return Err(self.error("a key"));
                        }
                        self.pos += len;
                        rest[..len].to_owned()
                    }
                };
                if self.eat(":") {
                    let value = self.value()?;
                    entries.push(Entry::Field(key, value));
                } else {
                    // `{ name }`: shorthand for `name: name`.
                    entries.push(Entry::Field(key.clone(), Lit::Expr(key)));
                }
            }
            if self.eat(",") {
                continue;
            }
            if self.eat("}") {
                break;
            }
            return Err(self.error("`,` or `}`"));
        }
        Ok(simplify_object(entries))
    }

    fn array(&mut self) -> Result<Lit, String> {
        self.eat("[");
        let mut items = Vec::new();
        loop {
            if self.eat("]") {
                break;
            }
            items.push(self.value()?);
            if self.eat(",") {
                continue;
            }
            if self.eat("]") {
                break;
            }
            return Err(self.error("`,` or `]`"));
        }
        if items.iter().all(|i| matches!(i, Lit::Json(_))) {
            Ok(Lit::Json(Value::Array(
                items
                    .into_iter()
                    .filter_map(|i| match i {
                        Lit::Json(v) => Some(v),
                        _ => None,
                    })
                    .collect(),
            )))
        } else {
            Ok(Lit::Array(items))
        }
    }

    /// A string literal, or `None` when the next token is not one. Templates and f-strings
    /// with interpolation are expressions.
    fn string(&mut self) -> Result<Option<Lit>, String> {
        let rest = self.rest();
        let (prefix, quote) = match rest.chars().next() {
            Some(q @ ('\'' | '"')) => (0, q),
            Some('`') if self.lang == Lang::Js => (0, '`'),
            Some('f') if self.lang == Lang::Python => match rest[1..].chars().next() {
                Some(q @ ('\'' | '"')) => (1, q),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        let start = self.pos;
        let body_start = self.pos + prefix + 1;
        let mut out = String::new();
        let mut chars = self.src[body_start..].char_indices();
        let end = loop {
            match chars.next() {
                None => return Err(self.error("the end of a string")),
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, c)) => out.push(c),
                    None => return Err(self.error("the end of a string")),
                },
                Some((i, c)) if c == quote => break body_start + i + c.len_utf8(),
                Some((_, c)) => out.push(c),
            }
        };
        self.pos = end;
        let interpolated = (quote == '`' && out.contains("${")) || prefix == 1 && out.contains('{');
        Ok(Some(if interpolated {
            Lit::Expr(self.src[start..end].to_owned())
        } else {
            Lit::Json(Value::String(out))
        }))
    }

    fn scalar_or_expr(&mut self) -> Result<Lit, String> {
        let start = self.pos;
        self.skip_expr()?;
        let text = self.src[start..self.pos].trim();
        if text.is_empty() {
            return Err(self.error("a value"));
        }
        let (t, f, n) = match self.lang {
            Lang::Js => ("true", "false", "null"),
            Lang::Python => ("True", "False", "None"),
        };
        Ok(match text {
            _ if text == t => Lit::Json(Value::Bool(true)),
            _ if text == f => Lit::Json(Value::Bool(false)),
            _ if text == n => Lit::Json(Value::Null),
            _ => match number(text) {
                Some(n) => Lit::Json(Value::Number(n)),
                None => Lit::Expr(text.to_owned()),
            },
        })
    }

    /// Skip an expression up to the `,`, `}`, `]` or `)` at its own nesting level.
    fn skip_expr(&mut self) -> Result<(), String> {
        let mut depth = 0usize;
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return if depth == 0 {
                    Ok(())
                } else {
                    Err(self.error("the end of an expression"))
                };
            };
            match c {
                '\'' | '"' | '`' => {
                    self.string()?;
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' | ',' if depth == 0 => return Ok(()),
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
            self.pos += c.len_utf8();
        }
    }
}

fn number(text: &str) -> Option<Number> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.into());
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

/// An object of literal fields only is a JSON object.
fn simplify_object(entries: Vec<Entry>) -> Lit {
    let literal = entries
        .iter()
        .all(|e| matches!(e, Entry::Field(_, Lit::Json(_))));
    if !literal {
        return Lit::Object(entries);
    }
    let mut map = Map::new();
    for entry in entries {
        if let Entry::Field(k, Lit::Json(v)) = entry {
            map.insert(k, v);
        }
    }
    Lit::Json(Value::Object(map))
}

impl Lit {
    /// Back to entries, for an object written literally.
    pub fn entries(&self) -> Option<Vec<Entry>> {
        match self {
            Lit::Object(entries) => Some(entries.clone()),
            Lit::Json(Value::Object(map)) => Some(
                map.iter()
                    .map(|(k, v)| Entry::Field(k.clone(), Lit::Json(v.clone())))
                    .collect(),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn js(src: &str) -> Lit {
        Parser::new(src, 0, Lang::Js).value().expect("parses")
    }

    #[test]
    fn literals_stay_literal_and_the_rest_is_an_expression() {
        let lit = js(
            "{ a: 'x', b: 30, c: leadData.name, d: x.duration || 30, e: `t${y}`, f: `plain`, g: [1, 'two'], h: true }",
        );
        let Lit::Object(entries) = lit else {
            panic!("not an object")
        };
        assert_eq!(
            entries,
            vec![
                Entry::Field("a".into(), Lit::Json(json!("x"))),
                Entry::Field("b".into(), Lit::Json(json!(30))),
                Entry::Field("c".into(), Lit::Expr("leadData.name".into())),
                Entry::Field("d".into(), Lit::Expr("x.duration || 30".into())),
                Entry::Field("e".into(), Lit::Expr("`t${y}`".into())),
                Entry::Field("f".into(), Lit::Json(json!("plain"))),
                Entry::Field("g".into(), Lit::Json(json!([1, "two"]))),
                Entry::Field("h".into(), Lit::Json(json!(true))),
            ]
        );
    }

    #[test]
    fn spreads_stringify_and_comments() {
        let lit =
            js("JSON.stringify({\n...formData, // the form\nchat_id: chatId,\n'k': \"v\"\n})");
        assert_eq!(
            lit,
            Lit::Stringify(Box::new(Lit::Object(vec![
                Entry::Spread("formData".into()),
                Entry::Field("chat_id".into(), Lit::Expr("chatId".into())),
                Entry::Field("k".into(), Lit::Json(json!("v"))),
            ])))
        );
    }

    #[test]
    fn python_literals() {
        let lit = Parser::new(
            "{'a': None, 'b': True, 'c': f'Bearer {t}', 'd': x}",
            0,
            Lang::Python,
        )
        .value()
        .expect("parses");
        assert_eq!(lit.field("a"), Some(&Lit::Json(Value::Null)));
        assert_eq!(lit.field("b"), Some(&Lit::Json(json!(true))));
        assert_eq!(lit.field("c"), Some(&Lit::Expr("f'Bearer {t}'".into())));
        assert_eq!(lit.field("d"), Some(&Lit::Expr("x".into())));
    }

    #[test]
    fn broken_samples_are_errors_not_panics() {
        for src in ["{ a: 'x", "{ a: ", "[1, 2", "{ 'a' 1 }"] {
            assert!(Parser::new(src, 0, Lang::Js).value().is_err(), "{src}");
        }
    }
}
