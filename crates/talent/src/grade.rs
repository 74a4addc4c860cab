//! Course grades as schools keep them: percent (`85`), the five-level scale
//! (优/良/中/及格/不及格, also A–F) or GPA (`3.7`, out of 4 or 5).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Grade {
    /// The grade as a share of full marks that counts as mastery, 0–1:
    /// 优 / ≥ 90 → 1.0, 良 → 0.85, 中 → 0.7, 及格 → 0.55, 不及格 → 0.
    pub attainment: f64,
    pub passed: bool,
}

fn from_percent(p: f64) -> Grade {
    let attainment = if p >= 90.0 {
        1.0
    } else if p >= 60.0 {
        // 60 → 0.55 … 90 → 1.0, linear
        0.55 + (p - 60.0) * 0.45 / 30.0
    } else {
        0.0
    };
    Grade {
        attainment: (attainment * 1000.0).round() / 1000.0,
        passed: p >= 60.0,
    }
}

/// Parses a grade; `None` when it is none of the three scales.
pub fn parse(raw: &str) -> Option<Grade> {
    let s = raw.trim();
    let five = |a: f64, passed: bool| {
        Some(Grade {
            attainment: a,
            passed,
        })
    };
    match s {
        "优" | "优秀" | "A" | "A+" | "a" => return five(1.0, true),
        "良" | "良好" | "B" | "B+" | "b" => return five(0.85, true),
        "中" | "中等" | "C" | "C+" | "c" => return five(0.7, true),
        "及格" | "合格" | "通过" | "D" | "d" | "P" | "pass" | "Pass" => {
            return five(0.55, true);
        }
        "不及格" | "不合格" | "F" | "f" | "fail" | "Fail" => return five(0.0, false),
        _ => {}
    }
    // GPA on a 4- or 5-point scale ("3.7", "3.7/4", "4.2/5"): percent = 50 + 10 × GPA
    // (4.0 → 90, 3.0 → 80, 1.0 → 60), the common linear conversion
    let (num, scale) = match s.split_once('/') {
        Some((n, d)) => (
            n.trim().parse::<f64>().ok()?,
            Some(d.trim().parse::<f64>().ok()?),
        ),
        None => (s.trim_end_matches('分').parse::<f64>().ok()?, None),
    };
    if !num.is_finite() || num < 0.0 {
        return None;
    }
    let gpa = |g: f64, max: f64| (g <= max).then(|| from_percent(50.0 + 10.0 * g));
    match scale {
        Some(d) if d == 4.0 || d == 5.0 => gpa(num, d),
        Some(100.0) => (num <= 100.0).then(|| from_percent(num)),
        Some(_) => None,
        None if num <= 5.0 && s.contains('.') => gpa(num, 5.0),
        None if num <= 100.0 => Some(from_percent(num)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn three_scales() {
        assert_eq!(parse("95").map(|g| g.attainment), Some(1.0));
        assert_eq!(parse("75").map(|g| g.attainment), Some(0.775));
        assert_eq!(
            parse("60").map(|g| (g.attainment, g.passed)),
            Some((0.55, true))
        );
        assert_eq!(
            parse("59").map(|g| (g.attainment, g.passed)),
            Some((0.0, false))
        );
        assert_eq!(parse("良").map(|g| g.attainment), Some(0.85));
        assert_eq!(parse("不及格").map(|g| g.passed), Some(false));
        // GPA: 3.0 → 80 → 0.85; 4.0 → 90 → 1.0; 2.0/4 → 70 → 0.7; 0.5 → 55 → fail
        assert_eq!(parse("3.0").map(|g| g.attainment), Some(0.85));
        assert_eq!(parse("4.0/4").map(|g| g.attainment), Some(1.0));
        assert_eq!(parse("2.0/4").map(|g| g.attainment), Some(0.7));
        assert_eq!(parse("0.5/4").map(|g| g.passed), Some(false));
        assert_eq!(parse("4.5/4"), None);
        assert_eq!(parse("88/100").map(|g| g.attainment), Some(0.97));
        assert_eq!(parse("缺考"), None);
        assert_eq!(parse("120"), None);
    }

    proptest! {
        #[test]
        fn percent_attainment_is_monotone(a in 0u32..=100, b in 0u32..=100) {
            let (ga, gb) = (parse(&a.to_string()), parse(&b.to_string()));
            if let (Some(ga), Some(gb)) = (ga, gb) {
                if a <= b { prop_assert!(ga.attainment <= gb.attainment); }
                prop_assert!((0.0..=1.0).contains(&ga.attainment));
            } else {
                prop_assert!(false);
            }
        }
    }
}
