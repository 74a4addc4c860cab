//! The change feed every node's caches follow (migration 0015): a write that
//! affects a cache appends what changed in its own transaction; each node
//! reads the rows after the last it applied.

/// What a change affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Reference data (the competency model, an external framework).
    Model,
    /// Stored postings were re-classified.
    Postings,
    /// Schools, programs, courses, or more people than [`PEOPLE_PER_CHANGE`] at once.
    Talent,
    /// One person's record, consents or evidence (`subject`).
    Person,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Model => "model",
            ChangeKind::Postings => "postings",
            ChangeKind::Talent => "talent",
            ChangeKind::Person => "person",
        }
    }

    fn parse(s: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Model,
            ChangeKind::Postings,
            ChangeKind::Talent,
            ChangeKind::Person,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One row of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub kind: ChangeKind,
    pub subject: Option<i64>,
    pub at: i64,
}

/// Above this many people, a write notes one `Talent` change (the caches are
/// rebuilt) instead of one `Person` change each.
pub const PEOPLE_PER_CHANGE: usize = 1_000;

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) fn change_from(seq: i64, kind: &str, subject: Option<i64>, at: i64) -> Option<Change> {
    Some(Change {
        seq,
        kind: ChangeKind::parse(kind)?,
        subject,
        at,
    })
}
