//! Situational awareness: the demand index over every stored posting (built
//! on first use, extended after each import) set against the talent pool's
//! supply figures. Every figure carries its definition; counts of people
//! under five are suppressed for everyone but operators.

use crate::talent::{Shown, share_shown, shown};
use crate::{App, AppError};
use cb_core::Caller;
use cb_insight::compare::{self, Alert, Quotient, Trend};
use cb_insight::{Demand, DemandIndex, Filter};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

pub struct InsightService<'a> {
    pub(crate) app: &'a App,
}

/// What the user set beyond the filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    /// Flag roles whose postings grew or fell by at least this fraction.
    pub role_growth: f64,
    /// Flag skills whose gap is at least this (share of postings − share of people).
    pub skill_gap: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            role_growth: 0.3,
            skill_gap: 0.3,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RatioView {
    pub role_id: String,
    pub postings: u64,
    pub openings: u64,
    pub ready: Shown,
    pub near_ready: Shown,
    /// ready ÷ openings; hidden with the ready count when that is suppressed
    pub ratio: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    pub certification_id: String,
    pub postings: u64,
    pub share: f64,
    /// people holding it (same region and program as the supply side)
    pub holders: Shown,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapView {
    pub skill_id: String,
    pub demand_share: f64,
    /// None when the region counts fewer than five people (and the caller is not an operator)
    pub supply_share: Option<f64>,
    pub gap: Option<f64>,
}

/// One figure's definition and the population it counts.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

pub const DEFINITIONS: &[Definition] = &[
    Definition {
        key: "postings",
        zh: "岗位数：符合筛选条件的网络安全岗位（去重后），按发布月份计入时间段。",
        en: "Postings: cybersecurity postings (after de-duplication) matching the filters, counted in the period of their posting month.",
    },
    Definition {
        key: "openings",
        zh: "招聘人数：这些岗位的招聘人数之和（未注明按 1 计）。",
        en: "Openings: the sum of the postings' headcounts (1 where none is stated).",
    },
    Definition {
        key: "growth",
        zh: "环比：与紧邻的等长上一时间段相比的岗位数变化率；同比：与上年同期相比。",
        en: "Growth: change in postings against the period of the same length just before; year on year: against the same months a year earlier.",
    },
    Definition {
        key: "salary",
        zh: "薪资：注明薪资的岗位的月薪区间中点，按币种分别给出四分位数（线性插值）。",
        en: "Salary: midpoint of the monthly range of postings that state one, quartiles per currency (linear interpolation).",
    },
    Definition {
        key: "entry_level",
        zh: "入门岗位占比：注明经验要求的岗位中，要求 ≤ 1 年（含应届）的比例。",
        en: "Entry-level share: among postings stating an experience requirement, the share asking for ≤ 1 year (graduates included).",
    },
    Definition {
        key: "holders",
        zh: "持证人数：人才库中有该证书记录、同意纳入统计的人员（同一地区与专业）。",
        en: "Holders: people in the talent pool with the certificate on record who consented to analytics (same region and program).",
    },
    Definition {
        key: "supply",
        zh: "供给：同意纳入统计的人才库人员；就绪 = 岗位核心技能中达到要求等级的比例 ≥ 0.8，接近就绪 0.6–0.8。学校以外的用户看到的人数四舍五入到 5 的倍数，1–4 人显示为“<5”；会透露 1–4 人的占比不显示。",
        en: "Supply: people in the talent pool who consented to analytics; ready = share of the role's core skills held at the required level ≥ 0.8, near-ready 0.6–0.8. Outside the owning school, counts of people are rounded to the nearest five, 1–4 shows as \"<5\", and a share that would give away 1–4 people is not shown.",
    },
    Definition {
        key: "ratio",
        zh: "供需比：就绪人数 ÷ 招聘人数（同一地区；供给不分时间段）。",
        en: "Supply/demand ratio: ready people ÷ openings (same region; supply is not split by period).",
    },
    Definition {
        key: "gap",
        zh: "技能缺口：要求该技能的岗位占比 − 该技能达到熟练（等级 ≥ 3）的人员占比。",
        en: "Skill gap: share of postings asking for the skill − share of people proficient in it (level ≥ 3).",
    },
    Definition {
        key: "location_quotient",
        zh: "区位商：某岗位在该地区岗位中的占比 ÷ 在全部所选岗位中的占比；> 1 表示集中。",
        en: "Location quotient: the role's share of the region's postings ÷ its share of all selected postings; > 1 means concentrated there.",
    },
    Definition {
        key: "trends",
        zh: "新兴/衰退技能：本时间段与上一等长时间段相比，要求该技能的岗位占比变化（百分点），至少 5 个岗位。",
        en: "Emerging/fading skills: change in the share of postings asking for the skill against the previous period of the same length (percentage points), at least 5 postings.",
    },
];

/// Every indicator over one filter.
#[derive(Debug, Clone, Serialize)]
pub struct Indicators {
    pub filter: Filter,
    /// The program the supply side is narrowed to, if any.
    pub program: Option<String>,
    /// Every program with people counted (choices for `program`).
    pub programs: Vec<String>,
    /// The months the stored postings span.
    pub data_period: Option<String>,
    pub demand: Demand,
    pub people: Shown,
    pub ratios: Vec<RatioView>,
    pub gaps: Vec<GapView>,
    /// The skills the selected postings ask for most (most first), each
    /// against the share of the selected people proficient in it: what a
    /// program lead reads for "what do our students lack for the jobs here".
    pub demanded: Vec<GapView>,
    pub location_quotients: Vec<Quotient>,
    /// Postings per province over the filter without its own region (the map).
    pub map: Vec<(String, u64)>,
    /// The most requested certifications against the people who hold them.
    pub certificates: Vec<CertificateView>,
    /// With a role: its core skills, asked for by what share of its postings, held by what share of people.
    pub role_skills: Vec<GapView>,
    /// With a region: every role's location quotient there.
    pub region_roles: Vec<compare::RoleQuotient>,
    /// With a skill: per month, (postings, share asking for the skill).
    pub skill_by_month: Vec<(String, u64, f64)>,
    pub emerging: Vec<Trend>,
    pub fading: Vec<Trend>,
    pub alerts: Vec<Alert>,
    pub thresholds: Thresholds,
    /// Filter values the catalog does not know (`("skill", "渗透测式")`): the
    /// figures count nothing for them, and the page says why.
    pub unknown: Vec<(&'static str, String)>,
    /// zh and en names of every role, skill and certification id above
    pub names: BTreeMap<String, (String, String)>,
    pub definitions: &'static [Definition],
}

impl App {
    pub fn insight(&self) -> InsightService<'_> {
        InsightService { app: self }
    }
}

impl InsightService<'_> {
    /// The demand index, built from the store on first use and extended with
    /// each import done since (imports finish in any order, so the index
    /// remembers which it holds rather than a last id).
    pub(crate) async fn index(&self) -> Result<Arc<DemandIndex>, AppError> {
        const PAGE: i64 = 20_000;
        let store = self.app.store();
        let mut guard = self.app.demand.lock().await;
        if let Some((ix, held)) = guard.as_ref()
            && store.done_import_count().await? == held.len() as i64
        {
            return Ok(ix.clone());
        }
        // new imports: extend a copy (readers keep the one they hold)
        let (mut index, mut held) = match guard.take() {
            Some((ix, held)) => (
                Arc::try_unwrap(ix).unwrap_or_else(|shared| (*shared).clone()),
                held,
            ),
            None => {
                let categories = self
                    .app
                    .catalog()
                    .model()
                    .work_roles
                    .iter()
                    .map(|w| (w.id.clone(), w.category_id.clone()))
                    .collect();
                // everything done now, in one pass by id; an import that
                // finishes meanwhile is left for the pass below
                let held: std::collections::BTreeSet<i64> =
                    store.done_imports().await?.iter().map(|s| s.id).collect();
                // pages are read while the one before is indexed on a thread
                // of its own (at most two wait: memory stays bounded)
                let (pages, mut next) =
                    tokio::sync::mpsc::channel::<Vec<(i64, cb_insight::DemandPosting)>>(2);
                let builder = tokio::task::spawn_blocking(move || {
                    let mut index = DemandIndex::new(categories);
                    while let Some(page) = next.blocking_recv() {
                        for (import, p) in &page {
                            if held.contains(import) {
                                index.push(p);
                            }
                        }
                    }
                    (index, held)
                });
                let mut last = 0;
                let read: Result<(), AppError> = async {
                    loop {
                        let page = store.postings_for_insight(last, PAGE).await?;
                        let Some(end) = page.last().map(|p| p.1.id) else {
                            return Ok(());
                        };
                        last = end;
                        pages.send(page).await.map_err(|_| {
                            AppError::Internal("the demand index builder stopped early".into())
                        })?;
                    }
                }
                .await;
                drop(pages);
                let built = builder.await.map_err(|e| {
                    AppError::Internal(format!("the demand index builder failed: {e}"))
                })?;
                read?;
                built
            }
        };
        for span in store.done_imports().await? {
            if held.contains(&span.id) {
                continue;
            }
            let mut after = 0;
            loop {
                let page = store.postings_of_import(&span, after, PAGE).await?;
                let Some(end) = page.last().map(|p| p.id) else {
                    break;
                };
                for p in &page {
                    index.push(p);
                }
                after = end;
            }
            held.insert(span.id);
        }
        let index = Arc::new(index);
        *guard = Some((index.clone(), held));
        Ok(index)
    }

    /// Writes the audit entry of an export (`what`: the table and its
    /// filter), whoever exports (postings are public: anyone may).
    pub async fn audit_export(&self, caller: &Caller, what: &str) -> Result<(), AppError> {
        Ok(self.app.store().audit(caller, "export", what).await?)
    }

    /// Every indicator for `filter`, as of `today` (for the supply side).
    pub async fn indicators(
        &self,
        caller: &Caller,
        filter: &Filter,
        thresholds: &Thresholds,
        today: NaiveDate,
    ) -> Result<Indicators, AppError> {
        self.indicators_for(caller, filter, thresholds, None, today)
            .await
    }

    /// [`InsightService::indicators`] with the supply side narrowed to one
    /// program (专业): its people's readiness and skills against the demand.
    pub async fn indicators_for(
        &self,
        caller: &Caller,
        filter: &Filter,
        thresholds: &Thresholds,
        program: Option<&str>,
        today: NaiveDate,
    ) -> Result<Indicators, AppError> {
        let (filter, unknown) = &self.resolved(filter);
        let exact = self.app.talent().exact_for(caller, program).await?;
        let index = self.index().await?;
        let catalog = self.app.catalog();
        let region = filter.province.clone();
        let roles: Vec<String> = catalog
            .model()
            .platform_roles
            .iter()
            .map(|r| r.id.clone())
            .collect();
        let (supply, people, shares, programs, holders) = self
            .app
            .talent()
            .with_supply(today, |s| {
                let counts: HashMap<String, (u64, u64)> = roles
                    .iter()
                    .map(|r| {
                        let c = s.role_filtered(r, region.as_deref(), program, None);
                        (r.clone(), (c.ready, c.near_ready))
                    })
                    .collect();
                (
                    counts,
                    s.people_where(region.as_deref(), program),
                    s.proficient_where(region.as_deref(), program).0,
                    s.program_names(),
                    s.holders_where(region.as_deref(), program),
                )
            })
            .await?;
        let (f, th) = (filter.clone(), thresholds.clone());
        let shares_visible = exact || people >= crate::talent::SMALL_CELL;
        // a share that would give away 1–4 people (who have the skill, or who
        // do not) is hidden skill by skill
        let hidden: HashSet<String> = shares
            .iter()
            .filter(|&(_, &c)| !share_shown(c, people, exact))
            .map(|(s, _)| s.clone())
            .collect();
        let share_visible = |skill: &str| shares_visible && !hidden.contains(skill);
        let shares: HashMap<String, f64> = shares
            .into_iter()
            .map(|(s, c)| (s, c as f64 / people.max(1) as f64))
            .collect();
        let shares = Arc::new(shares);
        let shares_for_report = shares.clone();
        let computed = tokio::task::spawn_blocking(move || {
            let input = compare::SupplyInput {
                roles: &roles,
                counts: &supply,
                shares: &shares_for_report,
                gaps_visible: shares_visible,
            };
            let report = compare::report(
                &index,
                &f,
                &input,
                th.role_growth,
                th.skill_gap,
                15,
                compare::Minimums::default(),
            );
            (report, index.months())
        })
        .await
        .map_err(|e| AppError::Invalid(format!("computing indicators stopped: {e}")))?;
        let (
            compare::Report {
                demand,
                ratios,
                gaps,
                quotients: location_quotients,
                emerging,
                fading,
                alerts,
                map,
                region_roles,
                skill_by_month,
            },
            months,
        ) = computed;
        // a role's core skills: demand share among its postings against supply
        let role_skills: Vec<GapView> = match &filter.platform_role {
            Some(role) => {
                let mut core: Vec<&str> = catalog
                    .model()
                    .skill_roles
                    .iter()
                    .filter(|l| {
                        l.role_id == *role && l.relation == cb_competency::RoleRelation::Core
                    })
                    .map(|l| l.skill_id.as_str())
                    .collect();
                core.sort_unstable();
                core.dedup();
                let mut v: Vec<GapView> = core
                    .into_iter()
                    .map(|s| {
                        let d = gaps
                            .iter()
                            .find(|g| g.skill_id == s)
                            .map_or(0.0, |g| g.demand_share);
                        let sup = share_visible(s).then(|| {
                            (shares.get(s).copied().unwrap_or(0.0) * 10_000.0).round() / 10_000.0
                        });
                        GapView {
                            skill_id: s.to_string(),
                            demand_share: d,
                            supply_share: sup,
                            gap: sup.map(|x| ((d - x) * 10_000.0).round() / 10_000.0),
                        }
                    })
                    .collect();
                v.sort_by(|a, b| {
                    b.demand_share
                        .total_cmp(&a.demand_share)
                        .then(a.skill_id.cmp(&b.skill_id))
                });
                v
            }
            None => Vec::new(),
        };
        let ratios: Vec<RatioView> = ratios
            .into_iter()
            .map(|r| {
                let ready = shown(r.ready, exact);
                RatioView {
                    // from the figure shown, so it gives away no more than it
                    ratio: match (r.ratio, ready.value()) {
                        (Some(_), Some(n)) if r.openings > 0 => {
                            Some((n as f64 / r.openings as f64 * 1000.0).round() / 1000.0)
                        }
                        _ => None,
                    },
                    ready,
                    near_ready: shown(r.near_ready, exact),
                    role_id: r.role_id,
                    postings: r.postings,
                    openings: r.openings,
                }
            })
            .collect();
        let gaps: Vec<GapView> = gaps
            .into_iter()
            .take(20)
            .map(|g| GapView {
                supply_share: share_visible(&g.skill_id).then_some(g.supply_share),
                gap: share_visible(&g.skill_id).then_some(g.gap),
                demand_share: g.demand_share,
                skill_id: g.skill_id,
            })
            .collect();
        let demanded: Vec<GapView> = demand
            .top_skills
            .iter()
            .take(15)
            .map(|c| {
                let sup = share_visible(&c.key).then(|| {
                    (shares.get(&c.key).copied().unwrap_or(0.0) * 10_000.0).round() / 10_000.0
                });
                GapView {
                    skill_id: c.key.clone(),
                    demand_share: c.share,
                    supply_share: sup,
                    gap: sup.map(|x| ((c.share - x) * 10_000.0).round() / 10_000.0),
                }
            })
            .collect();
        let mut names = BTreeMap::new();
        let mut name = |id: &str| {
            if names.contains_key(id) {
                return;
            }
            if let Some(s) = catalog.skill(id) {
                names.insert(id.to_string(), (s.name_zh.clone(), s.name_en.clone()));
            } else if let Some(r) = catalog.platform_role(id) {
                names.insert(id.to_string(), (r.name_zh.clone(), r.name_en.clone()));
            } else if let Some(c) = catalog.certification(id) {
                names.insert(id.to_string(), (c.name_zh.clone(), c.name_en.clone()));
            } else if let Some(w) = catalog.work_role(id) {
                names.insert(id.to_string(), (w.title_zh.clone(), w.title.clone()));
            }
        };
        for c in demand
            .top_skills
            .iter()
            .chain(&demand.top_certifications)
            .chain(&demand.top_platform_roles)
        {
            name(&c.key);
        }
        for r in &ratios {
            name(&r.role_id);
        }
        for g in gaps.iter().chain(&demanded) {
            name(&g.skill_id);
        }
        for t in emerging.iter().chain(&fading) {
            name(&t.skill_id);
        }
        for g in &role_skills {
            name(&g.skill_id);
        }
        for r in &region_roles {
            name(&r.role_id);
        }
        for a in &alerts {
            match a {
                Alert::RoleDemand { role_id, .. } => name(role_id),
                Alert::SkillGap { skill_id, .. } => name(skill_id),
            }
        }
        for id in [
            &filter.platform_role,
            &filter.skill,
            &filter.certification,
            &filter.nice_role,
        ]
        .into_iter()
        .flatten()
        {
            name(id);
        }
        Ok(Indicators {
            filter: filter.clone(),
            program: program.map(str::to_string),
            programs,
            certificates: demand
                .top_certifications
                .iter()
                .map(|c| CertificateView {
                    certification_id: c.key.clone(),
                    postings: c.postings,
                    share: c.share,
                    holders: shown(holders.get(&c.key).copied().unwrap_or(0), exact),
                })
                .collect(),
            data_period: months.map(|p| p.label()),
            demand,
            people: shown(people, exact),
            ratios,
            gaps,
            demanded,
            location_quotients,
            map,
            role_skills,
            region_roles,
            skill_by_month,
            emerging,
            fading,
            alerts,
            thresholds: thresholds.clone(),
            unknown: unknown.clone(),
            names,
            definitions: DEFINITIONS,
        })
    }

    /// The provinces or states and the industries the postings name, sorted
    /// (the dashboard's filter choices).
    pub async fn filter_choices(
        &self,
        _caller: &Caller,
    ) -> Result<(Vec<String>, Vec<String>), AppError> {
        let index = self.index().await?;
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        Ok((
            sorted(index.province_names()),
            sorted(index.industry_names()),
        ))
    }

    /// Postings per province under `filter`, most first.
    pub async fn provinces(
        &self,
        _caller: &Caller,
        filter: &Filter,
    ) -> Result<Vec<(String, u64)>, AppError> {
        Ok(self
            .index()
            .await?
            .by(filter, cb_insight::Dimension::Province))
    }

    /// A filter as people write it: skills and certifications by id, name
    /// or alias in either language (渗透测试, Burp Suite, CISP-PTE) become
    /// ids; what the catalog does not know is returned beside it.
    pub fn resolved(&self, filter: &Filter) -> (Filter, Vec<(&'static str, String)>) {
        let catalog = self.app.catalog();
        let mut f = filter.clone();
        let mut unknown = Vec::new();
        if let Some(s) = f.skill.as_mut() {
            match catalog.skill_by_name(s) {
                Some(k) => *s = k.id.clone(),
                None => unknown.push(("skill", s.clone())),
            }
        }
        if let Some(c) = f.certification.as_mut() {
            match catalog.certification_by_name(c) {
                Some(k) => *c = k.id.clone(),
                None => unknown.push(("certification", c.clone())),
            }
        }
        (f, unknown)
    }

    /// The postings behind a figure (drill-down), newest first.
    pub async fn postings(
        &self,
        _caller: &Caller,
        filter: &Filter,
        limit: usize,
    ) -> Result<(u64, Vec<cb_store::postings::PostingSummary>), AppError> {
        let (filter, _) = &self.resolved(filter);
        let index = self.index().await?;
        let total = index.count(filter);
        let ids = index.posting_ids(filter, limit.clamp(1, 500));
        Ok((total, self.app.store().postings_by_ids(&ids).await?))
    }

    /// One stored posting's page (readable by anyone, like the figures it is
    /// counted in).
    pub async fn posting(
        &self,
        _caller: &Caller,
        id: i64,
    ) -> Result<cb_store::postings::PostingDetail, AppError> {
        self.app
            .store()
            .posting_detail(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "posting",
                what_zh: "岗位",
                id: id.to_string(),
            })
    }
}
