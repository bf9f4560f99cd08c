//! `eventref i18n status` and `eventref i18n refresh`: what is missing or stale
//! per language, and marking translations as current.

use std::process::ExitCode;

use eventref::diagnostics::Format;
use eventref::{Failure, FailureKind, Site};

use super::{Common, ReportFormat, emit, load_site, report_failure};

/// Translations: what is missing or stale, and marking translations as current.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Per language: how many events are translated, stale, partial or missing, and which.
    Status {
        #[command(flatten)]
        common: Common,
        /// Only this language.
        #[arg(long)]
        lang: Option<String>,
        /// Output format: human or json.
        #[arg(long, value_enum, default_value_t)]
        format: ReportFormat,
        /// Fail (exit 1) when a translation is stale.
        #[arg(long)]
        strict: bool,
    },
    /// After updating translations: mark them as translated from the current originals.
    Refresh {
        #[command(flatten)]
        common: Common,
        /// Only this language.
        #[arg(long)]
        lang: Option<String>,
        /// Mark overlays translated even while they hold placeholders
        /// (`# TODO translate`, `TODO: …`) or text identical to the original.
        #[arg(long)]
        force: bool,
    },
}

/// Run `eventref i18n …`.
pub fn run(command: Command) -> ExitCode {
    let (common, lang) = match &command {
        Command::Status { common, lang, .. } | Command::Refresh { common, lang, .. } => {
            (common, lang.clone())
        }
    };
    let site = match load_translated_site(common, lang.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match command {
        Command::Status { format, strict, .. } => {
            let report = eventref::i18n::status(&site.config, &site.content.events, lang.as_deref());
            let stale: usize = report.iter().map(|r| r.stale).sum();
            match format {
                ReportFormat::Json => emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                )),
                ReportFormat::Human => emit(&eventref::i18n::status_text(&report, site.content.events.len())),
            }
            if strict && stale > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Refresh { force, .. } => {
            match eventref::content::overlay::refresh_with(
                &site.config.root,
                &site.content.events,
                lang.as_deref(),
                force,
            ) {
                Ok((files, refused)) => {
                    for f in &files {
                        eprintln!("refreshed {}", f.display());
                    }
                    let s = if files.len() == 1 { "" } else { "s" };
                    eprintln!("{} translation file{s} refreshed", files.len());
                    if refused.is_empty() {
                        return ExitCode::SUCCESS;
                    }
                    let mut diags = eventref::diagnostics::Diagnostics::new();
                    diags.extend(refused);
                    diags.sort();
                    report_failure(
                        &Failure {
                            kind: FailureKind::Content,
                            diagnostics: diags,
                        },
                        Format::Human,
                    )
                }
                Err(d) => report_failure(&Failure::content(*d), Format::Human),
            }
        }
    }
}

/// The site, with no content errors, and `lang` (when given) one of its translated languages.
fn load_translated_site(common: &Common, lang: Option<&str>) -> Result<Site, ExitCode> {
    let site = load_site(common, Format::Human)?;
    if site.diagnostics.error_count() > 0 {
        let f = Failure {
            kind: FailureKind::Content,
            diagnostics: site.diagnostics.clone(),
        };
        return Err(report_failure(&f, Format::Human));
    }
    if let Some(l) = lang
        && !site.config.languages.iter().skip(1).any(|(c, _)| c == l)
    {
        eprintln!("error: `{l}` is not a translated language of this site (see [languages] in site.toml)");
        return Err(ExitCode::from(2));
    }
    Ok(site)
}
