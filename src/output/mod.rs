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
//! The output folder is a capability, not a path: its parent, the output and
//! the staging folder are opened once as [`cap_std::fs::Dir`] handles, and every
//! read, write, rename and delete goes through them, so nothing can reach
//! outside the parent folder, whatever links a tree holds. On top of that
//! eventref never goes through a symbolic link in the output tree: the output
//! folder itself, every folder a write or delete passes through, and every file
//! it replaces or deletes is checked with `lstat` first, and a link is an error
//! that names it (the publish then stops before anything moved).
//!
//! eventref only ever deletes files listed in its own manifest
//! (`.eventref-manifest`), and only trusts a manifest whose MAC, kept in the
//! lock file next to the folder (outside the published tree), it can verify
//! ([`trust`]): a planted manifest makes the folder foreign, and eventref
//! refuses to use a non-empty foreign folder. Builds into one folder take turns
//! through a lock file next to it (`.<name>.eventref-lock`). A publish that
//! fails half-way leaves the staging folder with its marker and a manifest that
//! lists every file in place, so the next build cleans up and carries on.

use std::collections::{BTreeSet, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;

mod manifest;
mod record;
pub mod trust;

use manifest::{MAC_PREFIX, manifest_text, read_tags, verified_paths};
pub use manifest::{ManifestCache, recorded_build, valid_site_path};
use record::Record;
pub use record::beside;

use cap_std::fs::Dir;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::render::PageSink;

/// The manifest (and ownership marker) inside every output directory.
pub const MANIFEST: &str = crate::config::layout::MANIFEST;
const STAGING_MARKER: &str = ".eventref-staging";
/// The input fingerprint of the build the folder holds, with its file count and size.
pub const FINGERPRINT: &str = crate::config::layout::FINGERPRINT;

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
    /// The length of the file this one replaces, when there is one.
    old_len: Option<u64>,
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
    /// The folder holding the output, the staging folder and the lock.
    parent: Dir,
    /// The output folder's name in `parent`.
    name: String,
    /// The output folder, when it holds a previous build.
    out: Option<Dir>,
    /// The staging folder's name in `parent`.
    staging_name: String,
    staging: Dir,
    /// Held until the commit or abort is done: builds into one folder take
    /// turns. It also holds the manifest's MAC, outside the published tree (so
    /// that two builds of one input stay byte-identical).
    lock: std::fs::File,
    /// The MAC of the manifest in place.
    tag: Option<String>,
    key: &'static [u8; 32],
    /// The previous build's files, if the directory is ours.
    previous: Arc<BTreeSet<String>>,
    fresh: bool,
    /// Which published files survive a commit without being written again.
    retain: Retain,
    /// The input fingerprint to record (full builds without warnings only).
    fingerprint: Option<u64>,
    /// The fingerprint is recorded although this run does not write the
    /// whole site (an incremental build, see [`Output::record_update_fingerprint`]).
    update_fingerprint: bool,
    entries: Mutex<Vec<Entry>>,
    /// Published files this run drops ([`PageSink::remove`]).
    dropped: Mutex<BTreeSet<String>>,
    /// Folders already made in the staging folder: a build of 10,000 pages
    /// asks for the same few hundred folders thousands of times.
    made_dirs: Mutex<HashSet<String>>,
    /// Open handles of the last few folders a folder was made in, newest
    /// last (event pages come source by source): a page's folder is then
    /// made with one `mkdirat` in its parent, where making it from the
    /// staging folder also opened and closed the parent (two system calls
    /// more for each of 10,000 pages).
    parents: Mutex<Vec<(String, Arc<Dir>)>>,
}

/// How many folder handles [`Output`] keeps open for making folders in.
const OPEN_PARENTS: usize = 16;

/// Resolve `p` as far as it exists, keeping the non-existent tail.
fn normalize(p: &Path) -> PathBuf {
    let abs = absolute(p);
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

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    }
}

fn refuse(msg: String, help: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("unsafe-output", msg).help(help))
}

fn link_error(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{} is a symbolic link: eventref never writes or deletes through links in its output folder; \
         remove the link (or the whole output folder) and build again",
        path.display()
    ))
}

