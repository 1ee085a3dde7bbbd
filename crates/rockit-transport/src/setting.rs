//! Every setting of a client, declared once: its field, type, conventional flag, environment
//! variable, profile key, how the environment's text and the profile's value become it, and how
//! `config show` words it. From the one table below come the [`Setting`] enum, one layer of
//! [`Settings`], the config file's profile entry (with its redacting `Debug`), reading the
//! environment, reading a profile, the [`Resolved`] configuration and the picking of each value
//! from the highest layer that sets it.
//!
//! Adding a setting is one entry in the table, the line in
//! [`Resolved::client_builder`](crate::Resolved::client_builder) that applies it, and the CLI's flag.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::config::{ENV_API_KEY, ENV_ENDPOINT, ENV_ORG, ENV_TOKEN, ENV_USER};
use crate::error::{Error, Result};
use crate::tls::ENV_CA_CERT;

/// The environment variable holding a token command.
pub const ENV_TOKEN_COMMAND: &str = "ROCKIT_TOKEN_COMMAND";
/// The environment variable holding an API key command.
pub const ENV_API_KEY_COMMAND: &str = "ROCKIT_API_KEY_COMMAND";

impl Setting {
    /// How to set it: `ROCKIT_ORG or org in a profile`, after the name the program gives its
    /// explicit value where it gave one (`--org, ROCKIT_ORG or org in a profile`).
    pub(crate) fn how(self, explicit: Option<ExplicitNames>) -> String {
        let named = explicit.map(|names| names.0(self));
        let ways: Vec<String> = named
            .into_iter()
            .chain(self.variable())
            .map(str::to_owned)
            .chain([format!("`{}` in a profile", self.key())])
            .collect();
        match ways.as_slice() {
            [rest @ .., last] if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => ways.concat(),
        }
    }
}

/// How a program names the values it sets explicitly (a CLI: its flags); see
/// [`Resolver::explicit_as`](crate::Resolver::explicit_as).
#[derive(Clone, Copy)]
pub(crate) struct ExplicitNames(pub(crate) fn(Setting) -> &'static str);

impl fmt::Debug for ExplicitNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExplicitNames")
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// An explicit value, named as the program that set it names it: a CLI passes its flag
    /// (`--org`, see [`Resolver::explicit_as`](crate::Resolver::explicit_as)), else the
    /// setting's key in a profile (`org`).
    Explicit(&'static str),
    /// An environment variable (named).
    Env(&'static str),
    /// A profile of a config file.
    Profile {
        /// The profile's name.
        name: String,
        /// The config file.
        path: PathBuf,
    },
    /// Nobody set it: the default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit(name) => f.write_str(name),
            Self::Env(variable) => f.write_str(variable),
            Self::Profile { name, path } => write!(f, "profile {name} in {}", path.display()),
            Self::Default => f.write_str("the default"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub origin: Origin,
}

/// Shows the origin; the value only through the type's own `Debug` (secrets stay redacted).
impl<T: fmt::Debug> fmt::Debug for Sourced<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sourced").field("value", &self.value).field("origin", &self.origin).finish()
    }
}

/// Splits a command line like a POSIX shell splits words: quotes and backslashes group, nothing is
/// expanded, nothing runs through a shell.
pub fn split_command(raw: &str, origin: &Origin) -> Result<Vec<String>> {
    let words = shell_words::split(raw)
        .map_err(|err| Error::config(format!("the command in {origin} does not split into words ({err})")))?;
    if words.is_empty() {
        return Err(Error::config(format!("the command in {origin} is empty; name a program")));
    }
    Ok(words)
}

/// The credential a resolution chose.
#[derive(Clone)]
#[non_exhaustive]
pub enum CredentialChoice {
    /// A literal API key.
    ApiKey(SecretString),
    /// A literal token.
    Token(SecretString),
    /// A program printing an API key.
    ApiKeyCommand(Vec<String>),
    /// A program printing a token.
    TokenCommand(Vec<String>),
}

/// The kind and the program only ([`CredentialChoice::describe`]): never a secret, nor a
/// command's arguments, which could hold one.
impl fmt::Debug for CredentialChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CredentialChoice").field(&self.describe()).finish()
    }
}

