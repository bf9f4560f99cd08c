//! `eventref import manifest`: instrumentation manifests and `wevtutil gp`
//! output (fixtures written for these tests from the documented formats),
//! imported through the command line into a temporary site, then checked
//! with `check --strict` and built; the pages show the fields, versions and
//! value maps. Re-imports are idempotent and keep what a person edited;
//! malformed input is an error at its line and column; the XML readers never
//! panic on arbitrary input.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{page, texts};
use proptest::prelude::*;

fn fixtures() -> PathBuf {
    common::repo().join("tests/fixtures/import/manifest")
}

/// A temporary site with the import fixture's site.toml (en, de, ja) and no content.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("tests/fixtures/import/site"), dir.path());
    dir
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn eventref(root: &Path) -> Command {
    let mut c = Command::cargo_bin("eventref").unwrap();
    c.current_dir(root).env("NO_COLOR", "1");
    c
}

/// Import `inputs` with a JSON report; the report.
fn import(root: &Path, inputs: &[PathBuf]) -> serde_json::Value {
    let out = eventref(root)
        .args(["import", "manifest", "--format", "json"])
        .args(inputs)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// `check --strict` passes, `build` succeeds, and the page at `path` has `n` version rows.
fn checks_builds_with_versions(root: &Path, path: &str, n: usize) -> scraper::Html {
    check_strict(root);
    eventref(root).arg("build").assert().success();
    let p = page(root, path);
    assert_eq!(texts(&p, "table.versions tbody th").len(), n, "{path}");
    p
}

fn check_strict(root: &Path) {
    let out = eventref(root).args(["check", "--strict"]).output().unwrap();
    assert!(
        out.status.success(),
        "check --strict failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_manifest_becomes_records_with_fields_versions_maps_and_translations() {
    let dir = site();
    let root = dir.path();
    let r = import(root, &[fixtures().join("contoso-vault.man")]);
    assert_eq!(r["inputs"], 3, "{r:#}");
    assert_eq!(r["records"]["created"], 2, "{r:#}");
    assert_eq!(r["records"]["merged"], 1, "{r:#}");
    // de for both events; fr is not a site language.
    assert_eq!(r["translations"]["created"], 2, "{r:#}");
    assert_eq!(
        r["translations"]["skipped"]["language not configured in site.toml"], 1,
        "{r:#}"
    );

    let rec = read(root, "content/contoso-vault/200.yaml");
    assert!(
        rec.contains("message: \"Vault %1 was unlocked by %2 (method %3, flags %4).\"\n"),
        "{rec}"
    );
    assert!(rec.contains("symbolic_name: \"VAULT_UNLOCKED\"\n"), "{rec}");
    assert!(rec.contains("level: \"information\"\n"), "{rec}");
    assert!(rec.contains("channel: \"Contoso-Vault/Operational\"\n"), "{rec}");
    assert!(
        rec.contains("task: \"Unlock\"\nopcode: \"Info\"\nkeywords: [\"Access\", \"Audit\"]\n"),
        "{rec}"
    );
    assert!(
        rec.contains(
            "  - name: \"Method\"\n    type: \"win:UInt32\"\n    value_map: \"contoso-vault-unlockmethod\"\n"
        ),
        "{rec}"
    );
    assert!(
        rec.contains("versions:\n  - version: 0\n    message: \"Vault %1 was unlocked by %2.\"\n    fields:\n      - name: \"VaultName\"\n"),
        "{rec}"
    );
    assert!(rec.contains("  - version: 1\n"), "{rec}");
    let failed = read(root, "content/contoso-vault/201.yaml");
    assert!(
        failed.contains("status %2.\\nCheck the vault"),
        "%n is a line break: {failed}"
    );
    assert!(
        failed.contains("channel: \"System\"\n") && failed.contains("opcode: \"Verify\"\n"),
        "{failed}"
    );

    let map = read(root, "value_maps/contoso-vault-vaultflags.yaml");
    assert!(
        map.contains("kind: bitmap\n") && map.contains("{ value: \"0x2\", label: \"Shared\" }"),
        "{map}"
    );
    let de_map = read(root, "value_maps/contoso-vault-unlockmethod.de.yaml");
    assert!(de_map.contains("\"0x2\": \"Smartcard\""), "{de_map}");
    let de = read(root, "content/contoso-vault/200.de.yaml");
    assert!(de.contains("message: \"Tresor %1 wurde von %2 entsperrt"), "{de}");

    let en = checks_builds_with_versions(root, "en/contoso-vault/200/index.html", 2);
    assert_eq!(
        texts(&en, "table.fields tbody th"),
        ["VaultName", "UserSid", "Method", "Flags"]
    );
    let maps = texts(&en, "table.value-map td");
    assert!(
        maps.contains(&"Smart card".to_string()) && maps.contains(&"Audited".to_string()),
        "{maps:?}"
    );
    let messages = texts(&en, "table.versions td.message");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Vault %1 was unlocked by %2.") && m.contains("VaultName")),
        "version 0 with its own message and fields: {messages:?}"
    );
    let de = page(root, "de/contoso-vault/200/index.html");
    assert!(texts(&de, "table.value-map td").contains(&"Smartcard".to_string()));
}

#[test]
fn wevtutil_output_resolves_numbers_and_reduces_32_bit_values() {
    let dir = site();
    let root = dir.path();
    let r = import(root, &[fixtures().join("Contoso-Sync.xml")]);
    assert_eq!(r["records"]["created"], 2, "{r:#}");
    assert_eq!(r["records"]["merged"], 1, "{r:#}");
    let one = read(root, "content/contoso-sync/1.yaml");
    assert!(
        one.contains("message: \"Transfer of %1 to %2 started.\"\n"),
        "{one}"
    );
    assert!(one.contains("channel: \"Contoso-Sync/Operational\"\n"), "{one}");
    assert!(
        one.contains("task: \"Transfer\"\nopcode: \"Start\"\nkeywords: [\"Files\", \"Network\"]\n"),
        "{one}"
    );
    assert!(one.contains("level: \"information\"\n"), "{one}");
    assert!(
        one.contains(
            "fields:\n  - name: \"FileName\"\n    type: \"win:UnicodeString\"\n  - name: \"Target\"\n"
        ),
        "{one}"
    );
    assert!(
        one.contains("  - version: 0\n    message: \"Transfer of %1 started.\"\n    fields: []\n"),
        "{one}"
    );
    let two = read(root, "content/contoso-sync/2.yaml");
    assert!(
        two.contains("0xC0010002") && two.contains("qualifiers 0xC001"),
        "{two}"
    );
    assert!(
        two.contains("level: \"error\"\nchannel: \"Application\"\n"),
        "{two}"
    );
    assert!(
        two.contains("Transfer failed: %1.\\n\\nThe server said: %2"),
        "{two}"
    );
    checks_builds_with_versions(root, "en/contoso-sync/1/index.html", 2);
}

#[test]
fn re_imports_are_idempotent_and_keep_what_people_edited() {
    let dir = site();
    let root = dir.path();
    let data = tempfile::tempdir().unwrap();
    let man = data.path().join("vault.man");
    std::fs::copy(fixtures().join("contoso-vault.man"), &man).unwrap();
    import(root, std::slice::from_ref(&man));
    let before = common::tree(&root.join("content"));
    let again = import(root, std::slice::from_ref(&man));
    assert_eq!(again["records"]["unchanged"], 2, "{again:#}");
    assert_eq!(again["written"], serde_json::json!([]), "{again:#}");
    assert_eq!(common::tree(&root.join("content")), before);

    // A person explains the fields of 200 and edits 201's message.
    let file = "content/contoso-vault/200.yaml";
    let edited = read(root, file).replace(
        "  - name: \"Method\"\n",
        "  - name: \"Method\"\n    meaning: How the vault was unlocked.\n",
    );
    std::fs::write(root.join(file), &edited).unwrap();
    let map = "value_maps/contoso-vault-unlockmethod.yaml";
    let edited_map = read(root, map).replace("\"Recovery key\"", "\"Recovery key (48 digits)\"");
    std::fs::write(root.join(map), &edited_map).unwrap();
    let f201 = "content/contoso-vault/201.yaml";
    let t201 = read(root, f201).replace("could not be unlocked", "was not unlocked");
    std::fs::write(root.join(f201), &t201).unwrap();
    // The manifest changes the type of a field and the symbol of 201.
    let text = std::fs::read_to_string(&man)
        .unwrap()
        .replace(
            "<data name=\"UserSid\" inType=\"win:SID\"/>\n            <data name=\"Method\"",
            "<data name=\"UserSid\" inType=\"win:UnicodeString\"/>\n            <data name=\"Method\"",
        )
        .replace("VAULT_UNLOCK_FAILED", "VAULT_NOT_UNLOCKED");
    std::fs::write(&man, text).unwrap();
    let r = import(root, std::slice::from_ref(&man));
    assert_eq!(r["fields_kept"], 3, "{r:#}");
    assert_eq!(read(root, map), edited_map, "an edited value map is kept");
    let now = read(root, file);
    assert!(now.contains("meaning: How the vault was unlocked."), "{now}");
    let now201 = read(root, f201);
    assert!(
        now201.contains("was not unlocked") && now201.contains("VAULT_NOT_UNLOCKED"),
        "{now201}"
    );
    check_strict(root);
}

#[test]
fn malformed_input_is_an_error_at_its_line_and_column() {
    let dir = site();
    let root = dir.path();
    let data = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unclosed.man",
            "<instrumentationManifest>\n  <instrumentation>\n</instrumentationManifest>\n",
            "unclosed.man:3:1",
            "malformed XML",
        ),
        (
            "strings.man",
            "<instrumentationManifest><instrumentation><events>\n<provider name=\"P\"><events>\n<event value=\"1\" message=\"$(string.Nope)\"/>\n</events></provider></events></instrumentation></instrumentationManifest>\n",
            "strings.man:3:27",
            "no string table has the string `Nope`",
        ),
        (
            "template.man",
            "<instrumentationManifest><instrumentation><events>\n<provider name=\"P\"><templates><template tid=\"T1\"/></templates><events>\n<event value=\"1\" template=\"T2\"/>\n</events></provider></events></instrumentation></instrumentationManifest>\n",
            "template.man:3:28",
            "there is no template `T2`",
        ),
        (
            "map.man",
            "<instrumentationManifest><instrumentation><events>\n<provider name=\"P\"><templates><template tid=\"T1\">\n  <data name=\"A\" inType=\"win:UInt32\" map=\"Missing\"/>\n</template></templates></provider></events></instrumentation></instrumentationManifest>\n",
            "map.man:3:43",
            "there is no map `Missing`",
        ),
        (
            "other.xml",
            "<Events/>\n",
            "other.xml:1:1",
            "neither an instrumentation manifest",
        ),
    ];
    for (name, text, at, message) in cases {
        let file = data.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = eventref(root)
            .args(["import", "manifest"])
            .arg(&file)
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains(at) && stderr.contains(message),
            "{name}: want {at} {message}:\n{stderr}"
        );
    }
    assert!(!root.join("content").exists(), "nothing was written");
}

