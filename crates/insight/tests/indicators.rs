//! Indicator arithmetic on hand-computed cases, and every filter against a
//! naive reading of the same postings.

use cb_insight::compare::{
    Alert, Minimums, alerts, location_quotients, ratios, skill_gaps, trends,
};
use cb_insight::period::month;
use cb_insight::{DemandIndex, DemandPosting, Filter, Period};
use proptest::prelude::*;
use std::collections::HashMap;

#[allow(clippy::too_many_arguments)]
fn p(
    id: i64,
    province: &str,
    ym: (i32, u32),
    role: &str,
    skills: &[&str],
    salary: Option<f64>,
    exp: Option<u32>,
    openings: u32,
) -> DemandPosting {
    DemandPosting {
        id,
        source: if id % 2 == 0 {
            "lagou".into()
        } else {
            "51job".into()
        },
        title: format!("{role} 工程师"),
        country: Some("CN".into()),
        province: Some(province.into()),
        city: Some(province.into()),
        month: month(ym.0, ym.1),
        openings,
        is_cyber: true,
        nice_role: Some(if role == "pentester" {
            "PD-WRL-007".into()
        } else {
            "PD-WRL-001".into()
        }),
        platform_role: Some(role.into()),
        skills: skills.iter().map(|s| s.to_string()).collect(),
        certifications: if role == "pentester" {
            vec!["oscp".into()]
        } else {
            vec![]
        },
        education: Some("bachelor".into()),
        exp_min: exp,
        monthly_salary: salary,
        currency: salary.map(|_| "CNY".into()),
        industry: if id % 3 == 0 {
            Some("金融".into())
        } else {
            None
        },
    }
}

/// Ten postings: 2024-Q1 (4), 2024-Q2 (5), 2023-Q2 (2 … one of them non-cyber).
fn sample() -> DemandIndex {
    let mut ix = DemandIndex::new(HashMap::from([
        ("PD-WRL-007".into(), "PD".into()),
        ("PD-WRL-001".into(), "PD".into()),
    ]));
    let rows = vec![
        p(
            1,
            "北京",
            (2024, 1),
            "pentester",
            &["sql-injection", "burp-suite"],
            Some(20_000.0),
            Some(3),
            1,
        ),
        p(
            2,
            "北京",
            (2024, 2),
            "soc-analyst",
            &["siem"],
            Some(12_000.0),
            Some(1),
            2,
        ),
        p(
            3,
            "广东",
            (2024, 3),
            "pentester",
            &["sql-injection"],
            None,
            None,
            1,
        ),
        p(
            4,
            "广东",
            (2024, 3),
            "soc-analyst",
            &["siem", "log-analysis"],
            Some(10_000.0),
            Some(0),
            1,
        ),
        p(
            5,
            "北京",
            (2024, 4),
            "pentester",
            &["sql-injection", "cloud-security"],
            Some(25_000.0),
            Some(5),
            3,
        ),
        p(
            6,
            "北京",
            (2024, 5),
            "pentester",
            &["cloud-security", "burp-suite?"],
            Some(30_000.0),
            Some(3),
            1,
        ),
        p(
            7,
            "广东",
            (2024, 5),
            "pentester",
            &["cloud-security"],
            Some(18_000.0),
            Some(1),
            1,
        ),
        p(
            8,
            "广东",
            (2024, 6),
            "soc-analyst",
            &["siem"],
            Some(9_000.0),
            Some(2),
            1,
        ),
        p(
            9,
            "上海",
            (2024, 6),
            "soc-analyst",
            &["siem", "cloud-security"],
            None,
            Some(0),
            1,
        ),
        p(
            10,
            "北京",
            (2023, 5),
            "pentester",
            &["sql-injection"],
            Some(15_000.0),
            Some(2),
            1,
        ),
        p(
            11,
            "北京",
            (2023, 6),
            "pentester",
            &["sql-injection"],
            Some(15_000.0),
            Some(2),
            1,
        ),
    ];
    for r in &rows {
        ix.push(r);
    }
    let mut other = p(
        12,
        "北京",
        (2024, 5),
        "pentester",
        &["sql-injection"],
        Some(99_999.0),
        Some(0),
        9,
    );
    other.is_cyber = false;
    ix.push(&other);
    ix
}

fn q(s: &str) -> Option<Period> {
    Period::parse(s).ok()
}

