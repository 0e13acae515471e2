//! Which keys, mounts and prefixes may become part of a server path. They
//! are pasted into URLs (`/v1/<mount>/data/<prefix>/<key>`), so anything
//! that could change the path's meaning is refused here: `..` would climb
//! out of the prefix, `?` and `#` would end the path, `%` would be decoded
//! by the server into any of them.

/// Whether `text` is one or more `/`-separated segments of
/// `[A-Za-z0-9._-]`, none empty and none `.` or `..`.
pub fn is_valid_path(text: &str) -> bool {
    !text.is_empty()
        && text.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
}

/// The longest key accepted: far above `secrets/<id>`, far below any URL
/// limit.
pub const MAX_KEY: usize = 512;

/// Whether `key` may be asked for.
pub fn is_valid_key(key: &str) -> bool {
    key.len() <= MAX_KEY && is_valid_path(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_keys_are_accepted() {
        for key in [
            "index",
            "accounts",
            "secrets/ab12",
            "a/b/c",
            "x.y_z-1",
            "..a",
            "a..",
        ] {
            assert!(is_valid_key(key), "{key:?} should be accepted");
        }
    }

    #[test]
    fn keys_that_could_leave_the_prefix_or_end_the_path_are_refused() {
        for key in [
            "", "/", "/a", "a/", "a//b", ".", "..", "a/../b", "a/./b", "a?b", "a#b", "a%2fb",
            "a b", "a\\b", "ä", "a\nb",
        ] {
            assert!(!is_valid_key(key), "{key:?} must be refused");
        }
        assert!(!is_valid_key(&"a".repeat(MAX_KEY + 1)));
    }
}
