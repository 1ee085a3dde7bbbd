//! String enums that mirror server vocabulary: task kinds, services, task states and API status codes.
//!
//! Every enum here is `#[non_exhaustive]` and carries an `Unknown(String)` variant that keeps the raw
//! value, so a value the server invents tomorrow decodes today and encodes back unchanged.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Defines a lossless string enum: known variants, an `Unknown(String)` fallback, `as_str`,
/// `FromStr` (infallible), `Display` and serde as a plain JSON string.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept verbatim so it encodes back unchanged.
            ///
            /// Construct it only through [`FromStr`]/`From<&str>`: an `Unknown` holding a known
            /// value's text would encode fine but decode back as the known variant.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the SDK knows, in declaration order.
            pub const KNOWN: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(raw) => raw,
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            fn from_known(raw: &str) -> Option<Self> {
                match raw {
                    $( $wire => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                Self::from_known(raw).unwrap_or_else(|| Self::Unknown(raw.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(raw: String) -> Self {
                Self::from_known(&raw).unwrap_or(Self::Unknown(raw))
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(raw))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    Self::Unknown(raw) => write!(f, "Unknown({raw:?})"),
                    known => f.write_str(known.as_str()),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: de::Error>(self, raw: &str) -> Result<$name, E> {
                        Ok($name::from(raw))
                    }
                    fn visit_string<E: de::Error>(self, raw: String) -> Result<$name, E> {
                        Ok($name::from(raw))
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}

string_enum! {
    /// The pipeline step a task performs: the last `-`-separated part of its name.
    ///
    /// The six known kinds come from the vendor's examples; others may exist.
    pub enum TaskKind {
        /// Download/import of the native build tar.
        Dltar => "dltar",
        /// Build step that turns the native build into a raw ROCKIT image.
        Mkraw => "mkraw",
        /// Creation of a ROCKIT Patch.
        Mkpat => "mkpat",
        /// Creation of a `DxF` image.
        Mkdxf => "mkdxf",
        /// Publication of the results.
        Publish => "publish",
        /// Deployment to the CDN origins.
        Deploy => "deploy",
    }
}

string_enum! {
    /// The back end that runs a task. `engine` and `edge` are documented; others may exist.
    pub enum Service {
        /// The ROCKIT Engine, the compute back end.
        Engine => "engine",
        /// The ROCKIT Edge itself.
        Edge => "edge",
    }
}

string_enum! {
    /// The state of a task.
    ///
    /// Only `pending` and `done` are confirmed by the vendor's examples. `running`, `failed` and
    /// `expired` are **guesses** (the emulator uses them and the waiters need them); any other
    /// value decodes as [`TaskStatus::Unknown`].
    pub enum TaskStatus {
        /// Submitted, not started (confirmed).
        Pending => "pending",
        /// Being worked on (guess).
        Running => "running",
        /// Finished successfully (confirmed).
        Done => "done",
        /// Finished with an error (guess).
        Failed => "failed",
        /// Expired by an operator, which also marks it failed and acknowledged (guess for the value).
        Expired => "expired",
    }
}

impl TaskStatus {
    /// Whether the task will not change state on its own any more: `done`, `failed` or `expired`.
    ///
    /// An unknown state is not terminal, so a waiter keeps polling rather than stopping early.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Expired)
    }

    /// Whether the task finished successfully (`done`).
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Done)
    }

    /// Whether the task ended without success (`failed` or `expired`).
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed | Self::Expired)
    }
}

string_enum! {
    /// The top-level `status` of every response body (`success`, or `failed` in the vendor's
    /// error envelope), and the error code of an error body (`token-expired`, …): see
    /// [`ErrorBody`](crate::ErrorBody).
    ///
    /// `success`, `missing-param` and `token-expired` are documented; `failed` and `maintenance`
    /// are written by the vendor's gateway \[infra\]. The rest are **guesses** that the emulator uses
    /// and the SDK recognises; any other code decodes as [`ApiStatus::Unknown`].
    pub enum ApiStatus {
        /// The call succeeded (documented).
        Success => "success",
        /// The call failed; the code is in the body's `error` (the vendor's gateway \[infra\]).
        Failed => "failed",
        /// The service is in maintenance mode (`503` with `Retry-After`, the vendor's gateway
        /// \[infra\]).
        Maintenance => "maintenance",
        /// A required parameter is missing (documented, `400`).
        MissingParam => "missing-param",
        /// The backend auth token has expired (documented, `401`).
        TokenExpired => "token-expired",
        /// A parameter has an invalid value (guess, `400`).
        InvalidParam => "invalid-param",
        /// The request body is not valid JSON of the expected shape (guess, `400`).
        InvalidBody => "invalid-body",
        /// No or invalid credentials (guess, `401`).
        Unauthorized => "unauthorized",
        /// The credentials lack a permission (guess, `403`).
        Forbidden => "forbidden",
        /// The named resource does not exist (guess, `404`).
        NotFound => "not-found",
        /// Too many requests (guess, `429`).
        RateLimited => "rate-limited",
        /// The service is temporarily unavailable (guess, `503`).
        Unavailable => "unavailable",
    }
}

impl ApiStatus {
    /// Whether this is `success`.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_parse_to_their_variant_and_back() {
        for kind in TaskKind::KNOWN {
            assert_eq!(&TaskKind::from(kind.as_str()), kind);
        }
        assert_eq!(TaskStatus::from("done"), TaskStatus::Done);
        assert_eq!(Service::from("edge"), Service::Edge);
    }

    #[test]
    fn unknown_values_are_kept_verbatim() {
        let status = TaskStatus::from("Queued ");
        assert_eq!(status, TaskStatus::Unknown("Queued ".to_owned()));
        assert_eq!(status.as_str(), "Queued ");
        assert!(!status.is_terminal());
        assert_eq!(serde_json::to_string(&status).unwrap(), r#""Queued ""#);
    }

    #[test]
    fn terminal_states() {
        let terminal: Vec<_> = TaskStatus::KNOWN.iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(terminal, [&TaskStatus::Done, &TaskStatus::Failed, &TaskStatus::Expired]);
    }

    #[test]
    fn non_string_json_is_a_decode_error() {
        let err = serde_json::from_str::<TaskStatus>("42").unwrap_err();
        assert!(err.to_string().contains("a string (TaskStatus)"), "{err}");
    }
}
