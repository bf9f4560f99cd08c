//! Watching a site's files for `eventref serve`: turns the operating system's
//! file notifications (inotify, FSEvents, …, through the `notify` crate) into
//! batches of changed paths.
//!
//! Editors save in several steps (write a temporary file, rename it over the
//! original, touch metadata), so a batch starts at the first notification and
//! ends when the files have been quiet for a moment ([`Watcher::QUIET`]), or at
//! the latest after [`Watcher::MAX_WAIT`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};

/// Watches a folder tree and hands out batches of changed paths.
pub struct Watcher {
    _inner: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    ignore: Vec<PathBuf>,
}

impl Watcher {
    /// How long the files must be quiet before a batch ends.
    pub const QUIET: Duration = Duration::from_millis(15);
    /// The longest a batch waits for the files to be quiet.
    pub const MAX_WAIT: Duration = Duration::from_millis(250);

    /// Watch `root` recursively, leaving out the folders in `ignore` (such as
    /// the output folder when it lies inside the site).
    pub fn new(root: &Path, ignore: Vec<PathBuf>) -> notify::Result<Watcher> {
        let (tx, events) = channel();
        let mut inner = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })?;
        inner.watch(root, RecursiveMode::Recursive)?;
        Ok(Watcher {
            _inner: inner,
            events,
            ignore,
        })
    }

    /// Wait for the next batch of changed paths (sorted, without duplicates).
    /// Returns `None` when the watcher has stopped.
    pub fn next_batch(&self) -> Option<Vec<PathBuf>> {
        let mut paths = BTreeSet::new();
        // Block until something relevant happens.
        while paths.is_empty() {
            let event = self.events.recv().ok()?;
            self.collect(event, &mut paths);
        }
        let start = Instant::now();
        loop {
            let left = Self::MAX_WAIT.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            match self.events.recv_timeout(Self::QUIET.min(left)) {
                Ok(event) => self.collect(event, &mut paths),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        Some(paths.into_iter().collect())
    }

    fn collect(&self, event: notify::Result<notify::Event>, paths: &mut BTreeSet<PathBuf>) {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for p in event.paths {
            if !self.ignore.iter().any(|i| p.starts_with(i)) {
                paths.insert(p);
            }
        }
    }
}