#[test]
fn demand_over_a_quarter_by_hand() {
    let ix = sample();
    let d = ix.demand(
        &Filter {
            period: q("2024-Q2"),
            ..Filter::default()
        },
        5,
    );
    // Q2: postings 5–9; the non-cyber posting 12 does not count
    assert_eq!((d.postings, d.openings), (5, 7));
    // Q1 had 4: growth (5 − 4) / 4 = 0.25; 2023-Q2 had 2: (5 − 2) / 2 = 1.5
    assert_eq!((d.previous_postings, d.growth), (Some(4), Some(0.25)));
    assert_eq!((d.year_ago_postings, d.growth_yoy), (Some(2), Some(1.5)));
    // cloud-security in 4 of 5 (0.8); siem 2; burp-suite (preferred) 1
    assert_eq!(
        (
            d.top_skills[0].key.as_str(),
            d.top_skills[0].postings,
            d.top_skills[0].share
        ),
        ("cloud-security", 4, 0.8)
    );
    assert_eq!(
        d.top_skills
            .iter()
            .find(|c| c.key == "burp-suite")
            .map(|c| c.postings),
        Some(1)
    );
    // salaries 25k, 30k, 18k, 9k (9 has none): sorted 9, 18, 25, 30 → p25 = 9 + 0.75·9 = 15.75k,
    // median = 21.5k, p75 = 25 + 0.25·5 = 26.25k
    let s = &d.salary[0];
    assert_eq!(
        (s.currency.as_str(), s.postings, s.p25, s.median, s.p75),
        ("CNY", 4, 15_750.0, 21_500.0, 26_250.0)
    );
    // experience known for all 5: ≤ 1 year are 7 (1) and 9 (0) → 0.4
    assert_eq!((d.experience_known, d.entry_level_share), (5, Some(0.4)));
    assert_eq!(d.top_certifications[0].postings, 3);
    assert_eq!(d.top_provinces[0].key, "北京");
    assert_eq!(
        d.by_month,
        vec![
            ("2024-04".to_string(), 1),
            ("2024-05".to_string(), 2),
            ("2024-06".to_string(), 2)
        ]
    );
    // the non-cyber posting counts when asked for
    assert_eq!(
        ix.count(&Filter {
            period: q("2024-Q2"),
            include_non_cyber: true,
            ..Filter::default()
        }),
        6
    );
}

#[test]
fn filters_narrow_and_unknown_names_match_nothing() {
    let ix = sample();
    let f = |f: Filter| ix.count(&f);
    assert_eq!(
        f(Filter {
            province: Some("北京".into()),
            ..Filter::default()
        }),
        6
    );
    assert_eq!(
        f(Filter {
            province: Some("北京".into()),
            platform_role: Some("pentester".into()),
            ..Filter::default()
        }),
        5
    );
    assert_eq!(
        f(Filter {
            skill: Some("burp-suite".into()),
            ..Filter::default()
        }),
        2
    );
    assert_eq!(
        f(Filter {
            certification: Some("oscp".into()),
            ..Filter::default()
        }),
        7
    );
    assert_eq!(
        f(Filter {
            max_experience: Some(1),
            ..Filter::default()
        }),
        4
    );
    assert_eq!(
        f(Filter {
            nice_category: Some("PD".into()),
            ..Filter::default()
        }),
        11
    );
    assert_eq!(
        f(Filter {
            nice_category: Some("OG".into()),
            ..Filter::default()
        }),
        0
    );
    assert_eq!(
        f(Filter {
            source: Some("lagou".into()),
            ..Filter::default()
        }),
        5
    );
    // postings 3, 6, 9 are in finance (12 is, but is no cybersecurity job)
    assert_eq!(
        f(Filter {
            industry: Some("金融".into()),
            ..Filter::default()
        }),
        3
    );
    assert_eq!(ix.industry_names(), ["金融".to_string()]);
    assert_eq!(
        f(Filter {
            province: Some("火星".into()),
            ..Filter::default()
        }),
        0
    );
    assert_eq!(
        ix.posting_ids(
            &Filter {
                province: Some("上海".into()),
                ..Filter::default()
            },
            10
        ),
        vec![9]
    );
}

