//! Reading the trail forwards, a line at a time, in constant memory whatever the file holds: a
//! line longer than [`LINE_MAX`] (planted, or a file that is not a trail) is passed over as it
//! is read, and only its two ends are kept (what the index hashes such a line by). What reads
//! the trail from its start (`wareg audit`, a long window's second pass, the index) reads it
//! through here.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom};

use super::lines::{Flow, LINE_MAX};

/// How many bytes of each end of an overlong line are kept.
pub const ENDS: usize = 4 * 1024;

/// The size of one read.
const BUFFER: usize = 256 * 1024;

/// One line as read forwards.
pub struct Line<'a> {
    /// Where it starts in the file.
    pub off: u64,
    /// How long it is, without its newline.
    pub len: u64,
    /// Its bytes (without the newline); `None` when it is longer than [`LINE_MAX`]: such a line
    /// is never held whole.
    pub bytes: Option<&'a [u8]>,
    /// Its first and last [`ENDS`] bytes (fewer when it is shorter).
    pub head: &'a [u8],
    pub tail: &'a [u8],
    /// Whether a newline ends it: the file's last piece may be a line being written, or torn.
    pub ended: bool,
}

/// Calls `visit` with each line of `file` from byte `from` (a line's start) to byte `to`, oldest
/// first, until it says stop. Returns where the lines that end with a newline end (just past
/// the last such newline read).
pub fn lines_forward(
    file: &mut File,
    from: u64,
    to: u64,
    visit: &mut dyn FnMut(&Line<'_>) -> Flow,
) -> io::Result<u64> {
    file.seek(SeekFrom::Start(from))?;
    let len = to.saturating_sub(from);
    // An append's few hundred bytes do not need the whole buffer.
    let capacity = BUFFER.min(len as usize + 1);
    let mut reader = io::BufReader::with_capacity(capacity, file.take(len));
    let mut raw = Vec::new();
    let mut tail = Vec::with_capacity(ENDS);
    let mut at = from;
    loop {
        raw.clear();
        let read = (&mut reader)
            .take(LINE_MAX + 1)
            .read_until(b'\n', &mut raw)?;
        if read == 0 {
            return Ok(at);
        }
        let ended = raw.last() == Some(&b'\n');
        if ended || raw.len() as u64 <= LINE_MAX {
            let bytes = raw.strip_suffix(b"\n").unwrap_or(&raw);
            let line = Line {
                off: at,
                len: bytes.len() as u64,
                bytes: Some(bytes),
                head: &bytes[..bytes.len().min(ENDS)],
                tail: &bytes[bytes.len().saturating_sub(ENDS)..],
                ended,
            };
            let flow = visit(&line);
            if !ended {
                return Ok(at);
            }
            at += read as u64;
            if let Flow::Stop = flow {
                return Ok(at);
            }
            continue;
        }
        // Longer than any record: read on to its end without keeping it, but for its ends.
        tail.clear();
        tail.extend_from_slice(&raw[raw.len() - ENDS..]);
        raw.truncate(ENDS);
        let mut len = read as u64;
        let ended = loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break false;
            }
            let (piece, used, found) = match memchr::memchr(b'\n', buf) {
                Some(nl) => (&buf[..nl], nl + 1, true),
                None => (buf, buf.len(), false),
            };
            keep_last(&mut tail, piece);
            len += piece.len() as u64;
            reader.consume(used);
            if found {
                break true;
            }
        };
        let line = Line {
            off: at,
            len,
            bytes: None,
            head: &raw,
            tail: last(&tail),
            ended,
        };
        let flow = visit(&line);
        if !ended {
            return Ok(at);
        }
        at += len + 1;
        if let Flow::Stop = flow {
            return Ok(at);
        }
    }
}

/// `piece` added to `tail`, which keeps at least the last [`ENDS`] bytes of what it was given
/// (and at most twice that: it is cut only now and then, so that a run of millions of short
/// lines does not move 4 KB for each); [`last`] gives them.
pub fn keep_last(tail: &mut Vec<u8>, piece: &[u8]) {
    if piece.len() >= ENDS {
        tail.clear();
        tail.extend_from_slice(&piece[piece.len() - ENDS..]);
        return;
    }
    if tail.len() + piece.len() > 2 * ENDS {
        tail.drain(..tail.len() - ENDS);
    }
    tail.extend_from_slice(piece);
}

/// The last [`ENDS`] bytes `keep_last` kept.
pub fn last(tail: &[u8]) -> &[u8] {
    &tail[tail.len().saturating_sub(ENDS)..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A line as read: offset, length, its bytes if held, head, tail, whether it ended.
    type Read = (u64, u64, Option<Vec<u8>>, Vec<u8>, Vec<u8>, bool);

    /// Every line of `bytes` read forwards, and where the whole lines end.
    fn lines_of(bytes: &[u8]) -> (Vec<Read>, u64) {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        let mut got = Vec::new();
        let end = lines_forward(&mut file, 0, bytes.len() as u64, &mut |l| {
            got.push((
                l.off,
                l.len,
                l.bytes.map(<[u8]>::to_vec),
                l.head.to_vec(),
                l.tail.to_vec(),
                l.ended,
            ));
            Flow::Continue
        })
        .unwrap();
        (got, end)
    }

    #[test]
    fn lines_come_with_where_they_stand_and_an_overlong_one_only_with_its_ends() {
        let long = LINE_MAX as usize + 3 * BUFFER + 17;
        let mut bytes = b"one\n\ntwo\n".to_vec();
        let mut overlong: Vec<u8> = (0..long).map(|n| b'a' + (n % 26) as u8).collect();
        bytes.append(&mut overlong.clone());
        bytes.extend_from_slice(b"\nthree\nfour");
        let (got, end) = lines_of(&bytes);
        let at = 9 + long as u64 + 1;
        assert_eq!(end, at + 6, "the whole lines end before `four`");
        let short = |off, text: &[u8], ended| {
            (
                off,
                text.len() as u64,
                Some(text.to_vec()),
                text.to_vec(),
                text.to_vec(),
                ended,
            )
        };
        assert_eq!(
            got[..3],
            [
                short(0, b"one", true),
                short(4, b"", true),
                short(5, b"two", true)
            ]
        );
        let (off, len, held, head, tail, ended) = &got[3];
        assert_eq!(
            (*off, *len, held.is_none(), *ended),
            (9, long as u64, true, true)
        );
        assert_eq!(head[..], overlong[..ENDS]);
        assert_eq!(tail[..], overlong.split_off(long - ENDS)[..]);
        assert_eq!(
            got[4..],
            [short(at, b"three", true), short(at + 6, b"four", false)]
        );

        // An overlong last piece without its newline is a line being written: not whole.
        let (got, end) = lines_of(&vec![b'x'; LINE_MAX as usize * 2]);
        assert_eq!(
            (got.len(), got[0].5, got[0].1, end),
            (1, false, LINE_MAX * 2, 0)
        );
    }
}
