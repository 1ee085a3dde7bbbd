//! Characters that change how text reads without being seen — bidirectional overrides (U+202E),
//! zero-width characters (U+200B, U+FEFF), look-alikes of `/` (U+FF0F, U+2215) — are valid in
//! task names and may come in warnings and exceptions. People see them escaped (`\u{202e}`) in
//! tables, details and wait lines; JSON output and the wire keep every byte.

use rockit_emulator::{Emulator, Fixture, Task};
use rockit_model::{Exception, Service, TaskStatus, Warning};
use serde_json::{Value, json};

use crate::{EPOCH, admin, rockit};

/// "sushi", then a right-to-left override that makes `gpj.exe` read `exe.jpg`.
const BIDI: &str = "exampleorg-sushi\u{202e}gpj.exe-0001-1733240117-dltar";
/// A zero-width space splitting the app name.
const ZERO_WIDTH: &str = "exampleorg-su\u{200b}shi-0001-1733240117-mkraw";
/// A byte-order mark at the start of the app name.
const BOM: &str = "exampleorg-\u{feff}sushi-0001-1733240117-mkdxf";
/// A fullwidth solidus that reads as a path separator.
const FULLWIDTH_SLASH: &str = "exampleorg-sushi\u{ff0f}build-0001-1733240117-publish";
/// A division slash, another `/` look-alike.
const DIVISION_SLASH: &str = "exampleorg-sushi\u{2215}build-0001-1733240117-deploy";

const NAMES: [&str; 5] = [BIDI, ZERO_WIDTH, BOM, FULLWIDTH_SLASH, DIVISION_SLASH];
const DECEPTIVE: [char; 5] = ['\u{202e}', '\u{200b}', '\u{feff}', '\u{ff0f}', '\u{2215}'];

/// The warning of the bidi task and the exception of the division-slash task.
const WARNING: &str = "review \u{202e}txt.exe\u{202c} before\u{200b}hand";
const EXCEPTION: &str = "cannot read game\u{2215}..\u{ff0f}secret\u{feff}.pak";

/// How a person must see `text`: every deceptive character as `\u{…}`.
fn escaped(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '\u{202e}' | '\u{202c}' | '\u{200b}' | '\u{feff}' | '\u{ff0f}' | '\u{2215}' => {
                format!("\\u{{{:x}}}", u32::from(ch))
            }
            ch => ch.to_string(),
        })
        .collect()
}

#[track_caller]
fn assert_nothing_deceptive(output: &str) {
    for ch in DECEPTIVE.into_iter().chain(['\u{202c}']) {
        assert!(!output.contains(ch), "U+{:04X} reached the terminal: {output:?}", u32::from(ch));
    }
}

async fn start() -> Emulator {
    let task = |name: &str, status| Task::new(name.parse().unwrap(), Service::Engine, status);
    let tasks = [
        task(BIDI, TaskStatus::Done).warning(Warning::new("check", WARNING)),
        task(ZERO_WIDTH, TaskStatus::Done),
        task(BOM, TaskStatus::Pending),
        task(FULLWIDTH_SLASH, TaskStatus::Done),
        task(DIVISION_SLASH, TaskStatus::Failed).exception(Exception::error(EXCEPTION)),
    ];
    Emulator::builder().fixture(Fixture::tasks(tasks)).speed(0.0).epoch(EPOCH).start().await.unwrap()
}

#[tokio::test]
async fn the_table_shows_deceptive_names_escaped() {
    let emulator = start().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "list", "--all"])).await.expect(0);
    assert_nothing_deceptive(&run.stdout);
    let rows: Vec<&str> = run.stdout.lines().skip(1).collect();
    for name in NAMES {
        let shown = escaped(name);
        assert!(rows.iter().any(|row| row.starts_with(&format!("{shown} "))), "{shown} in {}", run.stdout);
    }
    // The APP column, cut from the name, is escaped as well.
    assert!(rows.iter().any(|row| row.contains("  sushi\\u{202e}gpj.exe  ")), "{}", run.stdout);
    assert!(run.stdout.ends_with("\n5 of 5 tasks\n"), "{}", run.stdout);
}

