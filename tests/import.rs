//! Importers: provider CSVs (the real Windows Server 2022 dataset when it is
//! present, and small fixtures) and Message Compiler files (fixtures written
//! for these tests), round-tripped through build and check; re-imports are
//! idempotent and never overwrite what a person edited.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use eventref::import::{self, Report};

fn fixtures() -> PathBuf {
    common::repo().join("tests/fixtures/import")
}

/// A temporary site with the import fixture's site.toml (en, de, ja) and no content.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixtures().join("site"), dir.path());
    dir
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn write(root: &Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).unwrap();
}

fn csv(root: &Path, inputs: &[PathBuf]) -> Report {
    import::csv::import(root, inputs, false).unwrap_or_else(|f| panic!("import failed:\n{f}"))
}

fn mc(root: &Path, inputs: &[PathBuf]) -> Report {
    import::mc::import(root, "Contoso-Backup", inputs, false)
        .unwrap_or_else(|f| panic!("import failed:\n{f}"))
}

/// Load, build and check: no errors (and return the warnings).
fn builds_and_checks(root: &Path) -> eventref::diagnostics::Diagnostics {
    let report = common::build_ok(root);
    let (ok, diags) = common::check(root);
    assert!(
        ok,
        "check failed:\n{}",
        diags.render(eventref::diagnostics::Format::Human, false)
    );
    assert_eq!(report.diagnostics.error_count(), 0);
    diags
}

fn skipped(c: &import::Counts, reason: &str) -> usize {
    c.skipped.get(reason).copied().unwrap_or(0)
}

/// The Windows event dataset, next to the repository.
fn dataset() -> Option<PathBuf> {
    let dir = common::repo().join("../shared/data/windows-events/W2022_21H2");
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!("SKIPPED: dataset not found at {}", dir.display());
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg} (required when CI=true)");
    }
    eprintln!("{msg}");
    None
}

#[test]
fn the_whole_windows_dataset_imports_builds_and_checks() {
    let Some(data) = dataset() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("site.toml"),
        "title = \"Windows events\"\nbase_url = \"https://events.example/\"\n[defaults]\nproduct = \"Windows Server\"\nproduct_version = \"2022\"\n",
    )
    .unwrap();

    let r = csv(root, std::slice::from_ref(&data));
    eprintln!("{}", r.to_text());
    assert_eq!(r.files, 60);
    assert_eq!(r.inputs, 2496);
    // Every row is accounted for.
    assert_eq!(r.records.total(), 2496);
    assert_eq!(r.records.created, 1766);
    assert_eq!(skipped(&r.records, import::csv::NO_MESSAGE), 664);
    // Older versions are in their event's `versions:`, not skipped.
    assert_eq!(r.records.merged, 66);
    assert_eq!(skipped(&r.records, import::csv::OLDER_VERSION), 0);
    assert_eq!(r.records.skipped_total(), 664);
    assert_eq!(r.written.len(), 1766);
    assert!(
        r.diagnostics.is_empty(),
        "{}",
        r.diagnostics.render(eventref::diagnostics::Format::Human, false)
    );

    let warnings = builds_and_checks(root);
    assert!(
        warnings.is_empty(),
        "{}",
        warnings.render(eventref::diagnostics::Format::Human, false)
    );
    let site = eventref::Site::load(root).unwrap();
    assert_eq!(site.content.events.len(), 1766);

    // Versions: the newest with a message on top, every version in `versions:`.
    let k = read(root, "content/microsoft-windows-kernel-general/1.yaml");
    assert!(k.contains("Process: '{ProcessName}' (PID {ProcessID})."), "{k}");
    assert!(
        k.contains("versions:\n  - version: 0\n    message: ") && k.contains("  - version: 2\n"),
        "{k}"
    );
    assert!(k.contains("category: \"SystemTimeChange\""), "{k}");
    // docs/authoring.md shows this very file.
    let guide = std::fs::read_to_string(common::repo().join("docs/authoring.md")).unwrap();
    let start = guide
        .find("  # imported from W2022_21H2/Microsoft-Windows-Kernel-General.csv")
        .expect("example in the guide");
    let block_start = guide[..start].rfind("```yaml\n").unwrap() + "```yaml\n".len();
    let block_end = block_start + guide[block_start..].find("  ```").unwrap();
    let example: String = guide[block_start..block_end]
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect();
    assert_eq!(example, k, "the guide's example differs from the import");
    // 32-bit message IDs: the low 16 bits, qualifiers in a note.
    let legacy = read(
        root,
        "content/microsoft-windows-certificateservicesclient-certenroll/6.yaml",
    );
    assert!(legacy.contains("message ID 3260678150 = 0xC25A0006"), "{legacy}");
    // A Level that is not an eventref level.
    let ssh = read(root, "content/openssh/6.yaml");
    assert!(
        !ssh.contains("\nlevel:") && ssh.contains("level \"Debug\""),
        "{ssh}"
    );
    // Tabs in messages survive the YAML round trip.
    let e = site
        .content
        .events
        .iter()
        .find(|e| e.source == "Microsoft-Windows-Crypto-DPAPI" && e.id == 1)
        .unwrap();
    assert_eq!(
        e.message,
        "DPAPI created Master key. \tGUID:\t{MasterKeyGUID} \tUser Storage Area:\t{UserStorage}"
    );

    // Re-importing changes nothing.
    let before = common::tree(&root.join("content"));
    let again = csv(root, std::slice::from_ref(&data));
    assert_eq!(again.records.unchanged, 1766);
    assert_eq!(again.records.created + again.records.updated, 0);
    assert_eq!(again.records.total(), 2496);
    assert_eq!(common::tree(&root.join("content")), before);
}

