//! Demand set against itself over time and against supply: location
//! quotients, skill gaps, supply/demand ratios, emerging and fading skills,
//! and threshold alerts. Supply figures are passed in. Each figure has a
//! form that works from tallies already made, so [`report`] answers a whole
//! dashboard with a handful of passes over the postings.

use crate::demand::{Demand, DemandIndex, Filter, Tally, growth};
use serde::Serialize;
use std::collections::HashMap;

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// A role's concentration in one region against the whole selection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quotient {
    pub region: String,
    pub role_postings: u64,
    pub region_postings: u64,
    pub quotient: f64,
}

/// The counts below which a comparison is noise and is not made (the page says
/// "too few postings" instead): each period compared, a region's postings for
/// its location quotients, a role's postings in each period for a growth alert,
/// and a skill's (trends) or role's (alerts) postings in at least one of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Minimums {
    pub period_postings: u64,
    pub region_postings: u64,
    pub role_postings: u64,
    pub item_postings: u64,
}

impl Default for Minimums {
    fn default() -> Self {
        Minimums {
            period_postings: 30,
            region_postings: 20,
            role_postings: 10,
            item_postings: 5,
        }
    }
}

impl Minimums {
    /// No minimum: every comparison is made (for tests by hand on tiny data).
    pub const NONE: Minimums = Minimums {
        period_postings: 0,
        region_postings: 0,
        role_postings: 0,
        item_postings: 0,
    };
}

/// LQ = (role's postings in the region / all postings in the region) ÷
/// (role's postings overall / all postings overall), per province of `f`'s
/// selection (a region or role filter in `f` is ignored: the country is the base).
pub fn location_quotients(
    index: &DemandIndex,
    f: &Filter,
    platform_role: &str,
    min: Minimums,
) -> Vec<Quotient> {
    let base = Filter {
        province: None,
        city: None,
        platform_role: None,
        ..f.clone()
    };
    let with_role = Filter {
        platform_role: Some(platform_role.to_string()),
        ..base.clone()
    };
    let (all, role) = (index.light(&base), index.light(&with_role));
    quotients_of(
        &index.light_provinces(&all),
        all.postings,
        &index.light_provinces(&role),
        role.postings,
        min.region_postings,
    )
}

fn quotients_of(
    all: &[(String, u64)],
    all_total: u64,
    role: &[(String, u64)],
    role_total: u64,
    min_region: u64,
) -> Vec<Quotient> {
    if all_total == 0 || role_total == 0 {
        return Vec::new();
    }
    let regions: HashMap<&str, u64> = all.iter().map(|(r, n)| (r.as_str(), *n)).collect();
    let national = role_total as f64 / all_total as f64;
    let mut out: Vec<Quotient> = role
        .iter()
        .cloned()
        .filter_map(|(region, n)| {
            let here = *regions.get(region.as_str())?;
            if here < min_region {
                return None;
            }
            Some(Quotient {
                quotient: round(n as f64 / here as f64 / national, 3),
                role_postings: n,
                region_postings: here,
                region,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.quotient
            .total_cmp(&a.quotient)
            .then(a.region.cmp(&b.region))
    });
    out
}

/// Share of postings asking for a skill against the share of people proficient in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillGap {
    pub skill_id: String,
    pub demand_share: f64,
    pub supply_share: f64,
    /// demand_share − supply_share: positive where the market asks for more than schools give
    pub gap: f64,
}

/// Skill gaps over the postings of `f`, against `supply_share` (skill → share
/// of people proficient); skills no posting asks for are left out. Largest gap first.
pub fn skill_gaps(
    index: &DemandIndex,
    f: &Filter,
    supply_share: &HashMap<String, f64>,
) -> Vec<SkillGap> {
    gaps_of(index, &index.tally(f, None), supply_share)
}

fn gaps_of(index: &DemandIndex, t: &Tally, supply_share: &HashMap<String, f64>) -> Vec<SkillGap> {
    let (_, demand) = index.skill_shares_of(t);
    let mut out: Vec<SkillGap> = demand
        .into_iter()
        .map(|(skill_id, d)| {
            let s = supply_share.get(&skill_id).copied().unwrap_or(0.0);
            SkillGap {
                demand_share: round(d, 4),
                supply_share: round(s, 4),
                gap: round(d - s, 4),
                skill_id,
            }
        })
        .collect();
    out.sort_by(|a, b| b.gap.total_cmp(&a.gap).then(a.skill_id.cmp(&b.skill_id)));
    out
}

/// People ready for a role against the postings that want it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratio {
    pub role_id: String,
    pub postings: u64,
    pub openings: u64,
    pub ready: u64,
    pub near_ready: u64,
    /// ready ÷ openings; none without openings
    pub ratio: Option<f64>,
}

