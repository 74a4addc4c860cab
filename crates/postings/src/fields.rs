//! Education, years of experience, headcount and posting dates.

use crate::fold::fold;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Education {
    Any,
    HighSchool,
    Vocational,
    Associate,
    Bachelor,
    Master,
    Doctorate,
}

impl Education {
    pub fn as_str(self) -> &'static str {
        match self {
            Education::Any => "any",
            Education::HighSchool => "high_school",
            Education::Vocational => "vocational",
            Education::Associate => "associate",
            Education::Bachelor => "bachelor",
            Education::Master => "master",
            Education::Doctorate => "doctorate",
        }
    }
}

/// The lowest education a posting asks for.
pub fn education(raw: &str) -> Option<Education> {
    let s = fold(raw);
    let table: &[(&[&str], Education)] = &[
        (&["学历不限", "不限学历", "no degree"], Education::Any),
        (&["高中", "high school", "ged"], Education::HighSchool),
        (&["中专", "中技", "技校", "职高"], Education::Vocational),
        (&["大专", "专科", "高职", "associate"], Education::Associate),
        (
            &[
                "本科",
                "学士",
                "bachelor",
                "b.s.",
                "b.a.",
                "undergraduate degree",
            ],
            Education::Bachelor,
        ),
        (&["硕士", "研究生", "master", "m.s."], Education::Master),
        (
            &["博士", "phd", "ph.d", "doctorate", "doctoral"],
            Education::Doctorate,
        ),
    ];
    // the first level mentioned in reading order is the minimum asked for ("本科及以上")
    table
        .iter()
        .filter_map(|(words, level)| {
            words
                .iter()
                .filter_map(|w| s.find(w))
                .min()
                .map(|pos| (pos, *level))
        })
        .min_by_key(|(pos, level)| (*pos, *level))
        .map(|(_, level)| level)
        .or_else(|| (s == "不限").then_some(Education::Any))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Experience {
    pub min_years: u8,
    pub max_years: Option<u8>,
    /// Students, new graduates (应届生) or interns.
    pub graduate: bool,
}

impl Experience {
    /// Entry level: at most one year asked, or a graduate/intern posting.
    pub fn entry_level(&self) -> bool {
        self.graduate || self.min_years <= 1
    }
}

fn small_numbers(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            if let Ok(n) = cur.parse::<u8>() {
                out.push(n);
            }
            cur.clear();
        }
    }
    out
}

/// Years of experience: `3-4年`, `1年以上`, `10年及以上`, `经验不限`, `在校生/应届生`,
/// `3+ years`, `at least 5 years`.
pub fn experience(raw: &str) -> Option<Experience> {
    let s = fold(raw);
    if s.is_empty() {
        return None;
    }
    let graduate = [
        "应届",
        "在校",
        "实习",
        "毕业生",
        "intern",
        "new grad",
        "recent graduate",
        "student",
    ]
    .iter()
    .any(|w| s.contains(w));
    let any = ["不限", "无需经验", "无经验", "no experience", "经验不限"]
        .iter()
        .any(|w| s.contains(w));
    let nums = small_numbers(&s);
    let years_word = s.contains('年') || s.contains("year") || s.contains("yr");
    if !nums.is_empty() && years_word {
        let open = [
            "以上",
            "及以上",
            "+",
            "at least",
            "or more",
            "minimum",
            "min",
        ]
        .iter()
        .any(|w| s.contains(w));
        let min = nums[0];
        let max = if nums.len() >= 2 && nums[1] >= min {
            Some(nums[1])
        } else if open {
            None
        } else {
            Some(min)
        };
        return Some(Experience {
            min_years: min,
            max_years: max,
            graduate,
        });
    }
    if graduate || any {
        return Some(Experience {
            min_years: 0,
            max_years: if graduate { Some(0) } else { None },
            graduate,
        });
    }
    None
}

/// Headcount: `招3人`, `3人`, `招聘人数：5`, `2 positions`; `若干` and unknown → None.
pub fn headcount(raw: &str) -> Option<u32> {
    let s = fold(raw);
    if s.contains("若干") {
        return None;
    }
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !digits.is_empty() {
            break;
        }
    }
    let n: u32 = digits.parse().ok()?;
    let counted = s.contains('人')
        || s.contains("名")
        || s.contains("position")
        || s.contains("opening")
        || s.contains("vacanc")
        || s.chars().all(|c| c.is_ascii_digit());
    (counted && (1..=10_000).contains(&n)).then_some(n)
}

