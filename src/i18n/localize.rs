//! Resolving an event in one language: which text each part of the page
//! shows (translated, stale, or the default language's as a fallback), and
//! locale-aware dates.

use serde::Serialize;

use super::strings::{UiString, UiStrings};
use crate::content::{Event, Field, Link, Translation, UserAction};

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

/// The meaning of each insertion string in one language, sorted by name as
/// the record's map is. (A sorted list, not a `BTreeMap`: a map's first node
/// is some 500 bytes however few insertion strings there are, and the lookup
/// tables hold every event of a language localised at once.)
#[derive(Debug, Clone, Default)]
pub struct Parameters<'a>(Vec<(&'a str, Localized<&'a str>)>);

impl<'a> Parameters<'a> {
    /// The meaning of insertion string `name`.
    pub fn get(&self, name: &str) -> Option<&Localized<&'a str>> {
        self.get_key_value(name).map(|(_, v)| v)
    }

    /// Insertion string `name` as the record spells it, and its meaning.
    pub fn get_key_value(&self, name: &str) -> Option<(&'a str, &Localized<&'a str>)> {
        let i = self.0.binary_search_by(|(k, _)| (*k).cmp(name)).ok()?;
        Some((self.0[i].0, &self.0[i].1))
    }

    /// Each insertion string and its meaning, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &Localized<&'a str>)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    /// Each meaning, by name of its insertion string.
    pub fn values(&self) -> impl Iterator<Item = &Localized<&'a str>> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Whether the event has no insertion string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// As a JSON object of each insertion string's meaning, by name (what the
/// lookup tables carry).
impl Serialize for Parameters<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v.value)))
    }
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
    pub parameters: Parameters<'a>,
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
    // Which translated fields are stale, looked up once here (a field's state
    // is asked for each of its values: every parameter, every link); the
    // translation works the set out the first time and keeps it.
    let stale: Vec<Field> = tr.map(|t| t.stale_fields(event).collect()).unwrap_or_default();
    let r = Resolver {
        is_default,
        stale: &stale,
    };
    let message = r.pick(
        Field::Message,
        tr.and_then(|t| t.message.as_deref()),
        &event.message,
    );
    // (The record's map is sorted by name, and so is this.)
    let parameters = Parameters(
        event
            .parameters
            .iter()
            .map(|(k, v)| {
                let t = tr.and_then(|t| t.parameters.get(k)).map(String::as_str);
                (k.as_str(), r.pick(Field::Parameters, t, v))
            })
            .collect(),
    );
    let explanation = event.explanation.as_deref().map(|orig| {
        r.pick(
            Field::Explanation,
            tr.and_then(|t| t.explanation.as_deref()),
            orig,
        )
    });
    let user_action = event
        .user_action
        .as_ref()
        .map(|orig| r.pick(Field::UserAction, tr.and_then(|t| t.user_action.as_ref()), orig));
    let links = event
        .links
        .iter()
        .map(|l| {
            (
                l,
                r.pick(
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
        .map(|orig| r.pick(Field::Category, tr.and_then(|t| t.category.as_deref()), orig));

    let (state, fallback) = if is_default {
        (ArticleState::Original, Vec::new())
    } else {
        article_state(event, tr, &stale)
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

/// Whether a page is in the default language and which translated fields are
/// stale: what resolving an event's fields one by one needs.
struct Resolver<'s> {
    is_default: bool,
    /// The translated fields whose original changed since.
    stale: &'s [Field],
}

impl Resolver<'_> {
    /// Where a field's text comes from, given whether it is translated.
    fn state(&self, field: Field, translated: bool) -> FieldState {
        if self.is_default {
            FieldState::Original
        } else if !translated {
            FieldState::Fallback
        } else if self.stale.contains(&field) {
            FieldState::Stale
        } else {
            FieldState::Translated
        }
    }

    /// The translated value if there is one, else the original, with where it comes from.
    fn pick<'a, T: ?Sized>(
        &self,
        field: Field,
        translated: Option<&'a T>,
        original: &'a T,
    ) -> Localized<&'a T> {
        match translated {
            Some(v) => Localized {
                value: v,
                state: self.state(field, true),
            },
            None => Localized {
                value: original,
                state: self.state(field, false),
            },
        }
    }
}

/// The state of an article in a language other than the default (given its
/// `stale` fields), with the fields that fall back.
fn article_state(event: &Event, tr: Option<&Translation>, stale: &[Field]) -> (ArticleState, Vec<Field>) {
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
    (state, fallback)
}

/// The parts of an ISO date (`YYYY-MM-DD`) a date format can show, and the
/// locale's format (`date_format`, with month names from `months`).
struct DateParts<'a> {
    year: &'a str,
    month: usize,
    day: usize,
    month_name: &'a str,
    format: &'a str,
}

