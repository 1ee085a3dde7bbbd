//! Real networks: the emulator serving TLS with a certificate of a CA made for the run, and a
//! `CONNECT` proxy on loopback in front of it. Trust through `--ca-cert`, `ROCKIT_CA_CERT`, a
//! profile's `ca_cert` and `SSL_CERT_FILE`; each certificate and proxy failure with its one-line
//! message and exit code, on one connection (never retried); proxy passwords in no output.

use rockit_emulator::Emulator;
use rockit_test_support::net::{ConnectProxy, Pki, Validity};

use crate::{admin, demo_builder, rockit_env};

/// A name that does not resolve: only a proxy (which sends every tunnel to the emulator) reaches it.
const PROXIED_HOST: &str = "edge.rockit.test";

async fn tls_emulator(pki: &Pki, names: &[&str], validity: Validity) -> Emulator {
    let cert = pki.server("server", names, validity);
    demo_builder().tls(cert.cert_pem, cert.key_pem).start().await.expect("the TLS emulator starts")
}

fn path(pki: &Pki) -> String {
    pki.ca_path().display().to_string()
}

#[tokio::test]
async fn a_private_ca_is_trusted_through_the_flag_the_variable_a_profile_and_ssl_cert_file() {
    let pki = Pki::new();
    let emulator = tls_emulator(&pki, &["127.0.0.1"], Validity::Current).await;
    let url = emulator.base_url();
    assert!(url.starts_with("https://"), "{url}");
    let ca = path(&pki);

    let mut with_flag = admin(&url, &["tasks", "list", "-o", "json", "--ca-cert"]);
    with_flag.push(&ca);
    let run = rockit_env(&with_flag, &[]).await.expect(0);
    assert_eq!(run.json()["totalCount"], 13, "{run:#?}");

    let run = rockit_env(&admin(&url, &["tasks", "list", "-o", "json"]), &[("ROCKIT_CA_CERT", &ca)]).await;
    assert_eq!(run.expect(0).json()["totalCount"], 13);

    // As curl and git read it on Linux: the file replaces the system's bundle.
    let run = rockit_env(&admin(&url, &["tasks", "list", "-o", "json"]), &[("SSL_CERT_FILE", &ca)]).await;
    assert_eq!(run.expect(0).json()["totalCount"], 13);

    // A profile's relative path is relative to the config file.
    let config = pki.dir().join("config.toml");
    std::fs::write(&config, format!("[profiles.studio]\nendpoint = \"{url}\"\nca_cert = \"ca.pem\"\n"))
        .unwrap();
    let args = [
        "--profile",
        "studio",
        "--org",
        "ExampleOrg",
        "--user",
        "adminPrincipal",
        "--api-key",
        "demo-api-key",
    ];
    let mut args = args.to_vec();
    args.extend(["tasks", "list", "-o", "json"]);
    let run = rockit_env(&args, &[("ROCKIT_CONFIG", &config.display().to_string())]).await;
    assert_eq!(run.expect(0).json()["totalCount"], 13);

    // auth status says what is trusted.
    let mut status = admin(&url, &["auth", "status", "--ca-cert"]);
    status.push(&ca);
    let run = rockit_env(&status, &[]).await.expect(0);
    let trusts = run.stdout.lines().find(|line| line.starts_with("trusts:")).expect("a trusts line");
    assert!(
        trusts.contains("the system's trust store") && trusts.contains(&format!("{ca} (1 certificate)")),
        "{trusts}"
    );
    assert!(run.stdout.contains("proxy:        none"), "{}", run.stdout);
}

#[tokio::test]
async fn each_certificate_problem_is_named_with_its_fix_on_one_connection() {
    let pki = Pki::new();
    let ca = path(&pki);
    let cases = [
        (
            &["127.0.0.1"][..],
            Validity::Current,
            false,
            "the server's certificate is signed by an unknown authority; add your CA with --ca-cert FILE",
        ),
        (&["other.example"][..], Validity::Current, true, "the server's certificate is for another name"),
        (&["127.0.0.1"][..], Validity::Expired, true, "the server's certificate has expired"),
        (&["127.0.0.1"][..], Validity::NotYetValid, true, "the server's certificate is not valid yet"),
    ];
    for (names, validity, trusted, expected) in cases {
        let emulator = tls_emulator(&pki, names, validity).await;
        let url = emulator.base_url();
        // One call: the table's listing asks for more.
        let mut args = admin(&url, &["tasks", "list", "-o", "json"]);
        if trusted {
            args.extend(["--ca-cert", ca.as_str()]);
        }
        let line = rockit_env(&args, &[]).await.one_line_error(1);
        assert!(line.contains(expected), "{validity:?} {names:?}: {line}");
        assert!(line.ends_with("(after 1 attempt)"), "not retried: {line}");
        assert_eq!(emulator.counters().connections, 1, "one connection for {line}");
        assert_eq!(emulator.counters().requests, 0, "no request got through: {line}");
    }
}

