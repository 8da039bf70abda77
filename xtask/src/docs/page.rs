//! A documentation page, read from the text a browser's "save as text" gives or from the HTML
//! the docs site serves, as one sequence of headings, lines and tables.
//!
//! The text form has no markup: a heading is a short line standing alone between blank lines,
//! with no code punctuation and no sentence ending; a table is a header row whose cells run
//! together (`ParameterTypeRequiredDescription`) followed by rows split by what each column
//! holds. The HTML form has `h1`–`h6`, `p`, `li`, `pre` and `table`.

use scraper::{ElementRef, Html, Node, Selector};

/// One piece of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading.
    Heading(String),
    /// A line of prose or code.
    Line(String),
    /// A table: the header row, then the rows, each as its cells.
    Table(Vec<String>, Vec<Vec<String>>),
}

/// A page: its title and its blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The first heading.
    pub title: String,
    /// Everything after it.
    pub blocks: Vec<Block>,
}

/// Read a page in the form its content shows (HTML when it starts with a tag).
pub fn read(content: &str) -> Result<Page, String> {
    let trimmed = content.trim_start();
    if trimmed.starts_with("<!") || trimmed.starts_with("<html") || trimmed.starts_with("<HTML") {
        from_html(content)
    } else {
        from_text(content)
    }
}

const SKIP: &str = "Skip to main content";

/// Whether a line standing alone between blank lines is a heading.
fn heading_like(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty()
        && line.chars().count() <= 60
        && !line.contains(['{', '}', '(', ')', ';', '=', '<', '>', '\'', '"', '`'])
        && !line.contains(": ")
        && !line.contains("://")
        && !line.ends_with(['.', ',', ':', '?', '!'])
        && !line.starts_with(['•', '-', '*', '#', '/'])
        && !line.starts_with(|c: char| c.is_ascii_lowercase())
        && !is_request_line(line)
        || is_parenthesised_heading(line)
}

/// `Response (Message schema)`, `Send a Message (Enhanced)`: a heading with a remark.
fn is_parenthesised_heading(line: &str) -> bool {
    let Some(open) = line.find(" (") else {
        return false;
    };
    line.ends_with(')')
        && line.matches('(').count() == 1
        && line.chars().count() <= 60
        && heading_like(&line[..open])
        && !line[open..].contains(['{', '}', ';', '=', '<', '>', '\'', '"', '`', '.'])
}

/// `POST /external/message/new-message`.
pub fn is_request_line(line: &str) -> bool {
    let mut parts = line.split_whitespace();
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("GET" | "POST" | "PUT" | "PATCH" | "DELETE"), Some(p), None) if p.starts_with('/')
    )
}

/// The cells of a text-form header row, split where a lower-case letter runs into an
/// upper-case one: `ParameterTypeRequiredDescription`.
fn run_together_header(line: &str) -> Option<Vec<String>> {
    let mut cells = vec![String::new()];
    let mut prev_lower = false;
    for c in line.trim().chars() {
        if c.is_uppercase() && prev_lower {
            cells.push(String::new());
        }
        prev_lower = c.is_lowercase();
        if let Some(last) = cells.last_mut() {
            last.push(c);
        }
    }
    let looks = cells.len() >= 3
        && cells.iter().all(|c| {
            c.chars().next().is_some_and(char::is_uppercase)
                && c.chars().all(|c| c.is_alphabetic() || c == ' ')
        });
    looks.then_some(cells)
}

/// What a column of a known name holds, as a regular expression; others hold any text.
fn column_pattern(name: &str) -> &'static str {
    match name {
        "Parameter" | "Field" | "Name" => r"[a-z_][a-z0-9_.]*?",
        "Type" => r"string|integer|number|boolean|object|array",
        "Required" => r"Yes|No",
        "Endpoint" => r"(?:GET|POST|PUT|PATCH|DELETE) /[a-z0-9_/{}\-]*[a-z0-9_}]",
        "Primary schema" => r"JSON object|[A-Za-z]+ request → [A-Za-z]+ response",
        _ => r".+?",
    }
}

/// Split a text-form table row into its cells.
fn split_row(header: &[String], row: &str) -> Result<Vec<String>, String> {
    let mut pattern = String::from("^");
    for (i, name) in header.iter().enumerate() {
        let p = if i + 1 == header.len() && column_pattern(name) == ".+?" {
            ".*"
        } else {
            column_pattern(name)
        };
        pattern.push_str(&format!("({p})"));
    }
    pattern.push('$');
    let re = regex::Regex::new(&pattern).map_err(|e| e.to_string())?;
    let caps = re.captures(row.trim()).ok_or_else(|| {
        format!(
            "the table row {row:?} cannot be split into the columns {}",
            header.join(" | ")
        )
    })?;
    Ok((1..=header.len())
        .map(|i| caps.get(i).map_or("", |m| m.as_str()).trim().to_owned())
        .collect())
}

