//! The build state: what `eventref build` keeps between two runs, beside the
//! output folder (`.<name>.eventref-state`, next to the lock file, never in
//! the published tree), so that a build after a few edits re-reads only the
//! edited files and renders only the pages they can change.
//!
//! It holds, for the build that last published the folder:
//! - the *settings*: a hash of eventref itself, the build options,
//!   `site.toml`, the theme, `templates/`, `static/`, `i18n/` and
//!   `value_maps/` (any change there means a full build);
//! - every file under `content/` with its size, modification time and
//!   BLAKE3 hash (a file whose size and time are unchanged is not read again,
//!   unless its time was too close to the last build's to tell edits apart);
//! - the fingerprint record the build left in the folder
//!   (`.eventref-fingerprint`): any other build or `serve` into the folder
//!   removes or replaces it, so a state that does not match it is stale;
//! - the checked content itself ([`Snapshot`]), encoded with postcard (a
//!   compact serde format with a documented, stable wire format: no field
//!   names or text escapes to parse, so 10,000 events read back in a few
//!   tens of milliseconds).
//!
//! The file starts with a header naming the format and the exact eventref
//! binary, and ends with a MAC (BLAKE3 in keyed mode: in the profile of a
//! 10,000-event build it took a third of the time HMAC-SHA256 did over the
//! 22 MB state) of the state's path and contents with the
//! user's own key (the one that signs output manifests, see
//! `output::trust`): a state planted by a repository or left by another
//! eventref, a truncated or corrupted one, is not read at all. Whatever is
//! wrong with it, the result is a full build. The state never steers a write
//! or a delete: pages still go through `output/`, whose manifest decides
//! what may be deleted.
//!
//! The incremental build itself is in [`super::incremental`].

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::BuildOptions;
use crate::config::{CONFIG_FILE, Config};
use crate::content::{FileStamp, Snapshot, SnapshotParts, SnapshotRef};

/// The header's first word and the layout version of the file.
const FORMAT: &str = "eventref-state 1";
/// The suffix of the state file's name (`.<name>.eventref-state`).
const SUFFIX: &str = "state";
/// A modification time this close to the scan that recorded it cannot tell
/// a later edit apart (file systems keep times at a clock tick): such a file
/// is read again.
const RACY: Duration = Duration::from_millis(50);
/// The same for times without a fraction of a second (file systems that keep
/// whole or even seconds).
const RACY_COARSE: Duration = Duration::from_secs(2);

/// One file under `content/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct FileStat {
    /// Relative to the site root, `/`-separated.
    pub(super) path: String,
    size: u64,
    /// Nanoseconds since the Unix epoch.
    mtime: u128,
    /// BLAKE3 hash of the bytes.
    pub(super) hash: [u8; 32],
}

/// What a build reads, as far as the state compares it.
pub(super) struct Inputs {
    /// The hash of everything but `content/` (see the module docs).
    settings: [u8; 32],
    /// Every file under `content/`, by path; `None` when a path cannot be
    /// kept (not UTF-8): such a site always builds in full.
    pub(super) files: Option<Vec<FileStat>>,
    /// When the files were looked at (nanoseconds since the Unix epoch).
    scanned: u128,
}

/// What a build looks at first: the settings hashed and the content files
/// listed, no content file opened yet ([`Scan::hash`] makes the
/// [`Inputs`]). A build that can only be a full one (no fingerprint record
/// in the output folder, or `--force`) takes each file's size, time and
/// hash from the load that read it ([`Scan::hash_loaded`]).
pub(super) struct Scan {
    settings: [u8; 32],
    paths: Option<Vec<String>>,
    scanned: u128,
}

impl Scan {
    /// List the inputs of a build of `config` with `opts`; `since` is when
    /// the build began looking at its inputs (taken before the content is
    /// loaded, when both are done at once).
    pub(super) fn start(config: &Config, opts: &BuildOptions, since: SystemTime) -> Scan {
        let (settings, paths) = rayon::join(|| settings_hash(config, opts), || content_paths(config));
        Scan {
            settings,
            paths,
            scanned: nanos(since),
        }
    }

    /// The inputs, each content file's hash taken from `previous` when its
    /// size and time are the ones recorded there, else read and hashed.
    pub(super) fn hash(self, config: &Config, previous: Option<&State>) -> Inputs {
        self.hash_with(config, previous.map(|p| &p.body), &HashMap::new())
    }

