//! Keeping this node's caches right when any node writes. Writes that affect
//! a cache note what changed in the store's change feed, in their own
//! transaction; every node follows the feed (every [`SYNC_EVERY`]) and applies
//! each change once: the model reloaded, the demand index dropped after a
//! re-classification, the profile engines and supply figures rebuilt after a
//! change of schools, programs or courses, one person's part of the supply
//! figures recomputed after a change of their record, consents or evidence.
//!
//! On PostgreSQL a change's number is taken when its row is written, so a
//! transaction that commits later can show a lower number than one already
//! read: a gap is waited for (up to [`GAP_WAIT`], after which it is taken for
//! a transaction that rolled back) before the cursor moves past it.

use crate::{App, AppError};
use cb_store::changes::ChangeKind;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often a node reads the change feed.
pub const SYNC_EVERY: Duration = Duration::from_millis(500);
/// How long a gap in the feed is waited for.
const GAP_WAIT: Duration = Duration::from_secs(30);
/// Changes older than this are pruned from the feed.
const KEEP_CHANGES: Duration = Duration::from_secs(24 * 3600);

/// Where a node is in the change feed.
pub(crate) struct Feed {
    /// Every change up to this number is applied.
    cursor: i64,
    /// Changes after `cursor` already applied (the gap before them is a
    /// transaction not yet committed, or rolled back).
    applied: BTreeSet<i64>,
    /// Since when the first gap has been waited for.
    gap_since: Option<Instant>,
    last_prune: Option<Instant>,
}

impl Feed {
    /// Starts after change `cursor`: the caches are built from the store as
    /// it is from now on.
    pub(crate) fn new(cursor: i64) -> Feed {
        Feed {
            cursor,
            applied: BTreeSet::new(),
            gap_since: None,
            last_prune: None,
        }
    }

    /// Marks `seq` applied and moves the cursor over every applied number
    /// without a gap before it (and over a gap waited for long enough).
    fn applied(&mut self, seqs: impl IntoIterator<Item = i64>, now: Instant) {
        self.applied.extend(seqs);
        loop {
            if self.applied.remove(&(self.cursor + 1)) {
                self.cursor += 1;
                self.gap_since = None;
                continue;
            }
            let Some(&next) = self.applied.first() else {
                self.gap_since = None;
                break;
            };
            let since = *self.gap_since.get_or_insert(now);
            if now.duration_since(since) >= GAP_WAIT {
                self.cursor = next - 1;
                self.gap_since = None;
                continue;
            }
            break;
        }
    }
}

/// A server's background builds of its indexes.
#[derive(Debug, Default)]
pub(crate) struct Warming {
    /// This node warms up (a server; a CLI command does not).
    enabled: AtomicBool,
    /// A build is running now.
    running: AtomicBool,
}

impl App {
    /// Builds the demand index and today's supply figures in the background
    /// (a server calls this when it starts; after a change that drops them
    /// they are rebuilt the same way), so no visitor waits for them:
    /// meanwhile [`App::loading`] is true and the pages that need them say
    /// so.
    pub fn warm_up(&self) {
        self.warming.enabled.store(true, Ordering::SeqCst);
        if self.warming.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let today = chrono::Local::now().date_naive();
            let demand = app.insight().index().await;
            let supply = app.talent().with_supply(today, |s| s.people()).await;
            app.warming.running.store(false, Ordering::SeqCst);
            match (demand, supply) {
                (Ok(d), Ok(people)) => tracing::info!(
                    postings = d.len(),
                    people,
                    seconds = started.elapsed().as_secs_f64(),
                    "indexes built"
                ),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::error!(error = %e, "building the indexes failed; the next visitor builds them")
                }
            }
        });
    }

    /// The indexes are being built in the background (see [`App::warm_up`]).
    pub fn loading(&self) -> bool {
        self.warming.running.load(Ordering::SeqCst)
    }

    /// Makes [`App::loading`] say `on`, for tests of what pages show meanwhile.
    #[cfg(feature = "test-support")]
    pub fn pretend_loading(&self, on: bool) {
        self.warming.running.store(on, Ordering::SeqCst);
    }

    /// Applies every change any node noted since the last call; returns how
    /// many. Runs every [`SYNC_EVERY`] on its own (see `follow_changes`).
    pub async fn catch_up(&self) -> Result<usize, AppError> {
        let mut feed = self.feed.lock().await;
        let fresh: Vec<_> = self
            .store
            .changes_after(feed.cursor, 10_000)
            .await?
            .into_iter()
            .filter(|c| !feed.applied.contains(&c.seq))
            .collect();
        let (mut model, mut postings, mut talent) = (false, false, false);
        let mut people = Vec::new();
        for c in &fresh {
            match c.kind {
                ChangeKind::Model => model = true,
                ChangeKind::Postings => postings = true,
                ChangeKind::Talent => talent = true,
                ChangeKind::Person => people.extend(c.subject),
            }
        }
        let rebuild = model || postings || talent;
        if model {
            // drops every index and engine too
            self.reload().await?;
        } else {
            if postings {
                *self.demand.lock().await = None;
            }
            if talent || people.len() > cb_store::changes::PEOPLE_PER_CHANGE {
                self.forget_engines();
                *self.supply.lock().await = None;
            } else if !people.is_empty() {
                people.sort_unstable();
                people.dedup();
                self.talent().refresh_supply(&people).await?;
            }
        }
        if rebuild && self.warming.enabled.load(Ordering::SeqCst) {
            self.warm_up();
        }
        let now = Instant::now();
        feed.applied(fresh.iter().map(|c| c.seq), now);
        if feed
            .last_prune
            .is_none_or(|t| now.duration_since(t) > Duration::from_secs(600))
        {
            feed.last_prune = Some(now);
            let before = crate::accounts::now() - KEEP_CHANGES.as_secs() as i64;
            self.store.prune_changes(before).await?;
        }
        Ok(fresh.len())
    }

    /// Follows the change feed in the background for as long as this `App`
    /// (or a clone of it) is in use.
    pub(crate) fn follow_changes(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SYNC_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // only this task holds the App, or it was closed: nobody uses it any more
                if std::sync::Arc::strong_count(&app.feed) <= 1 || app.store.is_closed() {
                    break;
                }
                if let Err(e) = app.catch_up().await {
                    if app.store.is_closed() {
                        break;
                    }
                    tracing::warn!(error = %e, "following the change feed failed; trying again");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_waits_at_a_gap_then_moves_on() {
        let t0 = Instant::now();
        let mut f = Feed::new(10);
        f.applied([11, 12], t0);
        assert_eq!((f.cursor, f.applied.len()), (12, 0));
        // 13 has not committed yet: 14 and 15 are applied, the cursor waits
        f.applied([14, 15], t0);
        assert_eq!(f.cursor, 12);
        f.applied([], t0 + GAP_WAIT / 2);
        assert_eq!(f.cursor, 12);
        // 13 commits: everything moves on
        f.applied([13], t0 + GAP_WAIT / 2);
        assert_eq!((f.cursor, f.applied.len()), (15, 0));
        // 16 never commits (rolled back): after the wait the cursor passes it
        f.applied([17], t0 + GAP_WAIT);
        assert_eq!(f.cursor, 15);
        f.applied([], t0 + GAP_WAIT * 2 + Duration::from_secs(1));
        assert_eq!((f.cursor, f.applied.len()), (17, 0));
    }
}
