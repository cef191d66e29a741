//! The team ledger as the app knows it: answering or not. A ledger call past its deadline (the
//! worker's count, the listener's connection) makes it "not answering" until one answers
//! again; meanwhile the title says so and nothing that needs an intent is sent (no form opens,
//! no form or bulk run is sent). Reads of Meta go on.

use super::App;
use crate::tui::msg::Level;

impl App {
    pub(super) fn on_ledger_answering(&mut self, answering: bool) {
        // The local trail has no deadline to miss.
        if self.ledger_name.is_none() || self.ledger_silent != answering {
            return;
        }
        self.ledger_silent = !answering;
        if answering {
            self.notice(Level::Info, "the team ledger answers again");
        } else {
            self.notice(
                Level::Error,
                "the team ledger is not answering: no change is sent until it answers (reads go on; R asks it again)",
            );
        }
    }

    /// True (and said in the log pane) when the team ledger is not answering: the caller sends
    /// nothing that needs it.
    pub(crate) fn refused_while_silent(&mut self) -> bool {
        if self.ledger_silent {
            self.notice(
                Level::Error,
                "the team ledger is not answering: nothing was sent; R asks it again",
            );
        }
        self.ledger_silent
    }
}
