//! "Did you mean …?" suggestions for names that are not in the catalogue.

/// The lowest Jaro-Winkler similarity that still earns a suggestion.
///
/// Picked by trying typical slips against the built-in names: a dropped or
/// swapped letter (`c7g.larg`, `t3.mediun`) scores above 0.95, a wrong family
/// digit (`m9.large`) about 0.9, while unrelated words stay below 0.7. It may
/// need revisiting if the catalogue grows many near-identical names.
const MIN_SIMILARITY: f64 = 0.85;

/// Returns the candidate most similar to `name`, if it is similar enough to
/// be worth suggesting. Case is ignored, so `C7G.LARGE` suggests `c7g.large`.
/// Of equally similar candidates the first wins.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let wanted = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&wanted, &candidate.to_lowercase());
        if score >= MIN_SIMILARITY && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 5] = ["c7g.large", "c7g.xlarge", "t3.medium", "m5.large", "db.r6g.large"];

    #[test]
    fn suggests_the_name_with_one_letter_missing() {
        assert_eq!(closest("c7g.larg", NAMES).as_deref(), Some("c7g.large"));
        assert_eq!(closest("t3.mediun", NAMES).as_deref(), Some("t3.medium"));
    }

    #[test]
    fn ignores_case() {
        assert_eq!(closest("C7G.LARGE", NAMES).as_deref(), Some("c7g.large"));
    }

    #[test]
    fn stays_silent_for_unrelated_words() {
        assert_eq!(closest("banana", NAMES), None);
        assert_eq!(closest("", NAMES), None);
    }
}
