//! `eventref serve`: build, serve on 127.0.0.1, rebuild and reload on every save.

use std::path::PathBuf;
use std::process::ExitCode;

use eventref::diagnostics::Format;
use eventref::serve::ServeOptions;

use super::{Common, color, report_failure};

/// Build the site, serve it locally, and rebuild and reload the browser on every save.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    /// Port to listen on (0: any free port).
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Address to listen on. Only change it on a trusted network: the preview has no authentication.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Output folder [default: a folder of eventref's under the system's temporary folder].
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Skip the full-text index (faster start on big sites).
    #[arg(long)]
    no_search: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
}

/// Run `eventref serve` until interrupted.
pub fn run(args: Args) -> ExitCode {
    // Kept until the session ends: a temporary default folder is removed with it.
    let default = match args.output {
        Some(_) => None,
        None => match eventref::serve::DefaultOutput::for_site(&args.common.root) {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("error: cannot create a private output folder: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let output = args
        .output
        .unwrap_or_else(|| default.as_ref().map(|d| d.path.clone()).unwrap_or_default());
    let opts = ServeOptions {
        root: args.common.root,
        output: output.clone(),
        bind: args.bind,
        port: args.port,
        search: !args.no_search,
        strict: args.strict,
        color: color(),
    };
    let session = match eventref::serve::start(opts) {
        Ok(s) => s,
        Err(f) => return report_failure(&f, Format::Human),
    };
    let url = format!("http://{}/", session.addr());
    eprintln!("Serving {url} (watching for changes; press Ctrl+C to stop)");
    eprintln!("output folder: {}", output.display());
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can read the preview",
            args.bind
        );
    }
    if args.open {
        open_browser(&url);
    }
    session.run();
    ExitCode::SUCCESS
}

/// Open `url` in the default browser, if the platform has a way.
fn open_browser(url: &str) {
    let (cmd, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    if let Err(e) = std::process::Command::new(cmd)
        .args(args)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("cannot open a browser ({cmd}: {e}); open {url} yourself");
    }
}
