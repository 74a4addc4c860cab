//! Limits on failed attempts, counted in the store so that every node sees
//! the same counts. Sessions themselves live in the store too (see
//! `accounts`).
//!
//! Two limits, so that guessing stops without anyone being locked out:
//! - per client address: [`CLIENT_MAX_FAILURES`] failed sign-ins within
//!   [`FAILURE_WINDOW`], then that address is refused until the window passes
//!   (the real address: behind a trusted proxy, the one it forwards);
//! - per account (and per user for wrong current passwords): after
//!   [`ACCOUNT_FREE_FAILURES`] failures each attempt waits a delay that doubles
//!   with every failure (5 s, 10 s, 20 s, 40 s), up to [`ACCOUNT_MAX_DELAY`]. Guesses from everywhere
//!   slow to one a minute, while the right password from a new address gets in
//!   after at most a minute's wait, never a 15-minute lock.

use crate::{App, AppError};
use std::time::Duration;

/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(cb_store::accounts::SESSION_SECONDS as u64);
/// Failed sign-ins one client address may make within [`FAILURE_WINDOW`].
pub const CLIENT_MAX_FAILURES: i64 = 20;
/// Failures on one account before each attempt waits.
pub const ACCOUNT_FREE_FAILURES: i64 = 5;
/// The longest wait between attempts on one account.
pub const ACCOUNT_MAX_DELAY: Duration = Duration::from_secs(60);
/// How long failures are remembered.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The wait after `failures` failures on one account: none for the first
/// [`ACCOUNT_FREE_FAILURES`], then 5 s, 10 s, 20 s, 40 s, then
/// [`ACCOUNT_MAX_DELAY`].
pub fn account_delay(failures: i64) -> i64 {
    let over = failures - ACCOUNT_FREE_FAILURES;
    if over < 0 {
        0
    } else {
        (5i64 << over.min(20)).min(ACCOUNT_MAX_DELAY.as_secs() as i64)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_wait_doubles_from_five_seconds_to_a_minute() {
        let waits: Vec<i64> = (0..12).map(super::account_delay).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 5, 10, 20, 40, 60, 60, 60]);
    }
}

/// What the counters say about one more attempt.
pub(crate) enum Verdict {
    Go,
    Wait(u64),
}

impl App {
    /// May an attempt keyed by `client` (a hard limit per window, if any) and
    /// `account` (growing delays) go ahead at `now`?
    pub(crate) async fn attempt(
        &self,
        client: Option<&str>,
        account: &str,
        now: i64,
    ) -> Result<Verdict, AppError> {
        let since = now - FAILURE_WINDOW.as_secs() as i64;
        if let Some(c) = client
            && let Some((n, first, _)) = self.store().throttle_get(c, since).await?
            && n >= CLIENT_MAX_FAILURES
        {
            return Ok(Verdict::Wait((first - since).max(1) as u64));
        }
        if let Some((n, _, last)) = self.store().throttle_get(account, since).await? {
            let wait = last + account_delay(n) - now;
            if wait > 0 {
                return Ok(Verdict::Wait(wait as u64));
            }
        }
        Ok(Verdict::Go)
    }

    /// A fair limit on a repeated action (changing one's interest in one
    /// posting, creating tokens): at most `most` within `window` for `key`,
    /// counted in the store for every node; counts this one when allowed.
    pub(crate) async fn at_most(
        &self,
        key: &str,
        most: i64,
        window: Duration,
        now: i64,
    ) -> Result<(), AppError> {
        let since = now - window.as_secs() as i64;
        if let Some((n, first, _)) = self.store().throttle_get(key, since).await?
            && n >= most
        {
            return Err(AppError::TooManyAttempts {
                retry_after_s: (first - since).max(1) as u64,
            });
        }
        self.store().throttle_fail(key, now, since).await?;
        Ok(())
    }

    /// Counts a failure against each key.
    pub(crate) async fn failed(&self, keys: &[&str], now: i64) -> Result<(), AppError> {
        let since = now - FAILURE_WINDOW.as_secs() as i64;
        for k in keys {
            self.store().throttle_fail(k, now, since).await?;
        }
        Ok(())
    }
}

/// Made once per process on first use: nothing about it is shared.
#[derive(Default)]
pub(crate) struct DummyHash {
    dummy: tokio::sync::OnceCell<String>,
}

impl DummyHash {
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