/// What [`Output::check`] found at the output path.
struct Checked {
    dir: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Output {
    /// Open `dir` for a build of the site in `config`, checking that writing
    /// there is safe.
    pub fn open(config: &Config, dir: &Path) -> Result<Output, Box<Diagnostic>> {
        Output::open_mode(config, dir, Retain::Nothing, None)
    }

    /// Open `dir`, which must hold a previous build, to replace some of its
    /// files: on [`Output::commit`], files that were not written in this run are
    /// kept rather than removed. The live preview uses this to publish only the
    /// pages an edit changed.
    pub fn open_update(config: &Config, dir: &Path) -> Result<Output, Box<Diagnostic>> {
        Output::open_mode(config, dir, Retain::Everything, None)
    }

    /// [`Output::open_update`] for a process that updates `dir` many times:
    /// the manifest is verified and parsed again only when it changed since
    /// `cache` last saw it.
    pub fn open_update_cached(
        config: &Config,
        dir: &Path,
        cache: &ManifestCache,
    ) -> Result<Output, Box<Diagnostic>> {
        Output::open_mode(config, dir, Retain::Everything, Some(cache))
    }

    /// Open `dir`, which must hold a previous build, to replace everything under
    /// `folders` (such as `pagefind/`) and nothing else.
    pub fn open_folders(config: &Config, dir: &Path, folders: &[String]) -> Result<Output, Box<Diagnostic>> {
        Output::open_mode(config, dir, Retain::AllBut(folders.to_vec()), None)
    }

    /// Record the build's input fingerprint on commit, so that a later build of
    /// the same inputs can be skipped (see [`recorded_build`]). Only for a run
    /// that writes the whole site; any other commit removes the record.
    pub fn record_fingerprint(&mut self, fingerprint: Option<u64>) {
        self.fingerprint = fingerprint.filter(|_| self.retain == Retain::Nothing);
    }

    /// Record `fingerprint` on commit although this run does not write the
    /// whole site: the caller vouches that, once committed, the folder holds
    /// exactly what a full build of those inputs would (an incremental build,
    /// see `site::state`). The file count and size recorded with it are the
    /// whole folder's.
    pub fn record_update_fingerprint(&mut self, fingerprint: u64) {
        self.fingerprint = Some(fingerprint);
        self.update_fingerprint = true;
    }

    /// Keep the previous build's files under `folders` (such as `pagefind/`)
    /// when this run does not write them.
    pub fn retain_under(&mut self, folders: &[String]) {
        self.retain = Retain::Under(folders.to_vec());
    }

    /// Check, without creating, changing or locking anything, that `dir` may be
    /// used as the output folder of the site in `config`: it is not the site or
    /// one of its source folders, not a link, and is either missing, empty, or
    /// holds a build whose manifest this user's eventref wrote. `serve` runs
    /// this before it creates the folder or binds a socket.
    pub fn check(config: &Config, dir: &Path) -> Result<(), Box<Diagnostic>> {
        let c = Output::check_path(config, dir)?;
        if c.dir.exists() {
            let key = trust_key()?;
            let lock = c.parent.join(format!(".{}.eventref-lock", c.name));
            Output::read_previous(&c.dir, &lock, key, None)?;
        }
        Ok(())
    }

    fn check_path(config: &Config, dir: &Path) -> Result<Checked, Box<Diagnostic>> {
        let given = absolute(dir);
        // The folder itself may not be a link (`public -> ../.git`): resolving it
        // would hand eventref somebody else's folder.
        if std::fs::symlink_metadata(&given).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(refuse(
                format!("the output folder {} is a symbolic link", given.display()),
                "eventref never writes through links: remove the link or choose another --output",
            ));
        }
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
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            return Err(refuse(
                format!("the output directory {} has no parent folder", dir.display()),
                "choose a folder such as public/",
            ));
        };
        let Some(name) = name.to_str() else {
            return Err(refuse(
                format!(
                    "the output directory {} has a name that is not UTF-8",
                    dir.display()
                ),
                "choose a folder such as public/",
            ));
        };
        if dir.exists() && !dir.is_dir() {
            return Err(refuse(
                format!("the output path {} exists and is not a directory", dir.display()),
                "remove it or choose another --output",
            ));
        }
        Ok(Checked {
            parent: parent.to_path_buf(),
            name: name.to_string(),
            dir,
        })
    }

    /// The previous build's files of an existing folder (`None`: it is empty),
    /// or a refusal when it is not empty and holds no manifest eventref can trust.
    #[allow(clippy::type_complexity)]
    fn read_previous(
        dir: &Path,
        lock: &Path,
        key: &[u8; 32],
        cache: Option<&ManifestCache>,
    ) -> Result<Option<(Arc<BTreeSet<String>>, String)>, Box<Diagnostic>> {
        let manifest = dir.join(MANIFEST);
        let is_file = std::fs::symlink_metadata(&manifest).is_ok_and(|m| m.is_file());
        let tags = read_tags(lock);
        let verify = |text: &str| match cache {
            Some(c) => c.verified_paths(key, dir, text, &tags),
            None => verified_paths(key, dir, text, &tags).map(|(p, t)| (Arc::new(p), t)),
        };
        match is_file.then(|| std::fs::read_to_string(&manifest)) {
            Some(Ok(text)) => match verify(&text) {
                Some(found) => Ok(Some(found)),
                None => Err(refuse(
                    format!(
                        "{} was not written by an earlier eventref build into this folder",
                        manifest.display()
                    ),
                    "eventref only trusts manifests it signed itself (see docs/security.md); \
                     if this folder is yours, delete it and build again",
                )),
            },
            _ => {
                let empty = std::fs::read_dir(dir)
                    .map(|mut r| r.next().is_none())
                    .unwrap_or(false);
                if empty {
                    Ok(None)
                } else {
                    Err(refuse(
                        format!(
                            "the output directory {} is not empty and was not created by eventref",
                            dir.display()
                        ),
                        "eventref never deletes or overwrites folders it did not create: choose an empty or new --output folder",
                    ))
                }
            }
        }
    }

    fn open_mode(
        config: &Config,
        dir: &Path,
        retain: Retain,
        cache: Option<&ManifestCache>,
    ) -> Result<Output, Box<Diagnostic>> {
        let partial = retain != Retain::Nothing;
        let Checked { dir, parent, name } = Output::check_path(config, dir)?;
        let key = trust_key()?;
        let cannot = |what: &str, p: &Path, e: io::Error| {
            refuse(
                format!("cannot {what} {}: {e}", p.display()),
                "check permissions and free space",
            )
        };
        std::fs::create_dir_all(&parent).map_err(|e| cannot("create", &parent, e))?;
        let parent_dir = Dir::open_ambient_dir(&parent, cap_std::ambient_authority())
            .map_err(|e| cannot("open", &parent, e))?;
        let staging_name = format!(".{name}.eventref-staging");
        let lock_name = format!(".{name}.eventref-lock");
        let lock =
            take_lock(&parent_dir, &lock_name).map_err(|e| cannot("lock", &parent.join(&lock_name), e))?;
        // Checked again under the lock: another build may have just finished.
        let previous = if dir.exists() {
            Output::read_previous(&dir, &parent.join(&lock_name), key, cache)?
        } else {
            None
        };
        let (previous, tag) = match previous {
            Some((p, t)) => (Some(p), Some(t)),
            None => (None, None),
        };
        let fresh = previous.is_none();
        if partial && fresh {
            return Err(refuse(
                format!("{} holds no previous build to update", dir.display()),
                "build the whole site first",
            ));
        }
        let out = if fresh {
            None
        } else {
            let d = open_dir_nofollow(&parent_dir, &name).map_err(|e| cannot("open", &dir, e))?;
            // A publish that stopped between its rename and its clean-up.
            if d.symlink_metadata(STAGING_MARKER).is_ok_and(|m| m.is_file()) {
                let _ = d.remove_file(STAGING_MARKER);
            }
            Some(d)
        };
        let staging_path = parent.join(&staging_name);
        remove_stale_staging(&parent_dir, &staging_name, &staging_path)?;
        let staging = parent_dir
            .create_dir(&staging_name)
            .and_then(|_| open_dir_nofollow(&parent_dir, &staging_name))
            .and_then(|d| d.write(STAGING_MARKER, b"").map(|_| d))
            .map_err(|e| cannot("create", &staging_path, e))?;
        Ok(Output {
            dir,
            parent: parent_dir,
            name,
            out,
            staging_name,
            staging,
            lock,
            tag,
            key,
            previous: previous.unwrap_or_default(),
            fresh,
            retain,
            fingerprint: None,
            update_fingerprint: false,
            entries: Mutex::new(Vec::new()),
            dropped: Mutex::new(BTreeSet::new()),
            made_dirs: Mutex::new(HashSet::new()),
            parents: Mutex::new(Vec::new()),
        })
    }

    /// The size of `path` as the previous build published it: when its
    /// manifest lists it and it is a file (never a link).
    fn published_len(&self, path: &str) -> Option<u64> {
        if self.fresh || !self.previous.contains(path) {
            return None;
        }
        let m = self.out.as_ref()?.symlink_metadata(path).ok()?;
        m.is_file().then(|| m.len())
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Record `tags` (MACs of manifests) in the lock file.
    fn write_tags(&self, tags: &[&str]) -> io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let mut f = &self.lock;
        f.set_len(0)?;
        f.seek(SeekFrom::Start(0))?;
        let text: String = tags.iter().map(|t| format!("{MAC_PREFIX}{t}\n")).collect();
        f.write_all(text.as_bytes())
    }

    /// Write the manifest for `paths` into place (through the staging folder),
    /// its MAC first: while the rename is pending both the old and the new
    /// manifest verify.
    fn write_manifest(&self, out: &Dir, paths: &BTreeSet<&str>, old: Option<&str>) -> io::Result<String> {
        let manifest = manifest_text(paths);
        let tag = trust::mac(self.key, &self.dir, &manifest);
        let mut both = vec![tag.as_str()];
        both.extend(old);
        self.write_tags(&both)?;
        let tmp = ".eventref-manifest.tmp";
        self.staging.write(tmp, manifest.as_bytes())?;
        self.staging.rename(tmp, out, MANIFEST)?;
        self.write_tags(&[&tag])?;
        Ok(tag)
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
        let record = Record::plan(&self, &entries);
        let Some(out) = &self.out else {
            return self.publish_first(&entries, record.whole(), stats);
        };

        let dropped = std::mem::take(&mut *self.dropped.lock().unwrap_or_else(|e| e.into_inner()));
        // An update that only replaces files keeps the file list as it is: skip
        // rebuilding and comparing the manifest (12,000 lines on a 10,000-event site).
        let same_files = self.retain == Retain::Everything
            && dropped.is_empty()
            && entries.iter().all(|e| self.previous.contains(&e.path));
        let mut current: BTreeSet<&str> = BTreeSet::new();
        if !same_files {
            current.extend(entries.iter().map(|e| e.path.as_str()));
            current.extend(
                self.previous
                    .iter()
                    .filter(|p| self.retain.keeps(p) && !dropped.contains(*p))
                    .map(String::as_str),
            );
        }
        let removed: Vec<&String> = self
            .previous
            .iter()
            .filter(|p| !same_files && !current.contains(p.as_str()))
            .collect();

        let mut tag = self.tag.clone();
        // Before anything moves: no link on any path this commit writes or deletes.
        let mut checked = HashSet::new();
        for e in entries.iter().filter(|e| e.changed) {
            self.check_links(out, &e.path, &mut checked)?;
        }
        for old in &removed {
            self.check_links(out, old, &mut checked)?;
        }

        // Until the new files are in place, the folder matches no fingerprint.
        match out.remove_file(FINGERPRINT) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        // While files move, the manifest lists both builds' files, so a publish
        // that stops half-way leaves nothing eventref does not know it wrote.
        if !same_files {
            let mut both = current.clone();
            both.extend(self.previous.iter().map(String::as_str));
            tag = Some(self.write_manifest(out, &both, tag.as_deref())?);
        }
        for e in &entries {
            stats.bytes += e.len;
            if e.changed {
                if let Some((parent, _)) = e.path.rsplit_once('/') {
                    out.create_dir_all(parent)?;
                }
                self.staging.rename(&e.path, out, &e.path)?;
                stats.written += 1;
            } else {
                stats.unchanged += 1;
            }
        }
        stats.removed = remove_files(out, &removed)?;
        if !same_files {
            self.write_manifest(out, &current, tag.as_deref())?;
        }
        if let Some(f) = record.finish(out, &entries, (same_files, &current), &mut stats) {
            out.write(FINGERPRINT, f)?;
        }
        self.remove_staging()?;
        Ok(stats)
    }

    /// The first build into this folder: the whole staging tree becomes the
    /// output in one rename.
    fn publish_first(
        &self,
        entries: &[Entry],
        fingerprint: Option<&str>,
        mut stats: WriteStats,
    ) -> io::Result<WriteStats> {
        let current: BTreeSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        let manifest = manifest_text(&current);
        self.write_tags(&[&trust::mac(self.key, &self.dir, &manifest)])?;
        self.staging.write(MANIFEST, manifest.as_bytes())?;
        if let Some(f) = fingerprint {
            self.staging.write(FINGERPRINT, f)?;
        }
        match self.parent.symlink_metadata(&self.name) {
            Ok(m) if m.is_dir() => self.parent.remove_dir(&self.name)?, // empty: checked in open()
            Ok(_) => return Err(link_error(&self.dir)),
            Err(_) => {}
        }
        // The marker goes with the tree; it is removed right after (and by
        // the next open, should this process stop in between).
        self.parent.rename(&self.staging_name, &self.parent, &self.name)?;
        let out = open_dir_nofollow(&self.parent, &self.name)?;
        out.remove_file(STAGING_MARKER)?;
        stats.written = entries.len();
        stats.bytes = entries.iter().map(|e| e.len).sum();
        Ok(stats)
    }

    /// Fail if `path` in `out`, or a folder on the way to it, is a link.
    fn check_links(&self, out: &Dir, path: &str, checked: &mut HashSet<String>) -> io::Result<()> {
        let mut prefix = String::new();
        for part in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if checked.contains(&prefix) {
                continue;
            }
            match out.symlink_metadata(&prefix) {
                Ok(m) if m.file_type().is_symlink() => return Err(link_error(&self.dir.join(&prefix))),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e),
            }
            checked.insert(prefix.clone());
        }
        Ok(())
    }

    /// Remove the staging folder, its marker last, so that a clean-up that
    /// stops half-way is still recognised as eventref's by the next build.
    fn remove_staging(&self) -> io::Result<()> {
        for entry in self.staging.entries()? {
            let entry = entry?;
            let name = entry.file_name();
            if name == STAGING_MARKER {
                continue;
            }
            if entry.file_type()?.is_dir() {
                self.staging.remove_dir_all(&name)?;
            } else {
                self.staging.remove_file(&name)?;
            }
        }
        self.staging.remove_file(STAGING_MARKER)?;
        self.parent.remove_dir(&self.staging_name)
    }

    /// Throw away the staged files; the published output stays as it was.
    pub fn abort(self) {
        let _ = self.remove_staging();
    }
}

