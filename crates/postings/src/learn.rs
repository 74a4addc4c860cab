//! The learned classifier: three linear heads over [`crate::features`] —
//! is-cyber (logistic), the NICE work role and the platform role (multinomial
//! logistic) — trained from labeled postings by elastic-net regularised
//! maximum likelihood (FISTA, full batch, f64, single thread: the same data
//! gives the same bytes), with each head's temperature fitted on 5-fold
//! out-of-fold predictions so that its confidences mean what they say.
//!
//! The weights are a TSV file (`data/classifier/model.tsv`) that people review:
//! one line per non-zero weight, `head  feature  class  weight`.

use crate::eval::Labeled;
use crate::features::{FeatureSpace, Sink, feature_hash};
use crate::matcher::SkillMatcher;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are FNV hashes already: one multiply spreads them for the table.
#[derive(Default)]
pub(crate) struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The three heads, in file order.
pub const HEADS: [&str; 3] = ["cyber", "nice", "platform"];

/// Training settings (written into the file's header).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// L1 strength (sparsity), per head.
    pub l1: f64,
    /// L2 strength.
    pub l2: f64,
    /// FISTA iterations.
    pub iterations: usize,
    /// A feature must occur in at least this many training postings.
    pub min_count: usize,
    /// Folds for the out-of-fold temperature fit.
    pub folds: usize,
    /// The primary role's share of a role head's target; the other acceptable
    /// roles share the rest (1.0: the expert's one choice; chosen by 5-fold CV
    /// on the training split against 0.7, 0.85, 0.9 and 0.95).
    pub primary: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            l1: 0.0005,
            l2: 0.0005,
            iterations: 500,
            min_count: 2,
            folds: 5,
            primary: 1.0,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    #[error("{file}, line {line}: {message}")]
    Weights {
        file: String,
        line: usize,
        message: String,
    },
    #[error("training set: {0}")]
    Set(String),
}

/// One head as the classifier uses it.
#[derive(Debug, Clone, Default)]
struct Head {
    classes: Vec<String>,
    temperature: f64,
    entries: Vec<(u16, f32)>,
}

/// Parsed weights, ready to score.
#[derive(Debug, Clone)]
pub struct Weights {
    heads: [Head; 3],
    /// Feature hash → its row: every feature some head weighs (classification keeps only these).
    index: HashMap<u64, u32, BuildHasherDefault<Mix>>,
    /// Row → per head, the range of the head's `entries` (empty where the head does not weigh it).
    rows: Vec<[(u32, u32); 3]>,
    /// A short hash of the file's text: which model classified a stored posting.
    pub version: String,
    pub meta: BTreeMap<String, String>,
}

/// A posting's features that the weights know as (feature hash, row, value),
/// in hash order, deduplicated (the largest value kept).
pub type Vector = Vec<(u64, u32, f32)>;

/// A posting's features, as [`Weights::predict`] reads them.
pub fn vectorize(
    space: &FeatureSpace,
    weights: &Weights,
    title: &str,
    description: &str,
    found: &[crate::Found],
) -> (Vector, u32) {
    struct Keep<'a> {
        weights: &'a Weights,
        v: Vector,
    }
    impl Sink for Keep<'_> {
        fn add(&mut self, prefix: &str, name: &str, value: f32) {
            self.add_hashed(prefix, name, feature_hash(prefix, name), value);
        }
        fn add_hashed(&mut self, _: &str, _: &str, hash: u64, value: f32) {
            if let Some(&row) = self.weights.index.get(&hash) {
                self.v.push((hash, row, value));
            }
        }
    }
    let mut keep = Keep {
        weights,
        v: Vec::with_capacity(64),
    };
    let cues = space.extract(title, description, found, &mut keep);
    let mut v = keep.v;
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.2.total_cmp(&a.2)));
    v.dedup_by_key(|e| e.0);
    (v, cues)
}

/// Short stable hash of a text (FNV-1a 64, hex).
pub fn text_version(text: &str) -> String {
    format!("{:016x}", feature_hash("model", text))
}

