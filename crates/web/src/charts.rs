//! Charts drawn on the server as SVG: every mark carries its value in a
//! `<title>` (hover), links to the postings behind it (drill-down), and
//! series can be shown or hidden from the legend (`static/app.js`). No
//! third-party script; prints as it shows.

use std::fmt::Write;

/// Escapes text for HTML/SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// One bar: label, value, where it drills down to, hover text.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub href: String,
    pub title: String,
}

/// Months (`YYYY-MM`, ascending) as columns, with a break where months without
/// data lie between two with data: `gap(from, to)` gives the break's label and title.
pub fn month_bars(
    months: &[(String, u64)],
    bar: impl Fn(&str, u64) -> Bar,
    gap: impl Fn(&str, &str) -> (String, String),
) -> Vec<Bar> {
    use cb_insight::period::{month_label, month_of_date};
    let mut out = Vec::with_capacity(months.len());
    let mut prev = None;
    for (m, n) in months {
        let at = month_of_date(m);
        if let (Some(p), Some(a)) = (prev, at)
            && a > p + 1
        {
            let (label, title) = gap(&month_label(p + 1), &month_label(a - 1));
            out.push(Bar {
                label,
                value: 0.0,
                href: String::new(),
                title,
            });
        }
        prev = at.or(prev);
        out.push(bar(m, *n));
    }
    out
}

/// Horizontal bars, longest first as given.
pub fn hbars(id: &str, bars: &[Bar], unit: &str) -> String {
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(0.0, f64::max)
        .max(f64::EPSILON);
    let (row, label_w, width) = (24.0, 170.0, 620.0);
    let h = row * bars.len() as f64 + 8.0;
    let mut s = format!(
        r#"<svg class="chart hbars" id="{}" viewBox="0 0 {width} {h}" role="img">"#,
        esc(id)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = ((width - label_w - 70.0) * b.value / max).max(1.0);
        let _ = write!(
            s,
            r#"<a href="{href}"><g class="mark"><title>{title}</title><text class="lbl" x="{lx}" y="{ty}" text-anchor="end"{fit}>{label}</text><rect x="{label_w}" y="{ry}" width="{w:.1}" height="{bh}" rx="2"/><text class="val" x="{vx:.1}" y="{ty}">{value}{unit}</text></g></a>"#,
            href = esc(&b.href),
            title = esc(&b.title),
            lx = label_w - 6.0,
            ty = y + 15.0,
            label = esc(&b.label),
            fit = fit(&b.label, label_w - 10.0),
            ry = y + 3.0,
            bh = row - 8.0,
            vx = label_w + w + 5.0,
            value = fmt_num(b.value),
            unit = esc(unit),
        );
    }
    s.push_str("</svg>");
    s.push_str(&data_table(bars.iter().map(|b| b.title.as_str())));
    s
}

/// Columns over time (months), each a link.
pub fn columns(id: &str, bars: &[Bar]) -> String {
    let (width, height, pad) = (760.0, 200.0, 28.0);
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(0.0, f64::max)
        .max(f64::EPSILON);
    let n = bars.len().max(1) as f64;
    let step = (width - pad * 2.0) / n;
    let mut s = format!(
        r#"<svg class="chart columns" id="{}" viewBox="0 0 {width} {}" role="img">"#,
        esc(id),
        height + 24.0
    );
    let _ = write!(
        s,
        r#"<line class="axis" x1="{pad}" y1="{height}" x2="{}" y2="{height}"/>"#,
        width - pad
    );
    let label_every = (n / 12.0).ceil().max(1.0) as usize;
    for (i, b) in bars.iter().enumerate() {
        let h = ((height - 20.0) * b.value / max).max(1.0);
        let x = pad + step * i as f64;
        let gap = b.href.is_empty();
        if gap {
            // a stretch without data: a break in the axis, not a column of zeros
            let _ = write!(
                s,
                r#"<g class="gap"><title>{title}</title><line x1="{x1:.1}" y1="{y1}" x2="{x2:.1}" y2="{height}"/></g>"#,
                title = esc(&b.title),
                x1 = x + step / 2.0 - 3.0,
                x2 = x + step / 2.0 + 3.0,
                y1 = height - 12.0,
            );
        } else {
            let _ = write!(
                s,
                r#"<a href="{href}"><g class="mark"><title>{title}</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"/></g></a>"#,
                href = esc(&b.href),
                title = esc(&b.title),
                y = height - h,
                w = (step - 2.0).max(1.0),
            );
        }
        if gap || i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x + step / 2.0,
                height + 16.0,
                esc(&b.label)
            );
        }
    }
    s.push_str("</svg>");
    s.push_str(&data_table(bars.iter().map(|b| b.title.as_str())));
    s
}

