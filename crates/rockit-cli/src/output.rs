//! Rendering: aligned tables, colours (only on a terminal, never with `NO_COLOR`), UTC times and
//! JSON documents.

use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rockit_model::TaskStatus;
use serde::Serialize;

use crate::Io;

/// Unix seconds from which humantime can no longer format a date (the year 10000).
const YEAR_10000: u64 = 253_402_300_800;

/// Whether and how to colour what goes to stdout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    color: bool,
}

/// An ANSI colour, as its SGR parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Color {
    Red,
    Green,
    Yellow,
    Cyan,
    Dim,
}

impl Color {
    fn sgr(self) -> &'static str {
        match self {
            Self::Red => "31",
            Self::Green => "32",
            Self::Yellow => "33",
            Self::Cyan => "36",
            Self::Dim => "2",
        }
    }
}

impl Style {
    /// Colours when stdout is a terminal, `NO_COLOR` is unset or empty (<https://no-color.org>) and
    /// `TERM` is not `dumb`.
    pub(crate) fn for_stdout(io: &Io<'_>) -> Self {
        let no_color = (io.var)("NO_COLOR").is_some_and(|value| !value.is_empty());
        let dumb = (io.var)("TERM").is_some_and(|term| term == "dumb");
        Self { color: io.stdout_is_terminal && !no_color && !dumb }
    }

    /// Never colours.
    #[cfg(test)]
    pub(crate) fn plain() -> Self {
        Self { color: false }
    }

    /// Always colours.
    #[cfg(test)]
    pub(crate) fn colored() -> Self {
        Self { color: true }
    }

    /// `text` in `color`, if colours are on.
    pub(crate) fn paint(self, text: &str, color: Option<Color>) -> String {
        match color {
            Some(color) if self.color && !text.is_empty() => format!("\x1b[{}m{text}\x1b[0m", color.sgr()),
            _ => text.to_owned(),
        }
    }
}

/// The colour of a status: green done, red failed or expired, cyan running, yellow pending.
pub(crate) fn status_color(status: &TaskStatus) -> Option<Color> {
    match status {
        TaskStatus::Done => Some(Color::Green),
        TaskStatus::Failed | TaskStatus::Expired => Some(Color::Red),
        TaskStatus::Running => Some(Color::Cyan),
        TaskStatus::Pending => Some(Color::Yellow),
        _ => None,
    }
}

/// Server text made safe for a terminal ([`rockit_model::printable`]): line breaks and tabs become
/// spaces, every other control character becomes U+FFFD, and invisible or look-alike characters
/// are shown escaped, so that a server cannot move the cursor, change colours, set the clipboard,
/// forge lines or make a name read as another. Apply it before styling: the only escapes on
/// stdout are the colours this crate adds.
pub(crate) fn terminal_text(text: &str) -> String {
    rockit_model::printable(text).into_owned()
}

/// How often a live view ticks: every two seconds keeps the elapsed time current enough and a
/// recorded terminal (`script`, a CI runner's) small: a two-minute `builds wait` records about
/// 8.4 KB (its lines unpadded, see `live.rs`; 27 KB at one second with padded lines).
pub(crate) const LIVE_TICK: std::time::Duration = std::time::Duration::from_secs(2);

/// A table: a header row and rows of cells, each cell with an optional colour.
///
/// [`Table::render`] writes it whole, padded to the widest cell. A long table is written in parts
/// with [`Table::flush`]: the first part sets the column widths, later parts keep them, so memory
/// holds one part, not the table (a cell wider than its column shifts its own row only).
#[derive(Debug, Default)]
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<(String, Option<Color>)>>,
    /// Set by the first flush; the header has been written then.
    widths: Option<Vec<usize>>,
}

