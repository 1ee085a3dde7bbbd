//! Shared test support for the rockit workspace: the vendor seed's fixtures, proptest strategies
//! for every wire type, and insta settings that filter volatile output.
//!
//! The fixtures are cut out of a verbatim copy of the vendor's page
//! (`fixtures/seed_tasks_patch.txt`) at run time, never retyped, so a test that compares against
//! them compares against the vendor's own bytes.

// Test support panics on broken fixtures by design: a broken fixture is a failed test.
#![allow(clippy::missing_panics_doc)]

pub mod mock;
pub mod net;

pub mod logs {
    //! Captures everything tracing writes, at TRACE level, for tests that search logs for secrets.
    //!
    //! One TRACE subscriber serves the whole test process: it is installed once as the global
    //! default, and its writer appends to the capture of the thread that emits the event, if that
    //! thread asked for one, and drops the text otherwise. A subscriber per test
    //! (`tracing::subscriber::set_default`) is not enough: while it is the only one registered,
    //! tracing computes a callsite's interest from the default subscriber of whichever thread
    //! reaches the callsite first, so a test thread without a subscriber can switch a span off for
    //! the whole process, and the capturing test then misses it. The global subscriber is
    //! interested in every callsite, whichever thread asks.

    use std::cell::RefCell;
    use std::io::Write;
    use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

    use tracing::Dispatch;

    /// The bytes a capturing subscriber wrote so far; clones share them.
    #[derive(Clone, Default)]
    pub struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        /// Everything written so far, as text.
        pub fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
        }
    }

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    thread_local! {
        /// This thread's capture: weak, so that it ends when the test drops its `Captured`.
        static CURRENT: RefCell<Weak<Mutex<Vec<u8>>>> = const { RefCell::new(Weak::new()) };
    }

    /// Writes to the capture of the current thread, or nowhere.
    struct ThisThread;

    impl Write for ThisThread {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            // `try_with`: an event emitted while the thread's locals are torn down is dropped.
            let _ = CURRENT.try_with(|current| {
                if let Some(buffer) = current.borrow().upgrade() {
                    buffer.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
                }
            });
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The process-wide TRACE subscriber, made and installed as the global default once.
    fn subscriber() -> &'static Dispatch {
        static SUBSCRIBER: OnceLock<Dispatch> = OnceLock::new();
        SUBSCRIBER.get_or_init(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(|| ThisThread)
                .with_ansi(false)
                .finish();
            let dispatch = Dispatch::new(subscriber);
            // If the process already has a global default, ours stays registered (it lives as
            // long as the process), and tracing then asks every registered subscriber for its
            // interest rather than one thread's default: the capture works the same.
            let _ = tracing::dispatcher::set_global_default(dispatch.clone());
            dispatch
        })
    }

    /// Captures what tracing writes on this thread, at TRACE level, from now on; returns the
    /// capture. The guard makes the capturing subscriber this thread's default until it drops,
    /// should another subscriber have been set on the thread; the capture itself ends when the
    /// returned `Captured` (and every clone of it) is dropped, or when the thread starts a new one.
    pub fn capture_traces() -> (Captured, tracing::subscriber::DefaultGuard) {
        let dispatch = subscriber();
        let captured = Captured::default();
        CURRENT.with(|current| *current.borrow_mut() = Arc::downgrade(&captured.0));
        (captured, tracing::dispatcher::set_default(dispatch))
    }

    #[cfg(test)]
    mod tests {
        fn probe(text: &str) {
            let _span = tracing::debug_span!("probe.span").entered();
            tracing::trace!(text, "probe event");
        }

        /// The flake this design fixes, made deterministic: another thread, without a capture,
        /// is the first to reach a span and an event; the capturing thread still sees both, and
        /// only its own.
        #[test]
        fn a_callsite_first_reached_elsewhere_is_still_captured_here() {
            let (captured, _guard) = super::capture_traces();
            std::thread::spawn(|| probe("from another thread")).join().unwrap();
            probe("from this thread");
            let text = captured.text();
            assert!(text.contains("probe.span") && text.contains("from this thread"), "{text}");
            assert!(!text.contains("from another thread"), "{text}");
        }
    }
}

pub mod seed {
    //! The vendor's example request and response for `PATCH /be/v1/tasks`, cut from its page.