/// XML-ish text: the names the readers look at, and arbitrary text.
fn xmlish() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "<instrumentationManifest>",
        "</instrumentationManifest>",
        "<instrumentation>",
        "<events>",
        "</events>",
        "<provider name=\"P\">",
        "</provider>",
        "<event value=\"1\" ",
        "version=\"300\" ",
        "template=\"T\" ",
        "message=\"$(string.X)\" ",
        "/>",
        ">",
        "<templates>",
        "<template tid=\"T\">",
        "<data name=\"A\" inType=\"win:UInt32\" map=\"M\"/>",
        "<maps><valueMap name=\"M\"><map value=\"0x1\" message=\"x\"/></valueMap></maps>",
        "<localization><resources culture=\"de-DE\"><stringTable><string id=\"X\" value=\"%1 %n %%\"/>",
        "<channels><channel name=\"C\" id=\"9\"/></channels>",
        "channel=\"9\" ",
        "keywords=\"0xFFFFFFFFFFFFFFFF\" ",
        "value=\"99999999999\" ",
        "&#13;",
        "&amp;",
        "\"",
        "'",
    ]);
    prop::collection::vec(prop_oneof![tokens.prop_map(str::to_string), ".{0,12}"], 0..60)
        .prop_map(|v| v.concat())
}

