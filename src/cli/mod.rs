//! The commands of the `eventref` binary, one file each. Every command is a
//! short function over the library API: it turns parsed arguments into a
//! library call and the result into output and an exit code. Nothing here
//! builds, checks or renders anything itself.

pub mod bench;
pub mod build;
pub mod check;
pub mod i18n;
pub mod import;
pub mod init;
pub mod lookup;
pub mod new;
pub mod schema;
pub mod serve;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use eventref::Failure;
use eventref::diagnostics::Format;

/// Arguments every command that reads a site takes.
#[derive(clap::Args, Clone, Debug)]
pub struct Common {
    /// The site folder (the one holding site.toml).
    #[arg(long, default_value = ".", global = true)]
    pub root: PathBuf,
}

/// `--format` of commands that report diagnostics (`build`, `check`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DiagnosticFormat {
    /// rustc-style text with the offending line.
    #[default]
    Human,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One JSON document.
    Json,
}

/// `--format` of commands that print a report for people or for scripts.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReportFormat {
    /// Text for people.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

impl From<DiagnosticFormat> for Format {
    fn from(f: DiagnosticFormat) -> Format {
        match f {
            DiagnosticFormat::Human => Format::Human,
            DiagnosticFormat::Github => Format::Github,
            DiagnosticFormat::Json => Format::Json,
        }
    }
}

impl From<ReportFormat> for Format {
    fn from(f: ReportFormat) -> Format {
        match f {
            ReportFormat::Human => Format::Human,
            ReportFormat::Json => Format::Json,
        }
    }
}

/// Write to standard output, ignoring a closed pipe (`eventref … | head`).
pub fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// Whether to color diagnostics on standard error.
pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Print a failure's diagnostics (to standard error for people, standard
/// output for machines) and return its exit code.
pub fn report_failure(f: &Failure, format: Format) -> ExitCode {
    let text = f.diagnostics.render(format, color());
    match format {
        Format::Human => eprint!("{text}"),
        _ => emit(&text),
    }
    ExitCode::from(f.exit_code() as u8)
}

/// A site, loaded, or the failure already reported.
pub fn load_site(common: &Common, format: Format) -> Result<eventref::Site, ExitCode> {
    eventref::Site::load(&common.root).map_err(|f| report_failure(&f, format))
}

/// Peak resident memory of this process in KiB (Linux), for `--format json`.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
