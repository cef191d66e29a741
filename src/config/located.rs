//! Config errors that point at the place: `file:line:col: what is wrong` and what to write.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    /// 1-based line and column, when the problem has a place in the file.
    pub at: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl ConfigError {
    pub fn new(message: impl Into<String>) -> Self {
        ConfigError {
            file: None,
            at: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.at) {
            (Some(file), Some((line, col))) => write!(f, "{}:{line}:{col}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            (None, Some((line, col))) => write!(f, "line {line}, column {col}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  fix: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Turns byte offsets into 1-based line and column (in characters) for one source text.
pub struct Locator<'a> {
    pub file: Option<PathBuf>,
    pub text: &'a str,
    /// Where in `text` the spans given to `error` count from (a part of the file parsed alone).
    pub base: usize,
}

impl Locator<'_> {
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    pub fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            at: span.map(|s| self.line_col(self.base + s.start)),
            message: message.into(),
            hint: None,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let loc = Locator {
            file: None,
            text: "a = 1\nbé = 2\n",
            base: 0,
        };
        assert_eq!(loc.line_col(0), (1, 1));
        assert_eq!(loc.line_col(6), (2, 1));
        assert_eq!(loc.line_col(9), (2, 3));
        assert_eq!(loc.line_col(999), (3, 1));
    }
}