#[test]
fn the_dataset_next_to_hand_written_records() {
    let Some(data) = dataset() else { return };
    // The flagship site: its records of the dataset's events are hand-written.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::copy(common::repo().join("site.toml"), root.join("site.toml")).unwrap();
    common::copy_dir(&common::repo().join("content"), &root.join("content"));
    let before = common::tree(&root.join("content"));
    let r = csv(root, std::slice::from_ref(&data));
    assert_eq!(r.records.total(), 2496);
    let hand = skipped(&r.records, "hand-written record");
    assert!(hand >= 30, "{}", r.to_text());
    // Rows: a record created (its older versions merged), or skipped with the hand-written record.
    assert_eq!(r.records.created + r.records.merged + hand, 1766 + 66);
    assert!(
        r.records.created < 1766 && r.records.merged < 66,
        "{}",
        r.to_text()
    );
    // No hand-written file changed; new records sit next to the source's others.
    let after = common::tree(&root.join("content"));
    for (path, bytes) in &before {
        let now = after.iter().find(|(p, _)| p == path).map(|(_, b)| b);
        assert_eq!(now, Some(bytes), "{path} changed");
    }
    assert!(root.join("content/windows/ntfs/131.yaml").is_file());
    builds_and_checks(root);
}

#[test]
fn csv_versions_are_kept_kernel_boot_238() {
    let Some(data) = dataset() else { return };
    let dir = site();
    let root = dir.path();
    let r = csv(
        root,
        &[
            data.join("Microsoft-Windows-Kernel-Boot.csv"),
            data.join("OpenSSH.csv"),
        ],
    );
    assert!(r.records.merged >= 1, "{}", r.to_text());
    let rec = read(root, "content/microsoft-windows-kernel-boot/238.yaml");
    assert!(
        rec.contains("message: \"EFI time zone bias: {EfiTimeZoneBias}. Daylight flags: {EfiDaylightFlags}. Firmware time: {EfiTime}.\"\n"),
        "{rec}"
    );
    assert!(
        rec.contains("versions:\n  - version: 0\n    message: \"EFI time zone bias: {EfiTimeZoneBias}. Daylight flags: {EfiDaylightFlags}.\"\n  - version: 1\n"),
        "{rec}"
    );
    eventref()
        .current_dir(root)
        .args(["check", "--strict"])
        .assert()
        .success();
    common::build_ok(root);
    let p = common::page(root, "en/microsoft-windows-kernel-boot/238/index.html");
    assert_eq!(common::texts(&p, "table.versions tbody th"), ["1 (current)", "0"]);
    // Issue 16: version 0's shorter text found OpenSSH 1 when only version 1 was known.
    let out = eventref()
        .current_dir(root)
        .args([
            "lookup",
            "--format",
            "json",
            "EFI time zone bias: 60. Daylight flags: 0.",
        ])
        .assert()
        .success();
    let found: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (&found[0]["source"], &found[0]["id"]),
        (
            &serde_json::json!("Microsoft-Windows-Kernel-Boot"),
            &serde_json::json!(238)
        ),
        "{found:#}"
    );
}

