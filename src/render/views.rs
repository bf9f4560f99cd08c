//! Views: the values the templates see for an event, a link to an event, a
//! category group — built from localized content, with the parts shown in
//! another language than the page marked with their `lang`.

use serde::Serialize;

use crate::config::Config;
use crate::content::message::{self, Segment};
use crate::content::slug::Slug;
use crate::content::{Event, Level, UserAction};
use crate::i18n::{self, ArticleState, FieldState, Localized, LocalizedEvent, UiString, UiStrings};

use super::markdown;
use super::urls::Route;

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(super) enum SegmentView<'a> {
    Text {
        text: String,
    },
    Insert {
        name: String,
        /// The parameter's description as written (shown as a `title`, as text).
        description: Option<&'a str>,
    },
}

#[derive(Serialize)]
pub(super) struct ParamView<'a> {
    name: &'a str,
    /// The description as written (Markdown).
    description: Option<&'a str>,
    /// The description rendered as inline Markdown (sanitized).
    description_html: Option<Html>,
    /// Set when the description is shown in the default language on a translated page.
    lang: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct LinkView<'a> {
    url: &'a str,
    title: &'a str,
    lang: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct TranslationView<'a> {
    /// `original`, `translated`, `partial`, `stale` or `missing`.
    state: ArticleState,
    /// The localized notice to show at the top of the article, if any.
    notice: Option<String>,
    /// The language parts of the page fall back to, if any.
    fallback_lang: Option<&'a str>,
}

/// A link to an event, as event tables and an event page's related,
/// previous and next events show it (borrowed from the event and the UI
/// strings: an event is linked from several pages of each language).
#[derive(Serialize)]
pub(super) struct EventLink<'a> {
    pub(super) title: String,
    pub(super) url: String,
    pub(super) message: Option<&'a str>,
    /// Set when the message is shown in the default language on a translated page.
    pub(super) message_lang: Option<&'a str>,
    pub(super) level: Option<&'static str>,
    pub(super) level_label: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct UserActionView {
    intro_html: Option<Html>,
    steps_html: Vec<Html>,
    text_html: Option<Html>,
}

#[derive(Serialize)]
pub(super) struct EventView<'a> {
    pub(super) title: String,
    source: &'a str,
    source_url: String,
    id: u16,
    url: String,
    message: &'a str,
    message_lang: Option<&'a str>,
    message_stale: bool,
    message_original: Option<&'a str>,
    segments: Vec<SegmentView<'a>>,
    parameters: Vec<ParamView<'a>>,
    parameters_stale: bool,
    symbolic_name: Option<&'a str>,
    category: Option<&'a str>,
    category_lang: Option<&'a str>,
    category_url: Option<String>,
    level: Option<&'static str>,
    level_label: Option<&'a str>,
    product: Option<&'a str>,
    product_version: Option<&'a str>,
    channel: Option<&'a str>,
    explanation_html: Option<Html>,
    explanation_lang: Option<&'a str>,
    explanation_stale: bool,
    explanation_original_html: Option<Html>,
    user_action: Option<UserActionView>,
    user_action_lang: Option<&'a str>,
    user_action_stale: bool,
    user_action_original: Option<UserActionView>,
    intro_html: Html,
    more_info_html: Option<Html>,
    links: Vec<LinkView<'a>>,
    related: Vec<EventLink<'a>>,
    last_modified: Option<&'a str>,
    last_modified_display: Option<String>,
    is_stub: bool,
    translation: TranslationView<'a>,
    prev: Option<EventLink<'a>>,
    next: Option<EventLink<'a>>,
    /// Fields, value maps, sample XML, versions (only for records that have them).
    model: Option<super::event_model::ModelView>,
}

#[derive(Serialize)]
pub(super) struct CategoryGroup<'a> {
    pub(super) name: String,
    /// Set when the name is shown in the default language on a translated page.
    pub(super) lang: Option<&'a str>,
    pub(super) url: Option<String>,
    pub(super) events: Vec<EventLink<'a>>,
    #[serde(skip)]
    pub(super) _p: std::marker::PhantomData<&'a ()>,
}