impl Weights {
    /// Parses a weights file; a bad line is named.
    pub fn parse(file: &str, text: &str) -> Result<Weights, LearnError> {
        let bad = |line: usize, message: String| LearnError::Weights {
            file: file.to_string(),
            line,
            message,
        };
        let mut classes: [Vec<String>; 3] = Default::default();
        let mut temps = [1.0f64; 3];
        let mut meta = BTreeMap::new();
        let mut raw: [BTreeMap<u64, Vec<(u16, f32)>>; 3] = Default::default();
        let head_of = |s: &str| HEADS.iter().position(|h| *h == s);
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            match cols.as_slice() {
                ["meta", k, v] => {
                    meta.insert(k.to_string(), v.to_string());
                }
                ["classes", h, list] => {
                    let hi = head_of(h).ok_or_else(|| {
                        bad(n, format!("unknown head `{h}`, expected one of {HEADS:?}"))
                    })?;
                    classes[hi] = list.split(' ').map(str::to_string).collect();
                }
                ["temperature", h, t] => {
                    let hi = head_of(h).ok_or_else(|| bad(n, format!("unknown head `{h}`")))?;
                    temps[hi] = t
                        .parse::<f64>()
                        .ok()
                        .filter(|t| *t > 0.0 && t.is_finite())
                        .ok_or_else(|| {
                            bad(n, format!("temperature `{t}` is not a positive number"))
                        })?;
                }
                ["w", h, feature, "*", w] => {
                    let hi = head_of(h).ok_or_else(|| bad(n, format!("unknown head `{h}`")))?;
                    let w: f32 = w
                        .parse()
                        .ok()
                        .filter(|w: &f32| w.is_finite())
                        .ok_or_else(|| bad(n, format!("weight `{w}` is not a number")))?;
                    let p = feature.strip_suffix(":*").filter(|p| TIED[hi].contains(p)).ok_or_else(|| bad(n, format!("`{feature}` is not a shared feature of head {h} (one of {:?} followed by `:*`)", TIED[hi])))?;
                    if classes[hi].is_empty() {
                        return Err(bad(
                            n,
                            format!("a weight of head {h} before its `classes` line"),
                        ));
                    }
                    for (ci, class) in classes[hi].iter().enumerate() {
                        raw[hi]
                            .entry(feature_hash(p, class))
                            .or_default()
                            .push((ci as u16, w));
                    }
                }
                ["w", h, feature, class, w] => {
                    let hi = head_of(h).ok_or_else(|| bad(n, format!("unknown head `{h}`")))?;
                    let ci = classes[hi].iter().position(|c| c == class).ok_or_else(|| {
                        bad(
                            n,
                            format!("class `{class}` is not in the `classes` line of head {h}"),
                        )
                    })?;
                    let w: f32 = w
                        .parse()
                        .ok()
                        .filter(|w: &f32| w.is_finite())
                        .ok_or_else(|| bad(n, format!("weight `{w}` is not a number")))?;
                    let (p, name) = feature
                        .split_once(':')
                        .ok_or_else(|| bad(n, format!("feature `{feature}` has no `prefix:`")))?;
                    raw[hi]
                        .entry(feature_hash(p, name))
                        .or_default()
                        .push((ci as u16, w));
                }
                _ => {
                    return Err(bad(
                        n,
                        format!(
                            "expected `meta`, `classes`, `temperature` or `w` with tab-separated fields, found `{line}`"
                        ),
                    ));
                }
            }
        }
        let mut heads: [Head; 3] = Default::default();
        let mut index: HashMap<u64, u32, BuildHasherDefault<Mix>> = HashMap::default();
        let mut rows: Vec<[(u32, u32); 3]> = Vec::new();
        for (hi, head) in heads.iter_mut().enumerate() {
            if classes[hi].is_empty() {
                return Err(bad(0, format!("no `classes` line for head {}", HEADS[hi])));
            }
            head.classes = std::mem::take(&mut classes[hi]);
            head.temperature = temps[hi];
            for (h, es) in std::mem::take(&mut raw[hi]) {
                let start = head.entries.len() as u32;
                head.entries.extend(es);
                let row = *index.entry(h).or_insert_with(|| {
                    rows.push([(0, 0); 3]);
                    rows.len() as u32 - 1
                });
                rows[row as usize][hi] = (start, head.entries.len() as u32);
            }
        }
        Ok(Weights {
            heads,
            index,
            rows,
            version: text_version(text),
            meta,
        })
    }

    pub fn classes(&self, head: usize) -> &[String] {
        &self.heads[head].classes
    }

    /// Probabilities of a head's classes (for `cyber`: one value, P(cyber)).
    pub fn predict(&self, head: usize, x: &[(u64, u32, f32)]) -> Vec<f64> {
        let h = &self.heads[head];
        let mut z = vec![0.0f64; h.classes.len()];
        for &(_, row, v) in x {
            let (s, e) = self.rows[row as usize][head];
            for &(c, w) in &h.entries[s as usize..e as usize] {
                z[c as usize] += f64::from(v) * f64::from(w);
            }
        }
        for zi in z.iter_mut() {
            *zi /= h.temperature;
        }
        if z.len() == 1 {
            vec![sigmoid(z[0])]
        } else {
            softmax(&z)
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn softmax(z: &[f64]) -> Vec<f64> {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|x| (x - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|x| x / s).collect()
}

/// Prefixes whose feature name is a class of the head (`pp:IO-WRL-007` in the
/// NICE head): one shared weight per prefix, "evidence for class r" → logit of r,
/// learned from every posting instead of per class from the few that have it.
pub const TIED: [&[&str]; 3] = [
    &[],
    &["ps", "ps2", "pp", "ph", "pd", "vn", "sim", "ks"],
    &["v", "vh"],
];

/// A training example: sparse features (vocabulary index, value), per head
/// its tied features (prefix index, class, value), and per head a soft target.
#[derive(Debug, Clone)]
struct Example {
    x: Vec<(u32, f64)>,
    tied: [Vec<(usize, usize, f64)>; 3],
    /// head → target distribution over its classes (empty: not used by that head)
    y: [Vec<(usize, f64)>; 3],
}

/// One head's optimisation problem.
#[derive(Debug, Clone, Copy)]
struct Problem<'a> {
    head: usize,
    /// untied features
    f: usize,
    /// classes
    c: usize,
    /// tied prefixes
    p: usize,
    bias: u32,
    /// features exempt from L1: the bias and the designed cues (`cue:`), a handful
    /// that the labeling policy names, which sparsity must not drop for being rare
    unpenalised: &'a [bool],
}

impl Problem<'_> {
    fn len(&self) -> usize {
        self.f * self.c + self.p
    }

    fn logits(&self, e: &Example, w: &[f64], z: &mut [f64]) {
        z.iter_mut().for_each(|x| *x = 0.0);
        for &(f, v) in &e.x {
            let row = &w[f as usize * self.c..(f as usize + 1) * self.c];
            for (zi, wi) in z.iter_mut().zip(row) {
                *zi += v * wi;
            }
        }
        for &(k, c, v) in &e.tied[self.head] {
            z[c] += v * w[self.f * self.c + k];
        }
    }
}

