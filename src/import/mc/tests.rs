//! Unit tests of the .mc reader: escapes, numbers, a full file, defaults, errors with positions, levels and languages.

use super::*;

fn mc(text: &str) -> McFile {
    parse(Path::new("t.mc"), text).unwrap_or_else(|e| panic!("{e:#?}"))
}

fn errors(text: &str) -> Vec<Diagnostic> {
    parse(Path::new("t.mc"), text).expect_err("should fail")
}

#[test]
fn escapes() {
    assert_eq!(unescape("Service %1 failed: %2!d!.\n"), "Service %1 failed: %2.");
    assert_eq!(unescape("%1!*.*s! and %99!lu! and %100\n"), "%1 and %99 and %100");
    assert_eq!(unescape("a%nb\n"), "a\nb");
    assert_eq!(unescape("a%bb%tc\n"), "a b\tc");
    assert_eq!(unescape("a%r%nb\n"), "a\nb");
    assert_eq!(unescape("100%% done\n"), "100% done");
    assert_eq!(unescape("see %%1234 for details\n"), "see %%1234 for details");
    assert_eq!(unescape("end%.\n"), "end.");
    assert_eq!(unescape("wow%!\n"), "wow!");
    assert_eq!(unescape("prompt: %0\nignored\n"), "prompt: ");
    assert_eq!(unescape("line one\nline two\n\n"), "line one\nline two");
    assert_eq!(unescape("%x and %\\ and 50%\n"), "x and \\ and 50");
    assert_eq!(unescape("%1! never closed\n"), "%1! never closed");
    assert_eq!(unescape("trailing %"), "trailing %");
    assert_eq!(unescape("Fehler äöü %1\n"), "Fehler äöü %1");
}

#[test]
fn numbers() {
    assert_eq!(parse_c_number("0x1F"), Some(31));
    assert_eq!(parse_c_number("017"), Some(15));
    assert_eq!(parse_c_number("42"), Some(42));
    assert_eq!(parse_c_number("0"), Some(0));
    assert_eq!(parse_c_number("10L"), Some(10));
    assert_eq!(parse_c_number("0xZZ"), None);
}

const FULL: &str = r#"; // A header comment
;/* block comment
; spanning lines */
MessageIdTypedef=DWORD
SeverityNames=(Success=0x0:STATUS_SEVERITY_SUCCESS
           Informational=0x1:STATUS_SEVERITY_INFORMATIONAL
           Warning=0x2:STATUS_SEVERITY_WARNING
           Error=0x3:STATUS_SEVERITY_ERROR
          )
FacilityNames=(System=0x0:FACILITY_SYSTEM
           Runtime=0x2:FACILITY_RUNTIME
          )
LanguageNames=(English=0x409:MSG00409 German=0x407:MSG00407)
LanguageNames=(Klingon=0x9999:MSG09999)

MessageId=0x100
Severity=Error
Facility=Runtime
SymbolicName=MSG_BAD_COMMAND
Language=English
You have chosen an incorrect command: %1.
.
Language=German
Sie haben einen falschen Befehl gewählt: %1.
.

; // relative and empty IDs
MessageId=+2
SymbolicName=MSG_RELATIVE
Language=English
Relative.
.

messageid=
severity = Warning
symbolicname = MSG_NEXT
language = english
Next, with ; no comment here
; and this line is text too
.
"#;

#[test]
fn a_full_file() {
    let f = mc(FULL);
    assert_eq!(f.messages.len(), 3);
    let m = &f.messages[0];
    assert_eq!(m.id, 0x100);
    assert_eq!(m.symbolic_name.as_deref(), Some("MSG_BAD_COMMAND"));
    assert_eq!(m.severity.as_ref().unwrap().name, "Error");
    assert_eq!(m.facility.as_ref().unwrap().name, "Runtime");
    assert_eq!(m.code(), 0xC002_0100);
    assert_eq!(m.texts.len(), 2);
    assert_eq!(m.texts[0].text, "You have chosen an incorrect command: %1.");
    assert_eq!(m.texts[1].lcid, 0x407);
    assert_eq!(m.texts[1].text, "Sie haben einen falschen Befehl gewählt: %1.");
    // +2 counts from the facility's last ID; severity and facility carry over.
    let r = &f.messages[1];
    assert_eq!(r.id, 0x102);
    assert_eq!(r.severity.as_ref().unwrap().name, "Error");
    assert_eq!(r.facility.as_ref().unwrap().name, "Runtime");
    // Empty: the last ID plus one; keywords are case-insensitive.
    let n = &f.messages[2];
    assert_eq!(n.id, 0x103);
    assert_eq!(n.severity.as_ref().unwrap().name, "Warning");
    assert_eq!(
        n.texts[0].text,
        "Next, with ; no comment here\n; and this line is text too"
    );
}

