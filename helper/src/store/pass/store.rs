//! [`PassStore`]: the store over the `pass` program.

use super::{PassSettings, entry, run};
use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustix::fs::{FlockOperation, flock};
use zeroize::Zeroizing;

use super::super::{
    Capabilities, Hint, SecretStore, StoreError, Stored, Version, WriteIf, refuse_conditions,
};

/// The pass store; see the module documentation.
pub struct PassStore {
    settings: PassSettings,
    limit: Duration,
}

const NO_STORE: Hint = Hint::new(
    "run `pass init YOUR-GPG-KEY-ID` to create it, or point \"pass\": {\"dir\": ...} in \
     settings.json (or PASSWORD_STORE_DIR) at your password store",
);

impl PassStore {
    /// The store in `settings.dir`, every pass run bounded by `limit`
    /// (set it below the caller's [`super::Deadline`]: a run killed at its
    /// limit leaves no gpg behind, one the caller stopped waiting for might).
    pub fn open(settings: PassSettings, limit: Duration) -> Result<Self, StoreError> {
        PassSettings::check_prefix(&settings.prefix).map_err(|why| StoreError::NotSetUp {
            why,
            hint: Hint::NONE,
        })?;
        Ok(Self { settings, limit })
    }

    /// What to tell users when pass does not finish in time.
    pub const TIMED_OUT: Hint = run::TIMED_OUT;

    fn name(&self, id: &str) -> Result<String, StoreError> {
        let valid = !id.is_empty()
            && !id.starts_with('.')
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !valid {
            return Err(StoreError::failed(format!(
                "{id:?} cannot name a pass entry (letters, digits, '-', '_' and '.' only)"
            )));
        }
        Ok(format!("{}/{id}", self.settings.prefix))
    }

    fn file(&self, name: &str) -> PathBuf {
        self.settings.dir.join(format!("{name}.gpg"))
    }

    /// Holds `operation` on the store folder until dropped.
    fn lock(&self, operation: FlockOperation) -> Result<File, StoreError> {
        let dir = &self.settings.dir;
        let folder = File::open(dir).map_err(|e| StoreError::NotSetUp {
            why: format!("there is no password store at {} ({e})", dir.display()),
            hint: NO_STORE,
        })?;
        flock(&folder, operation).map_err(|e| {
            StoreError::failed(format!(
                "cannot lock the password store {}: {e}",
                dir.display()
            ))
        })?;
        Ok(folder)
    }

    fn pass(&self, args: &[&str], input: Option<&[u8]>) -> Result<run::Output, StoreError> {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        run::run("pass", &args, &self.settings.dir, input, self.limit)
    }

    fn failure(&self, action: &str, out: &run::Output, file: &Path) -> StoreError {
        run::classify(action, out, || run::recipients(file, self.limit))
    }
}

impl SecretStore for PassStore {
    fn describe(&self) -> String {
        format!(
            "pass (password store {}, entries under {}/)",
            self.settings.dir.display(),
            self.settings.prefix
        )
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::UNCONDITIONAL_ONLY
    }

    fn read(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        let name = self.name(id)?;
        let _lock = self.lock(FlockOperation::LockShared)?;
        let file = self.file(&name);
        if !file.exists() {
            return Ok(None);
        }
        let out = self.pass(&["show", &name], None)?;
        if !out.status.success() {
            return Err(self.failure(&format!("decrypt {name}"), &out, &file));
        }
        let blob = entry::decode(&out.stdout).ok_or_else(|| StoreError::Damaged {
            id: name.clone(),
            hint: Hint::new(
                "its second line is not the base64 mailcred wrote; `pass edit` it or remove it",
            ),
        })?;
        Ok(Some(Stored::unversioned(blob)))
    }

    fn write_if(
        &self,
        id: &str,
        _label: &str,
        secret: &[u8],
        condition: WriteIf,
    ) -> Result<Option<Version>, StoreError> {
        refuse_conditions(self, &condition)?;
        let name = self.name(id)?;
        let text: Zeroizing<Vec<u8>> = entry::encode(secret);
        let _lock = self.lock(FlockOperation::LockExclusive)?;
        let out = self.pass(&["insert", "--multiline", "--force", &name], Some(&text))?;
        if !out.status.success() {
            return Err(self.failure(&format!("encrypt {name}"), &out, &self.file(&name)));
        }
        Ok(None)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        let name = self.name(id)?;
        let _lock = self.lock(FlockOperation::LockExclusive)?;
        let file = self.file(&name);
        if !file.exists() {
            return Ok(());
        }
        let out = self.pass(&["rm", "--force", &name], None)?;
        if !out.status.success() {
            return Err(self.failure(&format!("remove {name}"), &out, &file));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_that_is_not_a_plain_file_name_is_refused() {
        let store = PassStore::open(PassSettings::from_environment(), Duration::from_secs(1))
            .expect("the default settings are valid");
        for bad in ["", "../x", "a/b", ".x", "a b"] {
            assert!(store.name(bad).is_err(), "{bad:?} must not become a path");
        }
        assert_eq!(store.name("0a1b").unwrap(), "mailcred/0a1b");
    }
}