/// Read the text form.
pub fn from_text(content: &str) -> Result<Page, String> {
    let lines: Vec<&str> = content.lines().collect();
    let mut i = 0;
    let mut title = None;
    let mut blocks = Vec::new();
    let blank = |j: usize| lines.get(j).is_none_or(|l| l.trim().is_empty());
    while i < lines.len() {
        let line = lines[i].trim_end();
        if line.trim().is_empty() || (title.is_none() && line.trim() == SKIP) {
            i += 1;
            continue;
        }
        if title.is_none() {
            title = Some(line.trim().to_owned());
            i += 1;
            continue;
        }
        if let Some(header) = run_together_header(line).filter(|_| !blank(i + 1)) {
            let mut rows = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim().is_empty() {
                rows.push(split_row(&header, lines[i])?);
                i += 1;
            }
            blocks.push(Block::Table(header, rows));
            continue;
        }
        let alone = (i == 0 || blank(i - 1)) && blank(i + 1);
        if alone && heading_like(line) {
            blocks.push(Block::Heading(line.trim().to_owned()));
        } else {
            blocks.push(Block::Line(line.to_owned()));
        }
        i += 1;
    }
    let title = title.ok_or("the page is empty")?;
    Ok(Page { title, blocks })
}

fn selector(s: &str) -> Selector {
    // The selectors are constants of this file; `Selector::parse` fails only on bad syntax.
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s:?}: {e:?}"))
}

/// The text of an element, `<br>` as a line break, whitespace as the browser shows it
/// (collapsed) unless `pre`.
fn text_of(element: ElementRef<'_>, pre: bool) -> String {
    let mut out = String::new();
    for node in element.descendants() {
        match node.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if e.name() == "br" => out.push('\n'),
            _ => {}
        }
    }
    if pre {
        out
    } else {
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Read the HTML form: the docs site's `article` (or the whole body).
pub fn from_html(content: &str) -> Result<Page, String> {
    let html = Html::parse_document(content);
    let root = html
        .select(&selector("article"))
        .next()
        .or_else(|| html.select(&selector("body")).next())
        .ok_or("the HTML has no body")?;
    let blocks_sel = selector("h1, h2, h3, h4, h5, h6, p, li, pre, table");
    let mut title = None;
    let mut blocks = Vec::new();
    for element in root.select(&blocks_sel) {
        // A paragraph inside a list item or a table cell belongs to it.
        let nested = element.ancestors().filter_map(ElementRef::wrap).any(|a| {
            matches!(a.value().name(), "li" | "pre" | "table" | "p") && a.id() != root.id()
        });
        if nested {
            continue;
        }
        let name = element.value().name();
        match name {
            "h1" if title.is_none() => title = Some(text_of(element, false)),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                blocks.push(Block::Heading(text_of(element, false)));
            }
            "p" => {
                for line in text_of(element, false).lines() {
                    if !line.trim().is_empty() {
                        blocks.push(Block::Line(line.to_owned()));
                    }
                }
            }
            "li" => blocks.push(Block::Line(format!("• {}", text_of(element, false)))),
            "pre" => {
                for line in text_of(element, true).lines() {
                    if !line.trim().is_empty() {
                        blocks.push(Block::Line(line.trim_end().to_owned()));
                    }
                }
            }
            "table" => {
                let mut rows: Vec<Vec<String>> = element
                    .select(&selector("tr"))
                    .map(|tr| {
                        tr.select(&selector("th, td"))
                            .map(|c| text_of(c, false))
                            .collect()
                    })
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                let header = rows.remove(0);
                blocks.push(Block::Table(header, rows));
            }
            _ => {}
        }
    }
    let title = title.ok_or("the HTML page has no h1")?;
    Ok(Page { title, blocks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_together_rows_split_by_what_their_columns_hold() {
        let header = run_together_header("ParameterTypeRequiredDescription").expect("a header");
        assert_eq!(header, ["Parameter", "Type", "Required", "Description"]);
        assert_eq!(
            split_row(
                &header,
                "duration_minutesintegerNoMeeting duration in minutes (default: 30)"
            )
            .expect("splits"),
            [
                "duration_minutes",
                "integer",
                "No",
                "Meeting duration in minutes (default: 30)"
            ]
        );
        let header =
            run_together_header("AutomationEndpointPrimary schemaWhen to use").expect("a header");
        assert_eq!(
            header,
            ["Automation", "Endpoint", "Primary schema", "When to use"]
        );
        assert_eq!(
            split_row(&header, "New lead chatPOST /external/message/new-chatChatBase request → Chat responseStart a chat.")
                .expect("splits"),
            ["New lead chat", "POST /external/message/new-chat", "ChatBase request → Chat response", "Start a chat."]
        );
        assert!(split_row(&header, "nothing to split").is_err());
    }

    #[test]
    fn headings_are_short_lines_alone_without_code_or_sentence_endings() {
        let page = from_text(
            "Skip to main content\n\nTitle\n\nSection\n\nA sentence.\n\nResponse (Message schema)\n\n{\n\"a\": 1\n}\n\nconst x = f();\n",
        )
        .expect("reads");
        assert_eq!(page.title, "Title");
        assert_eq!(
            page.blocks,
            vec![
                Block::Heading("Section".into()),
                Block::Line("A sentence.".into()),
                Block::Heading("Response (Message schema)".into()),
                Block::Line("{".into()),
                Block::Line("\"a\": 1".into()),
                Block::Line("}".into()),
                Block::Line("const x = f();".into()),
            ]
        );
    }
}