/// The budget: `PROPTEST_CASES` when set, else a short one.
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 64;
    }
    c
}

/// An attribute value: one the readers treat specially, or arbitrary text (escaped).
fn value() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "1",
        "0",
        "255",
        "256",
        "65535",
        "65536",
        "4294967295",
        "99999999999",
        "-1",
        "0x",
        "0xFFFFFFFFFFFFFFFF",
        "$(string.X)",
        "$(string.",
        "win:Error",
        "win:UInt32",
        "win:Bogus",
        "T",
        "M",
        "C",
        "P",
        "%1 %n %% %1!s! %0",
        "",
    ]);
    let escape = |t: String| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
    };
    prop_oneof![special.prop_map(str::to_string), ".{0,8}".prop_map(escape)]
}

/// Well-formed elements of a manifest or of wevtutil output, with random attributes.
fn element() -> impl Strategy<Value = String> {
    let v = value;
    prop_oneof![
        (v(), v(), v(), v(), v(), v(), v(), v()).prop_map(|(a, b, c, d, e, f, g, h)| format!(
            "<event value=\"{a}\" version=\"{b}\" level=\"{c}\" channel=\"{d}\" task=\"{e}\" opcode=\"{f}\" keywords=\"{g}\" template=\"{h}\" message=\"$(string.X)\"/>"
        )),
        (v(), v(), v()).prop_map(|(a, b, c)| format!("<event value=\"{a}\" message=\"{b}\"><template><data name=\"{c}\" inType=\"win:UInt32\" map=\"M\"/><struct name=\"S\"/></template></event>")),
        (v(), v(), v()).prop_map(|(a, b, c)| format!("<templates><template tid=\"{a}\"><data name=\"{b}\" inType=\"{c}\" map=\"{a}\"/></template></templates>")),
        (v(), v(), v()).prop_map(|(a, b, c)| format!("<maps><valueMap name=\"{a}\"><map value=\"{b}\" message=\"{c}\"/></valueMap><bitMap name=\"{c}\"><map value=\"{a}\"/></bitMap></maps>")),
        (v(), v()).prop_map(|(a, b)| format!("<channels><channel name=\"{a}\" id=\"{b}\" chid=\"{b}\"/><importChannel name=\"{b}\"/></channels>")),
        (v(), v()).prop_map(|(a, b)| format!("<levels><level name=\"{a}\" value=\"{b}\"/></levels><tasks><task name=\"{a}\" value=\"{b}\"/></tasks><opcodes><opcode name=\"{b}\" value=\"{a}\"/></opcodes><keywords><keyword name=\"{a}\" mask=\"{b}\"/></keywords>")),
    ]
}