#[tokio::test]
async fn details_show_names_warnings_and_exceptions_escaped() {
    let emulator = start().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "show", BIDI])).await.expect(0);
    assert_nothing_deceptive(&run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.contains(&format!("name:         {}", escaped(BIDI)).as_str()), "{}", run.stdout);
    assert!(lines.contains(&"app:          sushi\\u{202e}gpj.exe"), "{}", run.stdout);
    assert!(lines.contains(&format!("warning:      check: {}", escaped(WARNING)).as_str()), "{}", run.stdout);

    let run = rockit(&admin(&url, &["tasks", "show", DIVISION_SLASH])).await.expect(0);
    assert_nothing_deceptive(&run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines.contains(&format!("exception:    {}", escaped(EXCEPTION)).as_str()), "{}", run.stdout);

    // The error line for a name no task has is escaped too.
    let unknown = "exampleorg-sushi\u{202e}gpj-0009-1733240117-dltar";
    let line = rockit(&admin(&url, &["tasks", "show", unknown])).await.one_line_error(1);
    assert_nothing_deceptive(&line);
    assert!(line.contains(&escaped(unknown)), "{line}");
}

#[tokio::test]
async fn wait_lines_show_the_exception_escaped() {
    let emulator = start().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["tasks", "wait", DIVISION_SLASH])).await.expect(4);
    assert_nothing_deceptive(&run.stdout);
    assert_nothing_deceptive(&run.stderr);
    let prefix = format!("{} failed after ", escaped(DIVISION_SLASH));
    assert!(run.stdout.starts_with(&prefix), "{}", run.stdout);
    assert!(run.stdout.ends_with(&format!(": {}\n", escaped(EXCEPTION))), "{}", run.stdout);
}

#[tokio::test]
async fn json_output_keeps_every_character() {
    let emulator = start().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["-o", "json", "tasks", "list", "--all"])).await.expect(0);
    let document = run.json();
    let listed: Vec<&str> =
        document["tasks"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut expected = NAMES.to_vec();
    expected.sort_unstable();
    assert_eq!(listed, expected);

    let run = rockit(&admin(&url, &["-o", "json", "tasks", "show", BIDI])).await.expect(0);
    let details: Value = run.json();
    assert_eq!(details["name"], json!(BIDI));
    assert_eq!(details["warning"]["message"], json!(WARNING));
    // serde_json writes these characters as themselves, not as `\u` escapes: the bytes on
    // stdout are the server's.
    assert!(run.stdout.contains(BIDI) && run.stdout.contains(WARNING), "{}", run.stdout);

    let run = rockit(&admin(&url, &["-o", "json", "tasks", "show", DIVISION_SLASH])).await.expect(0);
    assert_eq!(run.json()["exception"]["error"], json!(EXCEPTION));
}

#[tokio::test]
async fn the_wire_carries_the_exact_names() {
    let emulator = start().await;
    let url = emulator.base_url();
    rockit(&admin(&url, &["tasks", "ack", BIDI, ZERO_WIDTH, BOM])).await.expect(0);
    rockit(&admin(&url, &["tasks", "show", FULLWIDTH_SLASH])).await.expect(0);

    let requests = emulator.requests();
    let acknowledged: Vec<Value> = requests
        .iter()
        .filter(|r| r.is("PATCH", "/be/v1/tasks"))
        .map(|r| r.body_json().expect("a JSON body"))
        .collect();
    assert_eq!(
        acknowledged,
        [BIDI, ZERO_WIDTH, BOM].map(|name| json!({"name": name, "acknowledged": true})),
        "each update names its task byte for byte"
    );
    for name in [BIDI, ZERO_WIDTH, BOM] {
        assert_eq!(emulator.task(name).unwrap().acknowledged, Some(true), "{name}");
        // Not as `\u` escapes in the body either: the name's own UTF-8 bytes.
        assert!(requests.iter().any(|r| r.body.windows(name.len()).any(|w| w == name.as_bytes())), "{name}");
    }
    let shown = requests.iter().find(|r| r.method == "GET").expect("the show request");
    assert_eq!(shown.segments, ["be", "v1", "tasks", FULLWIDTH_SLASH], "one segment, decoded exactly");
}