#[test]
fn defaults() {
    let f = mc("MessageId=\nLanguage=English\nFirst.\n.\nMessageId=\nLanguage=English\nSecond.\n.\n");
    assert_eq!(f.messages[0].id, 1);
    assert_eq!(f.messages[1].id, 2);
    assert!(f.messages[0].severity.is_none());
    assert!(f.messages[0].facility.is_none());
    assert_eq!(f.messages[0].code(), 0x0FFF_0001);
}

#[test]
fn ids_count_per_facility() {
    let f = mc(
        "FacilityNames=(A=0x1 B=0x2)\nMessageId=10\nFacility=A\nLanguage=English\na\n.\n\
                MessageId=20\nFacility=B\nLanguage=English\nb\n.\n\
                MessageId=\nFacility=A\nLanguage=English\nc\n.\n",
    );
    assert_eq!(f.messages[2].id, 11);
}

#[test]
fn multi_line_texts() {
    let f =
        mc("MessageId=1\nLanguage=English\nThe service %1 stopped.%n\nReason: %2\n\n  indented line\n.\n");
    assert_eq!(
        f.messages[0].texts[0].text,
        "The service %1 stopped.\n\nReason: %2\n\n  indented line"
    );
}

#[test]
fn crlf_and_period_lines() {
    let f = mc("MessageId=1\r\nLanguage=English\r\nA line ending in a period.\r\n%.\r\n.\r\n");
    assert_eq!(f.messages[0].texts[0].text, "A line ending in a period.\n.");
}

#[test]
fn errors_have_positions() {
    let e = errors("MessageId=1\nSeverity=Eror\nLanguage=English\nx\n.\n");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].location.as_ref().unwrap().line, 2);
    assert_eq!(e[0].help.as_deref(), Some("did you mean `Error`?"));

    let e = errors("MessageId=1\nLanguage=French\nx\n.\n");
    assert!(
        e[0].message.contains("unknown language name `French`"),
        "{}",
        e[0].message
    );

    let e = errors("MessageId=1\nLanguage=English\nnever ends\n");
    assert!(e[0].message.contains("does not end"));

    // A missing `.` does not swallow the next message: it is an error at
    // the unended text, and the next message is still read.
    let e = errors("MessageId=1\nLanguage=English\nfirst\nMessageId=2\nLanguage=English\nsecond\n.\n");
    assert!(e[0].message.contains("does not end"), "{}", e[0].message);
    assert_eq!(e[0].location.as_ref().unwrap().line, 2);
    assert!(
        e[0].help
            .as_deref()
            .unwrap()
            .contains("before the next MessageId=")
    );

    let e = errors("MessageID=70000\nLanguage=English\nx\n.\n");
    assert!(e[0].message.contains("16 bits"));

    let e = errors("MesageId=1\n");
    assert_eq!(e[0].help.as_deref(), Some("did you mean `MessageId`?"));

    let e = errors("Severity=Error\n");
    assert!(e[0].message.contains("before the first MessageId"));

    let e = errors("LanguageNames=(German=0x407)\n");
    assert!(e[0].message.contains("no file name"));

    let e = errors("MessageId=1\nSymbolicName=X\n");
    assert!(e[0].message.contains("has no text"));
}

#[test]
fn levels() {
    let n = |name: &str, value| Named {
        name: name.into(),
        value,
    };
    assert_eq!(level_of(&n("Success", 0)), "information");
    assert_eq!(level_of(&n("Informational", 1)), "information");
    assert_eq!(level_of(&n("Warning", 2)), "warning");
    assert_eq!(level_of(&n("Error", 3)), "error");
    assert_eq!(level_of(&n("Fatal", 3)), "critical");
    assert_eq!(level_of(&n("Trace", 0)), "verbose");
    assert_eq!(level_of(&n("Bad", 3)), "error");
    assert_eq!(level_of(&n("Meh", 2)), "warning");
}

#[test]
fn languages() {
    assert_eq!(lcid_language(0x409), Some("en"));
    assert_eq!(lcid_language(0x407), Some("de"));
    assert_eq!(lcid_language(0x411), Some("ja"));
    assert_eq!(lcid_language(0x401), Some("ar"));
    assert_eq!(lcid_language(0x40C), Some("fr"));
    assert_eq!(lcid_language(0x415), Some("pl"));
    assert_eq!(lcid_language(0x9999), None);
}
