//! Fast text folding for matching: full-width ASCII → ASCII, ideographic
//! space → space, lower case, whitespace runs → one space. The lexicon's
//! patterns and a posting's text are folded by the same function, so they meet.

/// Folds `s` into `out` (cleared first).
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    out.reserve(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '²' => '2',
            '³' => '3',
            _ => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

pub fn fold(s: &str) -> String {
    let mut out = String::new();
    fold_into(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::fold;
    use proptest::prelude::*;

    #[test]
    fn folds_width_case_space() {
        assert_eq!(fold("  ＢＵＲＰ　Suite\n"), "burp suite");
        assert_eq!(fold("熟悉Python/Go"), "熟悉python/go");
        assert_eq!(fold("OSCE³ (ISC)²"), "osce3 (isc)2");
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,60}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn folding_agrees_with_nfkc_normalise_on_ascii_and_fullwidth(s in "[ -~\u{FF01}-\u{FF5E}\u{3000}]{0,40}") {
            prop_assert_eq!(fold(&s), cb_competency::normalize(&s));
        }
    }
}
