//! Form widgets' models (drawing lives in `view::`): a masked digits field and the region
//! dropdown.

pub mod region_select;
pub mod secret_field;

pub use region_select::RegionSelect;
pub use secret_field::SecretField;