pub(super) fn ui<'a>(t: &'a UiStrings, key: &'a str) -> &'a str {
    match t.get(key) {
        Some(UiString::Text(s)) => s,
        Some(UiString::Plural(m)) => m.get("other").map(String::as_str).unwrap_or(key),
        None => key,
    }
}

pub(super) fn level_label(t: &UiStrings, l: Level) -> &str {
    // `level_` and the level's name with `_` for `-` (written out: every
    // event link of every page has one).
    let key = match l {
        Level::Critical => "level_critical",
        Level::Error => "level_error",
        Level::Warning => "level_warning",
        Level::Information => "level_information",
        Level::Verbose => "level_verbose",
        Level::AuditSuccess => "level_audit_success",
        Level::AuditFailure => "level_audit_failure",
    };
    ui(t, key)
}

/// HTML that eventref made (sanitized Markdown, escaped text) as a template
/// value: marked safe, so the templates print it as it is (`| safe` is not
/// needed, and would copy it), and shared, not copied, by every page and
/// language that shows it (an event's prose is most of its page's bytes).
pub(super) type Html = tera::Value;

/// `html` as an [`Html`] value.
pub(super) fn html(html: &str) -> Html {
    tera::Value::safe_string(html)
}

pub(super) struct ProductTexts {
    pub(super) intro_html: Html,
    pub(super) more_info_html: Option<Html>,
}

/// The display name of a category in `lang`: the first translation any of its
/// events gives, else the original (with the default language to mark it).
pub(super) fn category_name<'a>(
    original: &str,
    events: &[&Event],
    lang: &str,
    default: &'a str,
) -> (String, Option<&'a str>) {
    if lang == default {
        return (original.to_string(), None);
    }
    events
        .iter()
        .find_map(|e| e.translations.get(lang).and_then(|t| t.category.clone()))
        .map(|n| (n, None))
        .unwrap_or_else(|| (original.to_string(), Some(default)))
}

/// `lang` attribute value for a part shown in another language than the page.
pub(super) fn fallback_lang<'a, T>(l: &Localized<T>, default: &'a str) -> Option<&'a str> {
    (l.state == FieldState::Fallback).then_some(default)
}

/// How a piece of an event's prose is rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ProseKind {
    /// Blocks, `event:` links made relative ([`markdown::to_html_with`]).
    Block,
    /// One line, `event:` links made relative ([`markdown::to_inline_html_with`]).
    Inline,
    /// One line, links as written ([`markdown::to_inline_html`]).
    InlinePlain,
}

/// The HTML of one event's Markdown prose, made once for all the languages
/// of its pages: a field that falls back (most fields of a site's
/// translations) shows the default language's text on every language's
/// page, and the HTML depends only on the text and the event (the links it
/// makes are relative, the same from each language's page). One is kept per
/// event while its pages are rendered, on one thread.
pub(super) struct ProseHtml<'a> {
    /// Whether other languages' pages will ask (else nothing is kept).
    shared: bool,
    done: std::cell::RefCell<Vec<(ProseKind, &'a str, Html)>>,
}

impl<'a> ProseHtml<'a> {
    /// For the pages of `languages` languages.
    pub(super) fn new(languages: usize) -> Self {
        ProseHtml {
            shared: languages > 1,
            done: Default::default(),
        }
    }

    fn html(&self, e: &Event, kind: ProseKind, md: &'a str) -> Html {
        if let Some((_, _, html)) = self.done.borrow().iter().find(|(k, m, _)| *k == kind && *m == md) {
            return html.clone();
        }
        let rewrite = |d: &str| super::urls::shorthand_url(e, d);
        let html = html(&match kind {
            ProseKind::Block => markdown::to_html_with(md, &rewrite),
            ProseKind::Inline => markdown::to_inline_html_with(md, &rewrite),
            ProseKind::InlinePlain => markdown::to_inline_html(md),
        });
        if self.shared {
            self.done.borrow_mut().push((kind, md, html.clone()));
        }
        html
    }
}

fn user_action_view<'a>(e: &Event, ua: &'a UserAction, prose: &ProseHtml<'a>) -> UserActionView {
    match ua {
        UserAction::Text(md) => UserActionView {
            intro_html: None,
            steps_html: Vec::new(),
            text_html: Some(prose.html(e, ProseKind::Block, md)),
        },
        UserAction::Steps { intro, steps } => UserActionView {
            intro_html: intro.as_deref().map(|i| prose.html(e, ProseKind::Inline, i)),
            steps_html: steps
                .iter()
                .map(|s| prose.html(e, ProseKind::Inline, s))
                .collect(),
            text_html: None,
        },
    }
}

