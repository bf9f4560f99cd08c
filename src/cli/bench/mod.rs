//! `eventref bench`: generate synthetic sites of each size, build them as
//! child processes (so that peak memory is the build's own), and print a
//! Markdown table: full, no-change and one-change builds, the live preview's
//! republish time, the `cp -r` floor, and a build with search.

pub mod generate;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use generate::generate;

/// Generate synthetic sites and measure builds (events/s, peak memory).
#[derive(clap::Args)]
pub struct Args {
    /// Site sizes to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1000usize, 10000])]
    events: Vec<usize>,
    /// Scratch folder for the generated sites (use a tmpfs such as /dev/shm to leave the disk out).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Languages per site.
    #[arg(long, default_value_t = 1)]
    languages: usize,
    /// Keep the generated sites (to inspect or profile them).
    #[arg(long)]
    keep: bool,
}

/// Run `eventref bench`.
pub fn run(args: Args) -> ExitCode {
    match bench(&args.events, args.dir.as_deref(), args.languages, args.keep) {
        Ok(table) => {
            super::emit(&table);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::from(1)
        }
    }
}

/// One measured child build.
struct Run {
    seconds: f64,
    peak_mb: f64,
    files: u64,
    bytes: u64,
    written: u64,
    search_seconds: f64,
    search_bytes: u64,
    /// The build started from the last build's state (see `site::incremental`).
    incremental: bool,
}

fn run_build(exe: &Path, site: &Path, out: &Path, search: bool) -> Result<Run, String> {
    let start = Instant::now();
    let o = Command::new(exe)
        .args(["build", "--quiet", "--format", "json"])
        .args(if search { &[][..] } else { &["--no-search"][..] })
        .arg("--root")
        .arg(site)
        .arg("--output")
        .arg(out)
        .output()
        .map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    if !o.status.success() {
        return Err(format!(
            "build failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).map_err(|e| e.to_string())?;
    let v = &report["summary"];
    let num = |k: &str| v.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
    Ok(Run {
        seconds,
        peak_mb: num("peak_rss_kb") as f64 / 1024.0,
        files: num("files"),
        bytes: num("bytes"),
        written: num("written"),
        search_seconds: v.get("search_ms").and_then(|x| x.as_f64()).unwrap_or(0.0) / 1000.0,
        search_bytes: num("search_bytes"),
        incremental: v.get("incremental").and_then(|x| x.as_bool()).unwrap_or(false),
    })
}

/// The live preview's time to republish after one record is saved: the median
/// of 5 edits of `record`, after a first full build into a scratch folder.
fn preview_edit_ms(site: &Path, record: &Path) -> Result<f64, String> {
    let out = site.join("public-preview");
    let mut preview = eventref::site::Preview::open(
        site,
        eventref::site::PreviewOptions {
            output: out.clone(),
            base_url: None,
            search: false,
            strict: false,
        },
    )
    .map_err(|f| f.to_string())?;
    preview.build().map_err(|f| f.to_string())?;
    let original = std::fs::read_to_string(record).map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for i in 0..5 {
        let text = original.replacen(
            "explanation: |\n",
            &format!("explanation: |\n  Preview edit {i}.\n"),
            1,
        );
        std::fs::write(record, text).map_err(|e| e.to_string())?;
        let u = preview
            .update(&[record.to_path_buf()])
            .map_err(|f| f.to_string())?;
        if u.full || u.written == 0 {
            return Err(format!("the preview did not update incrementally: {u:?}"));
        }
        times.push(u.elapsed.as_secs_f64() * 1000.0);
    }
    std::fs::write(record, original).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&out);
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Generate sites of each size, build them as child processes, and return a
/// Markdown table of the results: without search (full, no-change and
/// one-change builds, with the `cp -r` floor), then a full build with search.
fn bench(sizes: &[usize], dir: Option<&Path>, languages: usize, keep: bool) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let base: PathBuf = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
        .join("eventref-bench");
    let mut table = String::new();
    let _ = writeln!(
        table,
        "scratch folder: {} ({} language{})\n",
        base.display(),
        languages,
        if languages == 1 { "" } else { "s" }
    );
    table.push_str("| events | full build (s) | events/s | peak RSS (MB) | no-change rebuild (s) | files written | one record changed (s) | files written | live preview: one record (ms) | output files | output MB | cp -r floor (s) | build / floor | with search (s) | peak RSS with search (MB) | indexing (s) | index MB |\n");
    table
        .push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for &n in sizes {
        let site = base.join(format!("site-{n}"));
        let out = site.join("public");
        if site.exists() {
            std::fs::remove_dir_all(&site).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(&site).map_err(|e| e.to_string())?;
        generate(&site, n, languages).map_err(|e| e.to_string())?;
        // Warm the page cache for the input, as an author's machine would be.
        let _ = Command::new(&exe).args(["check", "--root"]).arg(&site).output();
        let full = run_build(&exe, &site, &out, false)?;
        let again = run_build(&exe, &site, &out, false)?;
        // Change one record.
        let first = site.join("content/provider0/1000.yaml");
        let mut text = std::fs::read_to_string(&first).map_err(|e| e.to_string())?;
        text = text.replacen(
            "explanation: |\n",
            "explanation: |\n  Edited for the benchmark.\n",
            1,
        );
        std::fs::write(&first, text).map_err(|e| e.to_string())?;
        // A cold process, as an author's `eventref build` after a save: it
        // starts from the build state the first build left beside `out`.
        let one = run_build(&exe, &site, &out, false)?;
        if !one.incremental {
            return Err("the build after one edit was not incremental".to_string());
        }
        let preview = preview_edit_ms(&site, &first)?;
        // A full build with the full-text index, into a fresh folder.
        let searched = run_build(&exe, &site, &site.join("public-search"), true)?;
        let _ = std::fs::remove_dir_all(site.join("public-search"));
        // The I/O floor: copying the same output tree on the same file system.
        let floor = copy_seconds(&out, &site.join("public-copy"))?;
        let _ = writeln!(
            table,
            "| {n} | {:.2} | {:.0} | {:.0} | {:.2} | {} | {:.2} | {} | {:.0} | {} | {:.1} | {:.2} | {:.1}× | {:.2} | {:.0} | {:.2} | {:.1} |",
            full.seconds,
            n as f64 / full.seconds,
            full.peak_mb,
            again.seconds,
            again.written,
            one.seconds,
            one.written,
            preview,
            full.files,
            full.bytes as f64 / 1e6,
            floor,
            full.seconds / floor.max(1e-9),
            searched.seconds,
            searched.peak_mb,
            searched.search_seconds,
            searched.search_bytes as f64 / 1e6,
        );
        if !keep {
            let _ = std::fs::remove_dir_all(&site);
        }
    }
    Ok(table)
}

/// How long `cp -r` takes to copy `from` to `to` (removed again afterwards).
fn copy_seconds(from: &Path, to: &Path) -> Result<f64, String> {
    let start = Instant::now();
    let status = Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(to);
    if status.success() {
        Ok(seconds)
    } else {
        Err("cp -r failed".into())
    }
}
