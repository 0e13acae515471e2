//! A CA made for one test server and the server's certificate issued by
//! it. A real CA rather than a self-signed server certificate: OpenSSL-based
//! readers (mbsync, OfflineIMAP, getmail, mutt) and rustls (mailcred) all
//! take a CA file, and rustls refuses a CA certificate as a server's own.
//!
//! The certificate names `localhost` and both loopback addresses:
//! OfflineIMAP checks only the name fields, not IP entries, so the TLS
//! listeners are reached as `localhost`.

use std::path::Path;
use std::process::{Command, Stdio};

/// Writes `ca.pem`, `cert.pem` and `key.pem` into `dir`.
pub(super) fn make(dir: &Path) {
    // EC keys: made in milliseconds, where RSA takes a good fraction of a
    // second of CPU per server of a parallel run.
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=mailcred test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-days",
            "2",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "key.pem",
            "-out",
            "request.pem",
        ],
    );
    std::fs::write(
        dir.join("extensions.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2\n\
         basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\n",
    )
    .expect("write the certificate's extensions");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "request.pem",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "extensions.cnf",
            "-out",
            "cert.pem",
        ],
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `openssl` for the test certificates (apt-get install openssl): {e}")
        });
    assert!(
        output.status.success(),
        "openssl {} failed: {}",
        args[0],
        String::from_utf8_lossy(&output.stderr)
    );
}
