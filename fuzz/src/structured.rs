//! Structure-aware inputs: JSON texts shaped like the wire types, with hostile values.
//!
//! Byte mutations of the seed corpus are almost always rejected within their first bytes, so they
//! rarely reach what the decoders do with a well-formed body. This generator writes valid JSON
//! trees of the wire types instead (list envelopes with 0..n tasks, task details in the three
//! shapes the details decoder accepts, every known exception kind and unknown ones, warnings,
//! timestamps as numbers and strings and at the numeric edges, unknown fields with nested values,
//! names valid and hostile, known and unknown statuses) and puts hostile values into them:
//! duplicated keys, escaped keys, lone surrogates, names of 256 and 257 bytes, bidi and
//! zero-width characters, nesting close to `serde_json`'s depth limit. Most inputs decode; the
//! rest fail deep inside a well-formed body rather than at its first byte.
//!
//! It writes JSON text itself rather than serialising typed values (as the proptest strategies of
//! `rockit-test-support` do) because serialisation cannot produce duplicated or escaped keys,
//! numbers out of range or invalid escapes.

use std::fmt::Write as _;

/// The task name that the `task_details` target asks [`rockit_model::TaskDetails::from_json_for`]
/// for; the generator uses it often, so that list envelopes hold it.
pub const WANTED: &str = "exampleorg-sushi-0003-1733240117-dltar";

/// Known task states, services and API status codes, and unknown ones.
const TASK_STATUSES: &[&str] = &["pending", "running", "done", "failed", "expired"];
const UNKNOWN_WORDS: &[&str] =
    &["Queued ", "", "DONE", "cancelled", "pending\u{0}", "\u{202e}enod", "ok\u{200b}", "\u{1F680}"];
const SERVICES: &[&str] = &["engine", "edge"];
const API_STATUSES: &[&str] = &[
    "success",
    "missing-param",
    "token-expired",
    "invalid-param",
    "invalid-body",
    "unauthorized",
    "forbidden",
    "not-found",
    "rate-limited",
    "unavailable",
];
const KINDS: &[&str] = &["dltar", "mkraw", "mkpat", "mkdxf", "publish", "deploy"];

/// Numbers at the edges of what the decoders accept, as JSON text.
const EDGE_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "13",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "123456789012345678901234567890",
    "1.5",
    "0.1e-400",
    "1E2",
    "1e2",
    "4.9e-324",
    "1.7976931348623157e308",
    "1732886919",
    "1732886919123",
    "100000000000",
    "100000000001",
    "-0.0",
    "0.0000000000000000000000000001",
    "9007199254740993",
    "2.2250738585072011e-308",
    "2.4703282292062327e-324",
    "2.4703282292062328e-324",
    "1.7976931348623158e308",
    "0.000000000000000000000000000000000000000000000000000000000000000000000000001e+60",
    "1e-00000000000000000000000000000000000001",
    "100000000000000000000000000000000000000000000000000000000000000000e-50",
];

/// Numbers out of `f64`'s range, which `serde_json` refuses to decode (but skips when ignoring).
const HUGE_NUMBERS: &[&str] = &["1e999", "-1e999", "1E400"];

/// Numbers a `u64` field accepts, edges included.
const VALID_U64: &[&str] = &["0", "1", "13", "4294967296", "18446744073709551615", "1733240117"];

/// Strings for timestamps: numeric, padded, dates, out of range.
const TIME_STRINGS: &[&str] = &[
    "1733240117",
    " 1733240117 ",
    "1733240117123",
    "2024-11-29T12:00:00Z",
    "",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "0x10",
    "1e3",
    "\u{661}\u{662}",
];

/// Hostile pieces of text, written into JSON strings raw or escaped.
const HOSTILE_TEXT: &[&str] = &[
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "\u{0}",
    "\u{7f}",
    "..",
    "a/b",
    "%2F",
    "?x=1#f",
    "\\",
    "\t",
    "\n",
    " ",
    "é",
    "日本",
    "\u{1F680}",
    "<script>",
    "\"",
];

/// Escape sequences that `serde_json` rejects: lone surrogates, a pair in the wrong order.
const BAD_ESCAPES: &[&str] = &["\\ud800", "\\udc00", "\\udc00\\ud800", "\\ud800x"];