/// Soft target from a primary label and the acceptable ones: the primary
/// `primary_share` and the rest shared by the others; no usable primary
/// ("too-vague"): uniform over the acceptable ones.
fn soft_target(
    primary: Option<&str>,
    acceptable: &[String],
    classes: &[String],
    primary_share: f64,
) -> Vec<(usize, f64)> {
    let idx = |c: &str| classes.iter().position(|x| x == c);
    let acc: Vec<usize> = {
        let mut v: Vec<usize> = acceptable.iter().filter_map(|c| idx(c)).collect();
        v.dedup();
        v
    };
    match primary.and_then(idx) {
        Some(p) => {
            let others: Vec<usize> = acc.iter().copied().filter(|&c| c != p).collect();
            if others.is_empty() || primary_share >= 1.0 {
                vec![(p, 1.0)]
            } else {
                let share = (1.0 - primary_share) / others.len() as f64;
                std::iter::once((p, primary_share))
                    .chain(others.into_iter().map(|c| (c, share)))
                    .collect()
            }
        }
        None if !acc.is_empty() => acc.iter().map(|&c| (c, 1.0 / acc.len() as f64)).collect(),
        None => Vec::new(),
    }
}

/// Trains the three heads from labeled postings and returns the weights file's text.
pub fn train(
    space: &FeatureSpace,
    matcher: &SkillMatcher,
    set: &[Labeled],
    set_name: &str,
    cfg: TrainConfig,
) -> Result<String, LearnError> {
    if set.iter().filter(|l| l.is_cyber == Some(true)).count() < 10
        || set.iter().filter(|l| l.is_cyber == Some(false)).count() < 10
    {
        return Err(LearnError::Set(
            "need at least 10 cyber and 10 non-cyber postings".into(),
        ));
    }
    let classes: [Vec<String>; 3] = [
        vec!["cyber".to_string()],
        space.nice_roles.clone(),
        space.platform_roles.clone(),
    ];
    let class_idx: [HashMap<&str, usize>; 3] = [0, 1, 2].map(|h| {
        classes[h]
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect()
    });
    // features by name, counted per posting
    let mut named: Vec<Vec<(String, f64)>> = Vec::with_capacity(set.len());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut t, mut d) = (String::new(), String::new());
    for l in set {
        let found = FeatureSpace::prepare(
            matcher,
            &l.title,
            l.description.as_deref().unwrap_or(""),
            &mut t,
            &mut d,
        );
        let mut f: BTreeMap<String, f64> = BTreeMap::new();
        space.extract(&t, &d, &found, &mut |p: &str, n: &str, x: f32| {
            let e = f.entry(format!("{p}:{n}")).or_insert(0.0);
            *e = e.max(f64::from(x));
        });
        for k in f.keys() {
            *counts.entry(k.clone()).or_default() += 1;
        }
        named.push(f.into_iter().collect());
    }
    let vocab: Vec<String> = counts
        .into_iter()
        .filter(|(k, c)| *c >= cfg.min_count || k == "b:")
        .map(|(k, _)| k)
        .collect();
    let index: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let bias = index
        .get("b:")
        .copied()
        .ok_or_else(|| LearnError::Set("no bias feature".into()))?;
    let unpenalised: Vec<bool> = vocab.iter().map(|k| k.starts_with("cue:")).collect();
    let examples: Vec<Example> = set
        .iter()
        .zip(&named)
        .map(|(l, f)| {
            let x = f
                .iter()
                .filter_map(|(k, v)| index.get(k.as_str()).map(|&i| (i, *v)))
                .collect();
            let tied = [0, 1, 2].map(|h| {
                f.iter()
                    .filter_map(|(k, v)| {
                        let (p, n) = k.split_once(':')?;
                        let pi = TIED[h].iter().position(|t| *t == p)?;
                        Some((pi, *class_idx[h].get(n)?, *v))
                    })
                    .collect()
            });
            let cyber = match l.is_cyber {
                Some(c) => vec![(0, if c { 1.0 } else { 0.0 })],
                None => Vec::new(),
            };
            let (nice, platform) = if l.is_cyber == Some(true) {
                (
                    soft_target(
                        l.nice_role.as_deref(),
                        &l.nice_roles,
                        &classes[1],
                        cfg.primary,
                    ),
                    soft_target(
                        l.platform_role.as_deref(),
                        &l.platform_roles,
                        &classes[2],
                        cfg.primary,
                    ),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Example {
                x,
                tied,
                y: [cyber, nice, platform],
            }
        })
        .collect();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# cyberbridge classifier weights, written by `cyberbridge train`: do not edit by hand (retrain instead)."
    );
    let _ = writeln!(
        out,
        "# Lines: meta KEY VALUE | classes HEAD CLASS… | temperature HEAD T | w HEAD FEATURE CLASS WEIGHT (tab-separated)."
    );
    let _ = writeln!(
        out,
        "# Features: b bias, t/t2 title words and pairs, p/p1 title parenthetical (OPM specialty), v/vh/vn catalog title"
    );
    let _ = writeln!(
        out,
        "# variants (platform role, head variant, NICE role), d description word, s skill, sd skill domain, c certification,"
    );
    let _ = writeln!(
        out,
        "# sim similarity to a work role's statements, ks work roles of the skills' statements, ps/pp/ph/pd the policy's phrases"
    );
    let _ = writeln!(
        out,
        "# (data/classifier/policy-phrases.csv) in an OPM specialty / the title / the title's head / the text, cue phrase lists. `PREFIX:*` with class `*` is one"
    );
    let _ = writeln!(
        out,
        "# weight shared by every class: feature PREFIX:X adds it to class X's score."
    );
    let _ = writeln!(out, "meta\ttrained_on\t{set_name}");
    let _ = writeln!(out, "meta\tpostings\t{}", set.len());
    let _ = writeln!(
        out,
        "meta\tcyber_postings\t{}",
        set.iter().filter(|l| l.is_cyber == Some(true)).count()
    );
    let _ = writeln!(out, "meta\tfeatures\t{}", vocab.len());
    let _ = writeln!(out, "meta\tl1\t{}", cfg.l1);
    let _ = writeln!(out, "meta\tl2\t{}", cfg.l2);
    let _ = writeln!(out, "meta\titerations\t{}", cfg.iterations);
    let _ = writeln!(out, "meta\tmin_count\t{}", cfg.min_count);
    let _ = writeln!(out, "meta\tfolds\t{}", cfg.folds);
    let _ = writeln!(out, "meta\tprimary\t{}", cfg.primary);
    for (hi, head) in HEADS.iter().enumerate() {
        let _ = writeln!(out, "classes\t{head}\t{}", classes[hi].join(" "));
    }
    let mut lines: Vec<String> = Vec::new();
    let fmt = |x: f64| {
        let s = format!("{x:.4}");
        if s.trim_start_matches('-')
            .chars()
            .all(|ch| ch == '0' || ch == '.')
        {
            None
        } else {
            Some(s)
        }
    };
    for hi in 0..3 {
        let used: Vec<&Example> = examples.iter().filter(|e| !e.y[hi].is_empty()).collect();
        let pr = Problem {
            head: hi,
            f: vocab.len(),
            c: classes[hi].len(),
            p: TIED[hi].len(),
            bias,
            unpenalised: &unpenalised,
        };
        let w = fit(&used, pr, cfg);
        let temperature = calibrate(&used, pr, cfg);
        let _ = writeln!(out, "temperature\t{}\t{temperature:.4}", HEADS[hi]);
        for (k, prefix) in TIED[hi].iter().enumerate() {
            if let Some(s) = fmt(w[pr.f * pr.c + k]) {
                lines.push(format!("w\t{}\t{prefix}:*\t*\t{s}", HEADS[hi]));
            }
        }
        for (fi, name) in vocab.iter().enumerate() {
            if name
                .split_once(':')
                .is_some_and(|(p, _)| TIED[hi].contains(&p))
            {
                continue;
            }
            for (ci, class) in classes[hi].iter().enumerate() {
                if let Some(s) = fmt(w[fi * pr.c + ci]) {
                    lines.push(format!("w\t{}\t{name}\t{class}\t{s}", HEADS[hi]));
                }
            }
        }
    }
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    Ok(out)
}

