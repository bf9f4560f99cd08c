//! JSON Schemas (draft 2020-12) of records and translation overlays, for editors.
//!
//! The schemas are generated with `schemars` from dedicated types that mirror
//! the fields of [`crate::content`] records and [`crate::translation`] overlays
//! one by one; unit tests compare their property names with
//! [`crate::content::RECORD_FIELDS`] and [`crate::content::overlay::OVERLAY_FIELDS`],
//! so a field added to one side and not the other fails the build's tests.
//!
//! `eventref schema --write` stores them as `schemas/record.schema.json` and
//! `schemas/overlay.schema.json` under the site root, and files written by
//! `eventref new` and the importers start with a
//! `# yaml-language-server: $schema=…` line pointing there, so that editors with
//! the YAML language server (VS Code's YAML extension, Neovim, Helix, …) complete
//! field names and flag mistakes while typing.

// The mirror types below exist only to be described by `schemars`; they are never built.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::diagnostics::{Diagnostic, Location};

/// Where `eventref schema --write` puts the record schema, relative to the site root.
pub const RECORD_SCHEMA_FILE: &str = "schemas/record.schema.json";
/// Where `eventref schema --write` puts the overlay schema, relative to the site root.
pub const OVERLAY_SCHEMA_FILE: &str = "schemas/overlay.schema.json";

/// The pattern of a `parameters` key: an insertion string `%1` … `%99` or `{Name}`.
const INSERT_PATTERN: &str = r"^(%[1-9][0-9]?|\{[A-Za-z_][A-Za-z0-9_]*\})$";

/// One event record: a YAML file under content/ that becomes one TechNet-style article. Only source, id and message are required.
#[derive(JsonSchema)]
#[schemars(title = "eventref record", deny_unknown_fields)]
struct Record {
    /// Required. The event source (provider), as Event Viewer shows it, e.g. MSExchangeTransport or Microsoft-Windows-DNS-Client.
    #[schemars(example = &"MSExchangeTransport", length(min = 1))]
    source: String,
    /// Required. The event ID, 0–65535. A 32-bit message ID such as 3221226487 (0xC00003F7) is written as its low 16 bits (1015).
    #[schemars(example = 2002)]
    id: u16,
    /// Required. The message text as Event Viewer shows it, with the insertion strings %1 … %99 (optionally %1!s!) or {Name} where values go.
    #[schemars(example = &"Send connector %1: an error occurred while connecting to %2.", length(min = 1))]
    message: String,
    /// The symbolic name from the provider's message file (letters, digits and _), e.g. SmtpSendConnectionError.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_]+$"))]
    symbolic_name: Option<String>,
    /// The task category, e.g. SmtpSend.
    category: Option<String>,
    /// The level Event Viewer shows.
    level: Option<Level>,
    /// The product; defaults to [defaults] product in site.toml. Each product has its own intro and "For More Information" text in site.toml.
    #[schemars(example = &"Exchange")]
    product: Option<String>,
    /// The product version, as text (quote it: "14.0"); defaults to [defaults] product_version in site.toml.
    #[schemars(example = &"14.0")]
    product_version: Option<String>,
    /// The log (channel) the event is written to, e.g. Application, System or Microsoft-Windows-DNS-Client/Operational.
    channel: Option<String>,
    /// What each insertion string of the message means: "%1": Name of the Send connector. Keys are the insertion strings exactly as in message.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": INSERT_PATTERN }))]
    parameters: BTreeMap<String, String>,
    /// The event's data fields, in template order: %1 is the first field, %2 the second; the names are those of the event XML's <Data Name="…">.
    #[serde(default)]
    fields: Vec<EventField>,
    /// The event's versions. The top-level message and fields are the current (highest) version's; an older version lists its message and fields only where they differ.
    #[serde(default)]
    versions: Vec<Version>,
    /// The manifest task, e.g. Logon.
    task: Option<String>,
    /// The manifest opcode, e.g. Info.
    opcode: Option<String>,
    /// The manifest keywords, e.g. Audit Success.
    #[serde(default)]
    keywords: Vec<String>,
    /// A sample event XML as Event Viewer shows it; without it, the page shows one generated from the fields and their examples.
    sample_xml: Option<String>,
    /// Markdown: what the event means and its typical causes.
    explanation: Option<String>,
    /// What the reader should do.
    user_action: Option<UserAction>,
    /// Related events as "Source/ID", e.g. MSExchangeTransport/2003; every one must exist (sources match case-insensitively).
    #[serde(default)]
    #[schemars(inner(regex(pattern = r"^.+/[0-9]+$")))]
    related: Vec<String>,
    /// Extra "For More Information" links.
    #[serde(default)]
    links: Vec<Link>,
    /// The date the article was last changed, YYYY-MM-DD.
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), example = &"2011-03-19")]
    last_modified: Option<String>,
}