/// Escape sequences written into JSON strings as they are: a surrogate pair, escaped controls
/// and quotes.
const RAW_ESCAPES: &[&str] = &[
    "\\ud83d\\ude80",
    "\\u0000",
    "\\u202e",
    "\\u002f",
    "\\\"",
    "\\\\",
    "\\/",
    "\\n",
    "\\b",
    "\\uDBFF\\uDFFF",
];

/// Escape sequences of characters a task name may hold.
const NAME_ESCAPES: &[&str] =
    &["\\ud83d\\ude80", "\\u202e", "\\u200b", "\\u00e9", "\\uDBFF\\uDFFF", "\\\"", "\\u0041"];

/// Keys a server might add, a few of which the details decoder treats specially when a task has a
/// name (`task`, `tasks`).
const EXTRA_KEYS: &[&str] = &[
    "extra",
    "x",
    "",
    "task",
    "tasks",
    "totalCount",
    "message",
    "__proto__",
    "createdat",
    "Name",
    "\u{202e}name",
    "retries",
    "app",
    "org",
    "progress",
];

/// Exception kinds the vendor has not documented.
const UNKNOWN_EXCEPTIONS: &[&str] = &["diskFull", "timeout", "quotaExceeded", "", "HTTPDOWNLOADFAILED"];

/// Writes the structure-aware inputs of every target from a seeded generator.
///
/// Each input is either *clean*, all of whose values are ones the decoder accepts (unknown
/// statuses, Unicode and escaped names, unknown fields, numbers at the edges of their range,
/// duplicated keys where the decoder lets the last win), or *hostile* (two in five inputs), where
/// any value may also be one the decoder must refuse: names it must reject, wrongly typed fields,
/// duplicated fields of derived types, lone surrogates, numbers out of range, nesting past the
/// depth limit, list envelopes of zero or several tasks for details.
pub struct Generator {
    rng: fastrand::Rng,
    /// Whether the input being written may hold values the decoder refuses.
    hostile: bool,
}

/// One member of a JSON object being written: the key as JSON text and the value as JSON text.
type Member = (String, String);