#[test]
fn records_of_an_earlier_import_get_their_versions() {
    let dir = site();
    let root = dir.path();
    csv(root, &[csv_fixture()]);
    // What an import wrote before versions were kept: the newest version and a note.
    let rel = "content/contoso-agent/1.yaml";
    let now = read(root, rel);
    let start = now.find("versions:\n").expect("versions written");
    let end = start + now[start..].find("\ntask:").expect("task after versions") + 1;
    let hash = now.find(" versions=").unwrap();
    let old = format!(
        "{}{}{}",
        &now[..hash],
        &now[hash + " versions=12345678".len()..start],
        &now[end..]
    )
    .replace(
        "# import-hash:",
        "# import-note: versions 0, 1 in the source; this record has version 1, the newest with a message\n# import-hash:",
    );
    write(root, rel, &old);
    let r = csv(root, &[csv_fixture()]);
    assert_eq!((r.records.updated, r.fields_kept), (1, 0), "{}", r.to_text());
    assert_eq!(
        read(root, rel),
        now,
        "the versions are added and the old note goes"
    );
}

#[test]
fn control_characters_in_keywords_and_older_versions_refuse_the_event() {
    let dir = site();
    let root = dir.path();
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("Contoso-X.csv");
    std::fs::write(
        &file,
        "Provider|Level|Event ID|Version|Channel|Task|Opcode|Keyword|Message\n\
         Contoso-X|Error|1|0|System|||Bad\u{1}keyword|Hello.\n\
         Contoso-X|Error|2|0|System||||Old\u{1}text.\n\
         Contoso-X|Error|2|1|System||||New text.\n\
         Contoso-X|Error|3|0|System|||Fine|Fine.\n",
    )
    .unwrap();
    let r = csv(root, &[file]);
    assert_eq!(r.records.created, 1, "{}", r.to_text());
    assert_eq!(skipped(&r.records, import::REFUSED), 3, "{}", r.to_text());
    assert_eq!(r.diagnostics.error_count(), 2);
    assert!(!root.join("content/contoso-x/1.yaml").exists());
    assert!(!root.join("content/contoso-x/2.yaml").exists());
}

fn csv_fixture() -> PathBuf {
    fixtures().join("csv/W2022_21H2")
}

#[test]
fn csv_rows_are_all_accounted_for() {
    let dir = site();
    let root = dir.path();
    let r = csv(root, &[csv_fixture()]);
    assert_eq!((r.files, r.inputs), (2, 9));
    assert_eq!(r.records.created, 6);
    assert_eq!(r.records.merged, 1);
    assert_eq!(skipped(&r.records, import::csv::NO_MESSAGE), 2);
    assert_eq!(r.records.total(), 9);
    let agent = read(root, "content/contoso-agent/1.yaml");
    assert!(agent.starts_with(
        "# yaml-language-server: $schema=../../schemas/record.schema.json\n# imported from W2022_21H2/Contoso-Agent.csv (eventref import csv)\n"
    ));
    assert!(agent.contains("message: \"The agent {AgentVersion} started on {ComputerName}.\""));
    assert!(read(root, "content/contoso-agent/2.yaml").contains("{Server} | error {ErrorCode}."));
    assert!(read(root, "content/contoso-agent/1015.yaml").contains("0xC00003F7"));
    assert!(read(root, "content/contoso-sync/10.yaml").contains("level: \"warning\""));
    assert!(read(root, "content/contoso-sync/11.yaml").contains("level: \"critical\""));
    builds_and_checks(root);
}

