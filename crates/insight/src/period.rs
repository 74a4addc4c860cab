//! Months and periods: a month is `year × 12 + (month − 1)`; a period is an
//! inclusive range of months, written `2024`, `2024-Q2`, `2024-05` or
//! `2024-01..2024-06`.

use serde::Serialize;

pub type Month = u32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a period; expected a year (2024), a quarter (2024-Q2), a month (2024-05) or a range (2024-01..2024-06) / 时间段格式应为 2024、2024-Q2、2024-05 或 2024-01..2024-06"
)]
pub struct PeriodError {
    pub given: String,
}

pub fn month(year: i32, month: u32) -> Option<Month> {
    ((1..=12).contains(&month) && (1900..=2200).contains(&year))
        .then(|| year as u32 * 12 + month - 1)
}

/// The month of a `YYYY-MM-DD` (or `YYYY-MM…`) date.
pub fn month_of_date(date: &str) -> Option<Month> {
    let y: i32 = date.get(0..4)?.parse().ok()?;
    if date.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    let m: u32 = date.get(5..7)?.parse().ok()?;
    month(y, m)
}

pub fn month_label(m: Month) -> String {
    format!("{:04}-{:02}", m / 12, m % 12 + 1)
}

/// An inclusive range of months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Month,
    pub to: Month,
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let bad = || PeriodError {
            given: s.to_string(),
        };
        let s = s.trim();
        if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (
                Period::parse(a).map_err(|_| bad())?,
                Period::parse(b).map_err(|_| bad())?,
            );
            return if a.from <= b.to {
                Ok(Period {
                    from: a.from,
                    to: b.to,
                })
            } else {
                Err(bad())
            };
        }
        let year = |y: &str| -> Result<i32, PeriodError> {
            y.parse::<i32>()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(bad)
        };
        match s.len() {
            4 => {
                let y = year(s)?;
                Ok(Period {
                    from: month(y, 1).ok_or_else(bad)?,
                    to: month(y, 12).ok_or_else(bad)?,
                })
            }
            7 if s.as_bytes()[4] == b'-'
                && (s.as_bytes()[5] == b'Q' || s.as_bytes()[5] == b'q') =>
            {
                let y = year(&s[..4])?;
                let q: u32 = s[6..]
                    .parse()
                    .ok()
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(bad)?;
                Ok(Period {
                    from: month(y, q * 3 - 2).ok_or_else(bad)?,
                    to: month(y, q * 3).ok_or_else(bad)?,
                })
            }
            7 if s.as_bytes()[4] == b'-' => {
                let m = month_of_date(s).ok_or_else(bad)?;
                Ok(Period { from: m, to: m })
            }
            _ => Err(bad()),
        }
    }

    pub fn months(&self) -> u32 {
        self.to - self.from + 1
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Option<Period> {
        let len = self.months();
        (self.from >= len).then(|| Period {
            from: self.from - len,
            to: self.from - 1,
        })
    }

    /// The same months a year earlier.
    pub fn year_ago(&self) -> Option<Period> {
        (self.from >= 12).then(|| Period {
            from: self.from - 12,
            to: self.to - 12,
        })
    }

    pub fn contains(&self, m: Month) -> bool {
        (self.from..=self.to).contains(&m)
    }

    /// `2024-01..2024-06`, or a single month's label.
    pub fn label(&self) -> String {
        if self.from == self.to {
            month_label(self.from)
        } else {
            format!("{}..{}", month_label(self.from), month_label(self.to))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_form_of_period() {
        let m = |y, mo| month(y, mo).expect("month");
        assert_eq!(
            Period::parse("2024"),
            Ok(Period {
                from: m(2024, 1),
                to: m(2024, 12)
            })
        );
        assert_eq!(
            Period::parse("2024-Q2"),
            Ok(Period {
                from: m(2024, 4),
                to: m(2024, 6)
            })
        );
        assert_eq!(
            Period::parse("2024-05"),
            Ok(Period {
                from: m(2024, 5),
                to: m(2024, 5)
            })
        );
        assert_eq!(
            Period::parse("2023-11..2024-02"),
            Ok(Period {
                from: m(2023, 11),
                to: m(2024, 2)
            })
        );
        let q2 = Period::parse("2024-Q2").expect("q2");
        assert_eq!(q2.previous(), Period::parse("2024-Q1").ok());
        assert_eq!(q2.year_ago(), Period::parse("2023-Q2").ok());
        assert_eq!(
            Period::parse("2024-01..2024-06").expect("h1").previous(),
            Period::parse("2023-07..2023-12").ok()
        );
        for bad in [
            "",
            "24",
            "2024-13",
            "2024-Q5",
            "2024-06..2024-01",
            "abcd",
            "2024/05",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(month_of_date("2017-04-30"), Some(m(2017, 4)));
        assert_eq!(month_of_date("30/04/2017"), None);
    }

    proptest! {
        #[test]
        fn labels_parse_back(y in 1990i32..2100, a in 1u32..=12, len in 0u32..30) {
            let from = month(y, a).expect("month");
            let p = Period { from, to: from + len };
            prop_assert_eq!(Period::parse(&p.label()), Ok(p));
            prop_assert_eq!(p.previous().map(|q| q.months()), Some(p.months()));
        }

        #[test]
        fn nothing_panics(s in "\\PC{0,20}") {
            let _ = Period::parse(&s);
        }
    }
}
