//! TLS: the certificate chain and private key from PEM files, served with
//! rustls (ring) over HTTP/1.1.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The certificate and key to serve HTTPS with.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// PEM file with the certificate chain, the server's first.
    pub cert: PathBuf,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or holds no PEM item of the kind needed.
    #[error("{path}: {what}")]
    File {
        /// The file.
        path: String,
        /// What is wrong with it.
        what: String,
    },
    /// The key does not fit the certificate, or rustls refused them.
    #[error("{cert} and {key}: {what}")]
    Pair {
        /// The certificate file.
        cert: String,
        /// The key file.
        key: String,
        /// What rustls said.
        what: String,
    },
}

impl TlsFiles {
    /// Reads the files and makes the TLS acceptor.
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        let certs = read_certs(&self.cert)?;
        let key = read_key(&self.key)?;
        let pair = |what: String| TlsError::Pair {
            cert: self.cert.display().to_string(),
            key: self.key.display().to_string(),
            what,
        };
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| pair(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| pair(format!("not a usable certificate and key: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

fn file_error(path: &Path, err: pem::Error, kind: &str) -> TlsError {
    let what = match err {
        pem::Error::Io(e) => format!("cannot read: {e}"),
        pem::Error::NoItemsFound => format!("no {kind} in PEM format in it"),
        other => format!("not a PEM file of a {kind}: {other}"),
    };
    TlsError::File {
        path: path.display().to_string(),
        what,
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, e, "certificate"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, e, "certificate"))?;
    if certs.is_empty() {
        return Err(file_error(path, pem::Error::NoItemsFound, "certificate"));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| file_error(path, e, "private key"))
}