impl Table {
    pub(crate) fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|title| (*title).to_owned()).collect(),
            rows: Vec::new(),
            widths: None,
        }
    }

    /// Adds a row; control characters in its cells are replaced (see [`terminal_text`]).
    pub(crate) fn push(&mut self, row: Vec<(String, Option<Color>)>) {
        self.rows.push(row.into_iter().map(|(text, color)| (terminal_text(&text), color)).collect());
    }

    /// The rows pushed and not yet written.
    pub(crate) fn pending(&self) -> usize {
        self.rows.len()
    }

    /// Writes the table with columns two spaces apart, padded to the widest cell (by display
    /// width: a wide character takes two columns), without trailing spaces.
    pub(crate) fn render(&self, style: Style, out: &mut dyn Write) -> io::Result<()> {
        let widths = self.widths.clone().unwrap_or_else(|| self.measure());
        self.write_header(&widths, style, out)?;
        for row in &self.rows {
            write_row(row, &widths, style, out)?;
        }
        Ok(())
    }

    /// Writes the rows pushed so far and forgets them. The first flush with rows writes the
    /// header too and fixes the column widths from what it has seen; a table that never had a
    /// row writes nothing.
    pub(crate) fn flush(&mut self, style: Style, out: &mut dyn Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let widths = if let Some(widths) = self.widths.take() {
            widths
        } else {
            let widths = self.measure();
            self.write_header(&widths, style, out)?;
            widths
        };
        for row in std::mem::take(&mut self.rows) {
            write_row(&row, &widths, style, out)?;
        }
        self.widths = Some(widths);
        Ok(())
    }

    /// The widest cell of each column, header included, in terminal columns.
    fn measure(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|title| display_width(title)).collect();
        for row in &self.rows {
            for (index, (text, _)) in row.iter().enumerate() {
                if let Some(width) = widths.get_mut(index) {
                    *width = (*width).max(display_width(text));
                }
            }
        }
        widths
    }

    fn write_header(&self, widths: &[usize], style: Style, out: &mut dyn Write) -> io::Result<()> {
        let header: Vec<(String, Option<Color>)> =
            self.header.iter().map(|title| (title.clone(), None)).collect();
        write_row(&header, widths, style, out)
    }
}

/// One line of a table: cells two spaces apart, padded to `widths`, no trailing spaces.
/// How many columns `text` takes on a terminal: two for a wide character (`ラ`), none for a
/// combining mark. Cells are escaped first ([`terminal_text`]), so no control character is left.
fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

fn write_row(
    row: &[(String, Option<Color>)],
    widths: &[usize],
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut line = String::new();
    let last = row.iter().rposition(|(text, _)| !text.is_empty()).map_or(0, |index| index + 1);
    for (index, (text, color)) in row.iter().take(last).enumerate() {
        if index > 0 {
            line.push_str("  ");
        }
        line.push_str(&style.paint(text, *color));
        if index + 1 < last {
            let pad = widths.get(index).copied().unwrap_or(0).saturating_sub(display_width(text));
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    writeln!(out, "{line}")
}

/// `2024-11-29 13:28` (UTC) for Unix seconds.
pub(crate) fn utc_minutes(unix: u64) -> String {
    let mut text = utc_seconds(unix);
    if unix < YEAR_10000 {
        text.truncate("2024-11-29 13:28".len());
    }
    text
}

/// `2024-11-29 13:28:39` (UTC) for Unix seconds; the bare number beyond the year 9999.
pub(crate) fn utc_seconds(unix: u64) -> String {
    if unix >= YEAR_10000 {
        return unix.to_string();
    }
    let at = UNIX_EPOCH + Duration::from_secs(unix);
    humantime::format_rfc3339_seconds(at).to_string().replace('T', " ").trim_end_matches('Z').to_owned()
}

/// `13:28:39`: the time of day of `at`, in UTC.
pub(crate) fn time_of_day(at: SystemTime) -> String {
    let unix = at.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    utc_seconds(unix).split_off("2024-11-29 ".len())
}

/// `12.3s`.
pub(crate) fn seconds(elapsed: Duration) -> String {
    format!("{:.1}s", elapsed.as_secs_f64())
}

/// Writes `value` as one pretty-printed JSON document and a newline.
pub(crate) fn json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// One line of `--output jsonl`: `value` on one line, written and flushed at once, so that a
/// reader sees it as it happens.
pub(crate) fn json_line<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)?;
    out.flush()
}