#[test]
fn re_imports_keep_what_people_edited() {
    let dir = site();
    let root = dir.path();
    let data = tempfile::tempdir().unwrap();
    let input = data.path().join("W2022_21H2");
    common::copy_dir(&csv_fixture(), &input);
    csv(root, std::slice::from_ref(&input));

    // A person writes the article, rewords the message, and removes the channel.
    let rel = "content/contoso-agent/1.yaml";
    let text = read(root, rel)
        .replace(
            "message: \"The agent {AgentVersion} started on {ComputerName}.\"",
            "message: \"The Contoso agent {AgentVersion} started on {ComputerName}.\"",
        )
        .replace("channel: \"Contoso-Agent/Operational\"\n", "")
        + "explanation: |\n  The agent logs this at every start.\n# a comment of the author\n";
    write(root, rel, &text);
    // Another record is left as imported.
    let untouched = read(root, "content/contoso-agent/2.yaml");

    // The source changes: new messages, levels and tasks.
    let agent = input.join("Contoso-Agent.csv");
    let new = std::fs::read_to_string(&agent)
        .unwrap()
        .replace(
            "started on {ComputerName}.",
            "started on {ComputerName} ({Edition}).",
        )
        .replace("|Startup|", "|Boot|")
        .replace(
            "Contoso-Agent|Error|2|0|System||||The agent could not reach",
            "Contoso-Agent|Critical|2|0|System||||The agent cannot reach",
        );
    std::fs::write(&agent, new).unwrap();
    let r = csv(root, std::slice::from_ref(&input));
    assert_eq!(r.records.updated, 2, "{}", r.to_text());
    assert_eq!(r.records.unchanged, 4);
    assert_eq!(r.fields_kept, 2, "message and channel were edited");

    let after = read(root, rel);
    // Kept: the reworded message, the removed channel, the article, the comment.
    assert!(
        after.contains("message: \"The Contoso agent {AgentVersion} started on {ComputerName}.\""),
        "{after}"
    );
    assert!(!after.contains("channel:"), "{after}");
    assert!(
        after.contains("explanation: |\n  The agent logs this at every start.\n# a comment of the author\n"),
        "{after}"
    );
    // Updated: the category nobody touched.
    assert!(after.contains("category: \"Boot\""), "{after}");
    // The untouched record follows the source.
    let two = read(root, "content/contoso-agent/2.yaml");
    assert_ne!(two, untouched);
    assert!(
        two.contains("The agent cannot reach") && two.contains("level: \"critical\""),
        "{two}"
    );

    // Idempotent from here on.
    let before = common::tree(&root.join("content"));
    let r = csv(root, std::slice::from_ref(&input));
    assert_eq!(r.records.unchanged, 6);
    assert_eq!(common::tree(&root.join("content")), before);

    // Putting the imported value back gives the field back to the importer.
    let text = read(root, rel).replace(
        "The Contoso agent {AgentVersion} started on {ComputerName}.",
        "The agent {AgentVersion} started on {ComputerName} ({Edition}).",
    );
    write(root, rel, &text);
    let r = csv(root, std::slice::from_ref(&input));
    assert_eq!(r.fields_kept, 1, "only the channel is still a person's");
    builds_and_checks(root);
}

