//! The fixtures themselves: a session leaves nothing running behind it.

use super::*;

#[test]
fn a_dropped_session_leaves_no_daemon_running_even_after_an_unlock() {
    let mut session = KeyringSession::start();
    session.lock();
    session.unlock();
    let id = session.id();
    assert_eq!(
        id.live_processes().len(),
        2,
        "a session should run exactly its bus and one keyring daemon (the replaced one is gone)"
    );

    drop(session);
    assert_eq!(
        id.live_processes(),
        Vec::<u32>::new(),
        "dropping the session should stop every process started in it"
    );
}
