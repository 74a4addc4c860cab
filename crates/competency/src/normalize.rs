use unicode_normalization::UnicodeNormalization;

/// Normalises a term for matching: NFKC (full-width → half-width), lower case,
/// runs of whitespace collapsed to one space, trimmed.
///
/// ```
/// assert_eq!(cb_competency::normalize("  ＳＱＬ　注入 "), "sql 注入");
/// ```
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkc().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_width_case_and_space() {
        assert_eq!(normalize("Burp  Suite"), "burp suite");
        assert_eq!(normalize("ＢＵＲＰ"), "burp");
        assert_eq!(normalize("\t等保２．０\n"), "等保2.0");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("   "), "");
    }

    #[test]
    fn is_idempotent_on_many_inputs() {
        for s in [
            "渗透测试 工程师",
            "ＳＱＬｉ",
            "Ａ　Ｂ",
            "x\u{3000}y",
            "Ünïcödé",
            "ﬁ ligature",
        ] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s}");
        }
    }
}
