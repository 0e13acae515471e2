use super::*;
use crate::store::openbao::fake::FakeBao;
use crate::store::{Deadline, conformance};

#[test]
fn the_openbao_store_passes_the_conformance_suite_over_a_fake_companion() {
    let bao = FakeBao::new();
    conformance::run(&|| Ok(Box::new(bao.store()))).assert_passed();
    assert!(
        bao.keys().is_empty(),
        "the suite deletes what it wrote: {:?}",
        bao.keys()
    );
}

#[test]
fn the_openbao_store_passes_the_conformance_suite_behind_the_factorys_deadline() {
    let bao = FakeBao::new();
    let store: Arc<dyn SecretStore> = Arc::new(bao.store());
    conformance::run(&|| {
        Ok(Box::new(Deadline::new(
            Arc::clone(&store),
            Duration::from_secs(60),
            TIMED_OUT,
        )))
    })
    .assert_passed();
}

#[test]
fn secrets_are_kept_under_secrets_with_their_label_and_the_documents_beside_them() {
    let bao = FakeBao::new();
    let store = bao.store();
    store
        .write("ab12", "mailcred: work (smtp.example.com)", b"password=x\n")
        .unwrap();
    store.write("index", "mailcred: index", b"{}").unwrap();
    assert_eq!(bao.keys(), ["index", "secrets/ab12"]);
    assert_eq!(
        bao.label("secrets/ab12").as_deref(),
        Some("mailcred: work (smtp.example.com)"),
        "the label goes with the secret, for people browsing the server"
    );
    assert_eq!(
        store.read("index").unwrap().map(|s| s.secret.to_vec()),
        Some(b"{}".to_vec()),
        "a document is read back from its own key, beside the secrets"
    );
}

#[test]
fn versions_are_the_kv_version_numbers() {
    let bao = FakeBao::new();
    let store = bao.store();
    let first = store
        .write_if("a", "l", b"1", WriteIf::Absent)
        .unwrap()
        .unwrap();
    assert_eq!(first.as_str(), "1");
    let second = store
        .write_if("a", "l", b"2", WriteIf::Unchanged(first))
        .unwrap()
        .unwrap();
    assert_eq!(second.as_str(), "2");
    assert_eq!(
        store.read("a").unwrap().unwrap().version,
        Some(Version::new("2"))
    );
}

#[test]
fn only_if_absent_creates_over_a_soft_deleted_version_and_fails_over_a_live_one() {
    let bao = FakeBao::new();
    let store = bao.store();
    store.write("a", "l", b"old").unwrap();
    store.write("a", "l", b"older").unwrap();
    bao.soft_delete("secrets/a");
    assert!(
        store.read("a").unwrap().is_none(),
        "a soft-deleted secret reads as missing"
    );
    let created = store
        .write_if("a", "l", b"new", WriteIf::Absent)
        .expect("KV's cas 0 fails once any version exists: the deleted version is named instead")
        .unwrap();
    assert_eq!(created.as_str(), "3");
    assert!(
        matches!(
            store.write_if("a", "l", b"again", WriteIf::Absent),
            Err(StoreError::Conflict { .. })
        ),
        "a live secret is never replaced by a create"
    );
    assert_eq!(store.read("a").unwrap().unwrap().secret.as_slice(), b"new");
}

#[test]
fn a_version_that_is_no_kv_version_never_matches() {
    let bao = FakeBao::new();
    let store = bao.store();
    store.write("a", "l", b"x").unwrap();
    for version in ["0", "", "v1", "-1"] {
        assert!(
            matches!(
                store.write_if("a", "l", b"y", WriteIf::Unchanged(Version::new(version))),
                Err(StoreError::Conflict { .. })
            ),
            "{version:?} is not a version this store handed out"
        );
    }
    assert_eq!(store.read("a").unwrap().unwrap().secret.as_slice(), b"x");
}

#[test]
fn a_failure_the_companion_names_reaches_the_caller_and_the_session_goes_on() {
    let bao = FakeBao::new();
    let store = bao.store();
    bao.fail_next("denied");
    assert!(
        matches!(store.read("a"), Err(StoreError::Denied { .. })),
        "a denial is its own failure"
    );
    store
        .write("a", "l", b"x")
        .expect("the session goes on after an error answer");
    assert_eq!(bao.configs().len(), 1, "on the same companion");
}

#[test]
fn a_ping_reports_the_server_token_and_policies() {
    let bao = FakeBao::new();
    let ready = bao.store().ping().unwrap();
    assert_eq!(ready.server, "OpenBao (fake)");
    assert_eq!(ready.token_ttl_seconds, Some(3600));
    assert_eq!(ready.policies, ["default", "mailcred-team"]);
}

#[test]
fn an_answer_of_the_wrong_kind_is_a_protocol_error_and_ends_the_companion() {
    let bao = FakeBao::new();
    let store = bao.store();
    store.read("a").unwrap();
    let error = store.unexpected("a read", &Answer::Deleted).to_string();
    assert!(
        error.contains("answered a read with \"deleted\""),
        "{error}"
    );
    store.read("a").unwrap();
    assert_eq!(
        bao.configs().len(),
        2,
        "a companion out of step is replaced by a new one"
    );
}
