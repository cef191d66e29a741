//! The Graph API: types, errors, the client. Nothing in here knows about the terminal.

pub mod batch;
pub mod body;
pub mod catalogue;
pub mod client;
pub mod codes;
pub mod country_codes;
pub mod enums;
pub mod errors;
pub mod listing;
pub mod new_number;
pub mod read_pace;
pub mod region;
pub mod retry;
pub mod throttle;
pub mod types;
pub mod usage;
pub mod version;

pub use client::{
    Answered, CallEvent, CallObserver, ClientSettings, CodeMethod, DEFAULT_MAX_BODY, GraphClient,
    MAX_PAGES, SANDBOX_HEADER, SANDBOX_SEEN,
};
pub use errors::{ApiError, CertificateRefusal, GraphError, MutationOutcome};
pub use listing::NumberPages;
pub use new_number::{BadInput, DisplayName, NewNumber};
pub use region::{Region, RegionGroup};
pub use throttle::{Throttle, ThrottleBook, ThrottleScope};
pub use types::{NumberId, PhoneNumber, StorageChoice, StorageConfig};
pub use usage::{Usage, WabaUsage};
pub use version::ApiVersion;
