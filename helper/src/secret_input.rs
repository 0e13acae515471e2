//! Reading a new app password: a hidden prompt on the terminal, or the
//! first line of stdin with `--password-stdin`. Never argv or environment,
//! where other processes and shell history can see it.

use std::io::Read;

use secrecy::SecretString;
use zeroize::{Zeroize, Zeroizing};

/// The longest password line accepted on stdin.
const MAX_PASSWORD_BYTES: usize = 4096;

/// Why no password could be read. Never carries the password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordInputError {
    /// No terminal to prompt on.
    #[error(
        "cannot prompt for the password: no terminal ({0}); pipe it in with --password-stdin instead"
    )]
    NoTerminal(String),
    /// Reading stdin failed.
    #[error("cannot read the password from stdin")]
    Io(#[from] std::io::Error),
    /// Nothing was given.
    #[error("the password is empty; nothing was stored")]
    Empty,
    /// The line is unusably long.
    #[error("the password line is longer than {MAX_PASSWORD_BYTES} bytes; nothing was stored")]
    TooLong,
    /// Not text, or contains a character no mail server accepts.
    #[error(
        "the password is not valid UTF-8 text or contains a NUL or carriage return; nothing was stored"
    )]
    Invalid,
    /// The two prompted entries differ.
    #[error("the two entries differ; nothing was stored")]
    Mismatch,
}

/// stdin for reading a secret: straight from the file descriptor, not
/// through `std::io::stdin()`, whose process-wide buffer would keep a copy
/// of what passed through it (a `store` request, a password line) until the
/// process exits, never wiped. Falls back to `std::io::stdin()` where stdin
/// cannot be duplicated (closed) and off Unix.
pub fn unbuffered_stdin() -> Box<dyn Read> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdin().lock())
}

/// Reads the first line of `input` (without its line ending) as a password.
pub fn from_stdin(input: impl Read) -> Result<SecretString, PasswordInputError> {
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_BYTES + 2));
    input
        .take(MAX_PASSWORD_BYTES as u64 + 2)
        .read_to_end(&mut buf)?;
    let line_end = buf.iter().position(|&b| b == b'\n');
    if line_end.is_none() && buf.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordInputError::TooLong);
    }
    let mut line = &buf[..line_end.unwrap_or(buf.len())];
    if let Some(stripped) = line.strip_suffix(b"\r") {
        line = stripped;
    }
    if line.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordInputError::TooLong);
    }
    checked(line)
}

/// Reads the first line of `input` (without its line ending) as a secret,
/// a byte at a time: what follows stays unread, for whoever reads next
/// (the pasted redirect URL of a sign-in, after a client secret).
pub fn first_line(input: &mut dyn Read) -> Result<SecretString, PasswordInputError> {
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_BYTES + 2));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        if input.read(&mut byte[..])? == 0 || byte[0] == b'\n' {
            break;
        }
        if line.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordInputError::TooLong);
        }
        line.push(byte[0]);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    checked(&line)
}

/// Asks once on the terminal, without echo: for a secret shown on a
/// screen to copy, where a mistake is told at once by the sign-in.
pub fn from_prompt_once(text: &str) -> Result<SecretString, PasswordInputError> {
    prompt(text)
}

/// Asks twice on the terminal, without echo.
pub fn from_prompt(account: &str) -> Result<SecretString, PasswordInputError> {
    let first = prompt(&format!("App password for {account}: "))?;
    let second = prompt("Again, to be sure: ")?;
    use secrecy::ExposeSecret;
    if first.expose_secret() != second.expose_secret() {
        return Err(PasswordInputError::Mismatch);
    }
    Ok(first)
}

fn prompt(text: &str) -> Result<SecretString, PasswordInputError> {
    let mut typed = rpassword::prompt_password(text)
        .map_err(|e| PasswordInputError::NoTerminal(e.to_string()))?;
    let result = checked(typed.as_bytes());
    typed.zeroize();
    result
}

fn checked(bytes: &[u8]) -> Result<SecretString, PasswordInputError> {
    if bytes.is_empty() {
        return Err(PasswordInputError::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| PasswordInputError::Invalid)?;
    if text.contains(['\0', '\r', '\n']) {
        return Err(PasswordInputError::Invalid);
    }
    Ok(SecretString::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn takes_the_first_line_without_its_ending() {
        let got = from_stdin(&b"abcd efgh\r\nsecond line\n"[..]).unwrap();
        assert_eq!(got.expose_secret(), "abcd efgh");
    }

    #[test]
    fn first_line_leaves_the_rest_of_stdin_unread() {
        let mut input: &[u8] = b"GOCSPX-secret\r\nhttp://localhost:1/?code=c\n";
        let got = first_line(&mut input).unwrap();
        assert_eq!(got.expose_secret(), "GOCSPX-secret");
        assert_eq!(input, b"http://localhost:1/?code=c\n");
    }

    #[test]
    fn refuses_an_empty_first_line() {
        assert!(matches!(
            from_stdin(&b"\nlater\n"[..]),
            Err(PasswordInputError::Empty)
        ));
    }

    #[test]
    fn refuses_an_endless_line() {
        let long = vec![b'a'; MAX_PASSWORD_BYTES + 100];
        assert!(matches!(
            from_stdin(&long[..]),
            Err(PasswordInputError::TooLong)
        ));
    }
}
