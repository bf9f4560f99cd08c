//! Internationalization: UI strings per locale, plural rules, text direction.
//!
//! A theme ships its UI strings per locale (`themes/<name>/i18n/<lang>.yaml`) and
//! a site may override any of them in its own `i18n/<lang>.yaml`. A string is
//! either plain text or a map of CLDR plural forms (`one`, `few`, `many`,
//! `other`, …) chosen with [`plural_category`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One UI string: plain text, or plural forms.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum UiString {
    /// Plain text, may contain `{placeholders}`.
    Text(String),
    /// CLDR plural forms keyed by category (`zero`, `one`, `two`, `few`, `many`, `other`).
    Plural(BTreeMap<String, String>),
}

/// The UI strings of one locale.
pub type UiStrings = BTreeMap<String, UiString>;

/// The CLDR plural category of the integer `n` in language `lang`
/// (cardinal numbers, integers only).
pub fn plural_category(lang: &str, n: u64) -> &'static str {
    let base = lang.split('-').next().unwrap_or(lang);
    match base {
        // No plural distinction.
        "ja" | "zh" | "ko" | "vi" | "th" | "id" | "ms" => "other",
        // one: n = 0 or 1
        "fr" | "pt" => {
            if n <= 1 {
                "one"
            } else {
                "other"
            }
        }
        "pl" => {
            if n == 1 {
                "one"
            } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
                "few"
            } else {
                "many"
            }
        }
        "ru" | "uk" => {
            if n % 10 == 1 && n % 100 != 11 {
                "one"
            } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
                "few"
            } else {
                "many"
            }
        }
        "cs" | "sk" => match n {
            1 => "one",
            2..=4 => "few",
            _ => "other",
        },
        "ar" => match n % 100 {
            _ if n == 0 => "zero",
            _ if n == 1 => "one",
            _ if n == 2 => "two",
            3..=10 => "few",
            11..=99 => "many",
            _ => "other",
        },
        _ => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
    }
}

/// Text direction of a language: `rtl` for Arabic, Hebrew, Persian, Urdu and a few more.
pub fn direction(lang: &str) -> &'static str {
    let base = lang.split('-').next().unwrap_or(lang);
    match base {
        "ar" | "he" | "fa" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb" => "rtl",
        _ => "ltr",
    }
}

/// Choose the form of `s` for `n` in `lang` and fill `{count}`.
pub fn format_plural(s: &UiString, lang: &str, n: u64) -> String {
    let text = match s {
        UiString::Text(t) => t.as_str(),
        UiString::Plural(forms) => {
            let cat = plural_category(lang, n);
            forms
                .get(cat)
                .or_else(|| forms.get("other"))
                .map(String::as_str)
                .unwrap_or("")
        }
    };
    text.replace("{count}", &n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural_category("en", 1), "one");
        assert_eq!(plural_category("en", 12), "other");
        assert_eq!(plural_category("de", 0), "other");
        assert_eq!(plural_category("pl", 1), "one");
        assert_eq!(plural_category("pl", 3), "few");
        assert_eq!(plural_category("pl", 13), "many");
        assert_eq!(plural_category("pl", 22), "few");
        assert_eq!(plural_category("pl", 25), "many");
        assert_eq!(plural_category("ar", 0), "zero");
        assert_eq!(plural_category("ar", 2), "two");
        assert_eq!(plural_category("ar", 5), "few");
        assert_eq!(plural_category("ar", 11), "many");
        assert_eq!(plural_category("ar", 100), "other");
        assert_eq!(plural_category("ja", 1), "other");
    }

    #[test]
    fn formats() {
        let s = UiString::Plural(BTreeMap::from([
            ("one".to_string(), "{count} event".to_string()),
            ("other".to_string(), "{count} events".to_string()),
        ]));
        assert_eq!(format_plural(&s, "en", 1), "1 event");
        assert_eq!(format_plural(&s, "en", 12), "12 events");
        assert_eq!(direction("ar"), "rtl");
        assert_eq!(direction("de"), "ltr");
    }
}
