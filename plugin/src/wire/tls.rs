//! The TLS settings of a transport: rustls with *ring*, Mozilla's roots
//! (webpki-roots) and any CA certificates the user added, the server's name
//! checked against its certificate.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};

/// What a connection needs to negotiate TLS with one server.
#[derive(Clone)]
pub(crate) struct Tls {
    pub config: Arc<ClientConfig>,
    pub name: ServerName<'static>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("name", &self.name).finish()
    }
}

/// Why TLS settings could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TlsSetupError {
    #[error("\"{0}\" is not a host name or IP address a certificate can be checked against")]
    Name(String),
    #[error("rustls refused the settings: {0}")]
    Rustls(#[from] rustls::Error),
}

impl Tls {
    /// Settings for `host`, trusting Mozilla's roots and `extra_roots`.
    pub(crate) fn new(
        host: &str,
        extra_roots: &[CertificateDer<'static>],
    ) -> Result<Tls, TlsSetupError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for root in extra_roots {
            roots.add(root.clone())?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from(host.to_owned())
            .map_err(|_| TlsSetupError::Name(host.to_owned()))?;
        Ok(Tls {
            config: Arc::new(config),
            name,
        })
    }
}

/// The certificates of a PEM file, checked to be ones rustls can use as
/// roots; at least one.
pub(crate) fn roots_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if certificates.is_empty() {
        return Err("it holds no PEM certificate".into());
    }
    let mut check = RootCertStore::empty();
    for certificate in &certificates {
        check.add(certificate.clone()).map_err(|e| e.to_string())?;
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_a_certificate_is_refused() {
        assert!(roots_from_pem(b"not a certificate\n").is_err());
        assert!(roots_from_pem(b"").is_err());
    }

    #[test]
    fn settings_check_the_host_name() {
        assert!(Tls::new("smtp.example.org", &[]).is_ok());
        assert!(Tls::new("127.0.0.1", &[]).is_ok());
        assert!(matches!(
            Tls::new("bad host", &[]),
            Err(TlsSetupError::Name(_))
        ));
    }
}
