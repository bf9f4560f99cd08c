//! Value maps: what the coded values of an event field mean (`3` → Network,
//! `0xC000006D` → bad user name or password), written inline on a field or
//! shared at site level as `value_maps/<name>.yaml`, with translations of
//! their labels in `value_maps/<name>.<lang>.yaml`.
//!
//! This module owns the map's type, its YAML shape (one parser for inline and
//! shared maps), the checks (values are whole numbers, written once), loading
//! the site's shared maps, and decoding a value (`decode`) for pages and lookup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::yaml::{parse_yaml, read_text};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, did_you_mean};

use crate::config::layout::VALUE_MAPS as VALUE_MAPS_DIR;

/// Whether a map lists single values or bit flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MapKind {
    /// A value is exactly one of the entries (a manifest `valueMap`).
    #[default]
    Value,
    /// A value is a combination of the entries' bits (a manifest `bitMap`).
    Bitmap,
}

/// One coded value and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapEntry {
    /// The value.
    pub value: u64,
    /// The value as the author wrote it (`3`, `0xC000006D`).
    pub text: String,
    /// What it means (plain text).
    pub label: String,
}

/// A value map, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ValueMap {
    /// Values or bit flags.
    pub kind: MapKind,
    /// The entries in the order written.
    pub entries: Vec<MapEntry>,
    /// Translated labels of a shared map, by language and value.
    pub translations: BTreeMap<String, BTreeMap<u64, String>>,
}

impl ValueMap {
    /// The label of `value` in the map, `translated` labels first.
    fn label<'a>(&'a self, value: u64, translated: Option<&'a BTreeMap<u64, String>>) -> Option<&'a str> {
        translated
            .and_then(|t| t.get(&value))
            .map(String::as_str)
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|e| e.value == value)
                    .map(|e| e.label.as_str())
            })
    }

    /// What the value written as `text` means: the entry's label for a value
    /// map, the labels of the set bits joined by `|` for a bitmap. `None` when
    /// the text is not a number, or not fully explained by the map (a lookup
    /// never presents a guess).
    pub fn decode(&self, text: &str, translated: Option<&BTreeMap<u64, String>>) -> Option<String> {
        let v = parse_value(text.trim())?;
        match self.kind {
            MapKind::Value => self.label(v, translated).map(str::to_string),
            MapKind::Bitmap => {
                if v == 0 {
                    return self.label(0, translated).map(str::to_string);
                }
                let mut rest = v;
                let mut labels = Vec::new();
                for e in &self.entries {
                    if e.value != 0 && v & e.value == e.value {
                        labels.push(self.label(e.value, translated).unwrap_or(&e.label).to_string());
                        rest &= !e.value;
                    }
                }
                (rest == 0 && !labels.is_empty()).then(|| labels.join(" | "))
            }
        }
    }
}

/// Parse a coded value: decimal, or hexadecimal with `0x`; a negative
/// decimal is read as its 32-bit two's complement (`-1073741715` = `0xC000006D`).
pub fn parse_value(text: &str) -> Option<u64> {
    let t = text.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok();
    }
    if let Some(neg) = t.strip_prefix('-') {
        let n: i64 = neg.parse().ok()?;
        return n
            .checked_neg()
            .and_then(|m| i32::try_from(m).ok())
            .map(|x| u64::from(x as u32));
    }
    t.parse().ok()
}

/// A YAML scalar written as a number or text, kept as text.
#[derive(Debug, Clone)]
pub(super) struct Scalar(pub(super) String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a text")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// One entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntry {
    value: Scalar,
    label: String,
}

/// A map as written (inline on a field, or a shared file).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawValueMap {
    #[serde(default)]
    kind: Option<String>,
    values: Vec<RawEntry>,
}

/// The fields of a value map file.
pub const VALUE_MAP_FIELDS: &[&str] = &["kind", "values"];

/// A field's `value_map:` as written: the name of a shared map, or a map.
pub(super) enum RawMapRef {
    Named(String),
    Inline(RawValueMap),
}

