//! The progress bar: runs done out of runs to do, with an estimate of the
//! time left, on a terminal; nothing when the output is a file or a pipe
//! (a CI log), so logs stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether to draw a progress bar: only on a terminal, and only for more
/// than one run (a single run's table follows at once).
pub fn visible(stderr_is_terminal: bool, runs: u64) -> bool {
    stderr_is_terminal && runs > 1
}

/// A bar over a batch's runs; hidden when not wanted.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `runs` runs, drawn on standard error when `show` and
    /// [`visible`] agree.
    pub fn new(runs: u64, show: bool) -> Progress {
        use std::io::IsTerminal;
        let draw = show && visible(std::io::stderr().is_terminal(), runs);
        let bar = if draw {
            let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs  {elapsed} elapsed, about {eta} left",
            ) {
                bar.set_style(style);
            }
            // Redraw every second, so the elapsed time moves before the
            // first run finishes.
            bar.enable_steady_tick(std::time::Duration::from_secs(1));
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress { bar }
    }

    /// One run is done.
    pub fn tick(&self) {
        self.bar.inc(1);
    }

    /// All runs are done: the bar goes away.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_only_on_a_terminal_and_for_several_runs() {
        assert!(visible(true, 10));
        assert!(!visible(false, 10), "a pipe or a file gets no bar");
        assert!(!visible(true, 1));
    }
}