/// The level Event Viewer shows: described from [`crate::content::Level`]
/// itself (a plain `enum` of its spellings, which editors offer best), so the
/// schema cannot drift from the levels a record accepts.
struct Level;

impl JsonSchema for Level {
    fn schema_name() -> Cow<'static, str> {
        "Level".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = crate::content::Level::ALL.iter().map(|l| l.as_str()).collect();
        json_schema!({ "type": "string", "enum": names })
    }
}

/// The manifest input type of a field, from [`crate::content::fields::IN_TYPES`].
struct InType;

impl JsonSchema for InType {
    fn schema_name() -> Cow<'static, str> {
        "InType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "The manifest inType, e.g. win:UnicodeString, win:UInt32, win:HexInt32, win:SID.",
            "enum": crate::content::fields::IN_TYPES,
        })
    }
}

/// One data field of the event.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct EventField {
    /// The name, as in the event XML's <Data Name="…">, e.g. TargetUserName.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    name: String,
    /// The manifest inType; leave it out when the source does not state it.
    #[serde(rename = "type")]
    field_type: Option<InType>,
    /// What the field means (inline Markdown).
    meaning: Option<String>,
    /// An example value, shown on the page and in the generated sample XML.
    example: Option<Scalar>,
    /// What its coded values mean: the name of a shared map in value_maps/ (e.g. logon-type), or a map written here.
    value_map: Option<MapRef>,
}

/// A number or a text.
#[derive(JsonSchema)]
#[serde(untagged)]
enum Scalar {
    /// A number.
    Number(f64),
    /// A text.
    Text(String),
}

/// The name of a shared value map, or a value map.
#[derive(JsonSchema)]
#[serde(untagged)]
enum MapRef {
    /// The name of a file in value_maps/ without .yaml.
    Name(String),
    /// A map written on the field.
    Map(ValueMap),
}

/// A value map: what coded values mean. Also the shape of value_maps/<name>.yaml.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ValueMap {
    /// `value` (one value at a time; the default) or `bitmap` (bit flags).
    kind: Option<MapKind>,
    /// The values and their labels.
    values: Vec<MapEntry>,
}

/// Values or bit flags.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
enum MapKind {
    /// One value at a time.
    Value,
    /// Bit flags.
    Bitmap,
}

/// One coded value.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct MapEntry {
    /// The value: decimal, or hexadecimal in quotes ("0xC000006D").
    value: Scalar,
    /// What it means.
    label: String,
}

/// One version of the event.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Version {
    /// The manifest version number, 0–255.
    version: u8,
    /// The version's message, when it differs from the current one.
    message: Option<String>,
    /// The version's fields, when they differ from the current ones.
    fields: Option<Vec<EventField>>,
    /// The product versions where it applies, e.g. Windows Server 2016.
    #[serde(default)]
    products: Vec<String>,
    /// What changed in this version (inline Markdown).
    changes: Option<String>,
}

/// A translated field: its meaning and the labels of its inline value map.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct FieldTranslation {
    /// The translated meaning (inline Markdown).
    meaning: Option<String>,
    /// Translated labels, by value as in the original map.
    #[serde(default)]
    values: BTreeMap<String, String>,
}

/// A "For More Information" link.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Link {
    /// The link text.
    title: String,
    /// An absolute http(s) URL, or a site path starting with /.
    #[schemars(regex(pattern = r"^(https?://|/)"))]
    url: String,
}

/// What to do: one Markdown text, or an intro sentence and a list of steps.
struct UserAction;

impl JsonSchema for UserAction {
    fn schema_name() -> Cow<'static, str> {
        "UserAction".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "What the reader should do: one Markdown text, or an intro and a list of steps.",
            "oneOf": [
                { "type": "string", "description": "Markdown." },
                generator.subschema_for::<Steps>(),
            ]
        })
    }
}

/// An intro sentence and a bulleted list of steps.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Steps {
    /// The sentence before the steps, e.g. "To resolve this warning, do one or more of the following:"
    intro: Option<String>,
    /// The steps, each Markdown.
    steps: Vec<String>,
}