#[test]
fn location_quotients_gaps_ratios_by_hand() {
    let ix = sample();
    let all = Filter::default();
    // pentester: 7 of 11 overall (0.636…); 北京 5 of 6, 广东 2 of 4
    // LQ 北京 = (5/6) / (7/11) = 1.310, 广东 = (2/4) / (7/11) = 0.786
    let lq = location_quotients(&ix, &all, "pentester", Minimums::NONE);
    assert_eq!(
        lq.iter()
            .map(|q| (q.region.as_str(), q.quotient))
            .collect::<Vec<_>>(),
        vec![("北京", 1.310), ("广东", 0.786)]
    );
    // sql-injection in 5 of 11 postings (0.4545); 20 % of people proficient → gap 0.2545
    let supply = HashMap::from([
        ("sql-injection".to_string(), 0.2),
        ("siem".to_string(), 0.5),
    ]);
    let gaps = skill_gaps(&ix, &all, &supply);
    let g = gaps
        .iter()
        .find(|g| g.skill_id == "sql-injection")
        .expect("gap");
    assert_eq!(
        (g.demand_share, g.supply_share, g.gap),
        (0.4545, 0.2, 0.2545)
    );
    // siem in 4 of 11 (0.3636) against 0.5 → −0.1364, listed after the positive gaps
    assert_eq!(
        gaps.last().map(|g| (g.skill_id.as_str(), g.gap)),
        Some(("siem", -0.1364))
    );
    // 3 ready pentesters for 9 openings (1+1+3+1+1+1+1) → 0.333
    let r = ratios(
        &ix,
        &all,
        &["pentester".into(), "soc-analyst".into()],
        &HashMap::from([("pentester".to_string(), (3, 4))]),
    );
    assert_eq!(
        (r[0].role_id.as_str(), r[0].openings, r[0].ready, r[0].ratio),
        ("pentester", 9, 3, Some(0.333))
    );
    assert_eq!(
        (r[1].role_id.as_str(), r[1].ready, r[1].ratio),
        ("soc-analyst", 0, Some(0.0))
    );
}

#[test]
fn trends_and_alerts_by_hand() {
    let ix = sample();
    let f = Filter {
        period: q("2024-Q2"),
        ..Filter::default()
    };
    let (emerging, fading) = trends(&ix, &f, 3, by_hand(1)).expect("a period");
    // cloud-security 0/4 → 4/5: +80 pp; sql-injection 2/4 → 1/5: −30 pp
    assert_eq!(
        (emerging[0].skill_id.as_str(), emerging[0].change_pp),
        ("cloud-security", 80.0)
    );
    assert_eq!(
        (fading[0].skill_id.as_str(), fading[0].change_pp),
        ("sql-injection", -30.0)
    );
    assert!(
        trends(&ix, &Filter::default(), 3, by_hand(1)).is_none(),
        "trends need a period"
    );
    // pentester 2 → 3 (+50 %), soc-analyst 2 → 2 (0): a 30 % threshold flags pentester only
    let a = alerts(&ix, &f, 0.3, 0.25, &[], by_hand(2));
    assert_eq!(
        a,
        vec![Alert::RoleDemand {
            role_id: "pentester".into(),
            postings: 3,
            previous: 2,
            growth: Some(0.5)
        }]
    );
    // the product's minimums: periods of a handful of postings are not compared
    assert!(
        alerts(&ix, &f, 0.3, 0.25, &[], Minimums::default()).is_empty(),
        "no growth alert between periods under 30 postings"
    );
    assert_eq!(
        trends(&ix, &f, 3, Minimums::default()),
        Some((Vec::new(), Vec::new())),
        "no emerging or fading skills between periods under 30 postings"
    );
    let gaps = skill_gaps(&ix, &f, &HashMap::new());
    let a = alerts(&ix, &f, 10.0, 0.5, &gaps, by_hand(2));
    assert_eq!(
        a,
        vec![Alert::SkillGap {
            skill_id: "cloud-security".into(),
            gap: 0.8
        }]
    );
}

