//! Salary strings as Chinese and US job boards write them, normalised to a
//! monthly and a yearly range with currency:
//! `15k-25k`, `1.5-2万/月`, `6千-1.2万`, `15-25K·14薪`, `20-30万/年`, `200元/天`,
//! `面议`, `$90,000 - $120,000 a year`, `$45/hr`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Currency {
    #[serde(rename = "CNY")]
    Cny,
    #[serde(rename = "USD")]
    Usd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Hour,
    Day,
    Month,
    Year,
}

/// Working days per month and hours per day used to turn day and hour rates
/// into monthly figures (21.75 is China's statutory average).
pub const DAYS_PER_MONTH: f64 = 21.75;
pub const HOURS_PER_DAY: f64 = 8.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Salary {
    pub currency: Currency,
    /// The period the posting states.
    pub period: Period,
    pub min: f64,
    pub max: f64,
    /// Months paid per year (`·14薪`); 12 when not stated.
    pub months_per_year: u8,
    pub monthly_min: f64,
    pub monthly_max: f64,
    pub yearly_min: f64,
    pub yearly_max: f64,
}

/// What a salary field says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SalaryInfo {
    Range(Salary),
    /// `面议`, `negotiable`, `DOE`.
    Negotiable,
}

struct Num {
    value: f64,
    unit: Option<f64>,
}

/// Pulls up to two numbers with their units (`1.5`, `20k`, `1.2万`, `90,000`).
fn numbers(s: &str) -> Vec<Num> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() && out.len() < 2 {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.'
                    || (chars[i] == ','
                        && i + 3 < chars.len() + 1
                        && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            let Ok(value) = text.trim_end_matches('.').parse::<f64>() else {
                continue;
            };
            // skip spaces, then read a unit
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let unit = chars.get(j).and_then(|c| match c {
                'k' | 'K' => Some(1_000.0),
                'w' | 'W' | '万' => Some(10_000.0),
                '千' => Some(1_000.0),
                _ => None,
            });
            if unit.is_some() {
                i = j + 1;
            }
            out.push(Num { value, unit });
        } else {
            i += 1;
        }
    }
    out
}

fn has_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