/// A manifest or wevtutil document made of random well-formed elements, so
/// that the readers (not only the XML parser) see them.
fn document() -> impl Strategy<Value = String> {
    (prop::collection::vec(element(), 0..8), value(), value(), value(), any::<bool>()).prop_map(|(els, name, culture, text, wevtutil)| {
        let body = els.concat();
        if wevtutil {
            format!("<provider name=\"{name}\">{body}<events>{body}</events></provider>")
        } else {
            format!(
                "<instrumentationManifest><instrumentation><events><provider name=\"{name}\">{body}<events>{body}</events></provider></events></instrumentation>\
                 <localization><resources culture=\"{culture}\"><stringTable><string id=\"X\" value=\"{text}\"/></stringTable></resources></localization></instrumentationManifest>"
            )
        }
    })
}

/// A manifest that mostly imports: random events (IDs 0–4, versions 0–2) of
/// one template with random fields and a map, random message texts and cultures.
fn importable() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        prop::sample::select(vec!["%1", "%2 and %3", "%n", "%%", "{A}", "%1!s!", " "])
            .prop_map(str::to_string),
        ".{0,10}".prop_map(|t: String| t
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")),
    ];
    let texts = prop::collection::vec(text, 1..5).prop_map(|v| v.concat());
    let field = (
        prop::sample::select(vec!["A", "B", "C", "Logon_Type"]),
        prop::sample::select(vec!["win:UInt32", "win:UnicodeString", "win:HexInt32"]),
        any::<bool>(),
    )
        .prop_map(|(n, t, m)| {
            format!(
                "<data name=\"{n}\" inType=\"{t}\"{}/>",
                if m { " map=\"M\"" } else { "" }
            )
        });
    let event = (
        0u8..5,
        0u8..3,
        prop::sample::select(vec!["X", "Y"]),
        any::<bool>(),
        prop::sample::select(vec!["win:Error", "win:Informational", "win:LogAlways"]),
    )
        .prop_map(|(id, v, m, t, l)| {
            format!(
                "<event value=\"{id}\" version=\"{v}\" level=\"{l}\" message=\"$(string.{m})\"{}/>",
                if t { " template=\"T\"" } else { "" }
            )
        });
    let entry = (0u32..6, texts.clone()).prop_map(|(v, t)| format!("<map value=\"{v}\" message=\"{t}\"/>"));
    (
        prop::collection::vec(field, 0..4),
        prop::collection::vec(event, 1..6),
        prop::collection::vec(entry, 0..4),
        texts.clone(),
        texts,
        prop::sample::select(vec!["en-US", "de-DE", "ja-JP", "fr-FR", ""]),
    )
        .prop_map(|(fields, events, entries, x, y, culture)| {
            format!(
                "<instrumentationManifest><instrumentation><events><provider name=\"Contoso-Random\">\
                 <maps><bitMap name=\"M\">{}</bitMap></maps><templates><template tid=\"T\">{}</template></templates>\
                 <events>{}</events></provider></events></instrumentation><localization>\
                 <resources culture=\"en-US\"><stringTable><string id=\"X\" value=\"{x}\"/><string id=\"Y\" value=\"{y}\"/></stringTable></resources>\
                 <resources culture=\"{culture}\"><stringTable><string id=\"X\" value=\"{y}\"/></stringTable></resources>\
                 </localization></instrumentationManifest>",
                entries.concat(),
                fields.concat(),
                events.concat()
            )
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_xml_readers_never_panic(text in xmlish(), doc in document()) {
        let _ = eventref::import::manifest::parse(Path::new("x.man"), &text);
        let _ = eventref::import::manifest::parse(Path::new("x.man"), &doc);
    }

    #[test]
    fn what_an_import_writes_check_accepts(doc in prop_oneof![document(), importable()]) {
        let dir = site();
        let file = dir.path().join("random.man");
        std::fs::write(&file, &doc).unwrap();
        if let Ok(r) = eventref::import::manifest::import(dir.path(), &[file], false) {
            if std::env::var_os("SHOW_IMPORTS").is_some() {
                eprintln!("imported: {}", r.records.created);
            }
            let (ok, diags) = common::check(dir.path());
            prop_assert!(ok, "{doc}\n{}", diags.render(eventref::diagnostics::Format::Human, false));
        }
    }

    #[test]
    fn the_fixtures_cut_anywhere_never_panic(cut in 0usize..6000, len in 0usize..200, which in any::<bool>()) {
        let name = if which { "contoso-vault.man" } else { "Contoso-Sync.xml" };
        let full = std::fs::read_to_string(fixtures().join(name)).unwrap();
        let start = full.char_indices().map(|(i, _)| i).find(|i| *i >= cut.min(full.len())).unwrap_or(full.len());
        let end = full.char_indices().map(|(i, _)| i).find(|i| *i >= start + len).unwrap_or(full.len());
        let text = format!("{}{}", &full[..start], &full[end..]);
        let _ = eventref::import::manifest::parse(Path::new(name), &text);
    }
}
