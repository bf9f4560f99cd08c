//! The `/go/` page: the target of Event Viewer's "Event Log Online Help" link.
//!
//! Event Viewer opens a URL that an administrator sets (registry or Group
//! Policy, see `docs/event-viewer.md`) with the event's source, ID, product and
//! locale as query parameters (`EvtSrc`, `EvtID`, `ProdName`, `ProdVer`,
//! `LCID`, `CoName`, `FileName`, `FileVer`). This module writes one static page
//! at the site root, `go/index.html`, whose script (`static/go.js`) reads those
//! parameters, picks the site language closest to the locale, looks the source
//! and ID up in that language's lookup tables (the same key shards the search
//! page uses) and replaces itself with the event's page, or, when the reference
//! does not have the event, with the search page for that source and ID and a
//! notice saying so. Everything is relative to the page, so it works under any
//! base path, and it makes no request to another origin.

use crate::config::Config;

use super::escape_html;
use super::urls::{self, Route};

/// The `/go/` page's HTML: language-neutral, no template, a status line for the
/// moment the script needs and a plain link for browsers without JavaScript.
pub fn page(config: &Config) -> String {
    let default = &config.default_language;
    let title = escape_html(&config.title);
    let codes: Vec<&str> = config.language_codes().collect();
    let languages = escape_html(&codes.join(" "));
    let dir = crate::i18n::direction(default);
    let root = urls::root_prefix(urls::GO_DIR);
    let favicon = urls::static_file("favicon.svg");
    let css = urls::static_file("technet.css");
    let script = urls::static_file("go.js");
    let search = urls::dir_link(&Route::Search.in_lang(default), config.offline);
    // An offline copy (file://) runs the script as a classic script and reads
    // the lookup tables' script twins.
    let (script_attrs, offline) = if config.offline {
        (
            "defer",
            format!(
                " data-offline=\"true\" data-dir-index=\"{}\"",
                urls::dir_index(true)
            ),
        )
    } else {
        ("type=\"module\"", String::new())
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{default}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"icon\" href=\"{root}{favicon}\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"{root}{css}\">\n\
         <script {script_attrs} src=\"{root}{script}\"></script>\n</head>\n\
         <body class=\"page-go\">\n<main id=\"go\" data-root=\"{root}\" data-default=\"{default}\" data-languages=\"{languages}\"{offline}>\n\
         <h1>{title}</h1>\n<p id=\"go-status\" role=\"status\">…</p>\n\
         <noscript><p>This link from Event Viewer needs JavaScript to find the event. \
         <a href=\"{root}{search}\">Search the reference</a>.</p></noscript>\n\
         </main>\n</body>\n</html>\n"
    )
}
