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

// ---------------------------------------------------------------------------
// Resolving an event in a language: which text each part shows, and why.

use crate::content::{Event, Link, UserAction};
use crate::translation::{Field, Translation};

/// Where the text of one part of a page comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldState {
    /// The page is in the default language: the record's own text.
    Original,
    /// Translated, and the original has not changed since.
    Translated,
    /// Translated, but the original has changed since: shown with a notice.
    Stale,
    /// Not translated: the default language's text is shown, marked with its `lang`.
    Fallback,
}

/// A value and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Localized<T> {
    /// The text to show.
    pub value: T,
    /// Where it comes from.
    pub state: FieldState,
}

/// The translation state of a whole article in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleState {
    /// The page is in the default language.
    Original,
    /// Every part that needs translating is translated and current.
    Translated,
    /// Some parts are translated, others fall back to the default language.
    Partial,
    /// At least one translated part's original has changed since.
    Stale,
    /// Nothing is translated.
    Missing,
}

/// An event as shown in one language.
#[derive(Debug, Clone)]
pub struct LocalizedEvent<'a> {
    /// The record.
    pub event: &'a Event,
    /// The translation used, if any.
    pub translation: Option<&'a Translation>,
    /// The message template.
    pub message: Localized<&'a str>,
    /// Parameter meanings, by insertion string.
    pub parameters: BTreeMap<&'a str, Localized<&'a str>>,
    /// Explanation (Markdown).
    pub explanation: Option<Localized<&'a str>>,
    /// User action.
    pub user_action: Option<Localized<&'a UserAction>>,
    /// Links with their titles.
    pub links: Vec<(&'a Link, Localized<&'a str>)>,
    /// Category display name.
    pub category: Option<Localized<&'a str>>,
    /// The state of the whole article.
    pub state: ArticleState,
    /// Translated fields whose original changed since.
    pub stale: Vec<Field>,
    /// Fields that fall back to the default language.
    pub fallback: Vec<Field>,
}

/// Resolve `event` in `lang` (`default` is the site's default language).
pub fn localize<'a>(event: &'a Event, lang: &str, default: &str) -> LocalizedEvent<'a> {
    let tr = if lang == default {
        None
    } else {
        event.translations.get(lang)
    };
    let is_default = lang == default;
    let state_of = |field: Field, translated: bool| -> FieldState {
        if is_default {
            FieldState::Original
        } else if !translated {
            FieldState::Fallback
        } else if tr.is_some_and(|t| t.is_stale(event, field)) {
            FieldState::Stale
        } else {
            FieldState::Translated
        }
    };
    let pick = |field: Field, translated: Option<&'a str>, original: &'a str| match translated {
        Some(v) => Localized {
            value: v,
            state: state_of(field, true),
        },
        None => Localized {
            value: original,
            state: state_of(field, false),
        },
    };
    let message = pick(
        Field::Message,
        tr.and_then(|t| t.message.as_deref()),
        &event.message,
    );
    let parameters = event
        .parameters
        .iter()
        .map(|(k, v)| {
            let t = tr.and_then(|t| t.parameters.get(k)).map(String::as_str);
            (k.as_str(), pick(Field::Parameters, t, v))
        })
        .collect();
    let explanation = event.explanation.as_deref().map(|orig| {
        pick(
            Field::Explanation,
            tr.and_then(|t| t.explanation.as_deref()),
            orig,
        )
    });
    let user_action = event
        .user_action
        .as_ref()
        .map(|orig| match tr.and_then(|t| t.user_action.as_ref()) {
            Some(v) => Localized {
                value: v,
                state: state_of(Field::UserAction, true),
            },
            None => Localized {
                value: orig,
                state: state_of(Field::UserAction, false),
            },
        });
    let links = event
        .links
        .iter()
        .map(|l| {
            (
                l,
                pick(
                    Field::Links,
                    tr.and_then(|t| t.links.get(&l.url)).map(String::as_str),
                    &l.title,
                ),
            )
        })
        .collect();
    let category = event
        .category
        .as_deref()
        .map(|orig| pick(Field::Category, tr.and_then(|t| t.category.as_deref()), orig));

    let (state, stale, fallback) = if is_default {
        (ArticleState::Original, Vec::new(), Vec::new())
    } else {
        let stale: Vec<Field> = tr
            .map(|t| Field::ALL.into_iter().filter(|f| t.is_stale(event, *f)).collect())
            .unwrap_or_default();
        let fallback: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| f.expected(event) && !tr.is_some_and(|t| f.translated_in(event, t)))
            .collect();
        let touched = tr.is_some_and(|t| Field::ALL.iter().any(|f| f.touched_in(t)));
        let state = if !touched {
            ArticleState::Missing
        } else if !stale.is_empty() {
            ArticleState::Stale
        } else if !fallback.is_empty() {
            ArticleState::Partial
        } else {
            ArticleState::Translated
        };
        (state, stale, fallback)
    };
    LocalizedEvent {
        event,
        translation: tr,
        message,
        parameters,
        explanation,
        user_action,
        links,
        category,
        state,
        stale,
        fallback,
    }
}

