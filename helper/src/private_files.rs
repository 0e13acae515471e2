//! Files only their owner may read, replaced atomically under a lock.
//!
//! Shared by the credential index and the account file: both must survive a
//! crash or a parallel run without losing or half-writing an entry.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};

/// A folder (0700) of private files (0600).
#[derive(Debug, Clone)]
pub struct PrivateDir {
    dir: PathBuf,
}

/// A held lock on a [`PrivateDir`] file; released on drop.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl PrivateDir {
    /// The folder at `dir`, created when first written.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Creates the folder (and parents) with mode 0700 if needed.
    pub fn create(&self) -> io::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)
    }

    /// Locks `name` (a lock file of its own, created if needed): shared to
    /// read, exclusive to change.
    pub fn lock(&self, name: &str, exclusive: bool) -> io::Result<FileLock> {
        self.create()?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(self.dir.join(name))?;
        if exclusive {
            file.lock()?;
        } else {
            file.lock_shared()?;
        }
        Ok(FileLock { _file: file })
    }

    /// The contents of `name`, or `None` when it does not exist.
    pub fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.dir.join(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replaces `name` with `bytes`: a crash leaves the old file or the new
    /// one, never a mix, and a full disk leaves the old one.
    pub fn write_atomic(&self, name: &str, bytes: &[u8], _lock: &FileLock) -> io::Result<()> {
        self.create()?;
        // tempfile creates the file 0600 on Unix.
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(self.dir.join(name)).map_err(|e| e.error)?;
        #[cfg(unix)]
        if let Ok(handle) = File::open(&self.dir) {
            // Makes the rename durable; best effort.
            let _ = handle.sync_all();
        }
        Ok(())
    }
}
