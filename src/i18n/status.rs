//! Translation status: per language, which events are translated, stale or
//! missing, for `eventref i18n status`.

use serde::Serialize;

use super::localize::{ArticleState, localize};
use crate::content::{Event, Field};

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
    /// Placeholders (`# TODO translate`, `TODO: …`) left in this language's
    /// overlays. An event whose overlay holds one is never counted as translated.
    pub placeholders: usize,
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
    /// Placeholders left in the overlay.
    pub placeholders: usize,
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
            placeholders: 0,
            items: Vec::new(),
        };
        for e in events {
            let mut l = localize(e, lang, &config.default_language);
            let placeholders = e
                .translations
                .get(lang.as_str())
                .and_then(|t| crate::content::read_text(&config.root, &t.file).ok())
                .map(|text| crate::content::placeholder::find(&text).len())
                .unwrap_or(0);
            s.placeholders += placeholders;
            if placeholders > 0 && l.state == ArticleState::Translated {
                l.state = ArticleState::Partial;
            }
            match l.state {
                ArticleState::Translated | ArticleState::Original => {
                    s.translated += 1;
                    continue;
                }
                ArticleState::Stale => s.stale += 1,
                ArticleState::Partial => s.partial += 1,
                ArticleState::Missing => s.missing += 1,
            }
            let overlay = crate::content::overlay::overlay_path_for(&e.file, lang);
            s.items.push(StatusItem {
                event: format!("{} {}", e.source, e.id),
                file: crate::diagnostics::slash_path(&e.file),
                overlay: crate::diagnostics::slash_path(&overlay),
                state: l.state,
                stale_fields: l.stale,
                missing_fields: l.fallback,
                placeholders,
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
            "{}: {} translated, {} stale, {} partial, {} missing (of {} events), {} placeholder{} left\n",
            s.lang,
            s.translated,
            s.stale,
            s.partial,
            s.missing,
            total,
            s.placeholders,
            if s.placeholders == 1 { "" } else { "s" }
        ));
        let names = |fs: &[Field]| fs.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
        for i in &s.items {
            let detail = match i.state {
                ArticleState::Stale => format!("changed since translated: {}", names(&i.stale_fields)),
                ArticleState::Partial if i.missing_fields.is_empty() => {
                    format!(
                        "{} placeholder(s) left (# TODO translate, TODO: …)",
                        i.placeholders
                    )
                }
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