/// The one-pass report gives what the figures give one by one.
#[test]
fn the_report_equals_the_figures_one_by_one() {
    let ix = sample();
    let roles: Vec<String> = vec!["pentester".into(), "soc-analyst".into()];
    let counts = HashMap::from([("pentester".to_string(), (3, 4))]);
    let shares = HashMap::from([("sql-injection".to_string(), 0.2)]);
    for f in [
        Filter::default(),
        Filter {
            period: q("2024-Q2"),
            ..Filter::default()
        },
        Filter {
            period: q("2024-Q2"),
            province: Some("北京".into()),
            platform_role: Some("pentester".into()),
            ..Filter::default()
        },
        Filter {
            platform_role: Some("pentester".into()),
            ..Filter::default()
        },
    ] {
        let supply = cb_insight::compare::SupplyInput {
            roles: &roles,
            counts: &counts,
            shares: &shares,
            gaps_visible: true,
        };
        let r = cb_insight::compare::report(&ix, &f, &supply, 0.3, 0.25, 5, Minimums::default());
        assert_eq!(r.demand, ix.demand(&f, 5));
        assert_eq!(r.ratios, ratios(&ix, &f, &roles, &counts));
        assert_eq!(r.gaps, skill_gaps(&ix, &f, &shares));
        let lq = f
            .platform_role
            .as_deref()
            .map(|role| location_quotients(&ix, &f, role, Minimums::default()))
            .unwrap_or_default();
        assert_eq!(r.quotients, lq, "{f:?}");
        let (e, fa) = trends(&ix, &f, 10, Minimums::default()).unwrap_or_default();
        assert_eq!((r.emerging, r.fading), (e, fa));
        assert_eq!(
            r.alerts,
            alerts(&ix, &f, 0.3, 0.25, &r.gaps, Minimums::default())
        );
        assert_eq!(
            r.map,
            ix.by(
                &Filter {
                    province: None,
                    city: None,
                    ..f.clone()
                },
                cb_insight::Dimension::Province
            )
        );
    }
    // a region: each role's concentration there. 北京 has 6 postings (5 pentester, 1 soc);
    // the country 11 (7 pentester, 4 soc): pentester (5/6)/(7/11) = 1.310; soc has < 3 postings there
    let supply = cb_insight::compare::SupplyInput {
        roles: &roles,
        counts: &counts,
        shares: &shares,
        gaps_visible: true,
    };
    let r = cb_insight::compare::report(
        &ix,
        &Filter {
            province: Some("北京".into()),
            ..Filter::default()
        },
        &supply,
        0.3,
        0.25,
        5,
        Minimums::NONE,
    );
    assert_eq!(
        r.region_roles
            .iter()
            .map(|q| (q.role_id.as_str(), q.postings, q.quotient))
            .collect::<Vec<_>>(),
        vec![("pentester", 5, 1.310)]
    );
    // with the product's minimums: 北京 has 6 postings, under the 20 a quotient needs
    let small = cb_insight::compare::report(
        &ix,
        &Filter {
            province: Some("北京".into()),
            ..Filter::default()
        },
        &supply,
        0.3,
        0.25,
        5,
        Minimums::default(),
    );
    assert!(
        small.region_roles.is_empty(),
        "too few postings for a quotient"
    );
    // a skill: its share of each month's postings. cloud-security: 2024-04 1/1, 2024-05 2/2, 2024-06 1/2
    let r = cb_insight::compare::report(
        &ix,
        &Filter {
            skill: Some("cloud-security".into()),
            period: q("2024-Q2"),
            ..Filter::default()
        },
        &supply,
        0.3,
        0.25,
        5,
        Minimums::default(),
    );
    assert_eq!(
        r.skill_by_month,
        vec![
            ("2024-04".to_string(), 1, 1.0),
            ("2024-05".to_string(), 2, 1.0),
            ("2024-06".to_string(), 2, 0.5)
        ]
    );
    {}
}

fn arb_posting() -> impl Strategy<Value = DemandPosting> {
    (
        0usize..3,
        0usize..3,
        (2023i32..2025, 1u32..=12),
        prop::collection::vec(0usize..4, 0..3),
        prop::option::of(0u32..6),
        any::<bool>(),
        0usize..2,
    )
        .prop_map(|(prov, role, ym, skills, exp, cyber, src)| {
            const PROV: [&str; 3] = ["北京", "广东", "Virginia"];
            const ROLE: [&str; 3] = ["pentester", "soc-analyst", "grc-specialist"];
            const SKILL: [&str; 4] = ["siem", "linux", "python", "sql-injection"];
            DemandPosting {
                source: ["lagou", "usajobs"][src].into(),
                province: Some(PROV[prov].into()),
                month: month(ym.0, ym.1),
                platform_role: Some(ROLE[role].into()),
                skills: skills.into_iter().map(|s| SKILL[s].to_string()).collect(),
                exp_min: exp,
                is_cyber: cyber,
                openings: 1,
                ..DemandPosting::default()
            }
        })
}

fn arb_filter() -> impl Strategy<Value = Filter> {
    (
        prop::option::of(prop::sample::select(vec![
            "北京", "广东", "Virginia", "西藏",
        ])),
        prop::option::of(prop::sample::select(vec![
            "pentester",
            "soc-analyst",
            "grc-specialist",
        ])),
        prop::option::of(prop::sample::select(vec![
            "siem",
            "linux",
            "python",
            "sql-injection",
            "rust",
        ])),
        prop::option::of(prop::sample::select(vec![
            "2023",
            "2024-Q3",
            "2024-05",
            "2023-11..2024-02",
        ])),
        prop::option::of(0u32..4),
        any::<bool>(),
    )
        .prop_map(
            |(province, role, skill, period, max_experience, include_non_cyber)| Filter {
                province: province.map(str::to_string),
                platform_role: role.map(str::to_string),
                skill: skill.map(str::to_string),
                period: period.and_then(|p| Period::parse(p).ok()),
                max_experience,
                include_non_cyber,
                ..Filter::default()
            },
        )
}

