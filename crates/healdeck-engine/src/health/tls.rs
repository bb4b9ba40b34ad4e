//! When does a server's TLS certificate expire? A real handshake (rustls, the same roots as
//! the HTTP probe: the public web's, or the check's own `ca_file` for a private CA) gives the
//! chain the server sends; the standard verifier run at a far-future time then names the
//! certificate's `notAfter` — no certificate parsing of our own.

use super::spec::HttpTarget;
use healdeck_config::clock::{iso_of_unix, now_unix};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A certificate's remaining life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    pub days_left: i64,
    /// `notAfter`, as an ISO date-time.
    pub not_after: String,
}

/// The trusted roots: `ca_file`'s certificates (PEM) when given, else the public web's.
pub fn roots(ca_file: Option<&Path>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match ca_file {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(f) => {
            let certs = CertificateDer::pem_file_iter(f)
                .map_err(|e| format!("ca_file {}: {e}", f.display()))?;
            for c in certs {
                let c = c.map_err(|e| format!("ca_file {}: {e}", f.display()))?;
                store
                    .add(c)
                    .map_err(|e| format!("ca_file {}: {e}", f.display()))?;
            }
            if store.is_empty() {
                return Err(format!("ca_file {} holds no certificate", f.display()));
            }
        }
    }
    Ok(store)
}

/// Connects to `target`, completes a TLS handshake and reads the end certificate's expiry.
pub fn expiry(
    target: &HttpTarget,
    ca_file: Option<&Path>,
    timeout: Duration,
) -> Result<Expiry, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Arc::new(roots(ca_file)?);
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
    let name =
        ServerName::try_from(target.host.clone()).map_err(|e| format!("{}: {e}", target.host))?;
    let mut conn =
        ClientConnection::new(Arc::new(config), name.clone()).map_err(|e| e.to_string())?;
    let addr = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", target.host))?
        .next()
        .ok_or_else(|| format!("{} has no address", target.host))?;
    let mut sock = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(timeout))
        .and_then(|()| sock.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)
            .map_err(|e| format!("TLS handshake with {}: {e}", target.host))?;
    }
    let chain = conn
        .peer_certificates()
        .filter(|c| !c.is_empty())
        .ok_or("the server sent no certificate")?;
    let verifier = WebPkiServerVerifier::builder_with_provider(roots, provider)
        .build()
        .map_err(|e| e.to_string())?;
    // A hundred years on, every certificate has expired: the verifier says when it did.
    let now = now_unix();
    let far = UnixTime::since_unix_epoch(Duration::from_secs(now + 100 * 365 * 86_400));
    match verifier.verify_server_cert(&chain[0], &chain[1..], &name, &[], far) {
        Err(rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            not_after,
            ..
        })) => {
            let secs = not_after.as_secs() as i64;
            Ok(Expiry {
                days_left: (secs - now as i64).div_euclid(86_400),
                not_after: iso_of_unix(secs),
            })
        }
        Err(e) => Err(format!("certificate of {}: {e}", target.host)),
        Ok(_) => Err("the certificate does not say when it expires".into()),
    }
}