/// A tile: a region's place on the grid, its label, value and link.
pub struct Tile {
    pub row: u32,
    pub col: u32,
    pub label: String,
    pub value: f64,
    pub href: String,
    pub title: String,
}

/// A tile map: one square per region, shaded by value (0 = no data).
pub fn tiles(id: &str, tiles: &[Tile], cols: u32, rows: u32) -> String {
    let size = 64.0;
    let max = tiles
        .iter()
        .map(|t| t.value)
        .fold(0.0, f64::max)
        .max(f64::EPSILON);
    let mut s = format!(
        r#"<svg class="chart tiles" id="{}" viewBox="0 0 {} {}" role="img">"#,
        esc(id),
        size * cols as f64 + 4.0,
        size * rows as f64 + 4.0
    );
    for t in tiles {
        let (x, y) = (2.0 + size * t.col as f64, 2.0 + size * t.row as f64);
        let shade = if t.value <= 0.0 {
            0
        } else {
            1 + ((t.value / max).sqrt() * 5.0).floor().min(5.0) as u32
        };
        let _ = write!(
            s,
            r#"<a href="{href}"><g class="mark t{shade}"><title>{title}</title><rect x="{x}" y="{y}" width="{w}" height="{w}" rx="6"/><text x="{cx}" y="{ly}" text-anchor="middle"{fit}>{label}</text><text class="v" x="{cx}" y="{vy}" text-anchor="middle">{value}</text></g></a>"#,
            href = esc(&t.href),
            title = esc(&t.title),
            w = size - 4.0,
            cx = x + (size - 4.0) / 2.0,
            ly = y + 26.0,
            vy = y + 44.0,
            label = esc(&t.label),
            fit = fit(&t.label, size - 10.0),
            value = if t.value > 0.0 {
                fmt_num(t.value)
            } else {
                String::new()
            },
        );
    }
    s.push_str("</svg>");
    s.push_str(&data_table(
        tiles
            .iter()
            .filter(|t| t.value > 0.0)
            .map(|t| t.title.as_str()),
    ));
    s
}

/// Two series per category (e.g. openings and ready people), each toggled from the legend.
pub fn paired(id: &str, rows: &[(String, f64, f64, String)], series: (&str, &str)) -> String {
    let (row, label_w, width) = (30.0, 170.0, 620.0);
    let max = rows
        .iter()
        .map(|r| r.1.max(r.2))
        .fold(0.0, f64::max)
        .max(f64::EPSILON);
    let h = row * rows.len() as f64 + 8.0;
    let mut s = format!(
        r#"<svg class="chart paired" id="{}" viewBox="0 0 {width} {h}" role="img">"#,
        esc(id)
    );
    for (i, (label, a, b, href)) in rows.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let scale = |v: f64| ((width - label_w - 70.0) * v / max).max(1.0);
        let _ = write!(
            s,
            r#"<a href="{href}"><text class="lbl" x="{lx}" y="{ty}" text-anchor="end"{fit}>{label}</text></a><g class="s-a" data-series="a"><title>{sa}: {va}</title><rect x="{label_w}" y="{y1}" width="{wa:.1}" height="10"/><text class="val" x="{xa:.1}" y="{y1t}">{va}</text></g><g class="s-b" data-series="b"><title>{sb}: {vb}</title><rect x="{label_w}" y="{y2}" width="{wb:.1}" height="10"/><text class="val" x="{xb:.1}" y="{y2t}">{vb}</text></g>"#,
            href = esc(href),
            lx = label_w - 6.0,
            ty = y + 17.0,
            label = esc(label),
            fit = fit(label, label_w - 10.0),
            sa = esc(series.0),
            sb = esc(series.1),
            va = fmt_num(*a),
            vb = fmt_num(*b),
            y1 = y + 3.0,
            y1t = y + 12.0,
            y2 = y + 15.0,
            y2t = y + 24.0,
            wa = scale(*a),
            wb = scale(*b),
            xa = label_w + scale(*a) + 5.0,
            xb = label_w + scale(*b) + 5.0,
        );
    }
    s.push_str("</svg>");
    let described: Vec<String> = rows
        .iter()
        .map(|(label, a, b, _)| {
            format!(
                "{label}: {} {}, {} {}",
                series.0,
                fmt_num(*a),
                series.1,
                fmt_num(*b)
            )
        })
        .collect();
    s.push_str(&data_table(described.iter().map(String::as_str)));
    s
}

