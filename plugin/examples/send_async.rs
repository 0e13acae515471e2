//! The tokio version of `send.rs`: several messages at once through the
//! pooled `AsyncMailcredTransport`.
//!
//! ```sh
//! cargo run -p mailcred-lettre --features async --example send_async -- ACCOUNT RECIPIENT [CA_FILE]
//! ```

use lettre::{AsyncTransport, Message};
use mailcred_lettre::AsyncMailcredTransport;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(account), Some(recipient)) = (args.next(), args.next()) else {
        eprintln!("usage: send_async ACCOUNT RECIPIENT [CA_FILE]");
        std::process::exit(2);
    };
    let mut builder = AsyncMailcredTransport::account(&account)?.max_connections(2);
    if let Some(ca_file) = args.next() {
        builder = builder.add_root_certificate_file(ca_file)?;
    }
    let from = builder.user().to_owned();
    let mailer = builder.build_async()?;
    let mut sends = tokio::task::JoinSet::new();
    for n in 1..=3 {
        let message = Message::builder()
            .from(from.parse()?)
            .to(recipient.parse()?)
            .subject(format!("Hello {n} from mailcred-lettre"))
            .body(String::from("Sent by tokio through a pooled connection.\n"))?;
        let mailer = mailer.clone();
        sends.spawn(async move { mailer.send(message).await });
    }
    while let Some(sent) = sends.join_next().await {
        sent??;
    }
    println!("sent 3 messages");
    Ok(())
}
