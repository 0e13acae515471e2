//! The errors of the other keyring-core backends (keyutils, the Keychain,
//! Credential Manager). None of them speaks D-Bus, so their text is never
//! read for D-Bus wording: each error variant maps to a cause directly, and
//! the hint is the backend's own.

use keyring_core::Error as KeyringError;

use super::chain;
use crate::store::{Hint, StoreChoice, StoreError};

/// What to say when this backend does not answer in time.
pub(super) fn timed_out(choice: StoreChoice) -> Hint {
    match choice {
        StoreChoice::Keyutils => Hint::new(
            "keyutils calls are system calls that answer at once: the machine may be overloaded; try again",
        ),
        StoreChoice::Keychain => Hint::new(
            "macOS may be showing a keychain prompt: answer it, or raise \"keyring_timeout_seconds\" in settings.json",
        ),
        StoreChoice::CredentialManager => Hint::new(
            "Windows may be showing a credential prompt: answer it, or raise \"keyring_timeout_seconds\" in settings.json",
        ),
        // Not keyring-core backends: they have hints of their own.
        StoreChoice::SecretService | StoreChoice::Pass | StoreChoice::OpenBao => Hint::NONE,
    }
}

/// The cause of a failure of a backend other than the Secret Service.
pub(super) fn classify(choice: StoreChoice, error: &KeyringError, id: &str) -> StoreError {
    match error {
        KeyringError::Ambiguous(_) => StoreError::Ambiguous {
            id: id.into(),
            hint: Hint::new("remove the duplicate item of service \"mailcred\""),
        },
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => StoreError::Damaged {
            id: id.into(),
            hint: Hint::new("delete it and store the password again"),
        },
        KeyringError::NoStorageAccess(e) => no_access(choice, chain(e.as_ref())),
        #[cfg(target_os = "linux")]
        KeyringError::PlatformFailure(e)
            if choice == StoreChoice::Keyutils && super::quota::is_exceeded(e.as_ref()) =>
        {
            super::quota::full(None)
        }
        KeyringError::PlatformFailure(e) => failed(choice, chain(e.as_ref())),
        KeyringError::TooLong(..) if choice == StoreChoice::CredentialManager => {
            StoreError::Failed {
                reason: error.to_string(),
                hint: Hint::new("Credential Manager keeps at most 2,560 bytes per item"),
            }
        }
        // Arguments the backend refuses (an empty secret for keyutils).
        other => StoreError::failed(other.to_string()),
    }
}

/// "No storage access" means something else on every platform.
fn no_access(choice: StoreChoice, detail: String) -> StoreError {
    match choice {
        StoreChoice::Keychain => StoreError::Locked {
            hint: Hint::new(
                "unlock the login keychain (`security unlock-keychain`) and allow mailcred when macOS asks",
            ),
        },
        StoreChoice::Keyutils => StoreError::Unavailable {
            why: format!("the kernel refused access to its keyring ({detail})"),
            hint: Hint::new(
                "this process may have no session keyring of its own (cron, a container, `su` without pam_keyinit), or keyctl(2) is blocked here; run mailcred under `keyctl session -`, or choose another store with MAILCRED_STORE",
            ),
        },
        StoreChoice::CredentialManager => StoreError::Unavailable {
            why: format!("Credential Manager refused access ({detail})"),
            hint: Hint::new(
                "Credential Manager needs an interactive logon: run mailcred as the logged-in user, not from a service or a network logon",
            ),
        },
        StoreChoice::SecretService | StoreChoice::Pass | StoreChoice::OpenBao => {
            StoreError::failed(detail)
        }
    }
}

fn failed(choice: StoreChoice, reason: String) -> StoreError {
    let hint = match choice {
        StoreChoice::Keyutils => Hint::new(
            "the kernel limits how much a user keeps in keys (/proc/sys/kernel/keys/maxbytes); `keyctl show @u` lists what is there",
        ),
        StoreChoice::CredentialManager
        | StoreChoice::Keychain
        | StoreChoice::SecretService
        | StoreChoice::Pass
        | StoreChoice::OpenBao => Hint::NONE,
    };
    StoreError::Failed { reason, hint }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d_bus_wording_from_another_backend_is_not_read_as_d_bus() {
        // Text the Secret Service classifier would call "no session bus".
        let error =
            KeyringError::PlatformFailure("Connection refused: No such file or directory".into());
        let classified = classify(StoreChoice::Keyutils, &error, "abc");
        assert!(
            matches!(classified, StoreError::Failed { .. }),
            "a keyutils failure is not about D-Bus, got {classified:?}"
        );
        assert!(
            !classified.to_string().contains("D-Bus"),
            "no D-Bus advice for a store that does not use D-Bus: {classified}"
        );
    }

    #[test]
    fn no_storage_access_is_locked_on_macos_and_unavailable_for_keyutils() {
        let error = || KeyringError::NoStorageAccess("AccessDenied".into());
        assert!(matches!(
            classify(StoreChoice::Keychain, &error(), "abc"),
            StoreError::Locked { .. }
        ));
        let keyutils = classify(StoreChoice::Keyutils, &error(), "abc");
        assert!(
            matches!(keyutils, StoreError::Unavailable { .. }),
            "got {keyutils:?}"
        );
        assert!(keyutils.to_string().contains("keyctl"), "{keyutils}");
    }
}
