//! The Secret Service's encrypted session, `dh-ietf1024-sha256-aes128-cbc-pkcs7`:
//! a Diffie-Hellman exchange over the 1024-bit MODP group of RFC 2409
//! (second Oakley group), HKDF-SHA256 of the shared secret for a 128-bit
//! AES key, and AES-128-CBC with PKCS#7 padding for each secret.
//!
//! The same algorithm as the secret-service crate's, on the same RustCrypto
//! crates (hkdf, sha2, aes, cbc), but with crypto-bigint's constant-time
//! Montgomery exponentiation with the modulus fixed at compile time instead
//! of a square-and-multiply over num-bigint, whose time depends on the
//! private key's bits: 0.57 ms instead of 1.60 ms for each of the two
//! exponentiations a lookup needs (`bench/modpow-speed`, release profile,
//! one run on a busy machine).

use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{U256, U1024, const_monty_params};
use zeroize::{Zeroize, Zeroizing};

const_monty_params!(
    Modp1024,
    U1024,
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    "The 1024-bit MODP group of RFC 2409, which the Secret Service's DH algorithm names"
);

type Residue = ConstMontyForm<Modp1024, { U1024::LIMBS }>;

/// The algorithm name OpenSession is called with.
pub(super) const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

/// Bytes of a group element.
const SIZE: usize = 128;
/// Bytes of a private key: 256 bits, not the group's 1,024. An exponent of
/// at least twice the group's security strength keeps all of it (NIST SP
/// 800-56A rev. 3, 5.6.1.1.4; RFC 7919, 5.2): a 1024-bit MODP group gives
/// about 80 bits, which a 160-bit exponent already matches, and the best
/// attack on a 256-bit one (Pollard's kangaroo) costs 2^128. The peer sees
/// only g^x, so nothing changes for it. Measured: each exponentiation, two
/// a lookup, takes about a quarter of the full-length one's time.
const PRIVATE_SIZE: usize = 32;

/// Our half of the exchange. The private key is wiped when dropped.
pub(super) struct Keypair {
    private: U256,
    public: [u8; SIZE],
}

impl Drop for Keypair {
    fn drop(&mut self) {
        self.private.zeroize();
    }
}

/// Why a session key or a secret could not be had.
#[derive(Debug, thiserror::Error)]
pub(super) enum CryptoError {
    /// The service's public key is no element of the group we can use.
    #[error("Crypto error: the Secret Service sent an invalid public key")]
    BadPublicKey,
    /// The secret's parameters are not an AES-CBC initialization vector.
    #[error("Crypto error: secret has an invalid initialization vector")]
    BadIv,
    /// Wrong key or damaged ciphertext (the padding does not check).
    #[error("Crypto error: message decryption failed")]
    Decryption,
}

impl Keypair {
    /// A fresh key pair from the OS's random generator.
    pub(super) fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = Zeroizing::new([0u8; PRIVATE_SIZE]);
        getrandom::fill(bytes.as_mut())?;
        let private = U256::from_be_slice(bytes.as_ref());
        let public = Residue::new(&U1024::from_u8(2)).pow(&private).retrieve();
        Ok(Self {
            private,
            public: to_bytes(&public),
        })
    }

    /// Our public key, big-endian, as OpenSession takes it.
    pub(super) fn public(&self) -> &[u8] {
        &self.public
    }

    /// The session's AES key from the service's public key (OpenSession's
    /// output): HKDF-SHA256, no salt, no info, of the shared secret.
    pub(super) fn session_key(&self, service_public: &[u8]) -> Result<SessionKey, CryptoError> {
        if service_public.len() > SIZE {
            return Err(CryptoError::BadPublicKey);
        }
        let mut padded = [0u8; SIZE];
        padded[SIZE - service_public.len()..].copy_from_slice(service_public);
        let theirs = U1024::from_be_slice(&padded);
        // 0, 1 and p - 1 would give away the shared secret; p and above are no residues.
        let p_minus_1 = Modp1024_modulus().wrapping_sub(&U1024::ONE);
        if theirs <= U1024::ONE || theirs >= p_minus_1 {
            return Err(CryptoError::BadPublicKey);
        }
        let mut shared = Residue::new(&theirs).pow(&self.private).retrieve();
        let ikm = Zeroizing::new(to_bytes(&shared));
        shared.zeroize();
        let mut key = [0u8; 16];
        hkdf::Hkdf::<sha2::Sha256>::new(None, ikm.as_ref())
            .expand(&[], &mut key)
            .expect("16 bytes is a valid HKDF-SHA256 output length");
        Ok(SessionKey(Zeroizing::new(key)))
    }
}