/// Supply/demand ratio per platform role: `supply` gives (ready, near-ready)
/// per role for the same region and period; roles with neither are left out.
pub fn ratios(
    index: &DemandIndex,
    f: &Filter,
    roles: &[String],
    supply: &HashMap<String, (u64, u64)>,
) -> Vec<Ratio> {
    ratios_of(index, &index.tally(f, None), roles, supply)
}

fn ratios_of(
    index: &DemandIndex,
    t: &Tally,
    roles: &[String],
    supply: &HashMap<String, (u64, u64)>,
) -> Vec<Ratio> {
    let demand = index.roles_of(t);
    let mut out = Vec::new();
    for r in roles {
        let (postings, openings) = demand.get(r).copied().unwrap_or((0, 0));
        let (ready, near_ready) = supply.get(r).copied().unwrap_or((0, 0));
        if postings == 0 && ready == 0 && near_ready == 0 {
            continue;
        }
        out.push(Ratio {
            role_id: r.clone(),
            postings,
            openings,
            ready,
            near_ready,
            ratio: (openings > 0).then(|| round(ready as f64 / openings as f64, 3)),
        });
    }
    out.sort_by(|a, b| b.openings.cmp(&a.openings).then(a.role_id.cmp(&b.role_id)));
    out
}

/// A skill whose share of postings moved between two periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub skill_id: String,
    pub share_before: f64,
    pub share_now: f64,
    /// percentage points
    pub change_pp: f64,
    pub postings_now: u64,
}

/// Emerging (fastest rising share) and fading (fastest falling) skills
/// between the period before `f`'s and `f`'s own, among skills asked for by
/// at least `min.item_postings` postings in one of the two. Needs a period.
pub fn trends(
    index: &DemandIndex,
    f: &Filter,
    n: usize,
    min: Minimums,
) -> Option<(Vec<Trend>, Vec<Trend>)> {
    let before = index.tally(f, Some(Some(f.period?.previous()?)));
    Some(trends_of(index, &index.tally(f, None), &before, n, min))
}

fn trends_of(
    index: &DemandIndex,
    now: &Tally,
    before: &Tally,
    n: usize,
    min: Minimums,
) -> (Vec<Trend>, Vec<Trend>) {
    if now.postings < min.period_postings || before.postings < min.period_postings {
        return (Vec::new(), Vec::new());
    }
    let (n_now, shares_now) = index.skill_shares_of(now);
    let (n_before, was) = index.skill_shares_of(before);
    if n_now == 0 || n_before == 0 {
        return (Vec::new(), Vec::new());
    }
    let mut keys: Vec<&String> = shares_now.keys().chain(was.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut all: Vec<Trend> = keys
        .into_iter()
        .filter_map(|k| {
            let (a, b) = (
                was.get(k).copied().unwrap_or(0.0),
                shares_now.get(k).copied().unwrap_or(0.0),
            );
            let (ca, cb) = (
                (a * n_before as f64).round() as u64,
                (b * n_now as f64).round() as u64,
            );
            (ca.max(cb) >= min.item_postings).then(|| Trend {
                skill_id: k.clone(),
                share_before: round(a, 4),
                share_now: round(b, 4),
                change_pp: round((b - a) * 100.0, 2),
                postings_now: cb,
            })
        })
        .collect();
    all.sort_by(|a, b| {
        b.change_pp
            .total_cmp(&a.change_pp)
            .then(a.skill_id.cmp(&b.skill_id))
    });
    let emerging: Vec<Trend> = all
        .iter()
        .filter(|t| t.change_pp > 0.0)
        .take(n)
        .cloned()
        .collect();
    let fading: Vec<Trend> = all
        .iter()
        .rev()
        .filter(|t| t.change_pp < 0.0)
        .take(n)
        .cloned()
        .collect();
    (emerging, fading)
}

/// Something that moved beyond a threshold the user set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    /// A role's postings changed by `growth` (a fraction) against the previous
    /// period; `None` when it had none before.
    RoleDemand {
        role_id: String,
        postings: u64,
        previous: u64,
        growth: Option<f64>,
    },
    /// A skill's gap is at or beyond the threshold.
    SkillGap { skill_id: String, gap: f64 },
}

