//! The structured fields importers write, as YAML blocks: `fields:` (name,
//! manifest type, value map), `versions:` (number, and the message and
//! fields where they differ from the current version's) and `keywords:`,
//! plus the shared value maps of `value_maps/`. Every value goes through the
//! one escaping emitter (`content::emit`), so no input can add a key.

use crate::authoring::yaml_string;

/// One data field as an importer writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOut {
    /// `<data name=…>`.
    pub name: String,
    /// The manifest `inType`.
    pub in_type: String,
    /// The name of the shared value map it uses.
    pub value_map: Option<String>,
}

/// One version as an importer writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionOut {
    /// The version number.
    pub version: u8,
    /// Its message, when it differs from the current one.
    pub message: Option<String>,
    /// Its fields, when they differ from the current ones.
    pub fields: Option<Vec<FieldOut>>,
}

/// The list items of `fields`, indented by `indent` spaces.
fn field_items(fields: &[FieldOut], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for f in fields {
        out.push_str(&format!("{pad}- name: {}\n", yaml_string(&f.name)));
        out.push_str(&format!("{pad}  type: {}\n", yaml_string(&f.in_type)));
        if let Some(m) = &f.value_map {
            out.push_str(&format!("{pad}  value_map: {}\n", yaml_string(m)));
        }
    }
    out
}

/// The `fields:` block, or `None` for an event without fields.
pub fn fields_block(fields: &[FieldOut]) -> Option<String> {
    (!fields.is_empty()).then(|| format!("fields:\n{}", field_items(fields, 2)))
}

/// The `versions:` block (oldest first), or `None` when there is at most one version.
pub fn versions_block(versions: &[VersionOut]) -> Option<String> {
    if versions.len() < 2 {
        return None;
    }
    let mut out = String::from("versions:\n");
    for v in versions {
        out.push_str(&format!("  - version: {}\n", v.version));
        if let Some(m) = &v.message {
            out.push_str(&format!("    message: {}\n", yaml_string(m)));
        }
        match &v.fields {
            Some(f) if f.is_empty() => out.push_str("    fields: []\n"),
            Some(f) => {
                out.push_str("    fields:\n");
                out.push_str(&field_items(f, 6));
            }
            None => {}
        }
    }
    Some(out)
}

/// The `keywords:` block, or `None` without keywords.
pub fn keywords_block(keywords: &[String]) -> Option<String> {
    if keywords.is_empty() {
        return None;
    }
    let items: Vec<String> = keywords.iter().map(|k| yaml_string(k)).collect();
    Some(format!("keywords: [{}]\n", items.join(", ")))
}

/// The body of a shared value map file (`value_maps/<name>.yaml`) after its
/// header: `kind` and the `values` block.
pub fn value_map_blocks(bitmap: bool, entries: &[(u64, String)]) -> Vec<(&'static str, Option<String>)> {
    let kind = format!("kind: {}\n", if bitmap { "bitmap" } else { "value" });
    let mut values = String::from(if entries.is_empty() {
        "values: []\n"
    } else {
        "values:\n"
    });
    for (v, label) in entries {
        let value = if bitmap || *v > 0xFFFF {
            yaml_string(&format!("0x{v:X}"))
        } else {
            v.to_string()
        };
        values.push_str(&format!(
            "  - {{ value: {value}, label: {} }}\n",
            yaml_string(label)
        ));
    }
    vec![("kind", Some(kind)), ("values", Some(values))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_read_back_as_yaml() {
        let f = vec![FieldOut {
            name: "LogonType".into(),
            in_type: "win:UInt32".into(),
            value_map: Some("contoso-logon-type".into()),
        }];
        assert_eq!(
            fields_block(&f).unwrap(),
            "fields:\n  - name: \"LogonType\"\n    type: \"win:UInt32\"\n    value_map: \"contoso-logon-type\"\n"
        );
        let v = versions_block(&[
            VersionOut {
                version: 0,
                message: Some("Old \"%1\"".into()),
                fields: Some(Vec::new()),
            },
            VersionOut {
                version: 1,
                message: None,
                fields: None,
            },
        ])
        .unwrap();
        assert_eq!(
            v,
            "versions:\n  - version: 0\n    message: \"Old \\\"%1\\\"\"\n    fields: []\n  - version: 1\n"
        );
        assert_eq!(versions_block(&[]), None);
        assert_eq!(
            keywords_block(&["A".into(), "b\"".into()]).unwrap(),
            "keywords: [\"A\", \"b\\\"\"]\n"
        );
        let m = value_map_blocks(true, &[(1, "Read".into())]);
        assert_eq!(
            m[1].1.as_deref(),
            Some("values:\n  - { value: \"0x1\", label: \"Read\" }\n")
        );
    }
}
