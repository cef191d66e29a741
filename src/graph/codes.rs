//! The Graph error codes wareg acts on, by name (docs/graph-api-facts.md has the full table; the
//! catalogue in assets/ has the words shown to people).

/// Unknown, possibly transient error.
pub const UNKNOWN: i64 = 1;
/// Service temporarily unavailable.
pub const SERVICE: i64 = 2;
/// The app's call budget is spent (application-level throttle).
pub const APP_RATE_LIMIT: i64 = 4;
/// The user's call budget is spent.
pub const USER_RATE_LIMIT: i64 = 17;
/// The access token expired or was revoked.
pub const TOKEN_INVALID: i64 = 190;
/// The token lacks a permission the call needs.
pub const PERMISSION_DENIED: i64 = 200;
/// The app lacks a permission (or it was not granted for this object).
pub const APP_PERMISSION: i64 = 10;
/// The WABA's rate limit (business use case) was hit.
pub const WABA_RATE_LIMIT: i64 = 80007;
/// Too many calls to this WhatsApp Business account.
pub const WABA_TOO_MANY_CALLS: i64 = 80008;
/// The business account is locked.
pub const ACCOUNT_LOCKED: i64 = 131031;
/// Something went wrong; Meta suggests trying again.
pub const SOMETHING_WENT_WRONG: i64 = 131000;
/// Temporarily unavailable.
pub const TEMPORARILY_UNAVAILABLE: i64 = 133004;
/// The PIN does not match the two-step verification PIN already set.
pub const PIN_MISMATCH: i64 = 133005;
/// The number must be verified (ownership) before it can be registered.
pub const NEEDS_VERIFICATION: i64 = 133006;
/// Deregister of a number that is not registered.
pub const NOT_REGISTERED: i64 = 133010;
/// Too many register/deregister requests: Meta locks the number for 72 hours.
pub const REGISTRATION_LOCKED: i64 = 133016;
/// Code 100's subcode for "Cannot Create Certificate": a register refused because the number is
/// on an existing WhatsApp account, or because its display name could not be processed.
pub const CANNOT_CREATE_CERTIFICATE: i64 = 2388001;
/// `request_code` on a number whose ownership is already verified.
pub const ALREADY_VERIFIED: i64 = 136024;
