//! Search files: the Pagefind bundle, direct-hit tables and lookup shards.

mod common;
// The benchmark generator is part of the binary (`eventref bench`); it is std-only, so it is included here.
#[path = "../src/cli/bench/generate.rs"]
#[allow(dead_code)]
mod generate;
use common::*;
use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

/// The languages and page count of a Pagefind bundle folder.
fn bundle_pages(dir: &Path) -> Vec<(String, u64)> {
    let entry = json(&dir.join("pagefind-entry.json"));
    let mut langs: Vec<(String, u64)> = entry["languages"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["page_count"].as_u64().unwrap()))
        .collect();
    langs.sort();
    langs
}

#[test]
fn build_writes_a_pagefind_bundle_per_language() {
    let dir = fixture("i18n");
    build_ok(dir.path());
    let out = dir.path().join("public");
    assert!(!out.join("pagefind/pagefind.js").exists());
    for l in ["ar", "de", "en", "ja"] {
        let bundle = out.join("pagefind").join(l);
        assert!(bundle.join("pagefind.js").is_file(), "{l}");
        assert!(bundle.join("pagefind-worker.js").is_file(), "{l}");
        // Only this language, in one part; no UI kits the theme does not use.
        assert_eq!(bundle_pages(&bundle), [(l.to_string(), 4)]);
        assert!(!bundle.join("1").exists(), "{l}");
        assert!(!bundle.join("pagefind-ui.js").exists(), "{l}");
        assert_eq!(
            json(&out.join(l).join("lookup/meta.json"))["index_parts"],
            1,
            "{l}"
        );
    }
    // Japanese is segmented (the `extended` feature): its index has its own wasm.
    assert!(std::fs::read_dir(out.join("pagefind/ja")).unwrap().any(|e| {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        n.starts_with("wasm.ja") || n.starts_with("wasm.unknown")
    }));
}

#[test]
fn a_large_index_is_split_into_parts_the_browser_merges() {
    let dir = fixture("basic");
    // Three records per part: the fixture's 4 events make two parts of 2.
    let o = assert_cmd::Command::cargo_bin("eventref")
        .unwrap()
        .env("EVENTREF_SEARCH_PART_RECORDS", "3")
        .args(["build", "--format", "json", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["summary"].clone();
    assert_eq!(v["search_records"], 4);
    let out = dir.path().join("public");
    assert_eq!(json(&out.join("en/lookup/meta.json"))["index_parts"], 2);
    let first = out.join("pagefind/en");
    let second = first.join("1");
    assert_eq!(bundle_pages(&first), [("en".to_string(), 2)]);
    assert_eq!(bundle_pages(&second), [("en".to_string(), 2)]);
    assert!(first.join("pagefind.js").is_file());
    // A merged part uses the first part's scripts and wasm.
    let names: Vec<String> = std::fs::read_dir(&second)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n == "pagefind-entry.json"
            || n.ends_with(".pf_meta")
            || ["fragment", "index", "filter"].contains(&n.as_str())),
        "{names:?}"
    );
    assert!(!second.join("2").exists());
    // Every record is in exactly one part.
    let fragments = |d: &Path| std::fs::read_dir(d.join("fragment")).unwrap().count();
    assert_eq!(fragments(&first) + fragments(&second), 4);
}