#[test]
fn hand_written_records_are_left_alone_unless_they_opt_in() {
    let dir = site();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/agent")).unwrap();
    let hand = "source: Contoso-Agent\nid: 1\nmessage: \"Written by hand.\"\n";
    write(root, "content/agent/one.yaml", hand);
    let r = csv(root, &[csv_fixture()]);
    // Both rows (versions 0 and 1) of the event are skipped with its record.
    assert_eq!(skipped(&r.records, "hand-written record"), 2);
    assert_eq!(read(root, "content/agent/one.yaml"), hand);
    // New records of the source go into the folder it already uses.
    assert!(root.join("content/agent/2.yaml").is_file());

    // Opting in: the importer fills in what is missing and keeps the rest.
    write(
        root,
        "content/agent/one.yaml",
        &format!("# imported from anywhere\n{hand}"),
    );
    let r = csv(root, &[csv_fixture()]);
    assert_eq!(r.records.updated, 1);
    assert_eq!(r.fields_kept, 1);
    let one = read(root, "content/agent/one.yaml");
    assert!(one.contains("message: \"Written by hand.\"\ncategory: \"Startup\"\nlevel: \"information\"\nchannel: \"Contoso-Agent/Operational\"\n"), "{one}");
    assert!(one.starts_with("# yaml-language-server: $schema=../../schemas/record.schema.json\n# imported from W2022_21H2/Contoso-Agent.csv"), "{one}");
    builds_and_checks(root);
}

fn mc_fixtures() -> PathBuf {
    fixtures().join("mc")
}

#[test]
fn message_compiler_files_round_trip() {
    let dir = site();
    let root = dir.path();
    let r = mc(root, &[mc_fixtures()]);
    assert_eq!((r.files, r.inputs), (2, 8));
    assert_eq!(r.records.created, 7);
    assert_eq!(skipped(&r.records, import::mc::NO_DEFAULT_TEXT), 1);
    assert_eq!(r.records.total(), 8);
    let t = r.translations.as_ref().unwrap();
    assert_eq!(t.created, 4, "de for 1000, 1001, 1002; ja for 1000");
    assert_eq!(skipped(t, "language not configured in site.toml"), 1);
    assert_eq!(skipped(t, import::mc::UNKNOWN_LANGUAGE), 1);
    assert_eq!(skipped(t, "insertion strings differ from the record's"), 1);
    assert_eq!(skipped(t, import::mc::NO_DEFAULT_TEXT), 1);
    let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["import-language", "mc-language", "import-inserts"]);

    let site = eventref::Site::load(root).unwrap();
    let ev = |id: u16| site.content.events.iter().find(|e| e.id == id).unwrap();
    let started = ev(1000);
    assert_eq!(started.message, "The backup of volume %1 started at %2.");
    assert_eq!(started.symbolic_name.as_deref(), Some("MSG_BACKUP_STARTED"));
    assert_eq!(started.category.as_deref(), Some("Backup"));
    assert_eq!(started.level.map(|l| l.as_str()), Some("information"));
    assert_eq!(
        started.translations["de"].message.as_deref(),
        Some("Die Sicherung des Volumes %1 wurde um %2 gestartet.")
    );
    assert_eq!(
        started.translations["ja"].message.as_deref(),
        Some("ボリューム %1 のバックアップが %2 に開始されました。")
    );
    // Imported translations are current, not stale.
    assert!(!started.translations["de"].is_stale(started, eventref::content::Field::Message));
    assert_eq!(
        ev(1001).message,
        "The backup of volume %1 failed.\n\nError code: %2 (%%4021 describes the code).\n100% of the retries were used."
    );
    assert_eq!(ev(1001).level.map(|l| l.as_str()), Some("error"));
    assert_eq!(ev(1002).message, "Skipped: %1\tReason: %2!\n.");
    assert_eq!(
        ev(1002).level.map(|l| l.as_str()),
        Some("error"),
        "severity carries over"
    );
    assert_eq!(ev(2000).category.as_deref(), Some("Restore"));
    assert_eq!(ev(2001).symbolic_name.as_deref(), Some("MSG_RESTORE_DONE"));
    assert!(ev(2001).translations.is_empty());
    assert_eq!(ev(3000).level.map(|l| l.as_str()), Some("information"));
    assert_eq!(
        ev(8).message,
        "Agent configuration %1 loaded.",
        "MessageID=010 is octal"
    );
    assert!(ev(8).category.is_none());
    drop(site);
    builds_and_checks(root);
    let loaded = eventref::Site::load(root).unwrap();
    let status = eventref::i18n::status(&loaded.config, &loaded.content.events, Some("de"));
    assert_eq!(status[0].stale, 0);

    // Idempotent.
    let before = common::tree(&root.join("content"));
    let again = mc(root, &[mc_fixtures()]);
    assert_eq!(again.records.unchanged, 7);
    assert_eq!(again.translations.as_ref().unwrap().unchanged, 4);
    assert_eq!(common::tree(&root.join("content")), before);
}