fn probabilities(z: &[f64]) -> Vec<f64> {
    if z.len() == 1 {
        vec![sigmoid(z[0])]
    } else {
        softmax(z)
    }
}

/// Mean soft-target cross-entropy and its gradient at `w`.
fn gradient(ex: &[&Example], pr: Problem<'_>, w: &[f64], g: &mut [f64]) -> f64 {
    g.iter_mut().for_each(|x| *x = 0.0);
    let n = ex.len() as f64;
    let mut loss = 0.0;
    let mut z = vec![0.0f64; pr.c];
    for e in ex {
        pr.logits(e, w, &mut z);
        let p = probabilities(&z);
        let mut r = p.clone();
        for &(k, q) in &e.y[pr.head] {
            r[k] -= q;
            loss -= q * p[k].max(1e-12).ln();
        }
        if pr.c == 1 {
            let q = e.y[pr.head].first().map_or(0.0, |t| t.1);
            loss -= (1.0 - q) * (1.0 - p[0]).max(1e-12).ln();
        }
        for &(f, v) in &e.x {
            let row = &mut g[f as usize * pr.c..(f as usize + 1) * pr.c];
            for (gi, ri) in row.iter_mut().zip(&r) {
                *gi += v * ri / n;
            }
        }
        for &(k, c, v) in &e.tied[pr.head] {
            g[pr.f * pr.c + k] += v * r[c] / n;
        }
    }
    loss / n
}

