//! Fitting text into terminal columns: how wide a string is on screen (wide characters take
//! two cells) and cutting it with an ellipsis so a cut is visible, never silent.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The cells `text` takes on a terminal.
pub fn of(text: &str) -> usize {
    text.width()
}

/// `text` cut to at most `width` cells, ending in `…` when something was cut.
pub fn ellipsize(text: &str, width: usize) -> Cow<'_, str> {
    if of(text) <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        cut.push(c);
        used += w;
    }
    cut.push('…');
    Cow::Owned(cut)
}

/// `text` followed by spaces up to `width` cells (as it is when it is wider).
pub fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(of(text))))
}

/// `text` after spaces up to `width` cells (as it is when it is wider).
pub fn pad_left(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(of(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_is_marked_and_fits() {
        assert_eq!(ellipsize("Support DE", 20), "Support DE");
        assert_eq!(ellipsize("Support Germany", 8), "Support…");
        assert_eq!(of(&ellipsize("Support Germany", 8)), 8);
        assert_eq!(ellipsize("abc", 0), "");
        assert_eq!(ellipsize("abc", 1), "…");
    }

    #[test]
    fn padding_counts_cells() {
        assert_eq!(pad("東京", 6), "東京  ");
        assert_eq!(pad_left("10", 5), "   10");
        assert_eq!(pad("Support DE", 4), "Support DE");
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(of("東京"), 4);
        let cut = ellipsize("東京支店サポート", 5);
        assert!(of(&cut) <= 5, "{cut}");
        assert!(cut.ends_with('…'));
    }
}
