//! Checks of the routing between stations as a whole: every loop has a
//! way out, and requests take it often enough for a run to end.

use super::components::ComponentNames;
use super::error::Problem;
use super::model::{Component, ComponentKind};

/// Most visits a request may pay to one station on average: beyond this a
/// loop's exit is so unlikely that the run would spend its time circling.
const MAX_MEAN_VISITS: f64 = 10_000.0;

/// Refuses routing whose loops a request leaves so rarely that it would
/// visit a station more than [`MAX_MEAN_VISITS`] times on average.
///
/// The mean visits are the fundamental matrix N = (I − Q)⁻¹ of the routing
/// (Q: the branch probabilities between stations; a branch to any other
/// component counts as leaving the loop), solved by Gauss–Jordan
/// elimination. `check_stations_reach_exit` has already made I − Q
/// invertible.
pub(super) fn check_station_visits(
    built: &[Component],
    names: &ComponentNames,
) -> Result<(), Problem> {
    let stations: Vec<usize> = (0..built.len())
        .filter(|&id| matches!(built[id].kind, ComponentKind::Station(_)))
        .collect();
    let n = stations.len();
    if n == 0 {
        return Ok(());
    }
    let index = |id: usize| stations.iter().position(|&s| s == id);
    // [I − Q | I], reduced to [I | N].
    let mut m = vec![vec![0.0; 2 * n]; n];
    for (row, &id) in stations.iter().enumerate() {
        m[row][row] = 1.0;
        m[row][n + row] = 1.0;
        let ComponentKind::Station(spec) = &built[id].kind else { unreachable!() };
        let mut previous = 0.0;
        for hop in &spec.next {
            let p = hop.cumulative - previous;
            previous = hop.cumulative;
            if let Some(col) = hop.to.and_then(index) {
                m[row][col] -= p;
            }
        }
    }
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .expect("a column has rows");
        m.swap(col, pivot);
        let lead = m[col][col];
        if lead.abs() < 1e-12 {
            return Ok(());
        }
        for v in m[col].iter_mut() {
            *v /= lead;
        }
        for row in 0..n {
            if row != col {
                let factor = m[row][col];
                if factor != 0.0 {
                    let pivot_row = m[col].clone();
                    for (v, p) in m[row].iter_mut().zip(&pivot_row) {
                        *v -= factor * p;
                    }
                }
            }
        }
    }
    let worst = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .max_by(|&(a, b), &(c, d)| m[a][n + b].total_cmp(&m[c][n + d]));
    if let Some((from, to)) = worst {
        let visits = m[from][n + to];
        if visits > MAX_MEAN_VISITS {
            let (name, _, span) = &names.entries[stations[to]];
            let from_name = &names.entries[stations[from]].0;
            return Err(Problem::new(
                span.clone(),
                format!("components.{name}.next"),
                format!(
                    "a request entering at `{from_name}` would visit `{name}` {visits:.0} times on \
                     average: expected at most {MAX_MEAN_VISITS:.0}"
                ),
            )
            .with_hint("give the loop's way out a larger share"));
        }
    }
    Ok(())
}

/// Refuses a station from which no chain of routing branches leads to
/// `"exit"`: its requests would circle for ever and never be answered.
pub(super) fn check_stations_reach_exit(
    built: &[Component],
    names: &ComponentNames,
) -> Result<(), Problem> {
    let next_of = |id: usize| match &built[id].kind {
        ComponentKind::Station(spec) => Some(&spec.next),
        _ => None,
    };
    let mut reaches_exit: Vec<bool> = (0..built.len())
        .map(|id| next_of(id).is_some_and(|next| next.iter().any(|hop| hop.to.is_none())))
        .collect();
    // Fixed point: a station reaches the exit if any branch leads to one that does.
    let mut changed = true;
    while changed {
        changed = false;
        for id in 0..built.len() {
            if reaches_exit[id] {
                continue;
            }
            if let Some(next) = next_of(id)
                && next.iter().any(|hop| hop.to.is_some_and(|to| reaches_exit[to]))
            {
                reaches_exit[id] = true;
                changed = true;
            }
        }
    }
    match (0..built.len()).find(|&id| next_of(id).is_some() && !reaches_exit[id]) {
        Some(id) => {
            let (name, _, span) = &names.entries[id];
            Err(Problem::new(
                span.clone(),
                format!("components.{name}.next"),
                format!("requests at `{name}` can never leave: no chain of `next` branches reaches \"exit\""),
            )
            .with_hint("give one of the stations in the loop a branch { to = \"exit\", p = … }"))
        }
        None => Ok(()),
    }
}