/// A step size bound: the largest eigenvalue of XᵀX/N (power iteration) for the
/// untied weights plus the largest squared norm of an example's tied block.
fn lipschitz(ex: &[&Example], pr: Problem<'_>) -> f64 {
    let n = ex.len().max(1) as f64;
    let mut v = vec![1.0 / (pr.f as f64).sqrt(); pr.f];
    let mut lambda = 1.0;
    for _ in 0..50 {
        let mut u = vec![0.0f64; pr.f];
        for e in ex {
            let dot: f64 = e.x.iter().map(|&(i, x)| x * v[i as usize]).sum();
            for &(i, x) in &e.x {
                u[i as usize] += x * dot / n;
            }
        }
        let norm = u.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
        lambda = norm;
        v = u.into_iter().map(|x| x / norm).collect();
    }
    let tied = ex
        .iter()
        .map(|e| e.tied[pr.head].iter().map(|t| t.2 * t.2).sum::<f64>())
        .fold(0.0, f64::max);
    let curvature = if pr.c == 1 { 0.25 } else { 0.5 };
    2.0 * curvature * (lambda + tied)
}

/// Elastic-net logistic / softmax regression by FISTA; the bias and the tied
/// weights are not L1-penalised.
fn fit(ex: &[&Example], pr: Problem<'_>, cfg: TrainConfig) -> Vec<f64> {
    let step = 1.0 / (lipschitz(ex, pr) + cfg.l2);
    let len = pr.len();
    let mut w = vec![0.0f64; len];
    let mut y = w.clone();
    let mut g = vec![0.0f64; len];
    let mut next = vec![0.0f64; len];
    let mut t = 1.0f64;
    let untied = pr.f * pr.c;
    let free_rows: Vec<bool> = (0..pr.f)
        .map(|f| f == pr.bias as usize || pr.unpenalised.get(f).copied().unwrap_or(false))
        .collect();
    for _ in 0..cfg.iterations {
        gradient(ex, pr, &y, &mut g);
        for i in 0..len {
            let v = y[i] - step * (g[i] + cfg.l2 * y[i]);
            let free = i >= untied || free_rows[i / pr.c];
            next[i] = if free {
                v
            } else {
                v.signum() * (v.abs() - step * cfg.l1).max(0.0)
            };
        }
        let t_next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
        let momentum = (t - 1.0) / t_next;
        for i in 0..len {
            y[i] = next[i] + momentum * (next[i] - w[i]);
        }
        std::mem::swap(&mut w, &mut next);
        t = t_next;
    }
    w
}

