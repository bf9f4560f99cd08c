//! Log-line lookup in Rust: the shared vectors (also run by the browser module).

mod common;
use common::*;
use eventref::search::lookup::{Template, lookup, parse_paste};

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
                serde_json::json!({
                    "source": templates[m.index].source,
                    "id": templates[m.index].id,
                    "score": m.score,
                    "values": m.values,
                })
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
                        && (g["score"].as_f64().unwrap() - e["score"].as_f64().unwrap()).abs() < 1e-9
                });
        if !same {
            failures.push(format!("{name}:\n  got    {got}\n  expect {expect}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