proptest! {
    /// Any filter over any postings counts what a naive reading counts.
    #[test]
    fn counts_match_a_naive_filter(posts in prop::collection::vec(arb_posting(), 0..60), f in arb_filter()) {
        let mut ix = DemandIndex::new(HashMap::new());
        for (i, p) in posts.iter().enumerate() {
            let mut p = p.clone();
            p.id = i as i64;
            ix.push(&p);
        }
        let naive = posts.iter().filter(|p| {
            (f.include_non_cyber || p.is_cyber)
                && f.province.as_ref().is_none_or(|x| p.province.as_ref() == Some(x))
                && f.platform_role.as_ref().is_none_or(|x| p.platform_role.as_ref() == Some(x))
                && f.skill.as_ref().is_none_or(|x| p.skills.contains(x))
                && f.period.is_none_or(|per| p.month.is_some_and(|m| per.contains(m)))
                && f.max_experience.is_none_or(|m| p.exp_min.is_some_and(|e| e <= m))
        }).count() as u64;
        prop_assert_eq!(ix.count(&f), naive);
        let d = ix.demand(&f, 3);
        prop_assert_eq!(d.postings, naive);
        prop_assert!(d.top_skills.iter().all(|c| c.postings <= naive));
    }
}

proptest! {
    #[test]
    fn quantiles_without_sorting_match_sorted(mut v in prop::collection::vec(0.0f64..100_000.0, 1..200), q in 0.0f64..=1.0) {
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let expected = cb_insight::demand::quantile(&sorted, q);
        prop_assert!((cb_insight::demand::quantile_unsorted(&mut v, q) - expected).abs() < 1e-6);
    }
}

/// Large indexes are counted on every core: the same answers as a naive pass.
#[test]
fn parallel_tallies_match_a_naive_reading() {
    let mut ix = DemandIndex::new(HashMap::new());
    let mut posts = Vec::new();
    for i in 0..120_000i64 {
        let prov = ["北京", "广东", "上海"][(i % 3) as usize];
        let role = ["pentester", "soc-analyst"][(i % 7 % 2) as usize];
        let skills: &[&str] = if i % 5 == 0 {
            &["siem", "linux"]
        } else {
            &["linux"]
        };
        let mut p = p(
            i,
            prov,
            (2023 + (i % 2) as i32, 1 + (i % 12) as u32),
            role,
            skills,
            Some(8_000.0 + (i % 97) as f64 * 100.0),
            Some((i % 4) as u32),
            1 + (i % 3) as u32,
        );
        p.is_cyber = i % 11 != 0;
        ix.push(&p);
        posts.push(p);
    }
    let f = Filter {
        province: Some("广东".into()),
        period: q("2024"),
        ..Filter::default()
    };
    let sel: Vec<&DemandPosting> = posts
        .iter()
        .filter(|p| {
            p.is_cyber
                && p.province.as_deref() == Some("广东")
                && p.month
                    .is_some_and(|m| q("2024").is_some_and(|per| per.contains(m)))
        })
        .collect();
    let d = ix.demand(&f, 5);
    assert_eq!(d.postings, sel.len() as u64);
    assert_eq!(
        d.openings,
        sel.iter().map(|p| u64::from(p.openings)).sum::<u64>()
    );
    assert_eq!(
        d.top_skills
            .iter()
            .find(|c| c.key == "siem")
            .map(|c| c.postings),
        Some(
            sel.iter()
                .filter(|p| p.skills.iter().any(|s| s == "siem"))
                .count() as u64
        )
    );
    let mut salaries: Vec<f64> = sel.iter().filter_map(|p| p.monthly_salary).collect();
    salaries.sort_by(f64::total_cmp);
    assert_eq!(
        d.salary[0].median,
        cb_insight::demand::quantile(&salaries, 0.5).round()
    );
    assert_eq!(d.by_month.iter().map(|m| m.1).sum::<u64>(), d.postings);
    assert_eq!(ix.count(&f), d.postings);
}

/// No minimum but a skill's or role's own postings (tests by hand on tiny data).
fn by_hand(item_postings: u64) -> Minimums {
    Minimums {
        item_postings,
        ..Minimums::NONE
    }
}
