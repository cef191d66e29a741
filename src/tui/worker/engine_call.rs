//! Runs a form's `EngineCall`: one way for every kind, so a form that asks the engine for
//! something new adds a variant and its line here, never a worker arm.

use tokio::sync::mpsc::UnboundedSender;

use crate::engine::{Engine, MutationError};
use crate::graph::Answered;
use crate::tui::msg::{EngineCall, Level, Msg, Reply, RequestId, StepFailure};

/// Runs `call` and returns its last reply; a plan's earlier steps are sent as they finish, and
/// odd but accepted answers go to the log pane.
pub(super) async fn run(
    call: EngineCall,
    engine: Engine,
    request: RequestId,
    tx: UnboundedSender<Msg>,
) -> Reply {
    let single = match call {
        EngineCall::RunPlan { plan, pin, forced } => {
            return run_plan(&engine, &plan, pin.as_ref(), forced, request, &tx).await;
        }
        EngineCall::SetPin { id, pin } => engine.set_pin(&id, &pin).await,
        EngineCall::RequestCode {
            id,
            method,
            language,
        } => engine.request_code(&id, method, &language).await,
        EngineCall::VerifyCode { id, code } => engine.verify_code(&id, &code).await,
        EngineCall::AddNumber { waba, number } => {
            let result = engine.add_number(&waba, &number).await;
            return Reply::Added {
                profile: engine.profile.clone(),
                result: result.map_err(|e| failure(&e)),
            };
        }
        EngineCall::Rename { id, name, forced } => {
            match rename(&engine, &id, &name, forced).await {
                Ok(sent) => sent,
                Err(unsent) => return Reply::Simple(Err(unsent)),
            }
        }
    };
    if let Ok(Answered {
        warning: Some(warning),
    }) = &single
    {
        let _ = tx.send(Msg::Notice(Level::Warn, warning.clone()));
    }
    Reply::Simple(single.map(|_| ()).map_err(|e| failure(&e)))
}

async fn run_plan(
    engine: &Engine,
    plan: &crate::engine::Plan,
    pin: Option<&crate::secret::Pin>,
    forced: bool,
    request: RequestId,
    tx: &UnboundedSender<Msg>,
) -> Reply {
    let execution = engine
        .execute(plan, pin, forced, |report, last| {
            if !last {
                let reply = Reply::Step {
                    step: report.step,
                    result: Ok(()),
                    last: false,
                };
                let _ = tx.send(Msg::Reply(request, reply));
            }
        })
        .await;
    for warning in execution.reports.iter().filter_map(|r| r.warning.as_ref()) {
        let _ = tx.send(Msg::Notice(Level::Warn, warning.clone()));
    }
    let readback = execution.readback_words();
    // The last report goes back as the task's reply.
    match execution.reports.into_iter().last() {
        Some(report) => Reply::Step {
            step: report.step,
            result: report.result.map_err(|e| StepFailure {
                readback: readback.clone(),
                ..failure(&e)
            }),
            last: true,
        },
        None => Reply::Simple(Ok(())),
    }
}

/// Planned again by the engine from a fresh read and its rename budget, then sent once, as
/// `wareg rename` does: what the plan still blocks (given the override) is refused unsent.
async fn rename(
    engine: &Engine,
    id: &crate::graph::NumberId,
    name: &crate::graph::DisplayName,
    forced: bool,
) -> Result<Result<Answered, MutationError>, StepFailure> {
    match engine.prepare_rename(id, name).await {
        Ok(plan) => Ok(engine.rename(&plan, forced).await),
        Err(e) => Err(StepFailure {
            message: format!("{e}; nothing was sent"),
            code: None,
            entry: None,
            unknown_outcome: false,
            readback: None,
        }),
    }
}

fn failure(e: &MutationError) -> StepFailure {
    StepFailure {
        // The form explains a catalogued code itself; the message adds only Meta's words.
        message: e
            .api()
            .map_or_else(|| e.to_string(), crate::graph::ApiError::detail),
        code: e.api().and_then(|a| a.code()),
        entry: e.api().and_then(|a| a.graph()).and_then(|g| g.catalogue()),
        unknown_outcome: e.outcome_unknown(),
        readback: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::ApiError;
    use crate::graph::errors::GraphError;

    #[test]
    fn a_refusal_carries_the_catalogue_entry_for_its_cause_not_only_its_code() {
        let body = serde_json::json!({"error": {
            "message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100,
            "error_subcode": 2388001,
            "error_user_msg": "This number is registered to an existing WhatsApp account. To use this number, disconnect it from the existing account.",
            "fbtrace_id": "A1"}});
        let error = GraphError::from_body(body.to_string().as_bytes()).unwrap();
        let refused = MutationError::Api(ApiError::Graph {
            http_status: 400,
            error: Box::new(error),
        });
        let step = failure(&refused);
        assert_eq!(step.code, Some(100));
        let entry = step.entry.expect("the catalogue knows the cause");
        assert_eq!(entry.title, "Number is on an existing WhatsApp account");
        // What the form draws from it.
        let failure = crate::tui::forms::Failure::of(&step, chrono::Utc::now());
        assert_eq!(failure.entry, Some(entry));
    }
}
