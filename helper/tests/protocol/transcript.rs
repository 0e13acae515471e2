//! Reads a transcript fixture: the format is described in
//! `tests/fixtures/README.md`. Kept strict, so a typo in a fixture is an
//! error naming its line rather than a test that silently checks less.

/// One fixture file: steps replayed in order against one store and index.
#[derive(Debug)]
pub struct Transcript {
    pub steps: Vec<Step>,
}

/// One call of the helper: `> ACTION`, its stdin, `<`, its stdout, checks.
#[derive(Debug, Default)]
pub struct Step {
    /// 1-based line of the `> ACTION` line, for messages.
    pub line: usize,
    pub action: String,
    pub stdin: Vec<u8>,
    pub stdout: Vec<u8>,
    /// `! exit=N`; 0 when not given.
    pub exit: u8,
    /// `! stderr contains TEXT`, possibly several.
    pub stderr_contains: Vec<String>,
    /// `! stored=N`: index entries and keyring secrets after the step.
    pub stored: Option<usize>,
}

#[derive(PartialEq)]
enum Section {
    /// Before the first step: only comments and blank lines.
    Preamble,
    Stdin,
    Stdout,
    Checks,
}

/// Parses a whole fixture. Errors name the 1-based line.
pub fn parse(text: &str) -> Result<Transcript, String> {
    if text.contains('\r') {
        return Err("the fixture holds a raw CR (saved with CRLF?): write \\r instead".into());
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut section = Section::Preamble;
    // Stdout lines are collected apart so trailing blank lines (spacing
    // before the next step) can be dropped.
    let mut stdout_lines: Vec<(Vec<u8>, bool)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let at = |message: String| format!("line {number}: {message}");
        if line.starts_with('#') {
            continue;
        }
        if let Some(action) = line.strip_prefix("> ") {
            finish_stdout(&mut steps, &mut stdout_lines);
            if section == Section::Stdin {
                return Err(at(
                    "a new step starts before the `<` of the previous one".into()
                ));
            }
            steps.push(Step {
                line: number,
                action: action.to_owned(),
                ..Step::default()
            });
            section = Section::Stdin;
            continue;
        }
        if line == "<" {
            if section != Section::Stdin {
                return Err(at("`<` must follow the stdin of a `> ACTION` step".into()));
            }
            section = Section::Stdout;
            continue;
        }
        if let Some(check) = line.strip_prefix("! ") {
            if !matches!(section, Section::Stdout | Section::Checks) {
                return Err(at("checks (`! ...`) come after the `<` section".into()));
            }
            finish_stdout(&mut steps, &mut stdout_lines);
            section = Section::Checks;
            let step = steps
                .last_mut()
                .expect("a step is open in the Checks section");
            apply_check(step, check).map_err(at)?;
            continue;
        }
        match section {
            Section::Preamble | Section::Checks if line.is_empty() => {}
            Section::Preamble | Section::Checks => {
                return Err(at(format!(
                    "unexpected line {line:?}: expected `> ACTION`, `! CHECK`, `# comment` or a blank line"
                )));
            }
            Section::Stdin => {
                let (bytes, newline) = unescape(line).map_err(at)?;
                let step = steps
                    .last_mut()
                    .expect("a step is open in the Stdin section");
                if step.stdin.last() != Some(&b'\n') && !step.stdin.is_empty() {
                    return Err(at("stdin continues after a line ending in \\c".into()));
                }
                step.stdin.extend_from_slice(&bytes);
                if newline {
                    step.stdin.push(b'\n');
                }
            }
            Section::Stdout => stdout_lines.push(unescape(line).map_err(at)?),
        }
    }
    if section == Section::Stdin {
        return Err("the last step has no `<` line".into());
    }
    finish_stdout(&mut steps, &mut stdout_lines);
    if steps.is_empty() {
        return Err("the fixture has no `> ACTION` step".into());
    }
    Ok(Transcript { steps })
}

/// Closes the open stdout section: drops trailing blank lines (spacing), then
/// joins the rest with their newlines.
fn finish_stdout(steps: &mut [Step], lines: &mut Vec<(Vec<u8>, bool)>) {
    while lines.last().is_some_and(|(bytes, _)| bytes.is_empty()) {
        lines.pop();
    }
    if let Some(step) = steps.last_mut() {
        for (bytes, newline) in lines.drain(..) {
            step.stdout.extend_from_slice(&bytes);
            if newline {
                step.stdout.push(b'\n');
            }
        }
    }
}

