//! Reading import inputs: the files and folders named on the command line
//! (expanded, sorted), each file's text (UTF-8 or UTF-16 with a byte order
//! mark, within a size limit) and the short origin written into records.

use super::*;

/// Read an input file as text: UTF-8 (with or without BOM) or UTF-16 with a BOM
/// (what `mc -u` reads). Line ends are normalized to `\n`.
pub fn read_input(path: &Path) -> Result<String, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Box::new(
            Diagnostic::error("read-error", format!("cannot read {}: {e}", path.display()))
                .at(Location::file_only(path))
                .help("check the path and the file's permissions"),
        )
    })?;
    let text = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).ok()
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).ok()
    } else {
        let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(rest.to_vec()).ok()
    };
    let text = text.ok_or_else(|| {
        Box::new(
            Diagnostic::error(
                "invalid-encoding",
                format!("{} is not UTF-8 or UTF-16 text", path.display()),
            )
            .at(Location::file_only(path))
            .help("save the file as UTF-8 (or UTF-16 with a byte order mark)"),
        )
    })?;
    Ok(text.replace("\r\n", "\n"))
}

/// Expand the inputs given on the command line: files as they are, folders as
/// the files in them whose name ends with `.{ext}` (sorted).
pub fn expand_inputs(inputs: &[PathBuf], ext: &str) -> Result<Vec<PathBuf>, Failure> {
    expand_inputs_any(inputs, &[ext])
}

/// [`expand_inputs`] for folders whose files may have any of the extensions `exts`.
pub fn expand_inputs_any(inputs: &[PathBuf], exts: &[&str]) -> Result<Vec<PathBuf>, Failure> {
    let ext = exts.join(", .");
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    content_failure(one(Diagnostic::error(
                        "read-error",
                        format!("cannot read {}: {e}", p.display()),
                    )
                    .at(Location::file_only(p))))
                })?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| {
                    f.is_file()
                        && f.extension()
                            .is_some_and(|x| exts.iter().any(|e| x.to_string_lossy().eq_ignore_ascii_case(e)))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Failure {
                    kind: FailureKind::Config,
                    diagnostics: one(Diagnostic::error(
                        "no-input",
                        format!("{} holds no .{ext} files", p.display()),
                    )
                    .help(format!("pass .{ext} files or a folder that holds some"))),
                });
            }
            out.extend(files);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(Failure {
                kind: FailureKind::Config,
                diagnostics: one(
                    Diagnostic::error("no-input", format!("{} does not exist", p.display()))
                        .help("check the path (it is relative to the current folder, not to --root)"),
                ),
            });
        }
    }
    Ok(out)
}

/// Read and parse every file with `parse`; all errors of all files at once
/// (sorted), or each file with its text and what `parse` made of it.
pub fn parse_inputs<T>(
    files: &[PathBuf],
    parse: impl Fn(&Path, &str) -> Result<T, Vec<Diagnostic>>,
) -> Result<Vec<(PathBuf, Arc<str>, T)>, Failure> {
    let mut errors = Diagnostics::new();
    let mut parsed = Vec::new();
    for f in files {
        match read_input(f) {
            Ok(text) => match parse(f, &text) {
                Ok(p) => parsed.push((f.clone(), Arc::<str>::from(text.as_str()), p)),
                Err(ds) => errors.extend(ds),
            },
            Err(d) => errors.push(*d),
        }
    }
    if errors.error_count() > 0 {
        errors.sort();
        return Err(content_failure(errors));
    }
    Ok(parsed)
}

/// `<parent folder>/<file name>` of an input, as the marker names it.
pub fn origin_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
    {
        Some(dir) if !dir.is_empty() && dir != "." => format!("{dir}/{name}"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of(Path::new("/data/W2022_21H2/Ntfs.csv")),
            "W2022_21H2/Ntfs.csv"
        );
        assert_eq!(origin_of(Path::new("Ntfs.csv")), "Ntfs.csv");
    }
}