impl Generator {
    /// A generator whose output depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self { rng: fastrand::Rng::with_seed(seed), hostile: false }
    }

    /// Starts an input: clean or hostile.
    fn begin(&mut self) {
        self.hostile = self.rng.u8(0..5) < 2;
    }

    /// In a hostile input, true one time in `n`: where to write a value the decoder refuses.
    fn fatal(&mut self, n: u32) -> bool {
        self.hostile && self.one_in(n)
    }

    /// Whether the input being written may hold values the decoder refuses.
    pub fn is_hostile(&self) -> bool {
        self.hostile
    }

    fn one_in(&mut self, n: u32) -> bool {
        self.rng.u32(0..n) == 0
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.usize(..from.len())]
    }

    /// A JSON text for the list envelope `{"status", "totalCount", "tasks": [...]}`.
    pub fn list_response(&mut self) -> Vec<u8> {
        self.begin();
        let count = match self.rng.u8(0..16) {
            0 => 0,
            1 => self.rng.usize(10..40),
            _ => self.rng.usize(1..6),
        };
        let tasks: Vec<String> = (0..count).map(|_| self.summary()).collect();
        let mut members = vec![
            (key("status"), self.api_status()),
            (key("totalCount"), self.count(count)),
            (key("tasks"), self.array(&tasks)),
        ];
        self.add_extras(&mut members, 3);
        self.derived(members, 3).into_bytes()
    }

    /// A JSON text for one list entry.
    pub fn task_summary(&mut self) -> Vec<u8> {
        self.begin();
        self.summary().into_bytes()
    }

    /// A JSON text for task details: bare, wrapped as `{"task": {...}}`, or in a list envelope.
    pub fn task_details(&mut self) -> Vec<u8> {
        self.begin();
        self.details_text().into_bytes()
    }

    /// A JSON text for the PATCH body `{"name", "acknowledged", "expired"}`.
    pub fn update_task(&mut self) -> Vec<u8> {
        self.begin();
        let mut members = vec![(key("name"), self.name_json())];
        if self.rng.bool() {
            members.push((key("acknowledged"), self.flag()));
        }
        if self.rng.bool() {
            members.push((key("expired"), self.flag()));
        }
        let declared = members.len();
        self.add_extras(&mut members, 2);
        self.derived(members, declared).into_bytes()
    }

    /// A JSON text for an error body, or now and then something that is not a JSON object.
    pub fn error_body(&mut self) -> Vec<u8> {
        self.begin();
        match self.rng.u8(0..12) {
            0 if self.hostile => return b"<html><body>502 Bad Gateway</body></html>".to_vec(),
            1 if self.hostile => {
                let value = self.value(3);
                return self.array(&[value]).into_bytes();
            }
            _ => {}
        }
        let mut members = Vec::new();
        if !self.one_in(6) {
            let status = if self.one_in(6) { self.value(2) } else { self.api_status() };
            members.push((key("status"), status));
        }
        if !self.one_in(4) {
            let message = if self.one_in(6) { self.value(2) } else { self.string() };
            members.push((key("message"), message));
        }
        if self.one_in(3) {
            let error = if self.one_in(4) { self.value(2) } else { self.string() };
            members.push((key("error"), error));
        }
        self.add_extras(&mut members, 3);
        if members.is_empty() && !self.hostile {
            members.push((key("status"), self.api_status()));
        }
        self.object(members, true).into_bytes()
    }

    /// A task name as plain text (not JSON): valid names of every shape and hostile ones.
    pub fn task_name(&mut self) -> Vec<u8> {
        self.begin();
        let mut name = self.name_text().into_bytes();
        if self.fatal(16) {
            // Not UTF-8: the target reads it lossily, as a server's bytes would be.
            let at = self.rng.usize(..=name.len());
            name.insert(at, self.rng.u8(0x80..=0xff));
        }
        name
    }

    /// Any JSON value, nested up to `depth` levels: for targets without a shape of their own.
    pub fn any_json(&mut self) -> Vec<u8> {
        self.begin();
        self.value(6).into_bytes()
    }

    fn details_text(&mut self) -> String {
        match self.rng.u8(0..10) {
            // Bare.
            0..=4 => self.task_object(),
            // Wrapped: `{"status": "success", "task": {...}}`; other keys of the wrapper are dropped.
            5..=7 => {
                let inner = if self.one_in(12) { self.details_text() } else { self.task_object() };
                let mut members = vec![(key("status"), self.api_status()), (key("task"), inner)];
                self.add_extras(&mut members, 2);
                self.object(members, true)
            }
            // A list envelope: one task decodes without a name asked for; with several, only the
            // task asked for by name (the `task_details` target asks for `WANTED`), which a clean
            // input holds.
            _ => {
                let count = match self.rng.u8(0..6) {
                    0 if self.hostile => 0,
                    1 | 2 => self.rng.usize(2..5),
                    _ => 1,
                };
                let mut tasks: Vec<String> = (0..count).map(|_| self.task_object()).collect();
                if count > 1 && !self.hostile {
                    let at = self.rng.usize(..count);
                    let hostile = std::mem::replace(&mut self.hostile, false);
                    tasks[at] = self.task_object_named(&quote(WANTED));
                    self.hostile = hostile;
                }
                let members = vec![
                    (key("status"), self.api_status()),
                    (key("totalCount"), self.count(count)),
                    (key("tasks"), self.array(&tasks)),
                ];
                self.object(members, true)
            }
        }
    }

    /// A task object with every field the details decoder knows, present or absent.
    fn task_object(&mut self) -> String {
        let name = self.name_json();
        self.task_object_named(&name)
    }

    fn task_object_named(&mut self, name: &str) -> String {
        let mut members = vec![
            (key("name"), name.to_owned()),
            (key("service"), self.service()),
            (key("status"), self.task_status()),
        ];
        if self.rng.bool() {
            members.push((key("acknowledged"), self.lenient_flag()));
        }
        if self.rng.bool() {
            members.push((key("expired"), self.lenient_flag()));
        }
        if self.rng.bool() {
            members.push((key("warning"), self.warning()));
        }
        if self.rng.u8(0..3) != 0 {
            members.push((key("exception"), self.exception()));
        }
        if self.rng.bool() {
            members.push((key("createdAt"), self.timestamp()));
        }
        if self.rng.bool() {
            members.push((key("updatedAt"), self.timestamp()));
        }
        self.add_extras(&mut members, 4);
        self.object(members, true)
    }

    fn summary(&mut self) -> String {
        let mut members = vec![
            (key("name"), self.name_json()),
            (key("service"), self.service()),
            (key("status"), self.task_status()),
        ];
        if self.one_in(4) {
            self.add_extras(&mut members, 2);
        }
        self.derived(members, 3)
    }

    /// An exception object holding one or more kinds, known and unknown; now and then a value of
    /// another shape, which the decoder keeps in `extra`.
    fn exception(&mut self) -> String {
        match self.rng.u8(0..16) {
            0 => return self.string(),
            1 => return "null".to_owned(),
            2 => return self.value(2),
            _ => {}
        }
        let mut members = Vec::new();
        for _ in 0..self.rng.usize(1..=3) {
            let member = match self.rng.u8(0..4) {
                0 => (key("httpDownloadFailed"), self.http_download_failed()),
                1 => (key("fileReadFailed"), self.file_read_failed()),
                2 => (key("error"), if self.one_in(4) { self.value(2) } else { self.string() }),
                _ => (self.key_json(UNKNOWN_EXCEPTIONS), self.value(3)),
            };
            members.push(member);
        }
        self.object(members, true)
    }

    fn http_download_failed(&mut self) -> String {
        if self.one_in(8) {
            return self.value(1);
        }
        let mut members = Vec::new();
        let fields = [
            ("httpStatus", &["0", "200", "404", "599", "65535"][..]),
            ("exitCode", &["0", "18", "-1", "9223372036854775807", "-9223372036854775808"][..]),
            ("sizeBytesActual", VALID_U64),
            ("sizeBytesExpected", VALID_U64),
        ];
        for (name, valid) in fields {
            if self.rng.u8(0..4) != 0 {
                let value = match self.rng.u8(0..10) {
                    0 => self.pick(EDGE_NUMBERS).to_owned(),
                    1 => self.value(1),
                    _ => self.pick(valid).to_owned(),
                };
                members.push((key(name), value));
            }
        }
        if self.one_in(3) {
            self.add_extras(&mut members, 2);
        }
        self.object(members, true)
    }

    fn file_read_failed(&mut self) -> String {
        if self.one_in(8) {
            return self.value(1);
        }
        let mut members = Vec::new();
        for name in ["filename", "typeExpected", "typeDetected"] {
            if self.rng.u8(0..4) != 0 {
                let value = if self.one_in(8) { self.value(1) } else { self.string() };
                members.push((key(name), value));
            }
        }
        if self.one_in(3) {
            self.add_extras(&mut members, 2);
        }
        self.object(members, true)
    }

    fn warning(&mut self) -> String {
        match self.rng.u8(0..8) {
            0..=2 => self.string(),
            3..=5 => {
                let mut members = vec![(key("code"), self.string()), (key("message"), self.string())];
                if self.one_in(4) {
                    members[1].1 = self.value(2);
                }
                self.object(members, true)
            }
            6 => "null".to_owned(),
            _ => self.value(2),
        }
    }

    /// A timestamp: whole seconds or milliseconds, numeric text, edge numbers, or other values.
    fn timestamp(&mut self) -> String {
        match self.rng.u8(0..10) {
            0..=2 => self.rng.u64(1_600_000_000..1_800_000_000).to_string(),
            3 => self.rng.u64(1_600_000_000_000..1_800_000_000_000).to_string(),
            4 => self.number(),
            5..=7 => quote(self.pick(TIME_STRINGS)),
            8 => "null".to_owned(),
            _ => self.value(1),
        }
    }

    /// `true`/`false`, or now and then a value that is not a flag (a decode error for `UpdateTask`).
    fn flag(&mut self) -> String {
        if self.fatal(4) {
            return self.not_a_string();
        }
        if self.one_in(12) { "null".to_owned() } else { self.rng.bool().to_string() }
    }

    /// A flag of the details decoder, which keeps values of another shape in `extra`.
    fn lenient_flag(&mut self) -> String {
        match self.rng.u8(0..6) {
            0 => "null".to_owned(),
            1 => self.value(1),
            n => (n % 2 == 0).to_string(),
        }
    }

    fn count(&mut self, tasks: usize) -> String {
        if self.fatal(4) {
            return if self.rng.bool() { self.pick(EDGE_NUMBERS).to_owned() } else { quote("13") };
        }
        match self.rng.u8(0..4) {
            0 => self.pick(VALID_U64).to_owned(),
            _ => (tasks + self.rng.usize(0..20)).to_string(),
        }
    }

    fn task_status(&mut self) -> String {
        if self.fatal(12) {
            return self.not_a_string();
        }
        if self.one_in(8) { quote(self.pick(UNKNOWN_WORDS)) } else { quote(self.pick(TASK_STATUSES)) }
    }

    fn service(&mut self) -> String {
        if self.fatal(12) {
            return self.not_a_string();
        }
        if self.one_in(8) { quote(self.pick(UNKNOWN_WORDS)) } else { quote(self.pick(SERVICES)) }
    }

    fn api_status(&mut self) -> String {
        if self.fatal(12) {
            return self.not_a_string();
        }
        match self.rng.u8(0..8) {
            0 => quote(self.pick(UNKNOWN_WORDS)),
            1 | 2 => quote(self.pick(API_STATUSES)),
            _ => quote("success"),
        }
    }

    /// A name as a JSON string: mostly raw, sometimes with every character escaped.
    fn name_json(&mut self) -> String {
        if self.fatal(16) {
            return self.not_a_string();
        }
        let mut name = self.name_text();
        // A raw escape inside a name: a lone surrogate in a hostile input (in a clean one, not
        // where it would make the name too long).
        if self.one_in(16) && (self.hostile || name.len() < 240) {
            let at = floor_char_boundary(&name, self.rng.usize(..=name.len()));
            name.insert(at, '\u{fffd}');
            let escape = match self.rng.u8(0..3) {
                _ if !self.hostile => self.pick(NAME_ESCAPES),
                0 => self.pick(BAD_ESCAPES),
                1 => self.pick(RAW_ESCAPES),
                _ => self.pick(NAME_ESCAPES),
            };
            return quote(&name).replacen('\u{fffd}', escape, 1);
        }
        if self.one_in(8) { escape_all(&name) } else { quote(&name) }
    }

    /// A task name: conventional, unconventional, with hostile characters, or at the length limit.
    fn name_text(&mut self) -> String {
        if self.fatal(4) {
            return self.refused_name();
        }
        match self.rng.u8(0..26) {
            0..=7 => WANTED.to_owned(),
            8..=19 => self.conventional_name(),
            20..=22 => {
                let plain = ["exampleTaskname", "a", "-", "a-b-c", "x--y", "0001", "é", "日本-タスク"];
                plain[self.rng.usize(..plain.len())].to_owned()
            }
            // Characters a name may hold though they hide in a terminal: bidi, zero-width.
            23 => {
                let mut name = self.conventional_name();
                let at = floor_char_boundary(&name, self.rng.usize(..=name.len()));
                name.insert_str(at, self.pick(&["\u{202e}", "\u{200b}", "\u{feff}", "é", "..", "\u{1F680}"]));
                name
            }
            // At the limit of 256 bytes, ending in a two-byte character or not.
            _ => {
                let mut name = "n".repeat(self.rng.usize(250..=254));
                name.push_str(if self.rng.bool() { "é" } else { "-x" });
                name
            }
        }
    }

    /// A name the decoder must refuse, or, now and then, accept by a hair.
    fn refused_name(&mut self) -> String {
        match self.rng.u8(0..4) {
            0 => ["", ".", "..", "./a", "a/..", "%2e%2e"][self.rng.usize(..6)].to_owned(),
            // One past the limit, also with a character across it.
            1 => {
                let mut name = "n".repeat(self.rng.usize(254..=256));
                name.push_str(if self.rng.bool() { "é" } else { "-x" });
                name
            }
            _ => {
                let mut name = self.conventional_name();
                let at = floor_char_boundary(&name, self.rng.usize(..=name.len()));
                name.insert_str(at, self.pick(HOSTILE_TEXT));
                name
            }
        }
    }

    fn conventional_name(&mut self) -> String {
        let orgs = ["exampleorg", "my-org", "ExampleOrg", "o", "org-with-many-dashes", "ünï"];
        let apps = ["sushi", "app-name", "a", "x-y-z", "日本"];
        let org = orgs[self.rng.usize(..orgs.len())];
        let app = apps[self.rng.usize(..apps.len())];
        let build = match self.rng.u8(0..10) {
            0 => "4294967296".to_owned(),
            1 => "00000000000000000000001".to_owned(),
            2 => String::new(),
            _ => format!("{:04}", self.rng.u32(0..100_000)),
        };
        let created = match self.rng.u8(0..10) {
            0 => "18446744073709551615".to_owned(),
            1 => "18446744073709551616".to_owned(),
            2 => "-1".to_owned(),
            _ => self.rng.u64(1_600_000_000..1_800_000_000).to_string(),
        };
        let kind = if self.one_in(6) { "unknownkind" } else { self.pick(KINDS) };
        format!("{org}-{app}-{build}-{created}-{kind}")
    }

    /// A JSON string, mostly plain, now and then with hostile characters or raw escapes.
    fn string(&mut self) -> String {
        let words = ["m", "disk full", "x.pak", "pak", "zip", "size-mismatch", "tar is smaller", ""];
        let mut text = words[self.rng.usize(..words.len())].to_owned();
        if self.one_in(3) {
            text.push_str(self.pick(HOSTILE_TEXT));
        }
        if self.one_in(40) {
            text.push_str(&"long ".repeat(self.rng.usize(50..400)));
        }
        let mut json = quote(&text);
        if self.one_in(8) {
            let escape = if self.fatal(2) { self.pick(BAD_ESCAPES) } else { self.pick(RAW_ESCAPES) };
            json.insert_str(json.len() - 1, escape);
        }
        json
    }

    fn number(&mut self) -> String {
        match self.rng.u8(0..5) {
            4 => self.long_number(),
            0 => self.rng.u64(..).to_string(),
            1 => self.rng.i64(..).to_string(),
            2 => {
                let float = f64::from_bits(self.rng.u64(..));
                if float.is_finite() { format!("{float:e}") } else { "0.5".to_owned() }
            }
            _ if self.fatal(8) => self.pick(HUGE_NUMBERS).to_owned(),
            _ => self.pick(EDGE_NUMBERS).to_owned(),
        }
    }

    /// A number with many digits, a fraction and an exponent: `serde_json`'s slow paths for
    /// exact decimal-to-binary conversion. Out of `f64`'s range only in a hostile input.
    fn long_number(&mut self) -> String {
        let mut out = String::new();
        if self.rng.bool() {
            out.push('-');
        }
        let digits = self.rng.usize(1..60);
        for index in 0..digits {
            let digit = if index == 0 { self.rng.u8(1..=9) } else { self.rng.u8(0..=9) };
            out.push(char::from(b'0' + digit));
        }
        if self.rng.bool() {
            out.push('.');
            for _ in 0..self.rng.usize(1..40) {
                out.push(char::from(b'0' + self.rng.u8(0..=9)));
            }
        }
        if self.rng.bool() {
            let exponent = if self.fatal(4) { self.rng.i32(-999..=999) } else { self.rng.i32(-400..=240) };
            let _ = write!(out, "{}{exponent}", if self.rng.bool() { "e" } else { "E" });
        }
        out
    }

    /// Any JSON value nested up to `depth` levels; now and then nested close to `serde_json`'s
    /// recursion limit of 128: below it, or in a hostile input on either side of it.
    fn value(&mut self, depth: u32) -> String {
        if self.one_in(400) {
            let levels = if self.hostile { self.rng.usize(110..140) } else { self.rng.usize(90..115) };
            let (open, close) = if self.rng.bool() { ("[", "]") } else { ("{\"a\":", "}") };
            return format!("{}0{}", open.repeat(levels), close.repeat(levels));
        }
        let kind = if depth == 0 { self.rng.u8(0..5) } else { self.rng.u8(0..7) };
        match kind {
            0 => "null".to_owned(),
            1 => self.rng.bool().to_string(),
            2 => self.number(),
            3 | 4 => self.string(),
            5 => {
                let items: Vec<String> = (0..self.rng.usize(0..4)).map(|_| self.value(depth - 1)).collect();
                self.array(&items)
            }
            _ => {
                let members = (0..self.rng.usize(0..4))
                    .map(|_| (self.key_json(EXTRA_KEYS), self.value(depth - 1)))
                    .collect();
                self.object(members, true)
            }
        }
    }

    /// A value of another type than a string, where a string is expected.
    fn not_a_string(&mut self) -> String {
        match self.rng.u8(0..5) {
            0 => self.number(),
            1 => "true".to_owned(),
            2 => "null".to_owned(),
            3 => "[]".to_owned(),
            _ => "{\"a\":1}".to_owned(),
        }
    }

    /// Adds up to `most` unknown fields, with nested values.
    /// In a clean input, a key that the object has already is not added again: a derived decoder
    /// refuses a duplicated field, and a duplicated `task` would replace a wrapped task.
    fn add_extras(&mut self, members: &mut Vec<Member>, most: usize) {
        for _ in 0..self.rng.usize(0..=most) {
            let name = self.key_json(EXTRA_KEYS);
            if !self.hostile && members.iter().any(|(other, _)| same_key(other, &name)) {
                continue;
            }
            let member = (name, self.value(4));
            members.push(member);
        }
    }

    /// A key as JSON text, now and then with its characters escaped (which decoders see as an
    /// owned rather than a borrowed string).
    fn key_json(&mut self, from: &[&str]) -> String {
        let name = self.pick(from);
        if self.one_in(10) { escape_all(name) } else { quote(name) }
    }

    /// Writes a value of a type with derived decoding: mostly an object; one time in 16 the array
    /// of its fields in declaration order, which derived decoders accept too. The first
    /// `declared` members are its fields; the unknown ones after them are dropped, or in a hostile
    /// input left as trailing elements, which the decoder refuses.
    fn derived(&mut self, mut members: Vec<Member>, declared: usize) -> String {
        if !self.one_in(16) {
            return self.object(members, false);
        }
        if !self.hostile {
            members.truncate(declared);
        }
        let items: Vec<String> = members.into_iter().map(|(_, value)| value).collect();
        self.array(&items)
    }

    /// Writes an object: members shuffled now and then, a key duplicated or escaped now and then,
    /// whitespace here and there. `last_wins`: the decoder keeps the last of duplicated keys
    /// (maps and the details decoder do; derived decoders refuse a duplicated field, so those
    /// get duplicates in hostile inputs only).
    fn object(&mut self, mut members: Vec<Member>, last_wins: bool) -> String {
        if self.one_in(4) {
            self.rng.shuffle(&mut members);
        }
        if !members.is_empty() && (if last_wins { self.one_in(16) } else { self.fatal(8) }) {
            // A duplicated key: the last one wins, or a derived decoder rejects the duplicate. In
            // a clean input the value is the same, since the details decoder refuses a wrongly
            // typed `name` even when a later one follows.
            let (name, mut value) = members[self.rng.usize(..members.len())].clone();
            if self.hostile {
                value = self.value(1);
            }
            let at = self.rng.usize(..=members.len());
            members.insert(at, (name, value));
        }
        if !members.is_empty() && self.one_in(20) {
            let index = self.rng.usize(..members.len());
            let plain: Option<String> = serde_json::from_str(&members[index].0).ok();
            if let Some(plain) = plain {
                members[index].0 = escape_all(&plain);
            }
        }
        let spaced = self.one_in(8);
        let mut out = String::from("{");
        for (index, (name, value)) in members.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            if spaced {
                out.push_str("\n  ");
            }
            out.push_str(name);
            out.push_str(if spaced { " : " } else { ":" });
            out.push_str(value);
        }
        if spaced {
            out.push('\n');
        }
        out.push('}');
        out
    }

    fn array(&mut self, items: &[String]) -> String {
        let spaced = self.one_in(8);
        let separator = if spaced { ", " } else { "," };
        format!("[{}]", items.join(separator))
    }
}

/// Whether two keys, as JSON text, name the same field.
fn same_key(one: &str, other: &str) -> bool {
    let plain = |key: &str| serde_json::from_str::<String>(key).ok();
    one == other || ((one.contains('\\') || other.contains('\\')) && plain(one) == plain(other))
}

/// `text` as a JSON string with the escapes `serde_json` writes.
fn quote(text: &str) -> String {
    if text.bytes().any(|byte| byte == b'"' || byte == b'\\' || byte < 0x20) {
        return serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    out.push_str(text);
    out.push('"');
    out
}

/// `text` as a JSON string with every character written as `\uXXXX` (surrogate pairs beyond the
/// basic plane): decodes to the same text through the decoder's unescaping path.
fn escape_all(text: &str) -> String {
    let mut out = String::from("\"");
    let mut units = [0_u16; 2];
    for ch in text.chars() {
        for unit in ch.encode_utf16(&mut units) {
            let _ = write!(out, "\\u{unit:04x}");
        }
    }
    out.push('"');
    out
}

fn key(name: &str) -> String {
    quote(name)
}

/// The largest character boundary of `text` at or below `index`.
fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}
