//! The live view in a pseudo-terminal, as a person sees it: `script` gives `rockit` a terminal
//! (80 columns), and Ctrl-C is typed into it, so the terminal echoes `^C` as it would.

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::BIN;

/// `rockit --emulator builds wait …` in a pseudo-terminal, interrupted after `after` by a typed
/// Ctrl-C; what the terminal received, and script's exit status.
fn interrupted_build_wait(after: Duration) -> (String, Option<i32>) {
    let command = format!(
        "stty cols 80 rows 24; exec {BIN} --emulator builds wait sushi 3 --interval 200ms --timeout 60s"
    );
    let mut script = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("CI")
        .env("ROCKIT_CONFIG", "/nonexistent/rockit-tests/config.toml")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script(1) runs: util-linux is part of every Linux base system");
    std::thread::sleep(after);
    let mut stdin = script.stdin.take().expect("piped");
    stdin.write_all(b"\x03").expect("Ctrl-C is typed");
    stdin.flush().expect("typed");
    // Kept open until the end: a closed input would end the session before rockit reacts.
    let mut out = Vec::new();
    script.stdout.take().expect("piped").read_to_end(&mut out).expect("the terminal's output");
    let status = script.wait().expect("script ends");
    drop(stdin);
    (String::from_utf8_lossy(&out).into_owned(), status.code())
}

#[test]
fn ctrl_c_erases_the_live_view_and_its_echo_and_exits_130() {
    let (out, code) = interrupted_build_wait(Duration::from_secs(3));
    assert_eq!(code, Some(130), "{out:?}");
    // Spinner frames were drawn (braille dots), then erased: after the last one, the row is
    // cleared (`\r` and erase-line) before `interrupted` is written on it.
    let last_frame = out.rfind("sushi 0003").expect("a live frame");
    let after = &out[last_frame..];
    let erased = after.find("\r\x1b[2K").expect("the live line is erased");
    assert!(after[erased..].contains("interrupted"), "{after:?}");
    // No line the view drew is padded out to the terminal's width: the cursor stays short of the
    // last column, so the echoed `^C` lands on the live line and is erased with it.
    let frame = &after[..erased];
    let frame = frame.split(['\r', '\n']).next().unwrap_or_default();
    assert!(!frame.ends_with("  "), "a padded frame: {frame:?}");
    assert!(frame.chars().count() < 78, "{} columns: {frame:?}", frame.chars().count());
    assert!(after[..erased].contains("^C"), "the terminal echoed Ctrl-C on the live line: {after:?}");
}
