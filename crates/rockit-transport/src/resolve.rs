//! Where a client's settings come from: layers of settings (explicit values such as a CLI's flags,
//! the `ROCKIT_*` environment, a profile of the config file), each value remembering its
//! [`Origin`], resolved into one [`Resolved`] configuration by [`Resolver`].
//!
//! Every value takes the highest layer that sets it (explicit, then environment, then profile,
//! then defaults). Credentials are one value: the highest layer with any credential decides them
//! whole, and two kinds in one layer are an error naming both, since a request carries exactly one
//! kind. Every error names where the values it speaks of came from.
//!
//! The config file is TOML, at `$ROCKIT_CONFIG` or the platform's config directory
//! (`$XDG_CONFIG_HOME/rockit/config.toml` on Linux):
//!
//! ```toml
//! default_profile = "staging"
//!
//! [profiles.staging]
//! endpoint = "https://staging-edge.example.com"
//! org = "exampleorg"
//! user = "jane"
//! token_command = ["sh", "-c", "my-login --print-token"]   # or a string, split like a shell would
//! timeout = "30s"
//! retries = 3
//! ca_cert = "studio-ca.pem"   # trusted besides the system's store; relative to this file
//!
//! [profiles.production]
//! endpoint = "https://edge.example.com"
//! org = "exampleorg"
//! user = "ci-machine-user"
//! api_key_command = "vault kv get -field=key secret/rockit"
//! ```
//!
//! A profile holds one credential: `api_key`, `token`, `api_key_command` or `token_command`. One
//! with a literal secret (`api_key`, `token`) is refused unless the file is readable by its owner
//! only, as ssh does with keys.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::command::CommandCredentials;
use crate::config::{ClientBuilder, ENV_API_KEY, ENV_ENDPOINT, ENV_ORG, ENV_TOKEN, ENV_USER};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::tls::ENV_CA_CERT;

/// The environment variable naming the profile to use.
pub const ENV_PROFILE: &str = "ROCKIT_PROFILE";
/// The environment variable naming the config file.
pub const ENV_CONFIG: &str = "ROCKIT_CONFIG";
/// The environment variable holding a token command.
pub const ENV_TOKEN_COMMAND: &str = "ROCKIT_TOKEN_COMMAND";
/// The environment variable holding an API key command.
pub const ENV_API_KEY_COMMAND: &str = "ROCKIT_API_KEY_COMMAND";

/// One setting of a client, for messages: its flag, variable and profile key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Setting {
    /// The base URL.
    Endpoint,
    /// The organization.
    Org,
    /// The machine user.
    User,
    /// An API key.
    ApiKey,
    /// A token.
    Token,
    /// A program printing an API key.
    ApiKeyCommand,
    /// A program printing a token.
    TokenCommand,
    /// The per-call deadline.
    Timeout,
    /// Retries of a failed idempotent call.
    Retries,
    /// A PEM file of CA certificates trusted besides the system's store.
    CaCert,
}

