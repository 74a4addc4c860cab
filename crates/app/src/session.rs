//! Limits on failed sign-ins. Sessions themselves live in the store (see
//! `accounts`); the failure counters are kept in memory per process: per
//! client address and per username, [`MAX_FAILURES`] within
//! [`FAILURE_WINDOW`], after which attempts are refused (and audited) until
//! the window passes.

use crate::AppError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(cb_store::accounts::SESSION_SECONDS as u64);
/// Failed sign-ins allowed per client (and per username) within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub(crate) struct Sessions {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    dummy: tokio::sync::OnceCell<String>,
}

impl Sessions {
    /// Too many failures for `key` within the window?
    pub(crate) fn refused(&self, key: &str) -> bool {
        let now = Instant::now();
        let Ok(mut f) = self.failures.lock() else {
            return true;
        };
        f.retain(|_, (_, since)| now.duration_since(*since) < FAILURE_WINDOW);
        f.get(key).is_some_and(|(n, _)| *n >= MAX_FAILURES)
    }

    pub(crate) fn failed(&self, key: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.entry(key.to_string()).or_insert((0, Instant::now())).0 += 1;
        }
    }

    /// A real argon2id hash of a random password: checking a password
    /// against it costs what checking against a user's hash costs, so an
    /// unknown username answers no faster than a wrong password.
    pub(crate) async fn dummy_hash(&self) -> String {
        self.dummy
            .get_or_init(|| async {
                let pw = random_token().unwrap_or_else(|_| "cyberbridge-dummy-password".into());
                crate::accounts::hash_password(&pw)
                    .await
                    .unwrap_or_default()
            })
            .await
            .clone()
    }
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)
        .map_err(|e| AppError::Invalid(format!("no randomness available: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