/// A translation overlay: `<name>.<lang>.yaml` next to its record translates any subset of the record's texts; what is left out falls back to the original.
#[derive(JsonSchema)]
#[schemars(title = "eventref translation overlay", deny_unknown_fields)]
struct Overlay {
    /// The translated message. It must keep exactly the insertion strings of the original (%1, {Name}); their order may change.
    message: Option<String>,
    /// The translated meaning of each insertion string, for the parameters the original explains.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": INSERT_PATTERN }))]
    parameters: BTreeMap<String, String>,
    /// The translated explanation (Markdown).
    explanation: Option<String>,
    /// The translated user action: the same shape as the original's (one text, or an intro and as many steps).
    user_action: Option<UserAction>,
    /// Translated link titles, by the original link's url.
    #[serde(default)]
    links: Vec<LinkTitle>,
    /// The category's display name in this language.
    category: Option<String>,
    /// Translated field meanings and value-map labels, by the original field's name (names, types and values are not translated).
    #[serde(default)]
    fields: BTreeMap<String, FieldTranslation>,
    /// Translated "what changed" notes, by version number.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[0-9]+$" }))]
    versions: BTreeMap<String, String>,
    /// Written by `eventref i18n refresh`: per field, a hash of the original text the translation was made from. Don't edit it by hand.
    #[serde(default)]
    translated_from: TranslatedFrom,
}

/// A translated link title.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct LinkTitle {
    /// The url of the original's link, unchanged.
    url: String,
    /// The translated title.
    title: String,
}

#[derive(Default)]
struct TranslatedFrom;

impl JsonSchema for TranslatedFrom {
    fn schema_name() -> Cow<'static, str> {
        "TranslatedFrom".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let fields: Vec<&str> = crate::content::Field::ALL.iter().map(|f| f.name()).collect();
        json_schema!({
            "type": "object",
            "propertyNames": { "enum": fields },
            "additionalProperties": { "type": "string", "pattern": "^[0-9a-fA-F]{8}$" }
        })
    }
}

fn generate<T: JsonSchema>() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    drop_integer_formats(&mut value);
    value
}

/// Remove the `format` schemars gives integers (`uint16`, …): it is no
/// standard format, so validators in strict mode (ajv) refuse the schema.
/// The range is kept as `minimum`/`maximum`.
fn drop_integer_formats(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if map.get("type").and_then(|t| t.as_str()) == Some("integer")
                && map
                    .get("format")
                    .and_then(|f| f.as_str())
                    .is_some_and(|f| f.starts_with("int") || f.starts_with("uint"))
            {
                map.remove("format");
            }
            map.values_mut().for_each(drop_integer_formats);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_integer_formats),
        _ => {}
    }
}

/// The JSON Schema of a record.
pub fn record_schema() -> serde_json::Value {
    generate::<Record>()
}

/// The JSON Schema of a translation overlay.
pub fn overlay_schema() -> serde_json::Value {
    generate::<Overlay>()
}

/// A schema as the text `eventref schema` prints and writes: pretty JSON with a final newline.
pub fn to_text(schema: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}

/// Write both schemas under `root` (only files whose bytes change). Returns every
/// schema file, relative to the root, and whether it was written.
pub fn write(root: &Path) -> Result<Vec<(PathBuf, bool)>, Box<Diagnostic>> {
    let mut out = Vec::new();
    for (rel, schema) in [
        (RECORD_SCHEMA_FILE, record_schema()),
        (OVERLAY_SCHEMA_FILE, overlay_schema()),
    ] {
        let text = to_text(&schema);
        let path = root.join(rel);
        if std::fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
            out.push((PathBuf::from(rel), false));
            continue;
        }
        let err = |e: std::io::Error| {
            Box::new(
                Diagnostic::error("write-error", format!("cannot write {rel}: {e}"))
                    .at(Location::file_only(rel))
                    .help("check that the site folder is writable"),
            )
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        std::fs::write(&path, text).map_err(err)?;
        out.push((PathBuf::from(rel), true));
    }
    Ok(out)
}

/// `eventref schema [--overlay] [--write]`: the text for standard output and for
/// standard error (the files written).
pub fn command(
    root: &Path,
    overlay: bool,
    write_files: bool,
) -> Result<(String, String), crate::error::Failure> {
    if !write_files {
        let schema = if overlay {
            overlay_schema()
        } else {
            record_schema()
        };
        return Ok((to_text(&schema), String::new()));
    }
    let files = write(root).map_err(|d| {
        let mut diagnostics = crate::diagnostics::Diagnostics::new();
        diagnostics.push(*d);
        crate::error::Failure {
            kind: crate::error::FailureKind::Content,
            diagnostics,
        }
    })?;
    let mut out = String::new();
    let mut err = String::new();
    for (f, written) in files {
        let shown = if root == Path::new(".") {
            f.clone()
        } else {
            root.join(&f)
        };
        out.push_str(&format!("{}\n", shown.display()));
        if !written {
            err.push_str(&format!("{} is up to date\n", f.display()));
        }
    }
    Ok((out, err))
}

