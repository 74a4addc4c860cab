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
    /// The employer's industry, where known.
    pub industry: Option<String>,
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
    pub industry: Option<String>,
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
        let Some(s) = s.filter(|s| !s.is_empty()) else {
            return 0;
        };
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
        if i == 0 {
            ""
        } else {
            self.names.get(i as usize - 1).map_or("", String::as_str)
        }
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
    industry: Vec<u16>,
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
    d_industry: Dict,
    d_skill: Dict,
    d_cert: Dict,
    /// NICE work role id → category id
    categories: HashMap<String, String>,
    /// the earliest month any posting carries (0 when none does)
    first_month: Month,
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

/// [`quantile`] without sorting: the two order statistics it needs are
/// selected in linear time (the slice is reordered).
pub fn quantile_unsorted(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, &mut a, right) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let b = if pos > lo as f64 {
        right.iter().copied().fold(f64::INFINITY, f64::min)
    } else {
        a
    };
    a + (b - a) * (pos - lo as f64)
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
        DemandIndex {
            skill_at: vec![0],
            cert_at: vec![0],
            categories,
            ..DemandIndex::default()
        }
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
        self.source
            .push(self.d_source.id(Some(&p.source)).min(255) as u8);
        self.title.push(self.d_title.id(Some(p.title.trim())));
        self.country
            .push(small(self.d_country.id(p.country.as_deref())));
        self.province
            .push(small(self.d_province.id(p.province.as_deref())));
        self.city.push(small(self.d_city.id(p.city.as_deref())));
        let m = p.month.unwrap_or(0);
        if m != 0 && (self.first_month == 0 || m < self.first_month) {
            // an earlier month than any before: tallies count months from here
            self.first_month = m;
        }
        self.month.push(m);
        self.openings.push(p.openings.max(1));
        self.cyber.push(p.is_cyber);
        self.nice_role
            .push(small(self.d_nice.id(p.nice_role.as_deref())));
        self.platform_role
            .push(small(self.d_platform.id(p.platform_role.as_deref())));
        self.education
            .push(self.d_education.id(p.education.as_deref()).min(255) as u8);
        self.exp_min
            .push(p.exp_min.map_or(NO_EXPERIENCE, |e| e.min(50) as u8));
        self.salary.push(
            p.monthly_salary
                .filter(|s| s.is_finite() && *s > 0.0)
                .map_or(f32::NAN, |s| s as f32),
        );
        self.currency
            .push(self.d_currency.id(p.currency.as_deref()).min(255) as u8);
        self.industry
            .push(small(self.d_industry.id(p.industry.as_deref())));
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

    /// A filter resolved against the dictionaries, ready to test rows.
    fn matcher(&self, f: &Filter, period: Option<Option<Period>>) -> Matcher {
        // a name the index has never seen matches nothing: u32::MAX
        let want =
            |d: &Dict, v: &Option<String>| v.as_deref().map(|s| d.get(s).unwrap_or(u32::MAX));
        Matcher {
            cyber_only: !f.include_non_cyber,
            country: want(&self.d_country, &f.country),
            province: want(&self.d_province, &f.province),
            city: want(&self.d_city, &f.city),
            nice: want(&self.d_nice, &f.nice_role),
            platform: want(&self.d_platform, &f.platform_role),
            skill: want(&self.d_skill, &f.skill),
            cert: want(&self.d_cert, &f.certification),
            education: want(&self.d_education, &f.education),
            source: want(&self.d_source, &f.source),
            industry: want(&self.d_industry, &f.industry),
            max_experience: f.max_experience,
            category_roles: f.nice_category.as_ref().map(|c| {
                self.d_nice
                    .names
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| self.categories.get(r.as_str()) == Some(c))
                    .map(|(i, _)| (i + 1) as u16)
                    .collect()
            }),
            period: period.unwrap_or(f.period),
        }
    }

    /// The rows of `range` that match, a column at a time: the candidates
    /// from the first condition set, then each further condition narrows them
    /// (tight loops over one small-integer column each).
    fn rows_in(&self, m: &Matcher, range: std::ops::Range<usize>) -> Vec<u32> {
        let mut rows: Vec<u32> = match (m.platform, m.province) {
            (Some(c), _) => range
                .filter(|&i| u32::from(self.platform_role[i]) == c)
                .map(|i| i as u32)
                .collect(),
            (None, Some(c)) => range
                .filter(|&i| u32::from(self.province[i]) == c)
                .map(|i| i as u32)
                .collect(),
            (None, None) => range.map(|i| i as u32).collect(),
        };
        let col16 = |rows: &mut Vec<u32>, col: &[u16], want: Option<u32>| {
            if let Some(c) = want {
                rows.retain(|&i| u32::from(col[i as usize]) == c);
            }
        };
        col16(&mut rows, &self.platform_role, m.platform);
        col16(&mut rows, &self.province, m.province);
        if let Some(p) = m.period {
            rows.retain(|&i| p.contains(self.month[i as usize]));
        }
        if m.cyber_only {
            rows.retain(|&i| self.cyber[i as usize]);
        }
        col16(&mut rows, &self.country, m.country);
        col16(&mut rows, &self.city, m.city);
        col16(&mut rows, &self.nice_role, m.nice);
        if let Some(c) = m.education {
            rows.retain(|&i| u32::from(self.education[i as usize]) == c);
        }
        if let Some(c) = m.source {
            rows.retain(|&i| u32::from(self.source[i as usize]) == c);
        }
        col16(&mut rows, &self.industry, m.industry);
        if let Some(x) = m.max_experience {
            rows.retain(|&i| {
                self.exp_min[i as usize] != NO_EXPERIENCE
                    && u32::from(self.exp_min[i as usize]) <= x
            });
        }
        if let Some(rs) = &m.category_roles {
            rows.retain(|&i| rs.contains(&self.nice_role[i as usize]));
        }
        if let Some(s) = m.skill {
            rows.retain(|&i| self.skills(i as usize).iter().any(|&x| u32::from(x) == s));
        }
        if let Some(s) = m.cert {
            rows.retain(|&i| self.certs(i as usize).iter().any(|&x| u32::from(x) == s));
        }
        rows
    }

    /// Rows matching `f`, ignoring its period when `period` overrides it
    /// (`Some(None)`: every month).
    fn select(&self, f: &Filter, period: Option<Option<Period>>) -> Vec<u32> {
        let m = self.matcher(f, period);
        self.split(|range| self.rows_in(&m, range)).concat()
    }

    /// How many rows match, on every core.
    fn count_matching(&self, f: &Filter, period: Option<Option<Period>>) -> u64 {
        let m = self.matcher(f, period);
        self.split(|range| self.rows_in(&m, range).len() as u64)
            .into_iter()
            .sum()
    }

    /// Runs `work` over the rows in as many ranges as there are cores (one
    /// range for small indexes).
    fn split<T: Send>(&self, work: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
        let n = self.ids.len();
        let parts = if n < 50_000 {
            1
        } else {
            std::thread::available_parallelism()
                .map_or(1, |p| p.get())
                .min(8)
        };
        if parts == 1 {
            return vec![work(0..n)];
        }
        let chunk = n.div_ceil(parts);
        std::thread::scope(|s| {
            let work = &work;
            let handles: Vec<_> = (0..parts)
                .map(|p| s.spawn(move || work(p * chunk..((p + 1) * chunk).min(n))))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// How many postings match (every month when the filter has no period).
    pub fn count(&self, f: &Filter) -> u64 {
        self.count_matching(f, None)
    }

    /// The postings matching `f`, newest first by id (for drill-down lists).
    pub fn posting_ids(&self, f: &Filter, limit: usize) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .select(f, None)
            .iter()
            .map(|&i| self.ids[i as usize])
            .collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.truncate(limit);
        ids
    }

    fn top(
        &self,
        counts: impl Iterator<Item = (u32, u64)>,
        dict: &Dict,
        total: u64,
        n: usize,
    ) -> Vec<Count> {
        let mut v: Vec<(u32, u64)> = counts.filter(|(k, c)| *k != 0 && *c > 0).collect();
        v.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| dict.name(a.0).cmp(dict.name(b.0)))
        });
        v.into_iter()
            .take(n)
            .map(|(k, c)| Count {
                key: dict.name(k).to_string(),
                postings: c,
                share: if total == 0 {
                    0.0
                } else {
                    round(c as f64 / total as f64, 4)
                },
            })
            .collect()
    }

    /// One pass over the postings matching `f` (its period replaced when
    /// `period` is given), counting everything the indicators need. Counters
    /// are dense vectors indexed by dictionary id.
    pub fn tally(&self, f: &Filter, period: Option<Option<Period>>) -> Tally {
        let m = self.matcher(f, period);
        let parts = self.split(|range| self.tally_range(&m, range));
        let mut it = parts.into_iter();
        let mut t = it.next().unwrap_or_default();
        for p in it {
            t.merge(p);
        }
        t
    }

    fn tally_range(&self, m: &Matcher, range: std::ops::Range<usize>) -> Tally {
        let first_month = self.first_month;
        let mut t = Tally {
            skills: vec![0; self.d_skill.names.len() + 1],
            certs: vec![0; self.d_cert.names.len() + 1],
            roles: vec![(0, 0); self.d_platform.names.len() + 1],
            provinces: vec![0; self.d_province.names.len() + 1],
            titles: vec![0; self.d_title.names.len() + 1],
            first_month,
            ..Tally::default()
        };
        for i in self.rows_in(m, range) {
            let i = i as usize;
            t.postings += 1;
            let open = u64::from(self.openings[i]);
            t.openings += open;
            t.titles[self.title[i] as usize] += 1;
            let role = &mut t.roles[usize::from(self.platform_role[i])];
            role.0 += 1;
            role.1 += open;
            t.provinces[usize::from(self.province[i])] += 1;
            for &s in self.skills(i) {
                t.skills[usize::from(s)] += 1;
            }
            for &c in self.certs(i) {
                t.certs[usize::from(c)] += 1;
            }
            if !self.salary[i].is_nan() {
                t.salaries
                    .entry(self.currency[i])
                    .or_default()
                    .push(f64::from(self.salary[i]));
            }
            if self.exp_min[i] != NO_EXPERIENCE {
                t.experience_known += 1;
                if self.exp_min[i] <= 1 {
                    t.entry_level += 1;
                }
            }
            let mo = self.month[i];
            if mo != 0 {
                let k = (mo - first_month) as usize;
                if t.months.len() <= k {
                    t.months.resize(k + 1, 0);
                }
                t.months[k] += 1;
            }
        }
        t
    }

    /// A light pass: postings per platform role and per month under `f`, and
    /// how many in all (no skills, salaries or titles counted).
    pub fn light(&self, f: &Filter) -> Light {
        let m = self.matcher(f, None);
        let first = self.first_month;
        let parts = self.split(|range| {
            let mut l = Light {
                postings: 0,
                roles: vec![0; self.d_platform.names.len() + 1],
                provinces: vec![0; self.d_province.names.len() + 1],
                months: Vec::new(),
                first_month: first,
            };
            for i in self.rows_in(&m, range) {
                let i = i as usize;
                l.postings += 1;
                l.roles[usize::from(self.platform_role[i])] += 1;
                l.provinces[usize::from(self.province[i])] += 1;
                let mo = self.month[i];
                if mo != 0 {
                    let k = (mo - first) as usize;
                    if l.months.len() <= k {
                        l.months.resize(k + 1, 0);
                    }
                    l.months[k] += 1;
                }
            }
            l
        });
        let mut it = parts.into_iter();
        let mut l = it.next().unwrap_or(Light {
            postings: 0,
            roles: Vec::new(),
            provinces: Vec::new(),
            months: Vec::new(),
            first_month: first,
        });
        for p in it {
            l.postings += p.postings;
            for (a, b) in l.roles.iter_mut().zip(p.roles) {
                *a += b;
            }
            for (a, b) in l.provinces.iter_mut().zip(p.provinces) {
                *a += b;
            }
            if l.months.len() < p.months.len() {
                l.months.resize(p.months.len(), 0);
            }
            for (a, b) in l.months.iter_mut().zip(p.months) {
                *a += b;
            }
        }
        l
    }

    /// Postings per province in a light pass, most first.
    pub fn light_provinces(&self, l: &Light) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = l
            .provinces
            .iter()
            .enumerate()
            .filter(|(k, n)| *k != 0 && **n > 0)
            .map(|(k, n)| (self.d_province.name(k as u32).to_string(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Postings per platform role in a light pass.
    pub fn light_roles(&self, l: &Light) -> HashMap<String, u64> {
        l.roles
            .iter()
            .enumerate()
            .filter(|(k, n)| *k != 0 && **n > 0)
            .map(|(k, n)| (self.d_platform.name(k as u32).to_string(), *n))
            .collect()
    }

    /// Every demand figure over `f`, with `top` entries in each ranking.
    pub fn demand(&self, f: &Filter, top: usize) -> Demand {
        self.demand_of(f, &self.tally(f, None), top)
    }

    /// [`DemandIndex::demand`] from a tally already made for `f`.
    pub fn demand_of(&self, f: &Filter, t: &Tally, top: usize) -> Demand {
        let postings = t.postings;
        let mut salary: Vec<SalaryStats> = t
            .salaries
            .iter()
            .filter(|(c, _)| **c != 0)
            .map(|(c, v)| {
                let mut v = v.clone();
                SalaryStats {
                    currency: self.d_currency.name(u32::from(*c)).to_string(),
                    postings: v.len() as u64,
                    p25: round(quantile_unsorted(&mut v, 0.25), 0),
                    median: round(quantile_unsorted(&mut v, 0.5), 0),
                    p75: round(quantile_unsorted(&mut v, 0.75), 0),
                }
            })
            .collect();
        salary.sort_by(|a, b| {
            b.postings
                .cmp(&a.postings)
                .then(a.currency.cmp(&b.currency))
        });
        let previous_postings = f
            .period
            .and_then(|p| p.previous())
            .map(|p| self.count_matching(f, Some(Some(p))));
        let year_ago_postings = f
            .period
            .and_then(|p| p.year_ago())
            .map(|p| self.count_matching(f, Some(Some(p))));
        let by_month: Vec<(Month, u64)> = t
            .months
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (t.first_month + k as u32, *n))
            .collect();
        let dense = |v: &[u64]| {
            v.iter()
                .enumerate()
                .map(|(k, c)| (k as u32, *c))
                .collect::<Vec<_>>()
                .into_iter()
        };
        Demand {
            postings,
            openings: t.openings,
            growth: previous_postings.and_then(|b| growth(postings, b)),
            previous_postings,
            growth_yoy: year_ago_postings.and_then(|b| growth(postings, b)),
            year_ago_postings,
            top_titles: self.top(dense(&t.titles), &self.d_title, postings, top),
            top_skills: self.top(dense(&t.skills), &self.d_skill, postings, top),
            top_certifications: self.top(dense(&t.certs), &self.d_cert, postings, top),
            top_platform_roles: self.top(
                t.roles.iter().enumerate().map(|(k, c)| (k as u32, c.0)),
                &self.d_platform,
                postings,
                top,
            ),
            top_provinces: self.top(dense(&t.provinces), &self.d_province, postings, top),
            salary,
            experience_known: t.experience_known,
            entry_level_share: (t.experience_known > 0)
                .then(|| round(t.entry_level as f64 / t.experience_known as f64, 4)),
            by_month: by_month
                .into_iter()
                .map(|(m, n)| (month_label(m), n))
                .collect(),
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
        let mut v: Vec<(String, u64)> = counts
            .into_iter()
            .filter(|(k, _)| *k != 0)
            .map(|(k, n)| (dict.name(k).to_string(), n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Share of the postings under `f` that ask for each skill.
    pub fn skill_shares(&self, f: &Filter) -> (u64, HashMap<String, f64>) {
        self.skill_shares_of(&self.tally(f, None))
    }

    /// [`DemandIndex::skill_shares`] from a tally.
    pub fn skill_shares_of(&self, t: &Tally) -> (u64, HashMap<String, f64>) {
        let n = t.postings;
        let shares = t
            .skills
            .iter()
            .enumerate()
            .filter(|(k, c)| *k != 0 && **c > 0)
            .map(|(k, c)| {
                (
                    self.d_skill.name(k as u32).to_string(),
                    if n == 0 { 0.0 } else { *c as f64 / n as f64 },
                )
            })
            .collect();
        (n, shares)
    }

    /// (postings, openings) per platform role in a tally.
    pub fn roles_of(&self, t: &Tally) -> HashMap<String, (u64, u64)> {
        t.roles
            .iter()
            .enumerate()
            .filter(|(k, c)| *k != 0 && c.0 > 0)
            .map(|(k, c)| (self.d_platform.name(k as u32).to_string(), *c))
            .collect()
    }

    /// Postings per province in a tally.
    pub fn provinces_of(&self, t: &Tally) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = t
            .provinces
            .iter()
            .enumerate()
            .filter(|(k, c)| *k != 0 && **c > 0)
            .map(|(k, c)| (self.d_province.name(k as u32).to_string(), *c))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Every industry any posting names, in the order first seen.
    pub fn industry_names(&self) -> &[String] {
        &self.d_industry.names
    }

    /// Every province or state any posting names, in the order first seen.
    pub fn province_names(&self) -> &[String] {
        &self.d_province.names
    }

    /// The first and last month any posting carries.
    pub fn months(&self) -> Option<Period> {
        let known = self.month.iter().copied().filter(|m| *m != 0);
        let (lo, hi) = known.fold((u32::MAX, 0), |(lo, hi), m| (lo.min(m), hi.max(m)));
        (hi != 0).then_some(Period { from: lo, to: hi })
    }
}

/// Everything one pass over a selection counts.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub postings: u64,
    pub openings: u64,
    skills: Vec<u64>,
    certs: Vec<u64>,
    /// (postings, openings) per platform role id
    roles: Vec<(u64, u64)>,
    provinces: Vec<u64>,
    titles: Vec<u64>,
    salaries: HashMap<u8, Vec<f64>>,
    experience_known: u64,
    entry_level: u64,
    /// postings per month, from `first_month`
    months: Vec<u64>,
    first_month: Month,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        let add = |a: &mut Vec<u64>, b: Vec<u64>| {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        };
        self.postings += o.postings;
        self.openings += o.openings;
        add(&mut self.skills, o.skills);
        add(&mut self.certs, o.certs);
        add(&mut self.provinces, o.provinces);
        add(&mut self.titles, o.titles);
        add(&mut self.months, o.months);
        for (x, y) in self.roles.iter_mut().zip(o.roles) {
            x.0 += y.0;
            x.1 += y.1;
        }
        for (c, v) in o.salaries {
            self.salaries.entry(c).or_default().extend(v);
        }
        self.experience_known += o.experience_known;
        self.entry_level += o.entry_level;
    }
}

/// What a light pass counts.
#[derive(Debug, Clone)]
pub struct Light {
    pub postings: u64,
    roles: Vec<u64>,
    provinces: Vec<u64>,
    months: Vec<u64>,
    first_month: Month,
}

impl Light {
    /// (month, postings), oldest first, months with postings only.
    pub fn by_month(&self) -> Vec<(String, u64)> {
        self.months
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (month_label(self.first_month + k as u32), *n))
            .collect()
    }
}

/// A filter resolved to dictionary ids.
struct Matcher {
    cyber_only: bool,
    country: Option<u32>,
    province: Option<u32>,
    city: Option<u32>,
    nice: Option<u32>,
    platform: Option<u32>,
    skill: Option<u32>,
    cert: Option<u32>,
    education: Option<u32>,
    source: Option<u32>,
    industry: Option<u32>,
    max_experience: Option<u32>,
    category_roles: Option<Vec<u16>>,
    period: Option<Period>,
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