/// Roles whose demand grew or shrank by at least `growth_threshold` (0.2 =
/// 20 %; roles with fewer than `min.item_postings` in both periods are noise and
/// left out), and skills whose gap is at least `gap_threshold`.
pub fn alerts(
    index: &DemandIndex,
    f: &Filter,
    growth_threshold: f64,
    gap_threshold: f64,
    gaps: &[SkillGap],
    min: Minimums,
) -> Vec<Alert> {
    let before = f
        .period
        .and_then(|p| p.previous())
        .map(|p| index.tally(f, Some(Some(p))));
    alerts_of(
        index,
        &index.tally(f, None),
        before.as_ref(),
        growth_threshold,
        gap_threshold,
        gaps,
        min,
    )
}

fn alerts_of(
    index: &DemandIndex,
    now: &Tally,
    before: Option<&Tally>,
    growth_threshold: f64,
    gap_threshold: f64,
    gaps: &[SkillGap],
    min: Minimums,
) -> Vec<Alert> {
    let mut out = Vec::new();
    let compared =
        before.filter(|b| b.postings >= min.period_postings && now.postings >= min.period_postings);
    if let Some(before) = compared {
        let (was, is) = (index.roles_of(before), index.roles_of(now));
        let mut roles: Vec<&String> = is.keys().chain(was.keys()).collect();
        roles.sort();
        roles.dedup();
        for r in roles {
            let (a, b) = (was.get(r).map_or(0, |x| x.0), is.get(r).map_or(0, |x| x.0));
            if a.max(b) < min.item_postings || a.min(b) < min.role_postings {
                continue;
            }
            let g = growth(b, a);
            if g.is_none_or(|g| g.abs() >= growth_threshold) {
                out.push(Alert::RoleDemand {
                    role_id: r.clone(),
                    postings: b,
                    previous: a,
                    growth: g,
                });
            }
        }
    }
    out.extend(
        gaps.iter()
            .filter(|g| g.gap >= gap_threshold)
            .map(|g| Alert::SkillGap {
                skill_id: g.skill_id.clone(),
                gap: g.gap,
            }),
    );
    out
}

/// What the supply side brings to a report.
pub struct SupplyInput<'a> {
    pub roles: &'a [String],
    /// (ready, near-ready) per role
    pub counts: &'a HashMap<String, (u64, u64)>,
    /// skill → share of people proficient
    pub shares: &'a HashMap<String, f64>,
    /// whether gaps may raise alerts (the supply shares are shown)
    pub gaps_visible: bool,
}

/// A whole dashboard's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub demand: Demand,
    pub ratios: Vec<Ratio>,
    pub gaps: Vec<SkillGap>,
    pub quotients: Vec<Quotient>,
    pub emerging: Vec<Trend>,
    pub fading: Vec<Trend>,
    pub alerts: Vec<Alert>,
    /// Postings per province over `f` without its own region (for the map).
    pub map: Vec<(String, u64)>,
    /// With a region: each role's location quotient there (most concentrated first).
    pub region_roles: Vec<RoleQuotient>,
    /// With a skill: per month, the share of postings (under `f` without the skill) asking for it.
    pub skill_by_month: Vec<(String, u64, f64)>,
}

/// A role's concentration in the selected region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleQuotient {
    pub role_id: String,
    pub postings: u64,
    pub quotient: f64,
}