fn apply_check(step: &mut Step, check: &str) -> Result<(), String> {
    if let Some(code) = check.strip_prefix("exit=") {
        step.exit = code
            .parse()
            .map_err(|_| format!("`! exit=` wants a number from 0 to 255, not {code:?}"))?;
    } else if let Some(text) = check.strip_prefix("stderr contains ") {
        step.stderr_contains.push(text.to_owned());
    } else if let Some(count) = check.strip_prefix("stored=") {
        let count = count
            .parse()
            .map_err(|_| format!("`! stored=` wants a number, not {count:?}"))?;
        step.stored = Some(count);
    } else {
        return Err(format!(
            "unknown check {check:?}: expected `exit=N`, `stderr contains TEXT` or `stored=N`"
        ));
    }
    Ok(())
}

/// Turns one fixture line into bytes. Returns whether a newline follows
/// (`false` when the line ends in `\c`).
///
/// `\r` CR, `\0` NUL, `\\` backslash, `\c` (last) no newline after this line,
/// `{repeat:TEXT:N}` TEXT written N times. Anything else after `\` is an error.
pub fn unescape(line: &str) -> Result<(Vec<u8>, bool), String> {
    let mut out = Vec::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{repeat:") {
            let end = after
                .find('}')
                .ok_or("`{repeat:` without its closing `}`")?;
            let (text, count) = after[..end]
                .rsplit_once(':')
                .ok_or("`{repeat:TEXT:N}` needs TEXT and N")?;
            let count: usize = count
                .parse()
                .map_err(|_| format!("`{{repeat:...:N}}` wants a number, not {count:?}"))?;
            out.extend_from_slice(&text.as_bytes().repeat(count));
            rest = &after[end + 1..];
            continue;
        }
        let mut chars = rest.chars();
        let c = chars.next().expect("rest is not empty");
        if c != '\\' {
            let mut utf8 = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            rest = chars.as_str();
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('c') if chars.as_str().is_empty() => return Ok((out, false)),
            Some('c') => return Err("`\\c` must end its line".into()),
            other => {
                return Err(format!(
                    "unknown escape \\{}: use \\r, \\0, \\\\ or \\c",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
        rest = chars.as_str();
    }
    Ok((out, true))
}

/// Shows bytes the way a fixture writes them, shortening long runs, so a
/// failure message can be compared with the fixture by eye.
pub fn show(bytes: &[u8]) -> String {
    let mut out = String::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let (body, newline) = match line.strip_suffix(b"\n") {
            Some(body) => (body, true),
            None => (line, false),
        };
        let mut text = String::new();
        for chunk in String::from_utf8_lossy(body).chars() {
            match chunk {
                '\r' => text.push_str("\\r"),
                '\0' => text.push_str("\\0"),
                '\\' => text.push_str("\\\\"),
                c => text.push(c),
            }
        }
        if text.chars().count() > 120 {
            let head: String = text.chars().take(60).collect();
            let tail: String = text.chars().skip(text.chars().count() - 40).collect();
            text = format!("{head}…[{} bytes in all]…{tail}", body.len());
        }
        out.push_str("\n    | ");
        out.push_str(&text);
        if !newline {
            out.push_str("\\c");
        }
    }
    if out.is_empty() {
        out.push_str(" (nothing)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_give_the_bytes_a_fixture_cannot_hold_literally() {
        assert_eq!(
            unescape(r"a\rb\0c\\d").unwrap(),
            (b"a\rb\0c\\d".to_vec(), true),
            "\\r, \\0 and \\\\ stand for CR, NUL and a backslash"
        );
        assert_eq!(
            unescape(r"host=x\r\c").unwrap(),
            (b"host=x\r".to_vec(), false),
            "\\c at the end of a line means: no newline after it"
        );
        assert!(
            unescape(r"a\nb").is_err(),
            "an unknown escape is a fixture typo and must be reported"
        );
    }

    #[test]
    fn repeat_writes_its_text_n_times_in_place() {
        let (bytes, _) = unescape("x={repeat:ab:3}!").unwrap();
        assert_eq!(bytes, b"x=ababab!", "{{repeat:ab:3}} expands to ababab");
    }

    #[test]
    fn stdin_keeps_blank_lines_and_stdout_drops_trailing_ones() {
        let t = parse("# c\n> get\nhost=a\n\nleft=over\n<\nusername=u\n\n\n> frob\n<\n! exit=3\n")
            .unwrap();
        assert_eq!(t.steps.len(), 2, "two `>` lines make two steps");
        assert_eq!(
            t.steps[0].stdin, b"host=a\n\nleft=over\n",
            "a blank stdin line is sent, since it ends a request"
        );
        assert_eq!(
            t.steps[0].stdout, b"username=u\n",
            "blank lines before the next step are spacing, not output"
        );
        assert_eq!(t.steps[1].exit, 3, "`! exit=3` sets the expected status");
    }

    #[test]
    fn a_step_without_its_answer_section_is_rejected() {
        assert!(
            parse("> get\nhost=a\n").is_err(),
            "every step must say what it prints, even if nothing"
        );
    }
}