    /// The inputs, with the size, time and hash of each content file the
    /// load read as it saw them (`stamps`, see [`FileStamps`]); any other
    /// file (one the load does not read, such as a note beside the records)
    /// is read and hashed here. A load and this hashing each reading every
    /// file took the other core for most of a build's loading.
    ///
    /// [`FileStamps`]: crate::content::FileStamps
    pub(super) fn hash_loaded(self, config: &Config, stamps: &HashMap<PathBuf, FileStamp>) -> Inputs {
        self.hash_with(config, None, stamps)
    }

    fn hash_with(
        self,
        config: &Config,
        previous: Option<&Body>,
        stamps: &HashMap<PathBuf, FileStamp>,
    ) -> Inputs {
        Inputs {
            settings: self.settings,
            files: self.paths.map(|p| hash_files(config, p, previous, stamps)),
            scanned: self.scanned,
        }
    }
}

/// The state of the last build, read and verified.
pub(super) struct State {
    /// The text of the output folder's fingerprint record after that build.
    record: String,
    body: Body,
}

/// What the state file holds after its header, MAC and fingerprint record.
struct Body {
    settings: [u8; 32],
    scanned: u128,
    files: Vec<FileStat>,
    /// The content as that build checked it.
    snapshot: Snapshot,
}

/// [`Body`] as decoded from the buffer the file was read into.
#[derive(Deserialize)]
struct BodyParts<'a> {
    settings: [u8; 32],
    scanned: u128,
    files: Vec<FileStat>,
    #[serde(borrow)]
    snapshot: SnapshotParts<'a>,
}

/// [`Body`] as a build writes it (the same fields, borrowed).
#[derive(Serialize)]
struct BodyRef<'a> {
    settings: [u8; 32],
    scanned: u128,
    files: &'a [FileStat],
    snapshot: SnapshotRef<'a>,
}

fn nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// eventref itself: the version and the executable's size and time, so that
/// a state written by another build of eventref is never read.
fn header() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|e| std::fs::metadata(e).ok())
        .map(|m| format!("{}:{}", m.len(), m.modified().map_or(0, nanos)))
        .unwrap_or_default();
    format!("{FORMAT} {} {exe}\n", env!("CARGO_PKG_VERSION"))
}

impl Inputs {
    /// The input fingerprint recorded in the output folder: two builds with
    /// the same fingerprint produce the same output.
    pub(super) fn fingerprint(&self) -> u64 {
        let mut h = blake3::Hasher::new();
        h.update(&self.settings);
        match &self.files {
            Some(files) => {
                for f in files {
                    h.update(f.path.as_bytes());
                    h.update(&[0]);
                    h.update(&f.hash);
                }
            }
            // Paths that cannot be kept: a fingerprint that matches nothing.
            None => {
                h.update(&self.scanned.to_le_bytes());
            }
        }
        let d = h.finalize();
        u64::from_le_bytes(d.as_bytes()[..8].try_into().unwrap_or_default())
    }
}

/// The hash of eventref, the options, `site.toml` and every input folder but
/// `content/` (names and bytes).
fn settings_hash(config: &Config, opts: &BuildOptions) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(header().as_bytes());
    h.update(
        format!(
            "{:?}",
            (opts.strict, opts.search, &config.base_url, config.offline)
        )
        .as_bytes(),
    );
    h.update(config.root.to_string_lossy().as_bytes());
    h.update(&[0]);
    let mut files: Vec<PathBuf> = vec![config.root.join(CONFIG_FILE)];
    let content = config.content_dir();
    let mut dirs = config.input_dirs();
    dirs.retain(|d| *d != content);
    dirs.dedup();
    for d in &dirs {
        files.extend(
            walkdir::WalkDir::new(d)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path()),
        );
    }
    let hashes: Vec<[u8; 32]> = files
        .par_iter()
        .map(|p| {
            let mut fh = blake3::Hasher::new();
            fh.update(p.to_string_lossy().as_bytes());
            match std::fs::read(p) {
                Ok(bytes) => {
                    fh.update(&[1]);
                    fh.update(&bytes);
                }
                Err(_) => {
                    fh.update(&[0]);
                }
            }
            fh.finalize().into()
        })
        .collect();
    for x in hashes {
        h.update(&x);
    }
    h.finalize().into()
}