impl Setting {
    /// The conventional flag of the `rockit` command.
    pub fn flag(self) -> &'static str {
        match self {
            Self::Endpoint => "--endpoint",
            Self::Org => "--org",
            Self::User => "--user",
            Self::ApiKey => "--api-key",
            Self::Token => "--token",
            Self::ApiKeyCommand => "--api-key-command",
            Self::TokenCommand => "--token-command",
            Self::Timeout => "--timeout",
            Self::Retries => "--retries",
            Self::CaCert => "--ca-cert",
        }
    }

    /// The environment variable, if there is one.
    pub fn variable(self) -> Option<&'static str> {
        Some(match self {
            Self::Endpoint => ENV_ENDPOINT,
            Self::Org => ENV_ORG,
            Self::User => ENV_USER,
            Self::ApiKey => ENV_API_KEY,
            Self::Token => ENV_TOKEN,
            Self::ApiKeyCommand => ENV_API_KEY_COMMAND,
            Self::TokenCommand => ENV_TOKEN_COMMAND,
            Self::CaCert => ENV_CA_CERT,
            Self::Timeout | Self::Retries => return None,
        })
    }

    /// The key in a profile of the config file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Endpoint => "endpoint",
            Self::Org => "org",
            Self::User => "user",
            Self::ApiKey => "api_key",
            Self::Token => "token",
            Self::ApiKeyCommand => "api_key_command",
            Self::TokenCommand => "token_command",
            Self::Timeout => "timeout",
            Self::Retries => "retries",
            Self::CaCert => "ca_cert",
        }
    }

    /// How to set it: `--org, ROCKIT_ORG or org in a profile`.
    fn how(self) -> String {
        match self.variable() {
            Some(variable) => format!("{}, {variable} or `{}` in a profile", self.flag(), self.key()),
            None => format!("{} or `{}` in a profile", self.flag(), self.key()),
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// An explicit value, such as a command-line flag (named).
    Flag(&'static str),
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
            Self::Flag(flag) => f.write_str(flag),
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

/// One layer of settings: what flags, the environment or a profile set. Empty by default.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Settings {
    /// The base URL.
    pub endpoint: Option<String>,
    /// The organization.
    pub org: Option<String>,
    /// The machine user.
    pub user: Option<String>,
    /// An API key.
    pub api_key: Option<SecretString>,
    /// A token.
    pub token: Option<SecretString>,
    /// A program (and arguments) printing an API key.
    pub api_key_command: Option<Vec<String>>,
    /// A program (and arguments) printing a token.
    pub token_command: Option<Vec<String>>,
    /// The per-call deadline.
    pub timeout: Option<Duration>,
    /// Retries of a failed idempotent call.
    pub retries: Option<u32>,
    /// A PEM file of CA certificates trusted besides the system's store.
    pub ca_cert: Option<PathBuf>,
}

impl Settings {
    /// Reads `ROCKIT_ENDPOINT`, `ROCKIT_ORG`, `ROCKIT_USER`, `ROCKIT_API_KEY`, `ROCKIT_TOKEN`,
    /// `ROCKIT_API_KEY_COMMAND`, `ROCKIT_TOKEN_COMMAND` and `ROCKIT_CA_CERT` through `lookup`; empty variables count
    /// as unset. Commands are split like a shell would split them (quotes, no expansion).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let command =
            |name: &'static str| read(name).map(|raw| split_command(&raw, &Origin::Env(name))).transpose();
        Ok(Self {
            endpoint: read(ENV_ENDPOINT),
            org: read(ENV_ORG),
            user: read(ENV_USER),
            api_key: read(ENV_API_KEY).map(SecretString::from),
            token: read(ENV_TOKEN).map(SecretString::from),
            api_key_command: command(ENV_API_KEY_COMMAND)?,
            token_command: command(ENV_TOKEN_COMMAND)?,
            timeout: None,
            retries: None,
            ca_cert: read(ENV_CA_CERT).map(PathBuf::from),
        })
    }

    /// The credentials this layer sets, as settings.
    fn credentials(&self) -> Vec<Setting> {
        [
            (Setting::ApiKey, self.api_key.is_some()),
            (Setting::Token, self.token.is_some()),
            (Setting::ApiKeyCommand, self.api_key_command.is_some()),
            (Setting::TokenCommand, self.token_command.is_some()),
        ]
        .into_iter()
        .filter_map(|(setting, set)| set.then_some(setting))
        .collect()
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

/// The config file: profiles of settings.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    path: PathBuf,
    content: FileContent,
    /// Whether only the owner can read the file (always true where there are no such modes).
    private: bool,
    /// The file's mode, for messages.
    mode: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileContent {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, ProfileEntry>,
}

/// One `[profiles.NAME]` table.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileEntry {
    endpoint: Option<String>,
    org: Option<String>,
    user: Option<String>,
    api_key: Option<SecretString>,
    token: Option<SecretString>,
    api_key_command: Option<CommandLine>,
    token_command: Option<CommandLine>,
    timeout: Option<String>,
    retries: Option<u32>,
    ca_cert: Option<PathBuf>,
}

impl fmt::Debug for ProfileEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileEntry")
            .field("endpoint", &self.endpoint)
            .field("org", &self.org)
            .field("user", &self.user)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("api_key_command", &self.api_key_command.is_some())
            .field("token_command", &self.token_command.is_some())
            .field("ca_cert", &self.ca_cert)
            .finish_non_exhaustive()
    }
}

