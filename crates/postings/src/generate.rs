//! A deterministic generator of realistic postings for benchmarks: real
//! titles (from the labeled sets in `data/devset/`), skill mixes from the
//! lexicon, real cities, the salary shapes job boards use, Chinese and English.

use crate::classify::PostingInput;
use cb_competency::CompetencyModel;

const DEVSET: &str = include_str!("../../../data/devset/postings.jsonl");
const HOLDOUT: &str = include_str!("../../../data/devset/holdout.jsonl");

const ZH_CITIES: &[&str] = &[
    "北京",
    "上海",
    "深圳",
    "广州",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "长沙",
    "合肥",
    "苏州",
    "浙江省宁波",
    "湖北省武汉",
    "山东省青岛",
    "重庆",
    "天津",
    "郑州",
    "福州",
    "厦门",
];
const EN_CITIES: &[&str] = &[
    "Washington, District of Columbia",
    "Fort Meade, Maryland",
    "Arlington, Virginia",
    "San Antonio, Texas",
    "Denver, Colorado",
    "Fresno, California",
    "Remote",
];
const ZH_SALARY: &[&str] = &[
    "15k-25k",
    "10k-20k",
    "8k-15k",
    "20k-40k",
    "1.5-2万/月",
    "1-1.5万·13薪",
    "6千-1.2万",
    "15-25K·14薪",
    "20-30万/年",
    "面议",
    "300元/天",
];
const EN_SALARY: &[&str] = &[
    "$90,000 - $120,000 a year",
    "$120,000 - $160,000 a year",
    "$45/hr",
    "$60 an hour",
    "$75,000 - $98,000 per year",
];

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A generated posting and its date, as one JSON object.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DatedPosting {
    #[serde(flatten)]
    pub posting: PostingInput,
    pub posted_at: String,
}

pub struct Generator {
    rng: Rng,
    zh_titles: Vec<String>,
    en_titles: Vec<String>,
    zh_skills: Vec<String>,
    en_skills: Vec<String>,
    certs: Vec<String>,
    n: u64,
}

impl Generator {
    pub fn new(model: &CompetencyModel, seed: u64) -> Self {
        let mut zh_titles = Vec::new();
        let mut en_titles = Vec::new();
        for line in DEVSET.lines().chain(HOLDOUT.lines()) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(t) = v["title"].as_str()
            {
                if v["lang"] == "en" {
                    en_titles.push(t.to_string())
                } else {
                    zh_titles.push(t.to_string())
                }
            }
        }
        // skills as job ads write them: Chinese names and aliases for zh, English for en
        let mut zh_skills = Vec::new();
        let mut en_skills = Vec::new();
        for s in &model.skills {
            zh_skills.push(s.name_zh.clone());
            en_skills.push(s.name_en.clone());
            for a in &s.aliases {
                if a.is_ascii() {
                    en_skills.push(a.clone())
                } else {
                    zh_skills.push(a.clone())
                }
            }
        }
        let certs = model
            .certifications
            .iter()
            .map(|c| {
                c.aliases
                    .first()
                    .cloned()
                    .unwrap_or_else(|| c.name_en.clone())
            })
            .collect();
        Generator {
            rng: Rng(seed),
            zh_titles,
            en_titles,
            zh_skills,
            en_skills,
            certs,
            n: 0,
        }
    }

    /// The next posting with a posting date (what `generate` writes, so
    /// period filters and trends have something to count).
    pub fn dated(&mut self) -> DatedPosting {
        let posting = self.posting();
        DatedPosting {
            posting,
            posted_at: self.posted_at(),
        }
    }

    /// A posting date, uniform over 2022-01-01 … 2025-12-28.
    fn posted_at(&mut self) -> String {
        let y = 2022 + self.rng.below(4);
        format!(
            "{y}-{:02}-{:02}",
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        )
    }

    /// The next posting; about 70 % Chinese, a fifth of those title-only
    /// (like Lagou), the rest with a description of 4–9 skills.
    pub fn posting(&mut self) -> PostingInput {
        self.n += 1;
        let zh = self.rng.below(10) < 7;
        let title_only = zh && self.rng.below(5) == 0;
        let k = 4 + self.rng.below(6) as usize;
        let (title, description, location, salary) = if zh {
            let title = self.rng.pick(&self.zh_titles).clone();
            let skills: Vec<String> = (0..k)
                .map(|_| self.rng.pick(&self.zh_skills).clone())
                .collect();
            let desc = format!(
                "岗位职责：1. 负责公司{}相关工作，参与安全体系建设；2. 跟踪{}等最新技术。任职要求：1. 本科及以上学历，{}年以上相关经验；2. 熟悉{}；3. 了解{}；4. 有{}证书者优先，熟悉{}加分。",
                skills[0],
                skills[1],
                1 + self.rng.below(5),
                skills[2..k - 2].join("、"),
                skills[k - 2],
                self.rng.pick(&self.certs),
                skills[k - 1]
            );
            (
                title,
                if title_only { None } else { Some(desc) },
                self.rng.pick(ZH_CITIES).to_string(),
                self.rng.pick(ZH_SALARY).to_string(),
            )
        } else {
            let title = self.rng.pick(&self.en_titles).clone();
            let skills: Vec<String> = (0..k)
                .map(|_| self.rng.pick(&self.en_skills).clone())
                .collect();
            let desc = format!(
                "Duties: lead {} and support {} across the enterprise. Requirements: {} years of experience with {}; knowledge of {}. {} certification is a plus; experience with {} is nice to have.",
                skills[0],
                skills[1],
                1 + self.rng.below(8),
                skills[2..k - 2].join(", "),
                skills[k - 2],
                self.rng.pick(&self.certs),
                skills[k - 1]
            );
            (
                title,
                Some(desc),
                self.rng.pick(EN_CITIES).to_string(),
                self.rng.pick(EN_SALARY).to_string(),
            )
        };
        PostingInput {
            id: serde_json::Value::from(self.n),
            title,
            description,
            employer: Some(format!("employer-{}", self.rng.below(20_000))),
            location: Some(location),
            salary: Some(salary),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cb_competency::bundled;

    #[test]
    fn same_seed_same_postings() {
        let m = bundled::model().expect("model");
        let a: Vec<String> = {
            let mut g = Generator::new(&m, 1);
            (0..50)
                .map(|_| serde_json::to_string(&g.posting()).unwrap_or_default())
                .collect()
        };
        let b: Vec<String> = {
            let mut g = Generator::new(&m, 1);
            (0..50)
                .map(|_| serde_json::to_string(&g.posting()).unwrap_or_default())
                .collect()
        };
        assert_eq!(a, b);
        let mut g = Generator::new(&m, 2);
        let ps: Vec<PostingInput> = (0..1000).map(|_| g.posting()).collect();
        let zh = ps
            .iter()
            .filter(|p| {
                p.title
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            })
            .count();
        assert!((550..850).contains(&zh), "{zh}");
        assert!(ps.iter().any(|p| p.description.is_none()));
    }
}
