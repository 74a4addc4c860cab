//! `cyberbridge`: the one binary. Configuration, logging, progress bars and
//! error reporting live here, at the edge; the work is done by the services.

mod bench;
mod classify_cmd;
mod config;
mod framework_cmd;
mod import_cmd;

use anyhow::Context;
use cb_app::App;
use cb_competency::bundled;
use cb_core::Caller;
use clap::{Parser, Subcommand};
use config::{Config, DatabaseUrl, Flags};
use indicatif::{ProgressBar, ProgressStyle};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "cyberbridge",
    version,
    about = "Cybersecurity industry–education integration platform / 网络安全产教融合平台"
)]
struct Cli {
    /// Configuration file (default: ./cyberbridge.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://path/file.db or postgres://user@host/db [env: CYBERBRIDGE_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<DatabaseUrl>,
    /// Address to listen on, e.g. 127.0.0.1:8080 [env: CYBERBRIDGE_LISTEN]
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and JSON API (with `workers` import workers beside it).
    Serve,
    /// Run queued imports (uploads to any node sharing the database) until
    /// Ctrl-C, `workers` at once (at least one). For PostgreSQL deployments
    /// that import on machines of their own.
    Worker,
    /// Create a database with the sample data in data/ and serve it
    /// (default database: sqlite://cyberbridge-demo.db).
    Demo {
        /// Load the data but do not start the server.
        #[arg(long)]
        no_serve: bool,
    },
    /// Classify postings: JSON Lines on stdin (`id`, `title`, optional
    /// `description`, `employer`, `location`, `salary`) → one JSON line each on stdout.
    Classify,
    /// Measure extraction accuracy against a labeled set (see data/devset/v2/README.md):
    /// figures per language and source with 95 % intervals, and a reliability table.
    Eval {
        /// JSON Lines with labels.
        #[arg(default_value = "data/devset/v2/test.jsonl")]
        file: std::path::PathBuf,
        /// Also list every disagreement.
        #[arg(long)]
        errors: bool,
        /// Weights to evaluate instead of the bundled ones (a file `train` wrote).
        #[arg(long, value_name = "FILE")]
        weights: Option<std::path::PathBuf>,
    },
    /// Train the classifier from labeled postings and write its weights
    /// (the bundled data/classifier/model.tsv is exactly what this writes by default).
    Train {
        /// Labeled JSON Lines files (the training split only).
        #[arg(default_value = "data/devset/v2/train.jsonl")]
        files: Vec<std::path::PathBuf>,
        /// Where to write the weights.
        #[arg(long, default_value = "data/classifier/model.tsv")]
        out: std::path::PathBuf,
        /// Do not write: fail unless the weights equal the file at --out byte for byte.
        #[arg(long)]
        check: bool,
        /// Print k-fold cross-validation figures on the training files for these L1
        /// strengths (comma-separated) instead of training; how the settings were chosen.
        #[arg(long, value_name = "L1,L1,…", value_delimiter = ',')]
        cv: Vec<f64>,
    },
    /// Write generated, realistic postings as JSON Lines (the `classify` input) to stdout.
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Import data files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Re-classify stored postings with this binary's classifier weights (only
    /// when they were classified by other weights; resumes if interrupted).
    Reclassify,
    /// Create the schema and the first operator account (once). The password
    /// comes from CYBERBRIDGE_ADMIN_PASSWORD or, if unset, the first line of stdin.
    Init {
        #[arg(long, default_value = "admin")]
        username: String,
        #[arg(long, default_value = "平台管理员 Administrator")]
        name: String,
    },
    /// Measure performance (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Browse, search and import the competency framework.
    Framework {
        #[command(subcommand)]
        command: framework_cmd::FrameworkCommand,
        /// Language of the output.
        #[arg(long, global = true, default_value = "zh", value_parser = ["zh", "en"])]
        lang: String,
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Job postings from CSV, JSON Lines or Excel (Lagou, 51job, USAJOBS and
    /// generic columns are recognised; --mapping for any other).
    Postings {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write bad rows with their reason to a reject file and import the rest.
        #[arg(long)]
        skip_bad_rows: bool,
        /// Where rejected rows go (default: FILE.rejects.csv).
        #[arg(long)]
        reject_file: Option<PathBuf>,
        /// The day the file was crawled, to resolve relative dates (昨天 14:47).
        #[arg(long, value_name = "YYYY-MM-DD")]
        crawl_date: Option<chrono::NaiveDate>,
        /// A TOML file mapping posting fields to this file's columns.
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
    /// A roster: 学校, 专业, 年级, 学号, 姓名, 毕业年份[, 地区, 企业可见].
    People(TalentArgs),
    /// Course → skill mappings: 学校, 专业, 课程, 技能, 目标等级.
    Courses(TalentArgs),
    /// Course grades: 学校, 学号[, 姓名], 课程, 成绩[, 日期] (percent, 优/良/中/及格/不及格 or GPA).
    Grades(TalentArgs),
    /// Enterprise evaluations: 学校, 学号, 企业, 技能, 等级 (1–5)[, 评语, 日期].
    Evaluations(TalentArgs),
    /// Competition and range results: 学校, 学号, 赛事, 类别 (Web/Pwn/Reverse/Crypto/Misc/取证/AWD), 名次, 参赛队数[, 日期].
    Competitions(TalentArgs),
    /// Certificates held: 学校, 学号[, 姓名], 证书 (catalog id, name or alias)[, 取得日期]; shows the certificate's skills at its level.
    Certificates(TalentArgs),
    /// Awards: 学校, 学号[, 姓名], 奖项, 颁发单位[, 相关技能 (; or 、 separated), 等级 1–5 (default 3), 获奖日期].
    Awards(TalentArgs),
}

#[derive(clap::Args)]
struct TalentArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write bad rows with their reason to a reject file and import the rest.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Where rejected rows go (default: FILE.rejects.csv).
    #[arg(long)]
    reject_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Indicators over random filter combinations, and the dashboard page, on
    /// a database with generated postings and synthetic people (created first when empty).
    Insight {
        #[arg(long, default_value_t = 1_000_000)]
        postings: usize,
        #[arg(long, default_value_t = 100_000)]
        people: u64,
        #[arg(long, default_value_t = 300)]
        queries: usize,
    },
    /// Profile recompute reading all evidence from the database.
    TalentStore {
        #[arg(long, default_value_t = 100_000)]
        people: u64,
        #[arg(long, default_value_t = 50)]
        evidence: usize,
        /// Single pieces of evidence recorded one at a time for the latency line.
        #[arg(long, default_value_t = 1_000)]
        records: u64,
    },
    /// Profile recompute for synthetic people, and single-evidence updates.
    Talent {
        #[arg(long, default_value_t = 100_000)]
        people: u64,
        #[arg(long, default_value_t = 50)]
        evidence: usize,
    },
    /// Skill matching and `classify` throughput over generated postings.
    Extraction {
        #[arg(long, default_value_t = 200_000)]
        postings: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Password hashing, sign-in, session and API-token lookups (on a database of its own).
    Accounts {
        #[arg(long, default_value_t = 2000)]
        rounds: usize,
    },
    /// Model assembly, catalog indexing, search latency, store install and load.
    Framework {
        /// Rounds of the ten search queries.
        #[arg(long, default_value_t = 1000)]
        iterations: usize,
    },
}

const DEFAULT_DB: &str = "sqlite://cyberbridge.db";
const DEMO_DB: &str = "sqlite://cyberbridge-demo.db";

fn init_logging(filter: &str) {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| filter.to_string());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&filter)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

/// A progress bar for `what`, hidden when stderr is not a terminal.
pub fn progress_bar(what: &str) -> ProgressBar {
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:28} [{bar:32}] {pos}/{len} rows · {per_sec} · eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

fn tick(pb: &ProgressBar) -> impl FnMut(u64, u64) + Send + '_ {
    move |done, total| {
        pb.set_length(total);
        pb.set_position(done);
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Eval {
        file,
        errors,
        weights,
    } = &cli.command
    {
        return classify_cmd::eval(file, *errors, weights.as_deref());
    }
    if let Command::Train {
        files,
        out,
        check,
        cv,
    } = &cli.command
    {
        return classify_cmd::train(files, out, *check, cv);
    }
    if let Command::Classify = cli.command {
        // a filter: no configuration, no database, nothing on stdout but results
        return tokio::task::spawn_blocking(classify_cmd::run).await?;
    }
    let flags = Flags {
        database_url: cli.database_url.clone(),
        listen: cli.listen,
    };
    let cfg: Config = config::load(cli.config.as_deref(), &flags)?;
    init_logging(&cfg.log);
    let db_url = |default: &str| {
        cfg.database_url
            .as_ref()
            .map(|u| u.0.clone())
            .unwrap_or_else(|| default.to_string())
    };
    let stale_after = std::time::Duration::from_secs(cfg.import_stale_after_s);
    match cli.command {
        Command::Serve => {
            let url = db_url(DEFAULT_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?
                .with_operator_token(cfg.operator_token.as_deref())
                .with_trusted_proxies(cfg.trusted_proxies.clone())
                .with_import_stale_after(stale_after)
                .with_workers(cfg.workers);
            serve(app, cfg.listen).await
        }
        Command::Worker => {
            let url = db_url(DEFAULT_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?
                .with_import_stale_after(stale_after)
                .with_workers(cfg.workers.max(1));
            println!(
                "cyberbridge is running {} import worker(s) on {} (Ctrl-C to stop)",
                cfg.workers.max(1),
                match app.backend() {
                    cb_store::Backend::Sqlite => "SQLite",
                    cb_store::Backend::Postgres => "PostgreSQL",
                }
            );
            let (stop, stopped) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = stop.send(true);
            });
            app.run_workers(stopped).await;
            Ok(())
        }
        Command::Demo { no_serve } => {
            let url = db_url(DEMO_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?
                .with_operator_token(cfg.operator_token.as_deref())
                .with_trusted_proxies(cfg.trusted_proxies.clone())
                .with_import_stale_after(stale_after)
                .with_workers(cfg.workers);
            load_demo(&app).await?;
            let today = chrono::Local::now().date_naive();
            if app.seed_demo_accounts(DEMO_PASSWORD, today).await? {
                println!("sample accounts created (password {DEMO_PASSWORD}):");
            } else {
                println!("sample accounts (password {DEMO_PASSWORD}, unless changed):");
            }
            for (name, role, sees) in cb_app::DEMO_ACCOUNTS {
                println!("  {name:<13} {:<18} {sees}", role.name(cb_core::Lang::En));
            }
            if no_serve {
                println!("demo data loaded into {url}");
                Ok(())
            } else {
                println!("sign in at http://{}/signin", cfg.listen);
                serve(app, cfg.listen).await
            }
        }
        Command::Classify | Command::Eval { .. } | Command::Train { .. } => {
            unreachable!("handled above")
        }
        Command::Import {
            what:
                ImportCommand::Postings {
                    files,
                    skip_bad_rows,
                    reject_file,
                    crawl_date,
                    mapping,
                },
        } => {
            let url = db_url(DEFAULT_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?
                .with_import_stale_after(stale_after);
            let args = import_cmd::Args {
                files,
                skip_bad_rows,
                reject_file,
                crawl_date,
                mapping,
            };
            import_cmd::run(&app, &Caller::system("cli"), args).await
        }
        Command::Import { what } => {
            use cb_talent::import::Kind;
            let (kind, a) = match what {
                ImportCommand::People(a) => (Kind::People, a),
                ImportCommand::Courses(a) => (Kind::Courses, a),
                ImportCommand::Grades(a) => (Kind::Grades, a),
                ImportCommand::Evaluations(a) => (Kind::Evaluations, a),
                ImportCommand::Competitions(a) => (Kind::Competitions, a),
                ImportCommand::Certificates(a) => (Kind::Certificates, a),
                ImportCommand::Awards(a) => (Kind::Awards, a),
                ImportCommand::Postings { .. } => unreachable!("matched above"),
            };
            let url = db_url(DEFAULT_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?
                .with_import_stale_after(stale_after);
            let args = import_cmd::Args {
                files: a.files,
                skip_bad_rows: a.skip_bad_rows,
                reject_file: a.reject_file,
                crawl_date: None,
                mapping: None,
            };
            import_cmd::run_talent(&app, &Caller::system("cli"), kind, args).await
        }
        Command::Init { username, name } => {
            let url = db_url(DEFAULT_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?;
            let password = match std::env::var("CYBERBRIDGE_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    eprintln!(
                        "password for {username} (at least {} characters), then Enter:",
                        cb_app::MIN_PASSWORD
                    );
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading the password from stdin")?;
                    line.trim_end_matches(['\n', '\r']).to_string()
                }
            };
            let id = app.init_operator(&username, &name, &password).await?;
            println!(
                "schema of {url} is up to date; operator `{username}` created (user {id}); sign in at /signin"
            );
            Ok(())
        }
        Command::Reclassify => {
            let url = db_url(DEFAULT_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?;
            reclassify(&app, &Caller::system("cli")).await
        }
        Command::Migrate => {
            let url = db_url(DEFAULT_DB);
            let store = cb_store::Store::connect(&url)
                .await
                .with_context(|| format!("opening {url}"))?;
            store
                .migrate()
                .await
                .with_context(|| format!("migrating {url}"))?;
            println!("schema of {url} is up to date");
            Ok(())
        }
        Command::Bench {
            what: BenchCommand::Extraction { postings, seed },
        } => bench::extraction(postings, seed),
        Command::Bench {
            what: BenchCommand::Talent { people, evidence },
        } => bench::talent(people, evidence),
        Command::Bench {
            what:
                BenchCommand::Insight {
                    postings,
                    people,
                    queries,
                },
        } => {
            bench::insight(
                &db_url("sqlite://cyberbridge-bench-insight.db"),
                postings,
                people,
                queries,
            )
            .await
        }
        Command::Bench {
            what:
                BenchCommand::TalentStore {
                    people,
                    evidence,
                    records,
                },
        } => {
            bench::talent_store(
                &db_url("sqlite://cyberbridge-bench-talent.db"),
                people,
                evidence,
                records,
            )
            .await
        }
        Command::Generate { count, seed } => classify_cmd::generate(count, seed),
        Command::Bench {
            what: BenchCommand::Accounts { rounds },
        } => bench::accounts(&db_url("sqlite://cyberbridge-bench-accounts.db"), rounds).await,
        Command::Bench {
            what: BenchCommand::Framework { iterations },
        } => bench::framework(&db_url("sqlite://cyberbridge-bench.db"), iterations).await,
        Command::Framework {
            command,
            lang,
            json,
        } => {
            let url = db_url(DEFAULT_DB);
            let app = App::open(&url)
                .await
                .with_context(|| format!("opening {url}"))?;
            let lang = cb_core::Lang::parse(&lang).unwrap_or_default();
            framework_cmd::run(&app, command, lang, json).await
        }
    }
}

/// Loads everything the demo shows: the bundled competency model (refreshed)
/// and the DCWF and ECSF frameworks.
/// The demo accounts' password (README lists the accounts).
const DEMO_PASSWORD: &str = "cyberbridge-demo";

async fn load_demo(app: &App) -> anyhow::Result<()> {
    let caller = Caller::system("demo");
    let fw = app.framework();
    let model = bundled::model().context("reading the bundled competency model")?;
    let pb = progress_bar("competency model");
    fw.replace_model(&caller, model, &mut tick(&pb)).await?;
    pb.finish();
    for (name, parsed) in [("DCWF v5.1", bundled::dcwf()), ("ECSF", bundled::ecsf())] {
        let pb = progress_bar(name);
        fw.import_external(
            &caller,
            parsed.with_context(|| format!("reading bundled {name}"))?,
            &mut tick(&pb),
        )
        .await?;
        pb.finish();
    }
    // clearly labelled synthetic cohorts (no real person): 6 schools, 3,000 students
    let pb = ProgressBar::new_spinner();
    pb.set_message("synthetic talent pool (3,000 students)");
    if load_synthetic_talent(app, &caller).await? {
        pb.finish_with_message("synthetic talent pool loaded");
    } else {
        pb.finish_with_message("talent pool already loaded");
    }
    // real sample postings (data/jobs/README.md); re-running the demo skips files already imported
    let jobs = [
        PathBuf::from("data/jobs"),
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/jobs"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .and_then(|p| p.canonicalize().ok())
    .unwrap_or_else(|| PathBuf::from("data/jobs"));
    let files: Vec<PathBuf> = [
        "lagou-2017-it-security.csv",
        "51job-2023-2024.csv",
        "usajobs-cyber.jsonl",
    ]
    .iter()
    .map(|f| jobs.join(f))
    .collect();
    if files.iter().all(|f| f.exists()) {
        let args = import_cmd::Args {
            files,
            skip_bad_rows: true,
            reject_file: None,
            crawl_date: chrono::NaiveDate::from_ymd_opt(2017, 5, 3),
            mapping: None,
        };
        import_cmd::run(app, &caller, args).await?;
    } else {
        tracing::warn!(dir = %jobs.display(), "sample postings not found; the demo runs without them");
    }
    // postings loaded by an earlier binary carry its classifier's answers: bring them up to date
    reclassify(app, &caller).await
}

/// Re-classifies stored postings whose classifier weights are not this binary's.
async fn reclassify(app: &App, caller: &Caller) -> anyhow::Result<()> {
    let pb = progress_bar("re-classifying postings");
    let n = app.postings().reclassify(caller, &mut tick(&pb)).await?;
    pb.finish();
    if n == 0 {
        println!("stored postings are classified by the current weights");
    } else {
        println!("re-classified {n} postings with the current weights");
    }
    Ok(())
}

async fn load_synthetic_talent(app: &App, caller: &Caller) -> anyhow::Result<bool> {
    Ok(app.talent().load_synthetic(caller, 3_000, 22, 42).await?)
}

async fn serve(app: App, listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    // the indexes are built in the background; pages that need them say so meanwhile
    app.warm_up();
    let addr = listener.local_addr()?;
    println!(
        "cyberbridge is serving {} on http://{addr}/ (Ctrl-C to stop)",
        match app.backend() {
            cb_store::Backend::Sqlite => "SQLite",
            cb_store::Backend::Postgres => "PostgreSQL",
        }
    );
    tracing::info!(%addr, "listening");
    cb_web::serve(app, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
