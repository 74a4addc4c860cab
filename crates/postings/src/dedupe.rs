//! Deduplication of postings: exact re-posts (same source and id) and
//! near-duplicates across sources (same employer, normalised title and city,
//! posted within 30 days, with similar text by SimHash).

use crate::fold::fold;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Days within which two postings of the same job count as one.
pub const WINDOW_DAYS: i64 = 30;
/// Bits two SimHashes may differ by and still count as the same text.
pub const MAX_HAMMING: u32 = 10;

const EMPLOYER_NOISE: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "分公司",
    "(中国)",
    "（中国）",
    "corporation",
    "incorporated",
    "company",
    "inc.",
    "inc",
    "llc",
    "ltd.",
    "ltd",
    "co.,",
    "co.",
    "corp.",
    "corp",
];

/// `北京某某科技有限公司` → `北京某某科技`; `Acme, Inc.` → `acme`.
pub fn norm_employer(s: &str) -> String {
    let mut t = fold(s);
    for n in EMPLOYER_NOISE {
        t = t.replace(n, "");
    }
    t.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Titles without bracketed codes, cities or recruiting noise:
/// `安全工程师(002158)` and `安全工程师（深圳）` → `安全工程师`.
pub fn norm_title(s: &str) -> String {
    let t = fold(s);
    let mut out = String::with_capacity(t.len());
    let mut depth = 0;
    for c in t.chars() {
        match c {
            '(' | '（' | '【' | '[' => depth += 1,
            ')' | '）' | '】' | ']' => depth = (depth - 1).max(0),
            _ if depth == 0 && c.is_alphanumeric() && !c.is_ascii_digit() => out.push(c),
            _ => {}
        }
    }
    for noise in ["急聘", "急招", "诚聘", "高薪", "directhire", "dha"] {
        out = out.replace(noise, "");
    }
    out
}

/// A 64-bit SimHash of the folded text's character 4-grams.
pub fn simhash(text: &str) -> u64 {
    let t = fold(text);
    let chars: Vec<char> = t
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(2000)
        .collect();
    if chars.len() < 4 {
        return 0;
    }
    let mut v = [0i32; 64];
    for w in chars.windows(4) {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for c in w {
            h ^= *c as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        for (i, slot) in v.iter_mut().enumerate() {
            *slot += if h >> i & 1 == 1 { 1 } else { -1 };
        }
    }
    v.iter().enumerate().fold(
        0u64,
        |acc, (i, x)| if *x > 0 { acc | (1 << i) } else { acc },
    )
}

/// A posting as deduplication sees it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub source: String,
    pub source_id: String,
    pub employer_norm: String,
    pub title_norm: String,
    pub city: String,
    pub posted_at: Option<NaiveDate>,
    /// 0 when there is no text to compare.
    pub simhash: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<R> {
    New,
    /// The same source's same posting (a re-post or a repeated row).
    SameSource(R),
    /// Another source's (or an earlier re-post's) copy of the same job.
    NearDuplicate(R),
}

/// Keeps every posting seen so far; `R` refers to a posting (a stored id or
/// an index into the current import). Keys are kept as 64-bit hashes so that a
/// million postings fit in well under 100 MB (a false match needs a 64-bit
/// collision between two keys: about one in 10^7 for 10^6 postings).
pub struct Deduper<R> {
    by_source: HashMap<u64, R>,
    by_key: HashMap<u64, Vec<(R, Option<NaiveDate>, u64)>>,
}

fn key_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xffu8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

impl<R: Copy> Default for Deduper<R> {
    fn default() -> Self {
        Deduper {
            by_source: HashMap::new(),
            by_key: HashMap::new(),
        }
    }
}

fn similar(a: u64, b: u64) -> bool {
    a == 0 || b == 0 || (a ^ b).count_ones() <= MAX_HAMMING
}

fn close(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).num_days().abs() <= WINDOW_DAYS,
        _ => true,
    }
}

