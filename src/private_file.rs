//! Files wareg keeps in the data dir (and the exports it writes): made readable by the user
//! alone (0600) whatever the umask, and read back with a size cap. Everything in the data dir
//! names customers' numbers, and whatever wareg reads back from it may have been planted or
//! grown by someone else: a 300 MB throttle book must not take 600 MB to read.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// The mode of every file wareg makes.
pub const MODE: u32 = 0o600;

/// Caps for what is read back whole. Each is far above what wareg itself writes there.
pub mod cap {
    /// The throttle book: a few hundred bytes per WABA or profile throttled.
    pub const THROTTLE_BOOK: u64 = 1024 * 1024;
    /// A bulk journal: a few lines per number, 20,000 numbers in a few MB.
    pub const JOURNAL: u64 = 64 * 1024 * 1024;
    /// Outcomes waiting for the team ledger, and any trail read whole.
    pub const READ_WHOLE: u64 = 64 * 1024 * 1024;
    /// An `--ids` file: 20,000 ids are 340 KB.
    pub const IDS: u64 = 8 * 1024 * 1024;
}

/// Options that create a file 0600 (the mode applies only when the file is made).
pub fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(MODE);
    }
    options
}

/// Opens `path` to append to (and to read), creating it 0600.
pub fn append(path: &Path) -> io::Result<File> {
    options().read(true).append(true).create(true).open(path)
}

/// Whether `file` is empty or ends with a newline: a line appended after a crash's torn line
/// must start on a line of its own.
pub fn ends_with_newline(file: &mut File) -> io::Result<bool> {
    use std::io::{Seek, SeekFrom};
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    file.seek(SeekFrom::End(0))?;
    Ok(last[0] == b'\n')
}

/// Creates `path` 0600; an existing file is an error (`AlreadyExists`), never overwritten.
pub fn create_new(path: &Path) -> io::Result<File> {
    options().write(true).create_new(true).open(path)
}

/// Replaces `path` with `bytes` at once: written to a private file beside it, then renamed
/// over it, so a reader sees the old content or the new, never half of one.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    // A leftover from a crash may have any mode: it goes, and is made again.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = create_new(&tmp)?;
    file.write_all(bytes)?;
    file.sync_data()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// A file over its cap: not read, and the words that say so.
#[derive(Debug)]
pub struct TooBig {
    pub len: u64,
    pub cap: u64,
}

impl std::fmt::Display for TooBig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "it is {}, over its cap of {}",
            size_words(self.len),
            size_words(self.cap)
        )
    }
}

impl std::error::Error for TooBig {}

/// "1.5 MB", "300 KB", "12 bytes".
pub fn size_words(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= KB {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The whole of `path` if it is at most `cap` bytes; over it, an error of kind
/// `FileTooLarge` carrying [`TooBig`] and nothing read. A file that grows while it is read
/// is cut at the cap and refused the same way.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    read_file_capped(file, cap)
}

/// [`read_capped`] of a file already open.
pub fn read_file_capped(file: File, cap: u64) -> io::Result<Vec<u8>> {
    let len = file.metadata()?.len();
    if len > cap {
        return Err(too_big(len, cap));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_big(bytes.len() as u64, cap));
    }
    Ok(bytes)
}

/// [`read_capped`] as text; bytes that are not UTF-8 are an `InvalidData` error.
pub fn read_text_capped(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_capped(path, cap)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

fn too_big(len: u64, cap: u64) -> io::Error {
    io::Error::new(io::ErrorKind::FileTooLarge, TooBig { len, cap })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_its_cap_is_not_read_and_says_how_big() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![b'x'; 3000]).unwrap();
        assert_eq!(read_capped(&path, 3000).unwrap().len(), 3000);
        let e = read_capped(&path, 2999).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(e.to_string(), "it is 2 KB, over its cap of 2 KB");
    }

    #[cfg(unix)]
    #[test]
    fn made_files_are_private_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let a = dir.path().join("a");
        append(&a).unwrap();
        let b = dir.path().join("b");
        create_new(&b).unwrap();
        assert_eq!(
            create_new(&b).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        let c = dir.path().join("c");
        std::fs::write(&c, "old").unwrap();
        std::fs::set_permissions(&c, std::fs::Permissions::from_mode(0o644)).unwrap();
        replace(&c, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&c).unwrap(), "new");
        for p in [&a, &b, &c] {
            assert_eq!(mode(p), 0o600, "{}", p.display());
        }
    }
}
