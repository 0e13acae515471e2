//! Median time of one exponentiation in the Secret Service's 1024-bit DH
//! group: the store crate's way (full-length exponent), and mailcred's
//! (constant time, full-length and 256-bit exponents; see Cargo.toml).

use std::time::Instant;

use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{U256, U1024, const_monty_params};
use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, Zero};

const PRIME: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";
const_monty_params!(
    Modp,
    U1024,
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"
);

/// secret-service 5.2's `powm`, as the store crate runs it.
fn square_and_multiply(base: &BigUint, exp: &BigUint, modulus: &BigUint) -> BigUint {
    let (mut base, mut exp, mut result) = (base.clone(), exp.clone(), BigUint::one());
    while !exp.is_zero() {
        if exp.is_odd() {
            result = (&result * &base) % modulus;
        }
        exp >>= 1;
        base = (&base * &base) % modulus;
    }
    result
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..101)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[50]
}

fn main() {
    let exponent: Vec<u8> = (0..128u32).map(|i| (i * 97 + 13) as u8).collect();
    let p = BigUint::parse_bytes(PRIME.as_bytes(), 16).unwrap();
    let (g, x) = (BigUint::from(2u32), BigUint::from_bytes_be(&exponent));
    let xc = U1024::from_be_slice(&exponent);
    let a = square_and_multiply(&g, &x, &p);
    let b = ConstMontyForm::<Modp, { U1024::LIMBS }>::new(&U1024::from_u8(2))
        .pow(&xc)
        .retrieve();
    assert_eq!(
        a,
        BigUint::from_bytes_be(b.to_be_bytes().as_ref()),
        "both compute 2^x mod p"
    );
    let naive = median_ms(|| drop(std::hint::black_box(square_and_multiply(&g, &x, &p))));
    let ct = median_ms(|| {
        std::hint::black_box(
            ConstMontyForm::<Modp, { U1024::LIMBS }>::new(&U1024::from_u8(2)).pow(&xc),
        );
    });
    let short = U256::from_be_slice(&exponent[..32]);
    let ct_short = median_ms(|| {
        std::hint::black_box(
            ConstMontyForm::<Modp, { U1024::LIMBS }>::new(&U1024::from_u8(2)).pow(&short),
        );
    });
    println!("| one exponentiation in the 1024-bit group | median (ms) |");
    println!("| --- | ---: |");
    println!("| num-bigint square-and-multiply (the store crate's) | {naive:.3} |");
    println!("| crypto-bigint constant-time Montgomery, 1024-bit exponent | {ct:.3} |");
    println!("| crypto-bigint constant-time Montgomery, 256-bit exponent (mailcred's read path) | {ct_short:.3} |");
    println!("| ratio, mailcred's to the store crate's | {:.2} |", ct_short / naive);
}
