//! One reader per configuration format: text in, what it holds out.

mod aerc;
mod fetchmail;
mod getmail;
mod git_credentials;
pub mod gitconfig;
mod ini;
mod mbsync;
mod msmtp;
mod mutt;
mod netrc;
mod offlineimap;

use super::found::{Format, Parsed};

/// What the reader of `format` finds in `text`.
pub fn parse(format: Format, text: &str) -> Parsed {
    match format {
        Format::Msmtp => msmtp::parse(text),
        Format::Netrc => netrc::parse(text, false),
        Format::Authinfo => netrc::parse(text, true),
        Format::Fetchmail => fetchmail::parse(text),
        Format::GitCredentials => git_credentials::parse(text),
        Format::GitConfig => gitconfig::parse(text),
        Format::Mbsync => mbsync::parse(text),
        Format::Mutt => mutt::parse(text),
        Format::Aerc => aerc::parse(text),
        Format::Offlineimap => offlineimap::parse(text),
        Format::Getmail => getmail::parse(text),
        Format::Keyring => Parsed::default(),
    }
}
