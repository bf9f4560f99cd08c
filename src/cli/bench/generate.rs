//! Synthetic sites for benchmarks and scale tests: deterministic generated
//! records with realistic field sizes (a message with insertion strings, a
//! three-paragraph explanation, three user-action steps) spread over sources
//! and categories, from a fixed seed, so every run measures the same input.
//!
//! Standard library only: `tests/search.rs` includes this file as a module.

use std::fmt::Write as _;
use std::path::Path;

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
        let y = record(&mut rng, &source, id, &category);
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
            let o = overlay(&mut rng, l);
            std::fs::write(folder.join(format!("{id}.{l}.yaml")), o)?;
        }
    }
    Ok(())
}

/// One record's YAML: the message, parameters, explanation and steps drawn
/// from `rng` (in this order, so the same seed gives the same site).
fn record(rng: &mut Rng, source: &str, id: u32, category: &str) -> String {
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
    y
}

/// A translation overlay of the message and explanation in `l`.
fn overlay(rng: &mut Rng, l: &str) -> String {
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
    o
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