/// Open the folder `name` in `parent`, refusing a link. (`Dir` keeps the
/// result inside `parent` whatever happens between the check and the open.)
fn open_dir_nofollow(parent: &Dir, name: &str) -> io::Result<Dir> {
    if parent.symlink_metadata(name)?.file_type().is_symlink() {
        return Err(io::Error::other(format!("{name} is a symbolic link")));
    }
    parent.open_dir(name)
}

fn trust_key() -> Result<&'static [u8; 32], Box<Diagnostic>> {
    trust::key().map_err(|e| {
        refuse(
            e,
            "eventref signs each output manifest with a per-user key (see docs/security.md)",
        )
    })
}

/// Take the lock file `name` in `parent`, waiting while another build holds it.
fn take_lock(parent: &Dir, name: &str) -> io::Result<std::fs::File> {
    if parent
        .symlink_metadata(name)
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(io::Error::other("the lock file is a symbolic link"));
    }
    let mut opts = cap_std::fs::OpenOptions::new();
    opts.read(true).write(true).create(true);
    let file = parent.open_with(name, &opts)?.into_std();
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!("another build is writing here ({name} is locked); waiting for it to finish");
            file.lock()?;
            Ok(file)
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

impl Output {
    /// Make `dir` (and its parents) in the staging folder, once per build.
    fn make_dir(&self, dir: &str) -> io::Result<()> {
        let made = || self.made_dirs.lock().unwrap_or_else(|e| e.into_inner());
        if made().contains(dir) {
            return Ok(());
        }
        let (parent, name) = match dir.rsplit_once('/') {
            Some((parent, name)) => {
                self.make_dir(parent)?;
                (Some(self.parent_dir(parent)?), name)
            }
            None => (None, dir),
        };
        let parent = parent.as_deref().unwrap_or(&self.staging);
        match parent.create_dir(name) {
            Ok(()) => {}
            // Made at the same time by another thread.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && parent.symlink_metadata(name)?.is_dir() => {
            }
            Err(e) => return Err(e),
        }
        made().insert(dir.to_string());
        Ok(())
    }

    /// An open handle of folder `dir` of the staging folder (see `parents`).
    fn parent_dir(&self, dir: &str) -> io::Result<Arc<Dir>> {
        let cache = || self.parents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, d)) = cache().iter().find(|(p, _)| p == dir) {
            return Ok(d.clone());
        }
        let d = Arc::new(self.staging.open_dir(dir)?);
        let mut parents = cache();
        if parents.len() == OPEN_PARENTS {
            parents.remove(0);
        }
        parents.push((dir.to_string(), d.clone()));
        Ok(d)
    }
}

