//! The files an importer writes, and who owns each of their fields: the
//! `# imported from` marker, the `# import-hash:` and `# import-note:`
//! comments, the rule that keeps a value a person edited ([`ownership`]),
//! and rewriting a field or the header in place, leaving comments and every
//! other field as they are.

use super::*;

/// Whether a file carries the import marker in its leading comments.
pub fn has_marker(text: &str) -> bool {
    leading_comments(text).any(|l| l.starts_with(MARKER))
}

pub(super) fn leading_comments(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .filter(|l| l.starts_with('#'))
}

/// The `# import-hash:` entries of a file.
pub fn parse_hashes(text: &str) -> BTreeMap<String, String> {
    leading_comments(text)
        .filter_map(|l| l.strip_prefix(HASH_PREFIX))
        .flat_map(|rest| rest.split_whitespace())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The comment lines an importer manages at the top of a file.
#[derive(Debug, Clone)]
pub struct ImportHeader {
    /// `# yaml-language-server: $schema=…` (kept as it is when the file has one).
    pub schema: String,
    /// `# imported from …`.
    pub marker: String,
    /// Facts, one `# import-note:` line each.
    pub notes: Vec<String>,
}

impl ImportHeader {
    fn lines(&self, hashes: &BTreeMap<&'static str, String>) -> Vec<String> {
        let mut out = vec![self.marker.clone()];
        for n in &self.notes {
            out.push(format!("{NOTE_PREFIX} {}", crate::content::emit::comment_text(n)));
        }
        if !hashes.is_empty() {
            let mut line = HASH_PREFIX.to_string();
            // In the documented field order.
            let order = |k: &str| RECORD_FIELDS.iter().position(|f| *f == k).unwrap_or(usize::MAX);
            let mut entries: Vec<(&&str, &String)> = hashes.iter().collect();
            entries.sort_by_key(|(k, _)| (order(k), **k));
            for (k, v) in entries {
                line.push_str(&format!(" {k}={v}"));
            }
            out.push(line);
        }
        out
    }

    pub(super) fn render(&self, hashes: &BTreeMap<&'static str, String>) -> String {
        let mut s = format!("{}\n", self.schema);
        for l in self.lines(hashes) {
            s.push_str(&l);
            s.push('\n');
        }
        s
    }
}

pub(super) fn hashes_of(fields: &FieldValues) -> BTreeMap<&'static str, String> {
    fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (*k, short_hash(v))))
        .collect()
}

/// The text of a new imported record.
pub(super) fn new_record_text(header: &ImportHeader, rec: &ImportedRecord) -> String {
    let mut hashes = hashes_of(&rec.fields);
    hashes.extend(hashes_of(&rec.blocks));
    let mut t = header.render(&hashes);
    t.push_str(&format!("source: {}\n", yaml_string(&rec.source)));
    t.push_str(&format!("id: {}\n", rec.id));
    for name in RECORD_FIELDS {
        if let Some((_, Some(v))) = rec.fields.iter().find(|(k, _)| k == name) {
            t.push_str(&format!("{name}: {}\n", yaml_string(v)));
        } else if let Some((_, Some(block))) = rec.blocks.iter().find(|(k, _)| k == name) {
            t.push_str(block);
        }
    }
    t
}

/// The YAML block of the top-level field `name` as `text` holds it (key line
/// and value lines, ending with a line break), or `None` when it is absent.
pub(super) fn block_of(text: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (_, start, end) = spans(&lines).into_iter().find(|(k, _, _)| k == name)?;
    let mut block = lines[start..end].concat();
    if !block.ends_with('\n') {
        block.push('\n');
    }
    Some(block)
}

/// The values an importer may own, as a file holds them now.
#[derive(Deserialize, Default)]
pub(super) struct CurrentValues {
    pub(super) message: Option<String>,
    symbolic_name: Option<String>,
    category: Option<String>,
    level: Option<String>,
    channel: Option<String>,
    task: Option<String>,
    opcode: Option<String>,
}

