//! Real network parts for tests of TLS and proxies: a certificate authority made per run
//! ([`Pki`]) and a `CONNECT` proxy on loopback ([`ConnectProxy`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A private CA made for one test run, and server certificates it signs, written as PEM files
/// into a directory of their own.
pub struct Pki {
    dir: PathBuf,
    ca: CertifiedIssuer<'static, KeyPair>,
}

/// A server's certificate chain and key, as PEM text and files.
pub struct ServerCert {
    /// The certificate (PEM).
    pub cert_pem: String,
    /// Its private key (PEM).
    pub key_pem: String,
    /// The certificate's file.
    pub cert_path: PathBuf,
    /// The key's file.
    pub key_path: PathBuf,
}

/// Which certificate to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Valid from last year to next year.
    Current,
    /// Ended years ago.
    Expired,
    /// Starts decades from now.
    NotYetValid,
}

impl Pki {
    /// A new CA named `Rockit Test CA`, its certificate written to `ca.pem` in a fresh directory.
    pub fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "rockit-pki-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.distinguished_name.push(DnType::CommonName, "Rockit Test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("a key")).expect("the CA");
        std::fs::write(dir.join("ca.pem"), ca.pem()).expect("ca.pem written");
        Self { dir, ca }
    }

    /// The CA certificate's file.
    pub fn ca_path(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The directory the files are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A server certificate for `names` (host names or IP addresses), signed by this CA, written
    /// to `<file>.pem` and `<file>.key`.
    pub fn server(&self, file: &str, names: &[&str], validity: Validity) -> ServerCert {
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("server parameters");
        params.distinguished_name.push(DnType::CommonName, "rockit test server");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let (from, to) = match validity {
            Validity::Current => (date_time_ymd(2025, 1, 1), date_time_ymd(2040, 1, 1)),
            Validity::Expired => (date_time_ymd(2015, 1, 1), date_time_ymd(2016, 1, 1)),
            Validity::NotYetValid => (date_time_ymd(2090, 1, 1), date_time_ymd(2091, 1, 1)),
        };
        params.not_before = from;
        params.not_after = to;
        let key = KeyPair::generate().expect("a key");
        let cert = params.signed_by(&key, &self.ca).expect("the server certificate");
        let cert_path = self.dir.join(format!("{file}.pem"));
        let key_path = self.dir.join(format!("{file}.key"));
        std::fs::write(&cert_path, cert.pem()).expect("certificate written");
        std::fs::write(&key_path, key.serialize_pem()).expect("key written");
        ServerCert { cert_pem: cert.pem(), key_pem: key.serialize_pem(), cert_path, key_path }
    }
}

impl Default for Pki {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a [`ConnectProxy`] saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyLog {
    /// The `CONNECT` targets asked for, in order.
    pub targets: Vec<String>,
    /// The `Proxy-Authorization` values received, in order (`None` for a request without one).
    pub authorizations: Vec<Option<String>>,
}

/// An HTTP proxy on loopback that tunnels `CONNECT host:port` to one fixed address (whatever the
/// host, so tests can name a host that does not resolve), optionally asking for Basic credentials
/// and answering `407` without them.
pub struct ConnectProxy {
    addr: SocketAddr,
    log: Arc<Mutex<ProxyLog>>,
    task: tokio::task::JoinHandle<()>,
}

impl ConnectProxy {
    /// Starts a proxy tunnelling to `target`; with `credentials` (`user`, `password`) it answers
    /// `407` to requests without the matching `Proxy-Authorization: Basic …`.
    pub async fn start(target: SocketAddr, credentials: Option<(&str, &str)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("the proxy binds");
        let addr = listener.local_addr().expect("an address");
        let log = Arc::new(Mutex::new(ProxyLog::default()));
        let expected =
            credentials.map(|(user, password)| format!("Basic {}", base64(&format!("{user}:{password}"))));
        let shared = log.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let log = shared.clone();
                let expected = expected.clone();
                tokio::spawn(async move {
                    let _ = tunnel(client, target, expected.as_deref(), &log).await;
                });
            }
        });
        Self { addr, log, task }
    }

    /// The proxy's URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The proxy's URL with credentials in it.
    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@{}", self.addr)
    }

    /// What it saw so far.
    pub fn log(&self) -> ProxyLog {
        self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn tunnel(
    mut client: TcpStream,
    target: SocketAddr,
    expected: Option<&str>,
    log: &Mutex<ProxyLog>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await? == 0 || head.len() > 16 * 1024 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let request = lines.next().unwrap_or_default();
    let authorization = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim().eq_ignore_ascii_case("proxy-authorization").then(|| value.trim().to_owned())
    });
    {
        let mut log = log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        log.targets.push(request.split_whitespace().nth(1).unwrap_or_default().to_owned());
        log.authorizations.push(authorization.clone());
    }
    if !request.starts_with("CONNECT ") {
        client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n").await?;
        return Ok(());
    }
    if let Some(expected) = expected
        && authorization.as_deref() != Some(expected)
    {
        client
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"test\"\r\ncontent-length: 0\r\n\r\n",
            )
            .await?;
        return Ok(());
    }
    let mut server = TcpStream::connect(target).await?;
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await?;
    tokio::io::copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}

/// Standard base64 with padding.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(super::base64("jane:hunter2"), "amFuZTpodW50ZXIy");
        assert_eq!(super::base64("f"), "Zg==");
        assert_eq!(super::base64("fo"), "Zm8=");
        assert_eq!(super::base64("foo"), "Zm9v");
    }
}