/// The chart's values as a table for screen readers (each mark's own
/// description, as its hover title says it), kept off the screen.
fn data_table<'a>(rows: impl Iterator<Item = &'a str>) -> String {
    // a div, not the table, is clipped: a table is never narrower than its content
    let mut t = String::from(r#"<div class="sr-only"><table><tbody>"#);
    for r in rows {
        let _ = write!(t, "<tr><td>{}</td></tr>", esc(r));
    }
    t.push_str("</tbody></table></div>");
    t
}

/// A label is never cut: one too wide for `budget` (SVG units at 12 px) is
/// drawn narrower with `textLength`, so two roles that begin alike still
/// read apart ("Information Systems Security Manager" and "… Developer").
fn fit(label: &str, budget: f64) -> String {
    let width: f64 = label
        .chars()
        .map(|c| if c.is_ascii() { 6.6 } else { 12.0 })
        .sum();
    if width <= budget {
        String::new()
    } else {
        format!(r#" textLength="{budget:.0}" lengthAdjust="spacingAndGlyphs""#)
    }
}

pub fn fmt_num(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else if v.abs() < 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.1}")
    }
}

/// China's provinces on a 9 × 8 grid: (short name, English name, row, column).
pub const CN_TILES: &[(&str, &str, u32, u32)] = &[
    ("黑龙江", "Heilongjiang", 0, 8),
    ("内蒙古", "Inner Mongolia", 1, 6),
    ("吉林", "Jilin", 1, 8),
    ("新疆", "Xinjiang", 2, 1),
    ("甘肃", "Gansu", 2, 3),
    ("宁夏", "Ningxia", 2, 4),
    ("山西", "Shanxi", 2, 5),
    ("北京", "Beijing", 2, 6),
    ("天津", "Tianjin", 2, 7),
    ("辽宁", "Liaoning", 2, 8),
    ("青海", "Qinghai", 3, 2),
    ("陕西", "Shaanxi", 3, 4),
    ("河南", "Henan", 3, 5),
    ("河北", "Hebei", 3, 6),
    ("山东", "Shandong", 3, 7),
    ("西藏", "Tibet", 4, 1),
    ("四川", "Sichuan", 4, 3),
    ("重庆", "Chongqing", 4, 4),
    ("湖北", "Hubei", 4, 5),
    ("安徽", "Anhui", 4, 6),
    ("江苏", "Jiangsu", 4, 7),
    ("云南", "Yunnan", 5, 3),
    ("贵州", "Guizhou", 5, 4),
    ("湖南", "Hunan", 5, 5),
    ("江西", "Jiangxi", 5, 6),
    ("浙江", "Zhejiang", 5, 7),
    ("上海", "Shanghai", 5, 8),
    ("广西", "Guangxi", 6, 5),
    ("广东", "Guangdong", 6, 6),
    ("福建", "Fujian", 6, 7),
    ("台湾", "Taiwan", 6, 8),
    ("海南", "Hainan", 7, 5),
    ("澳门", "Macao", 7, 6),
    ("香港", "Hong Kong", 7, 7),
];