impl<'de> Deserialize<'de> for RawMapRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawMapRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "the name of a map in value_maps/ (e.g. logon-type), or a map with `kind` and `values`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawMapRef, E> {
                Ok(RawMapRef::Named(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawMapRef, A::Error> {
                RawValueMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawMapRef::Inline)
            }
        }
        d.deserialize_any(V)
    }
}

/// Check a map as written: kind, values that are numbers, each written once.
/// `at` is where problems are reported.
pub(super) fn check_map(raw: RawValueMap, at: &Location, ds: &mut Vec<Diagnostic>) -> ValueMap {
    let kind = match raw.kind.as_deref().map(str::trim) {
        None | Some("value") | Some("valueMap") => MapKind::Value,
        Some("bitmap") | Some("bitMap") => MapKind::Bitmap,
        Some(other) => {
            ds.push(
                Diagnostic::error("invalid-value-map", format!("unknown value map kind `{other}`"))
                    .at(at.clone())
                    .help("write `kind: value` (one value at a time) or `kind: bitmap` (bit flags)"),
            );
            MapKind::Value
        }
    };
    let mut entries: Vec<MapEntry> = Vec::new();
    for e in raw.values {
        let text = e.value.0.trim().to_string();
        match parse_value(&text) {
            None => ds.push(
                Diagnostic::error(
                    "invalid-value-map",
                    format!("value `{text}` is not a whole number"),
                )
                .at(at.clone())
                .help("write values as decimal (3) or hexadecimal in quotes (\"0xC000006D\")"),
            ),
            Some(v) if entries.iter().any(|x| x.value == v) => ds.push(
                Diagnostic::error("invalid-value-map", format!("value `{text}` is listed twice"))
                    .at(at.clone())
                    .help("list each value once"),
            ),
            Some(v) => entries.push(MapEntry {
                value: v,
                text,
                label: e.label.trim().to_string(),
            }),
        }
    }
    ValueMap {
        kind,
        entries,
        translations: BTreeMap::new(),
    }
}

/// The site's shared value maps, by name (the file name without `.yaml`).
pub type SharedMaps = BTreeMap<String, Arc<ValueMap>>;

/// Load `value_maps/*.yaml` (and their `<name>.<lang>.yaml` translations) under `root`.
/// A site without the folder has no shared maps.
pub fn load_shared(root: &Path, languages: &[String], diags: &mut Diagnostics) -> SharedMaps {
    let mut maps = BTreeMap::new();
    let mut overlays = Vec::new();
    for rel in yaml_files(root) {
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((name, lang)) = stem.rsplit_once('.') {
            overlays.push((rel.clone(), name.to_string(), lang.to_string()));
            continue;
        }
        if let Some((raw, text)) = read_yaml::<RawValueMap>(root, &rel, VALUE_MAP_FIELDS, diags) {
            let mut ds = Vec::new();
            let map = check_map(raw, &Location::new(&rel, Some(text), 1, 1), &mut ds);
            diags.extend(ds);
            maps.insert(stem, map);
        }
    }
    for (rel, name, lang) in overlays {
        let Some(map) = maps.get_mut(&name) else {
            diags.push(
                Diagnostic::error(
                    "overlay-orphan",
                    format!("this translation has no value map `{name}`"),
                )
                .at(Location::file_only(&rel))
                .help(format!(
                    "a value map translation sits next to its map: {name}.yaml → {name}.{lang}.yaml"
                )),
            );
            continue;
        };
        if !languages.contains(&lang) {
            diags.push(
                Diagnostic::warning(
                    "overlay-language",
                    format!("language `{lang}` is not configured, so this translation is not published"),
                )
                .at(Location::file_only(&rel))
                .help(format!("add [languages.{lang}] to site.toml, or remove the file")),
            );
            continue;
        }
        if let Some((raw, text)) = read_yaml::<RawMapTranslation>(root, &rel, &["values"], diags) {
            let at = Location::new(&rel, Some(text), 1, 1);
            let mut ds = Vec::new();
            let labels = check_labels(&raw.values, map, &at, &mut ds);
            diags.extend(ds);
            map.translations.insert(lang, labels);
        }
    }
    maps.into_iter().map(|(k, v)| (k, Arc::new(v))).collect()
}

