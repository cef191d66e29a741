//! Characters that show nothing: Unicode's Default_Ignorable_Code_Point set and its format
//! characters (general category Cf). A name holding one looks like the name without it ("sb"
//! and "sb" + U+E0101 print the same), and some of them reorder or join the text around them.
//! The config refuses them in names, the cleaner turns them into a visible `�`, and the
//! ledger's scrub drops them before it looks for the password in what a server said.

/// Inclusive ranges, sorted and not overlapping: the union of
/// - Default_Ignorable_Code_Point, from DerivedCoreProperties.txt (Unicode 16.0.0,
///   <https://www.unicode.org/Public/16.0.0/ucd/DerivedCoreProperties.txt>), marked DI;
/// - general category Cf, from DerivedGeneralCategory.txt (Unicode 16.0.0,
///   <https://www.unicode.org/Public/16.0.0/ucd/extracted/DerivedGeneralCategory.txt>),
///   marked Cf.
///
/// Unassigned code points inside a DI range (U+2065, U+FFF0–FFF8, U+E0000…) are DI too: the
/// standard reserves them as invisible. `tests/config_names.rs` checks the table against the
/// regex crate's own copy of both properties.
const INVISIBLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),   // DI Cf  soft hyphen
    ('\u{034F}', '\u{034F}'),   // DI     combining grapheme joiner
    ('\u{0600}', '\u{0605}'),   //    Cf  Arabic number signs
    ('\u{061C}', '\u{061C}'),   // DI Cf  Arabic letter mark
    ('\u{06DD}', '\u{06DD}'),   //    Cf  Arabic end of ayah
    ('\u{070F}', '\u{070F}'),   //    Cf  Syriac abbreviation mark
    ('\u{0890}', '\u{0891}'),   //    Cf  Arabic pound and piastre marks above
    ('\u{08E2}', '\u{08E2}'),   //    Cf  Arabic disputed end of ayah
    ('\u{115F}', '\u{1160}'),   // DI     Hangul choseong and jungseong fillers
    ('\u{17B4}', '\u{17B5}'),   // DI     Khmer inherent vowels
    ('\u{180B}', '\u{180F}'),   // DI     Mongolian variation selectors, vowel separator (Cf)
    ('\u{200B}', '\u{200F}'),   // DI Cf  zero-width space, joiners, LRM, RLM
    ('\u{202A}', '\u{202E}'),   // DI Cf  bidi embeddings and overrides
    ('\u{2060}', '\u{206F}'),   // DI     word joiner, invisible operators, bidi isolates (Cf)
    ('\u{3164}', '\u{3164}'),   // DI     Hangul filler
    ('\u{FE00}', '\u{FE0F}'),   // DI     variation selectors
    ('\u{FEFF}', '\u{FEFF}'),   // DI Cf  zero-width no-break space (BOM)
    ('\u{FFA0}', '\u{FFA0}'),   // DI     halfwidth Hangul filler
    ('\u{FFF0}', '\u{FFF8}'),   // DI     reserved
    ('\u{FFF9}', '\u{FFFB}'),   //    Cf  interlinear annotation marks
    ('\u{110BD}', '\u{110BD}'), //    Cf  Kaithi number sign
    ('\u{110CD}', '\u{110CD}'), //    Cf  Kaithi number sign above
    ('\u{13430}', '\u{1343F}'), //    Cf  Egyptian hieroglyph format controls
    ('\u{1BCA0}', '\u{1BCA3}'), // DI Cf  shorthand format controls
    ('\u{1D173}', '\u{1D17A}'), // DI Cf  musical symbol beam, tie, slur, phrase controls
    ('\u{E0000}', '\u{E0FFF}'), // DI     tags (Cf), variation selectors supplement, reserved
];

/// Whether `c` is default-ignorable or a format character.
pub fn is_invisible(c: char) -> bool {
    // Below the first entry: every ASCII and Latin-1 letter, without a search.
    if c < INVISIBLE[0].0 {
        return false;
    }
    INVISIBLE
        .binary_search_by(|&(start, end)| {
            if end < c {
                std::cmp::Ordering::Less
            } else if start > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_its_ranges_do_not_overlap() {
        for pair in INVISIBLE.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
        for (start, end) in INVISIBLE {
            assert!(is_invisible(*start) && is_invisible(*end));
        }
        for plain in ['a', ' ', 'é', '\u{AC}', '\u{AE}', '–', '\u{E1000}'] {
            assert!(!is_invisible(plain), "{plain:?}");
        }
    }
}
