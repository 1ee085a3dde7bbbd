//! The proxy a client goes through: read from the environment as curl reads it, checked before
//! any request, and decided once for the client's one host.
//!
//! `HTTPS_PROXY` (or `https_proxy`) for an `https` endpoint, `HTTP_PROXY` (or `http_proxy`, not
//! under CGI) for a plain `http` one, else `ALL_PROXY` (or `all_proxy`); `NO_PROXY` (or
//! `no_proxy`) lists hosts, domains (`example.com` covers its subdomains), addresses and networks
//! (`10.0.0.0/8`) reached directly, or `*` for all. A proxy URL without a scheme is `http://`.
//! Loopback endpoints never use a proxy. Proxies tunnel `https` with `CONNECT`; SOCKS is not
//! supported, and saying so before any request beats connecting directly behind the user's back.

use reqwest::Url;

use crate::error::{Error, ProxyInfo, Result};

/// The variable naming the hosts reached without the proxy.
const NO_PROXY: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// The proxy to use for `endpoint`, if any, and what to say about it; an error if the variable
/// that applies holds something that is not a usable proxy URL.
pub(crate) fn from_env(
    lookup: &dyn Fn(&str) -> Option<String>,
    endpoint: &Url,
) -> Result<Option<(reqwest::Proxy, ProxyInfo)>> {
    let set =
        |name: &'static str| lookup(name).filter(|value| !value.trim().is_empty()).map(|value| (name, value));
    let first = |names: [&'static str; 2]| names.into_iter().find_map(set);
    let cgi = lookup("REQUEST_METHOD").is_some();
    let specific = match endpoint.scheme() {
        "https" => first(["HTTPS_PROXY", "https_proxy"]),
        // Under CGI, `HTTP_PROXY` may be a request's `Proxy:` header (httpoxy): not read.
        _ if cgi => None,
        _ => first(["HTTP_PROXY", "http_proxy"]),
    };
    let Some((variable, raw)) = specific.or_else(|| first(["ALL_PROXY", "all_proxy"])) else {
        return Ok(None);
    };
    // A host NO_PROXY exempts is reached directly, whatever the proxy variable holds.
    let no_proxy = first(NO_PROXY).map(|(_, value)| value).unwrap_or_default();
    if bypassed(&no_proxy, endpoint) {
        return Ok(None);
    }
    let url = check(variable, raw.trim())?;
    let info = ProxyInfo {
        variable,
        url: redacted(&url),
        has_credentials: !url.username().is_empty() || url.password().is_some(),
    };
    let proxy = reqwest::Proxy::all(url.as_str())
        .map_err(|err| Error::config(format!("{variable} {} is not a usable proxy URL ({err})", info.url)))?;
    Ok(Some((proxy, info)))
}

/// Parses a proxy URL as curl does (`http://` when no scheme is given) and refuses what cannot
/// be used.
fn check(variable: &str, raw: &str) -> Result<Url> {
    let with_scheme = if raw.contains("://") { raw.to_owned() } else { format!("http://{raw}") };
    let url = Url::parse(&with_scheme).map_err(|err| {
        Error::config(format!(
            "{variable} is not a proxy URL ({err}); write it like http://proxy.example.com:3128, or unset it"
        ))
    })?;
    match url.scheme() {
        "http" | "https" => {}
        socks if socks.starts_with("socks") => {
            return Err(Error::config(format!(
                "{variable} names a {socks} proxy, which rockit does not support; use an HTTP proxy that tunnels with CONNECT (http://host:port), or unset it"
            )));
        }
        other => {
            return Err(Error::config(format!(
                "{variable} uses the scheme {other}, which is not a proxy scheme; write it like http://proxy.example.com:3128"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::config(format!(
            "{variable} names no proxy host; write it like http://proxy.example.com:3128"
        )));
    }
    Ok(url)
}

/// The URL with user name and password replaced, path and query dropped.
fn redacted(url: &Url) -> String {
    let credentials = if url.username().is_empty() && url.password().is_none() { "" } else { "[redacted]@" };
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{credentials}{host}:{port}", url.scheme()),
        None => format!("{}://{credentials}{host}", url.scheme()),
    }
}

/// Whether `NO_PROXY` exempts the endpoint's host, by the rules reqwest's own matcher applies.
fn bypassed(no_proxy: &str, endpoint: &Url) -> bool {
    if no_proxy.trim().is_empty() {
        return false;
    }
    let Ok(uri) = endpoint.as_str().parse::<http::Uri>() else { return false };
    let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
        .all("http://proxy.invalid")
        .no(no_proxy)
        .build();
    matcher.intercept(&uri).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect();
        move |name| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
    }

    fn chosen(pairs: &[(&str, &str)], endpoint: &str) -> Result<Option<ProxyInfo>> {
        let endpoint = Url::parse(endpoint).unwrap();
        from_env(&env(pairs), &endpoint).map(|found| found.map(|(_, info)| info))
    }

    #[test]
    fn the_scheme_specific_variable_wins_then_all_proxy() {
        let info =
            chosen(&[("HTTPS_PROXY", "http://a:1"), ("ALL_PROXY", "http://b:2")], "https://edge.example")
                .unwrap()
                .unwrap();
        assert_eq!((info.variable, info.url.as_str()), ("HTTPS_PROXY", "http://a:1"));
        let info = chosen(&[("all_proxy", "b:2")], "https://edge.example").unwrap().unwrap();
        assert_eq!((info.variable, info.url.as_str()), ("all_proxy", "http://b:2"));
        // An http proxy variable does not apply to an https endpoint.
        assert_eq!(chosen(&[("HTTP_PROXY", "http://a:1")], "https://edge.example").unwrap(), None);
        // Nor, under CGI, to an http one.
        let cgi = [("HTTP_PROXY", "http://a:1"), ("REQUEST_METHOD", "GET")];
        assert_eq!(chosen(&cgi, "http://edge.example").unwrap(), None);
    }

    #[test]
    fn no_proxy_exempts_hosts_domains_and_networks() {
        let with = |no: &str, endpoint: &str| {
            chosen(&[("HTTPS_PROXY", "http://p:3128"), ("NO_PROXY", no)], endpoint).unwrap().is_none()
        };
        assert!(with("edge.example.com", "https://edge.example.com"));
        assert!(with(".example.com", "https://edge.example.com"));
        assert!(with("example.com", "https://edge.example.com"));
        assert!(with("*", "https://edge.example.com"));
        assert!(with("10.0.0.0/8", "https://10.1.2.3"));
        assert!(with("other.org, 10.1.2.3", "https://10.1.2.3"));
        assert!(!with("other.org", "https://edge.example.com"));
        assert!(!with("ample.com", "https://edge.example.com"));
    }

    #[test]
    fn passwords_never_show() {
        let info = chosen(&[("HTTPS_PROXY", "http://jane:hunter2@proxy:3128/x?y")], "https://edge.example")
            .unwrap()
            .unwrap();
        assert_eq!(info.url, "http://[redacted]@proxy:3128");
        assert!(info.has_credentials);
        assert!(!format!("{info} {info:?}").contains("hunter2"));
    }

    #[test]
    fn unusable_proxy_settings_are_refused_naming_the_variable() {
        for (value, expected) in [
            ("socks5://proxy:1080", "socks5 proxy, which rockit does not support"),
            ("ftp://proxy:21", "the scheme ftp, which is not a proxy scheme"),
            ("http://", "is not a proxy URL"),
            ("http://[::1", "is not a proxy URL"),
        ] {
            let err = chosen(&[("HTTPS_PROXY", value)], "https://edge.example").unwrap_err();
            let text = err.to_string();
            assert!(text.contains("HTTPS_PROXY") && text.contains(expected), "{value}: {text}");
        }
        // A password in a refused URL is not echoed.
        let err =
            chosen(&[("HTTPS_PROXY", "socks5://jane:hunter2@p:1")], "https://edge.example").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}
