//! Output: the only stage that writes to the output directory.
//!
//! A build writes every page whose bytes changed into a staging directory next
//! to the output, and nothing else. Only when the whole render succeeded does
//! [`Output::commit`] move the staged files into place (one atomic rename per
//! file, or one rename of the whole directory on a first build) and remove the
//! files that the previous build wrote and this one did not. A failed build
//! calls [`Output::abort`] and leaves the published site untouched. Unchanged
//! files are never rewritten, so their modification times survive and rsync or
//! a CDN upload sees only what changed.
//!
//! eventref only ever deletes files and folders listed in its own manifest
//! (`.eventref-manifest`), and refuses to use a non-empty folder that lacks one.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::render::PageSink;

/// The manifest (and ownership marker) inside every output directory.
pub const MANIFEST: &str = ".eventref-manifest";
const MANIFEST_HEADER: &str = "# eventref output manifest v1: files written by eventref. Do not edit.";
const STAGING_MARKER: &str = ".eventref-staging";
/// The input fingerprint of the build the folder holds, with its file count and size.
pub const FINGERPRINT: &str = ".eventref-fingerprint";

/// What a commit did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    /// Files in the site.
    pub files: usize,
    /// Total bytes of the site.
    pub bytes: u64,
    /// Files written because they were new or changed.
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files of the previous build that were removed.
    pub removed: usize,
}

struct Entry {
    path: String,
    changed: bool,
    len: u64,
}

/// Which files of the previous build a commit keeps although this run did not write them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Retain {
    /// None: the run writes the whole site.
    Nothing,
    /// All: the run replaces some files.
    Everything,
    /// Those under these folders (the run writes everything else).
    Under(Vec<String>),
    /// All but those under these folders (the run writes only those folders).
    AllBut(Vec<String>),
}

impl Retain {
    fn keeps(&self, path: &str) -> bool {
        match self {
            Retain::Nothing => false,
            Retain::Everything => true,
            Retain::Under(ps) => ps.iter().any(|p| path.starts_with(p.as_str())),
            Retain::AllBut(ps) => !ps.iter().any(|p| path.starts_with(p.as_str())),
        }
    }
}

/// An output directory being written.
pub struct Output {
    dir: PathBuf,
    staging: PathBuf,
    /// The previous build's files, if the directory is ours.
    previous: BTreeSet<String>,
    fresh: bool,
    /// Which published files survive a commit without being written again.
    retain: Retain,
    /// The input fingerprint to record (full builds without warnings only).
    fingerprint: Option<u64>,
    entries: Mutex<Vec<Entry>>,
}

/// Resolve `p` as far as it exists, keeping the non-existent tail.
fn normalize(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut existing = abs.clone();
    let mut tail = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|s| s.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for part in tail.into_iter().rev() {
        if part == ".." {
            out.pop();
        } else if part != "." {
            out.push(part);
        }
    }
    out
}

fn refuse(msg: String, help: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("unsafe-output", msg).help(help))
}

impl Output {
    /// Open `dir` for a build of the site in `config`, checking that writing
    /// there is safe.
    pub fn open(config: &Config, dir: &Path) -> Result<Output, Box<Diagnostic>> {
        Output::open_mode(config, dir, Retain::Nothing)
    }

    /// Open `dir`, which must hold a previous build, to replace some of its
    /// files: on [`Output::commit`], files that were not written in this run are
    /// kept rather than removed. The live preview uses this to publish only the
    /// pages an edit changed.
    pub fn open_update(config: &Config, dir: &Path) -> Result<Output, Box<Diagnostic>> {
        Output::open_mode(config, dir, Retain::Everything)
    }

    /// Open `dir`, which must hold a previous build, to replace everything under
    /// `folders` (such as `pagefind/`) and nothing else.
    pub fn open_folders(config: &Config, dir: &Path, folders: &[String]) -> Result<Output, Box<Diagnostic>> {
        Output::open_mode(config, dir, Retain::AllBut(folders.to_vec()))
    }

    /// Record the build's input fingerprint on commit, so that a later build of
    /// the same inputs can be skipped (see [`recorded_build`]). Only for a run
    /// that writes the whole site; any other commit removes the record.
    pub fn record_fingerprint(&mut self, fingerprint: Option<u64>) {
        self.fingerprint = fingerprint.filter(|_| self.retain == Retain::Nothing);
    }

    /// Keep the previous build's files under `folders` (such as `pagefind/`)
    /// when this run does not write them.
    pub fn retain_under(&mut self, folders: &[String]) {
        self.retain = Retain::Under(folders.to_vec());
    }

