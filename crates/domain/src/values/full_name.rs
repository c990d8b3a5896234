use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::{BidiControl, GeneralCategory, NoncharacterCodePoint};
use icu_properties::{CodePointMapData, CodePointSetData};

use crate::error::{Field, ValueError};

/// NFC, trimmed, 1–100 characters, and only characters that show as text in one line:
/// see `refusal` for what is kept out and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    pub const MAX: usize = 100;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for FullName {
    type Error = ValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        // One spelling per name: "é" typed as e + U+0301 and as U+00E9 are the same name,
        // and the length limit counts what a person sees more closely.
        let normalized = ComposingNormalizerBorrowed::new_nfc().normalize(value);
        let trimmed = normalized.trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(ValueError::invalid(
                Field::FullName,
                "Full name must not be empty.",
            ));
        }
        if len > Self::MAX {
            return Err(ValueError::invalid(
                Field::FullName,
                format!("Full name must be at most {} characters.", Self::MAX),
            ));
        }
        if let Some((c, why)) = trimmed.chars().find_map(|c| refusal(c).map(|why| (c, why))) {
            return Err(ValueError::invalid(
                Field::FullName,
                format!("Full name must not contain {why} (U+{:04X}).", u32::from(c)),
            ));
        }
        Ok(Self(trimmed.to_string()))
    }
}

/// Why `c` cannot be part of a name, if it cannot.
/// - Controls, line and paragraph separators: a name is one line of text.
/// - Every Bidi_Control character, the invisible marks (U+200E/200F/061C) included and not
///   only the embeddings, overrides and isolates: each can reorder what is shown around
///   the name (a name that reads differently from its bytes). A name in one script needs
///   none; the pages show names with `dir="auto"`.
/// - Noncharacters (U+FDD0–FDEF, U+xxFFFE/xxFFFF) are for a program's internal use.
/// - Unassigned code points have no agreed rendering yet, so nobody can check them.
///
/// ZWJ/ZWNJ (U+200D/200C) stay: emoji sequences and scripts such as Persian and the
/// Indic ones need them in ordinary names.
fn refusal(c: char) -> Option<&'static str> {
    if CodePointSetData::new::<BidiControl>().contains(c) {
        return Some("a bidirectional control character");
    }
    if CodePointSetData::new::<NoncharacterCodePoint>().contains(c) {
        return Some("a noncharacter");
    }
    match CodePointMapData::<GeneralCategory>::new().get(c) {
        GeneralCategory::Control => Some("a control character"),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
            Some("a line or paragraph separator")
        }
        GeneralCategory::Unassigned => Some("an unassigned code point"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_normalizes_and_keeps_names_of_every_script() {
        for (sent, stored) in [
            ("  Ada Lovelace ", "Ada Lovelace"),
            ("Zoë 李", "Zoë 李"),
            // e + combining acute → é (NFC).
            ("Zoe\u{308}", "Zo\u{EB}"),
            ("A\u{30A}sa", "\u{C5}sa"),
            // ZWNJ in Persian, ZWJ in an emoji family, a flag's tag sequence.
            ("می\u{200C}خواهم", "می\u{200C}خواهم"),
            ("Ada 👩\u{200D}👩\u{200D}👧", "Ada 👩\u{200D}👩\u{200D}👧"),
            (
                "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
                "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
            ),
            ("שרה כהן", "שרה כהן"),
            ("محمد", "محمد"),
            ("\u{E000}x", "\u{E000}x"),
        ] {
            assert_eq!(
                FullName::try_from(sent).unwrap().as_str(),
                stored,
                "{sent:?}"
            );
        }
        assert!(FullName::try_from(&"é".repeat(100)[..]).is_ok());
        // 100 decomposed é are 200 chars before NFC and 100 after.
        assert!(FullName::try_from(&"e\u{301}".repeat(100)[..]).is_ok());
    }

    #[test]
    fn refuses_empty_long_and_invisible_or_unassigned_characters() {
        let long = "a".repeat(101);
        let mut refused: Vec<String> = vec![
            String::new(),
            "   ".into(),
            long,
            "Ada\nLovelace".into(),
            "Ada\u{0}".into(),
            "\u{7f}x".into(),
            "a\u{9b}b".into(),
        ];
        let bidi = (0x202A..=0x202E)
            .chain(0x2066..=0x2069)
            .chain([0x200E, 0x200F, 0x061C]);
        let separators = [0x2028, 0x2029];
        let noncharacters = (0xFDD0..=0xFDEF)
            .chain((0..=0x10).flat_map(|plane| [plane << 16 | 0xFFFE, plane << 16 | 0xFFFF]));
        // Unassigned today: the end of Greek Extended's holes, a gap in plane 1, plane 3's
        // tail, and the unallocated planes 4–13.
        let unassigned = [0x0378, 0x1F00 + 0x16, 0x1FFFD, 0x3FFFD, 0x4_0000, 0xD_FFFD];
        for cp in bidi
            .chain(separators)
            .chain(noncharacters)
            .chain(unassigned)
        {
            let c = char::from_u32(cp).unwrap();
            refused.push(format!("Ada{c}Lovelace"));
        }
        for bad in &refused {
            let err = FullName::try_from(bad.as_str()).unwrap_err();
            assert!(matches!(err, ValueError::Invalid { .. }), "{bad:?}");
            assert_eq!(err.field(), Field::FullName, "{bad:?}");
        }
        // The check covers the whole classes, not only the examples above.
        assert_eq!(
            (0..=0x10FFFF)
                .filter_map(char::from_u32)
                .filter(|&c| CodePointSetData::new::<NoncharacterCodePoint>().contains(c))
                .count(),
            66
        );
    }
}
