//! `eventref lookup`: the event for a pasted message, text block or event XML.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use eventref::diagnostics::Format;
use eventref::search::lookup;

use super::{Common, ReportFormat, emit, load_site};

/// Find the event for a pasted message, Event Viewer text block or event XML.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    /// Language of the message templates to match [default: the site's default language].
    #[arg(long)]
    lang: Option<String>,
    /// Output: human or json (an array, best first; `[]` when nothing matches).
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
    /// Read the text from this file.
    #[arg(long, short, conflicts_with = "text")]
    file: Option<PathBuf>,
    /// The pasted text; `-` (or nothing) reads standard input.
    text: Vec<String>,
}

/// Run `eventref lookup`.
pub fn run(args: Args) -> ExitCode {
    let site = match load_site(&args.common, Format::Human) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let lang = args.lang.unwrap_or_else(|| site.config.default_language.clone());
    if !site.config.languages.iter().any(|(c, _)| *c == lang) {
        eprintln!("error: `{lang}` is not a language of this site (see [languages] in site.toml)");
        return ExitCode::from(2);
    }
    let input = match read_input(args.file, &args.text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if input.trim().is_empty() {
        eprintln!("error: nothing to look up: pass the text, --file F, or pipe it in");
        return ExitCode::from(2);
    }
    let answer = lookup::answer_site(&site.config, &site.content.events, &lang, &input);
    if answer.notices.contains(&lookup::Notice::TooLong) {
        eprintln!("error: {}", lookup::TOO_LONG);
        return ExitCode::from(2);
    }
    match args.format {
        ReportFormat::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&answer.matches).unwrap_or_default()
        )),
        ReportFormat::Human => emit(&lookup::results_text(&answer.matches)),
    }
    for n in &answer.notices {
        eprintln!("{}", n.text());
    }
    if answer.matches.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The text from `--file`, the arguments, or standard input (none, or `-`).
fn read_input(file: Option<PathBuf>, text: &[String]) -> Result<String, String> {
    match (file, text) {
        (Some(f), _) => std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display())),
        (None, []) => Ok(stdin()),
        (None, [dash]) if dash == "-" => Ok(stdin()),
        (None, words) => Ok(words.join(" ")),
    }
}

fn stdin() -> String {
    let mut s = String::new();
    let _ = std::io::stdin().read_to_string(&mut s);
    s
}