#[tokio::test]
async fn a_machine_without_any_ca_says_so() {
    let pki = Pki::new();
    let emulator = tls_emulator(&pki, &["127.0.0.1"], Validity::Current).await;
    let empty_file = pki.dir().join("empty.pem");
    std::fs::write(&empty_file, "").unwrap();
    let empty_dir = pki.dir().join("empty.d");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let env =
        [("SSL_CERT_FILE", empty_file.to_str().unwrap()), ("SSL_CERT_DIR", empty_dir.to_str().unwrap())];
    let url = emulator.base_url();
    let args = admin(&url, &["tasks", "list", "-o", "json"]);
    let line = rockit_env(&args, &env).await.one_line_error(1);
    assert!(line.contains("this machine has no trusted CA certificates"), "{line}");
    // A CA file is enough on its own.
    let ca = path(&pki);
    let mut args = args.clone();
    args.extend(["--ca-cert", ca.as_str()]);
    assert_eq!(rockit_env(&args, &env).await.expect(0).json()["totalCount"], 13);
}

#[tokio::test]
async fn verbose_output_shows_the_cause_once_below_the_headline() {
    let pki = Pki::new();
    let emulator = tls_emulator(&pki, &["127.0.0.1"], Validity::Current).await;
    let run = rockit_env(&admin(&emulator.base_url(), &["tasks", "list", "-v"]), &[]).await.expect(1);
    let lines: Vec<&str> = run.stderr.lines().filter(|line| !line.contains("DEBUG")).collect();
    assert!(
        lines[0].starts_with("error: list tasks: GET /be/v1/tasks: the server's certificate"),
        "{lines:#?}"
    );
    let causes: Vec<&str> = lines.iter().filter_map(|line| line.strip_prefix("  caused by: ")).collect();
    assert!(
        !causes.iter().any(|cause| cause.contains("the server's certificate")),
        "headline repeated: {lines:#?}"
    );
    assert!(causes.iter().any(|cause| cause.contains("UnknownIssuer")), "{lines:#?}");
}

#[tokio::test]
async fn bad_ca_files_are_usage_errors_naming_the_file() {
    let pki = Pki::new();
    let not_pem = pki.dir().join("notes.txt");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let broken = pki.dir().join("broken.pem");
    std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n")
        .unwrap();
    let missing = pki.dir().join("missing.pem");
    for (file, expected) in [
        (&missing, "there is no such file"),
        (&not_pem, "holds no certificate"),
        (&broken, "is not valid PEM"),
    ] {
        let file = file.display().to_string();
        let run =
            rockit_env(&admin("https://edge.example.com", &["tasks", "list", "--ca-cert", &file]), &[]).await;
        let line = run.one_line_error(2);
        assert!(line.contains(&file) && line.contains(expected), "{line}");
    }
}

