//! Job demand as columns: one entry per posting, every string interned, so a
//! filter over a million postings is a scan of small integers.

use crate::period::{Month, Period, month_label};
use serde::Serialize;
use std::collections::HashMap;

/// A posting as the index needs it (what the store hands over).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemandPosting {
    pub id: i64,
    pub source: String,
    pub title: String,
    pub country: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub month: Option<Month>,
    pub openings: u32,
    pub is_cyber: bool,
    pub nice_role: Option<String>,
    pub platform_role: Option<String>,
    /// Skill ids (required and preferred alike).
    pub skills: Vec<String>,
    pub certifications: Vec<String>,
    pub education: Option<String>,
    /// Years of experience asked for at least (0 for graduates).
    pub exp_min: Option<u32>,
    /// Monthly salary, midpoint of the range, in `currency`.
    pub monthly_salary: Option<f64>,
    pub currency: Option<String>,
}

/// Which postings count. Every field narrows; `None` is everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Filter {
    pub country: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub period: Option<Period>,
    /// A NICE category id (OG, DD, IO, PD, IN).
    pub nice_category: Option<String>,
    pub nice_role: Option<String>,
    pub platform_role: Option<String>,
    pub skill: Option<String>,
    pub certification: Option<String>,
    pub education: Option<String>,
    /// Postings asking for at most this many years.
    pub max_experience: Option<u32>,
    pub source: Option<String>,
    /// Count postings that are not cybersecurity jobs too.
    pub include_non_cyber: bool,
}

#[derive(Debug, Default, Clone)]
struct Dict {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Dict {
    /// 0 stands for "unknown"; names start at 1.
    fn id(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s.filter(|s| !s.is_empty()) else { return 0 };
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        self.names.push(s.to_string());
        let i = self.names.len() as u32;
        self.ids.insert(s.to_string(), i);
        i
    }
    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }
    fn name(&self, i: u32) -> &str {
        if i == 0 { "" } else { self.names.get(i as usize - 1).map_or("", String::as_str) }
    }
}

const NO_EXPERIENCE: u8 = u8::MAX;

/// The columns. Row `i` of every column is posting `i`.
#[derive(Debug, Default, Clone)]
pub struct DemandIndex {
    ids: Vec<i64>,
    source: Vec<u8>,
    title: Vec<u32>,
    country: Vec<u16>,
    province: Vec<u16>,
    city: Vec<u16>,
    month: Vec<Month>,
    openings: Vec<u32>,
    cyber: Vec<bool>,
    nice_role: Vec<u16>,
    platform_role: Vec<u16>,
    education: Vec<u8>,
    exp_min: Vec<u8>,
    salary: Vec<f32>,
    currency: Vec<u8>,
    /// skills of row i: skill_ids[skill_at[i]..skill_at[i + 1]]
    skill_at: Vec<u32>,
    skill_ids: Vec<u16>,
    cert_at: Vec<u32>,
    cert_ids: Vec<u16>,
    d_source: Dict,
    d_title: Dict,
    d_country: Dict,
    d_province: Dict,
    d_city: Dict,
    d_nice: Dict,
    d_platform: Dict,
    d_education: Dict,
    d_currency: Dict,
    d_skill: Dict,
    d_cert: Dict,
    /// NICE work role id → category id
    categories: HashMap<String, String>,
}

/// Salary quartiles of the postings that state one, per currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SalaryStats {
    pub currency: String,
    pub postings: u64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
}

/// A name and how many postings (and what share of the selection) have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub key: String,
    pub postings: u64,
    pub share: f64,
}

/// Demand over one filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Demand {
    pub postings: u64,
    pub openings: u64,
    /// Postings in the period of the same length just before (when a period is set).
    pub previous_postings: Option<u64>,
    pub growth: Option<f64>,
    /// Postings in the same months a year earlier.
    pub year_ago_postings: Option<u64>,
    pub growth_yoy: Option<f64>,
    pub top_titles: Vec<Count>,
    pub top_skills: Vec<Count>,
    pub top_certifications: Vec<Count>,
    pub top_platform_roles: Vec<Count>,
    pub top_provinces: Vec<Count>,
    pub salary: Vec<SalaryStats>,
    /// Postings stating an experience requirement, and the share asking ≤ 1 year.
    pub experience_known: u64,
    pub entry_level_share: Option<f64>,
    /// (month, postings), oldest first, over the months the selection spans.
    pub by_month: Vec<(String, u64)>,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// `(a − b) / b`, rounded; none without a base.
