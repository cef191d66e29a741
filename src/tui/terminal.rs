//! Taking over the terminal and giving it back on every exit path: a guard that restores on
//! drop, and a panic hook that restores before the panic message is printed.

use ratatui::DefaultTerminal;
use std::io;

pub struct TerminalGuard {
    pub terminal: DefaultTerminal,
}

impl TerminalGuard {
    /// Raw mode and the alternate screen; mouse capture stays off. ratatui installs a panic
    /// hook that restores the terminal first.
    pub fn enter() -> io::Result<TerminalGuard> {
        let terminal = ratatui::try_init()?;
        Ok(TerminalGuard { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}
