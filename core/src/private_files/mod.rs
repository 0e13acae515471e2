//! Files only their owner may read, replaced atomically under a lock.
//!
//! Shared by the credential index and the account file: both must survive a
//! crash or a parallel run without losing or half-writing an entry. Both are
//! also versioned JSON, read and written here the same way.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod versioned;

pub use crate::from_json_file_error;
pub use versioned::{
    JsonFileError, Unreadable, VersionedJson, decode_json, encode_json, parse_json,
};

/// The longest any mailcred waits for another to finish with a file: a
/// change holds the lock for one keyring call, itself bounded.
pub const LOCK_PATIENCE: Duration = Duration::from_secs(30);

/// The most an account file or index may hold: thousands of accounts fit
/// in a few hundred kilobytes.
pub const MAX_PRIVATE_FILE_BYTES: u64 = 8 << 20;

/// The contents of the file at `path`, or `None` when there is none.
///
/// Any file mailcred opens may be hostile or simply odd, and none may hang
/// or exhaust it: a FIFO would block the read (and msmtp, mbsync or git
/// waiting on mailcred) forever, `/dev/zero` would never end, a folder
/// cannot be read. So only a regular file is read, and at most `limit`
/// bytes of it; anything else is an error naming what was found.
pub fn read_regular_file(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    // Checked before opening: opening a FIFO for reading blocks until a
    // writer comes.
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !metadata.is_file() {
        return Err(io::Error::new(
            ErrorKind::InvalidInput,
            format!("it is not a regular file but {}", kind_of(&metadata)),
        ));
    }
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut io::Read::take(file, limit + 1), &mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!("it is larger than {limit} bytes"),
        ));
    }
    Ok(Some(bytes))
}

fn kind_of(metadata: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if metadata.is_dir() {
        "a folder"
    } else {
        "something other than a file"
    }
}

/// Moves the finished temporary file over `target`. On Windows a file that
/// any process has open, if only to look at its size, cannot be replaced
/// (access denied, or a sharing violation) until it is closed, a moment
/// later: another mailcred checking whether the file exists, a virus
/// scanner, a backup tool. So a refused replace is tried again for up to
/// about a second before it counts; on Unix a rename is never refused so.
fn persist(mut tmp: tempfile::NamedTempFile, target: &Path) -> io::Result<()> {
    let mut wait = Duration::from_millis(5);
    let mut waited = Duration::ZERO;
    loop {
        match tmp.persist(target) {
            Ok(_) => return Ok(()),
            Err(e) if cfg!(windows) && is_held_open(&e.error) && waited < REPLACE_PATIENCE => {
                tmp = e.file;
                std::thread::sleep(wait);
                waited += wait;
                wait = (wait * 2).min(Duration::from_millis(100));
            }
            Err(e) => return Err(e.error),
        }
    }
}

/// How long a replace waits for a file others hold open (Windows).
const REPLACE_PATIENCE: Duration = Duration::from_secs(1);

/// ERROR_ACCESS_DENIED (5) or ERROR_SHARING_VIOLATION (32).
fn is_held_open(error: &io::Error) -> bool {
    error.kind() == ErrorKind::PermissionDenied || error.raw_os_error() == Some(32)
}

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
    /// read, exclusive to change; waiting at most [`LOCK_PATIENCE`].
    pub fn lock(&self, name: &str, exclusive: bool) -> io::Result<FileLock> {
        self.lock_within(name, exclusive, LOCK_PATIENCE)
    }

    /// Like [`lock`](Self::lock), waiting at most `patience`.
    ///
    /// Every wait on the way to a password is bounded, because mbsync, aerc
    /// and himalaya never time out a password command: a mailcred process
    /// stopped (or stuck) while holding the lock must not hang them too.
    /// std has no timed lock, so this polls `try_lock`, backing off to 50 ms.
    pub fn lock_within(
        &self,
        name: &str,
        exclusive: bool,
        patience: Duration,
    ) -> io::Result<FileLock> {
        self.create()?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let path = self.dir.join(name);
        let file = options.open(&path)?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let attempt = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match attempt {
                Ok(()) => return Ok(FileLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < patience => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(io::Error::new(
                        ErrorKind::TimedOut,
                        format!(
                            "another mailcred process has held {} for more than {} s; \
                             if none is running, try again",
                            path.display(),
                            patience.as_secs()
                        ),
                    ));
                }
                Err(TryLockError::Error(e)) => return Err(e),
            }
        }
    }

    /// The contents of `name`, or `None` when it does not exist (see
    /// [`read_regular_file`]).
    pub fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        read_regular_file(&self.dir.join(name), MAX_PRIVATE_FILE_BYTES)
    }

    /// Reads `name` as a `T`; a missing file is `T::default()`.
    pub fn read_json<T: VersionedJson>(&self, name: &str) -> Result<T, JsonFileError> {
        let io = |source| JsonFileError::io("read", self.dir.join(name), source);
        let Some(bytes) = self.read(name).map_err(io)? else {
            return Ok(T::default());
        };
        decode_json(&bytes, self.dir.join(name))
    }

    /// Replaces `name` with `value`, stamped with the current format version,
    /// as pretty JSON ending in a newline.
    pub fn write_json<T: VersionedJson>(
        &self,
        name: &str,
        value: &mut T,
        lock: &FileLock,
    ) -> Result<(), JsonFileError> {
        let io = |action, source| JsonFileError::io(action, self.dir.join(name), source);
        let json = encode_json(value).map_err(|e| io("encode", e.into()))?;
        self.write_atomic(name, &json, lock)
            .map_err(|source| io("write", source))
    }

    /// Replaces `name` with `bytes`: a crash leaves the old file or the new
    /// one, never a mix, and a full disk leaves the old one.
    pub fn write_atomic(&self, name: &str, bytes: &[u8], _lock: &FileLock) -> io::Result<()> {
        self.create()?;
        // tempfile creates the file 0600 on Unix.
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        persist(tmp, &self.dir.join(name))?;
        #[cfg(unix)]
        if let Ok(handle) = File::open(&self.dir) {
            // Makes the rename durable; best effort.
            let _ = handle.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_held_elsewhere_is_waited_for_only_so_long() {
        let dir = tempfile::tempdir().unwrap();
        let private = PrivateDir::new(dir.path().join("p"));
        let held = private.lock("l", true).unwrap();
        let error = private
            .lock_within("l", false, Duration::from_millis(100))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::TimedOut, "{error}");
        assert!(
            error.to_string().contains("another mailcred process"),
            "{error}"
        );
        drop(held);
        private
            .lock_within("l", false, Duration::from_millis(100))
            .expect("a free lock is taken at once");
    }

    #[test]
    fn a_missing_file_is_none_and_a_small_one_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        assert!(read_regular_file(&path, 10).unwrap().is_none());
        fs::write(&path, b"0123456789").unwrap();
        assert_eq!(
            read_regular_file(&path, 10).unwrap().unwrap(),
            b"0123456789"
        );
    }

    #[test]
    fn a_file_over_the_limit_is_refused_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"01234567890").unwrap();
        let error = read_regular_file(&path, 10).unwrap_err();
        assert!(
            error.to_string().contains("larger than 10 bytes"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_and_a_folder_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let error = read_regular_file(&zero, 10).unwrap_err();
        assert!(error.to_string().contains("a device"), "{error}");
        let error = read_regular_file(dir.path(), 10).unwrap_err();
        assert!(error.to_string().contains("a folder"), "{error}");
    }
}
