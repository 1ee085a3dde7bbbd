//! `rockit auth status` (the settings in use and where each came from, then one cheap call) and
//! `rockit config path | list | show [PROFILE]` (the config file and its profiles, secrets
//! redacted): enough to debug a setup without reading the file by hand.

use rockit_model::ListTasks;
use rockit_transport::{ConfigFile, Origin, Resolved, Sourced};
use serde::Serialize;

use crate::cli::{ConfigCommand, GlobalArgs};
use crate::connect::{connect, resolve};
use crate::exit::usage;
use crate::output::{self, Color, Style};
use crate::{Exit, Io};

/// One setting as the JSON document writes it.
#[derive(Debug, Serialize)]
struct Entry {
    value: String,
    from: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusDocument {
    endpoint: Option<Entry>,
    org: Option<Entry>,
    user: Option<Entry>,
    credentials: Option<Entry>,
    profile: Option<String>,
    config_file: Option<String>,
    /// The certificate authorities trusted for https, when the client could be built.
    #[serde(skip_serializing_if = "Option::is_none")]
    trusts: Option<String>,
    /// The proxy the check went through, if any (its password never shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    proxy: Option<String>,
    /// `ok`, or what the check found.
    check: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_permission: Option<&'static str>,
}

/// With `--emulator`, what the demo supplies for a value nothing set.
fn demo(global: &GlobalArgs, value: &str) -> Option<Entry> {
    global.emulator.then(|| Entry { value: value.to_owned(), from: "the demo credentials".to_owned() })
}

fn entry<T>(sourced: Option<&Sourced<T>>, show: impl Fn(&T) -> String) -> Option<Entry> {
    sourced.map(|sourced| Entry { value: show(&sourced.value), from: sourced.origin.to_string() })
}

pub(super) async fn status(global: &GlobalArgs, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let resolved: Resolved = resolve(global, io.var)?;
    let path = ConfigFile::default_path(io.var);
    let mut document = StatusDocument {
        endpoint: if global.emulator {
            Some(Entry { value: "the built-in emulator".to_owned(), from: "--emulator".to_owned() })
        } else {
            entry(resolved.endpoint.as_ref(), Clone::clone)
        },
        org: entry(resolved.org.as_ref(), Clone::clone).or_else(|| demo(global, rockit_emulator::demo::ORG)),
        user: entry(resolved.user.as_ref(), Clone::clone)
            .or_else(|| demo(global, rockit_emulator::demo::USER)),
        // The kind of credential only: never the secret, nor a command's arguments.
        credentials: entry(resolved.credential.as_ref(), rockit_transport::CredentialChoice::describe)
            .or_else(|| demo(global, "API key")),
        profile: resolved.profile.as_ref().map(|profile| match profile {
            Origin::Profile { name, .. } => name.clone(),
            other => other.to_string(),
        }),
        config_file: path.as_ref().map(|path| {
            let found = if path.exists() { "" } else { " (not found)" };
            format!("{}{found}", path.display())
        }),
        trusts: None,
        proxy: None,
        check: String::new(),
        status: None,
        missing_permission: None,
    };
    let exit = match connect(global, io.var, true).await {
        Err(err) => {
            document.check = format!("not checked: {}", output::terminal_text(&err.to_string()));
            crate::exit::classify(&err)
        }
        Ok(connection) => {
            let network = connection.tasks.client().network();
            if connection.tasks.client().base_url().starts_with("https:") {
                document.trusts = Some(network.roots.to_string());
            }
            document.proxy = network.proxy.as_ref().map(ToString::to_string);
            check(&connection, &mut document).await
        }
    };
    if super::json(global) {
        output::json(io.stdout, &document)?;
        return Ok(exit);
    }
    let style = Style::for_stdout(io);
    let line = |entry: &Option<Entry>| match entry {
        Some(entry) => output::terminal_text(&format!("{} ({})", entry.value, entry.from)),
        None => "-".to_owned(),
    };
    writeln!(io.stdout, "endpoint:     {}", line(&document.endpoint))?;
    writeln!(io.stdout, "org:          {}", line(&document.org))?;
    writeln!(io.stdout, "user:         {}", line(&document.user))?;
    writeln!(io.stdout, "credentials:  {}", line(&document.credentials))?;
    writeln!(
        io.stdout,
        "profile:      {}",
        output::terminal_text(document.profile.as_deref().unwrap_or("-"))
    )?;
    writeln!(
        io.stdout,
        "config file:  {}",
        output::terminal_text(document.config_file.as_deref().unwrap_or("-"))
    )?;
    // Over https only: plain http reaches loopback alone, directly.
    if let Some(trusts) = &document.trusts {
        writeln!(io.stdout, "trusts:       {}", output::terminal_text(trusts))?;
        let proxy = document.proxy.as_deref().unwrap_or("none");
        writeln!(io.stdout, "proxy:        {}", output::terminal_text(proxy))?;
    }
    let color = if exit == Exit::Success { Color::Green } else { Color::Red };
    writeln!(io.stdout, "check:        {}", style.paint(&document.check, Some(color)))?;
    if let Some(permission) = document.missing_permission {
        writeln!(io.stdout, "              the credentials lack the {permission} permission")?;
    }
    Ok(exit)
}

/// One cheap call with the connection: its outcome goes into the document.
async fn check(connection: &crate::connect::Connection, document: &mut StatusDocument) -> Exit {
    match connection.tasks.list(ListTasks::new().limit(1)).await {
        Ok(page) => {
            document.check =
                format!("ok: GET /be/v1/tasks?limit=1 answered with {} tasks in all", page.total_count);
            Exit::Success
        }
        Err(err) => {
            let transport = err.transport_error();
            document.status = transport.and_then(rockit_transport::Error::status);
            if document.status == Some(403) {
                document.missing_permission = transport.and_then(rockit_transport::Error::permission);
            }
            document.check = output::terminal_text(&err.to_string());
            crate::exit::classify(&anyhow::Error::new(err))
        }
    }
}

pub(super) fn config(command: &ConfigCommand, global: &GlobalArgs, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let path = ConfigFile::default_path(io.var)
        .ok_or_else(|| usage("no config directory on this system; set ROCKIT_CONFIG to a file"))?;
    let json = super::json(global);
    match command {
        ConfigCommand::Path => {
            if json {
                #[derive(Serialize)]
                struct PathDocument {
                    path: String,
                    exists: bool,
                }
                output::json(
                    io.stdout,
                    &PathDocument { path: path.display().to_string(), exists: path.exists() },
                )?;
            } else {
                writeln!(io.stdout, "{}", path.display())?;
                if !path.exists() {
                    writeln!(
                        io.stderr,
                        "note: there is no file there yet; the README shows what goes in it"
                    )?;
                }
            }
        }
        ConfigCommand::List { names: true } => {
            let file = ConfigFile::load(&path)?;
            for name in file.iter().flat_map(ConfigFile::profile_names) {
                writeln!(io.stdout, "{}", output::terminal_text(name))?;
            }
        }
        ConfigCommand::List { names: false } => {
            let file = ConfigFile::load(&path)?;
            let default = file.as_ref().and_then(ConfigFile::default_profile).map(str::to_owned);
            let names: Vec<String> = file
                .as_ref()
                .map(|file| file.profile_names().map(str::to_owned).collect())
                .unwrap_or_default();
            if json {
                #[derive(Serialize)]
                #[serde(rename_all = "camelCase")]
                struct ListDocument {
                    path: String,
                    default_profile: Option<String>,
                    profiles: Vec<String>,
                }
                output::json(
                    io.stdout,
                    &ListDocument {
                        path: path.display().to_string(),
                        default_profile: default,
                        profiles: names,
                    },
                )?;
            } else {
                if file.is_none() {
                    writeln!(io.stderr, "note: no config file at {}", path.display())?;
                }
                for name in &names {
                    let mark = if default.as_deref() == Some(name.as_str()) { "*" } else { " " };
                    writeln!(io.stdout, "{mark} {}", output::terminal_text(name))?;
                }
            }
        }
        ConfigCommand::Show { profile } => return show_config(&path, profile.as_deref(), json, io),
    }
    Ok(Exit::Success)
}

/// `rockit config show [PROFILE]`: the profile's settings, secrets redacted; a profile rockit
/// would refuse is shown too, with the refusal as a warning (exit 2).
fn show_config(
    path: &std::path::Path,
    profile: Option<&str>,
    json: bool,
    io: &mut Io<'_>,
) -> anyhow::Result<Exit> {
    let file = ConfigFile::load(path)?.ok_or_else(|| {
        usage(format!("no config file at {}; `rockit config path` says where it goes", path.display()))
    })?;
    let name = match profile.or(file.default_profile()) {
        Some(name) => name.to_owned(),
        None => {
            return Err(usage(format!("name a profile: {} has no default_profile", path.display())));
        }
    };
    let (settings, refusal) = file.profile_to_show(&name)?;
    let shown = settings.shown();
    if json {
        output::json(
            io.stdout,
            &shown
                .iter()
                .map(|(key, value)| (*key, value.as_str()))
                .collect::<std::collections::BTreeMap<_, _>>(),
        )?;
    } else {
        writeln!(io.stdout, "profile {} in {}", output::terminal_text(&name), path.display())?;
        for (key, value) in shown {
            writeln!(io.stdout, "  {key:<16} {}", output::terminal_text(&value))?;
        }
    }
    if let Some(refusal) = refusal {
        // Shown, redacted, so that the user sees what to fix; still not usable as it is.
        let message = match refusal.kind() {
            rockit_transport::ErrorKind::InvalidConfig { message } => message.clone(),
            _ => refusal.to_string(),
        };
        writeln!(io.stderr, "warning: rockit will not use this profile: {message}")?;
        return Ok(Exit::Usage);
    }
    Ok(Exit::Success)
}