/// The first line of a record or overlay file at `file` (relative to the site root),
/// pointing the YAML language server at the schema under `schemas/`:
/// `# yaml-language-server: $schema=../../schemas/record.schema.json`.
pub fn header_line(file: &Path, overlay: bool) -> String {
    let depth = file
        .parent()
        .map(|p| {
            p.components()
                .filter(|c| matches!(c, std::path::Component::Normal(_)))
                .count()
        })
        .unwrap_or(0);
    let target = if overlay {
        OVERLAY_SCHEMA_FILE
    } else {
        RECORD_SCHEMA_FILE
    };
    format!("# yaml-language-server: $schema={}{target}", "../".repeat(depth))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property_names(schema: &serde_json::Value) -> Vec<String> {
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    fn sorted(fields: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn no_nonstandard_integer_format() {
        let text = to_text(&record_schema());
        assert!(
            !text.contains("uint16"),
            "ajv strict mode refuses unknown formats"
        );
        let id = &record_schema()["properties"]["id"];
        assert_eq!(
            (id["minimum"].as_u64(), id["maximum"].as_u64()),
            (Some(0), Some(65535))
        );
    }

    #[test]
    fn record_schema_mirrors_record_fields() {
        let s = record_schema();
        assert_eq!(property_names(&s), sorted(crate::content::RECORD_FIELDS));
        assert_eq!(s["required"], serde_json::json!(["source", "id", "message"]));
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["properties"]["id"]["minimum"], 0);
        assert_eq!(s["properties"]["id"]["maximum"], 65535);
    }

    #[test]
    fn overlay_schema_mirrors_overlay_fields() {
        let s = overlay_schema();
        assert_eq!(
            property_names(&s),
            sorted(crate::content::overlay::OVERLAY_FIELDS)
        );
        assert!(
            s.get("required")
                .is_none_or(|r| r.as_array().is_some_and(|a| a.is_empty()))
        );
        assert_eq!(s["additionalProperties"], false);
    }

    #[test]
    fn levels_mirror_content_levels() {
        let s = record_schema();
        let levels = &s["$defs"]["Level"]["enum"];
        let want: Vec<&str> = crate::content::Level::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(levels, &serde_json::json!(want));
    }

    #[test]
    fn translated_from_names_the_translatable_fields() {
        let s = overlay_schema();
        let names = &s["$defs"]["TranslatedFrom"]["propertyNames"]["enum"];
        assert_eq!(
            names,
            &serde_json::json!([
                "message",
                "parameters",
                "fields",
                "versions",
                "explanation",
                "user_action",
                "links",
                "category"
            ])
        );
    }

    #[test]
    fn user_action_is_one_of_text_or_steps() {
        let s = record_schema();
        let one_of = s["$defs"]["UserAction"]["oneOf"].as_array().expect("oneOf");
        assert_eq!(one_of.len(), 2);
        assert_eq!(one_of[0]["type"], "string");
        assert_eq!(s["$defs"]["Steps"]["required"], serde_json::json!(["steps"]));
    }

    /// Editors whose YAML support predates draft 2020-12 read the schemas as
    /// draft 7: use only keywords that mean the same in both.
    #[test]
    fn keywords_mean_the_same_in_draft_7() {
        fn walk(v: &serde_json::Value, found: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, v) in m {
                        if [
                            "prefixItems",
                            "$dynamicRef",
                            "$dynamicAnchor",
                            "unevaluatedProperties",
                            "unevaluatedItems",
                            "dependentSchemas",
                            "dependentRequired",
                            "$recursiveRef",
                            "minContains",
                            "maxContains",
                        ]
                        .contains(&k.as_str())
                        {
                            found.push(k.clone());
                        }
                        if k == "items" && v.is_array() {
                            found.push("items as an array".into());
                        }
                        walk(v, found);
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, found)),
                _ => {}
            }
        }
        for s in [record_schema(), overlay_schema()] {
            let mut found = Vec::new();
            walk(&s, &mut found);
            assert!(found.is_empty(), "{found:?}");
        }
    }

    #[test]
    fn header_lines() {
        assert_eq!(
            header_line(Path::new("content/x/2002.yaml"), false),
            "# yaml-language-server: $schema=../../schemas/record.schema.json"
        );
        assert_eq!(
            header_line(Path::new("content/exchange/x/2002.de.yaml"), true),
            "# yaml-language-server: $schema=../../../schemas/overlay.schema.json"
        );
    }
}