/// A command as the file writes it: an argv array, or one string split like a shell would.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum CommandLine {
    Argv(Vec<String>),
    Line(String),
}

impl ConfigFile {
    /// Where the config file is: `$ROCKIT_CONFIG` if set, else `rockit/config.toml` in the
    /// platform's config directory; `None` if neither can be told.
    pub fn default_path(lookup: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
        if let Some(path) = lookup(ENV_CONFIG).filter(|path| !path.trim().is_empty()) {
            return Some(PathBuf::from(path));
        }
        dirs::config_dir().map(|dir| dir.join("rockit").join("config.toml"))
    }

    /// Reads and checks the file at `path`; `Ok(None)` if there is none.
    pub fn load(path: &Path) -> Result<Option<Self>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(Error::config(format!("cannot read the config file {} ({err})", path.display())));
            }
        };
        let content: FileContent = toml::from_str(&text).map_err(|err| {
            // The parser's message may quote the offending line, which could hold a secret: only
            // its place is shown.
            let at = err.span().map(|span| line_of(&text, span.start));
            let place = at.map_or_else(String::new, |line| format!(" at line {line}"));
            Error::config(format!(
                "the config file {} is not valid{place}: {}; see `rockit config path` and the README for its format",
                path.display(),
                err.message().lines().next().unwrap_or("unreadable TOML")
            ))
        })?;
        let (private, mode) = file_privacy(path);
        Ok(Some(Self { path: path.to_owned(), content, private, mode }))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The profile used when none is named.
    pub fn default_profile(&self) -> Option<&str> {
        self.content.default_profile.as_deref()
    }

    /// The profiles' names, in order.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.content.profiles.keys().map(String::as_str)
    }

    /// The settings of profile `name`, checked: one credential at most, a literal secret only in
    /// a file readable by its owner alone, a valid timeout.
    pub fn profile(&self, name: &str) -> Result<Settings> {
        let origin = Origin::Profile { name: name.to_owned(), path: self.path.clone() };
        let entry = self.content.profiles.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.profile_names().collect();
            let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
            Error::config(format!(
                "there is no profile {name} in {} (profiles there: {known})",
                self.path.display()
            ))
        })?;
        let secret = [(entry.api_key.is_some(), "an API key"), (entry.token.is_some(), "a token")]
            .into_iter()
            .find_map(|(set, what)| set.then_some(what));
        if let Some(what) = secret
            && !self.private
        {
            let mode = self.mode.map_or_else(String::new, |mode| format!(" (mode {:o})", mode & 0o777));
            return Err(Error::config(format!(
                "{origin} holds {what}, but other users can read the file{mode}; \
                 run `chmod 600 {}`, or use api_key_command/token_command instead of a literal secret",
                self.path.display()
            )));
        }
        let command = |line: &Option<CommandLine>| -> Result<Option<Vec<String>>> {
            match line {
                None => Ok(None),
                Some(CommandLine::Argv(argv)) if argv.is_empty() => {
                    Err(Error::config(format!("the command in {origin} is empty; name a program")))
                }
                Some(CommandLine::Argv(argv)) => Ok(Some(argv.clone())),
                Some(CommandLine::Line(line)) => split_command(line, &origin).map(Some),
            }
        };
        let timeout = entry
            .timeout
            .as_deref()
            .map(|raw| {
                humantime::parse_duration(raw.trim()).map_err(|err| {
                    Error::config(format!(
                        "timeout {raw:?} in {origin} is not a duration ({err}); write it like 30s or 2m"
                    ))
                })
            })
            .transpose()?;
        Ok(Settings {
            endpoint: entry.endpoint.clone(),
            org: entry.org.clone(),
            user: entry.user.clone(),
            api_key: entry.api_key.clone(),
            token: entry.token.clone(),
            api_key_command: command(&entry.api_key_command)?,
            token_command: command(&entry.token_command)?,
            timeout,
            retries: entry.retries,
            // A relative path is relative to the config file's directory, wherever rockit runs.
            ca_cert: entry.ca_cert.as_ref().map(|path| match self.path.parent() {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path.clone(),
            }),
        })
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
}

