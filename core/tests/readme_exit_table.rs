//! The README's exit-status table is [`mailcred_core::exit::TABLE`], word for
//! word: scripts read the README, and a status documented but not returned
//! (or the reverse) is a bug.

#[test]
fn the_readme_lists_the_exit_table_of_the_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md beside the workspace");
    let start = "<!-- exit-table: generated from core/src/exit.rs, checked by the tests -->\n";
    let begin = readme.find(start).expect("the README marks its exit table") + start.len();
    let end = readme[begin..]
        .find("<!-- /exit-table -->")
        .expect("the README closes its exit table")
        + begin;
    let expected = mailcred_core::exit::markdown_table();
    assert_eq!(
        &readme[begin..end],
        expected,
        "README.md's exit table must be exactly this (from core/src/exit.rs):\n{expected}"
    );
}