    /// The vendor's page, verbatim.
    pub const PAGE: &str = include_str!("../fixtures/seed_tasks_patch.txt");

    /// The example request body, exactly as the page prints it (4-space indentation).
    pub fn request_body() -> &'static str {
        json_block_after("Body Params application/json")
    }

    /// The example request body as the curl sample sends it (`--data-raw '...'`).
    pub fn curl_body() -> &'static str {
        let start =
            PAGE.find("--data-raw '").expect("seed page has a --data-raw sample") + "--data-raw '".len();
        let len = PAGE[start..].find('\'').expect("--data-raw sample is closed");
        &PAGE[start..start + len]
    }

    /// The headers of the curl sample, as `(name, value)` pairs, in order.
    pub fn curl_headers() -> Vec<(&'static str, &'static str)> {
        PAGE.lines()
            .filter_map(|line| line.strip_prefix("--header '"))
            .filter_map(|rest| rest.split_once('\''))
            .filter_map(|(header, _)| header.split_once(": "))
            .collect()
    }

    /// The example `200` response body, exactly as the page prints it (4-space indentation).
    pub fn response_body() -> &'static str {
        json_block_after("application/json\nBody")
    }

    /// The JSON object that starts at the first `{` after `marker`, through its matching `}`.
    fn json_block_after(marker: &str) -> &'static str {
        let from = PAGE.find(marker).unwrap_or_else(|| panic!("seed page lacks {marker:?}"));
        let start = from + PAGE[from..].find('{').expect("a JSON object follows the marker");
        let mut depth = 0_usize;
        let mut in_string = false;
        let mut escaped = false;
        for (offset, byte) in PAGE[start..].bytes().enumerate() {
            match byte {
                _ if escaped => escaped = false,
                b'\\' if in_string => escaped = true,
                b'"' => in_string = !in_string,
                b'{' if !in_string => depth += 1,
                b'}' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        return &PAGE[start..=start + offset];
                    }
                }
                _ => {}
            }
        }
        panic!("unterminated JSON object after {marker:?}")
    }

    /// Serialises `value` the way the vendor's page prints JSON: pretty, 4-space indentation.
    pub fn to_vendor_json<T: serde::Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        value.serialize(&mut serializer).expect("test values serialise");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

pub mod vendor_errors {
    //! The error answers the vendor's gateway and web application firewall write, verbatim from its
    //! public infrastructure code (`../shared/API.md`, "Error answers" \[infra\]).

    /// Maintenance mode (gateway and firewall): status `503`, with `Content-Type:
    /// application/json` and `Retry-After: 900`.
    pub const MAINTENANCE: &str = r#"{"status":"failed","error":"maintenance","message":"The service is in maintenance mode. Please retry later.","retryAfter":"900"}"#;
    /// The `Retry-After` header of the maintenance answer.
    pub const MAINTENANCE_RETRY_AFTER: &str = "900";
    /// The firewall's rate limit: status `429`, with `Retry-After: 60`.
    pub const RATE_LIMITED: &str = r#"{"code":429,"message":"Too Many Requests"}"#;
    /// The `Retry-After` header of the rate limit answer.
    pub const RATE_LIMITED_RETRY_AFTER: &str = "60";
    /// A route not on the firewall's allow list: status `404`.
    pub const NOT_FOUND: &str = r#"{"code":404,"message":"Not Found"}"#;
    /// The firewall's protection rules: status `400`.
    pub const BAD_REQUEST: &str = r#"{"code":400,"message":"Bad Request"}"#;
    /// The application's `token-expired` in the vendor's envelope (its shape a strong guess from
    /// the maintenance answer; the code and message from the vendor's documentation).
    pub const TOKEN_EXPIRED: &str =
        r#"{"status":"failed","error":"token-expired","message":"The authentication token has expired."}"#;

    /// The four bodies the infrastructure writes, with their HTTP statuses, in API.md's order.
    pub const ALL: [(u16, &str); 4] =
        [(503, MAINTENANCE), (429, RATE_LIMITED), (404, NOT_FOUND), (400, BAD_REQUEST)];
}

pub mod strategies {
    //! proptest strategies for every wire type.

