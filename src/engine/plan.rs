//! Plans: the calls a register, deregister or region change makes, decided by the API version
//! (docs/graph-api-facts.md §5). Plans are data, so the TUI can show them before anything is sent.

use crate::audit::Operation;
use crate::graph::{ApiVersion, Region, StorageChoice};

use super::MutationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `POST /{id}/settings`: storage on in a region, or off (v21+, while unregistered).
    SetStorage(Option<Region>),
    /// `POST /{id}/register`, with the region in the body only up to v20.
    Register { region_in_body: Option<Region> },
    /// `POST /{id}/deregister`.
    Deregister,
}

#[derive(Debug)]
pub struct StepReport {
    pub step: Step,
    pub result: Result<(), MutationError>,
    /// Meta took it, but its answer was not the documented one.
    pub warning: Option<String>,
}

impl Step {
    pub fn operation(&self) -> Operation {
        match self {
            Step::SetStorage(_) => Operation::Settings,
            Step::Register { .. } => Operation::Register,
            Step::Deregister => Operation::Deregister,
        }
    }

    /// The region a step sets, shown in plans and recorded in the trail.
    pub fn region(&self) -> Option<Region> {
        match self {
            Step::SetStorage(region) => *region,
            Step::Register { region_in_body } => *region_in_body,
            Step::Deregister => None,
        }
    }

    /// The call as a person reads it: `POST /settings (storage DE)`.
    pub fn describe(&self) -> String {
        match self {
            Step::SetStorage(Some(r)) => format!("POST /settings (local storage {})", r.code()),
            Step::SetStorage(None) => "POST /settings (local storage off)".into(),
            Step::Register {
                region_in_body: Some(r),
            } => format!("POST /register (region {} in body)", r.code()),
            Step::Register {
                region_in_body: None,
            } => "POST /register".into(),
            Step::Deregister => "POST /deregister".into(),
        }
    }
}

/// Register with a storage choice: on v21+ storage is set first with /settings, then a plain
/// register; up to v20 the region rides in the register body.
pub fn register_plan(version: ApiVersion, choice: StorageChoice) -> Vec<Step> {
    match (version.storage_via_settings(), choice) {
        (_, StorageChoice::Keep) => vec![Step::Register {
            region_in_body: None,
        }],
        (true, StorageChoice::Off) => vec![
            Step::SetStorage(None),
            Step::Register {
                region_in_body: None,
            },
        ],
        (true, StorageChoice::Region(r)) => {
            vec![
                Step::SetStorage(Some(r)),
                Step::Register {
                    region_in_body: None,
                },
            ]
        }
        (false, StorageChoice::Off) => vec![Step::Register {
            region_in_body: None,
        }],
        (false, StorageChoice::Region(r)) => vec![Step::Register {
            region_in_body: Some(r),
        }],
    }
}

/// The budgeted operations a run of `steps` spends, with their counts, deregister first.
pub fn budget_costs(steps: &[Step]) -> Vec<(Operation, u32)> {
    [Operation::Deregister, Operation::Register]
        .into_iter()
        .map(|op| {
            (
                op,
                steps.iter().filter(|s| s.operation() == op).count() as u32,
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

pub fn deregister_plan() -> Vec<Step> {
    vec![Step::Deregister]
}

/// Local storage cannot change in place: deregister, then register with the new storage.
pub fn region_change_plan(version: ApiVersion, region: Option<Region>) -> Vec<Step> {
    let choice = match region {
        Some(r) => StorageChoice::Region(r),
        None => StorageChoice::Off,
    };
    let mut steps = deregister_plan();
    steps.extend(register_plan(version, choice));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_follow_the_api_version() {
        let v20: ApiVersion = "v20.0".parse().unwrap();
        let v25: ApiVersion = "v25.0".parse().unwrap();
        assert_eq!(
            register_plan(v25, StorageChoice::Region(Region::De)),
            [
                Step::SetStorage(Some(Region::De)),
                Step::Register {
                    region_in_body: None
                }
            ]
        );
        assert_eq!(
            register_plan(v20, StorageChoice::Region(Region::De)),
            [Step::Register {
                region_in_body: Some(Region::De)
            }]
        );
        assert_eq!(
            register_plan(v25, StorageChoice::Keep),
            [Step::Register {
                region_in_body: None
            }]
        );
        assert_eq!(
            region_change_plan(v25, Some(Region::In)),
            [
                Step::Deregister,
                Step::SetStorage(Some(Region::In)),
                Step::Register {
                    region_in_body: None
                }
            ]
        );
        assert_eq!(
            region_change_plan(v20, None),
            [
                Step::Deregister,
                Step::Register {
                    region_in_body: None
                }
            ]
        );
    }
}
