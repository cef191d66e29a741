//! Files wareg keeps in the data dir (and the exports it writes): made readable by the user
//! alone (0600) whatever the umask, and read back with a size cap. Everything in the data dir
//! names customers' numbers, and whatever wareg reads back from it may have been planted or
//! grown by someone else: a 300 MB throttle book must not take 600 MB to read.
//!
//! A file wareg opens to write to ends 0600 even when it was found looser (an older wareg's, or
//! one made under another umask): it is tightened through the opened file.
//!
//! This is the only way wareg opens a file in its data dir. Every open refuses a symbolic link
//! in the file's place (`O_NOFOLLOW`) and anything that is not a regular file, and says which
//! file: a link named `audit.jsonl` must not get wareg's records appended to (or its mode
//! changed on) whatever it points to, `/dev/null` or a file of root's.

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

/// Options that create a file 0600 (the mode applies only when the file is made), and never
/// through a link. `O_NOFOLLOW`: a link in the file's place fails the open (ELOOP) instead of
/// being followed. `O_NONBLOCK`: a FIFO planted under the name cannot hang the open (a
/// regular file ignores the flag); what was opened is then checked to be a regular file.
fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(MODE)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options
}

/// Opens `path` with `options`: a link or anything but a regular file in its place is an
/// error naming the file, and nothing was changed (the open created nothing and followed
/// nothing).
fn open(path: &Path, options: &OpenOptions) -> io::Result<File> {
    let file = options.open(path).map_err(|e| refused(path, e))?;
    if !file.metadata()?.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            not_a_file(path),
        ));
    }
    Ok(file)
}

/// The error of an open that failed: a link in the file's place is said in words.
fn refused(path: &Path, e: io::Error) -> io::Error {
    #[cfg(unix)]
    {
        // What an O_NOFOLLOW open of a link fails with: ELOOP, or EMLINK on FreeBSD.
        let link_errno = if cfg!(target_os = "freebsd") {
            libc::EMLINK
        } else {
            libc::ELOOP
        };
        if e.raw_os_error() == Some(link_errno) && is_link(path) {
            return io::Error::new(e.kind(), link_refused(path));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    e
}

/// Whether `path` itself is a symbolic link (not followed).
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The words for a FIFO, socket or device found where wareg keeps a file of its own.
pub fn not_a_file(path: &Path) -> String {
    format!(
        "{} is not a regular file; wareg keeps only its own files there and changed nothing: remove it",
        path.display()
    )
}

/// The words for a link found where wareg keeps a file of its own.
pub fn link_refused(path: &Path) -> String {
    format!(
        "{} is a symbolic link; wareg does not follow links in its data dir and changed nothing: put the file itself there, or remove the link",
        path.display()
    )
}

/// [`open`] of a file to write to: one found readable by others (made by an older wareg, or
/// under another umask) is made 0600 through the opened file, never through its name. A file
/// wareg writes to ends 0600, whatever made it.
fn open_to_write(path: &Path, options: &OpenOptions) -> io::Result<File> {
    let file = open(path, options)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            // Not fatal: a file that cannot be tightened (another user's) is still written,
            // as it was before, and the log says so.
            match make_private(&file) {
                Ok(()) => tracing::info!(
                    target: "wareg::files",
                    "{} was readable by others (mode {mode:o}); it is now 0600",
                    path.display()
                ),
                Err(e) => tracing::warn!(
                    target: "wareg::files",
                    "{} is readable by others (mode {mode:o}) and could not be made 0600: {e}",
                    path.display()
                ),
            }
        }
    }
    Ok(file)
}

/// Opens `path` to append to (and to read), creating it 0600.
pub fn append(path: &Path) -> io::Result<File> {
    open_to_write(path, options().read(true).append(true).create(true))
}

/// Opens an existing `path` to read and append to; a missing file is `NotFound`.
pub fn open_existing(path: &Path) -> io::Result<File> {
    open_to_write(path, options().read(true).append(true))
}

/// Opens `path` to read.
pub fn open_read(path: &Path) -> io::Result<File> {
    open(path, options().read(true))
}

/// Opens a lock file (made 0600 if missing; its content is never touched).
pub fn open_lock(path: &Path) -> io::Result<File> {
    open_to_write(
        path,
        options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )
}