    use proptest::collection::{btree_map, vec};
    use proptest::option;
    use proptest::prelude::*;
    use rockit_model::{
        ApiStatus, Exception, FileReadFailed, HttpDownloadFailed, Service, TaskDetails, TaskKind,
        TaskListResponse, TaskName, TaskStatus, TaskSummary, Timestamp, Warning,
    };
    use serde_json::{Map, Value};

    /// Characters that a valid task name may hold: letters, digits, `-_.~:@!$&'()*+,;=`, and Unicode.
    const NAME_PATTERN: &str = "[a-zA-Z0-9_.~:@!$&'()*+,;=é中🚀-]{1,40}";

    /// Any string a user might type or a server might send, biased towards URL-significant characters.
    pub fn any_name_input() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9./\\\\?#% \t\n\u{0}-]{0,12}",
            any::<String>(),
            Just(".".to_owned()),
            Just("..".to_owned()),
            "[a-z]{250,260}",
        ]
    }

    /// A valid task name of any shape.
    pub fn task_name() -> impl Strategy<Value = TaskName> {
        prop_oneof![
            conventional_name().prop_map(|(name, _)| name),
            NAME_PATTERN.prop_filter_map("dot segments are not names", |raw| raw.parse().ok()),
        ]
    }

    /// The components of a conventional task name.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct NameParts {
        /// The org's name (may contain `-`).
        pub org: String,
        /// The app's name (may contain `-`).
        pub app: String,
        /// The build number as written (zero-padded to at least 4 digits).
        pub build: String,
        /// Creation time in Unix seconds.
        pub created: u64,
        /// The kind as written.
        pub kind: String,
    }

    /// A conventional name `<org>-<app>-<build>-<unix>-<kind>` with the parts it was made from.
    pub fn conventional_name() -> impl Strategy<Value = (TaskName, NameParts)> {
        let word = "[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5}){0,2}";
        (word, word, 0_u32..100_000, 0_u64..4_000_000_000, "[a-z][a-z0-9]{0,7}").prop_map(
            |(org, app, build, created, kind)| {
                let parts = NameParts { org, app, build: format!("{build:04}"), created, kind };
                let raw =
                    format!("{}-{}-{}-{}-{}", parts.org, parts.app, parts.build, parts.created, parts.kind);
                (raw.parse().expect("generated conventional names are valid"), parts)
            },
        )
    }

    fn unknown_word() -> impl Strategy<Value = String> {
        "[A-Za-z_ -]{1,12}"
    }

    /// A known or unknown `TaskKind`.
    pub fn task_kind() -> impl Strategy<Value = TaskKind> {
        prop_oneof![proptest::sample::select(TaskKind::KNOWN), unknown_word().prop_map(TaskKind::from)]
    }

    /// A known or unknown `Service`.
    pub fn service() -> impl Strategy<Value = Service> {
        prop_oneof![proptest::sample::select(Service::KNOWN), unknown_word().prop_map(Service::from)]
    }

    /// A known or unknown `TaskStatus`.
    pub fn task_status() -> impl Strategy<Value = TaskStatus> {
        prop_oneof![proptest::sample::select(TaskStatus::KNOWN), unknown_word().prop_map(TaskStatus::from)]
    }

    /// A known or unknown `ApiStatus`.
    pub fn api_status() -> impl Strategy<Value = ApiStatus> {
        prop_oneof![proptest::sample::select(ApiStatus::KNOWN), unknown_word().prop_map(ApiStatus::from)]
    }

    /// A `TaskSummary`.
    pub fn task_summary() -> impl Strategy<Value = TaskSummary> {
        (task_name(), service(), task_status())
            .prop_map(|(name, service, status)| TaskSummary::new(name, service, status))
    }

    /// A `TaskListResponse`.
    pub fn task_list_response() -> impl Strategy<Value = TaskListResponse> {
        (api_status(), any::<u64>(), vec(task_summary(), 0..12))
            .prop_map(|(status, total_count, tasks)| TaskListResponse { status, total_count, tasks })
    }

    /// A JSON value of limited depth: what a server may put in fields the SDK does not model.
    pub fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            ".{0,10}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..4).prop_map(Value::Array),
                btree_map("[a-z]{1,6}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Extra fields whose names do not collide with the modelled ones.
    pub fn extra_fields() -> impl Strategy<Value = Map<String, Value>> {
        btree_map("x[A-Za-z]{0,8}", json_value(), 0..4).prop_map(|m| m.into_iter().collect())
    }

    fn exception() -> impl Strategy<Value = Exception> {
        prop_oneof![
            (option::of(100_u16..600), option::of(any::<i64>()), option::of(any::<u64>()), extra_fields())
                .prop_map(|(http_status, exit_code, size_bytes_actual, extra)| {
                    Exception::http_download(&HttpDownloadFailed {
                        http_status,
                        exit_code,
                        size_bytes_actual,
                        size_bytes_expected: size_bytes_actual.map(|n| n / 2),
                        extra,
                    })
                }),
            (option::of(".{0,12}"), option::of("[a-z]{1,6}"), option::of("[a-z]{1,6}")).prop_map(
                |(filename, type_expected, type_detected)| {
                    Exception::file_read(&FileReadFailed {
                        filename,
                        type_expected,
                        type_detected,
                        extra: Map::new(),
                    })
                }
            ),
            ".{0,20}".prop_map(Exception::error),
            extra_fields().prop_map(|fields| Exception { fields }),
        ]
    }

    fn timestamp() -> impl Strategy<Value = Timestamp> {
        prop_oneof![
            any::<u64>().prop_map(Timestamp::from_unix),
            ".{0,25}".prop_map(|s| Timestamp(Value::from(s)))
        ]
    }

    /// `TaskDetails` with every optional field present or absent and arbitrary extra fields.
    pub fn task_details() -> impl Strategy<Value = TaskDetails> {
        (
            task_summary(),
            option::of(any::<bool>()),
            option::of(any::<bool>()),
            option::of(prop_oneof![
                ("[a-z-]{1,12}", ".{0,20}").prop_map(|(code, message)| Warning::new(code, message)),
                ".{0,20}".prop_map(|text| Warning(Value::from(text))),
            ]),
            option::of(exception()),
            option::of(timestamp()),
            option::of(timestamp()),
            extra_fields(),
        )
            .prop_map(
                |(summary, acknowledged, expired, warning, exception, created_at, updated_at, extra)| {
                    let mut details = TaskDetails::new(summary.name, summary.service, summary.status);
                    details.acknowledged = acknowledged;
                    details.expired = expired;
                    details.warning = warning;
                    details.exception = exception;
                    details.created_at = created_at;
                    details.updated_at = updated_at;
                    details.extra = extra;
                    details
                },
            )
    }
}