/// What the templates need to render one event page.
pub(super) struct EventPage<'a, 'b> {
    pub(super) loc: &'b LocalizedEvent<'a>,
    pub(super) t: &'b UiStrings,
    pub(super) texts: &'b ProductTexts,
    pub(super) config: &'a Config,
    pub(super) prev: Option<&'b Event>,
    pub(super) next: Option<&'b Event>,
    pub(super) by_key: &'b std::collections::HashMap<(&'b str, u16), &'b Event>,
    pub(super) link: &'b dyn Fn(&'b Event) -> EventLink<'b>,
    /// The event's prose as HTML, shared by the pages of its languages.
    pub(super) prose: &'b ProseHtml<'a>,
}

/// The message of a localized event as text and inserts, and its parameters.
fn message_views<'a>(
    loc: &LocalizedEvent<'a>,
    default: &'a str,
    prose: &ProseHtml<'a>,
) -> (Vec<SegmentView<'a>>, Vec<ParamView<'a>>) {
    let params = &loc.parameters;
    let segments = message::parse(loc.message.value)
        .into_iter()
        .map(|s| match s {
            Segment::Text { text } => SegmentView::Text { text },
            Segment::Insert { name, .. } => {
                let description = params.get(name.as_str()).map(|l| l.value);
                SegmentView::Insert { name, description }
            }
        })
        .collect();
    let parameters = message::inserts(&loc.event.message)
        .iter()
        .filter_map(|n| params.get_key_value(n.as_str()))
        .map(|(k, v)| ParamView {
            name: k,
            description: Some(v.value),
            description_html: Some(prose.html(loc.event, ProseKind::InlinePlain, v.value)),
            lang: fallback_lang(v, default),
        })
        .collect();
    (segments, parameters)
}

/// The translation state of an event page and the notice it shows.
fn translation_view<'a>(loc: &LocalizedEvent, t: &UiStrings, config: &'a Config) -> TranslationView<'a> {
    let default = config.default_language.as_str();
    let fallback_name = language_name(t, config, default);
    let notice = match loc.state {
        ArticleState::Missing => Some(ui(t, "notice_untranslated").replace("{fallback}", &fallback_name)),
        ArticleState::Partial => Some(ui(t, "notice_partial").replace("{fallback}", &fallback_name)),
        ArticleState::Stale if !loc.fallback.is_empty() => {
            Some(ui(t, "notice_partial").replace("{fallback}", &fallback_name))
        }
        _ => None,
    };
    TranslationView {
        state: loc.state,
        notice,
        fallback_lang: (!loc.fallback.is_empty() || loc.state == ArticleState::Missing).then_some(default),
    }
}

/// The title of an event page and of links to it: source and ID.
pub(super) fn event_title(e: &Event) -> String {
    super::urls::concat(&[&e.source, " ", itoa::Buffer::new().format(e.id)])
}

/// A link to event `e` from a page in `lang`: its title, message and level.
pub(super) fn event_link<'a>(e: &'a Event, lang: &str, default: &'a str, t: &'a UiStrings) -> EventLink<'a> {
    let (message, message_lang) = match e.translations.get(lang).and_then(|t| t.message.as_ref()) {
        Some(m) if lang != default => (m.as_str(), None),
        _ if lang != default => (e.message.as_str(), Some(default)),
        _ => (e.message.as_str(), None),
    };
    EventLink {
        title: event_title(e),
        url: Route::event(e).path(),
        message: Some(message),
        message_lang,
        level: e.level.map(Level::as_str),
        level_label: e.level.map(|l| level_label(t, l)),
    }
}

