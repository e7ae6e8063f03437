//! Turns raw samples into runs of drawable points, breaking lines at gaps.

/// Consecutive points of one series with no gap between them.
pub(super) type Run = Vec<(f64, f64)>;

/// Splits `points` into runs: a missing value, or one that `is_drawable`
/// rejects, ends the current run, so the line shows a gap there instead of
/// bridging over missing data. Points with a non-finite x are gaps too.
///
/// `is_drawable` lets a log axis reject zeros, which it cannot show.
pub(super) fn runs(
    points: impl IntoIterator<Item = (f64, Option<f64>)>,
    is_drawable: impl Fn(f64) -> bool,
) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut current = Run::new();
    for (x, y) in points {
        match y {
            Some(y) if x.is_finite() && y.is_finite() && is_drawable(y) => current.push((x, y)),
            _ if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            _ => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Redraws `run` as a staircase: each value holds until the next sample.
///
/// This is how a count such as running instances really behaves; a sloped
/// line would suggest half an instance existed between two samples.
pub(super) fn steps(run: &[(f64, f64)]) -> Run {
    let mut out = Run::with_capacity(run.len() * 2);
    for pair in run.windows(2) {
        let ((x0, y0), (x1, _)) = (pair[0], pair[1]);
        out.extend([(x0, y0), (x1, y0)]);
    }
    out.extend(run.last());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_nan_split_runs() {
        let points = [
            (0.0, Some(1.0)),
            (1.0, Some(2.0)),
            (2.0, None),
            (3.0, Some(f64::NAN)),
            (4.0, Some(5.0)),
            (f64::NAN, Some(6.0)),
            (6.0, Some(7.0)),
        ];
        let runs = runs(points, |_| true);
        assert_eq!(runs, vec![vec![(0.0, 1.0), (1.0, 2.0)], vec![(4.0, 5.0)], vec![(6.0, 7.0)]]);
    }

    #[test]
    fn rejected_values_are_gaps() {
        let points = [(0.0, Some(0.0)), (1.0, Some(2.0))];
        assert_eq!(runs(points, |y| y > 0.0), vec![vec![(1.0, 2.0)]]);
    }

    #[test]
    fn steps_hold_each_value_until_the_next_sample() {
        let run = [(0.0, 2.0), (1.0, 4.0), (3.0, 3.0)];
        let expected = vec![(0.0, 2.0), (1.0, 2.0), (1.0, 4.0), (3.0, 4.0), (3.0, 3.0)];
        assert_eq!(steps(&run), expected);
    }
}
