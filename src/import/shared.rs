//! Shared value maps an importer writes (`value_maps/<name>.yaml` and their
//! translations `value_maps/<name>.<lang>.yaml`), under the same rules as
//! records: the import marker and hashes at the top, a file without the
//! marker is a person's and left alone, a block a person edited is kept.

use super::*;

/// The first line of a value map file an importer writes (value maps have no
/// editor schema).
pub const VALUE_MAP_HEADER: &str =
    "# A shared value map: the meaning of coded values (see eventref's docs/authoring.md).";

impl Importer {
    /// Create or update the shared file `rel` (a value map or its
    /// translation) with the YAML `blocks` the importer owns.
    pub fn shared_file(&mut self, rel: &Path, origin: &str, blocks: &FieldValues) -> Result<(), Failure> {
        let header = ImportHeader {
            schema: VALUE_MAP_HEADER.to_string(),
            marker: self.marker(origin),
            notes: Vec::new(),
        };
        if !self.config.root.join(rel).exists() {
            let mut text = header.render(&hashes_of(blocks));
            for block in blocks.iter().filter_map(|(_, b)| b.as_ref()) {
                text.push_str(block);
            }
            return self.write(rel, &text);
        }
        let text = match crate::content::read_text(&self.config.root, rel) {
            Ok(t) if has_marker(&t) => t,
            Ok(_) => {
                self.warn_once(
                    format!("hand-written {}", slash_path(rel)),
                    Diagnostic::warning(
                        "import-hand-written",
                        format!(
                            "{} was written by hand, so the import left it as it is",
                            slash_path(rel)
                        ),
                    )
                    .at(Location::file_only(rel))
                    .help(format!(
                        "add the line `{MARKER}…` at its top to let the import update it"
                    )),
                );
                return Ok(());
            }
            Err(d) => {
                self.warn(*d);
                return Ok(());
            }
        };
        match update_text(rel, &text, &[], blocks, &header) {
            Ok(u) => {
                self.report.fields_kept += u.kept;
                if u.text != *text {
                    self.write(rel, &u.text)?;
                }
            }
            Err(d) => self.warn(*d),
        }
        Ok(())
    }
}
