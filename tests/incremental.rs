//! The incremental `eventref build` (issue 17): a build that starts from the
//! state the last build left beside the output folder must write exactly
//! what a full build of the same files writes, after any sequence of edits;
//! a one-record edit must render only a handful of pages; `--force`, a
//! foreign or damaged state, and a folder someone else built into must give
//! a full build.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_same_tree, tree};
use eventref::config::Config;
use eventref::site::BuildOutcome;
use eventref::{BuildOptions, BuildReport};
use proptest::prelude::*;

/// A small two-language site whose records the edits below change.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
    /// Records added by the test (removable: nothing refers to them).
    extra: Vec<u16>,
    title: u32,
}

const CATEGORIES: [&str; 3] = ["Logon", "Disk", "Network"];
const LEVELS: [&str; 3] = ["error", "warning", "information"];

fn record(source: &str, id: u16, message: &str, category: &str, level: &str, explanation: &str) -> String {
    format!(
        "source: {source}\nid: {id}\nsymbolic_name: Event{id}Name\nmessage: \"{message} %1.\"\ncategory: {category}\nlevel: {level}\n\
         parameters:\n  \"%1\": The thing\nexplanation: |\n  {explanation}\nlast_modified: 2024-01-0{}\n",
        id % 9 + 1
    )
}

fn overlay(message: &str, explanation: &str) -> String {
    format!("message: \"{message} %1.\"\nexplanation: {explanation}\ncategory: Kategorie\n")
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let out = dir.path().join("public");
        let site = Site {
            _dir: dir,
            root,
            out,
            extra: Vec::new(),
            title: 0,
        };
        site.write_config();
        for (i, (source, id)) in FIXED.iter().enumerate() {
            let related = if i == 0 { "related: [Beta/10]\n" } else { "" };
            let text = record(
                source,
                *id,
                "Something happened",
                CATEGORIES[i % 3],
                LEVELS[i % 3],
                "Why.",
            );
            site.write(&path_of(source, *id), &format!("{text}{related}"));
        }
        site.write("content/alpha/1.de.yaml", &overlay("Etwas geschah", "Warum."));
        site.write("content/beta/10.de.yaml", &overlay("Etwas anderes", "Darum."));
        site
    }

    fn write_config(&self) {
        let toml = format!(
            "title = \"Incremental {}\"\nbase_url = \"https://inc.example.org/\"\ndefault_language = \"en\"\n\n\
             [languages.en]\nname = \"English\"\n\n[languages.de]\nname = \"Deutsch\"\n",
            self.title
        );
        self.write("site.toml", &toml);
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn edit(&self, rel: &str, f: impl FnOnce(&str) -> String) {
        let p = self.root.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(p, f(&text)).unwrap();
    }

    /// `eventref build --no-search` into the site's output folder.
    fn build(&self, force: bool) -> BuildReport {
        build_into(&self.root, &self.out, force).expect("the build was skipped although the inputs changed")
    }

    /// The output equals a full `--force` build of the same files into another folder.
    fn assert_matches_full_build(&self, what: &str) {
        let fresh = self.root.parent().unwrap().join("fresh");
        let _ = std::fs::remove_dir_all(&fresh);
        let r = build_into(&self.root, &fresh, true).unwrap();
        assert!(!r.incremental);
        assert_same_tree(&self.out, &fresh, "incremental", what);
    }
}

/// The records that stay (the edits change them but never remove them).
const FIXED: [(&str, u16); 5] = [
    ("Alpha", 1),
    ("Alpha", 2),
    ("Alpha", 3),
    ("Beta", 10),
    ("Beta", 11),
];

fn path_of(source: &str, id: u16) -> String {
    format!("content/{}/{id}.yaml", source.to_lowercase())
}

/// The build's report, `None` when it found the folder up to date.
fn build_into(root: &Path, out: &Path, force: bool) -> Option<BuildReport> {
    let config = Config::load(root).unwrap();
    let opts = BuildOptions {
        output: Some(out.to_path_buf()),
        search: false,
        force,
        ..Default::default()
    };
    match eventref::Site::build_if_changed(config, &opts) {
        Ok(BuildOutcome::Built(r)) => Some(r),
        Ok(BuildOutcome::UpToDate { .. }) => None,
        Err(f) => panic!("build failed:\n{f}"),
    }
}

