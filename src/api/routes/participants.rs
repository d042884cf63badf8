//! Participants: register, read (logged), change, delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::not_settable;
use crate::api::dto::{
    CaseloadEntryView, ParticipantInput, ParticipantView, ProfileView, Wait, WriteParams,
};
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::Id;
use crate::model::Role;
use crate::service::Caller;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_participant, caseload))
        .routes(routes!(get_profile))
        .routes(routes!(
            get_participant,
            update_participant,
            delete_participant
        ))
}

/// Registers a participant: identity and matchable profile in one body.
#[utoipa::path(
    post,
    path = "/participants",
    tag = "participants",
    params(WriteParams),
    request_body = ParticipantInput,
    responses(
        BodyErrors,
        (status = 201, description = "The participant as stored, the profile normalised", body = ParticipantView),
    )
)]
async fn create_participant(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(write): AppQuery<WriteParams>,
    AppJson(input): AppJson<ParticipantInput>,
) -> ApiResult<impl IntoResponse> {
    let coach_id = settable_coach(&caller, &input)?;
    let (identity, profile) = input.to_parts(&engine.taxonomy())?;
    // Checked before anything is stored, so a bad date leaves no participant behind.
    let facts = match input.programme.is_empty() {
        true => None,
        false => Some(input.programme.over(None)?),
    };
    if let Some(f) = &facts {
        engine.check_programme(f)?;
    }
    let p = engine
        .create_participant(&caller, &identity, &profile, coach_id, write.visibility())
        .await?;
    if let Some(f) = &facts {
        engine.record_programme(&caller, p.id, f).await?;
    }
    Ok((StatusCode::CREATED, Json(view(&engine, p, facts))))
}

/// The caller's caseload (everyone for an admin), in id order, with where each stands in the
/// programme; every participant listed is a logged read.
#[utoipa::path(
    get,
    path = "/participants",
    tag = "participants",
    responses(
        (status = 200, description = "The caseload", body = [CaseloadEntryView]),
    )
)]
async fn caseload(State(engine): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    let taxonomy = engine.taxonomy();
    let entries = engine
        .caseload(&caller)
        .await?
        .into_iter()
        .map(|(p, facts)| {
            let pseudonym = engine.staff_pseudonym(p.id);
            CaseloadEntryView::new(p, facts, pseudonym, &taxonomy)
        })
        .collect::<Vec<_>>();
    Ok(Json(entries))
}

/// One participant, identity included; the read is logged.
#[utoipa::path(
    get,
    path = "/participants/{id}",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    responses(
        (status = 200, description = "The participant", body = ParticipantView),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn get_participant(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let p = engine.participant(&caller, id).await?;
    let facts = engine.facts_in_force(&caller, id).await?;
    Ok(Json(view(&engine, p, facts)))
}

/// A participant's matchable profile, without identity; the read is logged.
#[utoipa::path(
    get,
    path = "/participants/{id}/profile",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    responses(
        (status = 200, description = "The matchable profile", body = ProfileView),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn get_profile(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let profile = engine.participant_profile(&caller, id).await?;
    let pseudonym = engine.staff_pseudonym(id);
    Ok(Json(ProfileView::new(
        id,
        pseudonym,
        profile,
        &engine.taxonomy(),
    )))
}

/// Replaces a participant's identity and profile.
#[utoipa::path(
    put,
    path = "/participants/{id}",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id"), WriteParams),
    request_body = ParticipantInput,
    responses(
        BodyErrors,
        (status = 200, description = "The participant as stored", body = ParticipantView),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn update_participant(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(write): AppQuery<WriteParams>,
    AppJson(input): AppJson<ParticipantInput>,
) -> ApiResult<impl IntoResponse> {
    let coach_id = settable_coach(&caller, &input)?;
    let (identity, profile) = input.to_parts(&engine.taxonomy())?;
    let current = engine.facts_in_force(&caller, id).await?;
    let facts = match input.programme.is_empty() {
        true => None,
        false => Some(input.programme.over(current.clone())?),
    };
    if let Some(f) = &facts {
        engine.check_programme(f)?;
    }
    let p = engine
        .update_participant(
            &caller,
            id,
            &identity,
            &profile,
            coach_id,
            write.visibility(),
        )
        .await?;
    if let Some(f) = &facts {
        engine.record_programme(&caller, id, f).await?;
    }
    Ok(Json(view(&engine, p, facts.or(current))))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeleteParams {
    /// Also make sure no copy is left in the database's files (erasure under GDPR art. 17).
    #[serde(default)]
    erase: bool,
    /// Accepted as on every write; a deletion always answers once matching has forgotten the
    /// person.
    #[serde(default)]
    #[param(inline)]
    #[allow(dead_code)]
    wait: Option<Wait>,
}

/// Deletes a participant and everything stored about them; answers once matching has
/// forgotten them too.
#[utoipa::path(
    delete,
    path = "/participants/{id}",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id"), DeleteParams),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "An unknown or invalid query parameter", body = ErrorBody),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn delete_participant(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(params): AppQuery<DeleteParams>,
) -> ApiResult<impl IntoResponse> {
    engine.delete_participant(&caller, id, params.erase).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn view(
    engine: &AppState,
    p: crate::model::Participant,
    facts: Option<crate::model::Programme>,
) -> ParticipantView {
    let pseudonym = engine.staff_pseudonym(p.id);
    ParticipantView::new(p, pseudonym, facts, &engine.taxonomy())
}

/// The caseload a body asks for, when the caller's role may ask for one at all.
fn settable_coach(caller: &Caller, input: &ParticipantInput) -> ApiResult<Option<Id>> {
    match (caller.role(), input.coach_id) {
        (Role::Admin, coach_id) => Ok(coach_id),
        (role, Some(_)) => Err(not_settable("coach_id", role)),
        (_, None) => Ok(None),
    }
}