impl PageSink for Output {
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        safe_path(path)?;
        // Compare with the published file (never through a link: a link is
        // "changed", and the commit then refuses it by name).
        let old_len = self.published_len(path);
        let changed = old_len != Some(bytes.len() as u64)
            || self
                .out
                .as_ref()
                .is_none_or(|out| out.read(path).map(|old| old != bytes).unwrap_or(true));
        if changed {
            if let Some((parent, _)) = path.rsplit_once('/') {
                self.make_dir(parent)?;
            }
            let mut f = self.staging.create(path)?;
            f.write_all(bytes)?;
        }
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Entry {
                path: path.to_string(),
                changed,
                len: bytes.len() as u64,
                old_len,
            });
        Ok(())
    }

    /// A file of the previous build, if its manifest lists it and it is a
    /// file (never read through a link).
    fn previous(&self, path: &str) -> Option<Vec<u8>> {
        safe_path(path).ok()?;
        self.published_len(path)?;
        self.out.as_ref()?.read(path).ok()
    }

    /// Drop a file of the previous build on commit (a path this run also
    /// writes stays). Only a file eventref's manifest lists is ever
    /// deleted; any other path is ignored.
    fn remove(&self, path: &str) -> io::Result<()> {
        safe_path(path)?;
        if !self.fresh && self.previous.contains(path) {
            self.dropped
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_string());
        }
        Ok(())
    }
}

