//! `cyberbridge import postings FILE…`: progress with rate and ETA, a reject
//! file for `--skip-bad-rows`.

use anyhow::Context;
use cb_app::{App, ImportFile, ImportOptions};
use cb_core::Caller;
use cb_postings::import::{Shape, sha256_hex};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Args {
    pub files: Vec<PathBuf>,
    pub skip_bad_rows: bool,
    pub reject_file: Option<PathBuf>,
    pub crawl_date: Option<NaiveDate>,
    pub mapping: Option<PathBuf>,
}

fn bytes_bar(name: &str, size: u64) -> ProgressBar {
    let pb = ProgressBar::new(size);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:24} [{bar:30}] {bytes}/{total_bytes} · {bytes_per_sec} · eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(name.chars().take(24).collect::<String>());
    pb
}

pub async fn run(app: &App, caller: &Caller, args: Args) -> anyhow::Result<()> {
    let mapping = match &args.mapping {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Some(Shape::from_mapping(&p.display().to_string(), &text).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    for path in &args.files {
        import_one(app, caller, path, &args, mapping.clone()).await?;
    }
    Ok(())
}

async fn import_one(
    app: &App,
    caller: &Caller,
    path: &Path,
    args: &Args,
    mapping: Option<Shape>,
) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let open = || std::fs::File::open(path).with_context(|| format!("opening {name}"));
    let size = open()?.metadata().map(|m| m.len()).unwrap_or(0);
    let hash =
        sha256_hex(std::io::BufReader::new(open()?)).with_context(|| format!("reading {name}"))?;
    let file = ImportFile {
        name: name.clone(),
        hash,
        size,
        reader: Box::new(std::io::BufReader::with_capacity(1 << 20, open()?)),
    };
    let opts = ImportOptions {
        skip_bad_rows: args.skip_bad_rows,
        crawled: args.crawl_date,
        mapping,
    };
    let pb = bytes_bar(&name, size);
    let started = std::time::Instant::now();
    let result = app
        .tasks()
        .run_postings_here(caller, file, opts, &mut |done, total| {
            pb.set_length(total);
            pb.set_position(done);
        })
        .await;
    pb.finish_and_clear();
    let o = result?;
    if o.already_imported {
        println!("{name}: already imported (the same content), nothing to do");
        return Ok(());
    }
    println!(
        "{name}: {} rows ({}) → {} new postings, {} duplicates merged, {} rejected, in {:.1} s",
        o.rows_read,
        o.shape,
        o.postings_new,
        o.duplicates,
        o.rejected.len(),
        started.elapsed().as_secs_f64()
    );
    if o.resumed_after_rows > 0 {
        println!(
            "{name}: resumed an interrupted import after its row {}; rows it rejected before were reported by that run",
            o.resumed_after_rows
        );
    }
    write_rejects(&name, args.reject_file.as_deref(), &o.rejected)?;
    std::io::stdout().flush()?;
    Ok(())
}

/// Writes rejected rows with their reasons (default `FILE.rejects.csv`).
fn write_rejects(
    name: &str,
    path: Option<&Path>,
    rejected: &[cb_app::Rejected],
) -> anyhow::Result<()> {
    if rejected.is_empty() {
        return Ok(());
    }
    let reject_path = path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{name}.rejects.csv")));
    let mut w = csv::Writer::from_writer(
        std::fs::File::create(&reject_path)
            .with_context(|| format!("creating {}", reject_path.display()))?,
    );
    w.write_record(["line", "column", "problem", "expected", "row"])?;
    for r in rejected {
        w.write_record([
            r.error.line.to_string(),
            r.error.column.clone(),
            r.error.problem.clone(),
            r.error.expected.clone(),
            r.raw.clone(),
        ])?;
    }
    w.flush()?;
    println!("  rejected rows and reasons: {}", reject_path.display());
    Ok(())
}

/// `cyberbridge import people|courses|grades|evaluations FILE…`
pub async fn run_talent(
    app: &App,
    caller: &Caller,
    kind: cb_talent::import::Kind,
    args: Args,
) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    for path in &args.files {
        let name = path.display().to_string();
        let open = || std::fs::File::open(path).with_context(|| format!("opening {name}"));
        let size = open()?.metadata().map(|m| m.len()).unwrap_or(0);
        let hash = sha256_hex(std::io::BufReader::new(open()?))
            .with_context(|| format!("reading {name}"))?;
        let file = ImportFile {
            name: name.clone(),
            hash,
            size,
            reader: Box::new(std::io::BufReader::new(open()?)),
        };
        let o = app
            .tasks()
            .run_talent_here(caller, file, kind, args.skip_bad_rows, today)
            .await?;
        if o.already_imported {
            println!("{name}: already imported, nothing to do");
            continue;
        }
        println!(
            "{name}: {} rows ({}) → {} people, {} courses, {} skill mappings, {} pieces of evidence added, {} rejected",
            o.rows_read,
            o.kind,
            o.people_added,
            o.courses_added,
            o.mappings_added,
            o.evidence_added,
            o.rejected.len()
        );
        write_rejects(&name, args.reject_file.as_deref(), &o.rejected)?;
    }
    Ok(())
}
