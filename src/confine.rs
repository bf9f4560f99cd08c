//! Confinement of site inputs: a symbolic link under the site folder
//! (`content/`, `static/`, `templates/`, `i18n/`, a theme) may point anywhere
//! inside the site, but never outside it, so that building a pull request
//! cannot publish `~/.ssh/id_rsa` through `static/leak.txt -> ~/.ssh/id_rsa`.

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location};

/// The canonical site root, for [`escapes`].
pub fn canonical_root(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// Whether `path` (a link, or a path through one) resolves outside `root`
/// (canonical). A path that cannot be resolved does not escape: reading it
/// fails later with its own error.
pub fn escapes(root: &Path, path: &Path) -> bool {
    path.canonicalize().is_ok_and(|p| !p.starts_with(root))
}

/// The error for a link at `shown` (as shown to the user) that leads outside the site.
pub fn link_outside(shown: &Path) -> Diagnostic {
    Diagnostic::error(
        "link-outside-site",
        format!(
            "{} is a symbolic link to a place outside the site folder",
            crate::diagnostics::slash_path(shown)
        ),
    )
    .at(Location::file_only(shown))
    .help("copy the file into the site, or point the link at a file inside the site folder")
}