/// One edit of the site.
#[derive(Debug, Clone)]
enum Edit {
    Message(usize, u8),
    Name(usize, u8),
    Explanation(usize, u8),
    Level(usize, usize),
    Category(usize, usize),
    Overlay(bool, u8),
    Add(u8),
    Remove,
    Config,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..FIXED.len(), any::<u8>()).prop_map(|(i, n)| Edit::Message(i, n)),
        (0..FIXED.len(), any::<u8>()).prop_map(|(i, n)| Edit::Name(i, n)),
        (0..FIXED.len(), any::<u8>()).prop_map(|(i, n)| Edit::Explanation(i, n)),
        (0..FIXED.len(), 0..LEVELS.len()).prop_map(|(i, l)| Edit::Level(i, l)),
        (0..FIXED.len(), 0..CATEGORIES.len()).prop_map(|(i, c)| Edit::Category(i, c)),
        (any::<bool>(), any::<u8>()).prop_map(|(b, n)| Edit::Overlay(b, n)),
        any::<u8>().prop_map(Edit::Add),
        any::<u8>().prop_map(Edit::Add),
        Just(Edit::Remove),
        Just(Edit::Config),
    ]
}

impl Site {
    /// Apply `e`; returns whether a correct incremental build must be incremental.
    fn apply(&mut self, e: &Edit) -> bool {
        fn line(key: &'static str, value: String) -> impl FnOnce(&str) -> String {
            move |t: &str| {
                t.lines()
                    .map(|l| {
                        if l.starts_with(key) {
                            value.clone()
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n"
            }
        }
        match e {
            Edit::Message(i, n) => {
                let (s, id) = FIXED[*i];
                self.edit(
                    &path_of(s, id),
                    line("message:", format!("message: \"Edit {n} of %1.\"")),
                );
                false
            }
            Edit::Name(i, n) => {
                let (s, id) = FIXED[*i];
                self.edit(
                    &path_of(s, id),
                    line("symbolic_name:", format!("symbolic_name: Renamed{n}")),
                );
                false
            }
            Edit::Explanation(i, n) => {
                let (s, id) = FIXED[*i];
                self.edit(&path_of(s, id), |t| {
                    t.replacen("explanation: |\n", &format!("explanation: |\n  Edit {n}.\n"), 1)
                });
                true
            }
            Edit::Level(i, l) => {
                let (s, id) = FIXED[*i];
                self.edit(&path_of(s, id), line("level:", format!("level: {}", LEVELS[*l])));
                false
            }
            Edit::Category(i, c) => {
                let (s, id) = FIXED[*i];
                self.edit(
                    &path_of(s, id),
                    line("category:", format!("category: {}", CATEGORIES[*c])),
                );
                false
            }
            Edit::Overlay(alpha, n) => {
                let rel = if *alpha {
                    "content/alpha/1.de.yaml"
                } else {
                    "content/beta/10.de.yaml"
                };
                self.edit(
                    rel,
                    line("explanation:", format!("explanation: Bearbeitung {n}.")),
                );
                true
            }
            Edit::Add(n) => {
                let id = 20 + u16::from(*n % 40);
                if !self.extra.contains(&id) {
                    self.extra.push(id);
                    let text = record(
                        "Beta",
                        id,
                        "Added",
                        CATEGORIES[usize::from(*n) % 3],
                        "error",
                        "New.",
                    );
                    self.write(&path_of("Beta", id), &text);
                }
                false
            }
            Edit::Remove => {
                if let Some(id) = self.extra.pop() {
                    std::fs::remove_file(self.root.join(path_of("Beta", id))).unwrap();
                }
                false
            }
            Edit::Config => {
                self.title += 1;
                self.write_config();
                false
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_edits_builds_what_a_full_build_builds(edits in proptest::collection::vec(edit(), 1..9)) {
        let mut site = Site::new();
        let first = site.build(false);
        prop_assert!(!first.incremental);
        for (n, e) in edits.iter().enumerate() {
            let must = site.apply(e);
            // `None`: the edit changed nothing (the folder is up to date).
            let r = build_into(&site.root, &site.out, false);
            site.assert_matches_full_build(&format!("edit {n}: {e:?}"));
            eprintln!("STEP {e:?} {:?}", r.as_ref().map(|r| (r.incremental, r.pages)));
            if must && let Some(r) = r {
                prop_assert!(r.incremental, "edit {n} ({e:?}) was built in full");
            }
        }
    }
}

#[test]
fn an_explanation_edit_renders_only_its_pages() {
    let site = Site::new();
    site.build(false);
    site.edit(&path_of("Alpha", 2), |t| t.replacen("Why.", "Why not.", 1));
    let r = site.build(false);
    assert!(r.incremental, "{r:?}");
    // The event's page in two languages (the JSON export and feeds are data files).
    assert_eq!(r.pages, 2, "{r:?}");
    assert!(r.write.written <= 8, "{r:?}");
    site.assert_matches_full_build("an explanation edit");
    // The state is in place beside the folder, with no temporary file left.
    let beside: Vec<String> = std::fs::read_dir(site.out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect();
    assert!(
        beside.contains(&".public.eventref-state".to_string()),
        "{beside:?}"
    );
    assert!(!beside.iter().any(|n| n.ends_with(".tmp")), "{beside:?}");
}

/// A message edit rewrites the lookup tables in part (the key shards of the
/// event's keys). When it shrinks the messages' total size past a power of two,
/// the site needs fewer template shards: the ones it no longer has are
/// dropped, as a full build would not write them.
#[test]
fn a_message_edit_that_needs_fewer_template_shards_drops_the_others() {
    let site = Site::new();
    for id in 100..130 {
        site.write(
            &path_of("Beta", id),
            &record("Beta", id, "Short", "Disk", "error", "Why."),
        );
    }
    let long = format!("Long {}", "word ".repeat(2000));
    site.write(
        &path_of("Beta", 200),
        &record("Beta", 200, &long, "Disk", "error", "Why."),
    );
    site.build(false);
    let shards = |site: &Site| std::fs::read_dir(site.out.join("en/lookup/t")).unwrap().count();
    assert!(
        shards(&site) > 1,
        "the long message spreads the templates over several shards"
    );
    site.edit(&path_of("Beta", 200), |t| t.replace(&long, "Now short"));
    let r = site.build(false);
    assert!(r.incremental, "a message edit is built incrementally");
    assert_eq!(shards(&site), 1);
    site.assert_matches_full_build("shortened message");
    // And back: more shards again.
    site.edit(&path_of("Beta", 200), |t| t.replace("Now short", &long));
    assert!(site.build(false).incremental);
    assert!(shards(&site) > 1);
    site.assert_matches_full_build("long message again");
}

/// After a message edit only the template shards whose templates change are
/// written: the edited template's shards before and after, and those of any
/// template the edit makes file under another key. Here the edit makes the
/// key `zed quagga` common, so the template `Zed quagga vim` is filed under
/// `quagga vim` instead, in another shard: missing that move would leave it
/// in both shards (or in neither), unlike a full build.
#[test]
fn a_message_edit_moves_the_templates_whose_rarest_key_it_changes() {
    let site = Site::new();
    // Three hundred templates, each filed under its own pair of words: the
    // templates are spread over sixteen shards.
    for id in 100..400 {
        let message = format!("Unique{id} thing{id} happened here");
        site.write(
            &path_of("Beta", id),
            &record("Beta", id, &message, "Disk", "error", "Why."),
        );
    }
    site.write(
        &path_of("Beta", 50),
        &record("Beta", 50, "Zed quagga vim", "Disk", "error", "Why."),
    );
    site.write(
        &path_of("Beta", 51),
        &record("Beta", 51, "Quagga vim other", "Disk", "error", "Why."),
    );
    site.build(false);
    let shards = |site: &Site| std::fs::read_dir(site.out.join("en/lookup/t")).unwrap().count();
    assert_eq!(shards(&site), 16);
    // The shard file the template is in.
    let filed = |site: &Site, text: &str| -> Vec<String> {
        let mut hits: Vec<String> = std::fs::read_dir(site.out.join("en/lookup/t"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| std::fs::read_to_string(p).unwrap().contains(text))
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        hits.sort();
        hits
    };
    let before = filed(&site, "Zed quagga vim");
    assert_eq!(before.len(), 1);
    site.edit(&path_of("Alpha", 2), |t| {
        t.replace("Something happened", "Zed quagga now")
    });
    let r = site.build(false);
    assert!(r.incremental, "a message edit is built incrementally");
    assert_eq!(shards(&site), 16);
    let after = filed(&site, "Zed quagga vim");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(before, after, "the edit files the template under another key");
    site.assert_matches_full_build("a message that makes a key common");
    // And back: the template returns to its shard.
    site.edit(&path_of("Alpha", 2), |t| {
        t.replace("Zed quagga now", "Something happened")
    });
    assert!(site.build(false).incremental);
    assert_eq!(filed(&site, "Zed quagga vim"), before);
    site.assert_matches_full_build("the message as it was");
}

#[test]
fn force_ignores_the_state() {
    let site = Site::new();
    site.build(false);
    site.edit(&path_of("Alpha", 2), |t| t.replacen("Why.", "Why not.", 1));
    let r = site.build(true);
    assert!(!r.incremental, "{r:?}");
    site.assert_matches_full_build("a forced build");
}

/// The state file beside the output folder.
fn state_file(site: &Site) -> PathBuf {
    site.out.with_file_name(".public.eventref-state")
}

/// The state damaged in one way: a byte flipped in the content part (the
/// MAC no longer matches), cut in half, garbage, or planted (the same shape
/// with another text for an event's explanation, not signed with this
/// user's key).
fn damage(good: &[u8], how: &str) -> Vec<u8> {
    let mut bad = good.to_vec();
    match how {
        "flipped" => *bad.last_mut().unwrap() ^= 1,
        "truncated" => bad.truncate(good.len() / 2),
        "garbage" => bad = b"eventref-state 1 x\n".to_vec(),
        _ => {
            let at = good.windows(4).position(|w| w == b"Why.").unwrap();
            bad[at..at + 4].copy_from_slice(b"Who.");
        }
    }
    bad
}

#[test]
fn a_damaged_or_planted_state_gives_a_full_build() {
    let site = Site::new();
    site.build(false);
    let state = state_file(&site);
    for (n, what) in ["flipped", "truncated", "garbage", "planted"]
        .into_iter()
        .enumerate()
    {
        // The state of the last build, which matches the folder.
        let good = std::fs::read(&state).unwrap();
        std::fs::write(&state, damage(&good, what)).unwrap();
        site.edit(&path_of("Alpha", 2), |t| {
            t.replacen("explanation: |\n", &format!("explanation: |\n  More {n}.\n"), 1)
        });
        let r = site.build(false);
        assert!(!r.incremental, "a {what} state was used");
        site.assert_matches_full_build(what);
    }
    // The undamaged state of the last build is used.
    site.edit(&path_of("Alpha", 2), |t| {
        t.replacen("explanation: |\n", "explanation: |\n  Last.\n", 1)
    });
    assert!(site.build(false).incremental);
}

#[test]
fn a_folder_someone_else_built_into_gives_a_full_build() {
    let site = Site::new();
    site.build(false);
    // Another build (the library's Site::build, as `serve` publishes) replaces the record.
    let loaded = eventref::Site::load(&site.root).unwrap();
    loaded
        .build(&BuildOptions {
            output: Some(site.out.clone()),
            search: false,
            ..Default::default()
        })
        .unwrap();
    site.edit(&path_of("Alpha", 2), |t| t.replacen("Why.", "Why now.", 1));
    let r = site.build(false);
    assert!(!r.incremental, "{r:?}");
    site.assert_matches_full_build("a foreign build");
}

#[test]
fn the_cli_reports_an_incremental_build() {
    let site = Site::new();
    let build_into = |out: &Path, extra: &[&str]| -> serde_json::Value {
        let out = assert_cmd::Command::cargo_bin("eventref")
            .unwrap()
            .args(["build", "--no-search", "--quiet", "--format", "json", "--root"])
            .arg(&site.root)
            .arg("--output")
            .arg(out)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["summary"].clone()
    };
    let build = |extra: &[&str]| build_into(&site.out, extra);
    let first = build(&[]);
    assert_eq!(first["incremental"], false);
    site.edit(&path_of("Beta", 11), |t| t.replacen("Why.", "Why so.", 1));
    let s = build(&[]);
    assert_eq!(s["incremental"], true, "{s}");
    // The whole folder's files, as a full build counts them.
    assert_eq!(s["files"], first["files"], "{s}");
    // The event's page in two languages; its JSON, the export and the feeds are data files.
    assert_eq!(s["pages"], 2, "{s}");
    assert!(s["written"].as_u64().unwrap() <= 8, "{s}");
    site.edit(&path_of("Beta", 11), |t| t.replacen("Why so.", "Why not.", 1));
    let s = build(&["--force"]);
    assert_eq!(s["incremental"], false, "{s}");
    assert!(s["pages"].as_u64().unwrap() > 20, "{s}");
    // Incremental again, then the same as a forced build into another folder
    // (by the same executable: the fingerprint names it).
    site.edit(&path_of("Beta", 11), |t| t.replacen("Why not.", "Why now.", 1));
    assert_eq!(build(&[])["incremental"], true);
    let fresh = site.root.parent().unwrap().join("fresh-cli");
    build_into(&fresh, &["--force"]);
    assert!(
        tree(&site.out) == tree(&fresh),
        "the CLI's incremental build differs from a full one"
    );
}

#[test]
fn with_search_the_full_text_index_matches_a_full_build() {
    let site = Site::new();
    let opts = |out: &Path, force: bool| BuildOptions {
        output: Some(out.to_path_buf()),
        search: true,
        force,
        ..Default::default()
    };
    let build = |out: &Path, force: bool| match eventref::Site::build_if_changed(
        Config::load(&site.root).unwrap(),
        &opts(out, force),
    ) {
        Ok(BuildOutcome::Built(r)) => r,
        other => panic!("{:?}", other.map(|_| ()).map_err(|f| f.to_string())),
    };
    build(&site.out, false);
    site.edit(&path_of("Alpha", 3), |t| {
        t.replacen("Why.", "Because of the frobnicator.", 1)
    });
    let r = build(&site.out, false);
    assert!(r.incremental, "{r:?}");
    assert!(r.search.is_some());
    let fresh = site.root.parent().unwrap().join("fresh-search");
    build(&fresh, true);
    let (a, b) = (tree(&site.out), tree(&fresh));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs from a full build with search");
    }
}

#[test]
fn a_file_removed_from_the_output_gives_a_full_build() {
    let site = Site::new();
    site.build(false);
    std::fs::remove_file(site.out.join("en/beta/10/index.html")).unwrap();
    site.edit(&path_of("Alpha", 2), |t| t.replacen("Why.", "Why again.", 1));
    let r = site.build(false);
    assert!(!r.incremental, "{r:?}");
    assert!(site.out.join("en/beta/10/index.html").is_file());
    site.assert_matches_full_build("a damaged output");
}

#[test]
fn links_to_anchors_are_checked_on_the_pages_an_incremental_build_renders() {
    let mut site = Site::new();
    site.edit(&path_of("Alpha", 2), |t| {
        t.replacen("Why.", "Why: see [the cause](event:Beta/11#explanation).", 1)
    });
    site.build(false);
    // An edit elsewhere in the linking record keeps its links: incremental.
    site.edit(&path_of("Alpha", 2), |t| t.replacen("Why:", "Why, then:", 1));
    assert!(site.build(false).incremental);
    site.assert_matches_full_build("an edit next to a link");
    // A new link into a page this build would not render: a full build.
    site.edit(&path_of("Alpha", 2), |t| {
        t.replacen("Why, then:", "Why, then ([also](event:Beta/10#explanation)):", 1)
    });
    assert!(!site.build(false).incremental);
    site.assert_matches_full_build("a new link to an anchor");
    // The page the link points into loses its anchor: the build fails as a
    // full build does, naming the link, and the output stays as it was.
    let before = tree(&site.out);
    site.edit(&path_of("Beta", 11), |t| {
        t.lines()
            .filter(|l| !l.starts_with("explanation:") && !l.starts_with("  Why"))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    });
    let config = Config::load(&site.root).unwrap();
    let opts = BuildOptions {
        output: Some(site.out.clone()),
        search: false,
        ..Default::default()
    };
    let err = match eventref::Site::build_if_changed(config, &opts) {
        Err(f) => f,
        Ok(_) => panic!("a link to a missing anchor was not reported"),
    };
    let codes: Vec<_> = err.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"broken-link"), "{err}");
    assert!(!codes.contains(&"incremental-uncertain"), "{err}");
    assert!(tree(&site.out) == before, "a failed build changed the output");
    site.extra.clear();
}