/// The YAML files of `value_maps/`, relative to `root`, sorted; none when the
/// folder is missing.
fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(root.join(VALUE_MAPS_DIR)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| PathBuf::from(VALUE_MAPS_DIR).join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

/// Read and parse one YAML file, reporting a failure to `diags`; the parsed
/// value and the file's text.
fn read_yaml<T: serde::de::DeserializeOwned>(
    root: &Path,
    rel: &Path,
    fields: &[&str],
    diags: &mut Diagnostics,
) -> Option<(T, Arc<str>)> {
    let result = read_text(root, rel).and_then(|text| Ok((parse_yaml::<T>(rel, &text, fields)?, text)));
    result.map_err(|d| diags.push(*d)).ok()
}

/// A translation of a shared map's labels: `values: {"3": Netzwerk}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapTranslation {
    #[serde(default)]
    values: BTreeMap<String, String>,
}

/// Check translated labels against `map`: every key must be one of its values
/// (a translation may not add or change values). Returns the labels by value.
pub(super) fn check_labels(
    labels: &BTreeMap<String, String>,
    map: &ValueMap,
    at: &Location,
    ds: &mut Vec<Diagnostic>,
) -> BTreeMap<u64, String> {
    let mut out = BTreeMap::new();
    for (k, label) in labels {
        match parse_value(k).filter(|v| map.entries.iter().any(|e| e.value == *v)) {
            Some(v) => {
                out.insert(v, label.trim().to_string());
            }
            None => {
                let known: Vec<&str> = map.entries.iter().map(|e| e.text.as_str()).collect();
                ds.push(
                    Diagnostic::error(
                        "overlay-value-map",
                        format!("the original value map has no value `{k}`"),
                    )
                    .at(at.clone())
                    .help(format!(
                        "a translation translates labels only; the values are: {}",
                        known.join(", ")
                    )),
                );
            }
        }
    }
    out
}

/// The diagnostic for a reference to a shared map that does not exist.
pub(super) fn unknown_map(name: &str, maps: &SharedMaps, at: Location) -> Diagnostic {
    let help = match did_you_mean(name, maps.keys().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None if maps.is_empty() => format!(
            "the site has no shared value maps: add {VALUE_MAPS_DIR}/{name}.yaml, or write the map inline"
        ),
        None => format!(
            "the shared value maps in {VALUE_MAPS_DIR}/ are: {}",
            maps.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
        ),
    };
    Diagnostic::error("unknown-value-map", format!("there is no value map `{name}`"))
        .at(at)
        .help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(kind: MapKind, e: &[(u64, &str)]) -> ValueMap {
        ValueMap {
            kind,
            entries: e
                .iter()
                .map(|(v, l)| MapEntry {
                    value: *v,
                    text: v.to_string(),
                    label: l.to_string(),
                })
                .collect(),
            translations: BTreeMap::new(),
        }
    }

    #[test]
    fn values() {
        assert_eq!(parse_value("3"), Some(3));
        assert_eq!(parse_value("0xC000006D"), Some(0xC000_006D));
        assert_eq!(parse_value("-1073741715"), Some(0xC000_006D));
        assert_eq!(parse_value("x"), None);
        // A pasted value is never a reason to panic.
        assert_eq!(parse_value("--9223372036854775808"), None);
    }

    #[test]
    fn decodes_values_and_bits_without_guessing() {
        let m = map(MapKind::Value, &[(2, "Interactive"), (3, "Network")]);
        assert_eq!(m.decode("3", None).as_deref(), Some("Network"));
        assert_eq!(m.decode("0x3", None).as_deref(), Some("Network"));
        assert_eq!(m.decode("4", None), None);
        let mut de = BTreeMap::new();
        de.insert(3, "Netzwerk".to_string());
        assert_eq!(m.decode("3", Some(&de)).as_deref(), Some("Netzwerk"));
        let b = map(MapKind::Bitmap, &[(1, "Read"), (2, "Write"), (8, "Delete")]);
        assert_eq!(b.decode("3", None).as_deref(), Some("Read | Write"));
        assert_eq!(b.decode("4", None), None, "bit 4 is not in the map");
    }
}