/// Every file under `content/` (hidden ones left out, as the content stage
/// leaves them), relative to the site root and `/`-separated, sorted.
fn content_paths(config: &Config) -> Option<Vec<String>> {
    let mut paths = Vec::new();
    let walker = walkdir::WalkDir::new(config.content_dir())
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&config.root).ok()?;
        let parts: Option<Vec<&str>> = rel.iter().map(|c| c.to_str()).collect();
        paths.push(parts?.join("/"));
    }
    paths.sort();
    Some(paths)
}

/// The files at `paths` with their size, time and hash: as the load saw
/// them when it read them (`stamps`); else the size and time now, and the
/// hash from `previous` when they match it and the time was not too close
/// to that scan, else read now.
fn hash_files(
    config: &Config,
    paths: Vec<String>,
    previous: Option<&Body>,
    stamps: &HashMap<PathBuf, FileStamp>,
) -> Vec<FileStat> {
    let known = |f: &FileStat| -> Option<[u8; 32]> {
        let p = previous?;
        let i = p.files.binary_search_by(|o| o.path.cmp(&f.path)).ok()?;
        let o = &p.files[i];
        (o.size == f.size && o.mtime == f.mtime && !racy(o.mtime, p.scanned)).then_some(o.hash)
    };
    paths
        .into_par_iter()
        .map(|path| {
            if let Some(s) = stamps.get(Path::new(&path)) {
                return FileStat {
                    size: s.size,
                    mtime: s.modified.map_or(0, nanos),
                    hash: s.hash,
                    path,
                };
            }
            let full = config.root.join(&path);
            let meta = std::fs::metadata(&full).ok();
            let mut f = FileStat {
                size: meta.as_ref().map_or(0, |m| m.len()),
                mtime: meta.and_then(|m| m.modified().ok()).map_or(0, nanos),
                hash: [0; 32],
                path,
            };
            f.hash =
                known(&f).unwrap_or_else(|| blake3::hash(&std::fs::read(&full).unwrap_or_default()).into());
            f
        })
        .collect()
}

/// Whether a file whose time was `mtime` when the files were looked at, at
/// `scanned`, may have been edited again since without its time changing.
fn racy(mtime: u128, scanned: u128) -> bool {
    let window = if mtime.is_multiple_of(1_000_000_000) {
        RACY_COARSE
    } else {
        RACY
    };
    mtime + window.as_nanos() >= scanned
}