/// Writes `bytes` over `path` at `offset` (made 0600 if missing; the rest of it is left as it
/// is), without waiting for the disk: for a small record kept in slots, where a write caught
/// half-way leaves the other slots whole (`bulk/tip.rs`).
pub fn write_in_place(path: &Path, offset: u64, bytes: &[u8]) -> io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut file = open_to_write(
        path,
        options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )?;
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

/// Makes the file open as `file` readable by the user alone: through the open file
/// (`fchmod`), never through its name, which a link could have taken meanwhile.
pub fn make_private(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(MODE))?;
    }
    Ok(())
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
    open(path, options().write(true).create_new(true))
}

/// Replaces `path` with `bytes` at once: written to a private file beside it, then renamed
/// over it, so a reader sees the old content or the new, never half of one. A link in its
/// place is refused, not replaced.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    replace_with(path, |file| file.write_all(bytes))
}

/// [`replace`] with the new content written by `write` (through a buffer), never held whole:
/// a file of megabytes is not first made in memory.
pub fn replace_with(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    if is_link(path) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            link_refused(path),
        ));
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    // A leftover from a crash may have any mode: it goes, and is made again.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = io::BufWriter::new(create_new(&tmp)?);
    write(&mut file)?;
    let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
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
    read_file_capped(open_read(path)?, cap)
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

/// [`read_text_capped`] of a file the user named (an `--ids` file): outside the data dir, so a
/// link is followed, as the user meant.
pub fn read_named_text_capped(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_file_capped(File::open(path)?, cap)?)
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
        let d = dir.path().join("d");
        write_in_place(&d, 4, b"cd").unwrap();
        write_in_place(&d, 0, b"ab").unwrap();
        assert_eq!(std::fs::read(&d).unwrap(), b"ab\0\0cd");
        for p in [&a, &b, &c, &d] {
            assert_eq!(mode(p), 0o600, "{}", p.display());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_files_place_is_refused_by_every_open_and_its_target_is_untouched() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "theirs\n").unwrap();
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("audit.jsonl");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let opens: [(&str, io::Result<()>); 8] = [
            ("append", append(&link).map(drop)),
            ("open_existing", open_existing(&link).map(drop)),
            ("open_read", open_read(&link).map(drop)),
            ("open_lock", open_lock(&link).map(drop)),
            ("write_in_place", write_in_place(&link, 0, b"ours")),
            ("create_new", create_new(&link).map(drop)),
            ("replace", replace(&link, b"ours")),
            ("read_capped", read_capped(&link, 1024).map(drop)),
        ];
        for (name, opened) in opens {
            let e = opened.expect_err(name).to_string();
            if name != "create_new" {
                // create_new says the name is taken: it never opens what is there.
                assert!(e.contains("is a symbolic link"), "{name}: {e}");
                assert!(e.contains(&link.display().to_string()), "{name}: {e}");
            }
        }
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "theirs\n");
        let mode = std::fs::metadata(&outside).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        assert!(is_link(&link), "the link itself is left as it was");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_device_in_a_files_place_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("throttle.json");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only makes the node.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        // Without O_NONBLOCK this open would wait for a writer for ever.
        let e = open_read(&fifo).unwrap_err().to_string();
        assert!(e.contains("is not a regular file"), "{e}");
        let e = append(Path::new("/dev/null")).unwrap_err().to_string();
        assert!(e.contains("is not a regular file"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_loose_file_opened_to_write_ends_0600_and_one_opened_to_read_is_left_as_it_is() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let loose = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, "old\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            path
        };
        let (a, b, c, d, e) = (loose("a"), loose("b"), loose("c"), loose("d"), loose("e"));
        append(&a).unwrap();
        open_existing(&b).unwrap();
        open_lock(&c).unwrap();
        open_read(&d).unwrap();
        write_in_place(&e, 0, b"o").unwrap();
        for p in [&a, &b, &c, &e] {
            assert_eq!(mode(p), 0o600, "{}", p.display());
            assert_eq!(std::fs::read_to_string(p).unwrap(), "old\n");
        }
        assert_eq!(mode(&d), 0o644, "reading changes nothing");
    }

    #[cfg(unix)]
    #[test]
    fn make_private_changes_the_open_file_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wareg.log");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private(&open_read(&path).unwrap()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