/// The US states and DC on a 12 × 8 grid: (name, code, row, column).
pub const US_TILES: &[(&str, &str, u32, u32)] = &[
    ("Alaska", "AK", 0, 0),
    ("Maine", "ME", 0, 11),
    ("Vermont", "VT", 1, 10),
    ("New Hampshire", "NH", 1, 11),
    ("Washington", "WA", 2, 1),
    ("Idaho", "ID", 2, 2),
    ("Montana", "MT", 2, 3),
    ("North Dakota", "ND", 2, 4),
    ("Minnesota", "MN", 2, 5),
    ("Illinois", "IL", 2, 6),
    ("Wisconsin", "WI", 2, 7),
    ("Michigan", "MI", 2, 8),
    ("New York", "NY", 2, 9),
    ("Rhode Island", "RI", 2, 10),
    ("Massachusetts", "MA", 2, 11),
    ("Oregon", "OR", 3, 1),
    ("Nevada", "NV", 3, 2),
    ("Wyoming", "WY", 3, 3),
    ("South Dakota", "SD", 3, 4),
    ("Iowa", "IA", 3, 5),
    ("Indiana", "IN", 3, 6),
    ("Ohio", "OH", 3, 7),
    ("Pennsylvania", "PA", 3, 8),
    ("New Jersey", "NJ", 3, 9),
    ("Connecticut", "CT", 3, 10),
    ("California", "CA", 4, 1),
    ("Utah", "UT", 4, 2),
    ("Colorado", "CO", 4, 3),
    ("Nebraska", "NE", 4, 4),
    ("Missouri", "MO", 4, 5),
    ("Kentucky", "KY", 4, 6),
    ("West Virginia", "WV", 4, 7),
    ("Virginia", "VA", 4, 8),
    ("Maryland", "MD", 4, 9),
    ("Delaware", "DE", 4, 10),
    ("Arizona", "AZ", 5, 2),
    ("New Mexico", "NM", 5, 3),
    ("Kansas", "KS", 5, 4),
    ("Arkansas", "AR", 5, 5),
    ("Tennessee", "TN", 5, 6),
    ("North Carolina", "NC", 5, 7),
    ("South Carolina", "SC", 5, 8),
    ("District of Columbia", "DC", 5, 9),
    ("Oklahoma", "OK", 6, 4),
    ("Louisiana", "LA", 6, 5),
    ("Mississippi", "MS", 6, 6),
    ("Alabama", "AL", 6, 7),
    ("Georgia", "GA", 6, 8),
    ("Hawaii", "HI", 7, 0),
    ("Texas", "TX", 7, 4),
    ("Florida", "FL", 7, 9),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_without_data_are_a_break_not_a_neighbour() {
        let months = vec![
            ("2017-04".to_string(), 3),
            ("2017-05".to_string(), 2),
            ("2023-08".to_string(), 7),
        ];
        let bars = month_bars(
            &months,
            |m, n| Bar {
                label: m.into(),
                value: n as f64,
                href: format!("/m/{m}"),
                title: m.into(),
            },
            |from, to| ("…".into(), format!("{from} – {to}")),
        );
        let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2017-04", "2017-05", "…", "2023-08"]);
        assert_eq!(bars[2].title, "2017-06 – 2023-07");
        assert!(bars[2].href.is_empty());
        let svg = columns("c", &bars);
        assert_eq!(svg.matches("class=\"mark\"").count(), 3);
        assert_eq!(svg.matches("class=\"gap\"").count(), 1);
        // December to January is no gap
        let turn = month_bars(
            &[("2023-12".to_string(), 1), ("2024-01".to_string(), 1)],
            |m, n| Bar {
                label: m.into(),
                value: n as f64,
                href: "x".into(),
                title: String::new(),
            },
            |_, _| (String::new(), String::new()),
        );
        assert_eq!(turn.len(), 2);
    }

    #[test]
    fn labels_and_links_are_escaped() {
        let svg = hbars(
            "x",
            &[Bar {
                label: "<script>alert(1)</script>".into(),
                value: 3.0,
                href: "/a?b=1&c=\"2\"".into(),
                title: "it's".into(),
            }],
            "",
        );
        assert!(
            !svg.contains("<script>")
                && svg.contains("&lt;script&gt;")
                && svg.contains("&amp;c=&quot;2&quot;")
                && svg.contains("it&#39;s")
        );
    }

    #[test]
    fn labels_are_whole_and_long_ones_are_narrowed_not_cut() {
        let bar = |label: &str| Bar {
            label: label.into(),
            value: 1.0,
            href: "/".into(),
            title: label.into(),
        };
        let svg = hbars(
            "x",
            &[
                bar("Information Systems Security Manager"),
                bar("Information Systems Security Developer"),
                bar("渗透测试工程师"),
            ],
            "",
        );
        assert!(!svg.contains('…'));
        assert!(svg.contains(">Information Systems Security Manager<"));
        assert!(svg.contains(">Information Systems Security Developer<"));
        assert_eq!(
            svg.matches("textLength").count(),
            2,
            "only the long ones narrowed"
        );
        assert!(
            svg.contains(r#"<div class="sr-only"><table>"#)
                && svg.contains("<td>渗透测试工程师</td>"),
            "the values in a table for screen readers"
        );
        let tile = |label: &str| Tile {
            row: 0,
            col: 0,
            label: label.into(),
            value: 1.0,
            href: "/".into(),
            title: label.into(),
        };
        let map = tiles(
            "m",
            &[tile("Guangxi"), tile("Guangdong"), tile("广西")],
            3,
            1,
        );
        assert!(map.contains(">Guangxi<") && map.contains(">Guangdong<") && !map.contains('…'));
    }

    #[test]
    fn grids_have_every_region_once() {
        assert_eq!(CN_TILES.len(), 34);
        assert_eq!(US_TILES.len(), 51);
        for grid in [
            CN_TILES.iter().map(|t| (t.2, t.3)).collect::<Vec<_>>(),
            US_TILES.iter().map(|t| (t.2, t.3)).collect(),
        ] {
            let mut cells = grid.clone();
            cells.sort_unstable();
            cells.dedup();
            assert_eq!(cells.len(), grid.len(), "no two regions share a tile");
        }
    }
}
