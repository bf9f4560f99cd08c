//! The incremental `eventref build`: start from the content the last build
//! checked (kept in the build state, see [`super::state`]), re-read only the
//! edited files ([`Content::apply_edits`], the live preview's path), render
//! only the pages the edits can change ([`Selection::for_edits`]), and
//! publish them through [`Output::open_update`], which keeps every other file
//! of the folder as it is.
//!
//! It gives up, and the caller builds in full from the files, whenever it
//! cannot be sure to produce exactly what a full build would: the state does
//! not read back, the set of records or pages changes (a record, source or
//! category added or removed, an event's source or ID edited), the content or
//! the theme has an error (a full build reports it the way it always does),
//! a new link leads to an anchor on a page this build does not render, a
//! file of the last build is missing from the folder or has another size, or
//! anything fails on the way (the output is then left as it was).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::state::{self, Inputs, State};
use super::{BuildOptions, BuildReport, Publish, SearchStage, Site, publish_with};
use crate::config::Config;
use crate::content::Event;
use crate::output::Output;
use crate::render::Selection;
use crate::render::urls;
use crate::search::LookupScope;

/// Build `config` incrementally from `previous` after `changed` (content
/// files, relative to the site root) changed. `Err` gives the configuration
/// back when the build must be done in full (nothing was written then).
pub(super) fn build(
    config: Config,
    opts: &BuildOptions,
    previous: State,
    changed: &[PathBuf],
    inputs: &Inputs,
    start: Instant,
) -> Result<BuildReport, Config> {
    let out_dir = config.output_dir(opts.output.as_deref());
    let (record, snapshot) = previous.into_parts();
    let (intact, restored) = rayon::join(|| state::output_intact(&record, &out_dir), || snapshot.restore());
    let (true, Some((mut content, mut load, encoded))) = (intact, restored) else {
        return Err(config);
    };
    let Some((old, diags)) = content.apply_edits(&config, &mut load, changed) else {
        return Err(config);
    };
    let selection = Selection::for_edits(&old, &content);
    if diags.error_count() > 0 || selection.is_all() {
        return Err(config);
    }
    let site = Site {
        config,
        content,
        diagnostics: diags,
    };
    let fresh = fresh_anchor_pages(&old, &site.content.events);
    // Only the parts of the edited records and of the events whose overlays
    // changed are encoded again. The state is written while the pages
    // render, and put in place once they are published.
    let stale: HashSet<&Path> = changed
        .iter()
        .map(PathBuf::as_path)
        .chain(old.iter().map(|e| e.file.as_path()))
        .collect();
    let snapshot = site.content.snapshot(&load, &encoded, &stale);
    let lookups = if selection.lookup() {
        LookupScope::for_edits(&site.content, &old)
    } else {
        LookupScope::All
    };
    let (published, state) = rayon::join(
        || publish(&site, opts, &selection, &lookups, &fresh, inputs.fingerprint()),
        || state::begin(&out_dir, inputs, snapshot),
    );
    match published {
        Some((mut report, diags)) => {
            if let Some(state) = state {
                state.finish(&report.output);
            }
            report.elapsed = start.elapsed();
            report.diagnostics = diags;
            // Freeing ten thousand events takes longer than publishing one
            // edit: a worker does it, off the caller's path.
            rayon::spawn(move || drop((site, load, encoded, old)));
            Ok(report)
        }
        None => Err(site.config),
    }
}

/// Render and publish `selection` of `site`, and the lookup files `lookups`
/// names when the selection changes them; `None` when anything failed (the
/// output is left as it was).
fn publish(
    site: &Site,
    opts: &BuildOptions,
    selection: &Selection,
    lookups: &LookupScope,
    fresh: &[String],
    fingerprint: u64,
) -> Option<(BuildReport, crate::diagnostics::Diagnostics)> {
    let (mut diags, theme) = site.checked_theme(opts.strict).ok()?;
    let config = &site.config;
    let out_dir = config.output_dir(opts.output.as_deref());
    // Any edit of an event can change its full-text records; only some its lookup entries.
    let search = match (selection.is_empty(), opts.search) {
        (true, _) => SearchStage::Skip,
        (false, true) => SearchStage::Full,
        (false, false) if selection.lookup() => SearchStage::Lookups,
        (false, false) => SearchStage::Skip,
    };
    // Files of the last build this one does not write again are kept, but
    // for the full-text index and, when all lookup tables are written, those
    // (a shard an edit left empty goes; a partial rewrite drops such shards
    // by name).
    let mut replaced = Vec::new();
    if search == SearchStage::Full {
        replaced.push(urls::PAGEFIND_DIR.to_string());
    }
    if search != SearchStage::Skip && matches!(lookups, LookupScope::All) {
        replaced.extend(config.language_codes().map(urls::lookup_dir));
    }
    let output = if replaced.is_empty() {
        Output::open_update(config, &out_dir)
    } else {
        Output::open_folders(config, &out_dir, &replaced)
    };
    let mut output = output.ok()?;
    output.record_update_fingerprint(super::recorded(fingerprint, diags.is_empty()));
    diags.extend(site.publishing_warnings());
    let dir = output.dir().to_path_buf();
    let job = Publish {
        config,
        content: &site.content,
        theme: &theme,
        selection,
        search,
        progress: opts.progress,
        fresh_anchors: Some(fresh),
        lookups,
    };
    let (stats, search, write) = publish_with(&job, output).ok()?;
    let report = BuildReport {
        events: site.content.events.len(),
        pages: stats.pages,
        search,
        languages: config.languages.len(),
        write,
        elapsed: Default::default(),
        output: dir,
        diagnostics: Default::default(),
        incremental: true,
    };
    Some((report, diags))
}

/// The pages that links new in the edited events (`old`, as they were;
/// found in `events` as they are now) point into, for an anchor: their
/// anchors must be read from this build's pages.
fn fresh_anchor_pages(old: &[Event], events: &[Event]) -> Vec<String> {
    fn links(e: &Event) -> BTreeSet<(&str, &str)> {
        e.anchor_links
            .0
            .iter()
            .chain(e.translations.values().flat_map(|t| t.anchor_links.0.iter()))
            .map(|l| (l.page.as_str(), l.anchor.as_str()))
            .collect()
    }
    let mut pages = BTreeSet::new();
    for a in old {
        let before = links(a);
        for b in events.iter().filter(|e| e.file.as_os_str() == a.file.as_os_str()) {
            pages.extend(links(b).difference(&before).map(|(page, _)| (*page).to_string()));
        }
    }
    pages.into_iter().collect()
}