/// Format an ISO date (`YYYY-MM-DD`) with the locale's `date_format` and `months` UI strings.
pub fn format_date(iso: &str, t: &UiStrings) -> String {
    let text = |k: &str| match t.get(k) {
        Some(UiString::Text(s)) => Some(s.as_str()),
        _ => None,
    };
    let parts: Vec<&str> = iso.split('-').collect();
    let (Some(y), Some(m), Some(d)) = (parts.first(), parts.get(1), parts.get(2)) else {
        return iso.to_string();
    };
    let (Ok(mn), Ok(dn)) = (m.parse::<usize>(), d.parse::<usize>()) else {
        return iso.to_string();
    };
    let month_name = text("months")
        .and_then(|ms| ms.split('|').nth(mn.wrapping_sub(1)))
        .unwrap_or(m);
    text("date_format")
        .unwrap_or("{year}-{month2}-{day2}")
        .replace("{year}", y)
        .replace("{month2}", &format!("{mn:02}"))
        .replace("{month_name}", month_name)
        .replace("{month}", &mn.to_string())
        .replace("{day2}", &format!("{dn:02}"))
        .replace("{day}", &dn.to_string())
}

/// The per-language translation status of a whole site.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageStatus {
    /// Language code.
    pub lang: String,
    /// Events whose every part is translated and current.
    pub translated: usize,
    /// Events with stale parts.
    pub stale: usize,
    /// Events partly translated.
    pub partial: usize,
    /// Events not translated at all.
    pub missing: usize,
    /// One line per event that is not fully translated.
    pub items: Vec<StatusItem>,
}

/// One event that needs a translator's attention.
#[derive(Debug, Clone, Serialize)]
pub struct StatusItem {
    /// `Source ID`.
    pub event: String,
    /// The record file.
    pub file: String,
    /// The overlay file, existing or to create.
    pub overlay: String,
    /// `stale`, `partial` or `missing`.
    pub state: ArticleState,
    /// Stale fields.
    pub stale_fields: Vec<Field>,
    /// Fields still in the default language.
    pub missing_fields: Vec<Field>,
}

/// Compute the status of every non-default language (or only `only`).
pub fn status(config: &crate::config::Config, events: &[Event], only: Option<&str>) -> Vec<LanguageStatus> {
    let mut out = Vec::new();
    for (lang, _) in config.languages.iter().skip(1) {
        if only.is_some_and(|o| o != lang) {
            continue;
        }
        let mut s = LanguageStatus {
            lang: lang.clone(),
            translated: 0,
            stale: 0,
            partial: 0,
            missing: 0,
            items: Vec::new(),
        };
        for e in events {
            let l = localize(e, lang, &config.default_language);
            match l.state {
                ArticleState::Translated | ArticleState::Original => {
                    s.translated += 1;
                    continue;
                }
                ArticleState::Stale => s.stale += 1,
                ArticleState::Partial => s.partial += 1,
                ArticleState::Missing => s.missing += 1,
            }
            let overlay = crate::translation::overlay_path_for(&e.file, lang);
            s.items.push(StatusItem {
                event: format!("{} {}", e.source, e.id),
                file: crate::diagnostics::slash_path(&e.file),
                overlay: crate::diagnostics::slash_path(&overlay),
                state: l.state,
                stale_fields: l.stale,
                missing_fields: l.fallback,
            });
        }
        // Stale first (they are regressions), then partial, then missing; events keep their order.
        s.items.sort_by_key(|i| match i.state {
            ArticleState::Stale => 0,
            ArticleState::Partial => 1,
            _ => 2,
        });
        out.push(s);
    }
    out
}

/// The human-readable form of [`status`].
pub fn status_text(report: &[LanguageStatus], total: usize) -> String {
    let mut out = String::new();
    if report.is_empty() {
        out.push_str("the site has only its default language: nothing to translate\n");
    }
    for s in report {
        out.push_str(&format!(
            "{}: {} translated, {} stale, {} partial, {} missing (of {} events)\n",
            s.lang, s.translated, s.stale, s.partial, s.missing, total
        ));
        let names = |fs: &[Field]| fs.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
        for i in &s.items {
            let detail = match i.state {
                ArticleState::Stale => format!("changed since translated: {}", names(&i.stale_fields)),
                ArticleState::Partial => format!("not translated: {}", names(&i.missing_fields)),
                _ => format!("create {}", i.overlay),
            };
            let state = match i.state {
                ArticleState::Stale => "stale",
                ArticleState::Partial => "partial",
                _ => "missing",
            };
            out.push_str(&format!("  {state:<8} {:<45} {detail}\n", i.event));
            if i.state != ArticleState::Missing {
                out.push_str(&format!("  {:<8} {}\n", "", i.overlay));
            }
        }
    }
    out
}