impl<R: Copy> Deduper<R> {
    /// Decides whether `c` is new, and remembers it as `r` if it is.
    pub fn check(&mut self, c: &Candidate, r: R) -> Verdict<R> {
        let source_key = key_hash(&[&c.source, &c.source_id]);
        if let Some(&existing) = self.by_source.get(&source_key) {
            return Verdict::SameSource(existing);
        }
        let key_usable = !c.employer_norm.is_empty() && !c.title_norm.is_empty();
        if key_usable {
            let key = key_hash(&[&c.employer_norm, &c.title_norm, &c.city]);
            if let Some(list) = self.by_key.get(&key)
                && let Some((existing, _, _)) = list
                    .iter()
                    .find(|(_, d, h)| close(*d, c.posted_at) && similar(*h, c.simhash))
            {
                let existing = *existing;
                self.by_source.insert(source_key, existing);
                return Verdict::NearDuplicate(existing);
            }
            self.by_key
                .entry(key)
                .or_default()
                .push((r, c.posted_at, c.simhash));
        }
        self.by_source.insert(source_key, r);
        Verdict::New
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(
        source: &str,
        id: &str,
        employer: &str,
        title: &str,
        city: &str,
        date: (i32, u32, u32),
        text: &str,
    ) -> Candidate {
        Candidate {
            source: source.into(),
            source_id: id.into(),
            employer_norm: norm_employer(employer),
            title_norm: norm_title(title),
            city: city.into(),
            posted_at: NaiveDate::from_ymd_opt(date.0, date.1, date.2),
            simhash: simhash(text),
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            norm_employer("北京某某科技有限公司"),
            norm_employer("北京某某科技股份有限公司")
        );
        assert_eq!(norm_employer("Acme, Inc."), "acme");
        assert_eq!(norm_title("安全工程师(002158)"), "安全工程师");
        assert_eq!(norm_title("安全工程师（深圳）"), "安全工程师");
        assert_eq!(norm_title("高级安全工程师 J10617"), "高级安全工程师j");
        assert_ne!(norm_title("高级安全工程师"), norm_title("安全工程师"));
    }

    #[test]
    fn exact_reposts_and_cross_source_copies() {
        let mut d: Deduper<u32> = Deduper::default();
        let text = "负责渗透测试与漏洞挖掘，熟悉Burp Suite、SQL注入、XSS，有CISP-PTE证书优先。";
        assert_eq!(
            d.check(
                &cand(
                    "lagou",
                    "1",
                    "甲公司有限公司",
                    "渗透测试工程师",
                    "北京",
                    (2017, 5, 1),
                    text
                ),
                0
            ),
            Verdict::New
        );
        assert_eq!(
            d.check(
                &cand(
                    "lagou",
                    "1",
                    "甲公司有限公司",
                    "渗透测试工程师",
                    "北京",
                    (2017, 5, 1),
                    text
                ),
                1
            ),
            Verdict::SameSource(0)
        );
        assert_eq!(
            d.check(
                &cand(
                    "51job",
                    "x",
                    "甲公司",
                    "渗透测试工程师（急招）",
                    "北京",
                    (2017, 5, 20),
                    text
                ),
                2
            ),
            Verdict::NearDuplicate(0)
        );
        // another city, a date outside the window, or different text is another job
        assert_eq!(
            d.check(
                &cand(
                    "51job",
                    "y",
                    "甲公司",
                    "渗透测试工程师",
                    "上海",
                    (2017, 5, 2),
                    text
                ),
                3
            ),
            Verdict::New
        );
        assert_eq!(
            d.check(
                &cand(
                    "51job",
                    "z",
                    "甲公司",
                    "渗透测试工程师",
                    "北京",
                    (2017, 9, 1),
                    text
                ),
                4
            ),
            Verdict::New
        );
        let other = "Responsible for payroll processing, budgeting and vendor invoices in the finance office.";
        assert_eq!(
            d.check(
                &cand(
                    "51job",
                    "w",
                    "甲公司",
                    "渗透测试工程师",
                    "北京",
                    (2017, 5, 3),
                    other
                ),
                5
            ),
            Verdict::New
        );
    }

    proptest! {
        #[test]
        fn simhash_of_identical_text_is_identical_and_near_for_small_edits(s in "[a-z一-龥 ]{40,200}", extra in "[a-z]{1,3}") {
            prop_assert_eq!(simhash(&s), simhash(&s));
            let edited = format!("{s}{extra}");
            prop_assert!((simhash(&s) ^ simhash(&edited)).count_ones() <= 24);
        }
    }
}