/// The output folder's fingerprint record, if it has one (never read through a link).
pub(super) fn output_record(out_dir: &Path) -> Option<String> {
    let path = out_dir.join(crate::output::FINGERPRINT);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 1024 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

impl State {
    /// The state beside `out_dir`, if there is one that this eventref wrote
    /// for this folder with this user's key and it reads back whole.
    pub(super) fn read(out_dir: &Path) -> Option<State> {
        let path = crate::output::beside(out_dir, SUFFIX)?;
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        let header = header();
        let rest = bytes.strip_prefix(header.as_bytes())?;
        let (signed, tag) = rest.split_at_checked(rest.len().checked_sub(32)?)?;
        let tag: [u8; 32] = tag.try_into().ok()?;
        // `blake3::Hash` compares in constant time.
        if mac(&path, header.as_bytes(), signed)?.finalize() != blake3::Hash::from_bytes(tag) {
            return None;
        }
        // The body, the record, the record's length.
        let (rest, len) = signed.split_at_checked(signed.len().checked_sub(4)?)?;
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let (body, record) = rest.split_at_checked(rest.len().checked_sub(len)?)?;
        let record = std::str::from_utf8(record).ok()?.to_string();
        let BodyParts {
            settings,
            scanned,
            files,
            snapshot,
        } = postcard::from_bytes(body).ok()?;
        // The record files' parts stay in the buffer, decoded when restored.
        let snapshot = snapshot.places(&bytes)?.in_buffer(bytes);
        let body = Body {
            settings,
            scanned,
            files,
            snapshot,
        };
        Some(State { record, body })
    }

    /// The fingerprint record of the build it describes, and the content that build checked.
    pub(super) fn into_parts(self) -> (String, Snapshot) {
        (self.record, self.body.snapshot)
    }

    /// The content files that changed since this state was written, if an
    /// incremental build can start from it: the same settings, the output
    /// folder still holding this state's build, the same set of files.
    pub(super) fn changes(&self, inputs: &Inputs, out_dir: &Path) -> Option<Vec<PathBuf>> {
        let files = inputs.files.as_ref()?;
        let old = &self.body.files;
        if self.body.settings != inputs.settings || output_record(out_dir)? != self.record {
            return None;
        }
        if files.len() != old.len() || files.iter().zip(old).any(|(a, b)| a.path != b.path) {
            return None;
        }
        Some(
            files
                .iter()
                .zip(old)
                .filter(|(a, b)| a.hash != b.hash)
                .map(|(a, _)| PathBuf::from(&a.path))
                .collect(),
        )
    }
}

/// Whether the output folder `out_dir` still holds, whole, the build whose
/// fingerprint record is `record`: the files of its manifest all there, with
/// the count and total size of the record (what `recorded_build` checks
/// before a build is skipped). A file deleted or cut by hand makes the next
/// build a full one, which writes it again.
pub(super) fn output_intact(record: &str, out_dir: &Path) -> bool {
    let fp = record
        .split_whitespace()
        .next()
        .and_then(|f| u64::from_str_radix(f, 16).ok());
    fp.is_some_and(|fp| crate::output::recorded_build(out_dir, fp).is_some())
}

/// The MAC of a state file at `path` with `header` and `body` (BLAKE3 in
/// keyed mode), keyed with the user's key; `None` when there is no key.
fn mac(path: &Path, header: &[u8], body: &[u8]) -> Option<blake3::Hasher> {
    let key = crate::output::trust::key().ok()?;
    let mut m = blake3::Hasher::new_keyed(key);
    m.update(b"eventref build state\0");
    m.update(path.to_string_lossy().as_bytes());
    m.update(b"\0");
    m.update(header);
    m.update(body);
    Some(m)
}

/// A state being written: its body is in a temporary file beside the
/// output folder; [`Pending::finish`] adds the fingerprint record of the
/// build once it is published, and puts the file in place. Dropped
/// unfinished (the build failed), it removes the temporary file.
pub(super) struct Pending {
    path: PathBuf,
    tmp: PathBuf,
    /// Buffered before the MAC, so that it hashes large blocks.
    out: std::io::BufWriter<Signed<std::fs::File>>,
}

/// Start writing the state of a build of `inputs` into `out_dir` whose
/// checked content is `snapshot` (`None` when the content had warnings: such
/// a state is not kept, and the last one is removed). The file is the
/// header, the body, the fingerprint record, its length, and the MAC of all
/// of them; the body is written as it is encoded (a part at a time), while
/// the build renders. Failing to write it only costs the next build its head
/// start.
pub(super) fn begin(out_dir: &Path, inputs: &Inputs, snapshot: Option<SnapshotRef>) -> Option<Pending> {
    let path = crate::output::beside(out_dir, SUFFIX)?;
    let (Some(files), Some(snapshot)) = (inputs.files.as_deref(), snapshot) else {
        remove(&path);
        return None;
    };
    let body = BodyRef {
        settings: inputs.settings,
        scanned: inputs.scanned,
        files,
        snapshot,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    remove(&tmp);
    let header = header();
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .ok()?;
        f.write_all(header.as_bytes()).ok()?;
        let mac = mac(&path, header.as_bytes(), &[])?;
        let out = std::io::BufWriter::with_capacity(1 << 20, Signed { inner: f, mac });
        postcard::to_io(&body, out).ok()
    })();
    match written {
        Some(out) => Some(Pending { path, tmp, out }),
        None => {
            remove(&tmp);
            remove(&path);
            None
        }
    }
}

