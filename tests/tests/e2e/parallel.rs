//! Many helpers at once on one keyring and one index.

use super::*;
use mailcred_e2e::{finish, start};

const USERS: usize = 16;

fn user(n: usize) -> String {
    format!("user{n:02}")
}

fn password(n: usize) -> String {
    format!("app-password-of-user{n:02}")
}

#[test]
fn sixteen_concurrent_stores_on_one_host_are_all_served_to_their_own_user() {
    let session = KeyringSession::start();

    // Start all 16 before waiting for any, so they race for the index.
    let running: Vec<_> = (0..USERS)
        .map(|n| {
            let mut store = session.command(bin(HELPER));
            store.arg("store");
            let request = format!(
                "protocol=smtp\nhost=smtp.example.com:587\nusername={}\npassword={}\n",
                user(n),
                password(n)
            );
            start(store, request.as_bytes())
        })
        .collect();
    for (n, running) in running.into_iter().enumerate() {
        let stored = finish(running);
        assert!(
            stored.success() && stored.stderr.is_empty(),
            "the concurrent store of {} should succeed silently:\n{stored}",
            user(n)
        );
    }

    for n in 0..USERS {
        let request = format!(
            "protocol=smtp\nhost=smtp.example.com:587\nusername={}\n",
            user(n)
        );
        let answer = helper(&session, "get", &request);
        assert_eq!(
            answer.stdout,
            format!("username={}\npassword={}\n", user(n), password(n)),
            "every concurrently stored credential should be served to its own user:\n{answer}"
        );
    }
}
