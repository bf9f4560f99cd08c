//! Events as they really are (issue #16): data fields, versions, value maps,
//! their checks and their translations.

mod common;
use common::*;

const HEAD: &str = "source: Foo\nid: 1\n";

/// Check a one-record site (plus `extra` files relative to the root) and
/// return its diagnostic of `code`.
fn one_with(record: &str, extra: &[(&str, &str)], code: &str) -> eventref::diagnostics::Diagnostic {
    let dir = site_with(&[("a.yaml", record)]);
    for (rel, text) in extra {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (_, d) = check(dir.path());
    d.iter()
        .find(|d| d.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("no `{code}` diagnostic; got {:?}", codes(&d)))
}

fn one(record: &str, code: &str) -> eventref::diagnostics::Diagnostic {
    one_with(record, &[], code)
}

fn line_col(d: &eventref::diagnostics::Diagnostic) -> (u32, u32) {
    let l = d.location.as_ref().expect("has a location");
    (l.line, l.column)
}

#[test]
fn the_fields_fixture_checks_clean() {
    let (ok, d) = check(&repo().join("tests/fixtures/fields"));
    assert!(ok && d.is_empty(), "{:?}", codes(&d));
}

#[test]
fn unknown_field_type_suggests_the_manifest_type() {
    let d = one(
        &format!("{HEAD}message: x %1\nfields:\n  - name: A\n    type: win:Uint32\n"),
        "unknown-field-type",
    );
    assert_eq!(line_col(&d), (6, 11));
    assert_eq!(d.help.as_deref(), Some("did you mean `win:UInt32`?"));
}

#[test]
fn duplicate_field_names_point_at_the_second() {
    let d = one(
        &format!(
            "{HEAD}message: x\nfields:\n  - name: A\n    type: win:UInt32\n  - name: A\n    type: win:SID\n"
        ),
        "duplicate-field",
    );
    assert_eq!(line_col(&d), (7, 11));
    assert!(d.help.as_deref().unwrap().contains("line 5"), "{:?}", d.help);
}

#[test]
fn an_insert_beyond_the_field_count_is_an_error() {
    let d = one(
        &format!("{HEAD}message: x %1 %3\nfields:\n  - name: A\n    type: win:UInt32\n"),
        "insert-beyond-fields",
    );
    assert_eq!(line_col(&d).0, 3);
    assert!(
        d.message.contains("%3") && d.message.contains("1 field"),
        "{}",
        d.message
    );
    // A version's own message is checked against its own fields.
    let d = one(
        &format!(
            "{HEAD}message: x %1\nfields:\n  - {{ name: A, type: win:UInt32 }}\nversions:\n  - version: 0\n    message: y %2\n"
        ),
        "insert-beyond-fields",
    );
    assert_eq!(line_col(&d).0, 8);
}

#[test]
fn records_without_fields_keep_their_inserts() {
    let dir = site_with(&[("a.yaml", "source: Foo\nid: 1\nmessage: x %7\n")]);
    let (ok, d) = check(dir.path());
    // Nothing about %7; only the note that a site without base_url gets no sitemap.
    assert!(ok && codes(&d) == ["no-base-url"], "{:?}", codes(&d));
}

#[test]
fn unknown_value_map_suggests_a_near_name() {
    let record = format!(
        "{HEAD}message: x %1\nfields:\n  - name: LogonType\n    type: win:UInt32\n    value_map: logon-typ\n"
    );
    let d = one_with(
        &record,
        &[(
            "value_maps/logon-type.yaml",
            "values:\n  - { value: 3, label: Network }\n",
        )],
        "unknown-value-map",
    );
    assert_eq!(line_col(&d), (7, 16));
    assert_eq!(d.help.as_deref(), Some("did you mean `logon-type`?"));
    let d = one(&record, "unknown-value-map");
    assert!(
        d.help.as_deref().unwrap().contains("no shared value maps"),
        "{:?}",
        d.help
    );
}

#[test]
fn value_maps_reject_values_that_are_not_numbers_or_twice() {
    let d = one(
        &format!(
            "{HEAD}message: x\nfields:\n  - name: A\n    type: win:UInt32\n    value_map:\n      values:\n        - {{ value: three, label: x }}\n"
        ),
        "invalid-value-map",
    );
    assert!(d.message.contains("three"), "{}", d.message);
    let d = one_with(
        "source: Foo\nid: 1\nmessage: x\n",
        &[(
            "value_maps/m.yaml",
            "values:\n  - { value: 1, label: a }\n  - { value: \"0x1\", label: b }\n",
        )],
        "invalid-value-map",
    );
    assert!(d.message.contains("twice"), "{}", d.message);
}

#[test]
fn versions_are_numbered_once() {
    let d = one(
        &format!("{HEAD}message: x\nversions:\n  - version: 1\n  - version: 1\n"),
        "duplicate-version",
    );
    assert_eq!(line_col(&d), (6, 14));
    let d = one(
        &format!("{HEAD}message: x\nversions:\n  - version: 300\n"),
        "invalid-version",
    );
    assert_eq!(line_col(&d), (5, 14));
}

#[test]
fn a_named_insert_must_name_a_field() {
    let d = one(
        &format!("{HEAD}message: \"x {{Nme}}\"\nfields:\n  - {{ name: Name, type: win:UnicodeString }}\n"),
        "unknown-field-insert",
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `{Name}`?"));
}

fn overlay_diag(overlay: &str, code: &str) -> eventref::diagnostics::Diagnostic {
    let dir = fixture("fields");
    std::fs::write(dir.path().join("content/security/4625.de.yaml"), overlay).unwrap();
    let (_, d) = check(dir.path());
    d.iter()
        .find(|d| d.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("no `{code}` diagnostic; got {:?}", codes(&d)))
}

#[test]
fn translations_cannot_change_names_types_or_values() {
    let d = overlay_diag("fields:\n  TargetUser:\n    meaning: x\n", "overlay-field-name");
    assert_eq!(line_col(&d).0, 2);
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("did you mean `TargetUserName`?"),
        "{:?}",
        d.help
    );
    let d = overlay_diag("fields:\n  Status:\n    type: win:UInt32\n", "overlay-identity");
    assert!(d.message.contains("`type` of field `Status`"), "{}", d.message);
    let d = overlay_diag(
        "fields:\n  Status:\n    values:\n      \"0x1\": Eins\n",
        "overlay-value-map",
    );
    assert!(d.message.contains("0x1"), "{}", d.message);
    let d = overlay_diag("versions:\n  \"7\": x\n", "overlay-version");
    assert!(d.help.as_deref().unwrap().contains("0, 1"), "{:?}", d.help);
}

#[test]
fn shared_map_translations_only_translate_labels() {
    let dir = fixture("fields");
    std::fs::write(
        dir.path().join("value_maps/logon-type.de.yaml"),
        "values:\n  \"4\": Stapel\n",
    )
    .unwrap();
    let (ok, d) = check(dir.path());
    assert!(!ok);
    assert!(codes(&d).contains(&"overlay-value-map"), "{:?}", codes(&d));
}

// ---------------------------------------------------------------------------
// The article

fn built_fields_site() -> tempfile::TempDir {
    let dir = fixture("fields");
    build_ok(dir.path());
    dir
}

#[test]
fn the_article_shows_fields_value_maps_sample_xml_and_versions() {
    let dir = built_fields_site();
    let doc = page(dir.path(), "en/contoso-security-auditing/4625/index.html");
    let rows: Vec<Vec<String>> = doc
        .select(&sel("table.fields tbody tr"))
        .map(|tr| {
            tr.select(&sel("th, td"))
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        [
            "TargetUserName",
            "win:UnicodeString",
            "The account that failed to log on.",
            "alice"
        ]
    );
    assert_eq!(rows[1][3], "3 (Network)");
    assert_eq!(rows[2][3], "0xC000006D (Bad user name or password)");
    assert_eq!(
        texts(&doc, "table#values-LogonType caption"),
        ["Values of LogonType"]
    );
    assert_eq!(
        texts(&doc, "table#values-Status tbody td"),
        [
            "0xC000006D",
            "Bad user name or password",
            "0xC0000234",
            "Account locked out"
        ]
    );
    let xml = texts(&doc, "pre.sample-xml code").join("");
    assert!(xml.contains("<Data Name=\"LogonType\">3</Data>"), "{xml}");
    assert!(
        xml.contains("<Version>1</Version>") && xml.contains("<EventID>4625</EventID>"),
        "{xml}"
    );
    let versions: Vec<String> = texts(&doc, "table.versions tbody th");
    assert_eq!(versions, ["1 (current)", "0"]);
    assert_eq!(
        texts(&doc, "table.versions .version-fields code"),
        ["TargetUserName", "LogonType"]
    );
    let details = texts(&doc, "table.details th");
    assert!(
        details.contains(&"Task".to_string()) && details.contains(&"Keywords".to_string()),
        "{details:?}"
    );
}

#[test]
fn the_translated_article_translates_meanings_labels_and_notes() {
    let dir = built_fields_site();
    let doc = page(dir.path(), "de/contoso-security-auditing/4625/index.html");
    assert_eq!(texts(&doc, "#event-data"), ["Ereignisdaten"]);

    let meanings: Vec<(String, Option<String>)> = doc
        .select(&sel("table.fields tbody tr td:nth-child(3)"))
        .map(|td| {
            (
                td.text().collect::<String>().trim().to_string(),
                td.value().attr("lang").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        meanings[0],
        ("Das Konto, das sich nicht anmelden konnte.".to_string(), None)
    );
    assert_eq!(
        meanings[1].1.as_deref(),
        Some("en"),
        "untranslated meaning is marked"
    );
    // Shared map labels from value_maps/logon-type.de.yaml, inline ones from the overlay.
    assert_eq!(
        texts(&doc, "table#values-LogonType tbody td"),
        ["2", "Interactive", "3", "Netzwerk", "10", "RemoteInteractive"]
    );
    assert_eq!(
        attrs(&doc, "table#values-LogonType tbody td[lang]", "lang"),
        ["en", "en"]
    );
    assert_eq!(
        texts(&doc, "table#values-Status tbody td")[1],
        "Falscher Benutzername oder falsches Kennwort"
    );
    assert_eq!(
        texts(&doc, "table.versions tbody td:nth-child(4)")[0],
        "Status hinzugefügt."
    );
    assert_eq!(
        texts(&doc, "table.versions caption, #event-versions"),
        ["Ereignisversionen"]
    );
}

/// The overlay's `translated_from` holds the hashes of the original's fields
/// (with an inline value map) and versions as `eventref i18n refresh` wrote
/// them: a change to how those hashes are taken would mark every translation
/// of every site stale.
#[test]
fn translated_from_hashes_of_fields_and_versions_still_match() {
    let dir = fixture("fields");
    let site = eventref::Site::load(dir.path()).unwrap();
    let st = eventref::i18n::status(&site.config, &site.content.events, Some("de"));
    assert_eq!((st[0].stale, st[0].partial), (0, 1));
}

#[test]
fn records_without_the_new_parts_show_none_of_them() {
    let dir = built_fields_site();
    let doc = page(dir.path(), "en/contoso-security-auditing/1/index.html");
    for s in [
        "table.fields",
        "table.value-map",
        "pre.sample-xml",
        "table.versions",
        "#event-data",
    ] {
        assert!(doc.select(&sel(s)).next().is_none(), "{s} on a plain record");
    }
}

#[test]
fn an_author_supplied_sample_xml_replaces_the_generated_one() {
    let dir = fixture("fields");
    let rec = dir.path().join("content/security/4625.yaml");
    let text = std::fs::read_to_string(&rec).unwrap();
    std::fs::write(
        &rec,
        format!("{text}sample_xml: \"<Event><EventData><Data Name='X'>y</Data></EventData></Event>\"\n"),
    )
    .unwrap();
    build_ok(dir.path());
    let doc = page(dir.path(), "en/contoso-security-auditing/4625/index.html");
    assert_eq!(
        texts(&doc, "pre.sample-xml code"),
        ["<Event><EventData><Data Name='X'>y</Data></EventData></Event>"]
    );
    assert!(doc.select(&sel("p.sample-note")).next().is_none());
}

// ---------------------------------------------------------------------------
// Lookup

fn answer(lang: &str, text: &str) -> eventref::search::lookup::Answer {
    let site = eventref::Site::load(&repo().join("tests/fixtures/fields")).expect("loads");
    eventref::search::lookup::answer_site(&site.config, &site.content.events, lang, text)
}

#[test]
fn lookup_matches_an_older_versions_message_once() {
    let a = answer("en", "An account failed to log on. Account: bob Logon type: 3");
    assert_eq!(a.matches.len(), 1, "{:?}", a.matches);
    let m = &a.matches[0];
    assert_eq!((m.source.as_str(), m.id), ("Contoso-Security-Auditing", 4625));
    let v: Vec<(&str, Option<&str>, &str, Option<&str>)> = m
        .values
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.field.as_deref(),
                v.value.as_str(),
                v.decoded.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        v,
        [
            ("%1", Some("TargetUserName"), "bob", None),
            ("%2", Some("LogonType"), "3", Some("Network"))
        ]
    );
}

#[test]
fn lookup_maps_xml_data_to_fields_and_decodes_in_the_page_language() {
    let xml = r#"<Event><System><Provider Name="Contoso-Security-Auditing"/><EventID>4625</EventID></System><EventData><Data Name="TargetUserName">bob</Data><Data Name="LogonType">3</Data><Data Name="Status">0xC000006D</Data><Data Name="Other">7</Data></EventData></Event>"#;
    let a = answer("de", xml);
    assert_eq!(a.matches.len(), 1);
    let decoded: Vec<Option<&str>> = a.matches[0].values.iter().map(|v| v.decoded.as_deref()).collect();
    assert_eq!(
        decoded,
        [
            None,
            Some("Netzwerk"),
            Some("Falscher Benutzername oder falsches Kennwort"),
            None
        ]
    );
    // A value the map does not explain is not decoded (no guess).
    let a = answer("en", &xml.replace(">3<", ">99<"));
    assert_eq!(a.matches[0].values[1].decoded, None);
    assert!(a.matches[0].values[1].not_in_map, "said to be not in the map");
    assert!(
        !a.matches[0].values[3].not_in_map,
        "a field without a map claims nothing"
    );
}

#[test]
fn lookup_prints_decoded_values() {
    let print = |paste: &str| {
        let out = assert_cmd::Command::cargo_bin("eventref")
            .unwrap()
            .args(["lookup", "--root"])
            .arg(repo().join("tests/fixtures/fields"))
            .arg(paste)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = print("An account failed to log on. Account: bob Logon type: 3");
    assert!(text.contains("%2 (LogonType) = 3 (Network)"), "{text}");
    let text = print("An account failed to log on. Account: bob Logon type: 99");
    assert!(
        text.contains("%2 (LogonType) = 99 (not in the value map)"),
        "{text}"
    );
}

#[test]
fn the_browser_lookup_tables_hold_every_versions_template() {
    let dir = built_fields_site();
    let mut messages = Vec::new();
    for e in std::fs::read_dir(dir.path().join("public/en/lookup/t")).unwrap() {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap();
        for entry in v.as_array().unwrap() {
            if entry["i"] == 4625 {
                messages.push(entry["m"].as_str().unwrap().to_string());
            }
        }
    }
    messages.sort();
    assert_eq!(
        messages,
        [
            "An account failed to log on. Account: %1 Logon type: %2",
            "An account failed to log on. Account: %1 Logon type: %2 Status: %3"
        ]
    );
}

#[test]
fn the_browser_lookup_tables_carry_fields_and_each_languages_maps_once() {
    let dir = built_fields_site();
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.path().join(p)).unwrap()).unwrap()
    };
    for (lang, network, status) in [
        ("en", "Network", "Bad user name or password"),
        ("de", "Netzwerk", "Falscher Benutzername oder falsches Kennwort"),
    ] {
        let maps = read(&format!("public/{lang}/lookup/maps.json"));
        // One shared map (logon-type) and one inline map (Status), each written once.
        assert_eq!(maps.as_object().unwrap().len(), 2, "{lang}: {maps}");
        let mut fields = Vec::new();
        for e in std::fs::read_dir(dir.path().join(format!("public/{lang}/lookup/t"))).unwrap() {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap();
            for entry in v.as_array().unwrap() {
                if entry["i"] == 4625 {
                    fields.push(entry["f"].clone());
                }
            }
        }
        fields.sort_by_key(|f| f.as_array().unwrap().len());
        assert_eq!(fields.len(), 2, "{lang}: a template per version");
        // Version 0 has its own two fields; the current version three.
        assert_eq!(fields[0].as_array().unwrap().len(), 2);
        assert_eq!(fields[0][1][0], "LogonType");
        let label = |id: &serde_json::Value, value: &str| -> String {
            let m = &maps[id.as_str().unwrap()];
            m["v"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e[0] == value)
                .map(|e| e[1].as_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert_eq!(label(&fields[0][1][1], "3"), network, "{lang}");
        assert_eq!(fields[1][1][1], fields[0][1][1], "{lang}: the same map, one id");
        assert_eq!(label(&fields[1][2][1], "3221225581"), status, "{lang}");
        assert_eq!(fields[1][0].as_array().unwrap().len(), 1, "no map, no id");
    }
    // A site without value maps writes no maps file (its output stays as it was).
    let plain = fixture("i18n");
    build_ok(plain.path());
    assert!(!plain.path().join("public/en/lookup/maps.json").exists());
}

#[test]
fn a_field_may_leave_its_type_out() {
    let dir = site_with(&[(
        "a.yaml",
        "source: Foo\nid: 1\nmessage: \"x {Code}\"\nfields:\n  - name: Code\n    value_map:\n      values:\n        - { value: 0, label: Zero }\n",
    )]);
    let (ok, d) = check(dir.path());
    assert!(ok && codes(&d) == ["no-base-url"], "{:?}", codes(&d));
    build_ok(dir.path());
    let doc = page(dir.path(), "en/foo/1/index.html");
    let row: Vec<String> = doc
        .select(&sel("table.fields tbody tr td"))
        .map(|c| c.text().collect::<String>().trim().to_string())
        .collect();
    assert_eq!(row[0], "", "no type shown when none is stated: {row:?}");
}
