//! What every reader of the trail shares: the longest line it takes, and how it says stop.

/// The longest line read from the trail or its index. wareg's records are a few hundred bytes
/// and never above 10 KB: every text in one is cleaned to at most 500 characters before it is
/// written (`AuditLog::append`; the test of the longest record checks it). A line beyond this
/// (planted, or a file that is not a trail) is never held whole: it is passed over as an
/// unreadable line as it is read.
pub const LINE_MAX: u64 = 64 * 1024;

/// What a reader wants next.
pub enum Flow {
    Continue,
    Stop,
}