    fn open_mode(config: &Config, dir: &Path, retain: Retain) -> Result<Output, Box<Diagnostic>> {
        let partial = retain != Retain::Nothing;
        let (dir, previous, fresh, staging) = inspect(config, dir, partial)?;
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| {
                refuse(
                    format!("cannot remove stale staging folder {}: {e}", staging.display()),
                    "remove it by hand",
                )
            })?;
        }
        std::fs::create_dir_all(&staging)
            .and_then(|_| std::fs::write(staging.join(STAGING_MARKER), b""))
            .map_err(|e| {
                refuse(
                    format!("cannot create {}: {e}", staging.display()),
                    "check permissions and free space",
                )
            })?;
        Ok(Output {
            dir,
            staging,
            previous,
            fresh,
            retain,
            fingerprint: None,
            entries: Mutex::new(Vec::new()),
        })
    }
}

/// Check, without writing anything, that a build may write to `dir`: every
/// refusal [`Output::open`] would give, given as the same diagnostic. `eventref
/// check` runs this so that it fails exactly where `build` would.
pub fn check_output_dir(config: &Config, dir: &Path) -> Result<(), Box<Diagnostic>> {
    inspect(config, dir, false).map(|_| ())
}

/// The safety checks of [`Output::open`]: the normalized folder, the files of
/// the previous build, whether there is none, and the staging folder (which,
/// when it exists, was created by eventref).
#[allow(clippy::type_complexity)]
fn inspect(
    config: &Config,
    dir: &Path,
    partial: bool,
) -> Result<(PathBuf, BTreeSet<String>, bool, PathBuf), Box<Diagnostic>> {
    {
        let dir = normalize(dir);
        let root = normalize(&config.root);
        let protected = ["content", "themes", "templates", "static", "i18n", "src", ".git"];
        if dir == root || root.starts_with(&dir) {
            return Err(refuse(
                format!(
                    "the output directory {} is the site root or contains it",
                    dir.display()
                ),
                "choose a folder inside the site such as public/, or one outside it",
            ));
        }
        for p in protected {
            let pp = root.join(p);
            if dir.starts_with(&pp) || pp.starts_with(&dir) {
                return Err(refuse(
                    format!(
                        "the output directory {} overlaps the site's {p}/ folder",
                        dir.display()
                    ),
                    "choose a folder such as public/ that holds nothing but the built site",
                ));
            }
        }
        let mut previous = BTreeSet::new();
        let mut fresh = true;
        if dir.exists() {
            if !dir.is_dir() {
                return Err(refuse(
                    format!("the output path {} exists and is not a directory", dir.display()),
                    "remove it or choose another --output",
                ));
            }
            let manifest = dir.join(MANIFEST);
            match std::fs::read_to_string(&manifest) {
                Ok(text) => {
                    if !text.starts_with(MANIFEST_HEADER) {
                        return Err(refuse(
                            format!("{} is not an eventref manifest", manifest.display()),
                            "remove the output folder yourself, then build again",
                        ));
                    }
                    previous = text
                        .lines()
                        .skip(1)
                        .filter(|l| valid_site_path(l))
                        .map(String::from)
                        .collect();
                    fresh = false;
                }
                Err(_) => {
                    let empty = std::fs::read_dir(&dir)
                        .map(|mut r| r.next().is_none())
                        .unwrap_or(false);
                    if !empty {
                        return Err(refuse(
                            format!(
                                "the output directory {} is not empty and was not created by eventref",
                                dir.display()
                            ),
                            "eventref never deletes or overwrites folders it did not create: choose an empty or new --output folder",
                        ));
                    }
                }
            }
        }
        if partial && fresh {
            return Err(refuse(
                format!("{} holds no previous build to update", dir.display()),
                "build the whole site first",
            ));
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let staging = dir.with_file_name(format!(".{name}.eventref-staging"));
        if staging.exists() && !staging.join(STAGING_MARKER).exists() {
            return Err(refuse(
                format!("{} exists and was not created by eventref", staging.display()),
                "remove or rename it, then build again",
            ));
        }
        Ok((dir, previous, fresh, staging))
    }
}

impl Output {
    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Move the staged files into place and remove what the previous build wrote
    /// but this one did not.
    pub fn commit(self) -> io::Result<WriteStats> {
        let mut entries = std::mem::take(&mut *self.entries.lock().unwrap_or_else(|e| e.into_inner()));
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let mut stats = WriteStats {
            files: entries.len(),
            ..WriteStats::default()
        };
        // An update that only replaces files keeps the file list as it is: skip
        // rebuilding and comparing the manifest (12,000 lines on a 10,000-event site).
        let same_files = !self.fresh
            && self.retain == Retain::Everything
            && entries.iter().all(|e| self.previous.contains(&e.path));
        let mut current: BTreeSet<&str> = BTreeSet::new();
        if !same_files {
            current.extend(entries.iter().map(|e| e.path.as_str()));
            current.extend(
                self.previous
                    .iter()
                    .filter(|p| self.retain.keeps(p))
                    .map(String::as_str),
            );
        }
        let manifest = if same_files {
            String::new()
        } else {
            manifest_text(&current)
        };
        let fingerprint = self.fingerprint.map(|fp| {
            let bytes: u64 = entries.iter().map(|e| e.len).sum();
            format!("{fp:016x} {} {bytes}\n", entries.len())
        });
        // Until the new files are in place, the folder matches no fingerprint.
        let _ = std::fs::remove_file(self.dir.join(FINGERPRINT));
        std::fs::remove_file(self.staging.join(STAGING_MARKER))?;

        if self.fresh {
            // First build: the whole staging tree becomes the output in one rename.
            std::fs::write(self.staging.join(MANIFEST), &manifest)?;
            if self.dir.exists() {
                std::fs::remove_dir(&self.dir)?; // empty: checked in open()
            }
            std::fs::rename(&self.staging, &self.dir)?;
            if let Some(f) = &fingerprint {
                std::fs::write(self.dir.join(FINGERPRINT), f)?;
            }
            stats.written = entries.len();
            stats.bytes = entries.iter().map(|e| e.len).sum();
            return Ok(stats);
        }

        for e in &entries {
            stats.bytes += e.len;
            if e.changed {
                let dest = self.dir.join(&e.path);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(self.staging.join(&e.path), &dest)?;
                stats.written += 1;
            } else {
                stats.unchanged += 1;
            }
        }
        let removed = self
            .previous
            .iter()
            .filter(|p| !same_files && !current.contains(p.as_str()));
        for old in removed {
            let path = self.dir.join(old);
            if path.is_file() {
                std::fs::remove_file(&path)?;
                stats.removed += 1;
                // Remove folders left empty, up to the output root.
                let mut parent = path.parent();
                while let Some(p) = parent {
                    if p == self.dir || std::fs::remove_dir(p).is_err() {
                        break;
                    }
                    parent = p.parent();
                }
            }
        }
        let manifest_path = self.dir.join(MANIFEST);
        if !same_files && std::fs::read_to_string(&manifest_path).ok().as_deref() != Some(manifest.as_str()) {
            let tmp = self.staging.join(MANIFEST);
            std::fs::write(&tmp, &manifest)?;
            std::fs::rename(&tmp, &manifest_path)?;
        }
        std::fs::remove_dir_all(&self.staging)?;
        if let Some(f) = &fingerprint {
            std::fs::write(self.dir.join(FINGERPRINT), f)?;
        }
        Ok(stats)
    }

    /// Throw away the staged files; the published output stays as it was.
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// The number of files of the build in `dir`, when it was recorded with
/// `fingerprint` and every file of its manifest is still there with the
/// recorded total size. Only reads.
pub fn recorded_build(dir: &Path, fingerprint: u64) -> Option<usize> {
    let record = std::fs::read_to_string(dir.join(FINGERPRINT)).ok()?;
    let mut parts = record.split_whitespace();
    let fp = u64::from_str_radix(parts.next()?, 16).ok()?;
    let files: usize = parts.next()?.parse().ok()?;
    let bytes: u64 = parts.next()?.parse().ok()?;
    if fp != fingerprint {
        return None;
    }
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    if !manifest.starts_with(MANIFEST_HEADER) {
        return None;
    }
    let paths: Vec<&str> = manifest.lines().skip(1).filter(|l| valid_site_path(l)).collect();
    if paths.len() != files {
        return None;
    }
    let mut total = 0;
    for p in paths {
        let m = std::fs::symlink_metadata(dir.join(p)).ok()?;
        if !m.is_file() {
            return None;
        }
        total += m.len();
    }
    (total == bytes).then_some(files)
}

fn manifest_text(paths: &BTreeSet<&str>) -> String {
    let mut s = String::with_capacity(paths.len() * 40);
    s.push_str(MANIFEST_HEADER);
    s.push('\n');
    for p in paths {
        s.push_str(p);
        s.push('\n');
    }
    s
}

/// A relative, `/`-separated path with only normal components.
pub fn valid_site_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains('\0')
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        && p != MANIFEST
        && p != FINGERPRINT
}

impl PageSink for Output {
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        if !valid_site_path(path) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing unsafe output path {path:?}"),
            ));
        }
        let published = self.dir.join(path);
        let changed = self.fresh
            || !self.previous.contains(path)
            || std::fs::metadata(&published)
                .map(|m| m.len() != bytes.len() as u64)
                .unwrap_or(true)
            || std::fs::read(&published).map(|old| old != bytes).unwrap_or(true);
        if changed {
            let staged = self.staging.join(path);
            if let Some(parent) = staged.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut f = std::fs::File::create(&staged)?;
            f.write_all(bytes)?;
        }
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Entry {
                path: path.to_string(),
                changed,
                len: bytes.len() as u64,
            });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::valid_site_path;

    #[test]
    fn site_paths() {
        assert!(valid_site_path("en/msexchangetransport/2002/index.html"));
        assert!(!valid_site_path("../x"));
        assert!(!valid_site_path("/etc/passwd"));
        assert!(!valid_site_path("en/../../x"));
        assert!(!valid_site_path("a\\b"));
        assert!(!valid_site_path(""));
    }
}