pub mod snapshots {
    //! Scrubbing of volatile values before a snapshot, shared by every crate's snapshot tests.
    //!
    //! Plain string processing instead of insta's regex filters keeps `regex` out of the build.

    /// Replaces loopback ports (`127.0.0.1:41234` becomes `127.0.0.1:[PORT]`), so snapshots of
    /// output that names an emulator's address are stable.
    pub fn scrub(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = ["127.0.0.1:", "localhost:"]
            .iter()
            .filter_map(|host| rest.find(host).map(|i| i + host.len()))
            .min()
        {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                out.push_str("[PORT]");
            }
            rest = &rest[digits..];
        }
        out.push_str(rest);
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn ports_are_scrubbed() {
            assert_eq!(
                super::scrub("GET http://127.0.0.1:4242/be and localhost:1 and 127.0.0.1:x"),
                "GET http://127.0.0.1:[PORT]/be and localhost:[PORT] and 127.0.0.1:x"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    /// The fixture is a verbatim copy of the vendor page kept in `shared/seeds/`, where that folder
    /// sits beside the checkout (as it does on the team's machines and in CI).
    #[test]
    fn fixture_is_the_vendor_page_verbatim() {
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds/000_aba59f3f87248643.txt");
        match std::fs::read_to_string(shared) {
            Ok(original) => assert_eq!(super::seed::PAGE, original),
            Err(err) => eprintln!("shared seed not beside the checkout ({err}); comparing the cut-outs only"),
        }
        assert!(super::seed::request_body().starts_with("{\n    \"name\": \"exampleTaskname\""));
        assert!(super::seed::response_body().contains("\"totalCount\": 13"));
        assert_eq!(super::seed::curl_headers().len(), 5);
    }
}
