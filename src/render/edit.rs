//! "Edit this page": the link from an article to the file it is built from.
//!
//! When `site.toml` sets `[repository] edit_url`, each event article links to
//! its record file (in the default language) or to its translation overlay (in
//! another language). In a language the event has no overlay for, the article
//! says how to start one (`eventref new --lang xx Source ID`) and links the
//! record, whose text the page shows.

use serde::Serialize;

use crate::config::Config;
use crate::content::Event;

/// What the article's edit line shows.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct EditLink {
    /// `record` (the page's text is the record's), `overlay` (a translation) or
    /// `new` (no translation yet).
    pub kind: &'static str,
    /// The file in the repository's editor.
    pub url: String,
    /// For `new`: the command that starts the translation.
    pub command: Option<String>,
}

/// The edit line of `e`'s article in `lang`, if the site has an edit URL.
pub fn link(config: &Config, e: &Event, lang: &str) -> Option<EditLink> {
    let base = config.repository.edit_url.as_deref()?;
    let url = |file: &std::path::Path| format!("{base}{}", encode_path(file));
    if lang == config.default_language {
        return Some(EditLink {
            kind: "record",
            url: url(&e.file),
            command: None,
        });
    }
    Some(match e.translations.get(lang) {
        Some(t) => EditLink {
            kind: "overlay",
            url: url(&t.file),
            command: None,
        },
        None => EditLink {
            kind: "new",
            url: url(&e.file),
            command: Some(format!(
                "eventref new --lang {lang} {} {}",
                shell_word(&e.source),
                e.id
            )),
        },
    })
}

/// A path from the site root as a URL path: `/`-separated, each segment
/// percent-encoded except for unreserved characters.
fn encode_path(file: &std::path::Path) -> String {
    let mut out = String::new();
    for (i, part) in file.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        for b in part.as_os_str().to_string_lossy().bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// A source name as one shell word: quoted when it holds anything but
/// letters, digits and `-_.`.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace(['"', '\\', '$', '`'], ""))
    }
}

#[cfg(test)]
mod tests {
    use super::{encode_path, shell_word};

    #[test]
    fn paths_and_words() {
        assert_eq!(
            encode_path(std::path::Path::new(
                "content/Service Control Manager/7036.de.yaml"
            )),
            "content/Service%20Control%20Manager/7036.de.yaml"
        );
        assert_eq!(shell_word("MSExchangeTransport"), "MSExchangeTransport");
        assert_eq!(
            shell_word("Service Control Manager"),
            "\"Service Control Manager\""
        );
    }
}