#[test]
fn message_compiler_re_imports_keep_edited_translations() {
    let dir = site();
    let root = dir.path();
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("contoso-backup.mc");
    std::fs::copy(mc_fixtures().join("contoso-backup.mc"), &file).unwrap();
    mc(root, std::slice::from_ref(&file));

    // A translator improves the German of 1000; 1001's German stays as imported.
    let de = "content/contoso-backup/1000.de.yaml";
    let text = read(root, de).replace(
        "Die Sicherung des Volumes %1 wurde um %2 gestartet.",
        "Die Sicherung von Volume %1 hat um %2 begonnen.",
    );
    write(root, de, &text);

    // The .mc changes the English and German of both messages.
    let src = std::fs::read_to_string(&file)
        .unwrap()
        .replace(
            "The backup of volume %1 started at %2!s!.",
            "Backup of volume %1 started at %2!s!.",
        )
        .replace(
            "Die Sicherung des Volumes %1 wurde um %2!s! gestartet.",
            "Sicherung von %1 gestartet um %2!s!.",
        )
        .replace("The backup of volume %1 failed.", "Backup of volume %1 failed.")
        .replace(
            "Die Sicherung des Volumes %1 ist fehlgeschlagen.",
            "Sicherung von %1 fehlgeschlagen.",
        );
    std::fs::write(&file, src).unwrap();
    let r = mc(root, std::slice::from_ref(&file));
    assert_eq!(r.records.updated, 2);
    let t = r.translations.unwrap();
    assert_eq!(
        (t.updated, t.unchanged),
        (2, 2),
        "1000.ja and 1001.de follow; 1000.de is the translator's, 1002.de did not change"
    );
    assert_eq!(r.fields_kept, 1);

    let kept = read(root, de);
    assert!(
        kept.contains("Die Sicherung von Volume %1 hat um %2 begonnen."),
        "{kept}"
    );
    let site = eventref::Site::load(root).unwrap();
    let e1000 = site.content.events.iter().find(|e| e.id == 1000).unwrap();
    let e1001 = site.content.events.iter().find(|e| e.id == 1001).unwrap();
    use eventref::content::Field;
    // The translator's text was made from the old English: now stale, as it should be.
    assert!(e1000.translations["de"].is_stale(e1000, Field::Message));
    // The imported ones follow the new English and are current.
    assert!(!e1000.translations["ja"].is_stale(e1000, Field::Message));
    assert!(!e1001.translations["de"].is_stale(e1001, Field::Message));
    assert!(
        e1001.translations["de"]
            .message
            .as_deref()
            .unwrap()
            .starts_with("Sicherung von %1 fehlgeschlagen.")
    );
    builds_and_checks(root);
}

#[test]
fn utf16_files_with_a_byte_order_mark() {
    let dir = site();
    let root = dir.path();
    let data = tempfile::tempdir().unwrap();
    let text = "LanguageNames=(German=0x407:MSG00407)\r\nMessageId=7\r\nLanguage=English\r\nUTF-16 works: %1.\r\n.\r\nLanguage=German\r\nUTF-16 geht: %1.\r\n.\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let file = data.path().join("u16.mc");
    std::fs::write(&file, bytes).unwrap();
    let r = mc(root, &[file]);
    assert_eq!(r.records.created, 1);
    assert_eq!(
        read(root, "content/contoso-backup/7.de.yaml").lines().nth(3),
        Some("message: \"UTF-16 geht: %1.\"")
    );
    builds_and_checks(root);
}

