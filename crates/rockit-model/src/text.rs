//! Text that came from a server (or a user) made safe to show: one line, no terminal escapes, and
//! no invisible characters that change how the text around them reads.
//!
//! The wire keeps every byte: names and messages are encoded exactly as received. Only what is
//! shown to a person (terminal output, error messages, logs) goes through [`printable`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` fit for one line of a terminal or a log:
///
/// - line breaks, tabs and the other whitespace controls become a space;
/// - every other control character (C0, DEL, C1: ESC and CSI included) becomes U+FFFD, so a
///   server cannot move the cursor, change colours, set the clipboard or forge a line;
/// - characters that change how text looks without being seen — bidirectional overrides and
///   isolates (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width characters
///   (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E, U+00AD), tag characters — and look-alikes of
///   `/` and `\` (U+2215, U+2044, U+FF0F, U+29F8, U+FF3C, U+2216, U+29F9) are shown escaped, as
///   `\u{202e}`, so that what a person reads is what the server sent.
///
/// Everything else, accents, CJK and emoji included, is kept. Borrows when nothing changes.
///
/// ```
/// use rockit_model::printable;
///
/// assert_eq!(printable("done"), "done");
/// assert_eq!(printable("line\nbreak"), "line break");
/// assert_eq!(printable("\u{1b}[2Jcleared"), "\u{fffd}[2Jcleared");
/// assert_eq!(printable("sushi\u{202e}gpj.exe"), "sushi\\u{202e}gpj.exe");
/// assert_eq!(printable("app\u{ff0f}build"), "app\\u{ff0f}build");
/// assert_eq!(printable("café ✓"), "café ✓");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|ch| ch.is_control() || is_deceptive(ch)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '\t' | '\n' | '\r' | '\x0b' | '\x0c' => out.push(' '),
            ch if ch.is_control() => out.push('\u{fffd}'),
            ch if is_deceptive(ch) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(ch));
            }
            ch => out.push(ch),
        }
    }
    Cow::Owned(out)
}

/// Characters that are invisible, reorder the text around them, or pass for `/` or `\`.
fn is_deceptive(ch: char) -> bool {
    matches!(
        ch,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
            | '\u{2044}'
            | '\u{2215}'
            | '\u{2216}'
            | '\u{29f8}'
            | '\u{29f9}'
            | '\u{ff0f}'
            | '\u{ff3c}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_spaces_or_replacement_characters() {
        assert_eq!(printable("a\tb\r\nc"), "a b  c");
        assert_eq!(printable("evil\u{1b}]52;c;AAAA\u{7}"), "evil\u{fffd}]52;c;AAAA\u{fffd}");
        assert_eq!(printable("\u{7f}\u{9b}31m\0"), "\u{fffd}\u{fffd}31m\u{fffd}");
    }

    #[test]
    fn invisible_and_lookalike_characters_are_escaped() {
        for (ch, shown) in [
            ('\u{202e}', "\\u{202e}"),
            ('\u{2066}', "\\u{2066}"),
            ('\u{200b}', "\\u{200b}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{ff0f}', "\\u{ff0f}"),
            ('\u{2215}', "\\u{2215}"),
            ('\u{e0041}', "\\u{e0041}"),
        ] {
            assert_eq!(printable(&format!("a{ch}b")), format!("a{shown}b"), "{:x}", u32::from(ch));
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for text in ["exampleorg-sushi-0001-1732886919-dltar", "café ✓ 寿司 🍣", "a/b\\c", ""] {
            assert!(matches!(printable(text), Cow::Borrowed(same) if same == text), "{text}");
        }
    }
}
