//! Lookup: from what a reader pastes (a message with real values, an Event
//! Viewer "Copy details as text" block, or event XML) to the matching events,
//! with the value that filled each insertion string.
//!
//! The same algorithm runs in the browser (`themes/technet/static/lookup.js`);
//! both run the shared vectors in `tests/lookup-vectors.json`, so they cannot
//! drift apart. Matching rules:
//! - text is compared case-insensitively, with runs of whitespace collapsed and
//!   trailing periods ignored;
//! - literal template text must match; each insertion string matches any value
//!   (shortest first);
//! - a template's score is the share of the pasted text that its literal text
//!   covers, so more specific templates rank first; an exact source and ID from
//!   a text block or XML adds 1.
//!
//! The parts: [`paste`] reads what was pasted, [`matcher`] matches messages
//! against templates, [`site`] answers for a whole site, [`vocabulary`] holds
//! the words for suggestions and the browser's side files.

mod matcher;
mod paste;
mod site;
mod vocabulary;

pub use matcher::*;
pub use paste::*;
pub use site::*;
pub use vocabulary::*;

use serde::Serialize;

use crate::content::message::{self, Segment};
use crate::render::urls::{self, Route};

/// A message template to match against.
#[derive(Debug, Clone, Serialize)]
pub struct Template<'a> {
    /// Event source.
    pub source: &'a str,
    /// Event ID.
    pub id: u16,
    /// Message template (in the lookup's language).
    pub message: &'a str,
}

/// One match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Index into the templates given.
    pub index: usize,
    /// Higher is better: for a message match, the share of the pasted text
    /// that the template's literal text explains (3 decimals); 2 for the same
    /// source and ID, 1.5 for the same ID when the paste names no source.
    pub score: f64,
    /// Insertion string → value, in the template's order.
    pub values: Vec<(String, String)>,
    /// What the match rests on.
    pub basis: Basis,
}

/// What a match rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Basis {
    /// The paste's source and event ID are the event's; `message` tells
    /// whether its message also matches the template.
    SourceAndId {
        /// The pasted message matches the template.
        message: bool,
    },
    /// The paste's event ID is the event's (the paste names no source).
    Id {
        /// The pasted message matches the template.
        message: bool,
    },
    /// The pasted message matches the template's literal text.
    Message {
        /// Letters and digits of the template's literal text.
        literal: usize,
        /// Distinct insertion strings of the template.
        inserts: usize,
    },
}

impl Match {
    /// The match in words, for readers: "matches the message template exactly, 2 values".
    pub fn describe(&self) -> String {
        let values = match self.values.len() {
            0 => String::new(),
            1 => ", 1 value".to_string(),
            n => format!(", {n} values"),
        };
        match self.basis {
            Basis::SourceAndId { message: true } => {
                format!("same source and event ID, and the message matches its template{values}")
            }
            Basis::SourceAndId { message: false } => format!("same source and event ID{values}"),
            Basis::Id { message: true } => {
                format!("same event ID (no source given), and the message matches its template{values}")
            }
            Basis::Id { message: false } => format!("same event ID (no source given){values}"),
            Basis::Message { inserts: 0, .. } => "matches the message text exactly".to_string(),
            Basis::Message { .. } => format!("matches the message template exactly{values}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<'a>(source: &'a str, id: u16, message: &'a str) -> Template<'a> {
        Template { source, id, message }
    }

    #[test]
    fn matches_values() {
        let ts = [t(
            "MSExchangeTransport",
            2002,
            "Send connector %1: an error occurred while connecting to %2.",
        )];
        let m = match_message(
            "Send connector Internet Mail: an error occurred while  connecting to mx1.contoso.com",
            &ts,
        );
        assert_eq!(m.len(), 1);
        assert_eq!(
            m[0].values,
            [
                ("%1".into(), "Internet Mail".into()),
                ("%2".into(), "mx1.contoso.com".into())
            ]
        );
    }

    #[test]
    fn parses_text_blocks_and_xml() {
        let block = "Log Name:      Application\nSource:        MSExchangeTransport\nDate:          3/19/2011\nEvent ID:      2002\nTask Category: SmtpSend\nLevel:         Warning\nDescription:\nSend connector X: an error occurred while connecting to Y.\nEvent Xml:\n<Event><System><Provider Name=\"MSExchangeTransport\" /><EventID Qualifiers=\"32772\">2002</EventID></System><EventData><Data>X</Data><Data>Y</Data></EventData></Event>";
        let p = parse_paste(block);
        assert_eq!(p.kind, "text-block");
        assert_eq!(p.source.as_deref(), Some("MSExchangeTransport"));
        assert_eq!(p.id, Some(2002));
        assert_eq!(
            p.message.as_deref(),
            Some("Send connector X: an error occurred while connecting to Y.")
        );
        let x = parse_paste(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-DNS-Client' Guid='{1}'/><EventID>1014</EventID></System><EventData><Data Name='QueryName'>a&amp;b.example</Data><Data Name='Empty'/></EventData></Event>",
        );
        assert_eq!(x.kind, "xml");
        assert_eq!(x.id, Some(1014));
        assert_eq!(
            x.data,
            [
                ("{QueryName}".into(), "a&b.example".into()),
                ("{Empty}".into(), String::new())
            ]
        );
    }
}
