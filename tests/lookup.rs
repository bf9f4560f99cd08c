//! Log-line lookup in Rust: the shared vectors (also run by the browser module).

mod common;
use common::*;
use eventref::content::fields::EventField;
use eventref::content::value_map::{MapEntry, MapKind, ValueMap};
use eventref::search::lookup::{Template, lookup, parse_paste, unknown_source_id};

#[test]
fn shared_vectors() {
    let text = std::fs::read_to_string(repo().join("tests/lookup-vectors.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let templates: Vec<Template> = case["templates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| Template {
                source: t["source"].as_str().unwrap(),
                id: t["id"].as_u64().unwrap() as u16,
                message: t["message"].as_str().unwrap(),
            })
            .collect();
        let paste = parse_paste(case["paste"].as_str().unwrap());
        let got: Vec<serde_json::Value> = lookup(&paste, &templates)
            .into_iter()
            .map(|m| {
                let mut g = serde_json::json!({
                    "source": templates[m.index].source,
                    "id": templates[m.index].id,
                    "score": m.score,
                    "values": m.values,
                });
                if !case["maps"].is_null() {
                    let fields = vector_fields(&case["templates"][m.index]["fields"], &case["maps"]);
                    g["fields"] = value_infos(&fields, &m.values);
                }
                g
            })
            .collect();
        let got = serde_json::Value::Array(got);
        if paste.kind != case["kind"].as_str().unwrap() {
            failures.push(format!("{name}: kind {} != {}", paste.kind, case["kind"]));
        }
        let expect = &case["expect"];
        let same = got.as_array().unwrap().len() == expect.as_array().unwrap().len()
            && got
                .as_array()
                .unwrap()
                .iter()
                .zip(expect.as_array().unwrap())
                .all(|(g, e)| {
                    g["source"] == e["source"]
                        && g["id"] == e["id"]
                        && g["values"] == e["values"]
                        && g["fields"] == e["fields"]
                        && (g["score"].as_f64().unwrap() - e["score"].as_f64().unwrap()).abs() < 1e-9
                });
        if !same {
            failures.push(format!("{name}:\n  got    {got}\n  expect {expect}"));
        }
        // A source and ID the templates lack: said so, never guessed.
        let unknown = unknown_source_id(&paste, &templates).map(|(s, i)| serde_json::json!([s, i]));
        if unknown.as_ref().unwrap_or(&serde_json::Value::Null) != &case["unknown"] {
            failures.push(format!("{name}: unknown {unknown:?} != {}", case["unknown"]));
        }
    }
    // Coded values, read the same way by both implementations.
    for c in v["values"]["cases"].as_array().unwrap() {
        let got = eventref::content::value_map::parse_value(c[0].as_str().unwrap()).map(|n| n.to_string());
        if got.as_deref() != c[1].as_str() {
            failures.push(format!("value {}: got {got:?}, expect {}", c[0], c[1]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A vector template's fields (`[name]` or `[name, map id]`) with the case's
/// maps, as the record model has them.
fn vector_fields(fields: &serde_json::Value, maps: &serde_json::Value) -> Vec<EventField> {
    let list = fields.as_array().map(Vec::as_slice).unwrap_or_default();
    list.iter()
        .map(|f| {
            let map = f.get(1).map(|id| {
                let m = &maps[id.as_str().unwrap()];
                let entries = m["v"].as_array().unwrap().iter().map(|e| MapEntry {
                    value: e[0].as_str().unwrap().parse().unwrap(),
                    text: e[0].as_str().unwrap().to_string(),
                    label: e[1].as_str().unwrap().to_string(),
                });
                std::sync::Arc::new(ValueMap {
                    kind: if m["k"] == "bitmap" {
                        MapKind::Bitmap
                    } else {
                        MapKind::Value
                    },
                    entries: entries.collect(),
                    translations: Default::default(),
                })
            });
            EventField {
                name: f[0].as_str().unwrap().to_string(),
                field_type: "win:UInt32".to_string(),
                meaning: None,
                example: None,
                value_map_name: None,
                value_map: map,
            }
        })
        .collect()
}

/// What lookup says of each value (keys only when not the default), as in the vectors.
fn value_infos(fields: &[EventField], values: &[(String, String)]) -> serde_json::Value {
    values
        .iter()
        .map(|(name, value)| {
            let i = eventref::search::fields::value_info(fields, name, value, None);
            let mut o = serde_json::Map::new();
            if let Some(d) = i.decoded {
                o.insert("decoded".into(), d.into());
            }
            if let Some(f) = i.field {
                o.insert("field".into(), f.into());
            }
            if i.not_in_map {
                o.insert("not_in_map".into(), true.into());
            }
            serde_json::Value::Object(o)
        })
        .collect()
}

#[test]
fn browser_module_runs_the_same_vectors() {
    let in_ci = std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false);
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node {
        assert!(
            !in_ci,
            "node is needed to run the browser lookup module's vectors"
        );
        eprintln!("SKIPPED: node not found; the browser module's vectors did not run");
        return;
    }
    let o = std::process::Command::new("node")
        .arg(repo().join("tests/browser/vectors.mjs"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.trim_end().ends_with(" 0 failed"), "{out}");
}

fn cli(args: &[&str], stdin: Option<&str>) -> (i32, String) {
    let mut c = assert_cmd::Command::cargo_bin("eventref").unwrap();
    c.args(args).arg("--root").arg(repo());
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let o = c.output().unwrap();
    (o.status.code().unwrap(), String::from_utf8(o.stdout).unwrap())
}

#[test]
fn lookup_command_reads_arguments_files_and_stdin() {
    let msg = "Send connector Internet Mail: an error occurred while connecting to mx1.contoso.com.";
    let (code, out) = cli(&["lookup", msg], None);
    assert_eq!(code, 0);
    assert!(out.starts_with("1. MSExchangeTransport 2002"), "{out}");
    assert!(
        out.contains("%1 = Internet Mail    (The name of the Send connector that tried to connect.)"),
        "{out}"
    );

    let (code, out) = cli(&["lookup", "--format", "json", "-"], Some(msg));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["source"], "MSExchangeTransport");
    assert_eq!(v[0]["id"], 2002);
    assert_eq!(
        v[0]["url"],
        "https://eventref.example.org/en/msexchangetransport/2002/"
    );
    assert_eq!(v[0]["values"][1]["name"], "%2");
    assert_eq!(v[0]["values"][1]["value"], "mx1.contoso.com");
    assert!(v[0]["score"].as_f64().unwrap() > 0.5);
    assert_eq!(v.as_array().unwrap().len(), 1, "weak matches are cut: {out}");

    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("event.xml");
    std::fs::write(
        &xml,
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-DNS-Client'/><EventID>1014</EventID></System><EventData><Data Name='QueryName'>wpad.contoso.com</Data></EventData></Event>",
    )
    .unwrap();
    let (code, out) = cli(
        &["lookup", "--format", "json", "--file", xml.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["id"], 1014);
    assert_eq!(v[0]["values"][0]["value"], "wpad.contoso.com");

    // German templates.
    let (code, out) = cli(
        &[
            "lookup",
            "--lang",
            "de",
            "--format",
            "json",
            "Sendeconnector X: Beim Herstellen einer Verbindung mit Y ist ein Fehler aufgetreten.",
        ],
        None,
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v[0]["url"],
        "https://eventref.example.org/de/msexchangetransport/2002/"
    );
    assert!(
        v[0]["values"][0]["meaning"]
            .as_str()
            .unwrap()
            .starts_with("Der Name")
    );

    let (code, out) = cli(&["lookup", "nothing like any event message at all"], None);
    assert_eq!((code, out.as_str()), (1, "no matching event\n"));
    let (code, _) = cli(&["lookup", "--lang", "fr", "x"], None);
    assert_eq!(code, 2);
}

#[test]
fn the_flagship_finds_older_versions_and_decodes_codes() {
    // Kernel-Boot 238 version 0's shorter text: that event alone, not a catch-all template.
    let (code, out) = cli(&["lookup", "EFI time zone bias: -60. Daylight flags: 0x1."], None);
    assert_eq!(code, 0);
    assert!(out.starts_with("1. Microsoft-Windows-Kernel-Boot 238:"), "{out}");
    assert!(!out.contains("\n2. "), "one result: {out}");
    // Time-Service 266: its ReasonCode decoded with the labels its message lists, in each language.
    let record =
        std::fs::read_to_string(repo().join("content/windows/microsoft-windows-time-service/266.yaml"))
            .unwrap();
    let template = record
        .lines()
        .find_map(|l| l.strip_prefix("message: \""))
        .and_then(|m| m.strip_suffix('"'))
        .unwrap();
    let paste = |c: &str| {
        template
            .replace("{ReasonCode}", c)
            .replace("{TickCount}", "81234567")
    };
    let (_, out) = cli(&["lookup", &paste("2")], None);
    assert!(
        out.contains("{ReasonCode} = 2 (Changes to the network interface or to the network topology)"),
        "{out}"
    );
    let (_, out) = cli(&["lookup", "--lang", "de", &paste("1")], None);
    assert!(
        out.contains("{ReasonCode} = 1 (Änderungen des Energiezustands dieses Computers)"),
        "{out}"
    );
    let (_, out) = cli(&["lookup", &paste("7")], None);
    assert!(out.contains("{ReasonCode} = 7 (not in the value map)"), "{out}");
    assert!(
        out.contains("{TickCount} = 81234567\n"),
        "no map, no claim: {out}"
    );
}

/// The shared Windows event dataset, when present next to the repository.
fn dataset() -> Option<std::path::PathBuf> {
    let dir = repo().join("../shared/data/windows-events/W2022_21H2");
    if dir.is_dir() {
        return Some(dir);
    }
    let in_ci = std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false);
    assert!(!in_ci, "dataset not found at {}", dir.display());
    eprintln!("SKIPPED: dataset not found at {}", dir.display());
    None
}

/// Fill each insertion string with a made-up value.
fn render_with_values(template: &str) -> String {
    let mut out = String::new();
    for (i, seg) in eventref::content::message::parse(template)
        .into_iter()
        .enumerate()
    {
        match seg {
            eventref::content::message::Segment::Text { text } => out.push_str(&text),
            eventref::content::message::Segment::Insert { .. } => {
                out.push_str(&format!("Val{i}-x{}.contoso", i * 7))
            }
        }
    }
    out
}

#[test]
fn recall_on_the_windows_dataset() {
    let Some(dir) = dataset() else { return };
    // (provider, id, message) for every row with a message.
    let mut rows: Vec<(String, u16, String)> = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "csv")) {
        let text = std::fs::read_to_string(f).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let delim = if header.contains('|') { '|' } else { ',' };
        for line in lines {
            let cols: Vec<&str> = line.splitn(9, delim).collect();
            if cols.len() < 9 || cols[8].trim().is_empty() {
                continue;
            }
            let id = (cols[2].trim().parse::<u64>().unwrap() & 0xFFFF) as u16;
            rows.push((cols[0].trim().to_string(), id, cols[8].trim().to_string()));
        }
    }
    let templates: Vec<Template> = rows
        .iter()
        .map(|(s, i, m)| Template {
            source: s,
            id: *i,
            message: m,
        })
        .collect();
    let matcher = eventref::search::lookup::Matcher::new(&templates);
    let (mut tested, mut found) = (0usize, 0usize);
    let mut misses = Vec::new();
    for (source, id, message) in &rows {
        if eventref::content::message::inserts(message).is_empty() {
            continue;
        }
        tested += 1;
        let pasted = render_with_values(message);
        let matches = matcher.matches(&pasted);
        let best = matches.first().map(|m| m.score);
        let ok = matches.iter().take_while(|m| Some(m.score) == best).any(|m| {
            let t = &templates[m.index];
            t.source == source && t.id == *id
        });
        if ok {
            found += 1;
        } else if misses.len() < 5 {
            misses.push(format!("{source} {id}: {pasted}"));
        }
    }
    let rate = found as f64 / tested as f64;
    eprintln!(
        "recall: {found} of {tested} messages with insertion strings found first or tied first ({:.2} %)",
        rate * 100.0
    );
    assert!(tested > 1000, "only {tested} rows");
    assert!(rate >= 0.99, "recall {rate:.4}; first misses: {misses:#?}");
}

/// Run `eventref lookup` on a site: (exit code, stdout, stderr).
fn cli_on(root: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let o = assert_cmd::Command::cargo_bin("eventref")
        .unwrap()
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn no_confident_match_says_so_exits_1_and_prints_an_empty_json_array() {
    for text in [
        // A catch-all template ({process}: {payload}) must not swallow these.
        "The Windows Update service failed: access denied",
        // The real SMTP message with one typo.
        "Send connector Internet Mail: an error occured while connecting to mx1.contoso.com.",
        "Jan 15 09:42:07 web01 sshd[1234]: Failed password for invalid user admin from 10.0.0.5 port 22 ssh2",
    ] {
        let (code, out, _) = cli_on(&repo(), &["lookup", text]);
        assert_eq!((code, out.as_str()), (1, "no matching event\n"), "{text}");
        let (code, out, _) = cli_on(&repo(), &["lookup", "--format", "json", text]);
        assert_eq!(code, 1, "{text}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            serde_json::json!([]),
            "{text}"
        );
    }
}

#[test]
fn the_cli_answers_ids_source_ids_and_symbolic_names() {
    for q in [
        "2002",
        "MSExchangeTransport 2002",
        "msexchangetransport/2002",
        "SmtpSendConnectionError",
    ] {
        let (code, out, _) = cli_on(&repo(), &["lookup", q]);
        assert_eq!(code, 0, "{q}: {out}");
        assert!(out.starts_with("1. MSExchangeTransport 2002"), "{q}: {out}");
        assert!(!out.contains("\n2. "), "{q}: one event, listed once: {out}");
    }
    // 1001 is both Dhcp-Client 1001 and SMBServer 1001.
    let (code, out, _) = cli_on(&repo(), &["lookup", "--format", "json", "1001"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{out}");
    let (_, out, _) = cli_on(
        &repo(),
        &["lookup", "--format", "json", "Microsoft-Windows-SMBServer 1001"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v[0]["source"], "Microsoft-Windows-SMBServer");

    // An ID no event has: said so, with the nearest IDs (2002 is one typo away).
    let (code, out, err) = cli_on(&repo(), &["lookup", "20021"]);
    assert_eq!((code, out.as_str()), (1, "no matching event\n"));
    assert!(
        err.contains("no event with ID 20021; nearest IDs: 2002,"),
        "{err}"
    );
    // A source and ID not in the reference: said so, with that source's events.
    let (code, out, err) = cli_on(&repo(), &["lookup", "MSExchangeTransport 2003"]);
    assert_eq!((code, out.as_str()), (1, "no matching event\n"));
    assert!(
        err.contains("MSExchangeTransport 2003 is not in this reference; its MSExchangeTransport events: MSExchangeTransport 2002"),
        "{err}"
    );
}

#[test]
fn a_pasted_source_and_id_decide_before_the_message() {
    // The message is 2002's, but the block says 2003: no guess.
    let block = "Log Name:      Application\nSource:        MSExchangeTransport\nEvent ID:      2003\nLevel:         Warning\nDescription:\nSend connector Internet Mail: an error occurred while connecting to mx1.contoso.com.";
    let (code, out, err) = cli_on(&repo(), &["lookup", block]);
    assert_eq!((code, out.as_str()), (1, "no matching event\n"));
    assert!(
        err.contains("MSExchangeTransport 2003 is not in this reference"),
        "{err}"
    );
    let xml = "<Event><System><Provider Name='Schannel'/><EventID>36887</EventID></System><EventData><Data Name='AlertDesc'>46</Data></EventData></Event>";
    let (code, _, err) = cli_on(&repo(), &["lookup", xml]);
    assert_eq!(code, 1);
    assert!(err.contains("Schannel 36887 is not in this reference"), "{err}");
}

#[test]
fn scores_are_given_in_words() {
    let msg = "Send connector Internet Mail: an error occurred while connecting to mx1.contoso.com.";
    let (code, out, _) = cli_on(&repo(), &["lookup", msg]);
    assert_eq!(code, 0);
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        "1. MSExchangeTransport 2002: matches the message template exactly, 2 values"
    );
    let (_, out, _) = cli_on(&repo(), &["lookup", "--format", "json", msg]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v[0]["confidence"],
        "matches the message template exactly, 2 values"
    );
}

#[test]
fn format_accepts_only_what_each_command_implements() {
    for args in [
        &["lookup", "--format", "github", "2002"][..],
        &["i18n", "status", "--format", "github"][..],
    ] {
        let (code, _, err) = cli_on(&repo(), args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("invalid value 'github'"), "{args:?}: {err}");
        assert!(err.contains("[possible values: human, json]"), "{args:?}: {err}");
    }
}

#[test]
fn typos_get_a_did_you_mean_from_the_sites_own_words() {
    for (typo, want) in [("tranport", "transport"), ("conector", "connector")] {
        let (code, out, err) = cli_on(&repo(), &["lookup", typo]);
        assert_eq!((code, out.as_str()), (1, "no matching event\n"), "{typo}");
        assert!(
            err.contains(&format!("did you mean \"{want}\" for \"{typo}\"?")),
            "{typo}: {err}"
        );
    }
    // German words come from the German articles.
    let (_, _, err) = cli_on(&repo(), &["lookup", "--lang", "de", "Verbindnug"]);
    assert!(err.contains("did you mean \"verbindung\""), "{err}");
}

#[test]
fn text_without_spaces_is_looked_up_alike_in_japanese() {
    let root = repo().join("tests/fixtures/i18n");
    let (code, out, _) = cli_on(
        &root,
        &[
            "lookup",
            "--lang",
            "ja",
            "--format",
            "json",
            "送信コネクタ Internet: mx.contoso.com への接続中にエラーが発生しました。",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["source"], "Contoso");
    assert_eq!(v[0]["values"][0]["value"], "Internet");
    assert_eq!(v[0]["values"][1]["value"], "mx.contoso.com");
    let (code, out, _) = cli_on(
        &root,
        &[
            "lookup",
            "--lang",
            "ja",
            "--format",
            "json",
            "今日は良い天気ですね。",
        ],
    );
    assert_eq!((code, out.trim()), (1, "[]"));
}

#[test]
fn text_over_64_kb_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.txt");
    std::fs::write(&f, "x ".repeat(40 * 1024)).unwrap();
    let (code, _, err) = cli_on(&repo(), &["lookup", "--file", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("longer than 64 KB"), "{err}");
}

/// Provider files of the dataset, sorted, and a fixed seeded choice of
/// `n` of them to leave out of the import.
fn left_out(files: &[std::path::PathBuf], n: usize) -> Vec<std::path::PathBuf> {
    // A small linear congruential generator with a fixed seed: the same choice on every run.
    let mut seed: u64 = 20_261_202;
    let mut keyed: Vec<(u64, &std::path::PathBuf)> = files
        .iter()
        .map(|f| {
            seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
            (seed, f)
        })
        .collect();
    keyed.sort();
    keyed.into_iter().take(n).map(|(_, f)| f.clone()).collect()
}

/// Lines that are no Windows event, pasted by a reader.
const ORDINARY_LINES: &[&str] = &[
    "The Windows Update service failed: access denied",
    "hello world",
    "2024-01-15 09:42:07 ERROR [main] com.example.App: Connection refused",
    "Jan 15 09:42:07 web01 sshd[1234]: Failed password for invalid user admin from 10.0.0.5 port 22 ssh2",
    "Error: ENOENT: no such file or directory, open '/etc/app/config.json'",
    "Traceback (most recent call last): File \"app.py\", line 10, in <module>",
    "fatal: not a git repository (or any of the parent directories): .git",
    "The operation completed successfully.",
    "Access is denied.",
    "The system cannot find the file specified.",
    "Warning: Unable to load the certificate store.",
    "System.NullReferenceException: Object reference not set to an instance of an object.",
    "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
    "npm ERR! code ERESOLVE",
    "Segmentation fault (core dumped)",
    "Disk quota exceeded on /home",
    "TLS handshake failed: certificate has expired",
    "Login failed for user 'sa'. Reason: Password did not match that for the login provided.",
    "The print spooler service terminated unexpectedly.",
    "Outlook cannot connect to the server: the connection timed out",
    "How do I fix error 0x80070005?",
    "Printer offline: check the cable",
    "Backup job completed with warnings: 3 files skipped",
    "Event 4625: An account failed to log on.",
    "[2024-01-15T09:42:07Z] INFO Server started on port 8080",
    "kernel: EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm systemd",
    "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)",
    "The remote procedure call failed.",
    "Cannot open database \"Sales\" requested by the login. The login failed.",
    "Unhandled exception: System.IO.IOException: The process cannot access the file because it is being used by another process.",
    "my computer is slow after the update",
    "Why does the DNS client time out?",
    "Service Control Manager: The Background Intelligent Transfer Service service terminated with the following error: The system cannot find the file specified.",
    "The Group Policy Client service failed the sign-in. Access is denied.",
    "Windows could not start the Apache2.4 service on Local Computer. Error 1067: The process terminated unexpectedly.",
    "Volume Shadow Copy Service error: Unexpected error DeviceIoControl.",
    "Send connector Internet Mail: an error occured while connecting to mx1.contoso.com.",
    "Connection reset by peer",
    "Volume of the music (too loud) please fix",
    "User admin logged in from 192.168.1.20",
];

/// Fill each insertion string of a template with a made-up value, and return
/// the message and the values by insertion string.
fn filled(template: &str) -> (String, Vec<(String, String)>) {
    let mut out = String::new();
    let mut values: Vec<(String, String)> = Vec::new();
    for (i, seg) in eventref::content::message::parse(template)
        .into_iter()
        .enumerate()
    {
        match seg {
            eventref::content::message::Segment::Text { text } => out.push_str(&text),
            eventref::content::message::Segment::Insert { name, .. } => {
                let v = values
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| format!("Val{i}-x{}.contoso", i * 7));
                out.push_str(&v);
                if !values.iter().any(|(k, _)| *k == name) {
                    values.push((name, v));
                }
            }
        }
    }
    (out, values)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn recall_and_rejection_on_the_windows_dataset() {
    use eventref::search::lookup::{self, Template};
    let Some(data) = dataset() else { return };
    let mut files: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| f.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let out = left_out(&files, 8);
    let kept: Vec<_> = files.iter().filter(|f| !out.contains(f)).cloned().collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"Windows events\"\n").unwrap();
    eventref::import::csv::import(dir.path(), &kept, false).unwrap_or_else(|f| panic!("import failed:\n{f}"));
    let site = eventref::Site::load(dir.path()).unwrap();
    let events = &site.content.events;
    let templates: Vec<Template> = events
        .iter()
        .map(|e| Template {
            source: &e.source,
            id: e.id,
            message: &e.message,
        })
        .collect();
    let matcher = lookup::Matcher::new(&templates);
    let first_is = |ms: &[lookup::Match], e: &eventref::content::Event| {
        let best = ms.first().map(|m| m.score);
        ms.iter()
            .take_while(|m| Some(m.score) == best)
            .any(|m| templates[m.index].source == e.source && templates[m.index].id == e.id)
    };

    // Recall on imported events. A message can only be recognized when its
    // template has enough literal text (see lookup::confident); the others
    // (`{Message}`, `{process}: {payload}`) are found by source and ID only.
    let (mut msg_n, mut msg_ok, mut unidentifiable) = (0, 0, 0);
    let (mut block_n, mut block_ok, mut xml_n, mut xml_ok) = (0, 0, 0, 0);
    // Values are only unambiguous when no two insertion strings touch
    // (`{DebugString}{qwData}`): counted apart from recall.
    let (mut block_values, mut xml_values) = (0, 0);
    let mut misses = Vec::new();
    for e in events {
        let inserts = eventref::content::message::inserts(&e.message);
        let (message, values) = filled(&e.message);
        let literal: usize =
            eventref::content::message::parse(&eventref::search::lookup::normalize(&e.message))
                .iter()
                .map(|s| match s {
                    eventref::content::message::Segment::Text { text } => {
                        text.chars().filter(|c| c.is_alphanumeric()).count()
                    }
                    _ => 0,
                })
                .sum();
        if !inserts.is_empty() {
            if lookup::confident(literal, inserts.len(), 1.0) {
                msg_n += 1;
                let ms = matcher.lookup(&lookup::parse_paste(&message), &templates);
                if first_is(&ms, e) {
                    msg_ok += 1;
                } else if misses.len() < 10 {
                    misses.push(format!("message {} {}: {message}", e.source, e.id));
                }
            } else {
                unidentifiable += 1;
            }
        }
        block_n += 1;
        let block = format!(
            "Log Name:      Application\nSource:        {}\nDate:          1/15/2024 9:42:07 AM\nEvent ID:      {}\nTask Category: None\nLevel:         Warning\nKeywords:      Classic\nUser:          N/A\nComputer:      SRV01.contoso.com\nDescription:\n{message}\n",
            e.source, e.id
        );
        let ms = matcher.lookup(&lookup::parse_paste(&block), &templates);
        if first_is(&ms, e) {
            block_ok += 1;
            block_values += usize::from(ms[0].values == values);
        } else if misses.len() < 10 {
            misses.push(format!("text block {} {}: {:?}", e.source, e.id, ms.first()));
        }
        xml_n += 1;
        let data: String = values
            .iter()
            .map(|(k, v)| {
                let name = k.trim_start_matches('{').trim_end_matches('}');
                if k.starts_with('{') {
                    format!("<Data Name=\"{}\">{}</Data>", xml_escape(name), xml_escape(v))
                } else {
                    format!("<Data>{}</Data>", xml_escape(v))
                }
            })
            .collect();
        let xml = format!(
            "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"{}\" /><EventID>{}</EventID><Level>3</Level></System><EventData>{data}</EventData></Event>",
            xml_escape(&e.source),
            e.id
        );
        let ms = matcher.lookup(&lookup::parse_paste(&xml), &templates);
        if first_is(&ms, e) {
            xml_ok += 1;
            xml_values += usize::from(ms[0].values == values);
        } else if misses.len() < 10 {
            misses.push(format!("xml {} {}: {:?}", e.source, e.id, ms.first()));
        }
    }

    // Rejection: messages of the providers left out, and ordinary lines.
    let mut rejected = 0;
    let mut tried = 0;
    let mut wrong = Vec::new();
    let mut left_messages = Vec::new();
    for f in &out {
        let text = std::fs::read_to_string(f).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let delim = if header.contains('|') { '|' } else { ',' };
        for line in lines {
            let cols: Vec<&str> = line.splitn(9, delim).collect();
            if cols.len() == 9 && !cols[8].trim().is_empty() {
                left_messages.push(filled(cols[8].trim()).0);
            }
        }
    }
    let left_n = left_messages.len();
    for text in left_messages
        .iter()
        .map(String::as_str)
        .chain(ORDINARY_LINES.iter().copied())
    {
        tried += 1;
        let ms = matcher.lookup(&lookup::parse_paste(text), &templates);
        if ms.is_empty() {
            rejected += 1;
        } else {
            let m = &ms[0];
            wrong.push(format!(
                "{text} -> {} {}",
                templates[m.index].source, templates[m.index].id
            ));
        }
    }

    let pct = |a: usize, b: usize| a as f64 * 100.0 / b.max(1) as f64;
    let names: Vec<_> = out
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    eprintln!(
        "lookup on the Windows dataset: {} events imported, {} provider files left out ({})",
        events.len(),
        out.len(),
        names.join(", ")
    );
    eprintln!(
        "recall, message: {msg_ok} of {msg_n} ({:.2} %); {unidentifiable} more templates are almost all insertion strings and are found by source and ID only",
        pct(msg_ok, msg_n)
    );
    eprintln!(
        "recall, text block: {block_ok} of {block_n} ({:.2} %), every value right in {block_values}",
        pct(block_ok, block_n)
    );
    eprintln!(
        "recall, XML: {xml_ok} of {xml_n} ({:.2} %), every value right in {xml_values}",
        pct(xml_ok, xml_n)
    );
    eprintln!(
        "rejection: {rejected} of {tried} ({:.2} %): {left_n} messages of the left-out providers and {} ordinary lines",
        pct(rejected, tried),
        ORDINARY_LINES.len()
    );
    for w in &wrong {
        eprintln!("  not rejected: {w}");
    }
    assert!(
        msg_n > 1000 && block_n > 1000,
        "only {msg_n} messages, {block_n} events"
    );
    assert!(
        pct(msg_ok, msg_n) >= 99.5,
        "message recall; first misses: {misses:#?}"
    );
    assert!(
        pct(block_ok, block_n) >= 99.5,
        "text block recall; first misses: {misses:#?}"
    );
    assert!(
        pct(xml_ok, xml_n) >= 99.5,
        "XML recall; first misses: {misses:#?}"
    );
    assert!(
        pct(rejected, tried) >= 95.0,
        "rejection; wrongly matched: {wrong:#?}"
    );
}
