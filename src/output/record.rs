//! The fingerprint record a commit leaves in the output folder
//! (`.eventref-fingerprint`: the build's input fingerprint, the folder's file
//! count and total size; see [`recorded_build`](super::recorded_build)), and
//! the names of the files eventref keeps beside the folder.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cap_std::fs::Dir;

use super::{Entry, FINGERPRINT, Output, WriteStats, normalize};

/// The file `.<name>.eventref-<suffix>` that eventref keeps beside the
/// output folder `dir` (outside the published tree, like the lock file), or
/// `None` when `dir` has no usable name.
pub fn beside(dir: &Path, suffix: &str) -> Option<PathBuf> {
    let dir = normalize(dir);
    let name = dir.file_name()?.to_str()?;
    Some(dir.with_file_name(format!(".{name}.eventref-{suffix}")))
}

/// The record a commit is to write.
pub(super) enum Record {
    /// None (the run is not a whole build, or had no fingerprint to record).
    None,
    /// A run that writes the whole site: its record, from what it wrote.
    Whole(String),
    /// An update that vouches for the whole folder (see
    /// [`Output::record_update_fingerprint`](super::Output::record_update_fingerprint)),
    /// with the record it replaces.
    Update(u64, Option<String>),
}

impl Record {
    /// The record for a commit of `entries` by `output`, read before anything moves.
    pub(super) fn plan(output: &Output, entries: &[Entry]) -> Record {
        let out = output.out.as_ref();
        match (output.fingerprint, output.update_fingerprint) {
            (None, _) => Record::None,
            (Some(fp), false) => {
                let bytes: u64 = entries.iter().map(|e| e.len).sum();
                Record::Whole(format!("{fp:016x} {} {bytes}\n", entries.len()))
            }
            (Some(fp), true) => Record::Update(fp, out.and_then(|o| o.read_to_string(FINGERPRINT).ok())),
        }
    }

    /// The record of a run that writes the whole site.
    pub(super) fn whole(&self) -> Option<&str> {
        match self {
            Record::Whole(text) => Some(text),
            _ => None,
        }
    }

    /// The text to write once the files are in place. An update's file
    /// count and size are the whole folder's (and go into its `stats`): when
    /// it kept the file list (`same_files`) they follow from the record it
    /// replaced and the sizes of the files it rewrote; otherwise the files
    /// (`current`) are counted and measured. `None` when a total cannot be
    /// known.
    pub(super) fn finish(
        self,
        out: &Dir,
        entries: &[Entry],
        (same_files, current): (bool, &BTreeSet<&str>),
        stats: &mut WriteStats,
    ) -> Option<String> {
        let (fp, old) = match self {
            Record::None => return None,
            Record::Whole(text) => return Some(text),
            Record::Update(fp, old) => (fp, old),
        };
        let (files, bytes) = if same_files {
            let mut parts = old?
                .split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect::<Vec<_>>()
                .into_iter();
            let files: usize = parts.next()?.parse().ok()?;
            let mut bytes = i128::from(parts.next()?.parse::<u64>().ok()?);
            for e in entries {
                bytes += i128::from(e.len) - i128::from(e.old_len?);
            }
            (files, u64::try_from(bytes).ok()?)
        } else {
            let mut total = 0;
            for p in current {
                total += out.symlink_metadata(p).ok().filter(|m| m.is_file())?.len();
            }
            (current.len(), total)
        };
        (stats.files, stats.bytes) = (files, bytes);
        Some(format!("{fp:016x} {files} {bytes}\n"))
    }
}