impl Pending {
    /// Add the fingerprint record the build left in `out_dir` and put the
    /// state in place, replacing the last one (a rename replaces a link,
    /// never writes through it); without a record, remove the last one.
    pub(super) fn finish(mut self, out_dir: &Path) {
        // (Whatever happens, dropping `self` then removes the temporary file, if it is left.)
        let done = (|| {
            let record =
                output_record(out_dir).filter(|r| r.ends_with('\n') && r.matches('\n').count() == 1)?;
            self.out.write_all(record.as_bytes()).ok()?;
            self.out.write_all(&(record.len() as u32).to_le_bytes()).ok()?;
            self.out.flush().ok()?;
            let signed = self.out.get_mut();
            let tag = signed.mac.finalize();
            signed.inner.write_all(tag.as_bytes()).ok()?;
            std::fs::rename(&self.tmp, &self.path).ok()
        })();
        if done.is_none() {
            remove(&self.path);
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        remove(&self.tmp);
    }
}

/// A writer that adds what it writes to a MAC.
struct Signed<W> {
    inner: W,
    mac: blake3::Hasher,
}

impl<W: std::io::Write> std::io::Write for Signed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.mac.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Remove the state file at `path` (the file or link itself, never what a link points to).
fn remove(path: &Path) {
    if std::fs::symlink_metadata(path).is_ok() {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_close_to_the_scan_are_racy() {
        let s = 10_000_000_000_123;
        assert!(racy(s, s));
        assert!(racy(s - 10_000_000, s));
        assert!(!racy(s - 60_000_000, s));
        // Whole seconds (9 s): a coarse file system.
        assert!(racy(9_000_000_000, 10_500_000_000));
        assert!(!racy(9_000_000_000, 11_500_000_000));
    }

    #[test]
    fn content_stats_list_every_file_but_hidden_ones_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            "content/top.yaml",
            "content/B/2.yaml",
            "content/B/10.de.yaml",
            "content/a/x/deep.yaml",
            "content/a/1.yaml",
            "content/.hidden.yaml",
            "content/.git/config",
            "content/a/.swp",
        ];
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, f).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("content/empty")).unwrap();
        let config =
            Config::parse(dir.path(), "title = \"T\"\nbase_url = \"https://example.org/\"\n").unwrap();
        let paths = content_paths(&config).unwrap();
        assert_eq!(
            paths,
            [
                "content/B/10.de.yaml",
                "content/B/2.yaml",
                "content/a/1.yaml",
                "content/a/x/deep.yaml",
                "content/top.yaml"
            ]
        );
        let stats = hash_files(&config, paths, None, &HashMap::new());
        assert!(stats.iter().all(|f| f.size == f.path.len() as u64 && f.mtime > 0));
        assert!(
            stats
                .iter()
                .all(|f| f.hash == *blake3::hash(f.path.as_bytes()).as_bytes())
        );
    }

    /// A full build takes the files' sizes, times and hashes from the load
    /// that read them: they are the ones reading each file again gives,
    /// for a record starting with a byte-order mark (hashed with it), a
    /// translation, a file that is not valid UTF-8 and one the load does not
    /// read at all.
    #[test]
    fn stamps_from_the_load_are_what_reading_the_files_again_gives() {
        let dir = tempfile::tempdir().unwrap();
        let with_bom = "\u{feff}source: Contoso\nid: 1\nmessage: Backup finished.\n";
        let files: [(&str, &[u8]); 5] = [
            ("content/Contoso/1.yaml", with_bom.as_bytes()),
            (
                "content/Contoso/2.yaml",
                b"source: Contoso\nid: 2\nmessage: Backup started.\n",
            ),
            ("content/Contoso/1.de.yaml", b"message: Sicherung beendet.\n"),
            (
                "content/Contoso/3.yaml",
                b"source: Contoso\nid: 3\nmessage: \xff\n",
            ),
            ("content/notes.txt", b"not a record"),
        ];
        for (f, bytes) in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, bytes).unwrap();
        }
        let config = Config::parse(
            dir.path(),
            "title = \"T\"\nbase_url = \"https://example.org/\"\ndefault_language = \"en\"\n[languages.en]\n[languages.de]\n",
        )
        .unwrap();
        let opts = BuildOptions::default();
        let (_, stamps) = crate::content::Content::load_stamped(&config);
        let stamps = stamps.into_map();
        assert_eq!(stamps.len(), 4, "{stamps:?}");
        let loaded = Scan::start(&config, &opts, SystemTime::now()).hash_loaded(&config, &stamps);
        let read = Scan::start(&config, &opts, SystemTime::now()).hash(&config, None);
        assert_eq!(loaded.files.as_ref().map(Vec::len), Some(5));
        assert_eq!(loaded.files, read.files);
        assert_eq!(loaded.fingerprint(), read.fingerprint());
    }
}