#[tokio::test]
async fn a_connect_proxy_tunnels_and_its_password_shows_nowhere() {
    let pki = Pki::new();
    let emulator = tls_emulator(&pki, &[PROXIED_HOST], Validity::Current).await;
    let proxy = ConnectProxy::start(emulator.addr(), Some(("jane", "hunter2"))).await;
    let port = emulator.addr().port();
    let url = format!("https://{PROXIED_HOST}:{port}");
    let ca = path(&pki);
    let with_password = proxy.url_with("jane", "hunter2");
    let env = [("HTTPS_PROXY", with_password.as_str()), ("ROCKIT_CA_CERT", ca.as_str())];

    let run = rockit_env(&admin(&url, &["tasks", "list", "-o", "json", "-vv"]), &env).await.expect(0);
    assert_eq!(run.json()["totalCount"], 13);
    assert!(!run.stderr.contains("hunter2") && !run.stderr.contains("amFuZTpodW50ZXIy"), "{}", run.stderr);
    let log = proxy.log();
    assert_eq!(log.targets, vec![format!("{PROXIED_HOST}:{port}")]);
    assert_eq!(log.authorizations, vec![Some("Basic amFuZTpodW50ZXIy".to_owned())]);

    let run = rockit_env(&admin(&url, &["auth", "status"]), &env).await.expect(0);
    let line = run.stdout.lines().find(|line| line.starts_with("proxy:")).expect("a proxy line");
    assert_eq!(
        line,
        format!("proxy:        http://[redacted]@127.0.0.1:{} (from HTTPS_PROXY)", proxy_port(&proxy))
    );
    assert!(!run.stdout.contains("hunter2"));

    // NO_PROXY sends the request direct: the name does not resolve, and the proxy sees nothing.
    let before = proxy.log().targets.len();
    let env = [
        ("HTTPS_PROXY", with_password.as_str()),
        ("ROCKIT_CA_CERT", ca.as_str()),
        ("NO_PROXY", ".rockit.test"),
    ];
    let line = rockit_env(&admin(&url, &["tasks", "list", "--retries", "0"]), &env).await.one_line_error(1);
    assert!(line.contains("cannot connect to the server"), "{line}");
    assert_eq!(proxy.log().targets.len(), before);
}

fn proxy_port(proxy: &ConnectProxy) -> u16 {
    proxy.url().rsplit(':').next().and_then(|port| port.parse().ok()).expect("a port")
}

#[tokio::test]
async fn proxy_failures_are_named_never_retried_and_bad_settings_refused_before_sending() {
    let pki = Pki::new();
    let emulator = tls_emulator(&pki, &[PROXIED_HOST], Validity::Current).await;
    let proxy = ConnectProxy::start(emulator.addr(), Some(("jane", "hunter2"))).await;
    let url = format!("https://{PROXIED_HOST}:{}", emulator.addr().port());
    let ca = path(&pki);

    // No credentials: 407.
    let plain = proxy.url();
    let line = rockit_env(
        &admin(&url, &["tasks", "list", "-o", "json"]),
        &[("HTTPS_PROXY", &plain), ("ROCKIT_CA_CERT", &ca)],
    )
    .await
    .one_line_error(1);
    assert!(line.contains("asks for credentials (407)") && line.contains("HTTPS_PROXY"), "{line}");
    assert!(line.ends_with("(after 1 attempt)"), "{line}");
    assert_eq!(proxy.log().targets.len(), 1, "one CONNECT, not retried");

    // Wrong credentials: 407, and the password is not echoed.
    let wrong = proxy.url_with("jane", "wrong-secret");
    let line =
        rockit_env(&admin(&url, &["tasks", "list"]), &[("https_proxy", &wrong), ("ROCKIT_CA_CERT", &ca)])
            .await
            .one_line_error(1);
    assert!(line.contains("refused its credentials (407)") && line.contains("https_proxy"), "{line}");
    assert!(!line.contains("wrong-secret"), "{line}");

    // A proxy nobody listens on.
    let gone = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let line = rockit_env(&admin(&url, &["tasks", "list"]), &[("ALL_PROXY", &gone), ("ROCKIT_CA_CERT", &ca)])
        .await
        .one_line_error(1);
    assert!(line.contains("cannot connect to the proxy") && line.contains("ALL_PROXY"), "{line}");
    // The request never left, as with a refused connection: retried by the policy (4 attempts).
    assert!(line.ends_with("(after 4 attempts)"), "{line}");

    // Unusable settings: refused before any request, exit 2.
    for (value, expected) in [
        ("socks5://jane:hunter2@127.0.0.1:1080", "names a socks5 proxy, which rockit does not support"),
        ("http://", "is not a proxy URL"),
    ] {
        let before = proxy.log().targets.len();
        let line =
            rockit_env(&admin(&url, &["tasks", "list"]), &[("HTTPS_PROXY", value)]).await.one_line_error(2);
        assert!(line.contains(expected) && !line.contains("hunter2"), "{line}");
        assert_eq!(proxy.log().targets.len(), before);
    }

    // Loopback endpoints never use the proxy, even a broken one.
    let direct = demo_builder().start().await.unwrap();
    rockit_env(
        &admin(&direct.base_url(), &["tasks", "list"]),
        &[("HTTPS_PROXY", &gone), ("HTTP_PROXY", &gone)],
    )
    .await
    .expect(0);
}
