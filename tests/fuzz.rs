//! Property tests (fuzzing on stable Rust) for the parsers that read
//! untrusted input: the record loader, the translation overlay loader, the
//! `.mc` parser and the CSV importer. Each case must finish without a panic and
//! within a time bound (no hang); inputs are bounded in size, so memory is too.
//! And whatever an import writes, `check` accepts.
//!
//! The normal suite runs a short budget (32 cases per property). For a long
//! run: `PROPTEST_CASES=100000 cargo test --release --test fuzz` (see
//! docs/security.md).

mod common;

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;

/// The budget: `PROPTEST_CASES` when set, else a short one.
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 32;
    }
    c
}

/// Run `f` on another thread and fail if it takes longer than a generous bound.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("did not finish in time (hang?) or panicked")
}

/// Text built from the pieces a parser cares about and arbitrary text.
fn pieces(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(tokens).prop_map(str::to_string),
            1 => any::<String>().prop_map(|s| s.chars().take(40).collect::<String>()),
            1 => "[ -~\t\r\n]{0,20}",
        ],
        0..max,
    )
    .prop_map(|v| v.concat())
}

const YAML_TOKENS: &[&str] = &[
    "source: Foo\n",
    "id: 1\n",
    "id: 70000\n",
    "message: \"Hello %1\"\n",
    "message: |\n  x\n",
    "level: error\n",
    "explanation: ",
    "parameters:\n  \"%1\": x\n",
    "user_action:\n  intro: x\n  steps:\n    - a\n",
    "related: [Foo/2]\n",
    "links:\n  - { title: t, url: /x/ }\n",
    "&a [1]\n",
    "*a\n",
    "translated_from:\n  message: abc\n",
    "  ",
    "\n",
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "#",
    "\u{FEFF}",
    "\r\n",
];

fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\ndefault_language = \"en\"\n[languages.en]\nname = \"English\"\n[languages.de]\nname = \"Deutsch\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("content").join(name), text).unwrap();
    }
    dir
}

/// Load and check the site, and render its diagnostics in every format.
fn load_and_check(root: &Path) {
    use eventref::diagnostics::Format;
    let site = eventref::Site::load(root).expect("site.toml loads");
    let d = match site.check(false, None) {
        Ok(d) => d,
        Err(f) => f.diagnostics,
    };
    for f in [Format::Human, Format::Github, Format::Json] {
        let _ = d.render(f, false);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn record_loader_never_panics(text in pieces(YAML_TOKENS, 24)) {
        let dir = site(&[("a.yaml", &text)]);
        let root = dir.path().to_path_buf();
        within(move || load_and_check(&root));
    }

    #[test]
    fn overlay_loader_never_panics(text in pieces(YAML_TOKENS, 24)) {
        let dir = site(&[
            ("a.yaml", "source: Foo\nid: 1\nmessage: \"Hello %1\"\nexplanation: x\n"),
            ("a.de.yaml", &text),
        ]);
        let root = dir.path().to_path_buf();
        within(move || load_and_check(&root));
    }

    #[test]
    fn mc_parser_never_panics(text in pieces(&[
        "MessageIdTypedef=DWORD\n",
        "SeverityNames=(Success=0x0:S Error=0x3:E)\n",
        "FacilityNames=(System=0xFF:F)\n",
        "LanguageNames=(English=0x409:MSG00409 German=0x407:MSG00407)\n",
        "LanguageNames=(",
        "OutputBase=16\n",
        "MessageId=",
        "MessageId=+1\n",
        "MessageId=0x10\n",
        "Severity=Error\n",
        "Severity=",
        "Facility=System\n",
        "SymbolicName=X\n",
        "Language=English\n",
        "Language=German\n",
        "Hello %1 %2!s! %%\n",
        "%0",
        "%n",
        "%\\",
        ".\n",
        "\n",
        "=",
        "(",
        ")",
        ":",
        ";comment\n",
        "0x",
        "99999999999999999999",
    ], 30)) {
        within(move || {
            let path = Path::new("fuzz.mc");
            if let Err(errors) = eventref::import::mc::parse(path, &text) {
                let mut ds = eventref::diagnostics::Diagnostics::new();
                for d in errors {
                    ds.push(d);
                }
                let _ = ds.render(eventref::diagnostics::Format::Human, false);
            }
        });
    }

    #[test]
    fn csv_parser_never_panics(text in pieces(&[
        "Provider, Level, Event ID, Version, Channel, Task, Opcode, Keyword, Message\n",
        "Provider|Level|Event ID|Version|Channel|Task|Opcode|Keyword|Message\n",
        "Contoso,Error,1,0,Application,T,O,K,Hello %1\n",
        "Contoso|Warning|70000|2|System|||",
        ",",
        "|",
        "\n",
        "\r\n",
        "4294967296",
        "-1",
    ], 20)) {
        within(move || {
            let _ = eventref::import::csv::parse(Path::new("fuzz.csv"), &text);
        });
    }

    /// Whatever a CSV import writes, `check` accepts: rows with hostile text in
    /// every column are imported or refused, never written broken.
    #[test]
    fn whatever_an_import_writes_check_accepts(
        rows in prop::collection::vec(
            (
                prop_oneof!["Contoso", "[A-Za-z][A-Za-z0-9 ._-]{0,12}", any::<String>()],
                prop_oneof!["Error", "Warning", "", any::<String>(), "[ -~\r\t]{0,12}"],
                0u32..70_000,
                prop_oneof!["Application", "", any::<String>()],
                prop_oneof!["Task", "", any::<String>(), "[ -~\r]{0,12}"],
                prop_oneof!["Hello %1", "[ -~\r\t]{1,40}", any::<String>()],
            ),
            1..6,
        ),
        name in prop_oneof!["Contoso", "[ -~]{1,12}"],
    ) {
        let dir = site(&[]);
        let input = tempfile::tempdir().unwrap();
        let mut text = String::from("Provider, Level, Event ID, Version, Channel, Task, Opcode, Keyword, Message\n");
        for (provider, level, id, channel, task, message) in &rows {
            // The format has one row per line and commas between the first columns.
            let clean = |s: &str| s.replace(['\n', ','], " ");
            text.push_str(&format!(
                "{},{},{id},0,{},{},,,{}\n",
                clean(provider),
                clean(level),
                clean(channel),
                clean(task),
                message.replace('\n', " ")
            ));
        }
        let file_name: String = name.chars().filter(|c| !matches!(c, '/' | '\\')).collect();
        let file = input.path().join(format!("{}.csv", if file_name.is_empty() { "x" } else { &file_name }));
        std::fs::write(&file, &text).unwrap();
        let root = dir.path().to_path_buf();
        within(move || {
            let _ = eventref::import::csv::import(&root, &[file], false);
            let site = eventref::Site::load(&root).expect("site.toml loads");
            if let Err(f) = site.check(false, None) {
                panic!("check refused what the import wrote:\n{f}");
            }
        });
    }
}
