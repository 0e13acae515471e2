//! The Secret Service's errors: D-Bus and gnome-keyring wording mapped to
//! causes, with advice for desktops and for headless sessions.

use keyring_core::Error as KeyringError;

use super::chain;
use crate::store::{Hint, StoreError};

/// A Secret Service that takes calls and never answers.
pub(super) const TIMED_OUT: Hint = Hint::new(
    "the Secret Service (gnome-keyring-daemon, KeePassXC) is stopped, hung or waiting on an unlock prompt nobody sees; restart it, or raise \"keyring_timeout_seconds\" in settings.json",
);
const NO_BUS: Hint =
    Hint::new("run inside a desktop session, or start one with `dbus-run-session -- $SHELL`");
const NOT_RUNNING: Hint = Hint::new(
    "start gnome-keyring-daemon (or KeePassXC with Secret Service enabled), or install gnome-keyring",
);
const LOCKED: Hint = Hint::new(
    "unlock it (log in to the desktop or unlock the login keyring in Seahorse; without a desktop, restart the daemon unlocked: `gnome-keyring-daemon --replace --daemonize --unlock --components=secrets` with the keyring password on stdin) and try again",
);
const NO_COLLECTION: Hint = Hint::new(
    "the Secret Service has no login collection; create one, e.g. by starting gnome-keyring-daemon with --unlock and a non-empty password",
);
pub(super) const AMBIGUOUS: Hint = Hint::new(
    "remove the duplicate with your keyring manager (Seahorse, KeePassXC: service \"mailcred\")",
);
const DAMAGED: Hint = Hint::new(
    "delete it with your keyring manager (service \"mailcred\") and store the password again",
);

/// The cause of a Secret Service failure.
pub(super) fn classify(error: &KeyringError, id: &str) -> StoreError {
    let detail = match error {
        KeyringError::Ambiguous(_) => {
            return StoreError::Ambiguous {
                id: id.into(),
                hint: AMBIGUOUS,
            };
        }
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => {
            return StoreError::Damaged {
                id: id.into(),
                hint: DAMAGED,
            };
        }
        KeyringError::PlatformFailure(e) | KeyringError::NoStorageAccess(e) => chain(e.as_ref()),
        other => other.to_string(),
    };
    let no_access = matches!(error, KeyringError::NoStorageAccess(_));
    classify_text(&detail, no_access)
}

/// Maps the D-Bus and Secret Service wording seen in practice to causes.
pub(super) fn classify_text(detail: &str, no_access: bool) -> StoreError {
    let has = |needle: &str| detail.contains(needle);
    if has("ServiceUnknown")
        || has("not provided by any .service files")
        // The daemon died while answering (org.freedesktop.DBus.Error.NoReply).
        || has("disconnected from message bus without replying")
    {
        StoreError::Unavailable {
            why: "the Secret Service is not running on this session bus".into(),
            hint: NOT_RUNNING,
        }
    } else if has("DBUS_SESSION_BUS_ADDRESS")
        || has("autolaunch")
        || has("NoServer")
        || has("Failed to connect to socket")
        || has("Connection refused")
        || has("No such file or directory")
        || has("Disconnected")
    {
        StoreError::Unavailable {
            why: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset or unreachable)".into(),
            hint: NO_BUS,
        }
    } else if has("no such object")
        || has("NoSuchObject")
        || has("collection")
        // secret-service's NoResult: the `default` alias points nowhere.
        || has("result not returned from SS API")
    {
        StoreError::NoDefaultCollection {
            hint: NO_COLLECTION,
        }
    } else if no_access || has("locked") || has("Locked") || has("Prompt") {
        StoreError::Locked { hint: LOCKED }
    } else {
        StoreError::Failed {
            reason: detail.to_owned(),
            hint: Hint::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable_because(error: StoreError) -> String {
        match error {
            StoreError::Unavailable { why, .. } => why,
            other => panic!("expected the keyring to be unavailable, got {other:?}"),
        }
    }

    #[test]
    fn missing_bus_and_missing_service_are_told_apart() {
        let no_bus = classify_text(
            "D-Bus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11",
            false,
        );
        assert!(unavailable_because(no_bus).starts_with("no D-Bus session bus"));
        let no_service = classify_text(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files",
            false,
        );
        assert!(unavailable_because(no_service).contains("the Secret Service is not running"));
    }

    #[test]
    fn a_secret_service_that_dies_mid_call_is_reported_as_not_running() {
        let died = classify_text(
            "DBus error: Message recipient disconnected from message bus without replying",
            false,
        );
        assert!(unavailable_because(died).contains("is not running"));
    }

    #[test]
    fn a_missing_default_collection_is_not_called_locked() {
        assert!(matches!(
            classify_text("SS error: result not returned from SS API", true),
            StoreError::NoDefaultCollection { .. }
        ));
        assert!(matches!(
            classify_text("Secret Service: unlock prompt was dismissed", true),
            StoreError::Locked { .. }
        ));
    }

    #[test]
    fn every_secret_service_message_carries_advice() {
        for error in [
            classify_text("ServiceUnknown", false),
            classify_text("Connection refused", false),
            classify_text("NoSuchObject", false),
            classify_text("Locked", false),
        ] {
            assert!(
                error.to_string().contains("; "),
                "a Secret Service failure should say what to do: {error}"
            );
        }
    }
}
