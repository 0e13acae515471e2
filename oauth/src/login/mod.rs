//! `mailcred-oauth login`: a new sign-in, by browser (the redirect caught on
//! loopback, or pasted) or by the device flow.

mod browser;
mod code;
mod device;
mod listener;

use std::io::{BufRead, Write};

use crate::failure::Failure;
use crate::request::{Flow, Request, Tokens};

/// Signs in as `request.flow` says; `rest` is stdin after the request line.
pub fn login(
    request: &Request,
    rest: Box<dyn BufRead + Send>,
    stderr: &mut dyn Write,
) -> Result<Tokens, Failure> {
    match request.flow.unwrap_or_default() {
        Flow::Browser => code::code_flow(request, None, stderr),
        Flow::NoBrowser => code::code_flow(request, Some(rest), stderr),
        Flow::Device => device::device_flow(request, stderr),
    }
}
