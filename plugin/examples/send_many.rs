//! Sends COUNT messages through one pooled transport, as a program sending
//! a batch would, and prints how long it took. Used by
//! `bench/lettre-pool-vs-msmtp`.
//!
//! ```sh
//! cargo run --release -p mailcred-lettre --example send_many -- ACCOUNT RECIPIENT COUNT [CA_FILE]
//! ```
//!
//! `CREDENTIAL_HELPER`, if set, names the credential helper as git's
//! `credential.helper` would (default: `git-credential-mailcred`).

use std::error::Error;
use std::time::Instant;

use lettre::message::Mailbox;
use lettre::{Message, Transport};
use mailcred_lettre::{CredentialHelper, MailcredTransport};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [account, recipient, count, rest @ ..] = &args[..] else {
        eprintln!("usage: send_many ACCOUNT RECIPIENT COUNT [CA_FILE]");
        std::process::exit(2);
    };
    let count: usize = count.parse()?;
    let mut builder = MailcredTransport::account_dangerous(account)?;
    if let Some(ca_file) = rest.first() {
        builder = builder.add_root_certificate_file(ca_file)?;
    }
    if let Ok(helper) = std::env::var("CREDENTIAL_HELPER") {
        builder = builder.credential_helper(CredentialHelper::new(&helper)?);
    }
    let from: Mailbox = builder.user().parse()?;
    let to: Mailbox = recipient.parse()?;
    let mailer = builder.build()?;

    let started = Instant::now();
    for n in 1..=count {
        let message = Message::builder()
            .from(from.clone())
            .to(to.clone())
            .subject(format!("message {n} of {count}"))
            .body(String::from("Hello from the pooled transport.\n"))?;
        mailer.send(&message)?;
    }
    let elapsed = started.elapsed();
    println!(
        "sent {count} messages in {:.3} s ({:.2} ms each)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / count as f64
    );
    Ok(())
}
