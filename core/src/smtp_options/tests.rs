use std::collections::HashSet;

use super::*;

#[test]
fn the_usage_line_shows_required_operands_then_options_then_the_rest() {
    assert_eq!(TEST.usage(), "usage: mailcred test ACCOUNT [--ca-file PEM]");
    assert_eq!(
        SEND.usage(),
        "usage: mailcred send [--account NAME] [--ca-file PEM] [-t] [-i|-oi] [-f|-r FROM] \
         [--] [RECIPIENT...] < MESSAGE"
    );
}

#[test]
fn the_help_lists_every_spelling_of_every_option_with_its_help() {
    for (help, options) in [
        (
            TEST.help(),
            TEST.options
                .iter()
                .map(|o| (o.spellings(), o.help))
                .collect::<Vec<_>>(),
        ),
        (
            SEND.help(),
            SEND.options
                .iter()
                .map(|o| (o.spellings(), o.help))
                .collect(),
        ),
    ] {
        for (spellings, text) in options {
            for spelled in &spellings {
                assert!(
                    help.contains(spelled.as_str()),
                    "the help must show {spelled}:\n{help}"
                );
            }
            assert!(
                help.contains(text),
                "the help must say what {spellings:?} does:\n{help}"
            );
        }
    }
}

#[test]
fn the_help_begins_with_the_usage_line() {
    assert!(TEST.help().starts_with("usage: mailcred test ACCOUNT"));
    assert!(SEND.help().starts_with("usage: mailcred send"));
}

#[test]
fn no_spelling_names_two_options() {
    fn check<T>(line: &CommandLine<T>) {
        let mut seen = HashSet::new();
        for option in line.options {
            assert!(
                !option.spellings().is_empty(),
                "every option of {} needs a spelling",
                line.name
            );
            for spelled in option.spellings() {
                assert!(
                    seen.insert(spelled.clone()),
                    "{spelled} names two options of {}",
                    line.name
                );
            }
        }
    }
    check(&TEST);
    check(&SEND);
}

#[test]
fn other_spellings_are_found_as_the_option_they_spell() {
    assert_eq!(SEND.find_short('r').map(|o| o.short), Some(Some('f')));
    assert_eq!(
        SEND.find_other_spelling("-oi").map(|o| o.kind),
        Some(Kind::Flag(SendOption::IgnoreDots))
    );
    assert!(
        SEND.find_short('h').is_none(),
        "send has no -h: sendmail's -h is a hop count"
    );
    assert_eq!(
        TEST.find_long("help").map(|o| o.kind),
        Some(Kind::Flag(TestOption::Help))
    );
}
