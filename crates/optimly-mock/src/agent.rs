//! A deterministic, rule-based stand-in for Optimly's agent. It runs the tools the docs'
//! "Automatic Tool Detection" describes, from plain keyword and pattern rules:
//!
//! | the user's message | tool |
//! |---|---|
//! | an email address, or pricing, cost, quote, plan or demo | `lead_capture` (with the email) |
//! | schedule, appointment, meeting, book, availability, or a `YYYY-MM-DD` date or `HH:MM` time | `appointment` (with the date and time) |
//! | a human, person or representative, billing, invoice, refund, account, password or login | `email_handoff` (with `handoff_data`) |

use optimly_api::types::ToolName;
use serde_json::{Map, Value, json};

/// What the agent decided for one user message.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The reply text.
    pub text: String,
    /// `(tool, data)` for every tool run, in the order above.
    pub tools: Vec<(ToolName, Map<String, Value>)>,
    /// Set when the agent handed the chat over.
    pub handoff_reason: Option<String>,
}

const LEAD_WORDS: [&str; 6] = ["pricing", "price", "cost", "quote", "plan", "demo"];
const SCHEDULING_WORDS: [&str; 7] = [
    "schedule",
    "appointment",
    "meeting",
    "book",
    "availability",
    "available",
    "calendar",
];
const HANDOFF_WORDS: [&str; 10] = [
    "human",
    "person",
    "representative",
    "someone",
    "billing",
    "invoice",
    "refund",
    "account",
    "password",
    "login",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '!' | '?'))
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, '.' | ':' | '\'' | '<' | '>'))
                .to_owned()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_email(word: &str) -> bool {
    word.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    })
}

fn is_date(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_time(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
        && word[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && word[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

fn mentions(words: &[String], vocabulary: &[&str]) -> Option<String> {
    words.iter().find_map(|w| {
        let lower = w.to_ascii_lowercase();
        vocabulary
            .iter()
            .find(|v| lower == **v || lower.strip_suffix('s') == Some(**v))
            .map(|v| (*v).to_owned())
    })
}

/// Decide the reply and tools for one user message.
pub fn respond(message: &str) -> Outcome {
    let words = words(message);
    let mut tools = Vec::new();
    let mut sentences = Vec::new();

    let email = words.iter().find(|w| is_email(w));
    let lead_word = mentions(&words, &LEAD_WORDS);
    if email.is_some() || lead_word.is_some() {
        let mut data = Map::new();
        if let Some(email) = email {
            data.insert("email".into(), json!(email));
        }
        if let Some(word) = &lead_word {
            data.insert("interest".into(), json!(word));
        }
        tools.push((ToolName::LeadCapture, data));
        sentences.push(match email {
            Some(email) => {
                format!("Thanks! I've noted {email} so our team can send you the details.")
            }
            None => {
                "Happy to help with that. What's the best email to send the details to?".to_owned()
            }
        });
    }

    let date = words.iter().find(|w| is_date(w));
    let time = words.iter().find(|w| is_time(w));
    if mentions(&words, &SCHEDULING_WORDS).is_some() || date.is_some() || time.is_some() {
        let mut data = Map::new();
        if let Some(date) = date {
            data.insert("date".into(), json!(date));
        }
        if let Some(time) = time {
            data.insert("time".into(), json!(time));
        }
        tools.push((ToolName::Appointment, data));
        sentences.push(match (date, time) {
            (Some(d), Some(t)) => format!(
                "I've requested an appointment on {d} at {t}; you'll get a confirmation by email."
            ),
            _ => "I've passed your scheduling request on; which day and time suit you?".to_owned(),
        });
    }

    let handoff_reason = mentions(&words, &HANDOFF_WORDS);
    if let Some(reason) = &handoff_reason {
        let mut data = Map::new();
        data.insert("reason".into(), json!(reason));
        tools.push((ToolName::EmailHandoff, data));
        sentences.push(
            "I've asked a colleague to take over by email; they have this conversation.".to_owned(),
        );
    }

    if sentences.is_empty() {
        sentences
            .push("Happy to help! Could you tell me a bit more about what you need?".to_owned());
    }
    Outcome {
        text: sentences.join(" "),
        tools,
        handoff_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(message: &str) -> Vec<String> {
        respond(message)
            .tools
            .into_iter()
            .map(|(t, _)| t.to_string())
            .collect()
    }

    #[test]
    fn detects_the_documented_triggers() {
        assert_eq!(tools("Hello! I need help with pricing."), ["lead_capture"]);
        assert_eq!(
            tools("You can reach me at jane@company.com."),
            ["lead_capture"]
        );
        assert_eq!(tools("Can we book a meeting?"), ["appointment"]);
        assert_eq!(tools("How about 2025-06-20 at 14:00?"), ["appointment"]);
        assert_eq!(
            tools("I want to talk to a human about my invoice"),
            ["email_handoff"]
        );
        assert_eq!(tools("hello there"), Vec::<&str>::new());
        assert_eq!(
            tools("Pricing for 2025-06-20 14:00, and a refund please: jo@x.io"),
            ["lead_capture", "appointment", "email_handoff"]
        );
    }

    #[test]
    fn captured_data_is_exact() {
        let out = respond("Book a demo on 2025-06-20 at 14:00 - jane@company.com");
        assert_eq!(
            out.tools[0].1,
            json!({"email": "jane@company.com", "interest": "demo"})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
        assert_eq!(
            out.tools[1].1,
            json!({"date": "2025-06-20", "time": "14:00"})
                .as_object()
                .cloned()
                .unwrap_or_default()
        );
        assert_eq!(
            out.text,
            "Thanks! I've noted jane@company.com so our team can send you the details. I've requested an appointment on 2025-06-20 at 14:00; you'll get a confirmation by email."
        );
    }

    #[test]
    fn near_misses_are_not_triggers() {
        assert!(!is_time("25:00") && !is_time("9:00") && is_time("09:30"));
        assert!(!is_date("2025-6-20") && is_date("2025-06-20"));
        assert!(!is_email("@x.io") && !is_email("jo@x") && is_email("jo@x.io"));
    }
}
