//! The progress bar: runs done / total, rate and ETA on stderr, hidden when
//! stderr is not a terminal (logs and CI stay clean).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use profspace::sweep::Progress;

/// An indicatif bar behind the runner's [`Progress`] interface.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar drawn on stderr when `visible`.
    pub fn new(visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40.cyan/blue} {pos}/{len} runs  {rate:.dim}  eta {eta}",
            )
            .map(|st| {
                st.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        // Whole runs per second: "54 runs/s", not "53.7762/s".
                        let _ = write!(w, "{:.0} runs/s", state.per_sec());
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64, done: u64) {
        self.bar.set_length(total);
        self.bar.set_position(done);
        self.bar.reset_eta();
    }

    fn advance(&self, done: u64) {
        self.bar.set_position(done);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