pub fn growth(now: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| round((now as f64 - before as f64) / before as f64, 4))
}

/// The `q` quantile of sorted values by linear interpolation between closest ranks.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl DemandIndex {
    /// An empty index; `categories` maps NICE work role ids to their category.
    pub fn new(categories: HashMap<String, String>) -> Self {
        DemandIndex { skill_at: vec![0], cert_at: vec![0], categories, ..DemandIndex::default() }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn push(&mut self, p: &DemandPosting) {
        let small = |x: u32| u16::try_from(x).unwrap_or(u16::MAX);
        self.ids.push(p.id);
        self.source.push(self.d_source.id(Some(&p.source)).min(255) as u8);
        self.title.push(self.d_title.id(Some(p.title.trim())));
        self.country.push(small(self.d_country.id(p.country.as_deref())));
        self.province.push(small(self.d_province.id(p.province.as_deref())));
        self.city.push(small(self.d_city.id(p.city.as_deref())));
        self.month.push(p.month.unwrap_or(0));
        self.openings.push(p.openings.max(1));
        self.cyber.push(p.is_cyber);
        self.nice_role.push(small(self.d_nice.id(p.nice_role.as_deref())));
        self.platform_role.push(small(self.d_platform.id(p.platform_role.as_deref())));
        self.education.push(self.d_education.id(p.education.as_deref()).min(255) as u8);
        self.exp_min.push(p.exp_min.map_or(NO_EXPERIENCE, |e| e.min(50) as u8));
        self.salary.push(p.monthly_salary.filter(|s| s.is_finite() && *s > 0.0).map_or(f32::NAN, |s| s as f32));
        self.currency.push(self.d_currency.id(p.currency.as_deref()).min(255) as u8);
        for s in &p.skills {
            let id = small(self.d_skill.id(Some(s.trim_end_matches('?'))));
            let from = *self.skill_at.last().unwrap_or(&0) as usize;
            if !self.skill_ids[from..].contains(&id) {
                self.skill_ids.push(id);
            }
        }
        self.skill_at.push(self.skill_ids.len() as u32);
        for c in &p.certifications {
            let id = small(self.d_cert.id(Some(c)));
            let from = *self.cert_at.last().unwrap_or(&0) as usize;
            if !self.cert_ids[from..].contains(&id) {
                self.cert_ids.push(id);
            }
        }
        self.cert_at.push(self.cert_ids.len() as u32);
    }

    fn skills(&self, i: usize) -> &[u16] {
        &self.skill_ids[self.skill_at[i] as usize..self.skill_at[i + 1] as usize]
    }

    fn certs(&self, i: usize) -> &[u16] {
        &self.cert_ids[self.cert_at[i] as usize..self.cert_at[i + 1] as usize]
    }

    /// Rows matching `f`, ignoring its period when `period` overrides it
    /// (`Some(None)`: every month).
    fn select(&self, f: &Filter, period: Option<Option<Period>>) -> Vec<u32> {
        // a name the index has never seen matches nothing: u32::MAX
        let want = |d: &Dict, v: &Option<String>| v.as_deref().map(|s| d.get(s).unwrap_or(u32::MAX));
        let (country, province, city) = (want(&self.d_country, &f.country), want(&self.d_province, &f.province), want(&self.d_city, &f.city));
        let (nice, platform) = (want(&self.d_nice, &f.nice_role), want(&self.d_platform, &f.platform_role));
        let (skill, cert) = (want(&self.d_skill, &f.skill), want(&self.d_cert, &f.certification));
        let (education, source) = (want(&self.d_education, &f.education), want(&self.d_source, &f.source));
        let category_roles: Option<Vec<u16>> = f.nice_category.as_ref().map(|c| {
            self.d_nice.names.iter().enumerate().filter(|(_, r)| self.categories.get(r.as_str()) == Some(c)).map(|(i, _)| (i + 1) as u16).collect()
        });
        let period = period.unwrap_or(f.period);
        let mut out = Vec::new();
        for i in 0..self.ids.len() {
            if (!f.include_non_cyber && !self.cyber[i])
                || country.is_some_and(|c| u32::from(self.country[i]) != c)
                || province.is_some_and(|c| u32::from(self.province[i]) != c)
                || city.is_some_and(|c| u32::from(self.city[i]) != c)
                || period.is_some_and(|p| !p.contains(self.month[i]))
                || nice.is_some_and(|c| u32::from(self.nice_role[i]) != c)
                || platform.is_some_and(|c| u32::from(self.platform_role[i]) != c)
                || education.is_some_and(|c| u32::from(self.education[i]) != c)
                || source.is_some_and(|c| u32::from(self.source[i]) != c)
                || f.max_experience.is_some_and(|m| self.exp_min[i] == NO_EXPERIENCE || u32::from(self.exp_min[i]) > m)
                || category_roles.as_ref().is_some_and(|rs| !rs.contains(&self.nice_role[i]))
                || skill.is_some_and(|s| !self.skills(i).iter().any(|&x| u32::from(x) == s))
                || cert.is_some_and(|s| !self.certs(i).iter().any(|&x| u32::from(x) == s))
            {
                continue;
            }
            out.push(i as u32);
        }
        out
    }

    /// How many postings match (every month when the filter has no period).
    pub fn count(&self, f: &Filter) -> u64 {
        self.select(f, None).len() as u64
    }

    /// The postings matching `f`, newest first by id (for drill-down lists).
    pub fn posting_ids(&self, f: &Filter, limit: usize) -> Vec<i64> {
        let mut ids: Vec<i64> = self.select(f, None).iter().map(|&i| self.ids[i as usize]).collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.truncate(limit);
        ids
    }

    fn top(&self, counts: HashMap<u32, u64>, dict: &Dict, total: u64, n: usize) -> Vec<Count> {
        let mut v: Vec<(u32, u64)> = counts.into_iter().filter(|(k, _)| *k != 0).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| dict.name(a.0).cmp(dict.name(b.0))));
        v.into_iter()
            .take(n)
            .map(|(k, c)| Count { key: dict.name(k).to_string(), postings: c, share: if total == 0 { 0.0 } else { round(c as f64 / total as f64, 4) } })
            .collect()
    }

    /// Every demand figure over `f`, with `top` entries in each ranking.
    pub fn demand(&self, f: &Filter, top: usize) -> Demand {
        let rows = self.select(f, None);
        let postings = rows.len() as u64;
        let (mut titles, mut skills, mut certs, mut roles, mut provinces) = (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
        let mut salaries: HashMap<u8, Vec<f64>> = HashMap::new();
        let (mut openings, mut exp_known, mut entry) = (0u64, 0u64, 0u64);
        let mut months: HashMap<Month, u64> = HashMap::new();
        for &r in &rows {
            let i = r as usize;
            openings += u64::from(self.openings[i]);
            *titles.entry(self.title[i]).or_insert(0u64) += 1;
            *roles.entry(u32::from(self.platform_role[i])).or_insert(0u64) += 1;
            *provinces.entry(u32::from(self.province[i])).or_insert(0u64) += 1;
            for &s in self.skills(i) {
                *skills.entry(u32::from(s)).or_insert(0u64) += 1;
            }
            for &c in self.certs(i) {
                *certs.entry(u32::from(c)).or_insert(0u64) += 1;
            }
            if !self.salary[i].is_nan() {
                salaries.entry(self.currency[i]).or_default().push(f64::from(self.salary[i]));
            }
            if self.exp_min[i] != NO_EXPERIENCE {
                exp_known += 1;
                if self.exp_min[i] <= 1 {
                    entry += 1;
                }
            }
            if self.month[i] != 0 {
                *months.entry(self.month[i]).or_insert(0u64) += 1;
            }
        }
        let mut salary: Vec<SalaryStats> = salaries
            .into_iter()
            .filter(|(c, _)| *c != 0)
            .map(|(c, mut v)| {
                v.sort_by(f64::total_cmp);
                SalaryStats {
                    currency: self.d_currency.name(u32::from(c)).to_string(),
                    postings: v.len() as u64,
                    p25: round(quantile(&v, 0.25), 0),
                    median: round(quantile(&v, 0.5), 0),
                    p75: round(quantile(&v, 0.75), 0),
                }
            })
            .collect();
        salary.sort_by(|a, b| b.postings.cmp(&a.postings).then(a.currency.cmp(&b.currency)));
        let previous_postings = f.period.and_then(|p| p.previous()).map(|p| self.select(f, Some(Some(p))).len() as u64);
        let year_ago_postings = f.period.and_then(|p| p.year_ago()).map(|p| self.select(f, Some(Some(p))).len() as u64);
        let mut by_month: Vec<(Month, u64)> = months.into_iter().collect();
        by_month.sort_unstable();
        Demand {
            postings,
            openings,
            growth: previous_postings.and_then(|b| growth(postings, b)),
            previous_postings,
            growth_yoy: year_ago_postings.and_then(|b| growth(postings, b)),
            year_ago_postings,
            top_titles: self.top(titles, &self.d_title, postings, top),
            top_skills: self.top(skills, &self.d_skill, postings, top),
            top_certifications: self.top(certs, &self.d_cert, postings, top),
            top_platform_roles: self.top(roles, &self.d_platform, postings, top),
            top_provinces: self.top(provinces, &self.d_province, postings, top),
            salary,
            experience_known: exp_known,
            entry_level_share: (exp_known > 0).then(|| round(entry as f64 / exp_known as f64, 4)),
            by_month: by_month.into_iter().map(|(m, n)| (month_label(m), n)).collect(),
        }
    }

    /// Postings per value of a dimension (`province`, `platform_role`, …) under `f`.
    pub fn by(&self, f: &Filter, dimension: Dimension) -> Vec<(String, u64)> {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for &r in &self.select(f, None) {
            let i = r as usize;
            let k = match dimension {
                Dimension::Country => u32::from(self.country[i]),
                Dimension::Province => u32::from(self.province[i]),
                Dimension::City => u32::from(self.city[i]),
                Dimension::PlatformRole => u32::from(self.platform_role[i]),
                Dimension::NiceRole => u32::from(self.nice_role[i]),
            };
            *counts.entry(k).or_default() += 1;
        }
        let dict = match dimension {
            Dimension::Country => &self.d_country,
            Dimension::Province => &self.d_province,
            Dimension::City => &self.d_city,
            Dimension::PlatformRole => &self.d_platform,
            Dimension::NiceRole => &self.d_nice,
        };
        let mut v: Vec<(String, u64)> = counts.into_iter().filter(|(k, _)| *k != 0).map(|(k, n)| (dict.name(k).to_string(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Share of the postings under `f` that ask for each skill.
    pub fn skill_shares(&self, f: &Filter) -> (u64, HashMap<String, f64>) {
        let rows = self.select(f, None);
        let mut counts: HashMap<u16, u64> = HashMap::new();
        for &r in &rows {
            for &s in self.skills(r as usize) {
                *counts.entry(s).or_default() += 1;
            }
        }
        let n = rows.len() as u64;
        let shares = counts.into_iter().map(|(s, c)| (self.d_skill.name(u32::from(s)).to_string(), if n == 0 { 0.0 } else { c as f64 / n as f64 })).collect();
        (n, shares)
    }

    /// The first and last month any posting carries.
    pub fn months(&self) -> Option<Period> {
        let known = self.month.iter().copied().filter(|m| *m != 0);
        let (lo, hi) = known.fold((u32::MAX, 0), |(lo, hi), m| (lo.min(m), hi.max(m)));
        (hi != 0).then_some(Period { from: lo, to: hi })
    }
}

/// What postings can be counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Country,
    Province,
    City,
    PlatformRole,
    NiceRole,
}
