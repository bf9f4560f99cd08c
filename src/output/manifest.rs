//! The manifest of an output folder: the list of files eventref wrote there
//! (`.eventref-manifest`, the only files it will ever delete), its MAC check
//! against the tags in the lock file, the recorded fingerprint of the build
//! the folder holds, and what counts as a valid path inside the site.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{FINGERPRINT, MANIFEST, STAGING_MARKER, normalize, trust};

const MANIFEST_HEADER: &str = "# eventref output manifest v2: files written by eventref. Do not edit.";
/// The prefix of each MAC line in the lock file.
pub(super) const MAC_PREFIX: &str = "# mac ";

/// The MACs recorded in the lock file at `path` (never read through a link).
pub(super) fn read_tags(path: &Path) -> String {
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return String::new();
    }
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The paths of a manifest with one of the MACs in `tags` for the folder
/// `dir`, and that MAC.
pub(super) fn verified_paths(
    key: &[u8; 32],
    dir: &Path,
    text: &str,
    tags: &str,
) -> Option<(BTreeSet<String>, String)> {
    if !text.starts_with(MANIFEST_HEADER) {
        return None;
    }
    let tag = tags
        .lines()
        .filter_map(|l| l.strip_prefix(MAC_PREFIX))
        .find(|t| trust::verify(key, dir, text, t))?;
    let paths = text
        .lines()
        .skip(1)
        .filter(|l| valid_site_path(l))
        .map(String::from)
        .collect();
    Some((paths, tag.to_string()))
}

/// A manifest verified once and kept by a process that updates one output
/// folder again and again (the live preview), so that an update need not
/// check the MAC of and parse a manifest of 20,000 lines it has already
/// checked. Only a manifest byte-identical to the one verified before, for the
/// same folder and with its MAC still in the lock file, is taken from here;
/// anything else is verified again.
#[derive(Debug, Default)]
pub struct ManifestCache(Mutex<Option<Verified>>);

#[derive(Debug)]
struct Verified {
    dir: PathBuf,
    text: String,
    tag: String,
    paths: Arc<BTreeSet<String>>,
}

impl ManifestCache {
    /// [`verified_paths`], from the cache when `text` is the manifest it holds.
    pub(super) fn verified_paths(
        &self,
        key: &[u8; 32],
        dir: &Path,
        text: &str,
        tags: &str,
    ) -> Option<(Arc<BTreeSet<String>>, String)> {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = slot.as_ref()
            && v.dir == dir
            && v.text == text
            && tags
                .lines()
                .any(|l| l.strip_prefix(MAC_PREFIX) == Some(v.tag.as_str()))
        {
            return Some((Arc::clone(&v.paths), v.tag.clone()));
        }
        let (paths, tag) = verified_paths(key, dir, text, tags)?;
        let paths = Arc::new(paths);
        *slot = Some(Verified {
            dir: dir.to_path_buf(),
            text: text.to_string(),
            tag: tag.clone(),
            paths: Arc::clone(&paths),
        });
        Some((paths, tag))
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
    let key = trust::key().ok()?;
    let dir_n = normalize(dir);
    let lock = super::beside(dir, "lock")?;
    let (paths, _) = verified_paths(key, &dir_n, &manifest, &read_tags(&lock))?;
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

/// The manifest listing `paths`.
pub(super) fn manifest_text(paths: &BTreeSet<&str>) -> String {
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
        && p != STAGING_MARKER
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

#[cfg(test)]
mod cache_tests {
    use super::*;

    fn signed(key: &[u8; 32], dir: &Path, paths: &[&str]) -> (String, String) {
        let text = manifest_text(&paths.iter().copied().collect());
        let tag = trust::mac(key, dir, &text);
        (text, format!("{MAC_PREFIX}{tag}\n"))
    }

    #[test]
    fn the_cache_gives_only_what_verification_would() {
        let key = [7u8; 32];
        let dir = Path::new("/site/public");
        let cache = ManifestCache::default();
        let (text, tags) = signed(&key, dir, &["en/index.html", "en/a/1/index.html"]);
        let (paths, _) = cache.verified_paths(&key, dir, &text, &tags).unwrap();
        assert_eq!(paths.len(), 2);
        // The same manifest again: from the cache, the same answer.
        let (again, _) = cache.verified_paths(&key, dir, &text, &tags).unwrap();
        assert!(
            Arc::ptr_eq(&paths, &again),
            "an unchanged manifest is not verified again"
        );
        // A manifest changed behind eventref's back is verified, and refused.
        let planted = text.replace("en/a/1/index.html", "../../etc/passwd\nhome/.bashrc");
        assert!(cache.verified_paths(&key, dir, &planted, &tags).is_none());
        // Its MAC gone from the lock file: refused although the text is the same.
        assert!(cache.verified_paths(&key, dir, &text, "").is_none());
        // Another folder: the MAC covers the folder, so it is refused.
        assert!(
            cache
                .verified_paths(&key, Path::new("/elsewhere"), &text, &tags)
                .is_none()
        );
        // A new signed manifest replaces the cached one.
        let (text2, tags2) = signed(&key, dir, &["en/index.html"]);
        let (paths2, _) = cache.verified_paths(&key, dir, &text2, &tags2).unwrap();
        assert_eq!(paths2.len(), 1);
    }
}
