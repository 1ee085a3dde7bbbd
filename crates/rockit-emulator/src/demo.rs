//! The fixed demo credentials and the names of the demo fixture's notable tasks.
//!
//! An emulator started without any credential configured accepts exactly these credentials, and
//! the binary prints them at start. They are public knowledge: never reuse them anywhere real.

use std::time::Duration;

/// The organization (`x-rockit-orgname`). Compared case-insensitively, so `exampleorg` works too.
pub const ORG: &str = "ExampleOrg";
/// The admin user (`x-rockit-username`), as in the vendor's curl sample.
pub const USER: &str = "adminPrincipal";
/// The admin user's API key (`x-rockit-api-key`): `tasks.read` and `tasks.update`.
pub const API_KEY: &str = "demo-api-key";
/// A backend auth token of the admin user (`x-rockit-beauth-token`): `tasks.read` and
/// `tasks.update`; it expires after the builder's token lifetime (5 minutes of emulator time by
/// default).
pub const TOKEN: &str = "demo-token";
/// A read-only machine user.
pub const VIEWER_USER: &str = "viewer";
/// The read-only machine user's API key: `tasks.read` only.
pub const VIEWER_API_KEY: &str = "demo-viewer-key";

/// The seed's stuck upload: `pending`, with an unacknowledged warning, until someone expires it.
pub const STUCK_UPLOAD: &str = "exampleorg-sushi-0002-1733149403-dltar";
/// A published build whose warning nobody has acknowledged.
pub const WARNED_PUBLISH: &str = "exampleorg-sushi-0002-1733155401-publish";
/// A failed download carrying an `httpDownloadFailed` exception.
pub const FAILED_DOWNLOAD: &str = "exampleorg-sushi-0003-1733240117-dltar";
/// A download that is `running` at start and `done` [`RUNNING_FINISHES_AFTER`] later.
pub const RUNNING_DOWNLOAD: &str = "exampleorg-sushi-0003-1733241020-dltar";
/// When [`RUNNING_DOWNLOAD`] finishes, in emulator time after start.
pub const RUNNING_FINISHES_AFTER: Duration = Duration::from_secs(5);

/// The stages of build 0003 of `sushi` that appear after [`RUNNING_DOWNLOAD`] is done, in order,
/// with the emulator time each appears at: a pipeline to watch live (`rockit --emulator builds
/// wait sushi 3`). Each is `pending`, `running` 0.4 s later and `done` 1.5 s after it appeared.
pub const BUILD_3_STAGES: [(&str, Duration); 4] = [
    ("exampleorg-sushi-0003-1733241321-mkraw", Duration::from_millis(5_500)),
    ("exampleorg-sushi-0003-1733241488-mkpat", Duration::from_millis(7_500)),
    ("exampleorg-sushi-0003-1733241662-mkdxf", Duration::from_millis(9_500)),
    ("exampleorg-sushi-0003-1733241835-publish", Duration::from_millis(11_500)),
];

/// When the last stage of build 0003 (its `publish`, the last stage build 0002 reached) is done,
/// in emulator time after the start.
pub const BUILD_3_DONE_AFTER: Duration = Duration::from_secs(13);
