//! Synthetic sites for benchmarks: deterministic generated records and the
//! `eventref bench` driver that builds them and reports the numbers.
//!
//! The generator writes N records with realistic field sizes (a message with
//! insertion strings, a three-paragraph explanation, three user-action steps)
//! spread over sources and categories, from a fixed seed, so every run measures
//! the same input.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const WORDS: &[&str] = &[
    "service",
    "connector",
    "server",
    "client",
    "connection",
    "remote",
    "certificate",
    "domain",
    "controller",
    "replication",
    "queue",
    "database",
    "transport",
    "mailbox",
    "network",
    "address",
    "failed",
    "timeout",
    "request",
    "response",
    "configuration",
    "registry",
    "policy",
    "account",
    "authentication",
    "handshake",
    "protocol",
    "session",
    "device",
    "driver",
    "volume",
    "disk",
    "cluster",
    "node",
    "resource",
    "backup",
    "schedule",
    "update",
    "permission",
    "firewall",
    "port",
    "secure",
    "channel",
    "provider",
    "storage",
    "memory",
    "process",
    "thread",
    "time",
    "synchronization",
    "peer",
    "name",
    "resolution",
    "cache",
];

/// A small deterministic PRNG (xorshift64*), so generated sites are identical on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn words(&mut self, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(WORDS[self.below(WORDS.len())]);
        }
        s
    }
    fn sentence(&mut self) -> String {
        let n = 8 + self.below(10);
        let mut s = self.words(n);
        if let Some(first) = s.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        s.push('.');
        s
    }
}

/// Write a synthetic site with `events` records (and `languages` languages) into `dir`.
pub fn generate(dir: &Path, events: usize, languages: usize) -> std::io::Result<()> {
    let content = dir.join("content");
    if content.exists() {
        std::fs::remove_dir_all(&content)?;
    }
    std::fs::create_dir_all(&content)?;
    let langs = ["en", "de", "ja", "ar", "fr", "pl"];
    let mut toml = String::from(
        "title = \"Synthetic Event Reference\"\nbase_url = \"https://bench.example.org/\"\ndefault_language = \"en\"\n\n[defaults]\nproduct = \"Bench Server\"\nproduct_version = \"1.0\"\n",
    );
    for l in langs.iter().take(languages.max(1)) {
        let _ = write!(toml, "\n[languages.{l}]\nname = \"{l}\"\n");
    }
    std::fs::write(dir.join("site.toml"), toml)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let sources = (events / 100).max(1);
    for i in 0..events {
        let s = i % sources;
        let source = format!("Bench-{}-Provider{s}", WORDS[s % WORDS.len()]);
        let id = 1000 + (i / sources) as u32;
        // About eight task categories per source, as in real providers.
        let c = rng.below(8);
        let category = format!("{}{}", WORDS[(s + c) % 12], WORDS[12 + c]);
        let mut y = String::with_capacity(2048);
        let _ = writeln!(y, "source: {source}\nid: {id}");
        let _ = writeln!(
            y,
            "message: \"The {} %1 could not {} %2 because {}.\"",
            rng.words(2),
            rng.words(2),
            rng.words(5)
        );
        let _ = writeln!(
            y,
            "symbolic_name: Bench{}Event{id}",
            WORDS[rng.below(WORDS.len())]
        );
        let _ = writeln!(y, "category: {category}");
        let level = ["error", "warning", "information", "critical"][rng.below(4)];
        let _ = writeln!(y, "level: {level}\nchannel: Application");
        let _ = writeln!(
            y,
            "parameters:\n  \"%1\": {}\n  \"%2\": {}",
            rng.words(4),
            rng.words(4)
        );
        y.push_str("explanation: |\n");
        for _ in 0..3 {
            let _ = writeln!(y, "  {} {} {}\n", rng.sentence(), rng.sentence(), rng.sentence());
        }
        let _ = writeln!(
            y,
            "user_action:\n  intro: \"To resolve this {level}, do the following:\"\n  steps:"
        );
        for _ in 0..3 {
            let _ = writeln!(y, "    - {} {}", rng.sentence(), rng.sentence());
        }
        let _ = writeln!(y, "last_modified: 2026-01-{:02}", 1 + rng.below(28));
        let folder = content.join(format!("provider{s}"));
        if i < sources {
            std::fs::create_dir_all(&folder)?;
        }
        std::fs::write(folder.join(format!("{id}.yaml")), y)?;
        // Translation overlays: every other language translates the message and
        // explanation of three events in four (the rest fall back).
        for l in langs.iter().take(languages.max(1)).skip(1) {
            if i % 4 == 3 {
                continue;
            }
            let mut o = String::with_capacity(1024);
            let _ = writeln!(
                o,
                "message: \"[{l}] {} %1 {} %2 {}.\"",
                rng.words(3),
                rng.words(3),
                rng.words(4)
            );
            o.push_str("explanation: |\n");
            for _ in 0..3 {
                let _ = writeln!(
                    o,
                    "  [{l}] {} {} {}\n",
                    rng.sentence(),
                    rng.sentence(),
                    rng.sentence()
                );
            }
            std::fs::write(folder.join(format!("{id}.{l}.yaml")), o)?;
        }
    }
    Ok(())
}

/// One measured child build.
struct Run {
    seconds: f64,
    peak_mb: f64,
    files: u64,
    bytes: u64,
    written: u64,
    search_seconds: f64,
    search_bytes: u64,
}