impl CredentialChoice {
    /// What kind of credential this is, for people: `API key`, `token`, `API key command`,
    /// `token command (vault)`. Never the secret, nor a command's arguments.
    pub fn describe(&self) -> String {
        match self {
            Self::ApiKey(_) => "API key".to_owned(),
            Self::Token(_) => "token".to_owned(),
            Self::ApiKeyCommand(argv) => format!("API key command ({})", program_name(argv)),
            Self::TokenCommand(argv) => format!("token command ({})", program_name(argv)),
        }
    }
}

/// Where a profile's value is read: for messages, and for paths relative to the file.
pub(crate) struct ProfileContext<'a> {
    pub(crate) origin: &'a Origin,
    pub(crate) dir: Option<&'a Path>,
}

/// Declares the settings; see the module docs. `values` resolve one by one into [`Resolved`];
/// `credentials` resolve together into [`Resolved::credential`].
macro_rules! declare_settings {
    (
        values { $(
            $(#[doc = $doc:literal])*
            $field:ident: $ty:ty = $variant:ident {
                env: $env:expr, key: $key:literal,
                profile: $raw:ty => $from_profile:expr, from_env: $from_env:expr, show: $show:expr $(,)?
            }
        )* }
        credentials { $(
            $(#[doc = $cdoc:literal])*
            $cfield:ident: $cty:ty = $cvariant:ident {
                env: $cenv:expr, key: $ckey:literal,
                profile: $craw:ty => $cfrom_profile:expr, from_env: $cfrom_env:expr, show: $cshow:expr $(,)?
            }
        )* }
    ) => {
        /// One setting of a client, for messages: its variable and profile key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Setting {
            $( $(#[doc = $doc])* $variant, )*
            $( $(#[doc = $cdoc])* $cvariant, )*
        }

        impl Setting {
            /// Every setting, in the order of the table.
            pub const ALL: &'static [Setting] = &[$(Self::$variant,)* $(Self::$cvariant,)*];

            /// The environment variable and the profile key.
            fn declared(self) -> (Option<&'static str>, &'static str) {
                match self {
                    $( Self::$variant => ($env, $key), )*
                    $( Self::$cvariant => ($cenv, $ckey), )*
                }
            }
        }

        /// One layer of settings: what flags, the environment or a profile set. Empty by default.
        #[derive(Clone, Default)]
        #[non_exhaustive]
        pub struct Settings {
            $( $(#[doc = $doc])* pub $field: Option<$ty>, )*
            $( $(#[doc = $cdoc])* pub $cfield: Option<$cty>, )*
        }

        /// One `[profiles.NAME]` table. Its `Debug` shows no secret: secrets are `SecretString`s
        /// and commands show their program only.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct ProfileEntry {
            $( pub(crate) $field: Option<$raw>, )*
            $( pub(crate) $cfield: Option<$craw>, )*
        }

        /// Each set value as `config show` words it: secrets `[redacted]`, commands by their
        /// program only.
        impl fmt::Debug for Settings {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut debug = f.debug_struct("Settings");
                $( debug.field(stringify!($field), &self.$field.as_ref().map(|value| ($show)(value))); )*
                $( debug.field(stringify!($cfield), &self.$cfield.as_ref().map(|value| ($cshow)(value))); )*
                debug.finish()
            }
        }

        impl Settings {
            /// The settings of the environment variables (through `lookup`; empty ones count as
            /// unset).
            pub(crate) fn read_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
                Ok(Self {
                    $( $field: env_value(lookup, $env, $from_env)?, )*
                    $( $cfield: env_value(lookup, $cenv, $cfrom_env)?, )*
                })
            }

            /// The settings of a profile entry.
            pub(crate) fn from_entry(entry: &ProfileEntry, at: &ProfileContext<'_>) -> Result<Self> {
                Ok(Self {
                    $( $field: entry.$field.as_ref().map(|raw| ($from_profile)(raw, at)).transpose()?, )*
                    $( $cfield: entry.$cfield.as_ref().map(|raw| ($cfrom_profile)(raw, at)).transpose()?, )*
                })
            }

            /// The settings this layer sets, by profile key, for people: secrets as `[redacted]`,
            /// commands by their program.
            pub fn shown(&self) -> Vec<(&'static str, String)> {
                let mut rows = Vec::new();
                $( if let Some(value) = &self.$field { rows.push(($key, ($show)(value))); } )*
                $( if let Some(value) = &self.$cfield { rows.push(($ckey, ($cshow)(value))); } )*
                rows
            }
        }

        /// A resolved configuration: every value with its origin. Turn it into a client with
        /// [`Resolved::client_builder`].
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub struct Resolved {
            $( $(#[doc = $doc])* pub $field: Option<Sourced<$ty>>, )*
            /// The one credential.
            pub credential: Option<Sourced<CredentialChoice>>,
            /// The profile in use, if any.
            pub profile: Option<Origin>,
            /// How the program names its explicit values, if it named them.
            pub(crate) explicit_names: Option<ExplicitNames>,
        }

        impl Resolved {
            /// Each value from the first of `layers` that sets it.
            pub(crate) fn pick(
                layers: &[&Settings],
                origin: impl Fn(usize, Setting) -> Origin,
                credential: Option<Sourced<CredentialChoice>>,
                profile: Option<Origin>,
                explicit_names: Option<ExplicitNames>,
            ) -> Self {
                Self {
                    $( $field: layers.iter().enumerate().find_map(|(at, settings)| {
                        settings.$field.clone().map(|value| Sourced { value, origin: origin(at, Setting::$variant) })
                    }), )*
                    credential,
                    profile,
                    explicit_names,
                }
            }
        }
    };
}

declare_settings! {
    values {
        /// The base URL.
        endpoint: String = Endpoint {
            env: Some(ENV_ENDPOINT), key: "endpoint",
            profile: String => cloned, from_env: text, show: String::clone,
        }
        /// The organization.
        org: String = Org {
            env: Some(ENV_ORG), key: "org",
            profile: String => cloned, from_env: text, show: String::clone,
        }
        /// The machine user.
        user: String = User {
            env: Some(ENV_USER), key: "user",
            profile: String => cloned, from_env: text, show: String::clone,
        }
        /// The per-call deadline.
        timeout: Duration = Timeout {
            env: None, key: "timeout",
            profile: String => duration, from_env: unread, show: |value: &Duration| humantime::format_duration(*value).to_string(),
        }
        /// Retries of a failed idempotent call.
        retries: u32 = Retries {
            env: None, key: "retries",
            profile: u32 => cloned, from_env: unread, show: u32::to_string,
        }
        /// A PEM file of CA certificates trusted besides the system's store.
        ca_cert: PathBuf = CaCert {
            env: Some(ENV_CA_CERT), key: "ca_cert",
            profile: PathBuf => beside_file, from_env: path, show: |value: &PathBuf| value.display().to_string(),
        }
    }
    credentials {
        /// An API key.
        api_key: SecretString = ApiKey {
            env: Some(ENV_API_KEY), key: "api_key",
            profile: SecretString => cloned, from_env: secret, show: redacted,
        }
        /// A token.
        token: SecretString = Token {
            env: Some(ENV_TOKEN), key: "token",
            profile: SecretString => cloned, from_env: secret, show: redacted,
        }
        /// A program (and arguments) printing an API key.
        api_key_command: Vec<String> = ApiKeyCommand {
            env: Some(ENV_API_KEY_COMMAND), key: "api_key_command",
            profile: CommandLine => command_line, from_env: split_command, show: program,
        }
        /// A program (and arguments) printing a token.
        token_command: Vec<String> = TokenCommand {
            env: Some(ENV_TOKEN_COMMAND), key: "token_command",
            profile: CommandLine => command_line, from_env: split_command, show: program,
        }
    }
}

impl Setting {
    /// The environment variable, if there is one.
    pub fn variable(self) -> Option<&'static str> {
        self.declared().0
    }

    /// The key in a profile of the config file.
    pub fn key(self) -> &'static str {
        self.declared().1
    }
}

/// A command as the file writes it: an argv array, or one string split like a shell would.
#[derive(Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum CommandLine {
    Argv(Vec<String>),
    Line(String),
}

/// A command line could hold a secret if someone wrote one into it: never shown.
impl std::fmt::Debug for CommandLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CommandLine([redacted])")
    }
}

/// The variable `name`'s value, parsed; `None` when unset, empty or not read at all.
fn env_value<T>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: Option<&'static str>,
    parse: fn(&str, &Origin) -> Result<T>,
) -> Result<Option<T>> {
    let Some(name) = name else { return Ok(None) };
    lookup(name)
        .filter(|value| !value.trim().is_empty())
        .map(|raw| parse(&raw, &Origin::Env(name)))
        .transpose()
}

#[allow(clippy::unnecessary_wraps)] // the table's readers share one signature
fn text(raw: &str, _: &Origin) -> Result<String> {
    Ok(raw.to_owned())
}

#[allow(clippy::unnecessary_wraps)] // the table's readers share one signature
fn secret(raw: &str, _: &Origin) -> Result<SecretString> {
    Ok(SecretString::from(raw))
}

#[allow(clippy::unnecessary_wraps)] // the table's readers share one signature
fn path(raw: &str, _: &Origin) -> Result<PathBuf> {
    Ok(PathBuf::from(raw))
}

/// For settings without a variable: never called.
fn unread<T>(_: &str, origin: &Origin) -> Result<T> {
    Err(Error::config(format!("{origin} cannot set this")))
}

#[allow(clippy::unnecessary_wraps)] // the table's readers share one signature
fn cloned<T: Clone>(raw: &T, _: &ProfileContext<'_>) -> Result<T> {
    Ok(raw.clone())
}

fn duration(raw: &String, at: &ProfileContext<'_>) -> Result<Duration> {
    humantime::parse_duration(raw.trim()).map_err(|err| {
        Error::config(format!(
            "timeout {raw:?} in {} is not a duration ({err}); write it like 30s or 2m",
            at.origin
        ))
    })
}

/// A relative path is relative to the config file's directory, wherever rockit runs.
#[allow(clippy::unnecessary_wraps)] // the table's readers share one signature
fn beside_file(raw: &PathBuf, at: &ProfileContext<'_>) -> Result<PathBuf> {
    Ok(match at.dir {
        Some(dir) if raw.is_relative() => dir.join(raw),
        _ => raw.clone(),
    })
}

fn command_line(raw: &CommandLine, at: &ProfileContext<'_>) -> Result<Vec<String>> {
    match raw {
        CommandLine::Argv(argv) if argv.is_empty() => {
            Err(Error::config(format!("the command in {} is empty; name a program", at.origin)))
        }
        CommandLine::Argv(argv) => Ok(argv.clone()),
        CommandLine::Line(line) => split_command(line, at.origin),
    }
}

fn redacted(_: &SecretString) -> String {
    "[redacted]".to_owned()
}

/// A command's program, or `none` for an empty one.
fn program_name(argv: &[String]) -> &str {
    argv.first().map_or("none", String::as_str)
}

/// A command by its program: its arguments may hold secrets.
fn program(argv: &[String]) -> String {
    match argv.len() {
        0 | 1 => argv.first().cloned().unwrap_or_default(),
        n => format!("{} (and {} arguments, not shown)", argv[0], n - 1),
    }
}