impl CurrentValues {
    pub(super) fn get(&self, field: &str) -> Option<&String> {
        match field {
            "message" => self.message.as_ref(),
            "symbolic_name" => self.symbolic_name.as_ref(),
            "category" => self.category.as_ref(),
            "level" => self.level.as_ref(),
            "channel" => self.channel.as_ref(),
            "task" => self.task.as_ref(),
            "opcode" => self.opcode.as_ref(),
            _ => None,
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct OverlayValues {
    pub(super) translated_from: Option<BTreeMap<String, String>>,
}

/// Who decides a field's value on a re-import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// The importer: the value is what it wrote last (or absent and never written), or already the new value.
    Importer,
    /// A person changed or removed what the importer wrote: keep it.
    Person,
}

/// Decide who owns a field: `current` is the value in the file, `last` the
/// hash the importer recorded when it last wrote the field, `new` what it would write now.
pub fn ownership(current: Option<&str>, last: Option<&str>, new: Option<&str>) -> Ownership {
    if current == new {
        return Ownership::Importer;
    }
    let current_hash = current.map(short_hash);
    if current_hash.as_deref() == last {
        Ownership::Importer
    } else {
        Ownership::Person
    }
}

/// The result of [`update_text`].
pub struct Updated {
    /// The new text of the file.
    pub text: String,
    /// Fields kept because a person edited them.
    pub kept: usize,
    /// Fields the importer owns after this update.
    pub owned: BTreeSet<&'static str>,
    /// The value of each field after the update.
    pub values: BTreeMap<&'static str, Option<String>>,
}

/// Apply imported `fields` (scalars) and `blocks` (structured fields as
/// YAML blocks) to the text of an imported file, field by field, following
/// the ownership rules, and rewrite its import header. A block belongs to the
/// importer while its text is what the importer wrote.
pub fn update_text(
    file: &Path,
    text: &Arc<str>,
    fields: &FieldValues,
    blocks: &FieldValues,
    header: &ImportHeader,
) -> Result<Updated, Box<Diagnostic>> {
    let all_fields: Vec<&str> = RECORD_FIELDS
        .iter()
        .chain(crate::content::overlay::OVERLAY_FIELDS)
        .copied()
        .collect();
    let current: CurrentValues = crate::content::parse_yaml(file, text, &all_fields)?;
    let last = parse_hashes(text);
    let mut up = Updated {
        text: text.to_string(),
        kept: 0,
        owned: BTreeSet::new(),
        values: BTreeMap::new(),
    };
    let mut hashes: BTreeMap<&'static str, String> = BTreeMap::new();
    let scalars = fields
        .iter()
        .map(|(name, new)| (*name, current.get(name).cloned(), new, false));
    let structured = blocks
        .iter()
        .map(|(name, new)| (*name, block_of(text, name), new, true));
    for (name, cur, new, block) in scalars.chain(structured) {
        let last_hash = last.get(name).map(String::as_str);
        match ownership(cur.as_deref(), last_hash, new.as_deref()) {
            Ownership::Importer => {
                up.owned.insert(name);
                if cur.as_deref() != new.as_deref() {
                    up.text = if block {
                        replace_block(&up.text, name, new.as_deref().unwrap_or(""))
                    } else {
                        set_field(&up.text, name, new.as_deref())
                    };
                }
                if let Some(v) = new {
                    hashes.insert(name, short_hash(v));
                }
                up.values.insert(name, new.clone());
            }
            Ownership::Person => {
                up.kept += 1;
                if let Some(h) = last_hash {
                    hashes.insert(name, h.to_string());
                }
                up.values.insert(name, cur);
            }
        }
    }
    up.text = rewrite_header(&up.text, header, &hashes);
    Ok(up)
}

/// Replace the importer's comment lines at the top of `text`; keep the schema
/// line the file has (or add one) and every other comment.
pub(super) fn rewrite_header(
    text: &str,
    header: &ImportHeader,
    hashes: &BTreeMap<&'static str, String>,
) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let lead = lines
        .iter()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .count();
    // A first line that is not an editor schema line (value maps) is the importer's too.
    let own_first = !header.schema.starts_with("# yaml-language-server:");
    let managed = |l: &str| {
        let l = l.trim_end();
        l.starts_with(MARKER)
            || l.starts_with(HASH_PREFIX)
            || l.starts_with(NOTE_PREFIX)
            || (own_first && l == header.schema)
    };
    let has_schema = lines[..lead]
        .iter()
        .any(|l| l.starts_with("# yaml-language-server:"));
    let mut out = String::with_capacity(text.len() + 200);
    let ours: String = header.lines(hashes).iter().map(|l| format!("{l}\n")).collect();
    let mut placed = false;
    if !has_schema {
        out.push_str(&header.schema);
        out.push('\n');
        out.push_str(&ours);
        placed = true;
    }
    for l in &lines[..lead] {
        if managed(l) {
            continue;
        }
        out.push_str(l);
        if !placed && l.starts_with("# yaml-language-server:") {
            if !l.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&ours);
            placed = true;
        }
    }
    for l in &lines[lead..] {
        out.push_str(l);
    }
    out
}