/// Every figure for `f` from as few passes as the filter allows: the
/// selection, the previous period's, the region-free base (map, location
/// quotients) and its role subset; growth counts scan without tallying.
pub fn report(
    index: &DemandIndex,
    f: &Filter,
    supply: &SupplyInput<'_>,
    growth_threshold: f64,
    gap_threshold: f64,
    top: usize,
    min: Minimums,
) -> Report {
    let now = index.tally(f, None);
    let demand = index.demand_of(f, &now, top);
    let before = f
        .period
        .and_then(|p| p.previous())
        .map(|p| index.tally(f, Some(Some(p))));
    let ratios = ratios_of(index, &now, supply.roles, supply.counts);
    let gaps = gaps_of(index, &now, supply.shares);
    let base_filter = Filter {
        province: None,
        city: None,
        ..f.clone()
    };
    let (map, base_total) = if base_filter == *f {
        (index.provinces_of(&now), now.postings)
    } else {
        let l = index.light(&base_filter);
        (index.light_provinces(&l), l.postings)
    };
    let quotients = match &f.platform_role {
        Some(_) => {
            let all = index.light(&Filter {
                platform_role: None,
                ..base_filter.clone()
            });
            quotients_of(
                &index.light_provinces(&all),
                all.postings,
                &map,
                base_total,
                min.region_postings,
            )
        }
        None => Vec::new(),
    };
    let (emerging, fading) = before
        .as_ref()
        .map(|b| trends_of(index, &now, b, 10, min))
        .unwrap_or_default();
    let alerts = alerts_of(
        index,
        &now,
        before.as_ref(),
        growth_threshold,
        gap_threshold,
        if supply.gaps_visible { &gaps } else { &[] },
        min,
    );
    let region_roles = if f.province.is_some() || f.city.is_some() {
        // the region against its country, every role (the role filter lifted): light passes
        let region = index.light(&Filter {
            platform_role: None,
            ..f.clone()
        });
        let country = index.light(&Filter {
            province: None,
            city: None,
            platform_role: None,
            ..f.clone()
        });
        if region.postings < min.region_postings {
            Vec::new()
        } else {
            role_quotients_of(
                &index.light_roles(&region),
                region.postings,
                &index.light_roles(&country),
                country.postings,
            )
        }
    } else {
        Vec::new()
    };
    let skill_by_month = if f.skill.is_some() {
        let without = index.light(&Filter {
            skill: None,
            ..f.clone()
        });
        let with: HashMap<&str, u64> = demand
            .by_month
            .iter()
            .map(|(m, n)| (m.as_str(), *n))
            .collect();
        without
            .by_month()
            .into_iter()
            .map(|(m, all)| {
                let share = round(
                    with.get(m.as_str()).copied().unwrap_or(0) as f64 / all as f64,
                    4,
                );
                (m, all, share)
            })
            .collect()
    } else {
        Vec::new()
    };
    Report {
        demand,
        ratios,
        gaps,
        quotients,
        emerging,
        fading,
        alerts,
        map,
        region_roles,
        skill_by_month,
    }
}

/// Each role's LQ in a region: (its share of the region's postings) ÷ (its
/// share of the country's); roles with fewer than 3 postings there are left out.
fn role_quotients_of(
    region: &HashMap<String, u64>,
    region_total: u64,
    country: &HashMap<String, u64>,
    country_total: u64,
) -> Vec<RoleQuotient> {
    if region_total == 0 || country_total == 0 {
        return Vec::new();
    }
    let mut out: Vec<RoleQuotient> = region
        .iter()
        .filter(|(_, n)| **n >= 3)
        .filter_map(|(role_id, &n)| {
            let all = *country.get(role_id)?;
            let q = (n as f64 / region_total as f64) / (all as f64 / country_total as f64);
            Some(RoleQuotient {
                role_id: role_id.clone(),
                postings: n,
                quotient: round(q, 3),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.quotient
            .total_cmp(&a.quotient)
            .then(a.role_id.cmp(&b.role_id))
    });
    out
}
