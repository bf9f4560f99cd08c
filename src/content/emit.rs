//! The one YAML emitter for the files eventref writes into `content/`
//! (importers and `eventref new`): every value it writes as a scalar is
//! double-quoted and escaped, and every text it puts into a comment is kept on
//! its one line, so that no input, however hostile, can add a field, end a
//! comment or write a character YAML forbids. Values that hold control
//! characters are refused before anything is written ([`refused_char`]).

/// `s` as a double-quoted YAML scalar that reads back as exactly `s`.
pub fn scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => escape_into(&mut out, c),
        }
    }
    out.push('"');
    out
}

/// `s` made safe for the inside of a `#` comment: one line, no control
/// characters (they are written as escapes such as `\r` or `\x00`).
pub fn comment_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        escape_into(&mut out, c);
    }
    out
}

/// A whole comment line: `# ` and the escaped text, with its line break.
pub fn comment(s: &str) -> String {
    format!("# {}\n", comment_text(s))
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\u{85}' => out.push_str("\\N"),
        '\u{a0}' => out.push_str("\\_"),
        '\u{2028}' => out.push_str("\\L"),
        '\u{2029}' => out.push_str("\\P"),
        '\u{feff}' => out.push_str("\\uFEFF"),
        c if (c as u32) < 0x20 || c == '\u{7f}' || (0x80..0xa0).contains(&(c as u32)) => {
            out.push_str(&format!("\\x{:02X}", c as u32));
        }
        c => out.push(c),
    }
}

/// The first character of `s` that an imported value may not hold, with its
/// character offset: a control character other than tab and line feed (a
/// carriage return only as part of CR LF), or a Unicode line or paragraph
/// separator. With `one_line`, line breaks are refused too.
pub fn refused_char(s: &str, one_line: bool) -> Option<(usize, char)> {
    let mut chars = s.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let bad = match c {
            '\t' => false,
            '\n' => one_line,
            '\r' => one_line || chars.peek().map(|(_, n)| *n) != Some('\n'),
            '\u{2028}' | '\u{2029}' | '\u{feff}' => true,
            c => c.is_control(),
        };
        if bad {
            return Some((i, c));
        }
    }
    None
}

/// How a refused character is named in an error: `U+000D (carriage return)`.
pub fn describe(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\r' => " (carriage return)",
        '\n' => " (line feed)",
        '\u{1b}' => " (escape)",
        '\u{2028}' => " (line separator)",
        '\u{2029}' => " (paragraph separator)",
        '\u{feff}' => " (byte order mark)",
        _ => "",
    };
    format!("U+{:04X}{name}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(
            comment("x\rexplanation: \"INJECTED\"\r#"),
            "# x\\rexplanation: \"INJECTED\"\\r#\n"
        );
        assert_eq!(comment_text("a\0b\nc\u{2028}"), "a\\x00b\\nc\\L");
    }

    #[test]
    fn refused_characters() {
        assert_eq!(refused_char("ok\ttab\r\nline", false), None);
        assert_eq!(refused_char("x\ry", false), Some((1, '\r')));
        assert_eq!(refused_char("a\nb", true), Some((1, '\n')));
        assert_eq!(refused_char("nul\0", false), Some((3, '\0')));
        assert_eq!(refused_char("e\u{1b}[31m", false), Some((1, '\u{1b}')));
    }
}