fn eventref() -> Command {
    Command::cargo_bin("eventref").unwrap()
}

#[test]
fn syntax_errors_write_nothing() {
    let dir = site();
    let root = dir.path();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("bad.mc"),
        "MessageId=1\nSeverity=Eror\nLanguage=English\nText.\n.\nMessageId=2\nLanguage=Englsh\nText.\n.\n",
    )
    .unwrap();
    std::fs::copy(
        mc_fixtures().join("contoso-agent.mc"),
        data.path().join("good.mc"),
    )
    .unwrap();
    let out = eventref()
        .current_dir(root)
        .args(["import", "mc", "--source", "Contoso-Backup"])
        .arg(data.path())
        .env("NO_COLOR", "1")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("unknown severity name `Eror`") && stderr.contains("did you mean `Error`?"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.mc:2:10"), "{stderr}");
    assert!(
        stderr.contains("unknown language name `Englsh`") && stderr.contains("bad.mc:7:10"),
        "{stderr}"
    );
    assert!(!root.join("content").exists(), "nothing was written");

    // A CSV that is not a provider CSV.
    std::fs::write(data.path().join("x.csv"), "Name,Id\nfoo,1\n").unwrap();
    let out = eventref()
        .current_dir(root)
        .args(["import", "csv"])
        .arg(data.path().join("x.csv"))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("is not a provider CSV"), "{stderr}");

    // --source is required for .mc files; a missing input is a usage error.
    eventref()
        .current_dir(root)
        .args(["import", "mc"])
        .arg(data.path().join("good.mc"))
        .assert()
        .code(2);
    eventref()
        .current_dir(root)
        .args(["import", "csv", "no-such-file.csv"])
        .assert()
        .code(2);
    assert!(!root.join("content").exists());
}

#[test]
fn an_unreadable_record_stops_the_import() {
    let dir = site();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/x")).unwrap();
    write(root, "content/x/broken.yaml", "source: [unclosed\n");
    let f = import::csv::import(root, &[csv_fixture()], false).unwrap_err();
    assert_eq!(f.exit_code(), 1);
    assert!(f.to_string().contains("content/x/broken.yaml"), "{f}");
    assert_eq!(
        std::fs::read_dir(root.join("content")).unwrap().count(),
        1,
        "nothing written"
    );
}

#[test]
fn dry_runs_and_json_reports() {
    let dir = site();
    let root = dir.path();
    let out = eventref()
        .current_dir(root)
        .args(["import", "csv", "--dry-run", "--format", "json"])
        .arg(csv_fixture())
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["inputs"], 9);
    assert_eq!(json["records"]["created"], 6);
    assert_eq!(json["records"]["skipped"]["no message"], 2);
    assert_eq!(json["written"].as_array().unwrap().len(), 6);
    assert_eq!(json["warnings"], serde_json::json!([]));
    assert!(!root.join("content").exists());

    let out = eventref()
        .current_dir(root)
        .args(["import", "mc", "--source", "Contoso-Backup", "--format", "json"])
        .arg(mc_fixtures())
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["translations"]["created"], 4);
    assert_eq!(json["warnings"].as_array().unwrap().len(), 3);
    assert_eq!(
        json["warnings"][0]["file"]
            .as_str()
            .map(|f| f.ends_with("contoso-backup.mc")),
        Some(true)
    );

    // The human report.
    let out = eventref()
        .current_dir(root)
        .args(["import", "mc", "--source", "Contoso-Backup"])
        .arg(mc_fixtures())
        .env("NO_COLOR", "1")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout
            .starts_with("Imported 2 .mc files, 8 messages\n  records (8 messages)\n    created         0\n"),
        "{stdout}"
    );
    assert!(stdout.contains("    unchanged       7\n"), "{stdout}");
}
