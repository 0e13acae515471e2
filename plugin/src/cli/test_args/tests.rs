use super::*;

fn parse(args: &[&str]) -> Result<TestArgs, String> {
    TestArgs::parse(args.iter().map(OsString::from).collect())
}

#[test]
fn every_option_of_the_table_is_parsed_as_its_kind_says() {
    for option in TEST.options {
        for spelled in option.spellings() {
            let mut forms = vec![vec!["work".to_owned(), spelled.clone()]];
            if option.value_name().is_some() {
                forms = vec![
                    vec!["work".into(), spelled.clone(), "/tmp/ca.pem".into()],
                    vec!["work".into(), format!("{spelled}=/tmp/ca.pem")],
                ];
            }
            for args in forms {
                let words: Vec<&str> = args.iter().map(String::as_str).collect();
                let parsed = parse(&words).unwrap_or_else(|e| {
                    panic!("the table lists {spelled}, so `test {words:?}` must parse: {e}")
                });
                assert_eq!(
                    parsed.name.as_deref(),
                    Some("work"),
                    "{words:?}: the account stays the account"
                );
                let set = match option.kind {
                    Kind::Flag(TestOption::Help) | Kind::Value(TestOption::Help, _) => parsed.help,
                    Kind::Flag(TestOption::CaFile) | Kind::Value(TestOption::CaFile, _) => {
                        parsed.ca_file == Some(PathBuf::from("/tmp/ca.pem"))
                    }
                    Kind::Ignored(_) | Kind::Refused { .. } => {
                        !parsed.help && parsed.ca_file.is_none()
                    }
                };
                assert!(set, "{words:?} must do what the table says: {parsed:?}");
            }
        }
    }
}

#[test]
fn no_option_outside_the_table_is_accepted() {
    for c in ('!'..='~').filter(|c| *c != '-') {
        if TEST.find_short(c).is_none() {
            let spelled = format!("-{c}");
            assert_eq!(
                parse(&["work", &spelled]),
                Err(format!("unknown option {spelled}")),
                "the table does not list {spelled}, so the parser must not know it"
            );
        }
    }
    for spelled in [
        "--bogus",
        "--h",
        "--",
        "-",
        "-hh",
        "--version",
        "--ca-files=x",
    ] {
        assert_eq!(
            parse(&["work", spelled]),
            Err(format!("unknown option {spelled}")),
            "the table does not list {spelled}, so the parser must not know it"
        );
    }
}

#[test]
fn help_is_answered_whatever_follows_it() {
    let parsed = parse(&["work", "--help", "--bogus"]).unwrap();
    assert!(parsed.help, "test --help prints the help: {parsed:?}");
}

#[test]
fn one_account_is_named_and_a_value_is_required() {
    assert_eq!(parse(&["a", "b"]), Err("one account at a time".into()));
    assert_eq!(
        parse(&["work", "--ca-file"]),
        Err("--ca-file needs a value".into())
    );
    assert_eq!(parse(&["--help=x"]), Err("--help takes no value".into()));
    assert_eq!(parse(&[]), Ok(TestArgs::default()));
}

#[cfg(unix)]
#[test]
fn a_ca_file_need_not_be_named_in_utf8() {
    use std::os::unix::ffi::OsStringExt;
    let name = OsString::from_vec(b"/tmp/\xffca.pem".to_vec());
    let parsed = TestArgs::parse(vec!["work".into(), "--ca-file".into(), name.clone()]).unwrap();
    assert_eq!(parsed.ca_file, Some(PathBuf::from(name)));
}