#[test]
fn no_search_skips_only_the_full_text_index() {
    let dir = fixture("basic");
    let site = eventref::Site::load(dir.path()).unwrap();
    let r = site
        .build(&eventref::BuildOptions {
            search: false,
            ..Default::default()
        })
        .unwrap();
    assert!(r.search.is_none());
    let out = dir.path().join("public");
    assert!(!out.join("pagefind").exists());
    assert_eq!(json(&out.join("en/lookup/meta.json"))["index_parts"], 0);
    assert!(out.join("en/search/index.html").is_file());
    // And with search, the CLI summary reports the index.
    let o = assert_cmd::Command::cargo_bin("eventref")
        .unwrap()
        .args(["build", "--format", "json", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["summary"].clone();
    assert_eq!(v["search_records"], 4);
    assert!(v["search_files"].as_u64().unwrap() > 5);
    assert_eq!(json(&out.join("en/lookup/meta.json"))["index_parts"], 1);
    let o = assert_cmd::Command::cargo_bin("eventref")
        .unwrap()
        .args(["build", "--no-search", "--format", "json", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["summary"].clone();
    assert!(v["search_records"].is_null());
    assert!(
        v["removed"].as_u64().unwrap() > 5,
        "the index of the previous build is removed"
    );
}

#[test]
fn direct_hit_tables_find_ids_and_symbolic_names() {
    let dir = fixture("basic");
    build_ok(dir.path());
    let lang_root = dir.path().join("public/en");
    let meta = json(&lang_root.join("lookup/meta.json"));
    let shards = meta["key_shards"].as_u64().unwrap() as u32;
    let shard =
        |key: &str| json(&lang_root.join(format!("lookup/k/{}.json", eventref::search::fnv1a(key) % shards)));
    let hits = &shard("100")["100"];
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hits[0]["s"], "Contoso-Mail");
    assert_eq!(hits[0]["u"], "contoso-mail/100/");
    assert_eq!(hits[0]["p"]["%1"], "Name of the Send connector");
    // Under its symbolic name, only which event it is: the entry is the ID's.
    assert_eq!(
        shard("contososenderror")["contososenderror"],
        serde_json::json!([{ "s": "Contoso-Mail", "i": 100 }])
    );
    assert_eq!(shard("7")["7"][0]["s"], "Contoso-Disk");
}

#[test]
fn every_template_is_in_exactly_one_shard_under_its_rarest_word() {
    let dir = fixture("basic");
    build_ok(dir.path());
    let lang_root = dir.path().join("public/en");
    let meta = json(&lang_root.join("lookup/meta.json"));
    let n = meta["template_shards"].as_u64().unwrap() as u32;
    let mut seen = Vec::new();
    for i in 0..n {
        let p = lang_root.join(format!("lookup/t/{i}.json"));
        if p.exists() {
            for e in json(&p).as_array().unwrap() {
                seen.push(format!("{} {}", e["s"].as_str().unwrap(), e["i"]));
            }
        }
    }
    seen.sort();
    assert_eq!(seen.len(), 4);
    seen.dedup();
    assert_eq!(seen.len(), 4);
}

/// What the browser fetches for a lookup: the template shards of the paste's words.
fn lookup_fetch(lang_root: &Path, paste: &str) -> (u64, Vec<serde_json::Value>) {
    let meta = json(&lang_root.join("lookup/meta.json"));
    let n = meta["template_shards"].as_u64().unwrap() as u32;
    let unigrams: Vec<&str> = meta["unigrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let re = regex::Regex::new(r"[\p{L}\p{N}]{3,}").unwrap();
    let norm = eventref::search::lookup::normalize(paste).to_lowercase();
    let words: Vec<&str> = re.find_iter(&norm).map(|m| m.as_str()).collect();
    let mut shards = std::collections::BTreeSet::from([eventref::search::fnv1a("") % n]);
    for (i, w) in words.iter().enumerate() {
        if unigrams.contains(w) {
            shards.insert(eventref::search::fnv1a(w) % n);
        }
        if let Some(next) = words.get(i + 1) {
            shards.insert(eventref::search::fnv1a(&format!("{w} {next}")) % n);
        }
    }
    let mut bytes = std::fs::metadata(lang_root.join("lookup/meta.json"))
        .unwrap()
        .len();
    let mut entries = Vec::new();
    for s in shards {
        let p = lang_root.join(format!("lookup/t/{s}.json"));
        if let Ok(b) = std::fs::read(&p) {
            bytes += b.len() as u64;
            entries.extend(serde_json::from_slice::<Vec<serde_json::Value>>(&b).unwrap());
        }
    }
    (bytes, entries)
}

/// The German lookup tables take the keys worked out for the English ones
/// only for messages that fall back to them (the same text): a translated
/// message is filed under its own words, an untranslated one under the
/// English words, and each is found where the browser looks.
#[test]
fn each_languages_templates_are_filed_under_their_own_words() {
    let dir = fixture("i18n");
    // Enough other templates for sixteen shards: filed under the wrong
    // words, a template would be in a shard the browser does not fetch.
    std::fs::create_dir_all(dir.path().join("content/extra")).unwrap();
    for id in 1000..1300 {
        let record = format!("source: Extra\nid: {id}\nmessage: \"Extra number{id} was logged here.\"\n");
        std::fs::write(dir.path().join(format!("content/extra/{id}.yaml")), record).unwrap();
    }
    build_ok(dir.path());
    let meta = json(&dir.path().join("public/de/lookup/meta.json"));
    assert_eq!(meta["template_shards"], 16);
    let find = |lang: &str, paste: &str| -> Vec<String> {
        let (_, entries) = lookup_fetch(&dir.path().join("public").join(lang), paste);
        entries
            .iter()
            .filter(|e| e["m"].as_str() == Some(paste))
            .map(|e| format!("{} {}", e["s"].as_str().unwrap(), e["i"]))
            .collect()
    };
    let german = "Sendeconnector %1: Beim Verbinden mit %2 ist ein Fehler aufgetreten.";
    let english = "Send connector %1: an error occurred while connecting to %2.";
    assert_eq!(find("de", german), ["Contoso 1"]);
    assert_eq!(find("en", english), ["Contoso 1"]);
    assert!(
        find("de", english).is_empty(),
        "the German tables hold the translation"
    );
    assert_eq!(find("de", "Backup finished."), ["Contoso 4"]);
    assert_eq!(find("en", "Backup finished."), ["Contoso 4"]);
}

#[test]
fn a_lookup_on_a_large_site_fetches_little_and_finds_the_event() {
    let dir = tempfile::tempdir().unwrap();
    generate::generate(dir.path(), 20_000, 1).unwrap();
    let site = eventref::Site::load(dir.path()).unwrap();
    site.build(&eventref::BuildOptions {
        search: false,
        ..Default::default()
    })
    .unwrap();
    let lang_root = dir.path().join("public/en");
    let mut worst = 0;
    for e in site.content.events.iter().step_by(997) {
        let pasted = e
            .message
            .replace("%1", "Contoso Backup 7")
            .replace("%2", "srv-01.contoso.com");
        let (bytes, entries) = lookup_fetch(&lang_root, &pasted);
        worst = worst.max(bytes);
        assert!(
            entries
                .iter()
                .any(|x| x["s"] == e.source.as_str() && x["i"] == e.id),
            "{} {} not in the fetched shards",
            e.source,
            e.id
        );
    }
    eprintln!("largest lookup download on a 20,000-event site: {worst} bytes");
    assert!(worst < 300_000, "{worst} bytes");
}