/// `path` as a page sink takes it: relative, with normal components only.
fn safe_path(path: &str) -> io::Result<()> {
    if valid_site_path(path) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing unsafe output path {path:?}"),
        ))
    }
}

/// Delete the previous build's `removed` files (files only, never through a
/// link) and the folders they leave empty, up to the output root. Returns
/// how many files went.
fn remove_files(out: &Dir, removed: &[&String]) -> io::Result<usize> {
    let mut count = 0;
    for old in removed {
        if out.symlink_metadata(old.as_str()).is_ok_and(|m| m.is_file()) {
            out.remove_file(old.as_str())?;
            count += 1;
            let mut folder = old.as_str();
            while let Some((p, _)) = folder.rsplit_once('/') {
                if out.remove_dir(p).is_err() {
                    break;
                }
                folder = p;
            }
        }
    }
    Ok(count)
}

/// Remove the staging folder an interrupted build left beside the output;
/// refuse anything of that name that eventref did not create.
fn remove_stale_staging(
    parent_dir: &Dir,
    staging_name: &str,
    staging_path: &Path,
) -> Result<(), Box<Diagnostic>> {
    let Ok(meta) = parent_dir.symlink_metadata(staging_name) else {
        return Ok(());
    };
    let marked = meta.is_dir()
        && open_dir_nofollow(parent_dir, staging_name)
            .and_then(|d| d.symlink_metadata(STAGING_MARKER))
            .is_ok_and(|m| m.is_file());
    if !marked {
        return Err(refuse(
            format!(
                "{} exists and was not created by eventref",
                staging_path.display()
            ),
            "remove or rename it, then build again",
        ));
    }
    parent_dir.remove_dir_all(staging_name).map_err(|e| {
        refuse(
            format!(
                "cannot remove stale staging folder {}: {e}",
                staging_path.display()
            ),
            "remove it by hand",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    /// Pages put from both cores into more folders than the handles kept
    /// open for making folders, in an order that leaves and comes back to
    /// folders, all land where their paths say, with their bytes.
    #[test]
    fn pages_put_in_parallel_into_many_folders_all_land() {
        let site = tempfile::tempdir().unwrap();
        let config = Config::parse(site.path(), "title = \"T\"\n").unwrap();
        let out_dir = site.path().join("public");
        let output = Output::open(&config, &out_dir).unwrap();
        let paths: Vec<String> = (0..600)
            .map(|i| format!("l{}/s{}/{}/index.html", i % 2, (i * 7) % (3 * OPEN_PARENTS), i))
            .chain((0..40).map(|i| format!("l{}/s{i}/category/c{i}/index.html", i % 2)))
            .collect();
        paths
            .par_iter()
            .for_each(|p| output.put(p, p.as_bytes()).unwrap());
        output.commit().unwrap();
        for p in &paths {
            assert_eq!(std::fs::read_to_string(out_dir.join(p)).unwrap(), *p);
        }
    }
}
