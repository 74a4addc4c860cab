//! Is this a cybersecurity posting, and which role: the NICE work roles and
//! the platform roles (top 3 with calibrated confidences), from a linear model
//! learned from labeled postings (`data/devset/v2`) over the title, the
//! description, the lexicon's skills and the NICE statements.

use crate::features::FeatureSpace;
use crate::learn::{Weights, vectorize};
use crate::matcher::{Found, FoundKind, SkillMatcher};
use cb_competency::CompetencyModel;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One posting as `classify` reads it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PostingInput {
    #[serde(default)]
    pub id: serde_json::Value,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub employer: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub salary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleScore {
    pub id: String,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub is_cyber: bool,
    /// P(security job), calibrated.
    pub cyber_confidence: f64,
    /// NICE work roles, best first (at most 3).
    pub roles: Vec<RoleScore>,
    /// Platform roles, best first (at most 3).
    pub platform_roles: Vec<RoleScore>,
    pub found: Vec<Found>,
}

/// A skill or certification id and whether it is required.
pub type TermId = (String, bool);

impl Classification {
    /// The skills and certifications found, as (model id, required) lists.
    pub fn term_ids(&self, model: &CompetencyModel) -> (Vec<TermId>, Vec<TermId>) {
        let (mut skills, mut certifications) = (Vec::new(), Vec::new());
        for f in &self.found {
            match f.kind {
                FoundKind::Skill => skills.push((model.skills[f.index].id.clone(), f.required)),
                FoundKind::Certification => {
                    certifications.push((model.certifications[f.index].id.clone(), f.required))
                }
            }
        }
        (skills, certifications)
    }
}

/// The weights shipped with this binary (`data/classifier/model.tsv`, written by `cyberbridge train`).
pub const BUNDLED_WEIGHTS: &str = include_str!("../../../data/classifier/model.tsv");

/// A posting is a security job when the model gives it at least this probability.
pub const CYBER_THRESHOLD: f64 = 0.5;

/// P(cyber) reported for a posting the labeling guide excludes by definition
/// ([`FeatureSpace::excluded_by_policy`]): at most this.
pub const POLICY_EXCLUDED: f64 = 0.02;

/// Which postings are security jobs and which roles they are, by the learned
/// linear model over [`FeatureSpace`] features (see [`crate::learn`]).
pub struct Classifier {
    model: Arc<CompetencyModel>,
    matcher: SkillMatcher,
    space: FeatureSpace,
    weights: Weights,
}

impl Classifier {
    /// The classifier with the bundled weights.
    pub fn new(model: Arc<CompetencyModel>) -> Self {
        let weights =
            Weights::parse("data/classifier/model.tsv", BUNDLED_WEIGHTS).unwrap_or_else(|e| {
                panic!("the bundled classifier weights always parse (a test checks them): {e}")
            });
        Self::with_weights(model, weights)
    }

    pub fn with_weights(model: Arc<CompetencyModel>, weights: Weights) -> Self {
        let matcher = SkillMatcher::new(&model);
        let space = FeatureSpace::new(&model);
        Classifier {
            model,
            matcher,
            space,
            weights,
        }
    }

    pub fn model(&self) -> &CompetencyModel {
        &self.model
    }

    pub fn matcher(&self) -> &SkillMatcher {
        &self.matcher
    }

    pub fn space(&self) -> &FeatureSpace {
        &self.space
    }

    /// Which weights classify: a short hash of the weights file.
    pub fn version(&self) -> &str {
        &self.weights.version
    }

    pub fn classify(&self, title: &str, description: &str) -> Classification {
        let (mut t, mut d) = (String::new(), String::new());
        let found = FeatureSpace::prepare(&self.matcher, title, description, &mut t, &mut d);
        // only the features some head weighs: the same scores, without sorting
        // the many words no head weighs
        let (x, cues) = vectorize(&self.space, &self.weights, &t, &d, &found);
        let mut cyber_confidence = self.weights.predict(0, &x)[0];
        if self.space.excluded_by_policy(&t, cues) {
            // the guide's definitions, not evidence to weigh: say so in the confidence too
            cyber_confidence = cyber_confidence.min(POLICY_EXCLUDED);
        }
        let is_cyber = cyber_confidence >= CYBER_THRESHOLD;
        let (roles, platform_roles) = if is_cyber {
            (
                top(&self.weights.predict(1, &x), 3, self.weights.classes(1)),
                top(&self.weights.predict(2, &x), 3, self.weights.classes(2)),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Classification {
            is_cyber,
            cyber_confidence: round3(cyber_confidence),
            roles,
            platform_roles,
            found,
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The `k` most probable classes, best first (ties: the earlier class).
fn top(p: &[f64], k: usize, ids: &[String]) -> Vec<RoleScore> {
    let mut best: Vec<usize> = Vec::with_capacity(k + 1);
    for i in 0..p.len() {
        let at = best.partition_point(|&b| p[b] >= p[i]);
        if at < k {
            best.insert(at, i);
            best.truncate(k);
        }
    }
    best.into_iter()
        .map(|i| RoleScore {
            id: ids[i].clone(),
            confidence: round3(p[i]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cb_competency::bundled;
    use std::sync::OnceLock;

    fn c() -> &'static Classifier {
        static C: OnceLock<Classifier> = OnceLock::new();
        C.get_or_init(|| Classifier::new(Arc::new(bundled::model().expect("model"))))
    }

    fn top1(title: &str, desc: &str) -> (bool, Option<String>, Option<String>) {
        let r = c().classify(title, desc);
        (
            r.is_cyber,
            r.platform_roles.first().map(|r| r.id.clone()),
            r.roles.first().map(|r| r.id.clone()),
        )
    }

    #[test]
    fn chinese_titles() {
        assert_eq!(
            top1("渗透测试工程师", ""),
            (true, Some("pentester".into()), Some("PD-WRL-007".into()))
        );
        assert_eq!(
            top1("安全运维工程师", "").1.as_deref(),
            Some("secops-engineer")
        );
        assert_eq!(top1("等保测评师", "").1.as_deref(), Some("mlps-assessor"));
        assert_eq!(
            top1("web安全工程师", "").1.as_deref(),
            Some("appsec-engineer")
        );
        assert_eq!(
            top1("网络安全售前工程师", "").1.as_deref(),
            Some("security-presales")
        );
        assert!(!top1("安全员", "").0);
        // the guide's definitions: sales is not a security job, pre-sales is; food safety is not
        assert!(!top1("销售经理（信息安全／网络安全）", "").0);
        assert!(top1("网络安全售前工程师", "").0);
        assert!(!top1("食品安全管理员", "").0);
        assert!(!top1("西安全栈开发工程师", "").0);
        assert!(!top1("SoC设计工程师", "").0);
        assert!(!top1("Python开发工程师", "熟悉django、flask").0);
    }

    #[test]
    fn us_federal_titles() {
        let (cyber, role, nice) = top1("IT CYBERSECURITY SPECIALIST (INFOSEC)", "");
        assert!(cyber);
        assert_eq!(role.as_deref(), Some("isso"));
        assert_eq!(nice.as_deref(), Some("IO-WRL-006"));
        assert!(!top1("BIOMEDICAL EQUIPMENT SUPPORT SPECIALIST", "").0);
        assert!(!top1("PERSONNEL SECURITY SPECIALIST", "").0);
        assert!(top1("INFORMATION SYSTEMS SECURITY MANAGER (ISSM)", "").0);
    }

    #[test]
    fn duties_in_the_description_raise_the_odds_and_roles_are_ordered() {
        let bare = c().classify("Engineer", "");
        let r = c().classify("Engineer", "Perform penetration testing, malware analysis and incident response; Splunk, Wireshark.");
        assert!(
            r.cyber_confidence > bare.cyber_confidence,
            "{} vs {}",
            r.cyber_confidence,
            bare.cyber_confidence
        );
        let r = c().classify(
            "IT Specialist (INFOSEC)",
            "Serves as the ISSO: monitors security controls and incident response.",
        );
        assert!(r.is_cyber && !r.roles.is_empty() && r.roles.len() <= 3);
        assert!(
            r.roles
                .windows(2)
                .all(|w| w[0].confidence >= w[1].confidence)
        );
        assert!(
            r.roles
                .iter()
                .all(|x| x.confidence > 0.0 && x.confidence < 1.0)
        );
    }

    #[test]
    fn links_are_not_skills() {
        let model = c().model();
        let names = |title: &str, d: &str| -> Vec<String> {
            c().classify(title, d)
                .found
                .iter()
                .filter(|f| f.kind == crate::FoundKind::Skill)
                .map(|f| model.skills[f.index].id.clone())
                .collect()
        };
        let with_link = names(
            "Python开发",
            "简历请投递 https://jobs.example.com/apply 或 hr@example.com",
        );
        let with_http = names("Python开发", "熟悉HTTP协议");
        assert!(
            with_http.iter().any(|s| s.contains("http")),
            "{with_http:?}"
        );
        assert!(
            !with_link.iter().any(|s| s.contains("http")),
            "{with_link:?}"
        );
    }

    #[test]
    fn the_bundled_weights_cover_every_role_of_the_model() {
        let w = Weights::parse("model.tsv", BUNDLED_WEIGHTS).expect("bundled weights parse");
        let mut nice: Vec<String> = c()
            .model()
            .work_roles
            .iter()
            .map(|r| r.id.clone())
            .collect();
        nice.sort();
        assert_eq!(w.classes(1), nice.as_slice());
        let platform: Vec<String> = c()
            .model()
            .platform_roles
            .iter()
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(w.classes(2), platform.as_slice());
    }

    proptest::proptest! {
        /// The top-k selection equals a full sort (best first, ties: the earlier class).
        #[test]
        fn top_is_the_head_of_a_full_sort(p in proptest::collection::vec(0u8..6, 0..60), k in 0usize..5) {
            let p: Vec<f64> = p.into_iter().map(|x| f64::from(x) / 5.0).collect();
            let ids: Vec<String> = (0..p.len()).map(|i| i.to_string()).collect();
            let mut idx: Vec<usize> = (0..p.len()).collect();
            idx.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
            let want: Vec<String> = idx.into_iter().take(k).map(|i| i.to_string()).collect();
            let got: Vec<String> = top(&p, k, &ids).into_iter().map(|r| r.id).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
