//! Styles. Colours carry meaning (connected, pending, trouble, quality); with `NO_COLOR` set the
//! same meaning falls back to bold, dim and reverse.

use ratatui::style::{Color, Modifier, Style};

use crate::graph::types::{CodeVerification, NumberStatus, QualityRating};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// `NO_COLOR` set to anything non-empty turns colour off (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn pick(&self, color: Color, fallback: Modifier) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new().add_modifier(fallback)
        }
    }

    pub fn good(&self) -> Style {
        self.pick(Color::Green, Modifier::empty())
    }

    pub fn warn(&self) -> Style {
        self.pick(Color::Yellow, Modifier::BOLD)
    }

    pub fn bad(&self) -> Style {
        self.pick(Color::Red, Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn accent(&self) -> Style {
        self.pick(Color::Cyan, Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn focused_border(&self) -> Style {
        self.pick(Color::Cyan, Modifier::BOLD)
    }

    pub fn status(&self, status: &NumberStatus) -> Style {
        match status {
            NumberStatus::Connected => self.good(),
            NumberStatus::Pending | NumberStatus::Unverified | NumberStatus::Disconnected => {
                self.warn()
            }
            NumberStatus::Flagged
            | NumberStatus::Restricted
            | NumberStatus::RateLimited
            | NumberStatus::Banned
            | NumberStatus::Deleted => self.bad(),
            _ => Style::new(),
        }
    }

    pub fn quality(&self, quality: &QualityRating) -> Style {
        match quality {
            QualityRating::Green => self.good(),
            QualityRating::Yellow => self.warn(),
            QualityRating::Red => self.bad(),
            _ => self.dim(),
        }
    }

    pub fn verification(&self, v: &CodeVerification) -> Style {
        match v {
            CodeVerification::Verified => self.good(),
            _ => self.warn(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_meaning_falls_back_to_modifiers() {
        let plain = Theme { color: false };
        let styles = [
            plain.good(),
            plain.warn(),
            plain.bad(),
            plain.dim(),
            plain.accent(),
            plain.selected(),
            plain.status(&NumberStatus::Banned),
            plain.quality(&QualityRating::Red),
        ];
        for style in styles {
            assert_eq!(style.fg, None, "{style:?}");
            assert_eq!(style.bg, None, "{style:?}");
        }
        assert!(plain.bad().add_modifier.contains(Modifier::BOLD));
        assert!(plain.selected().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(Theme { color: true }.bad().fg, Some(Color::Red));
    }
}
