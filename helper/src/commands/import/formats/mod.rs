//! One reader per configuration format: text in, what it holds out.

pub mod gitconfig;
mod msmtp;

use super::found::{Format, Parsed};

/// What the reader of `format` finds in `text`.
pub fn parse(format: Format, text: &str) -> Parsed {
    match format {
        Format::Msmtp => msmtp::parse(text),
        Format::GitConfig => gitconfig::parse(text),
        _ => Parsed::default(),
    }
}
