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
use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::SecretString;
use serde::Deserialize;

use crate::command::CommandCredentials;
use crate::config::ClientBuilder;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
pub use crate::setting::{
    CredentialChoice, ENV_API_KEY_COMMAND, ENV_TOKEN_COMMAND, Origin, Resolved, Setting, Settings, Sourced,
    split_command,
};
use crate::setting::{ExplicitNames, ProfileContext, ProfileEntry};

/// The environment variable naming the profile to use.
pub const ENV_PROFILE: &str = "ROCKIT_PROFILE";
/// The environment variable naming the config file.
pub const ENV_CONFIG: &str = "ROCKIT_CONFIG";

impl Settings {
    /// Reads every setting's variable ([`Setting::variable`]: `ROCKIT_ENDPOINT`, `ROCKIT_ORG`,
    /// `ROCKIT_USER`, `ROCKIT_API_KEY`, `ROCKIT_TOKEN`, `ROCKIT_API_KEY_COMMAND`,
    /// `ROCKIT_TOKEN_COMMAND`, `ROCKIT_CA_CERT`) through `lookup`; empty variables count as unset.
    /// Commands are split like a shell would split them (quotes, no expansion).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        Self::read_env(&lookup)
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
                "the config file {} is not valid{place}: {}; the README describes its format",
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
        let (settings, refusal) = self.profile_to_show(name)?;
        match refusal {
            Some(refusal) => Err(refusal),
            None => Ok(settings),
        }
    }

    /// The settings of profile `name` for showing them (secrets stay redacted in
    /// [`Settings::shown`]), and, apart, the error [`profile`](Self::profile) would refuse it
    /// with: a literal secret in a file other users can read. So a person can see what to fix.
    pub fn profile_to_show(&self, name: &str) -> Result<(Settings, Option<Error>)> {
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
        let refusal = secret.filter(|_| !self.private).map(|what| {
            let mode = self.mode.map_or_else(String::new, |mode| format!(" (mode {:o})", mode & 0o777));
            Error::config(format!(
                "{origin} holds {what}, but other users can read the file{mode}; \
                 run `chmod 600 {}`, or use api_key_command/token_command instead of a literal secret",
                self.path.display()
            ))
        });
        let settings =
            Settings::from_entry(entry, &ProfileContext { origin: &origin, dir: self.path.parent() })?;
        Ok((settings, refusal))
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

/// Builds a [`Resolved`] configuration from layers; see the module docs.
#[derive(Debug, Default)]
#[must_use]
pub struct Resolver {
    explicit: Settings,
    explicit_names: Option<ExplicitNames>,
    env: Settings,
    profile: Option<(Settings, Origin)>,
}

impl Resolver {
    /// No layer yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Explicit values, set by the program itself: the highest layer. Their origins name each
    /// setting by its profile key ([`Origin::Explicit`]`("org")`).
    pub fn explicit(mut self, settings: Settings) -> Self {
        self.explicit = settings;
        self.explicit_names = None;
        self
    }

    /// Explicit values as [`explicit`](Self::explicit) takes them, named by `name` in origins and
    /// in the advice of errors: a CLI passes its flags' names, so that a message says `--org`.
    pub fn explicit_as(mut self, settings: Settings, name: fn(Setting) -> &'static str) -> Self {
        self.explicit = settings;
        self.explicit_names = Some(ExplicitNames(name));
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

    /// The profile to use: `named` (with what named it, such as a CLI's flag), else
    /// `$ROCKIT_PROFILE`, else the file's `default_profile`; none if nothing names one. A named
    /// profile must exist.
    pub fn profile_from(
        self,
        file: Option<&ConfigFile>,
        named: Option<Sourced<&str>>,
        lookup: impl Fn(&str) -> Option<String>,
        path: Option<&Path>,
    ) -> Result<Self> {
        let from_env = lookup(ENV_PROFILE).filter(|name| !name.trim().is_empty());
        let (name, why) = match (named, from_env.as_deref()) {
            (Some(named), _) => (Some(named.value.to_owned()), named.origin.to_string()),
            (None, Some(name)) => (Some(name.to_owned()), ENV_PROFILE.to_owned()),
            (None, None) => {
                (file.and_then(ConfigFile::default_profile).map(str::to_owned), "default_profile".to_owned())
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
        let empty = Settings::default();
        let layers: [(&Settings, Layer); 3] = [
            (&self.explicit, Layer::Explicit),
            (&self.env, Layer::Env),
            (self.profile.as_ref().map_or(&empty, |(settings, _)| settings), Layer::Profile),
        ];
        let profile_origin = self.profile.as_ref().map(|(_, origin)| origin.clone());
        let origin = |layer: Layer, setting: Setting| match layer {
            Layer::Explicit => {
                Origin::Explicit(self.explicit_names.map_or(setting.key(), |names| names.0(setting)))
            }
            Layer::Env => setting.variable().map_or(Origin::Default, Origin::Env),
            Layer::Profile => profile_origin.clone().unwrap_or(Origin::Default),
        };

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
        let settings = layers.map(|(settings, _)| settings);
        Ok(Resolved::pick(
            &settings,
            |at, setting| origin(layers[at].1, setting),
            credential,
            profile_origin.clone(),
            self.explicit_names,
        ))
    }
}

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
        let endpoint = self.endpoint.as_ref().ok_or_else(|| {
            Error::config(format!("no endpoint; set it with {}", Setting::Endpoint.how(self.explicit_names)))
        })?;
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
            builder = builder.retry_policy(RetryPolicy::default().retries(retries.value));
        }
        Ok(builder)
    }

    /// This configuration's credentials; an error says what is missing and how to set it.
    fn credentials(&self) -> Result<Made> {
        let credential = self.credential.as_ref().ok_or_else(|| {
            Error::config(format!(
                "no credentials; set an API key ({}) with the org and user, or a token ({}), or a command that prints one ({})",
                Setting::ApiKey.how(self.explicit_names),
                Setting::Token.how(self.explicit_names),
                Setting::TokenCommand.how(self.explicit_names)
            ))
        })?;
        let org = self.org.as_ref().map(|org| org.value.clone());
        let needs_org_and_user = |what: &str| -> Result<(String, String)> {
            let missing: Vec<String> = [(Setting::Org, &self.org), (Setting::User, &self.user)]
                .into_iter()
                .filter(|(_, value)| value.is_none())
                .map(|(setting, _)| format!("the {} ({})", setting.key(), setting.how(self.explicit_names)))
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
