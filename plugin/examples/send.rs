//! Sends one message through a mailcred account, with the password from the
//! keyring (via `git-credential-mailcred`):
//!
//! ```sh
//! cargo run -p mailcred-lettre --example send -- ACCOUNT RECIPIENT [CA_FILE]
//! ```
//!
//! CA_FILE is a PEM certificate to trust beside Mozilla's roots, for a
//! server with a self-signed certificate.

use std::error::Error;

use lettre::{Message, Transport};
use mailcred_lettre::MailcredTransport;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(account), Some(recipient)) = (args.next(), args.next()) else {
        eprintln!("usage: send ACCOUNT RECIPIENT [CA_FILE]");
        std::process::exit(2);
    };
    if let Err(error) = send(&account, &recipient, args.next()) {
        // The error, then what caused it, as one sentence.
        let mut message = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            message += &format!(": {inner}");
            cause = inner.source();
        }
        eprintln!("send: {message}");
        std::process::exit(1);
    }
}

fn send(account: &str, recipient: &str, ca_file: Option<String>) -> Result<(), Box<dyn Error>> {
    let mut builder = MailcredTransport::account(account)?;
    if let Some(ca_file) = ca_file {
        builder = builder.add_root_certificate_file(ca_file)?;
    }
    let message = Message::builder()
        .from(builder.user().parse()?)
        .to(recipient.parse()?)
        .subject("Hello from mailcred-lettre")
        .body(String::from(
            "This message was sent with an app password kept in the keyring.\n",
        ))?;
    let mailer = builder.build()?;
    let response = mailer.send(&message)?;
    println!("sent: {}", mailcred_lettre::Reply::from_response(&response));
    Ok(())
}