#[cfg(unix)]
fn file_privacy(path: &Path) -> (bool, Option<u32>) {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(path) {
        Ok(metadata) => {
            let mode = metadata.permissions().mode();
            // No bit for the group or others: as ssh asks of a private key.
            #[allow(clippy::verbose_bit_mask)]
            let private = mode & 0o077 == 0;
            (private, Some(mode))
        }
        Err(_) => (false, None),
    }
}

#[cfg(not(unix))]
fn file_privacy(_path: &Path) -> (bool, Option<u32>) {
    // Equivalent mutants where the tests run: this function is not compiled on Unix.
    (true, None)
}

/// The credential a resolution chose.
#[derive(Debug, Clone)]
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

impl CredentialChoice {
    /// What kind of credential this is, for people: `API key`, `token`, `API key command`,
    /// `token command (vault)`. Never the secret, nor a command's arguments.
    pub fn describe(&self) -> String {
        match self {
            Self::ApiKey(_) => "API key".to_owned(),
            Self::Token(_) => "token".to_owned(),
            Self::ApiKeyCommand(argv) => format!("API key command ({})", argv[0]),
            Self::TokenCommand(argv) => format!("token command ({})", argv[0]),
        }
    }
}

/// Builds a [`Resolved`] configuration from layers; see the module docs.
#[derive(Debug, Default)]
#[must_use]
pub struct Resolver {
    explicit: Settings,
    env: Settings,
    profile: Option<(Settings, Origin)>,
}

impl Resolver {
    /// No layer yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Explicit values, such as a CLI's flags: the highest layer. Their origins name the
    /// conventional flags ([`Setting::flag`]).
    pub fn explicit(mut self, settings: Settings) -> Self {
        self.explicit = settings;
        self
    }

    /// The environment's values (see [`Settings::from_env`]).
    pub fn env(mut self, settings: Settings) -> Self {
        self.env = settings;
        self
    }

    /// The profile `name` of `file`: the lowest layer.
    pub fn profile(mut self, file: &ConfigFile, name: &str) -> Result<Self> {
        let settings = file.profile(name)?;
        self.profile =
            Some((settings, Origin::Profile { name: name.to_owned(), path: file.path().to_owned() }));
        Ok(self)
    }

    /// The profile to use: `named` (a flag's), else `$ROCKIT_PROFILE`, else the file's
    /// `default_profile`; none if nothing names one. A named profile must exist.
    pub fn profile_from(
        self,
        file: Option<&ConfigFile>,
        named: Option<&str>,
        lookup: impl Fn(&str) -> Option<String>,
        path: Option<&Path>,
    ) -> Result<Self> {
        let from_env = lookup(ENV_PROFILE).filter(|name| !name.trim().is_empty());
        let (name, why) = match (named, from_env.as_deref()) {
            (Some(name), _) => (Some(name.to_owned()), "--profile"),
            (None, Some(name)) => (Some(name.to_owned()), ENV_PROFILE),
            (None, None) => {
                (file.and_then(ConfigFile::default_profile).map(str::to_owned), "default_profile")
            }
        };
        let Some(name) = name else { return Ok(self) };
        match file {
            Some(file) => self.profile(file, &name),
            None => Err(Error::config(format!(
                "{why} names profile {name}, but there is no config file{}; create it (see the README) or drop {why}",
                path.map_or_else(String::new, |path| format!(" at {}", path.display()))
            ))),
        }
    }

