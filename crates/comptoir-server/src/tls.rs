//! TLS for the server (rustls, ring): a development CA and server certificate made on first
//! start, or certificates an administrator configures. Registers pin the CA certificate (or
//! the server's own certificate when no CA is given) at enrolment: [`fingerprint`] is what an
//! administrator reads out to check it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The certificates a server presents, and the one its registers pin.
#[derive(Clone, Debug)]
pub struct TlsMaterial {
    pub chain_pem: String,
    pub key_pem: String,
    /// What registers pin: the CA that issued the server's certificate.
    pub pin_pem: String,
}

/// Where the files are.
#[derive(Clone, Debug)]
pub enum TlsSource {
    /// `<dir>/ca.pem`, `<dir>/server.pem`, `<dir>/server.key`, made if missing.
    Development { dir: PathBuf, names: Vec<String> },
    /// A configured chain and key; `pin` is the CA certificate registers pin (the first
    /// certificate of the chain when not given).
    Configured { chain: PathBuf, key: PathBuf, pin: Option<PathBuf> },
}

impl TlsMaterial {
    pub fn load(source: &TlsSource) -> anyhow::Result<TlsMaterial> {
        match source {
            TlsSource::Development { dir, names } => development(dir, names),
            TlsSource::Configured { chain, key, pin } => {
                let read = |p: &Path| {
                    std::fs::read_to_string(p)
                        .with_context(|| format!("cannot read {}", p.display()))
                };
                let chain_pem = read(chain)?;
                let pin_pem = match pin {
                    Some(p) => read(p)?,
                    None => first_certificate_pem(&chain_pem)?,
                };
                Ok(TlsMaterial { chain_pem, key_pem: read(key)?, pin_pem })
            }
        }
    }

    /// The rustls server configuration.
    pub fn server_config(&self) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        let chain = CertificateDer::pem_slice_iter(self.chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .context("the server certificate chain is not PEM")?;
        if chain.is_empty() {
            bail!("the server certificate file holds no certificate");
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .context("the server key is not a PEM private key")?;
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the server key does not match its certificate")?;
        Ok(Arc::new(config))
    }

    pub fn pin_fingerprint(&self) -> anyhow::Result<String> {
        fingerprint(&self.pin_pem)
    }
}

/// SHA-256 of a PEM certificate's DER bytes, as `sha256:` and lower-case hex.
pub fn fingerprint(pem: &str) -> anyhow::Result<String> {
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).context("not a PEM certificate")?;
    Ok(comptoir_protocol::certificate_fingerprint(der.as_ref()))
}

fn first_certificate_pem(chain_pem: &str) -> anyhow::Result<String> {
    let der =
        CertificateDer::from_pem_slice(chain_pem.as_bytes()).context("not a PEM certificate")?;
    Ok(pem_of(der.as_ref()))
}

fn pem_of(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()))
}

fn development(dir: &Path, extra_names: &[String]) -> anyhow::Result<TlsMaterial> {
    let (ca, cert, key) = (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"));
    if !(ca.exists() && cert.exists() && key.exists()) {
        // Two processes starting at once (a server and `comptoir-server tls`) make one set:
        // the second waits for the lock and finds the files.
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let lock = std::fs::File::create(dir.join(".lock"))
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        lock.lock().context("cannot lock the certificate folder")?;
        let found: Vec<&Path> =
            [&ca, &cert, &key].into_iter().filter(|p| p.exists()).map(|p| p.as_path()).collect();
        if !found.is_empty() && found.len() < 3 {
            // Making new ones would change the certificate every enrolled register pins.
            anyhow::bail!(
                "{} holds only part of the development certificates (ca.pem, server.pem, \
                 server.key): put the missing ones back from a backup; or, to start over, move \
                 the folder away and enrol every register again (`register code`, then \
                 `comptoir enrol` on each till)",
                dir.display()
            );
        }
        if found.is_empty() {
            make_development(dir, extra_names)?;
        }
    }
    TlsMaterial::load(&TlsSource::Configured { chain: cert, key, pin: Some(ca) })
}

fn make_development(dir: &Path, extra_names: &[String]) -> anyhow::Result<()> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(DnType::CommonName, "Comptoir development CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        if !host.is_empty() {
            names.push(host.to_owned());
        }
    }
    names.extend(extra_names.iter().cloned());
    names.dedup();
    let mut params = CertificateParams::new(names)?;
    params.distinguished_name.push(DnType::CommonName, "Comptoir server");
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;

    write_private(&dir.join("server.key"), &key.serialize_pem())?;
    std::fs::write(dir.join("server.pem"), cert.pem())?;
    std::fs::write(dir.join("ca.pem"), ca_cert.pem())?;
    tracing::info!(dir = %dir.display(), "made a development CA and server certificate");
    Ok(())
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_development_ca_is_made_once_and_pins_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let source = TlsSource::Development { dir: dir.path().to_owned(), names: vec![] };
        let first = TlsMaterial::load(&source).unwrap();
        let again = TlsMaterial::load(&source).unwrap();
        assert_eq!(first.pin_fingerprint().unwrap(), again.pin_fingerprint().unwrap());
        first.server_config().unwrap();
        assert_ne!(first.pin_pem, first.chain_pem);
        // A lost key does not silently make a new CA that no enrolled register trusts.
        std::fs::remove_file(dir.path().join("server.key")).unwrap();
        let refused = TlsMaterial::load(&source).unwrap_err().to_string();
        assert!(refused.contains("only part of the development certificates"), "{refused}");
        let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
        assert_eq!(ca, first.pin_pem, "the CA is left as it was");
    }
}
