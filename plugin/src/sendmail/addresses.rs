//! The addresses in an address-list header (RFC 5322 section 3.4): commas
//! and colons inside quoted names, comments and angle brackets are not
//! separators, groups (`team: a@x, b@y;`) count their members, and only the
//! address itself (`local@domain`) is kept.

use std::str::FromStr;

use lettre::Address;

/// Why a header's addresses could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// A quote, comment or angle bracket is not closed.
    #[error("a quote, parenthesis or angle bracket is not closed")]
    Unbalanced,
    /// Something that is not an address where one should be.
    #[error("\"{0}\" is not an e-mail address")]
    Invalid(String),
}

/// Every address of an address-list header value, in order.
pub fn parse_list(value: &str) -> Result<Vec<String>, AddressError> {
    let mut found = Vec::new();
    for item in split_items(value)? {
        if let Some(address) = address_of(&item)? {
            found.push(address);
        }
    }
    Ok(found)
}

/// Splits at top-level commas and group punctuation (`name:` and `;`),
/// leaving out the group names.
fn split_items(value: &str) -> Result<Vec<String>, AddressError> {
    let mut items = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut escaped, mut comment, mut angle) = (false, false, 0u32, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
            current.push(c);
            continue;
        }
        match c {
            '\\' if quoted || comment > 0 => escaped = true,
            '"' if comment == 0 => quoted = !quoted,
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            '<' if !quoted && comment == 0 => angle = true,
            '>' if !quoted && comment == 0 => angle = false,
            ',' | ';' if !quoted && comment == 0 && !angle => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            // A group's name ends at its colon: drop it.
            ':' if !quoted && comment == 0 && !angle => {
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if quoted || comment > 0 || angle || escaped {
        return Err(AddressError::Unbalanced);
    }
    items.push(current);
    Ok(items)
}

/// The address of one item: inside its angle brackets, or the item itself
/// without comments. `None` for an empty item.
fn address_of(item: &str) -> Result<Option<String>, AddressError> {
    let spec = match (item.find('<'), item.rfind('>')) {
        (Some(open), Some(close)) if open < close => item[open + 1..close].to_owned(),
        _ => without_comments(item),
    };
    // An obsolete source route (`<@relay:user@host>`) was cut at its colon.
    let spec = spec.trim();
    if spec.is_empty() {
        return Ok(None);
    }
    Address::from_str(spec)
        .map(|a| Some(a.to_string()))
        .map_err(|_| AddressError::Invalid(item.trim().to_owned()))
}

fn without_comments(item: &str) -> String {
    let mut out = String::new();
    let (mut depth, mut quoted) = (0u32, false);
    for c in item.chars() {
        match c {
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(value: &str) -> Vec<String> {
        parse_list(value).unwrap()
    }

    #[test]
    fn names_quotes_and_comments_are_not_addresses() {
        assert_eq!(
            list(
                "\"Doe, Jane\" <jane@example.org>, bob@example.org (Bob, B.), Carl <carl@example.org>"
            ),
            ["jane@example.org", "bob@example.org", "carl@example.org"]
        );
    }

    #[test]
    fn groups_count_their_members_and_empty_groups_nothing() {
        assert_eq!(
            list("team: a@example.org, b@example.org;, c@example.org"),
            ["a@example.org", "b@example.org", "c@example.org"]
        );
        assert!(list("undisclosed-recipients:;").is_empty());
    }

    #[test]
    fn an_encoded_display_name_is_left_alone() {
        assert_eq!(
            list("=?UTF-8?Q?J=C3=BCrgen?= <juergen@example.org>"),
            ["juergen@example.org"]
        );
    }

    #[test]
    fn broken_headers_are_refused() {
        assert_eq!(
            parse_list("<bob@example.org"),
            Err(AddressError::Unbalanced)
        );
        assert_eq!(
            parse_list("Bob <not an address>"),
            Err(AddressError::Invalid("Bob <not an address>".into()))
        );
    }
}
