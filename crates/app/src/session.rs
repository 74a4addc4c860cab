//! Browser sessions. A random 256-bit token in an HttpOnly cookie names a
//! session held here (only its SHA-256 is kept; in memory, so a restart signs
//! everyone out); each session carries its own CSRF token for forms. Failed
//! sign-ins are counted per client and refused for a while after too many,
//! and every sign-in, failure and sign-out is written to the audit log.
//!
//! Until accounts exist (issue 6) the one way in is the operator token.

use crate::{App, AppError};
use cb_core::Caller;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a session lasts without being renewed.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Failed sign-ins allowed per client within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

struct Session {
    caller: Caller,
    csrf: String,
    expires: Instant,
}

#[derive(Default)]
pub(crate) struct Sessions {
    live: Mutex<HashMap<[u8; 32], Session>>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// A new session: the cookie value and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf: String,
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Invalid(format!("no randomness available: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn key(token: &str) -> [u8; 32] {
    cb_tabular::sha256_bytes(token.as_bytes())
}

impl App {
    /// Signs a browser in with the operator token. `client` identifies where
    /// the attempt came from (its address), for the failure limit.
    pub async fn sign_in_with_token(&self, client: &str, token: &str) -> Result<SignedIn, AppError> {
        let now = Instant::now();
        let refused = {
            let mut f = self.sessions.failures.lock().map_err(|_| AppError::Invalid("session table unavailable".into()))?;
            f.retain(|_, (_, since)| now.duration_since(*since) < FAILURE_WINDOW);
            f.get(client).is_some_and(|(n, _)| *n >= MAX_FAILURES)
        };
        if refused {
            self.store.audit(&Caller::Anonymous, "signin.refused", &format!("client {client}: too many failures")).await?;
            return Err(AppError::TooManyAttempts { retry_after_s: FAILURE_WINDOW.as_secs() });
        }
        let caller = self.caller_for_token(token);
        if caller == Caller::Anonymous {
            if let Ok(mut f) = self.sessions.failures.lock() {
                let e = f.entry(client.to_string()).or_insert((0, now));
                e.0 += 1;
            }
            tracing::warn!(client, "sign-in failed");
            self.store.audit(&Caller::Anonymous, "signin.failed", &format!("client {client}")).await?;
            return Err(AppError::Invalid("wrong sign-in token / 登录令牌不正确".into()));
        }
        let signed = SignedIn { token: random_token()?, csrf: random_token()? };
        {
            let mut live = self.sessions.live.lock().map_err(|_| AppError::Invalid("session table unavailable".into()))?;
            live.retain(|_, s| s.expires > now);
            live.insert(key(&signed.token), Session { caller: caller.clone(), csrf: signed.csrf.clone(), expires: now + SESSION_TTL });
        }
        self.store.audit(&caller, "signin", &format!("client {client}")).await?;
        Ok(signed)
    }

    /// The caller and CSRF token of a live session.
    pub fn session(&self, token: &str) -> Option<(Caller, String)> {
        let live = self.sessions.live.lock().ok()?;
        live.get(&key(token)).filter(|s| s.expires > Instant::now()).map(|s| (s.caller.clone(), s.csrf.clone()))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let gone = self.sessions.live.lock().ok().and_then(|mut l| l.remove(&key(token)));
        if let Some(s) = gone {
            self.store.audit(&s.caller, "signout", "").await?;
        }
        Ok(())
    }
}