impl<'a> DateParts<'a> {
    /// `None` when `iso` is not three `-`-separated parts with a numeric month and day.
    fn of(iso: &'a str, t: &'a UiStrings) -> Option<DateParts<'a>> {
        let text = |k: &str| match t.get(k) {
            Some(UiString::Text(s)) => Some(s.as_str()),
            _ => None,
        };
        let mut parts = iso.split('-');
        let (year, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        let (month, day) = (m.parse::<usize>().ok()?, d.parse::<usize>().ok()?);
        let month_name = text("months")
            .and_then(|ms| ms.split('|').nth(month.wrapping_sub(1)))
            .unwrap_or(m);
        Some(DateParts {
            year,
            month,
            day,
            month_name,
            format: text("date_format").unwrap_or("{year}-{month2}-{day2}"),
        })
    }
}

/// Format an ISO date (`YYYY-MM-DD`) with the locale's `date_format` and `months` UI strings.
///
/// The format's `{year}`, `{month}`, `{month2}`, `{month_name}`, `{day}` and
/// `{day2}` are filled in, in one pass; any other text is kept as written.
pub fn format_date(iso: &str, t: &UiStrings) -> String {
    use std::fmt::Write as _;
    let Some(p) = DateParts::of(iso, t) else {
        return iso.to_string();
    };
    let mut out = String::with_capacity(p.format.len() + p.month_name.len());
    let mut rest = p.format;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let token = rest.find('}').map_or("", |close| &rest[..=close]);
        let _ = match token {
            "{year}" => out.write_str(p.year),
            "{month2}" => write!(out, "{:02}", p.month),
            "{month_name}" => out.write_str(p.month_name),
            "{month}" => write!(out, "{}", p.month),
            "{day2}" => write!(out, "{:02}", p.day),
            "{day}" => write!(out, "{}", p.day),
            _ => {
                out.push('{');
                rest = &rest[1..];
                continue;
            }
        };
        rest = &rest[token.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{FieldState, Localized, Parameters};
    use crate::i18n::{UiString, UiStrings};

    /// `format_date` as it was: one `replace` after another.
    fn format_date_by_replacing(iso: &str, t: &UiStrings) -> String {
        let Some(p) = super::DateParts::of(iso, t) else {
            return iso.to_string();
        };
        p.format
            .replace("{year}", p.year)
            .replace("{month2}", &format!("{:02}", p.month))
            .replace("{month_name}", p.month_name)
            .replace("{month}", &p.month.to_string())
            .replace("{day2}", &format!("{:02}", p.day))
            .replace("{day}", &p.day.to_string())
    }

    proptest::proptest! {
        #[test]
        fn dates_format_as_by_replacing_each_placeholder(
            format in proptest::option::of("([a-z .,/-]|\\{|\\}|\\{year\\}|\\{month\\}|\\{month2\\}|\\{month_name\\}|\\{day\\}|\\{day2\\}|\\{x\\})*"),
            iso in "(20[0-9]{2}-(0[1-9]|1[0-2]|13|x)-(0[1-9]|[12][0-9]|3[01]))|[0-9-]{0,10}",
        ) {
            let mut t = UiStrings::default();
            t.insert("months".into(), UiString::Text("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec".into()));
            if let Some(f) = format {
                t.insert("date_format".into(), UiString::Text(f));
            }
            proptest::prop_assert_eq!(super::format_date(&iso, &t), format_date_by_replacing(&iso, &t));
        }
    }

    #[test]
    fn parameters_are_found_by_name_in_name_order() {
        let meaning = |value| Localized {
            value,
            state: FieldState::Original,
        };
        let p = Parameters(vec![
            ("%1", meaning("path")),
            ("%2", meaning("user")),
            ("{Name}", meaning("name")),
        ]);
        assert_eq!(p.get("%2").map(|l| l.value), Some("user"));
        assert_eq!(
            p.get_key_value("{Name}").map(|(k, l)| (k, l.value)),
            Some(("{Name}", "name"))
        );
        assert!(p.get("%3").is_none() && p.get("").is_none());
        assert_eq!(
            p.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["%1", "%2", "{Name}"]
        );
        assert_eq!(
            p.values().map(|l| l.value).collect::<Vec<_>>(),
            ["path", "user", "name"]
        );
    }
}