/// The key of a top-level `key: value` line.
pub(super) fn top_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '#', '-', '\r', '\n'])
        || line.starts_with("...")
        || line.trim().is_empty()
    {
        return None;
    }
    let (k, _) = line.split_once(':')?;
    Some(k.trim().trim_matches('"').trim_matches('\''))
}

/// The top-level keys of a YAML text with the range of lines their values span.
pub(super) fn spans(lines: &[&str]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(key) = top_key(lines[i]) else {
            i += 1;
            continue;
        };
        let mut end = i + 1;
        let mut j = i + 1;
        while j < lines.len() {
            let item = lines[j].starts_with("- ") || lines[j].trim_end() == "-";
            if (lines[j].starts_with([' ', '\t']) || item) && !lines[j].trim().is_empty() {
                j += 1;
                end = j;
            } else if lines[j].trim().is_empty() {
                j += 1;
            } else {
                break;
            }
        }
        out.push((key.to_string(), i, end));
        i = end;
    }
    out
}

/// Set (or remove, with `None`) a top-level scalar field, keeping every other line.
pub(super) fn set_field(text: &str, name: &str, value: Option<&str>) -> String {
    let new_line = value.map(|v| format!("{name}: {}\n", yaml_string(v)));
    replace_block(text, name, new_line.as_deref().unwrap_or(""))
}

/// Replace the top-level field `name` (its key line and value lines) with
/// `block`; when the field is absent, insert `block` after the field that
/// precedes it in the documented order.
pub(super) fn replace_block(text: &str, name: &str, block: &str) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    // Make sure the last line ends with a newline before appending after it.
    let owned_last;
    if let Some(last) = lines.last()
        && !last.ends_with('\n')
    {
        owned_last = format!("{last}\n");
        let n = lines.len();
        lines[n - 1] = &owned_last;
    }
    let spans = spans(&lines);
    let order: Vec<&str> = RECORD_FIELDS
        .iter()
        .chain(crate::content::overlay::OVERLAY_FIELDS)
        .copied()
        .collect();
    let pos = |k: &str| order.iter().position(|f| *f == k);
    let (start, end) = match spans.iter().find(|(k, _, _)| k == name) {
        Some((_, s, e)) => (*s, *e),
        None => {
            let me = pos(name).unwrap_or(usize::MAX);
            let after = spans
                .iter()
                .filter(|(k, _, _)| pos(k).is_some_and(|p| p < me))
                .max_by_key(|(k, _, _)| pos(k))
                .map(|(_, _, e)| *e)
                .or_else(|| spans.first().map(|(_, s, _)| *s))
                .unwrap_or(lines.len());
            (after, after)
        }
    };
    let mut out = String::with_capacity(text.len() + block.len());
    for l in &lines[..start] {
        out.push_str(l);
    }
    out.push_str(block);
    for l in &lines[end..] {
        out.push_str(l);
    }
    out
}

