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

fn main() -> ExitCode {
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