pub(super) fn event_view<'a: 'b, 'b>(p: EventPage<'a, 'b>) -> EventView<'b> {
    let loc = p.loc;
    let e = loc.event;
    let default = p.config.default_language.as_str();
    let prose = p.prose;
    let (segments, parameters) = message_views(loc, default, prose);
    let stale = |state: FieldState| state == FieldState::Stale;
    let category_slug = e.category.as_deref().and_then(Slug::new);
    EventView {
        title: event_title(e),
        source: &e.source,
        source_url: Route::Source(&e.source_slug).path(),
        id: e.id,
        url: Route::event(e).path(),
        message: loc.message.value,
        message_lang: fallback_lang(&loc.message, default),
        message_stale: stale(loc.message.state),
        message_original: stale(loc.message.state).then_some(e.message.as_str()),
        segments,
        parameters,
        parameters_stale: loc.parameters.values().any(|v| stale(v.state)),
        symbolic_name: e.symbolic_name.as_deref(),
        category: loc.category.map(|c| c.value),
        category_lang: loc.category.as_ref().and_then(|c| fallback_lang(c, default)),
        category_url: category_slug
            .as_ref()
            .map(|c| Route::Category(&e.source_slug, c).path()),
        level: e.level.map(Level::as_str),
        level_label: e.level.map(|l| level_label(p.t, l)),
        product: e.product.as_deref().or(p.config.defaults.product.as_deref()),
        product_version: e
            .product_version
            .as_deref()
            .or(p.config.defaults.product_version.as_deref()),
        channel: e.channel.as_deref(),
        explanation_html: loc.explanation.map(|x| prose.html(e, ProseKind::Block, x.value)),
        explanation_lang: loc.explanation.as_ref().and_then(|x| fallback_lang(x, default)),
        explanation_stale: loc.explanation.is_some_and(|x| stale(x.state)),
        explanation_original_html: loc
            .explanation
            .filter(|x| stale(x.state))
            .and(e.explanation.as_deref())
            .map(|x| prose.html(e, ProseKind::Block, x)),
        user_action: loc.user_action.map(|u| user_action_view(e, u.value, prose)),
        user_action_lang: loc.user_action.as_ref().and_then(|u| fallback_lang(u, default)),
        user_action_stale: loc.user_action.is_some_and(|u| stale(u.state)),
        user_action_original: loc
            .user_action
            .filter(|u| stale(u.state))
            .and(e.user_action.as_ref())
            .map(|u| user_action_view(e, u, prose)),
        intro_html: p.texts.intro_html.clone(),
        more_info_html: p.texts.more_info_html.clone(),
        links: loc
            .links
            .iter()
            .map(|(l, title)| LinkView {
                url: &l.url,
                title: title.value,
                lang: fallback_lang(title, default),
            })
            .collect(),
        related: e
            .related
            .iter()
            .filter_map(|k| p.by_key.get(&(k.source.as_str(), k.id)))
            .map(|r| (p.link)(r))
            .collect(),
        last_modified: e.last_modified.as_deref(),
        last_modified_display: e.last_modified.as_deref().map(|d| i18n::format_date(d, p.t)),
        is_stub: e.is_stub(),
        translation: translation_view(loc, p.t, p.config),
        prev: p.prev.map(p.link),
        next: p.next.map(p.link),
        model: super::event_model::model_view(loc, default),
    }
}

/// The name of language `code`, in the page's language.
pub(super) fn language_name(t: &UiStrings, config: &Config, code: &str) -> String {
    match t.get(&format!("language_name_{code}")) {
        Some(UiString::Text(s)) => s.clone(),
        _ => config
            .languages
            .iter()
            .find(|(c, _)| c == code)
            .and_then(|(_, l)| l.name.clone())
            .unwrap_or_else(|| code.to_string()),
    }
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    escape_markup(s, true)
}

/// Escape `&`, `<`, `>`, `"` and, if `apostrophe`, `'` (XML text keeps it).
pub(super) fn escape_markup(s: &str, apostrophe: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if apostrophe => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each level's label is the UI string `level_` + its name with `_` for `-`.
    #[test]
    fn level_labels_use_the_level_ui_strings() {
        for l in Level::ALL {
            let key = format!("level_{}", l.as_str().replace('-', "_"));
            // Without the string, the key itself is shown.
            assert_eq!(level_label(&UiStrings::new(), l), key);
            let t: UiStrings = [(key.clone(), UiString::Text(format!("label of {key}")))].into();
            assert_eq!(level_label(&t, l), format!("label of {key}"));
        }
    }
}
