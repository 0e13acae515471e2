//! The built `mailcred-oauth` against the local identity provider
//! (tests/oauth/idp.py), through the pipe contract mailcred uses.

mod browser_flow;
mod device_flow;
mod errors;
mod hardening;
mod no_browser_flow;
mod refresh;
mod support;
mod transport;
