//! TLS: which certificate authorities a client trusts, and what a failed handshake means.
//!
//! A client trusts the operating system's trust store (through `rustls-platform-verifier`: on
//! Linux the system bundle, or `SSL_CERT_FILE`/`SSL_CERT_DIR` when set, as curl and git read
//! them; on macOS and Windows the system's own verifier), plus any CA files it is given
//! ([`ClientBuilder::ca_file`](crate::ClientBuilder::ca_file)). The store is read at the first
//! handshake, not when the client is built, so a client that only ever speaks plain http to
//! loopback never reads it, and a machine without any CA certificates fails only where TLS is
//! used, with an error that says so. The crypto provider is `ring`, which builds with a C compiler
//! alone.

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::error::{Error, Result, TlsProblem};

/// The environment variable naming a file of extra CA certificates (PEM) to trust.
pub const ENV_CA_CERT: &str = "ROCKIT_CA_CERT";

/// A CA file a client trusts besides the system's store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaFile {
    /// The file.
    pub path: PathBuf,
    /// How many certificates it holds.
    pub certificates: usize,
}

/// The certificate authorities a client trusts, for people: `rockit auth status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Roots {
    /// Where the system's roots come from: `the system's trust store`, or `SSL_CERT_FILE
    /// /path` / `SSL_CERT_DIR /path` where those replace it (Linux and other Unix systems).
    pub system: String,
    /// CA files trusted as well.
    pub files: Vec<CaFile>,
}

impl Roots {
    /// The roots a client built now would trust, reading `SSL_CERT_FILE` and `SSL_CERT_DIR`
    /// through `lookup`.
    pub(crate) fn new(files: Vec<CaFile>, lookup: impl Fn(&str) -> Option<String>) -> Self {
        Self { system: system_roots(lookup), files }
    }
}

impl fmt::Display for Roots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.system)?;
        for file in &self.files {
            let plural = if file.certificates == 1 { "" } else { "s" };
            write!(f, ", and {} ({} certificate{plural})", file.path.display(), file.certificates)?;
        }
        Ok(())
    }
}

#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn system_roots(lookup: impl Fn(&str) -> Option<String>) -> String {
    // As rustls-native-certs reads them: either variable replaces the system's bundle.
    let set = |name: &str| lookup(name).filter(|value| !value.is_empty());
    match (set("SSL_CERT_FILE"), set("SSL_CERT_DIR")) {
        (Some(file), Some(dir)) => format!("SSL_CERT_FILE {file} and SSL_CERT_DIR {dir}"),
        (Some(file), None) => format!("SSL_CERT_FILE {file}"),
        (None, Some(dir)) => format!("SSL_CERT_DIR {dir}"),
        (None, None) => "the system's trust store".to_owned(),
    }
}

#[cfg(not(all(unix, not(target_vendor = "apple"), not(target_os = "android"))))]
fn system_roots(_lookup: impl Fn(&str) -> Option<String>) -> String {
    "the system's trust store".to_owned()
}

/// Reads the PEM certificates of a CA file; a missing, unreadable or empty file, or one that is
/// not PEM, is a configuration error naming it.
pub(crate) fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|err| {
        let why = match err.kind() {
            std::io::ErrorKind::NotFound => "there is no such file".to_owned(),
            _ => err.to_string(),
        };
        Error::config(format!("cannot read the CA file {shown} ({why}); name a PEM file of CA certificates"))
    })?;
    let certificates: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&bytes).collect::<std::result::Result<_, _>>().map_err(|err| {
            Error::config(format!(
                "the CA file {shown} is not valid PEM ({err}); name a PEM file of CA certificates"
            ))
        })?;
    if certificates.is_empty() {
        return Err(Error::config(format!(
            "the CA file {shown} holds no certificate (no -----BEGIN CERTIFICATE----- block); name a PEM file of CA certificates"
        )));
    }
    let mut store = rustls::RootCertStore::empty();
    for (at, certificate) in certificates.iter().enumerate() {
        store.add(certificate.clone()).map_err(|err| {
            Error::config(format!(
                "certificate {} in the CA file {shown} is not a usable CA certificate ({err})",
                at + 1
            ))
        })?;
    }
    Ok(certificates)
}

/// The TLS configuration of a client: `ring`, TLS 1.2 and 1.3, the system's roots plus `extra`.
///
/// Also makes `ring` the process's default provider if none is yet: reqwest is built without one
/// (`rustls-no-provider`), and with Cargo's feature unification another reqwest client in the same
/// program would otherwise panic when built.
pub(crate) fn client_config(extra: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig> {
    if CryptoProvider::get_default().is_none() {
        // Another thread may install one first: either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(Trust { provider: provider.clone(), extra, verifier: OnceLock::new() });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::config("cannot set up TLS").with_source(err))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// The platform's verifier with the extra roots, made at the first handshake.
#[derive(Debug)]
struct Trust {
    provider: Arc<CryptoProvider>,
    extra: Vec<CertificateDer<'static>>,
    verifier: OnceLock<std::result::Result<rustls_platform_verifier::Verifier, String>>,
}

impl Trust {
    fn verifier(&self) -> std::result::Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        let made = self.verifier.get_or_init(|| {
            rustls_platform_verifier::Verifier::new_with_extra_roots(
                self.extra.iter().cloned(),
                self.provider.clone(),
            )
            .map_err(|err| err.to_string())
        });
        made.as_ref().map_err(|reason| {
            rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
                NoTrustedRoots(reason.clone()),
            ))))
        })
    }
}

impl ServerCertVerifier for Trust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// No root could be loaded from the system, and no CA file was given.
#[derive(Debug)]
struct NoTrustedRoots(String);

impl fmt::Display for NoTrustedRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no trusted CA certificates ({})", self.0)
    }
}

impl StdError for NoTrustedRoots {}

/// The TLS problem behind a failed connection, if its cause chain holds one.
pub(crate) fn tls_problem(error: &(dyn StdError + 'static)) -> Option<TlsProblem> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        // `io::Error::source` skips the error it wraps, which may be another `io::Error`: look
        // inside, all the way down.
        let mut inner: Option<&(dyn StdError + 'static)> = Some(current);
        while let Some(error) = inner {
            if let Some(rustls) = error.downcast_ref::<rustls::Error>() {
                return Some(problem_of(rustls));
            }
            inner = error
                .downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
                .map(|wrapped| wrapped as &(dyn StdError + 'static));
        }
        cause = current.source();
    }
    None
}

fn problem_of(error: &rustls::Error) -> TlsProblem {
    match error {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsProblem::NameMismatch
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => TlsProblem::Expired,
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsProblem::NotYetValid
            }
            CertificateError::Other(other) if other.0.is::<NoTrustedRoots>() => TlsProblem::NoTrustedRoots,
            other => TlsProblem::Other(format!("invalid peer certificate: {other}")),
        },
        other => TlsProblem::Other(other.to_string()),
    }
}
