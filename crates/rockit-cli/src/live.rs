//! Where live views draw: stderr as indicatif sees it, with the one change that lets a view erase
//! itself whole after Ctrl-C and after the terminal narrows.
//!
//! indicatif pads every line it draws with spaces to the terminal's full width, so that the next
//! line starts on the next row. After the last line that leaves the cursor in the last column,
//! where the `^C` a terminal echoes on Ctrl-C wraps onto a row of its own, and erasing the view
//! erases that row, leaving the last frame above it. `LiveTerm` pads no line: the padding of a
//! line is held back until something follows it, and then becomes "erase to the end of the row,
//! next row"; at the flush that ends a frame, only "erase to the end of the row". The live line
//! then holds only its text, which
//! [`fit`] keeps a few columns short of the width: the echo stays on its row, and a terminal
//! narrowed down to the text's width does not wrap it. Narrowed further, a terminal that reflows
//! wraps the live row onto more rows; the next frame erases them all before it draws.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::TermLike;
use unicode_width::UnicodeWidthStr as _;

/// The widest a live line is drawn, whatever the terminal's width: a terminal narrowed to it
/// later still holds it on one row.
const MAX_WIDTH: usize = 72;

/// stderr, ending lines without padding them.
#[derive(Debug)]
struct LiveTerm {
    term: console::Term,
    /// Padding written by indicatif and not yet sent: sent if another line follows.
    pending: AtomicUsize,
    /// Columns written on the current row so far.
    row: AtomicUsize,
    /// Columns of the row the last frame ended on, and how wide the terminal was then.
    last_row: AtomicUsize,
    last_width: AtomicUsize,
}

impl LiveTerm {
    /// Ends the line the held-back padding was for, as the padding would have (something follows
    /// it): erase to the end of the row and go to the next, so that no line ends in spaces that a
    /// narrower terminal would wrap onto a blank row (nor a recorded log keeps).
    fn release(&self) -> io::Result<()> {
        if self.pending.swap(0, Ordering::Relaxed) == 0 {
            return Ok(());
        }
        self.row.store(0, Ordering::Relaxed);
        self.term.write_str("\x1b[K\r\n")
    }

    /// The rows above the cursor that the last frame's row now takes too: a terminal narrowed
    /// below that row's width since reflows it onto more rows (as tmux, VTE, kitty, iTerm2 and
    /// Windows Terminal do), which indicatif, counting one row, would leave behind.
    fn reflowed_rows(&self) -> usize {
        let (columns, then) =
            (self.last_row.swap(0, Ordering::Relaxed), self.last_width.load(Ordering::Relaxed));
        extra_rows(columns, then, usize::from(self.width()))
    }
}

impl TermLike for LiveTerm {
    fn width(&self) -> u16 {
        self.term.size().1
    }

    fn height(&self) -> u16 {
        self.term.size().0
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.release()?;
        self.term.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.release()?;
        self.term.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.release()?;
        self.term.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.release()?;
        self.term.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.release()?;
        self.term.write_line(s)
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        // indicatif writes a line's padding on its own, after the line; none for a line exactly
        // as wide as the terminal, whose next line starts a new row all the same.
        if s.is_empty() {
            self.row.store(0, Ordering::Relaxed);
        }
        if !s.is_empty() && s.bytes().all(|byte| byte == b' ') {
            self.release()?;
            self.pending.store(s.len(), Ordering::Relaxed);
            return Ok(());
        }
        self.release()?;
        self.row.fetch_add(console::measure_text_width(s), Ordering::Relaxed);
        self.term.write_str(s)
    }

    fn clear_line(&self) -> io::Result<()> {
        self.release()?;
        self.row.store(0, Ordering::Relaxed);
        self.term.clear_line()?;
        // Redrawn from scratch after a narrowing: the rows the last frame wrapped onto go too.
        for _ in 0..self.reflowed_rows() {
            self.term.move_cursor_up(1)?;
            self.term.clear_line()?;
        }
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        // The end of a frame: its last line keeps the cursor just after its text.
        if self.pending.swap(0, Ordering::Relaxed) > 0 {
            self.term.write_str("\x1b[K")?;
        }
        self.last_row.store(self.row.load(Ordering::Relaxed), Ordering::Relaxed);
        self.last_width.store(usize::from(self.width()), Ordering::Relaxed);
        self.term.flush()
    }
}

/// Where live views draw: stderr, at most once a second (a change redraws at once; the ticks come
/// every [`LIVE_TICK`](crate::output::LIVE_TICK)); nowhere when stderr is not a terminal.
pub(crate) fn target() -> indicatif::ProgressDrawTarget {
    let term = console::Term::stderr();
    if !term.is_term() {
        return indicatif::ProgressDrawTarget::hidden();
    }
    indicatif::ProgressDrawTarget::term_like_with_hz(
        Box::new(LiveTerm {
            term,
            pending: AtomicUsize::new(0),
            row: AtomicUsize::new(0),
            last_row: AtomicUsize::new(0),
            last_width: AtomicUsize::new(0),
        }),
        1,
    )
}

/// How many rows more than one a row of `columns` drawn `then` columns wide takes once the
/// terminal is `now` columns wide (a reflowing terminal wraps it only when it narrowed).
///
/// Only a row that fit on one row when drawn: indicatif counted the rows of one that wrapped
/// already, and starts its erasing from the top one, above which nothing may be erased.
fn extra_rows(columns: usize, then: usize, now: usize) -> usize {
    let now = now.max(1);
    if now < then && columns > now && columns <= then { columns.div_ceil(now) - 1 } else { 0 }
}

/// `text`, cut with `…` so that a live line of `taken` columns before it stays three columns
/// short of the terminal's width (and of [`MAX_WIDTH`]).
pub(crate) fn fit(text: &str, taken: usize) -> String {
    let width = usize::from(console::Term::stderr().size().1).min(MAX_WIDTH);
    cut(text, width.saturating_sub(taken + 3).max(10))
}

/// `text` in at most `columns` columns, ending in `…` when cut.
fn cut(text: &str, columns: usize) -> String {
    if text.width() <= columns {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let ch_width = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + ch_width + 1 > columns {
            break;
        }
        out.push(ch);
        used += ch_width;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_wider_than_a_narrowed_terminal_takes_the_rows_it_wraps_onto() {
        assert_eq!(extra_rows(66, 100, 40), 1);
        assert_eq!(extra_rows(66, 100, 20), 3);
        assert_eq!(extra_rows(66, 100, 66), 0, "it still fits");
        assert_eq!(extra_rows(66, 40, 40), 0, "drawn at this width: indicatif counted its rows");
        assert_eq!(extra_rows(45, 40, 20), 0, "wrapped when drawn: indicatif erases from its top row");
        assert_eq!(extra_rows(66, 40, 100), 0, "widened");
        assert_eq!(extra_rows(5, 100, 0), 4, "a zero width counts as one column");
    }

    #[test]
    fn text_is_cut_to_its_columns_with_an_ellipsis() {
        assert_eq!(cut("dltar running", 20), "dltar running");
        assert_eq!(cut("dltar running", 8), "dltar r…");
        assert_eq!(cut("ラーメン running", 6), "ラー…");
        assert!(cut(&"x".repeat(200), 40).width() <= 40);
    }
}