/// A posting date: absolute (`2017-05-03`, `2023-12-12 09:22:00`,
/// `2025-08-13T00:00:00`, `2017/5/3`, `5月3日`, `05-03`) or relative to the
/// crawl date (`今天 15:23`, `昨天 14:47`, `3天前`, `2小时前`, `刚刚`, `today`,
/// `yesterday`, `2 days ago`).
pub fn posted_date(raw: &str, crawled: Option<NaiveDate>) -> Option<NaiveDate> {
    let s = fold(raw);
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let rel = |days: i64| crawled.map(|d| d - Duration::days(days));
    if s.starts_with("今天")
        || s.starts_with("刚刚")
        || s.contains("小时前")
        || s.contains("分钟前")
        || s.starts_with("today")
        || s.contains("hours ago")
        || s.contains("just now")
    {
        return rel(0);
    }
    if s.starts_with("昨天") || s.starts_with("yesterday") {
        return rel(1);
    }
    if s.starts_with("前天") {
        return rel(2);
    }
    if s.contains("天前") || s.contains("days ago") || s.contains("day ago") {
        return small_numbers(s).first().and_then(|n| rel(i64::from(*n)));
    }
    // absolute: take the leading date part
    let head: String = s
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != 't')
        .collect();
    let parts: Vec<u32> = head
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [y, m, d, ..] if *y >= 1990 => NaiveDate::from_ymd_opt(*y as i32, *m, *d),
        [m, d] => {
            let year = crawled.map(|c| chrono::Datelike::year(&c))?;
            let date = NaiveDate::from_ymd_opt(year, *m, *d)?;
            // a month-day after the crawl date belongs to the previous year
            match crawled {
                Some(c) if date > c => NaiveDate::from_ymd_opt(year - 1, *m, *d),
                _ => Some(date),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn education_levels() {
        assert_eq!(education("本科"), Some(Education::Bachelor));
        assert_eq!(education("本科及以上学历"), Some(Education::Bachelor));
        assert_eq!(education("大专以上"), Some(Education::Associate));
        assert_eq!(education("中技/中专"), Some(Education::Vocational));
        assert_eq!(education("硕士"), Some(Education::Master));
        assert_eq!(
            education("Bachelor's degree in Computer Science"),
            Some(Education::Bachelor)
        );
        assert_eq!(education("PhD preferred"), Some(Education::Doctorate));
        assert_eq!(education("学历不限"), Some(Education::Any));
        assert_eq!(education(""), None);
    }

    #[test]
    fn experience_ranges() {
        assert_eq!(
            experience("3-4年"),
            Some(Experience {
                min_years: 3,
                max_years: Some(4),
                graduate: false
            })
        );
        assert_eq!(
            experience("1年"),
            Some(Experience {
                min_years: 1,
                max_years: Some(1),
                graduate: false
            })
        );
        assert_eq!(
            experience("10年及以上"),
            Some(Experience {
                min_years: 10,
                max_years: None,
                graduate: false
            })
        );
        assert_eq!(
            experience("5+ years of experience").map(|e| (e.min_years, e.max_years)),
            Some((5, None))
        );
        let g = experience("在校生/应届生").expect("graduate");
        assert!(g.graduate && g.entry_level());
        let any = experience("无需经验").expect("any");
        assert_eq!((any.min_years, any.max_years), (0, None));
        assert!(!experience("5-7年").expect("x").entry_level());
        assert_eq!(experience("本科"), None);
    }

    #[test]
    fn headcounts() {
        assert_eq!(headcount("招3人"), Some(3));
        assert_eq!(headcount("招聘人数：5人"), Some(5));
        assert_eq!(headcount("2 positions"), Some(2));
        assert_eq!(headcount("若干"), None);
        assert_eq!(headcount("12"), Some(12));
        assert_eq!(headcount("3-4年"), None);
    }

    #[test]
    fn dates_absolute_and_relative() {
        let crawl = Some(d(2017, 5, 3));
        assert_eq!(posted_date("今天 15:23", crawl), Some(d(2017, 5, 3)));
        assert_eq!(posted_date("昨天 14:47", crawl), Some(d(2017, 5, 2)));
        assert_eq!(posted_date("3天前", crawl), Some(d(2017, 4, 30)));
        assert_eq!(posted_date("2017-04-28", crawl), Some(d(2017, 4, 28)));
        assert_eq!(
            posted_date("2023-12-12 09:22:00", None),
            Some(d(2023, 12, 12))
        );
        assert_eq!(
            posted_date("2025-08-13T00:00:00", None),
            Some(d(2025, 8, 13))
        );
        assert_eq!(posted_date("2017/5/3", None), Some(d(2017, 5, 3)));
        assert_eq!(posted_date("04-28", crawl), Some(d(2017, 4, 28)));
        assert_eq!(posted_date("12-30", crawl), Some(d(2016, 12, 30)));
        assert_eq!(
            posted_date("昨天", None),
            None,
            "relative dates need a crawl date"
        );
        assert_eq!(posted_date("garbage", crawl), None);
    }

    proptest! {
        #[test]
        fn iso_dates_round_trip(y in 1990i32..2100, m in 1u32..13, day in 1u32..29) {
            let date = d(y, m, day);
            prop_assert_eq!(posted_date(&date.format("%Y-%m-%d").to_string(), None), Some(date));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,30}") {
            let _ = (education(&s), experience(&s), headcount(&s), posted_date(&s, Some(d(2024, 1, 1))));
        }
    }
}
