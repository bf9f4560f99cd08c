//! Property tests of the lookup parser and matcher (issue #11: fuzzing the
//! lookup parser): whatever a reader pastes (a message, an Event Viewer text
//! block, event XML, or any text at all), `parse_paste` and `lookup` return
//! without panicking, and in bounded time.
//!
//! `PROPTEST_CASES` sets the number of cases (default 256 per property here);
//! docs/lookup.md says how to run a long session.

use eventref::search::lookup::{Template, lookup, parse_paste};
use proptest::prelude::*;

const TEMPLATES: &[(&str, u16, &str)] = &[
    (
        "MSExchangeTransport",
        2002,
        "Send connector %1: an error occurred while connecting to %2.",
    ),
    ("OpenSSH", 4, "{process}: {payload}"),
    ("Microsoft-ServerCore-ShellLauncher", 301, "{Message}"),
    (
        "Microsoft-Windows-Kernel-General",
        1,
        "The system time has changed to {NewTime} from {OldTime}.Change Reason: {Reason}.Process: '{ProcessName}' (PID {ProcessID}).",
    ),
    (
        "Contoso",
        1,
        "送信コネクタ %1: %2 への接続中にエラーが発生しました。",
    ),
    ("C", 3, "%1!s! failed: %2!d! (%1)"),
    ("D", 5, "%1%2%3"),
    ("E", 6, ""),
];

fn templates() -> Vec<Template<'static>> {
    TEMPLATES
        .iter()
        .map(|&(source, id, message)| Template { source, id, message })
        .collect()
}

/// Pieces that steer random text into the parser's paths.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just("<Event".to_string()),
        Just("<Provider Name='".to_string()),
        Just("<EventID Qualifiers=\"1\">".to_string()),
        Just("</EventID>".to_string()),
        Just("<Data Name=\"x\">".to_string()),
        Just("<Data/>".to_string()),
        Just("</Data>".to_string()),
        Just("&amp;&lt;".to_string()),
        Just("\nSource: ".to_string()),
        Just("\nEvent ID: ".to_string()),
        Just("\nDescription:\n".to_string()),
        Just("\nEvent Xml:\n".to_string()),
        Just("Send connector ".to_string()),
        Just(": an error occurred while connecting to ".to_string()),
        Just(".Change Reason: ".to_string()),
        Just("への接続中に".to_string()),
        Just("4294967296".to_string()),
        Just("65535".to_string()),
        Just("\u{feff}\r\n\t  ".to_string()),
        Just("İ ß Σ ﬁ".to_string()),
    ]
}

fn paste() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|v| v.concat())
}

fn check(text: &str) {
    let start = std::time::Instant::now();
    let p = parse_paste(text);
    assert!(["message", "text-block", "xml"].contains(&p.kind));
    let ts = templates();
    let ms = lookup(&p, &ts);
    for m in &ms {
        assert!(m.index < ts.len());
        assert!(m.score.is_finite());
    }
    let _ = eventref::search::lookup::direct_query(text);
    // "No hang": generous, the issue asks for bounded time, not speed.
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
}

/// `normalize` as its documentation defines it (whitespace collapsed as
/// `split_whitespace` splits, trimmed, trailing periods dropped): the
/// function itself scans ASCII text byte by byte.
fn normalize_reference(s: &str) -> String {
    let out = s.split_whitespace().collect::<Vec<_>>().join(" ");
    out.trim_end_matches(['.', ' ']).to_string()
}

proptest! {
    #[test]
    fn normalize_collapses_whitespace_as_split_whitespace_does(
        text in prop_oneof![
            "[ \t\n\x0B\x0C\r\x1Fa-c.%1]{0,40}",
            "[ \t\u{85}\u{A0}\u{2003}a.]{0,20}",
            any::<String>(),
        ]
    ) {
        prop_assert_eq!(eventref::search::lookup::normalize(&text), normalize_reference(&text));
    }

    #[test]
    fn any_text_parses_and_looks_up(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn text_made_of_event_pieces_parses_and_looks_up(text in paste()) {
        check(&text);
    }

    #[test]
    fn text_blocks_give_their_source_and_id(
        source in "[A-Za-z][A-Za-z0-9-]{0,30}",
        id in 0u32..=u32::MAX,
        description in any::<String>(),
        trailer in paste(),
    ) {
        let block = format!("Log Name: Application\nSource: {source}\nEvent ID: {id}\nDescription:\n{description}\n{trailer}");
        check(&block);
        let p = parse_paste(&block);
        if !block.contains("<Event") {
            prop_assert_eq!(p.kind, "text-block");
            prop_assert_eq!(p.source.as_deref(), Some(source.as_str()));
            prop_assert_eq!(p.id, Some((id & 0xFFFF) as u16));
        }
    }

    #[test]
    fn event_xml_gives_its_provider_id_and_data(
        provider in "[A-Za-z][A-Za-z0-9-]{0,30}",
        id in 0u32..=65535,
        data in prop::collection::vec(("[A-Za-z]{1,8}", "[^<&]{0,20}"), 0..6),
        tail in paste(),
    ) {
        let body: String = data.iter().map(|(k, v)| format!("<Data Name=\"{k}\">{v}</Data>")).collect();
        let xml = format!("<Event><System><Provider Name=\"{provider}\"/><EventID>{id}</EventID></System><EventData>{body}</EventData></Event>{tail}");
        check(&xml);
        let p = parse_paste(&xml);
        prop_assert_eq!(p.kind, "xml");
        prop_assert_eq!(p.source.as_deref(), Some(provider.as_str()));
        prop_assert_eq!(p.id, Some(id as u16));
        let want: Vec<(String, String)> = data.iter().map(|(k, v)| (format!("{{{k}}}"), v.clone())).collect();
        prop_assert_eq!(&p.data[..want.len()], &want[..]);
    }
}

/// The pathological inputs, in Rust too (no time bound here: the
/// property above bounds every case; these must simply finish).
#[test]
fn pathological_inputs_finish() {
    check(&format!(
        "The system time has changed to {}zz",
        " from x.Change Reason: x.Process: 'x' (PID ".repeat(320)
    ));
    check(&format!("{}x", "/".repeat(40_000)));
    check(&format!("<Event>{}", "<Data>x".repeat(8000)));
    check(&format!("<Event>{}", "<Provider Name=".repeat(4000)));
    check(&format!("<Event>{}", "<EventID ".repeat(8000)));
}
