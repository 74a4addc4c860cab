//! Configuration: defaults, then `cyberbridge.toml`, then `CYBERBRIDGE_*`
//! environment variables, then command-line flags. A bad value is reported
//! with the key and the place it came from.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};
use std::net::SocketAddr;
use std::path::Path;

/// A database URL the store can open: `sqlite://…` or `postgres://…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DatabaseUrl(pub String);

pub const DATABASE_URL_EXPECTED: &str =
    "sqlite://path/file.db (or sqlite::memory:) or postgres://user@host:port/database";

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let ok = (s.starts_with("sqlite:") && s.len() > "sqlite:".len())
            || ((s.starts_with("postgres://") || s.starts_with("postgresql://"))
                && s.len() > "postgres://".len());
        if ok {
            Ok(DatabaseUrl(s.to_string()))
        } else {
            Err(format!(
                "`{s}` is not a database URL; expected {DATABASE_URL_EXPECTED}"
            ))
        }
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Unset means the command's own default (`cyberbridge.db`, or
    /// `cyberbridge-demo.db` for `demo`).
    pub database_url: Option<DatabaseUrl>,
    pub listen: SocketAddr,
    /// A tracing filter such as `info` or `cyberbridge=debug,info`.
    pub log: String,
    /// A secret that lets the platform's own scripts act as the system over
    /// HTTP (`Authorization: Bearer …`); people use accounts and API tokens.
    /// Unset: nobody can.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_token: Option<String>,
    /// The proxies in front of the server (the TLS front end), whose
    /// `X-Forwarded-For` names the real client: sign-in limits count per real
    /// client. Empty: the header is ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Seconds a running posting import may be silent before another process
    /// counts it as crashed and resumes it (the same file) or discards it.
    #[serde(default = "default_import_stale_after_s")]
    pub import_stale_after_s: u64,
    /// Import workers a `serve` node runs beside its pages (0: none, for
    /// nodes that only serve while `cyberbridge worker` processes import);
    /// how many a `cyberbridge worker` process runs (at least one).
    #[serde(default = "default_workers")]
    pub workers: usize,
}

fn default_workers() -> usize {
    1
}

fn default_import_stale_after_s() -> u64 {
    cb_app::IMPORT_STALE_AFTER.as_secs()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            log: "info,sqlx::query=error".into(),
            operator_token: None,
            trusted_proxies: Vec::new(),
            import_stale_after_s: default_import_stale_after_s(),
            workers: default_workers(),
        }
    }
}

/// Values given as command-line flags (already validated by clap).
#[derive(Debug, Default, Serialize)]
pub struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<DatabaseUrl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
}

/// Builds the layered configuration. `file` is the `--config` path; without
/// one, `cyberbridge.toml` in the working directory is read if present.
pub fn figment(file: Option<&Path>, flags: &Flags) -> Result<Figment, String> {
    let mut f = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(p) if !p.exists() => {
            return Err(format!("configuration file {} does not exist", p.display()));
        }
        Some(p) => f = f.merge(Toml::file_exact(p)),
        None => f = f.merge(Toml::file("cyberbridge.toml")),
    }
    // CYBERBRIDGE_ADMIN_PASSWORD is read by `init` itself, not a setting
    Ok(
        f.merge(Env::prefixed("CYBERBRIDGE_").ignore(&["ADMIN_PASSWORD"]))
            .merge(Serialized::globals(flags)),
    )
}

pub fn load(file: Option<&Path>, flags: &Flags) -> anyhow::Result<Config> {
    let f = figment(file, flags).map_err(anyhow::Error::msg)?;
    f.extract::<Config>().map_err(|e| {
        let mut msg = String::from("configuration error");
        for err in e {
            msg.push_str(&format!("\n  - {err}"));
        }
        anyhow::Error::msg(msg)
    })
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closure type
mod tests {
    use super::*;
    use figment::Jail;

    fn msg(r: Result<Config, figment::Error>) -> String {
        match r {
            Ok(c) => format!("unexpectedly ok: {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_then_file_then_env_then_flags() {
        Jail::expect_with(|jail| {
            let c: Config = figment(None, &Flags::default())?.extract()?;
            assert_eq!(c, Config::default());

            jail.create_file(
                "cyberbridge.toml",
                "database_url = \"sqlite://from-file.db\"\nlisten = \"127.0.0.1:9000\"\n",
            )?;
            let c: Config = figment(None, &Flags::default())?.extract()?;
            assert_eq!(
                c.database_url,
                Some(DatabaseUrl("sqlite://from-file.db".into()))
            );
            assert_eq!(c.listen.port(), 9000);

            jail.set_env("CYBERBRIDGE_LISTEN", "127.0.0.1:9100");
            jail.set_env(
                "CYBERBRIDGE_DATABASE_URL",
                "postgres://postgres@127.0.0.1/env",
            );
            // `init`'s password is not a setting: it must not make the configuration fail
            jail.set_env("CYBERBRIDGE_ADMIN_PASSWORD", "a secret for init");
            let c: Config = figment(None, &Flags::default())?.extract()?;
            assert_eq!(c.listen.port(), 9100);
            assert_eq!(
                c.database_url,
                Some(DatabaseUrl("postgres://postgres@127.0.0.1/env".into()))
            );

            let flags = Flags {
                database_url: Some(DatabaseUrl("sqlite://flag.db".into())),
                listen: Some("127.0.0.1:9200".parse().expect("addr")),
            };
            let c: Config = figment(None, &flags)?.extract()?;
            assert_eq!(
                (c.listen.port(), c.database_url.map(|u| u.0)),
                (9200, Some("sqlite://flag.db".into()))
            );
            Ok(())
        });
    }

    #[test]
    fn a_bad_env_value_names_the_variable_and_what_was_expected() {
        Jail::expect_with(|jail| {
            jail.set_env("CYBERBRIDGE_DATABASE_URL", "mysql://nope");
            let m = msg(figment(None, &Flags::default())?.extract());
            assert!(
                m.to_lowercase().contains("database_url") && m.contains("CYBERBRIDGE_"),
                "{m}"
            );
            assert!(m.contains("expected sqlite://"), "{m}");
            Ok(())
        });
    }

    #[test]
    fn a_bad_file_value_names_the_file() {
        Jail::expect_with(|jail| {
            jail.create_file("cyberbridge.toml", "listen = \"not-an-address\"\n")?;
            let m = msg(figment(None, &Flags::default())?.extract());
            assert!(
                m.contains("listen") && m.contains("cyberbridge.toml"),
                "{m}"
            );
            jail.create_file("cyberbridge.toml", "lisen = \"127.0.0.1:1\"\n")?;
            let m = msg(figment(None, &Flags::default())?.extract());
            assert!(m.contains("lisen"), "unknown keys are refused: {m}");
            Ok(())
        });
    }

    #[test]
    fn a_missing_explicit_config_file_is_an_error() {
        let e = figment(Some(Path::new("/nonexistent/cb.toml")), &Flags::default())
            .err()
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/cb.toml"), "{e}");
    }
}
