//! Internationalization: the theme's and site's UI strings per locale, plural
//! rules and text direction (`strings`); resolving an event in one language
//! with per-field fallback and staleness (`localize`); and the per-language
//! translation status behind `eventref i18n status` (`status`).

mod localize;
mod status;
mod strings;

pub use localize::{ArticleState, FieldState, Localized, LocalizedEvent, Parameters, format_date, localize};
pub use status::{LanguageStatus, StatusItem, status, status_text};
pub use strings::{UiString, UiStrings, direction, format_plural, plural_category};