    /// Resolves the layers into one configuration.
    pub fn resolve(self) -> Result<Resolved> {
        let layers: [(&Settings, Layer); 3] = [
            (&self.explicit, Layer::Explicit),
            (&self.env, Layer::Env),
            (self.profile.as_ref().map_or(&EMPTY, |(settings, _)| settings), Layer::Profile),
        ];
        let profile_origin = self.profile.as_ref().map(|(_, origin)| origin.clone());
        let origin = |layer: Layer, setting: Setting| match layer {
            Layer::Explicit => Origin::Flag(setting.flag()),
            Layer::Env => setting.variable().map_or(Origin::Default, Origin::Env),
            Layer::Profile => profile_origin.clone().unwrap_or(Origin::Default),
        };
        let pick = |setting: Setting, get: &dyn Fn(&Settings) -> Option<String>| {
            layers.iter().find_map(|(settings, layer)| {
                get(settings).map(|value| Sourced { value, origin: origin(*layer, setting) })
            })
        };
        let endpoint = pick(Setting::Endpoint, &|s| s.endpoint.clone());
        let org = pick(Setting::Org, &|s| s.org.clone());
        let user = pick(Setting::User, &|s| s.user.clone());
        let timeout = layers.iter().find_map(|(settings, layer)| {
            settings.timeout.map(|value| Sourced { value, origin: origin(*layer, Setting::Timeout) })
        });
        let retries = layers.iter().find_map(|(settings, layer)| {
            settings.retries.map(|value| Sourced { value, origin: origin(*layer, Setting::Retries) })
        });
        let ca_cert = layers.iter().find_map(|(settings, layer)| {
            settings.ca_cert.clone().map(|value| Sourced { value, origin: origin(*layer, Setting::CaCert) })
        });

        // The highest layer with any credential decides them whole.
        let mut credential = None;
        for (settings, layer) in &layers {
            let set = settings.credentials();
            match set.as_slice() {
                [] => {}
                [one] => {
                    let choice = match one {
                        Setting::ApiKey => CredentialChoice::ApiKey(
                            settings.api_key.clone().unwrap_or_else(|| SecretString::from("")),
                        ),
                        Setting::Token => CredentialChoice::Token(
                            settings.token.clone().unwrap_or_else(|| SecretString::from("")),
                        ),
                        Setting::ApiKeyCommand => CredentialChoice::ApiKeyCommand(
                            settings.api_key_command.clone().unwrap_or_default(),
                        ),
                        _ => {
                            CredentialChoice::TokenCommand(settings.token_command.clone().unwrap_or_default())
                        }
                    };
                    credential = Some(Sourced { value: choice, origin: origin(*layer, *one) });
                    break;
                }
                [first, second, ..] => {
                    return Err(Error::config(format!(
                        "both {} ({}) and {} ({}) are set; a request carries exactly one kind of credentials, so keep one",
                        describe(*first),
                        origin(*layer, *first),
                        describe(*second),
                        origin(*layer, *second)
                    )));
                }
            }
        }
        Ok(Resolved { endpoint, org, user, credential, timeout, retries, ca_cert, profile: profile_origin })
    }
}

static EMPTY: Settings = Settings {
    endpoint: None,
    org: None,
    user: None,
    api_key: None,
    token: None,
    api_key_command: None,
    token_command: None,
    timeout: None,
    retries: None,
    ca_cert: None,
};

#[derive(Debug, Clone, Copy)]
enum Layer {
    Explicit,
    Env,
    Profile,
}

fn describe(setting: Setting) -> &'static str {
    match setting {
        Setting::ApiKey => "an API key",
        Setting::Token => "a token",
        Setting::ApiKeyCommand => "an API key command",
        Setting::TokenCommand => "a token command",
        _ => "a value",
    }
}

/// Credentials made from a configuration.
enum Made {
    Fixed(Credentials),
    Command(Arc<CommandCredentials>),
}

/// A resolved configuration: every value with its origin. Turn it into a client with
/// [`Resolved::client_builder`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Resolved {
    /// The base URL.
    pub endpoint: Option<Sourced<String>>,
    /// The organization.
    pub org: Option<Sourced<String>>,
    /// The machine user.
    pub user: Option<Sourced<String>>,
    /// The one credential.
    pub credential: Option<Sourced<CredentialChoice>>,
    /// The per-call deadline.
    pub timeout: Option<Sourced<Duration>>,
    /// Retries of a failed idempotent call.
    pub retries: Option<Sourced<u32>>,
    /// A PEM file of CA certificates trusted besides the system's store.
    pub ca_cert: Option<Sourced<PathBuf>>,
    /// The profile in use, if any.
    pub profile: Option<Origin>,
}