/// The body of a `pause` event: why, and how long the server asked to wait.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PauseEvent {
    reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl PauseEvent {
    pub(crate) fn new(pause: &rockit_tasks::Pause) -> Self {
        Self { reason: pause.reason.as_str(), retry_after: pause.retry_after.map(|after| after.as_secs()) }
    }
}

/// The body of an event that carries nothing but its type and time.
#[derive(Debug, Serialize)]
pub(crate) struct NoBody {}

/// One event of `--output jsonl`: `{"type": …, "time": "2026-12-05T09:32:23Z", …the body's
/// fields}`, the body's fields named as `--output json` names them.
pub(crate) fn event<T: Serialize>(out: &mut dyn Write, kind: &str, body: &T) -> io::Result<()> {
    #[derive(Serialize)]
    struct Event<'a, T> {
        #[serde(rename = "type")]
        kind: &'a str,
        time: String,
        #[serde(flatten)]
        body: &'a T,
    }
    let time = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    json_line(out, &Event { kind, time, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_and_zero_width_characters_keep_the_columns_aligned() {
        let mut table = Table::new(&["APP", "BUILD"]);
        table.push(vec![("ラーメン".into(), None), ("0001".into(), None)]);
        table.push(vec![("sushi".into(), None), ("0002".into(), None)]);
        // `e` and a combining acute accent: one column.
        table.push(vec![("cafe\u{301}".into(), None), ("0003".into(), None)]);
        let mut out = Vec::new();
        table.render(Style::plain(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let columns: Vec<usize> =
            text.lines().map(|line| display_width(&line[..line.find('0').unwrap_or(line.len())])).collect();
        assert_eq!(text.lines().next(), Some("APP       BUILD"));
        assert_eq!(columns[1..], [10, 10, 10], "{text}");
    }

    #[test]
    fn tables_align_and_colour_only_when_asked() {
        let mut table = Table::new(&["NAME", "STATUS", "FLAGS"]);
        table.push(vec![
            ("a-long-name".into(), None),
            ("done".into(), Some(Color::Green)),
            (String::new(), None),
        ]);
        table.push(vec![
            ("b".into(), None),
            ("failed".into(), Some(Color::Red)),
            ("!".into(), Some(Color::Yellow)),
        ]);
        let mut plain = Vec::new();
        table.render(Style::plain(), &mut plain).unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "NAME         STATUS  FLAGS\na-long-name  done\nb            failed  !\n"
        );
        let mut colored = Vec::new();
        table.render(Style::colored(), &mut colored).unwrap();
        assert_eq!(
            String::from_utf8(colored).unwrap().lines().nth(2).unwrap(),
            "b            \x1b[31mfailed\x1b[0m  \x1b[33m!\x1b[0m"
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(terminal_text("a\tb\r\nc"), "a b  c");
        assert_eq!(terminal_text("evil\u{1b}]52;c;AAAA\u{7}"), "evil\u{fffd}]52;c;AAAA\u{fffd}");
        assert_eq!(terminal_text("\u{7f}\u{9b}31m\0"), "\u{fffd}\u{fffd}31m\u{fffd}");
        assert_eq!(terminal_text("café ✓"), "café ✓");
        let mut table = Table::new(&["NAME"]);
        table.push(vec![("x\u{1b}[2J\ny".into(), Some(Color::Red))]);
        let mut out = Vec::new();
        table.render(Style::colored(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "NAME\n\x1b[31mx\u{fffd}[2J y\x1b[0m\n");
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(utc_minutes(1_732_886_919), "2024-11-29 13:28");
        assert_eq!(utc_seconds(1_732_886_919), "2024-11-29 13:28:39");
        assert_eq!(time_of_day(UNIX_EPOCH + Duration::from_secs(1_732_886_919)), "13:28:39");
        assert_eq!(utc_minutes(u64::MAX), u64::MAX.to_string());
        assert_eq!(seconds(Duration::from_millis(12_345)), "12.3s");
    }
}
