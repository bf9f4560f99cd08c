//! The `eventref` command line: parse the arguments and dispatch to the
//! command's function in [`cli`]. Nothing else happens here.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// eventref: build a TechNet-style reference site from YAML event records.
#[derive(Parser)]
#[command(name = "eventref", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the content and theme, then render the site into the output folder.
    Build(cli::build::Args),
    /// Build the site, serve it locally, and rebuild and reload the browser on every save.
    Serve(cli::serve::Args),
    /// Check the content and theme without writing anything.
    Check(cli::check::Args),
    /// Find the event for a pasted message, Event Viewer text block or event XML.
    Lookup(cli::lookup::Args),
    /// Translations: what is missing or stale, and marking translations as current.
    I18n {
        #[command(subcommand)]
        command: cli::i18n::Command,
    },
    /// Start a new knowledge base: site.toml, a sample record, .gitignore and a GitHub workflow.
    Init(cli::init::Args),
    /// Write a new record from a template (or, with --lang, a translation of an existing record).
    New(cli::new::Args),
    /// Print the JSON Schema of records (or of translation overlays), or write both under schemas/.
    Schema(cli::schema::Args),
    /// Import records from provider CSVs or Message Compiler (.mc) files.
    Import {
        #[command(subcommand)]
        command: cli::import::Command,
    },
    /// Generate synthetic sites and measure builds (events/s, peak memory).
    Bench(cli::bench::Args),
}

/// mimalloc instead of the system allocator: a build allocates many small
/// strings on every core at once, and glibc's malloc took about a quarter of
/// the CPU time of a 10,000-event build (docs/performance.md, "Profile").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option: its number in mimalloc 3's `mi_option_t`,
/// which the Rust bindings do not name (a test checks it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with the allocator before it goes back to the
/// system, in milliseconds.
///
/// mimalloc's default, a second, kept about a fifth more memory resident at
/// the peak of a build, which frees most of what a page needed as soon as the
/// page is written. Giving it back at once (0) cost more than it saved: every
/// purge interrupts the other cores to flush their address translations, and
/// a 50,000-event build spent 3.5-5.6 s of system time for 6.7-8.3 s of wall
/// time. A purge 2 ms after the free batches them: 5.5 s wall and 2.2 s system
/// time for 1 % more peak memory (docs/performance.md, "Session 7").
const PURGE_DELAY_MS: std::ffi::c_long = 2;

/// mimalloc's `allow_thp` option (mimalloc 3's `mi_option_t`; a test checks it).
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Set the allocator's purge delay ([`PURGE_DELAY_MS`]), and keep it from
/// asking Linux for transparent huge pages: each one is 2 MB the kernel
/// zeroes on first touch and splits again when part of it is purged, and a
/// build touches and frees memory all the time. With them, a 10,000-event
/// build spent 1.0-1.5 s of system time and peaked at 139 MB; without,
/// 0.4-0.5 s and 119 MB (docs/performance.md, "Session 7").
/// `MIMALLOC_PURGE_DELAY` and `MIMALLOC_ALLOW_THP` in the environment still win.
fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option, which mimalloc reads atomically.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
    }
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: as above.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0) }
        // mimalloc reserved its first arena, asking for huge pages, before
        // main: the option alone does not undo that, the process-wide switch
        // does (what mimalloc itself does when the variable is set).
        #[cfg(target_os = "linux")]
        // SAFETY: PR_SET_THP_DISABLE takes an integer and touches no memory of ours.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

fn main() -> ExitCode {
    tune_allocator();
    match Cli::parse().command {
        Command::Build(args) => cli::build::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Check(args) => cli::check::run(args),
        Command::Lookup(args) => cli::lookup::run(args),
        Command::I18n { command } => cli::i18n::run(command),
        Command::Init(args) => cli::init::run(args),
        Command::New(args) => cli::new::run(args),
        Command::Schema(args) => cli::schema::run(args),
        Command::Import { command } => cli::import::run(command),
        Command::Bench(args) => cli::bench::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_options_are_the_ones_we_set() {
        // SAFETY: reads and sets integer options.
        unsafe {
            // The default of purge_delay in the mimalloc 3 that libmimalloc-sys builds: 1000 ms.
            assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY), 1000);
            // allow_thp: on by default.
            assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_ALLOW_THP), 1);
            tune_allocator();
            assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_ALLOW_THP), 0);
            #[cfg(target_os = "linux")]
            assert_eq!(libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
            assert_eq!(
                libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY),
                PURGE_DELAY_MS
            );
        }
    }
}