impl ClientBuilder {
    /// Reads `ROCKIT_ENDPOINT`, `ROCKIT_ORG`, `ROCKIT_USER`, `ROCKIT_API_KEY`, `ROCKIT_TOKEN`,
    /// `ROCKIT_API_KEY_COMMAND`, `ROCKIT_TOKEN_COMMAND` and `ROCKIT_CA_CERT` from the process environment, by the
    /// same rules as [`Resolver`]. Empty variables count as unset. Settings made afterwards win;
    /// credentials set before are kept unless the environment holds some of its own. Problems
    /// (an API key without its user, two kinds of credentials) are reported by `build()`.
    pub fn from_env(self) -> Self {
        self.from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or for
    /// configuration that is not the process environment).
    pub fn from_env_with(self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let env = match Settings::from_env(lookup) {
            Ok(env) => env,
            Err(error) => return self.invalid_credentials(error),
        };
        let mut builder = self;
        if let Some(endpoint) = &env.endpoint {
            builder = builder.base_url(endpoint.clone());
        }
        if let Some(ca_cert) = &env.ca_cert {
            builder = builder.ca_file(ca_cert.clone());
        }
        let resolved = match Resolver::new().env(env).resolve() {
            Ok(resolved) => resolved,
            Err(error) => return builder.invalid_credentials(error),
        };
        if resolved.credential.is_none() {
            // Credentials set in code stay; without any, `build()` says how to set them.
            return builder;
        }
        match resolved.credentials() {
            Ok(Made::Fixed(credentials)) => builder.credentials(credentials),
            Ok(Made::Command(provider)) => builder.credential_provider(provider),
            Err(error) => builder.invalid_credentials(error),
        }
    }
}

impl Resolved {
    /// A client builder with the endpoint, the credentials (a [`CommandCredentials`] provider for
    /// a command), the deadline and the retries; errors say what is missing and how to set it.
    pub fn client_builder(&self) -> Result<ClientBuilder> {
        let endpoint = self
            .endpoint
            .as_ref()
            .ok_or_else(|| Error::config(format!("no endpoint; set it with {}", Setting::Endpoint.how())))?;
        let mut builder = ClientBuilder::default().base_url(endpoint.value.clone());
        builder = match self.credentials()? {
            Made::Fixed(credentials) => builder.credentials(credentials),
            Made::Command(provider) => builder.credential_provider(provider),
        };
        if let Some(timeout) = &self.timeout {
            builder = builder.deadline(timeout.value);
        }
        if let Some(ca_cert) = &self.ca_cert {
            builder = builder.ca_file(ca_cert.value.clone());
        }
        if let Some(retries) = &self.retries {
            builder =
                builder.retry_policy(RetryPolicy::default().max_attempts(retries.value.saturating_add(1)));
        }
        Ok(builder)
    }

    /// This configuration's credentials; an error says what is missing and how to set it.
    fn credentials(&self) -> Result<Made> {
        let credential = self.credential.as_ref().ok_or_else(|| {
            Error::config(format!(
                "no credentials; set an API key ({}) with the org and user, or a token ({}), or a command that prints one ({})",
                Setting::ApiKey.how(),
                Setting::Token.how(),
                Setting::TokenCommand.how()
            ))
        })?;
        let org = self.org.as_ref().map(|org| org.value.clone());
        let needs_org_and_user = |what: &str| -> Result<(String, String)> {
            let missing: Vec<String> = [(Setting::Org, &self.org), (Setting::User, &self.user)]
                .into_iter()
                .filter(|(_, value)| value.is_none())
                .map(|(setting, _)| format!("the {} ({})", setting.key(), setting.how()))
                .collect();
            if !missing.is_empty() {
                return Err(Error::config(format!(
                    "{what} ({}) needs the organization and the machine user; set {}",
                    credential.origin,
                    missing.join(" and ")
                )));
            }
            Ok((
                org.clone().unwrap_or_default(),
                self.user.as_ref().map(|user| user.value.clone()).unwrap_or_default(),
            ))
        };
        Ok(match &credential.value {
            CredentialChoice::ApiKey(key) => {
                let (org, user) = needs_org_and_user("an API key")?;
                Made::Fixed(Credentials::ApiKey { org, user, key: key.clone() })
            }
            CredentialChoice::Token(token) => Made::Fixed(Credentials::Token { token: token.clone(), org }),
            CredentialChoice::ApiKeyCommand(argv) => {
                let (org, user) = needs_org_and_user("an API key command")?;
                Made::Command(Arc::new(CommandCredentials::api_key(argv.clone(), org, user)?))
            }
            CredentialChoice::TokenCommand(argv) => {
                Made::Command(Arc::new(CommandCredentials::token(argv.clone(), org)?))
            }
        })
    }
}