/// The modulus, as a plain integer.
#[allow(non_snake_case)]
fn Modp1024_modulus() -> U1024 {
    use crypto_bigint::modular::ConstMontyParams;
    *Modp1024::PARAMS.modulus().as_ref()
}

fn to_bytes(value: &U1024) -> [u8; SIZE] {
    let mut out = [0u8; SIZE];
    out.copy_from_slice(value.to_be_bytes().as_ref());
    out
}

/// A session's AES-128 key, wiped when dropped.
pub(super) struct SessionKey(Zeroizing<[u8; 16]>);

impl SessionKey {
    /// The secret of a `GetSecret` answer: `parameters` is the IV.
    pub(super) fn decrypt(
        &self,
        parameters: &[u8],
        value: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        use aes::cipher::block_padding::Pkcs7;
        use aes::cipher::{BlockModeDecrypt, KeyIvInit};

        let decryptor = cbc::Decryptor::<aes::Aes128>::new_from_slices(self.0.as_ref(), parameters)
            .map_err(|_| CryptoError::BadIv)?;
        decryptor
            .decrypt_padded_vec::<Pkcs7>(value)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decryption)
    }

    /// The same key as the service derives, for tests that play the service.
    #[cfg(test)]
    pub(super) fn encrypt(&self, iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
        use aes::cipher::block_padding::Pkcs7;
        use aes::cipher::{BlockModeEncrypt, KeyIvInit};

        cbc::Encryptor::<aes::Aes128>::new_from_slices(self.0.as_ref(), iv)
            .expect("16-byte key and IV")
            .encrypt_padded_vec::<Pkcs7>(plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_of_the_exchange_derive_the_same_key() {
        let ours = Keypair::generate().unwrap();
        let theirs = Keypair::generate().unwrap();
        let a = ours.session_key(theirs.public()).unwrap();
        let b = theirs.session_key(ours.public()).unwrap();
        let iv = [7u8; 16];
        let sealed = b.encrypt(&iv, b"app password");
        assert_eq!(
            a.decrypt(&iv, &sealed).unwrap().as_slice(),
            b"app password",
            "a secret sealed with one side's key must open with the other's"
        );
    }

    #[test]
    fn the_public_key_is_two_to_the_private_key_modulo_the_group_prime() {
        // x = 1 gives 2, x = 10 gives 1024: checks the group and the encoding.
        for (x, expected) in [(1u8, 2u32), (10, 1024)] {
            let public = to_bytes(
                &Residue::new(&U1024::from_u8(2))
                    .pow(&U1024::from_u8(x))
                    .retrieve(),
            );
            let mut want = [0u8; SIZE];
            want[SIZE - 4..].copy_from_slice(&expected.to_be_bytes());
            assert_eq!(public, want, "2^{x} mod p");
        }
    }

    #[test]
    fn degenerate_service_keys_are_refused() {
        let ours = Keypair::generate().unwrap();
        let p_minus_1 = to_bytes(&Modp1024_modulus().wrapping_sub(&U1024::ONE));
        for bad in [&[0u8][..], &[1], &p_minus_1, &[0xff; 129]] {
            assert!(
                matches!(ours.session_key(bad), Err(CryptoError::BadPublicKey)),
                "a service key of {} bytes that gives the secret away must be refused",
                bad.len()
            );
        }
    }

    #[test]
    fn a_wrong_key_or_iv_is_an_error_not_garbage() {
        let ours = Keypair::generate().unwrap();
        let theirs = Keypair::generate().unwrap();
        let key = ours.session_key(theirs.public()).unwrap();
        assert!(matches!(
            key.decrypt(&[0; 15], &[0; 16]),
            Err(CryptoError::BadIv)
        ));
        let other = Keypair::generate()
            .unwrap()
            .session_key(theirs.public())
            .unwrap();
        let sealed = other.encrypt(&[1; 16], b"secret");
        // A wrong key gives bad padding nearly always; a rare pass would be garbage, never the secret.
        if let Ok(opened) = key.decrypt(&[1; 16], &sealed) {
            assert_ne!(opened.as_slice(), b"secret");
        }
    }
}