/// Parses a salary field. `None` when it says nothing usable (empty, or no
/// number and no "negotiable").
pub fn parse(raw: &str) -> Option<SalaryInfo> {
    let s = crate::fold::fold(raw);
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if has_any(
        s,
        &[
            "面议",
            "negotiable",
            "doe",
            "commensurate",
            "薪资面谈",
            "待遇面议",
        ],
    ) && numbers(s).is_empty()
    {
        return Some(SalaryInfo::Negotiable);
    }
    let nums = numbers(s);
    if nums.is_empty() {
        return None;
    }
    let usd = s.contains('$')
        || s.contains("usd")
        || has_any(
            s,
            &[
                "a year", "per year", "an hour", "per hour", "/hr", "/yr", "annually", "hourly",
            ],
        );
    let currency = if usd { Currency::Usd } else { Currency::Cny };
    // a bare first number inherits the second's unit (`1-1.5万`, `15-25k`)
    let second_unit = nums.get(1).and_then(|n| n.unit);
    let mut vals: Vec<f64> = nums
        .iter()
        .enumerate()
        .map(|(i, n)| {
            n.value
                * n.unit
                    .or(if i == 0 { second_unit } else { None })
                    .unwrap_or(1.0)
        })
        .collect();
    if vals.len() == 1 {
        vals.push(vals[0]);
    }
    let (mut min, mut max) = (vals[0], vals[1]);
    if min > max {
        std::mem::swap(&mut min, &mut max);
    }
    if min <= 0.0 || !min.is_finite() || !max.is_finite() {
        return None;
    }
    let period = if has_any(s, &["/hr", "hour", "/小时", "每小时", "元/时", "/h"]) {
        Period::Hour
    } else if has_any(
        s,
        &[
            "/天", "/日", "每天", "元/天", "per day", "a day", "/day", "日薪",
        ],
    ) {
        Period::Day
    } else if has_any(
        s,
        &[
            "/年", "年薪", "每年", "a year", "per year", "/yr", "annually", "annual", "/year",
        ],
    ) {
        Period::Year
    } else if has_any(
        s,
        &[
            "/月",
            "月薪",
            "每月",
            "a month",
            "per month",
            "/mo",
            "monthly",
        ],
    ) {
        Period::Month
    } else if currency == Currency::Usd {
        if max < 500.0 {
            Period::Hour
        } else {
            Period::Year
        }
    } else {
        Period::Month
    };
    // `·14薪`, `14薪`
    let months_per_year = s
        .find('薪')
        .and_then(|i| {
            let digits: String = s[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse::<u8>().ok()
        })
        .filter(|m| (12..=24).contains(m))
        .unwrap_or(12);
    let to_month = |v: f64| match period {
        Period::Hour => v * HOURS_PER_DAY * DAYS_PER_MONTH,
        Period::Day => v * DAYS_PER_MONTH,
        Period::Month => v,
        Period::Year => v / 12.0,
    };
    let to_year = |v: f64| match period {
        Period::Hour => v * HOURS_PER_DAY * DAYS_PER_MONTH * 12.0,
        Period::Day => v * DAYS_PER_MONTH * 12.0,
        Period::Month => v * f64::from(months_per_year),
        Period::Year => v,
    };
    let round = |v: f64| (v * 100.0).round() / 100.0;
    Some(SalaryInfo::Range(Salary {
        currency,
        period,
        min,
        max,
        months_per_year,
        monthly_min: round(to_month(min)),
        monthly_max: round(to_month(max)),
        yearly_min: round(to_year(min)),
        yearly_max: round(to_year(max)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn range(s: &str) -> Salary {
        match parse(s) {
            Some(SalaryInfo::Range(r)) => r,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn chinese_board_shapes() {
        let r = range("15k-25k");
        assert_eq!(
            (
                r.currency,
                r.period,
                r.monthly_min,
                r.monthly_max,
                r.yearly_max
            ),
            (Currency::Cny, Period::Month, 15_000.0, 25_000.0, 300_000.0)
        );
        let r = range("1.5-2万/月");
        assert_eq!((r.monthly_min, r.monthly_max), (15_000.0, 20_000.0));
        let r = range("6千-1.2万");
        assert_eq!((r.monthly_min, r.monthly_max), (6_000.0, 12_000.0));
        let r = range("15-25K·14薪");
        assert_eq!(
            (r.monthly_min, r.months_per_year, r.yearly_min, r.yearly_max),
            (15_000.0, 14, 210_000.0, 350_000.0)
        );
        let r = range("1-1.5万·13薪");
        assert_eq!((r.monthly_max, r.yearly_max), (15_000.0, 195_000.0));
        let r = range("20-30万/年");
        assert_eq!(
            (r.period, r.yearly_min, r.monthly_max),
            (Period::Year, 200_000.0, 25_000.0)
        );
        let r = range("200元/天");
        assert_eq!(
            (r.period, r.min, r.monthly_min),
            (Period::Day, 200.0, 4_350.0)
        );
        let r = range("15k以上");
        assert_eq!((r.min, r.max), (15_000.0, 15_000.0));
        let r = range("ＲＭＢ １０Ｋ－２０Ｋ");
        assert_eq!((r.monthly_min, r.monthly_max), (10_000.0, 20_000.0));
        let r = range("4-6千·13薪");
        assert_eq!(
            (r.monthly_min, r.monthly_max, r.months_per_year),
            (4_000.0, 6_000.0, 13)
        );
        assert_eq!(parse("面议"), Some(SalaryInfo::Negotiable));
        assert_eq!(parse(""), None);
        assert_eq!(parse("待定"), None);
    }

    #[test]
    fn us_shapes() {
        let r = range("$90,000 - $120,000 a year");
        assert_eq!(
            (
                r.currency,
                r.period,
                r.yearly_min,
                r.yearly_max,
                r.monthly_min
            ),
            (Currency::Usd, Period::Year, 90_000.0, 120_000.0, 7_500.0)
        );
        let r = range("$45/hr");
        assert_eq!(
            (r.period, r.min, r.yearly_min),
            (Period::Hour, 45.0, 45.0 * 8.0 * 21.75 * 12.0)
        );
        let r = range("$45 an hour");
        assert_eq!(r.period, Period::Hour);
        let r = range("USD 100k-120k");
        assert_eq!((r.period, r.yearly_max), (Period::Year, 120_000.0));
        assert_eq!(parse("Negotiable / DOE"), Some(SalaryInfo::Negotiable));
    }

    proptest! {
        #[test]
        fn ranges_are_ordered_and_positive(a in 1u32..500, b in 1u32..500, unit in prop::sample::select(vec!["k", "K", "千", "万", ""])) {
            let s = format!("{a}{unit}-{b}{unit}");
            if let Some(SalaryInfo::Range(r)) = parse(&s) {
                prop_assert!(r.min > 0.0 && r.min <= r.max);
                prop_assert!(r.monthly_min <= r.monthly_max && r.yearly_min <= r.yearly_max);
            } else {
                prop_assert!(false, "{} did not parse", s);
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }
    }
}