/// A `translated_from:` block in the format `eventref i18n refresh` writes.
pub(super) fn translated_from_block(map: &BTreeMap<String, String>) -> String {
    let mut s = String::from(
        "translated_from: # written by `eventref i18n refresh`: the originals these translations match\n",
    );
    for (k, v) in map {
        s.push_str(&format!("  {}: {}\n", yaml_string(k), yaml_string(v)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_rules() {
        let h = |s: &str| short_hash(s);
        // Never written, absent: the importer fills it in.
        assert_eq!(ownership(None, None, Some("x")), Ownership::Importer);
        // Written as "a", unchanged: update to "b".
        assert_eq!(
            ownership(Some("a"), Some(&h("a")), Some("b")),
            Ownership::Importer
        );
        // Written as "a", edited to "c": keep.
        assert_eq!(ownership(Some("c"), Some(&h("a")), Some("b")), Ownership::Person);
        // Written as "a", deleted by a person: keep it deleted.
        assert_eq!(ownership(None, Some(&h("a")), Some("b")), Ownership::Person);
        // A value the importer never wrote (hand-written, marker added): keep.
        assert_eq!(ownership(Some("c"), None, Some("b")), Ownership::Person);
        // Already the new value: the importer owns it again.
        assert_eq!(
            ownership(Some("b"), Some(&h("a")), Some("b")),
            Ownership::Importer
        );
        // The input no longer has a value: remove what the importer wrote.
        assert_eq!(ownership(Some("a"), Some(&h("a")), None), Ownership::Importer);
    }

    #[test]
    fn fields_are_replaced_inserted_and_removed_in_place() {
        let text = "# yaml-language-server: $schema=../../schemas/record.schema.json\n# imported from x.csv\nsource: \"S\"\nid: 1\nmessage: \"old\"\n# level: warning   # a hint\nexplanation: |\n  Para one.\n\n  Para two.\nchannel: \"System\"\n";
        let t = set_field(text, "message", Some("new"));
        assert!(
            t.contains("message: \"new\"\n# level: warning   # a hint\n"),
            "{t}"
        );
        let t = set_field(&t, "level", Some("error"));
        assert!(
            t.contains("message: \"new\"\nlevel: \"error\"\n# level: warning"),
            "{t}"
        );
        let t = set_field(&t, "channel", None);
        assert!(!t.contains("channel"), "{t}");
        assert!(t.ends_with("  Para two.\n"), "{t}");
        let t = set_field(&t, "category", Some("C"));
        assert!(t.contains("message: \"new\"\ncategory: \"C\"\nlevel"), "{t}");
    }

    #[test]
    fn headers_are_rewritten_in_place() {
        let header = ImportHeader {
            schema: "# yaml-language-server: $schema=../x.json".into(),
            marker: "# imported from b.csv".into(),
            notes: vec!["version 2".into()],
        };
        let hashes = BTreeMap::from([("message", "12345678".to_string())]);
        let text = "# yaml-language-server: $schema=../../s.json\n# imported from a.csv\n# import-hash: message=aaaaaaaa\n# my own note\nsource: S\n";
        let out = rewrite_header(text, &header, &hashes);
        assert_eq!(
            out,
            "# yaml-language-server: $schema=../../s.json\n# imported from b.csv\n# import-note: version 2\n# import-hash: message=12345678\n# my own note\nsource: S\n"
        );
        let out = rewrite_header("# imported from a.csv\nsource: S\n", &header, &hashes);
        assert!(
            out.starts_with("# yaml-language-server: $schema=../x.json\n# imported from b.csv\n"),
            "{out}"
        );
        assert_eq!(parse_hashes(&out)["message"], "12345678");
    }
}
