//! Trust: the per-user secret that lets eventref recognise output folders its
//! own earlier builds wrote.
//!
//! Every output manifest (`.eventref-manifest`) has a MAC, kept in the lock
//! file next to the output folder: HMAC-SHA256,
//! keyed with 32 random bytes kept outside every published tree, over the
//! output folder's canonical path and the manifest's text. A manifest that a
//! repository, an archive or another user planted cannot carry a valid MAC (the
//! key never leaves the user's state folder), so eventref treats such a folder
//! as foreign: it neither deletes nor overwrites anything in it.
//!
//! The key lives in `$EVENTREF_STATE_DIR/output-key`, or else in
//! `$XDG_STATE_HOME/eventref/`, `~/.local/state/eventref/` (Unix) or
//! `%LOCALAPPDATA%\eventref\` (Windows). It is created on first use with mode
//! 0600 in a 0700 folder, and refused when other users could read or change it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The environment variable that overrides where the key is kept.
pub const STATE_DIR_ENV: &str = "EVENTREF_STATE_DIR";
const KEY_FILE: &str = "output-key";

/// The folder holding eventref's per-user state.
pub fn state_dir() -> Option<PathBuf> {
    let non_empty = |v: std::ffi::OsString| (!v.is_empty()).then(|| PathBuf::from(v));
    if let Some(d) = std::env::var_os(STATE_DIR_ENV).and_then(non_empty) {
        return Some(d);
    }
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA")
            .and_then(non_empty)
            .map(|d| d.join("eventref"));
    }
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").and_then(non_empty) {
        return Some(d.join("eventref"));
    }
    std::env::var_os("HOME")
        .and_then(non_empty)
        .map(|h| h.join(".local/state/eventref"))
}

/// The key, read or created once per process.
pub fn key() -> Result<&'static [u8; 32], String> {
    static KEY: OnceLock<Result<[u8; 32], String>> = OnceLock::new();
    KEY.get_or_init(|| {
        let dir = state_dir().ok_or_else(|| {
            format!("no folder for eventref's key: set {STATE_DIR_ENV} (or HOME) to a private folder")
        })?;
        load_or_create(&dir).map_err(|e| {
            format!(
                "cannot use eventref's key in {}: {e} (set {STATE_DIR_ENV} to a private folder)",
                dir.display()
            )
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn load_or_create(dir: &Path) -> io::Result<[u8; 32]> {
    create_private_dir(dir)?;
    let path = dir.join(KEY_FILE);
    if let Some(k) = read_key(&path)? {
        return Ok(k);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // Written whole under a private name, then linked into place: a second
    // process racing us either links first (we read its key) or finds ours.
    let tmp = dir.join(format!("{KEY_FILE}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    write_private(&tmp, hex.as_bytes())?;
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(bytes),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            read_key(&path)?.ok_or_else(|| io::Error::other("the key file vanished"))
        }
        Err(e) => Err(e),
    }
}

fn read_key(path: &Path) -> io::Result<Option<[u8; 32]>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(io::Error::other(format!(
                "{} can be read or changed by other users (make it mode 0600)",
                path.display()
            )));
        }
    }
    let text = std::fs::read_to_string(path)?;
    let text = text.trim();
    let mut key = [0u8; 32];
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(io::Error::other(format!(
            "{} is not an eventref key",
            path.display()
        )));
    }
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(io::Error::other)?;
    }
    Ok(Some(key))
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// The MAC of `text` as the manifest of the folder at `dir` (canonical), in hex.
pub fn mac(key: &[u8; 32], dir: &Path, text: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(dir.to_string_lossy().as_bytes());
    m.update(b"\0");
    m.update(text.as_bytes());
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `tag` (hex) is the MAC of `text` for `dir`, compared in constant time.
pub fn verify(key: &[u8; 32], dir: &Path, text: &str, tag: &str) -> bool {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(dir.to_string_lossy().as_bytes());
    m.update(b"\0");
    m.update(text.as_bytes());
    let Some(bytes) = decode_hex(tag) else {
        return false;
    };
    m.verify_slice(&bytes).is_ok()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_bind_key_folder_and_text() {
        let k = [7u8; 32];
        let d = Path::new("/x/public");
        let t = mac(&k, d, "a\nb\n");
        assert!(verify(&k, d, "a\nb\n", &t));
        assert!(!verify(&k, d, "a\nc\n", &t));
        assert!(!verify(&k, Path::new("/y/public"), "a\nb\n", &t));
        assert!(!verify(&[8u8; 32], d, "a\nb\n", &t));
        assert!(!verify(&k, d, "a\nb\n", "zz"));
        assert!(!verify(&k, d, "a\nb\n", ""));
    }
}
