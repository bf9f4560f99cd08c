//! Placeholders: the marks `eventref new` (and any tool that writes records
//! for a human to finish) leaves where text is still to be written or
//! translated, and the scan that finds them in a record or overlay file.
//!
//! Two marks exist: a value that starts with `TODO:` (text still to write, e.g.
//! `TODO: what %1 stands for`) and the YAML comment `# TODO translate` after a
//! value of an overlay (English text still to translate). `check` reports each
//! as a `placeholder` warning (an error under `--strict`); `i18n status`
//! counts them per language, and `i18n refresh` refuses to mark an overlay
//! translated while it holds one.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Location};

/// The start of a text value still to be written.
pub const TODO_TEXT: &str = "TODO:";

/// The comment after an overlay value still to be translated.
pub const TODO_TRANSLATE: &str = "# TODO translate";

/// Where a file still holds a placeholder: 1-based line and column (characters),
/// and which mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// `true` for `# TODO translate`, `false` for a `TODO:` text.
    pub translate: bool,
}

/// Every placeholder in the text of a record or overlay file.
pub fn find(text: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    // Both marks contain `TODO`: one search of the whole text (2 % of a
    // 10,000-event build went to looking at each line of every record).
    if !text.contains("TODO") {
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        let col = |byte: usize| line[..byte].chars().count() as u32 + 1;
        if let Some(b) = line.find(TODO_TRANSLATE) {
            out.push(Placeholder {
                line: i as u32 + 1,
                column: col(b),
                translate: true,
            });
        } else if let Some(b) = text_mark(line) {
            out.push(Placeholder {
                line: i as u32 + 1,
                column: col(b),
                translate: false,
            });
        }
    }
    out
}

/// The byte offset of a `TODO:` that starts a value on this line (after
/// `key:`, `- ` or an opening quote), if any.
fn text_mark(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = line[from..].find(TODO_TEXT) {
        let b = from + rel;
        let before = line[..b].trim_end_matches(['"', '\'']).trim_end();
        if before.is_empty() || before.ends_with(':') || before.ends_with('-') {
            return Some(b);
        }
        from = b + TODO_TEXT.len();
    }
    None
}

/// The `placeholder` warnings of one file.
pub fn warnings(file: &Path, text: &Arc<str>) -> Vec<Diagnostic> {
    find(text)
        .into_iter()
        .map(|p| {
            let loc = Location::new(file, Some(text.clone()), p.line, p.column).with_len(if p.translate {
                TODO_TRANSLATE.len()
            } else {
                TODO_TEXT.len()
            });
            if p.translate {
                Diagnostic::warning("placeholder", "text still marked `# TODO translate`")
                    .at(loc)
                    .help("translate the text above the mark and delete the mark (or delete the field: it then falls back to the original)")
            } else {
                Diagnostic::warning("placeholder", "placeholder text `TODO: …` still to be written")
                    .at(loc)
                    .help("replace the TODO text with the real text (`--strict` fails on placeholders)")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_both_marks() {
        let text = "message: \"TODO: the message\"\nparameters:\n  - name: x\n    description: TODO: what 1 stands for\ntitle: Ereignis  # TODO translate\nexplanation: Keep the TODO: list short.\n";
        let found = find(text);
        assert_eq!(
            found,
            vec![
                Placeholder {
                    line: 1,
                    column: 11,
                    translate: false
                },
                Placeholder {
                    line: 4,
                    column: 18,
                    translate: false
                },
                Placeholder {
                    line: 5,
                    column: 18,
                    translate: true
                },
            ]
        );
    }
}
