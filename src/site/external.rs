//! `eventref check --external-links`: the links to other sites (`links:` URLs
//! and `http(s)` links in the prose of records and of their translations), fetched concurrently with a
//! timeout, each answer remembered in an on-disk cache outside the published
//! tree. A link is broken only when its server says so (a 4xx answer other
//! than 401, 403, 405 and 429); a link that could not be fetched (no network,
//! unknown host, timeout, TLS) or whose server refused the checker (401, 403,
//! 405: sites that block bots) is reported as unchecked, never as broken.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::content::{Event, UserAction};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// The cache file, relative to the site root (never in the output folder).
pub const CACHE_FILE: &str = ".eventref/external-links.json";

/// How [`super::Site::check_external_links`] fetches.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// The longest one link may take (connecting, redirects and answer).
    pub timeout: Duration,
    /// How many links are fetched at once.
    pub concurrency: usize,
    /// The cache file; `None` for no cache.
    pub cache: Option<PathBuf>,
    /// How long a good answer is trusted.
    pub max_age: Duration,
}

impl ExternalOptions {
    /// The defaults for the site at `root`: 10 s, 8 at once, the cache in
    /// `.eventref/` of the site, good answers trusted for a week.
    pub fn for_root(root: &Path) -> Self {
        ExternalOptions {
            timeout: Duration::from_secs(10),
            concurrency: 8,
            cache: Some(root.join(CACHE_FILE)),
            max_age: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// What fetching one URL found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// A 2xx or 3xx answer (after redirects).
    Ok,
    /// The server answered with this error status.
    Status(u16),
    /// The URL is not one that can be fetched.
    Invalid(String),
    /// No answer: no network, unknown host, refused, timeout, TLS.
    Unreachable(String),
}

#[derive(Serialize, Deserialize, Default)]
struct Cache {
    /// URL → when (seconds since 1970) it last answered well.
    ok: BTreeMap<String, u64>,
}

/// Every outside URL of the events and of their translations, with where it
/// is written (a URL only a translation links to is reported in its overlay).
fn outside_urls(root: &Path, events: &[Event]) -> BTreeMap<String, Vec<Location>> {
    let mut out: BTreeMap<String, Vec<Location>> = BTreeMap::new();
    for e in events {
        let mut urls: Vec<String> = e.links.iter().map(|l| l.url.trim().to_string()).collect();
        urls.extend(prose_urls(e.explanation.as_deref(), e.user_action.as_ref()));
        locate_urls(root, &e.file, urls, &mut out);
        for t in e.translations.values() {
            let urls = prose_urls(t.explanation.as_deref(), t.user_action.as_ref());
            locate_urls(root, &t.file, urls, &mut out);
        }
    }
    out
}

/// The destinations of the links in an explanation and a user action.
fn prose_urls(explanation: Option<&str>, user_action: Option<&UserAction>) -> Vec<String> {
    let mut prose: Vec<&str> = explanation.into_iter().collect();
    match user_action {
        Some(UserAction::Text(t)) => prose.push(t),
        Some(UserAction::Steps { intro, steps }) => {
            prose.extend(intro.iter().map(String::as_str));
            prose.extend(steps.iter().map(String::as_str));
        }
        None => {}
    }
    prose
        .into_iter()
        .flat_map(crate::content::links::destinations)
        .collect()
}

/// Add the `http(s)` ones of `urls`, written in `file`, to `out` with where
/// each is first written in the file.
fn locate_urls(root: &Path, file: &Path, mut urls: Vec<String>, out: &mut BTreeMap<String, Vec<Location>>) {
    urls.retain(|u| {
        let l = u.to_ascii_lowercase();
        l.starts_with("http://") || l.starts_with("https://")
    });
    if urls.is_empty() {
        return;
    }
    let text: Option<std::sync::Arc<str>> = std::fs::read_to_string(root.join(file)).ok().map(Into::into);
    let mut seen = std::collections::HashSet::new();
    for u in urls {
        if !seen.insert(u.clone()) {
            continue;
        }
        let loc = match text.as_ref().and_then(|t| t.find(u.as_str()).map(|i| (t, i))) {
            Some((t, i)) => {
                let before = &t[..i];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                Location::new(file, Some(t.clone()), line as u32, col as u32).with_len(u.chars().count())
            }
            None => Location::file_only(file),
        };
        out.entry(u).or_default().push(loc);
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn read_cache(path: Option<&Path>) -> Cache {
    path.and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Write the cache through a temporary file and a rename, never through a
/// symbolic link (a link where the folder or file should be is left alone).
fn write_cache(path: &Path, cache: &Cache) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if dir.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
        || path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(std::io::Error::other("a symbolic link is in the way"));
    }
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer_pretty(&mut tmp, cache).map_err(std::io::Error::other)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn fetch(agent: &ureq::Agent, url: &str) -> Outcome {
    let classify = |e: ureq::Error| match e {
        ureq::Error::BadUri(m) => Outcome::Invalid(m),
        ureq::Error::Http(e) => Outcome::Invalid(e.to_string()),
        e => Outcome::Unreachable(e.to_string()),
    };
    // HEAD first; some servers refuse HEAD, so an error status is asked again with GET.
    match agent.head(url).call() {
        Ok(r) if r.status().as_u16() < 400 => Outcome::Ok,
        Ok(_) => match agent.get(url).call() {
            Ok(r) if r.status().as_u16() < 400 => Outcome::Ok,
            Ok(r) => Outcome::Status(r.status().as_u16()),
            Err(e) => classify(e),
        },
        Err(e) => classify(e),
    }
}

/// Check every outside URL of `events` (records under `root`).
pub fn check(root: &Path, events: &[Event], opts: &ExternalOptions) -> Diagnostics {
    let urls = outside_urls(root, events);
    let mut cache = read_cache(opts.cache.as_deref());
    let now = now();
    let fresh = |u: &str| {
        cache
            .ok
            .get(u)
            .is_some_and(|t| now.saturating_sub(*t) < opts.max_age.as_secs())
    };
    let todo: Vec<&String> = urls.keys().filter(|u| !fresh(u)).collect();
    let results = fetch_all(&todo, opts);
    let mut diags = Diagnostics::new();
    let mut unreachable = 0;
    for (url, locs) in &urls {
        let Some(o) = results.get(url.as_str()) else {
            continue;
        };
        match o {
            Outcome::Ok => {
                cache.ok.insert(url.clone(), now);
                continue;
            }
            Outcome::Unreachable(_) => {
                unreachable += 1;
                cache.ok.remove(url);
            }
            Outcome::Status(_) | Outcome::Invalid(_) => {}
        }
        let Some(mut d) = diagnostic_for(url, o) else {
            continue;
        };
        if let Some(first) = locs.first() {
            d = d.at(first.clone());
        }
        for l in locs.iter().skip(1) {
            d = d.note("also linked here", Some(l.clone()));
        }
        diags.push(d);
    }
    if unreachable > 0 && unreachable == todo.len() {
        diags.push(
            Diagnostic::warning(
                "external-links-offline",
                format!("no outside link could be reached ({unreachable} unchecked): is this machine offline?"),
            )
            .help("links checked well in the last week are taken from the cache; the others are checked when the network is back"),
        );
    }
    if let Some(p) = &opts.cache
        && !todo.is_empty()
        && let Err(e) = write_cache(p, &cache)
    {
        diags.push(
            Diagnostic::warning("link-cache", format!("cannot write the link cache: {e}"))
                .at(Location::file_only(p)),
        );
    }
    diags.sort();
    diags
}

/// Fetch each of `todo` with `opts.concurrency` threads; the outcome of each.
fn fetch_all<'u>(todo: &[&'u String], opts: &ExternalOptions) -> HashMap<&'u str, Outcome> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("eventref/", env!("CARGO_PKG_VERSION"), " (link check)"))
        .build()
        .into();
    let next = AtomicUsize::new(0);
    let results: Mutex<HashMap<&str, Outcome>> = Mutex::new(HashMap::new());
    std::thread::scope(|s| {
        for _ in 0..opts.concurrency.clamp(1, 64).min(todo.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(u) = todo.get(i) else { break };
                    let o = fetch(&agent, u);
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(u.as_str(), o);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The diagnostic for the outcome of fetching `url` (none when it answered well).
fn diagnostic_for(url: &str, o: &Outcome) -> Option<Diagnostic> {
    let d = match o {
        Outcome::Ok => return None,
        Outcome::Status(code @ (401 | 403 | 405)) => Diagnostic::warning(
            "external-link-unchecked",
            format!("{url} answers {code}: the server refused the checker"),
        )
        .help(
            "the server refused the checker, not necessarily the page: sites that block bots \
             answer 401, 403 or 405; open the link in a browser to check it",
        ),
        Outcome::Status(code) if (400..500).contains(code) && *code != 429 => Diagnostic::error(
            "broken-external-link",
            format!("{url} answers {code}: the page is not there"),
        )
        .help("fix the URL or remove the link"),
        Outcome::Status(code) => Diagnostic::warning(
            "external-link-unchecked",
            format!("{url} answers {code}: the server could not answer now"),
        )
        .help("this is not a broken link; check it again later"),
        Outcome::Invalid(m) => {
            Diagnostic::error("broken-external-link", format!("{url} cannot be fetched: {m}"))
                .help("write a complete http(s) URL")
        }
        Outcome::Unreachable(m) => Diagnostic::warning(
            "external-link-unchecked",
            format!("{url} could not be reached: {m}"),
        )
        .help("a network error, not a broken link: check the connection (or the host name) and run again"),
    };
    Some(d)
}