fn run_build(exe: &Path, site: &Path, out: &Path, search: bool) -> Result<Run, String> {
    let start = Instant::now();
    let o = Command::new(exe)
        .args(["build", "--quiet", "--format", "json"])
        .args(if search { &[][..] } else { &["--no-search"][..] })
        .arg("--root")
        .arg(site)
        .arg("--output")
        .arg(out)
        .output()
        .map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    if !o.status.success() {
        return Err(format!(
            "build failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).map_err(|e| e.to_string())?;
    let num = |k: &str| v.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
    Ok(Run {
        seconds,
        peak_mb: num("peak_rss_kb") as f64 / 1024.0,
        files: num("files"),
        bytes: num("bytes"),
        written: num("written"),
        search_seconds: v.get("search_ms").and_then(|x| x.as_f64()).unwrap_or(0.0) / 1000.0,
        search_bytes: num("search_bytes"),
    })
}

/// The live preview's time to republish after one record is saved: the median
/// of 5 edits of `record`, after a first full build into a scratch folder.
fn preview_edit_ms(site: &Path, record: &Path) -> Result<f64, String> {
    let out = site.join("public-preview");
    let mut preview = crate::preview::Preview::open(
        site,
        crate::preview::PreviewOptions {
            output: out.clone(),
            base_url: None,
            search: false,
            strict: false,
        },
    )
    .map_err(|f| f.to_string())?;
    preview.build().map_err(|f| f.to_string())?;
    let original = std::fs::read_to_string(record).map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for i in 0..5 {
        let text = original.replacen(
            "explanation: |\n",
            &format!("explanation: |\n  Preview edit {i}.\n"),
            1,
        );
        std::fs::write(record, text).map_err(|e| e.to_string())?;
        let u = preview
            .update(&[record.to_path_buf()])
            .map_err(|f| f.to_string())?;
        if u.full || u.written == 0 {
            return Err(format!("the preview did not update incrementally: {u:?}"));
        }
        times.push(u.elapsed.as_secs_f64() * 1000.0);
    }
    std::fs::write(record, original).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&out);
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Generate sites of each size, build them as child processes, and return a
/// Markdown table of the results: without search (full, no-change and
/// one-change builds, with the `cp -r` floor), then a full build with search.
pub fn bench(sizes: &[usize], dir: Option<&Path>, languages: usize, keep: bool) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let base: PathBuf = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
        .join("eventref-bench");
    let mut table = String::new();
    let _ = writeln!(
        table,
        "scratch folder: {} ({} language{})\n",
        base.display(),
        languages,
        if languages == 1 { "" } else { "s" }
    );
    table.push_str("| events | full build (s) | events/s | peak RSS (MB) | no-change rebuild (s) | files written | one record changed (s) | files written | live preview: one record (ms) | output files | output MB | cp -r floor (s) | build / floor | with search (s) | peak RSS with search (MB) | indexing (s) | index MB |\n");
    table
        .push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for &n in sizes {
        let site = base.join(format!("site-{n}"));
        let out = site.join("public");
        if site.exists() {
            std::fs::remove_dir_all(&site).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(&site).map_err(|e| e.to_string())?;
        generate(&site, n, languages).map_err(|e| e.to_string())?;
        // Warm the page cache for the input, as an author's machine would be.
        let _ = Command::new(&exe).args(["check", "--root"]).arg(&site).output();
        let full = run_build(&exe, &site, &out, false)?;
        let again = run_build(&exe, &site, &out, false)?;
        // Change one record.
        let first = site.join("content/provider0/1000.yaml");
        let mut text = std::fs::read_to_string(&first).map_err(|e| e.to_string())?;
        text = text.replacen(
            "explanation: |\n",
            "explanation: |\n  Edited for the benchmark.\n",
            1,
        );
        std::fs::write(&first, text).map_err(|e| e.to_string())?;
        let one = run_build(&exe, &site, &out, false)?;
        let preview = preview_edit_ms(&site, &first)?;
        // A full build with the full-text index, into a fresh folder.
        let searched = run_build(&exe, &site, &site.join("public-search"), true)?;
        let _ = std::fs::remove_dir_all(site.join("public-search"));
        // The I/O floor: copying the same output tree on the same file system.
        let copy = site.join("public-copy");
        let start = Instant::now();
        let status = Command::new("cp")
            .arg("-r")
            .arg(&out)
            .arg(&copy)
            .status()
            .map_err(|e| e.to_string())?;
        let floor = start.elapsed().as_secs_f64();
        if !status.success() {
            return Err("cp -r failed".into());
        }
        let _ = writeln!(
            table,
            "| {n} | {:.2} | {:.0} | {:.0} | {:.2} | {} | {:.2} | {} | {:.0} | {} | {:.1} | {:.2} | {:.1}× | {:.2} | {:.0} | {:.2} | {:.1} |",
            full.seconds,
            n as f64 / full.seconds,
            full.peak_mb,
            again.seconds,
            again.written,
            one.seconds,
            one.written,
            preview,
            full.files,
            full.bytes as f64 / 1e6,
            floor,
            full.seconds / floor.max(1e-9),
            searched.seconds,
            searched.peak_mb,
            searched.search_seconds,
            searched.search_bytes as f64 / 1e6,
        );
        let _ = std::fs::remove_dir_all(&copy);
        if !keep {
            let _ = std::fs::remove_dir_all(&site);
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    #[test]
    fn deterministic() {
        let a = tempfile_dir("a");
        let b = tempfile_dir("b");
        super::generate(&a, 50, 2).unwrap();
        super::generate(&b, 50, 2).unwrap();
        let read =
            |d: &std::path::Path| std::fs::read_to_string(d.join("content/provider0/1000.yaml")).unwrap();
        assert_eq!(read(&a), read(&b));
        let _ = std::fs::remove_dir_all(&a);
        let _ = std::fs::remove_dir_all(&b);
    }

    fn tempfile_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("eventref-synth-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