/// The temperature that minimises the out-of-fold negative log-likelihood.
fn calibrate(ex: &[&Example], pr: Problem<'_>, cfg: TrainConfig) -> f64 {
    if cfg.folds < 2 || ex.len() < cfg.folds * 4 {
        return 1.0;
    }
    let mut logits: Vec<(Vec<f64>, &Example)> = Vec::with_capacity(ex.len());
    for k in 0..cfg.folds {
        let train: Vec<&Example> = ex
            .iter()
            .enumerate()
            .filter(|(i, _)| i % cfg.folds != k)
            .map(|(_, e)| *e)
            .collect();
        let w = fit(&train, pr, cfg);
        for e in ex
            .iter()
            .enumerate()
            .filter(|(i, _)| i % cfg.folds == k)
            .map(|(_, e)| *e)
        {
            let mut z = vec![0.0f64; pr.c];
            pr.logits(e, &w, &mut z);
            logits.push((z, e));
        }
    }
    let nll = |t: f64| -> f64 {
        logits
            .iter()
            .map(|(z, e)| {
                let zt: Vec<f64> = z.iter().map(|x| x / t).collect();
                if pr.c == 1 {
                    let p = sigmoid(zt[0]);
                    let q = e.y[pr.head].first().map_or(0.0, |x| x.1);
                    -(q * p.max(1e-12).ln() + (1.0 - q) * (1.0 - p).max(1e-12).ln())
                } else {
                    let p = softmax(&zt);
                    e.y[pr.head]
                        .iter()
                        .map(|&(k, q)| -q * p[k].max(1e-12).ln())
                        .sum()
                }
            })
            .sum()
    };
    // golden-section search over log T in [ln 0.25, ln 4]
    let (mut a, mut b) = (0.25f64.ln(), 4.0f64.ln());
    let r = (5.0f64.sqrt() - 1.0) / 2.0;
    let (mut x1, mut x2) = (b - r * (b - a), a + r * (b - a));
    let (mut f1, mut f2) = (nll(x1.exp()), nll(x2.exp()));
    for _ in 0..40 {
        if f1 < f2 {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - r * (b - a);
            f1 = nll(x1.exp());
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + r * (b - a);
            f2 = nll(x2.exp());
        }
    }
    ((a + b) / 2.0).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_targets() {
        let classes: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            soft_target(Some("B"), &["B".into()], &classes, 0.7),
            vec![(1, 1.0)]
        );
        assert_eq!(
            soft_target(
                Some("B"),
                &["B".into(), "C".into(), "A".into()],
                &classes,
                0.5
            ),
            vec![(1, 0.5), (2, 0.25), (0, 0.25)]
        );
        assert_eq!(
            soft_target(Some("too-vague"), &["A".into(), "C".into()], &classes, 1.0),
            vec![(0, 0.5), (2, 0.5)]
        );
        assert!(soft_target(None, &[], &classes, 1.0).is_empty());
        // the default: the expert's one choice
        assert_eq!(
            soft_target(Some("C"), &["C".into(), "A".into()], &classes, 1.0),
            vec![(2, 1.0)]
        );
    }

    /// `cyberbridge train` reproduces the shipped weights byte for byte.
    #[test]
    fn training_reproduces_the_bundled_weights() {
        let model = cb_competency::bundled::model().expect("model");
        let set = crate::eval::parse_set(
            "train.jsonl",
            include_str!("../../../data/devset/v2/train.jsonl"),
        )
        .expect("train split parses");
        let text = train(
            &FeatureSpace::new(&model),
            &SkillMatcher::new(&model),
            &set,
            "data/devset/v2/train.jsonl",
            TrainConfig::default(),
        )
        .expect("trains");
        assert!(
            text == crate::classify::BUNDLED_WEIGHTS,
            "data/classifier/model.tsv is not what `cyberbridge train` writes: retrain"
        );
    }

    #[test]
    fn a_bad_weights_line_is_named() {
        let e = Weights::parse(
            "m.tsv",
            "classes\tcyber\tcyber\nclasses\tnice\tA\nclasses\tplatform\tx\nw\tnice\tt:x\tZ\t1.0\n",
        )
        .err();
        assert!(e.is_some_and(|e| e.to_string().starts_with("m.tsv, line 4: class `Z`")));
    }
}
