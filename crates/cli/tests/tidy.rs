//! ARCHITECTURE.md's invariants, checked on the sources (in the style of
//! rust-analyzer's `tidy`): which crate may depend on what, and what may
//! appear in whose sources. A rule broken names the file and line.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The pure domain crates: no IO, no storage, no HTTP.
const DOMAIN: [&str; 6] = [
    "core",
    "tabular",
    "competency",
    "postings",
    "talent",
    "insight",
];

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The names in a manifest's `[dependencies]` table (not dev-dependencies).
fn dependencies(krate: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml"))
        .expect("manifest");
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps
            && let Some(name) = line.split(['=', '.', ' ']).next()
            && !name.is_empty()
            && !name.starts_with('#')
        {
            out.push(name.to_string());
        }
    }
    out
}

/// `(file:line, text)` of every line in `krate`'s `src` matching `bad`,
/// outside comments.
fn offending_lines(krate: &str, bad: &dyn Fn(&str) -> bool) -> Vec<String> {
    let src = root().join("crates").join(krate).join("src");
    let mut out = Vec::new();
    for f in rust_files(&src) {
        let text = std::fs::read_to_string(&f).expect("source");
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if bad(code) {
                out.push(format!(
                    "{}:{}: {}",
                    f.strip_prefix(root()).unwrap_or(&f).display(),
                    i + 1,
                    code
                ));
            }
        }
    }
    out
}

/// `line` with the text of its string literals blanked (a log filter that
/// names `sqlx::query` is not a use of sqlx).
fn outside_strings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_str = false;
    let mut prev = ' ';
    for ch in line.chars() {
        if ch == '"' && prev != '\\' {
            in_str = !in_str;
            out.push(ch);
        } else if !in_str {
            out.push(ch);
        }
        prev = ch;
    }
    out
}

fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates")
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn only_the_store_knows_sql() {
    for c in crates().iter().filter(|c| *c != "store") {
        assert!(
            !dependencies(c).iter().any(|d| d == "sqlx"),
            "crates/{c} depends on sqlx: only cb-store may"
        );
        let sql = offending_lines(c, &|l| {
            outside_strings(l).contains("sqlx::")
                || ["SELECT ", "INSERT INTO ", "DELETE FROM ", "CREATE TABLE "]
                    .iter()
                    .any(|k| l.contains(&format!("\"{k}")))
        });
        assert!(sql.is_empty(), "SQL outside cb-store:\n{}", sql.join("\n"));
    }
}

/// Statements are constant text, written once for both backends (`$n`
/// parameters, sqlx's `QueryBuilder` where a filter varies); text built at
/// run time and vouched for with `AssertSqlSafe` is confined to the places
/// that must: reference tables named by their row structs (`model.rs`), a
/// month's partition (`postings.rs`) and the test helpers. No backend
/// macro instantiates a body twice, and no row is read by position.
#[test]
fn the_store_writes_each_statement_once() {
    let vouched: Vec<String> =
        offending_lines("store", &|l| outside_strings(l).contains("AssertSqlSafe("))
            .into_iter()
            .filter(|l| {
                ![
                    "crates/store/src/model.rs:",
                    "crates/store/src/postings.rs:",
                    "crates/store/src/testing.rs:",
                ]
                .iter()
                .any(|f| l.starts_with(f))
            })
            .collect();
    assert!(
        vouched.is_empty(),
        "SQL built at run time:\n{}",
        vouched.join("\n")
    );
    let twice = offending_lines("store", &|l| {
        let code = outside_strings(l);
        code.contains("backend!(") || code.contains("dispatch!(")
    });
    assert!(
        twice.is_empty(),
        "a body instantiated per backend:\n{}",
        twice.join("\n")
    );
    let by_position = offending_lines("store", &|l| {
        let code = outside_strings(l);
        ["try_get(0", "try_get(1", "try_get(2", "try_get::<i64, _>(0"]
            .iter()
            .any(|k| code.contains(k))
    });
    assert!(
        by_position.is_empty(),
        "a row read by position:\n{}",
        by_position.join("\n")
    );
}

#[test]
fn only_the_web_crate_knows_http() {
    // the binary's benchmarks drive the router in process (`bench.rs`)
    let allowed = |c: &str, d: &str| c == "cli" && (d == "axum" || d == "tower");
    for c in crates().iter().filter(|c| *c != "web") {
        for d in dependencies(c) {
            assert!(
                !["axum", "tower", "tower-http", "hyper", "askama", "reqwest"]
                    .contains(&d.as_str())
                    || allowed(c, &d),
                "crates/{c} depends on {d}: only cb-web knows HTTP"
            );
        }
    }
    let http = offending_lines("app", &|l| l.contains("axum") || l.contains("StatusCode"));
    assert!(
        http.is_empty(),
        "HTTP in the services:\n{}",
        http.join("\n")
    );
}

#[test]
fn domain_crates_do_no_io() {
    let io = [
        "std::fs",
        "std::net",
        "std::process",
        "std::env::var",
        "tokio::",
        "File::open",
        "File::create",
    ];
    for c in DOMAIN {
        for d in dependencies(c) {
            assert!(
                !["tokio", "sqlx", "reqwest", "cb-store", "cb-app", "cb-web"].contains(&d.as_str()),
                "crates/{c} is a domain crate and depends on {d}"
            );
        }
        let found = offending_lines(c, &|l| io.iter().any(|k| l.contains(k)));
        assert!(
            found.is_empty(),
            "IO in a domain crate:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_web_layer_goes_through_the_services() {
    let found = offending_lines("web", &|l| {
        l.contains(".store()") || l.contains("cb_store::")
    });
    assert!(
        found.is_empty(),
        "the web layer reaches the store past the services:\n{}",
        found.join("\n")
    );
    assert!(!dependencies("web").iter().any(|d| d == "cb-store"));
    let found = offending_lines("cli", &|l| l.contains(".store()"));
    assert!(
        found.is_empty(),
        "the binary reaches the store through an App:\n{}",
        found.join("\n")
    );
    // what a caller may do or where they go comes from the services
    // (`App::places`, `JobView::may`, `assignable_roles`, `may_import`)
    let decided = offending_lines("web", &|l| {
        let code = outside_strings(l);
        code.contains("is_operator()") || code.contains(".role()")
    });
    assert!(
        decided.is_empty(),
        "the web layer decides by role:\n{}",
        decided.join("\n")
    );
}

#[test]
fn every_crate_is_on_the_code_map() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    for c in crates() {
        assert!(
            map.contains(&format!("### `crates/{c}`")),
            "crates/{c} has no section in ARCHITECTURE.md's code map"
        );
    }
}
