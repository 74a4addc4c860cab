//! Places: city → province/state → country, for every Chinese province-level
//! division and prefecture-level city (`data/geo/cn-divisions.csv`) and every
//! US state (`data/geo/us-states.csv`).

use crate::fold::fold;
use serde::Serialize;

pub(crate) const CN: &str = include_str!("../../../data/geo/cn-divisions.csv");
const US: &str = include_str!("../../../data/geo/us-states.csv");

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    pub city: Option<String>,
    pub city_en: Option<String>,
    pub province: Option<String>,
    pub province_en: Option<String>,
    /// ISO 3166-1 alpha-2: `CN`, `US`.
    pub country: Option<String>,
    pub remote: bool,
}

impl Location {
    pub fn is_empty(&self) -> bool {
        self.city.is_none() && self.province.is_none() && self.country.is_none() && !self.remote
    }
}

struct Province {
    full: String,
    short: String,
    en: String,
}

struct City {
    full: String,
    short: String,
    en: String,
    province: usize,
}

struct State {
    code: String,
    name: String,
    name_fold: String,
}

/// The compiled-in gazetteer.
pub struct Gazetteer {
    provinces: Vec<Province>,
    cities: Vec<City>,
    /// first character of a city's full or short name → the cities it may begin
    cities_by_first: std::collections::HashMap<char, Vec<usize>>,
    /// a city's English name, folded → the city
    cities_by_en: std::collections::HashMap<String, usize>,
    states: Vec<State>,
}

impl Default for Gazetteer {
    fn default() -> Self {
        Self::new()
    }
}

impl Gazetteer {
    pub fn new() -> Self {
        let mut provinces: Vec<Province> = Vec::new();
        let mut cities = Vec::new();
        for line in CN.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split('|').collect();
            if f.len() != 6 {
                continue;
            }
            let p = match provinces.iter().position(|p| p.full == f[0]) {
                Some(p) => p,
                None => {
                    provinces.push(Province {
                        full: f[0].into(),
                        short: f[1].into(),
                        en: f[2].into(),
                    });
                    provinces.len() - 1
                }
            };
            cities.push(City {
                full: f[3].into(),
                short: f[4].into(),
                en: f[5].into(),
                province: p,
            });
        }
        let states = US
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                (f.len() == 3).then(|| State {
                    code: f[0].to_string(),
                    name: f[1].to_string(),
                    name_fold: fold(f[1]),
                })
            })
            .collect();
        let mut cities_by_first: std::collections::HashMap<char, Vec<usize>> =
            std::collections::HashMap::new();
        let mut cities_by_en = std::collections::HashMap::new();
        for (i, c) in cities.iter().enumerate() {
            for name in [&c.full, &c.short] {
                if let Some(first) = name.chars().next() {
                    let list = cities_by_first.entry(first).or_default();
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            }
            cities_by_en.entry(fold(&c.en)).or_insert(i);
        }
        Gazetteer {
            provinces,
            cities,
            cities_by_first,
            cities_by_en,
            states,
        }
    }

    pub fn province_count(&self) -> usize {
        self.provinces.len()
    }

    pub fn city_count(&self) -> usize {
        self.cities.len()
    }

    fn cn(&self, city: Option<&City>, province: usize) -> Location {
        let p = &self.provinces[province];
        Location {
            city: city.map(|c| c.short.clone()),
            city_en: city.map(|c| c.en.clone()),
            province: Some(p.short.clone()),
            province_en: Some(p.en.clone()),
            country: Some(
                if p.short == "香港" || p.short == "澳门" || p.short == "台湾" {
                    p.short.clone()
                } else {
                    "CN".into()
                },
            )
            .map(|c| match c.as_str() {
                "香港" => "HK".to_string(),
                "澳门" => "MO".to_string(),
                "台湾" => "TW".to_string(),
                _ => c,
            }),
            remote: false,
        }
    }

    /// The city at the start of `s` (full name first, then short), if any.
    fn city_at(&self, s: &str, province: Option<usize>) -> Option<&City> {
        let mut best: Option<(&City, usize)> = None;
        let first = s.chars().next()?;
        let candidates = self.cities_by_first.get(&first)?;
        for c in candidates.iter().map(|&i| &self.cities[i]) {
            if province.is_some_and(|p| p != c.province) {
                continue;
            }
            for name in [&c.full, &c.short] {
                if s.starts_with(name.as_str()) && best.is_none_or(|(_, len)| name.len() > len) {
                    best = Some((c, name.len()));
                }
            }
        }
        best.map(|(c, _)| c)
    }

    /// Parses a place as job boards write it: `北京`, `浙江省宁波`,
    /// `深圳深圳宝安区宝安`, `上海·浦东新区`, `Fresno, California`, `Remote`.
    pub fn parse(&self, raw: &str) -> Location {
        let s = fold(raw);
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '·' | '/' | '|' | '，'))
            .collect();
        if compact.is_empty() {
            return Location::default();
        }
        let remote = s.contains("remote")
            || s.contains("远程")
            || s.contains("telework")
            || s.contains("anywhere in the u.s");
        if s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            // province prefix (longest), then a city inside it
            let mut prov: Option<(usize, usize)> = None;
            for (i, p) in self.provinces.iter().enumerate() {
                for name in [&p.full, &p.short] {
                    if compact.starts_with(name.as_str())
                        && prov.is_none_or(|(_, len)| name.len() > len)
                    {
                        prov = Some((i, name.len()));
                    }
                }
            }
            if let Some((p, len)) = prov {
                let rest = &compact[len..];
                let city = self.city_at(rest, Some(p)).or_else(|| {
                    // municipalities and SARs are their own city
                    let cs: Vec<&City> = self.cities.iter().filter(|c| c.province == p).collect();
                    (cs.len() == 1 && cs[0].short == self.provinces[p].short).then(|| cs[0])
                });
                let mut loc = self.cn(city, p);
                loc.remote = remote;
                return loc;
            }
            if let Some(c) = self.city_at(&compact, None) {
                let mut loc = self.cn(Some(c), c.province);
                loc.remote = remote;
                return loc;
            }
            return Location {
                remote,
                ..Location::default()
            };
        }
        // English: "City, State", "State", "City, ST", "Beijing, China"
        let parts: Vec<&str> = s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        for (i, part) in parts.iter().enumerate().rev() {
            let state = self.states.iter().find(|st| {
                st.name_fold == *part || (part.len() == 2 && st.code.eq_ignore_ascii_case(part))
            });
            if let Some(st) = state {
                let city = if i > 0 {
                    Some(title_case(parts[0]))
                } else {
                    None
                };
                return Location {
                    city_en: city.clone(),
                    city,
                    province: Some(st.name.clone()),
                    province_en: Some(st.name.clone()),
                    country: Some("US".into()),
                    remote,
                };
            }
        }
        if let Some(first) = parts.first() {
            let en = fold(first);
            if let Some(c) = self.cities_by_en.get(&en).map(|&i| &self.cities[i]) {
                let mut loc = self.cn(Some(c), c.province);
                loc.remote = remote;
                return loc;
            }
        }
        let country = if s.contains("united states") || s.contains("usa") || s == "us" {
            Some("US".to_string())
        } else if s.contains("china") {
            Some("CN".to_string())
        } else {
            None
        };
        Location {
            country,
            remote,
            ..Location::default()
        }
    }
}

fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g() -> Gazetteer {
        Gazetteer::new()
    }

    fn place(l: &Location) -> (Option<&str>, Option<&str>, Option<&str>) {
        (
            l.city.as_deref(),
            l.province.as_deref(),
            l.country.as_deref(),
        )
    }

    #[test]
    fn covers_every_province_level_division_and_prefecture_level_city() {
        let g = g();
        assert_eq!(g.province_count(), 34);
        assert!(g.city_count() >= 337, "{}", g.city_count());
    }

    #[test]
    fn chinese_shapes() {
        let g = g();
        assert_eq!(
            place(&g.parse("北京")),
            (Some("北京"), Some("北京"), Some("CN"))
        );
        assert_eq!(
            place(&g.parse("浙江省宁波")),
            (Some("宁波"), Some("浙江"), Some("CN"))
        );
        assert_eq!(
            place(&g.parse("深圳深圳宝安区宝安")),
            (Some("深圳"), Some("广东"), Some("CN"))
        );
        assert_eq!(
            place(&g.parse("上海·浦东新区")),
            (Some("上海"), Some("上海"), Some("CN"))
        );
        assert_eq!(
            place(&g.parse("湖北省武汉")),
            (Some("武汉"), Some("湖北"), Some("CN"))
        );
        assert_eq!(
            place(&g.parse("延边朝鲜族自治州")),
            (Some("延边"), Some("吉林"), Some("CN"))
        );
        assert_eq!(
            place(&g.parse("海南")),
            (None, Some("海南"), Some("CN")),
            "the province wins over 海南藏族自治州"
        );
        assert_eq!(
            place(&g.parse("青海省海南州")),
            (Some("海南"), Some("青海"), Some("CN"))
        );
        assert_eq!(
            place(&g.parse("香港")),
            (Some("香港"), Some("香港"), Some("HK"))
        );
        assert_eq!(g.parse("西安").city_en.as_deref(), Some("Xi'an"));
        assert!(g.parse("异地招聘").is_empty());
    }

    #[test]
    fn us_shapes() {
        let g = g();
        let l = g.parse("Fresno, California");
        assert_eq!(
            (
                l.city.as_deref(),
                l.province.as_deref(),
                l.country.as_deref()
            ),
            (Some("Fresno"), Some("California"), Some("US"))
        );
        assert_eq!(
            g.parse("Washington, District of Columbia")
                .province
                .as_deref(),
            Some("District of Columbia")
        );
        assert_eq!(
            g.parse("Arlington, VA").province.as_deref(),
            Some("Virginia")
        );
        assert_eq!(
            g.parse("McGuire AFB, New Jersey").city.as_deref(),
            Some("Mcguire Afb")
        );
        let r = g.parse("Remote");
        assert!(r.remote && r.city.is_none());
        assert_eq!(
            place(&g.parse("Beijing, China")),
            (Some("北京"), Some("北京"), Some("CN"))
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = Gazetteer::new().parse(&s);
        }
    }
}
