//! Placements: a participant proposed to an opening by a coach or a job matcher, moved on by
//! the employer (interview, accept, decline) and by staff (withdraw, end with an outcome),
//! each step dated and by whom. A start takes one of the opening's places and the
//! participant out of matching; an end sets the participant's status from its outcome.
//!
//! Employers see their own openings' proposals only, under their own code for the candidate;
//! the person's identity reaches the employer only once the placement has started, and every
//! such read is logged. An employer may cap the proposals it gets per calendar month: those
//! past the cap wait, oldest first, and the employer never sees them until they are released.
//!
//! What this module must not do: decide rights anywhere but through the [`Caller`], or write
//! a step the store has not checked against the placement's current state.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

use super::error::{Code, InputError, InternalError, Result, ServiceError, UserError};
use super::programme::{check, decode};
use super::{Caller, Engine, Visibility};
use crate::model::{
    EmploymentForm, Id, Identity, OpeningKind, OpeningStatus, Outcome, Placement, PlacementStatus,
    Programme, ProgrammeStatus, Role,
};
use crate::store::{
    CapState, NewPlacement, PlacementCreated, PlacementFilter, PlacementStep, StepApplied,
};

/// Who may propose, withdraw and end placements.
const STAFF: &[Role] = &[Role::Admin, Role::Coach, Role::Matcher];

/// A second proposal of the same participant to the same employer within this many days is
/// refused: an employer asked twice in a week about one person stops answering.
pub const DUPLICATE_WINDOW_DAYS: i64 = 7;

/// Largest monthly cap an employer can set.
pub const MAX_MONTHLY_CAP: u32 = 10_000;

/// A placement as one caller may see it.
#[derive(Clone, Debug, PartialEq)]
pub struct SeenPlacement {
    pub placement: Placement,
    /// The staff's code for the participant, or, for an employer, that employer's own.
    pub pseudonym: String,
    /// Whether the caller is the employer: ids of the participant and of staff are left out.
    pub for_employer: bool,
    /// The participant's identity, for the employer once the placement has started.
    pub revealed: Option<Identity>,
}

/// Which placements to list, as the caller asks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlacementQuery {
    pub participant_id: Option<Id>,
    pub opening_id: Option<Id>,
    pub status: Option<PlacementStatus>,
    pub offset: i64,
    pub limit: i64,
}

/// An employer's cap and how much of this month's it has used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    pub employer_id: Id,
    pub month_start: DateTime<Utc>,
    pub state: CapState,
}

/// The first instant of the calendar month `now` is in (UTC): what a monthly cap counts from.
pub fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now)
}

/// The steps `role` may take: an employer answers (interview, accept, decline); staff may also
/// withdraw a proposal and end a placement.
fn may_take(role: Role, to: PlacementStatus) -> bool {
    use PlacementStatus::*;
    match role {
        Role::Employer => matches!(to, Interview | Started | Declined),
        Role::Admin | Role::Coach | Role::Matcher => {
            matches!(to, Interview | Started | Declined | Withdrawn | Ended)
        }
    }
}

/// A start of someone placed elsewhere or settled; said without naming anything of theirs,
/// since an employer may be asking.
fn unavailable() -> ServiceError {
    ServiceError::conflict(
        Code::ParticipantUnavailable,
        "the candidate is no longer available: placed elsewhere, or in a job, studies or gone",
    )
}

fn steps_from(status: PlacementStatus) -> String {
    let next: Vec<&str> = PlacementStatus::ALL
        .iter()
        .filter(|s| status.can_become(**s) && **s != PlacementStatus::Proposed)
        .map(|s| s.as_str())
        .collect();
    if next.is_empty() {
        "it is final".to_owned()
    } else {
        format!("it can become {}", next.join(", "))
    }
}

impl Engine {
    /// Proposes a participant for an opening. A coach proposes from their own caseload, a
    /// job matcher or admin anyone; the opening must be open with a place free, the
    /// participant not placed or settled, and not proposed to the same employer within
    /// [`DUPLICATE_WINDOW_DAYS`]. Past the employer's monthly cap the proposal waits.
    pub async fn propose(
        &self,
        caller: &Caller,
        participant_id: Id,
        opening_id: Id,
        visibility: Visibility,
    ) -> Result<SeenPlacement> {
        caller.require(STAFF)?;
        if caller.role() == Role::Coach {
            self.require_keeper(caller, participant_id).await?;
        } else if self
            .store
            .participant_coach(participant_id)
            .await?
            .is_none()
        {
            return Err(ServiceError::not_found("participant", participant_id));
        }
        let opening = self
            .store
            .opening(opening_id)
            .await?
            .ok_or(ServiceError::not_found("opening", opening_id))?;
        if opening.status == OpeningStatus::Closed {
            return Err(UserError::Closed { id: opening_id }.into());
        }
        let started = self
            .store
            .started_per_opening(Some(&[opening_id]))
            .await?
            .first()
            .map_or(0, |(_, n)| *n);
        if opening.free_places(started) == 0 {
            return Err(ServiceError::conflict(
                Code::OpeningFull,
                format!(
                    "opening {opening_id} has no place free: all {} are taken by started placements",
                    opening.places
                ),
            ));
        }
        if !self
            .store
            .unavailable_participants(Some(&[participant_id]))
            .await?
            .is_empty()
        {
            return Err(ServiceError::conflict(
                Code::ParticipantUnavailable,
                format!(
                    "participant {participant_id} has started a placement or is in a job, studies or has left; end that first"
                ),
            ));
        }
        let now = Utc::now();
        let created = self
            .store
            .create_placement(&NewPlacement {
                participant_id,
                opening_id,
                employer_id: opening.employer_id,
                kind: opening.kind,
                created_by: caller.user_id(),
                role: caller.role(),
                now,
                month_start: month_start(now),
                duplicate_since: now - Duration::days(DUPLICATE_WINDOW_DAYS),
            })
            .await?;
        let placement = match created {
            PlacementCreated::Created(p) => p,
            PlacementCreated::Duplicate(id) => {
                return Err(ServiceError::conflict(
                    Code::DuplicateProposal,
                    format!(
                        "participant {participant_id} was proposed to this employer within the last {DUPLICATE_WINDOW_DAYS} days (placement {id}); follow that one up instead"
                    ),
                ));
            }
        };
        self.store
            .log_reads(&caller.reads([participant_id], "placement.propose"))
            .await?;
        self.after_write(visibility).await;
        self.seen(caller, placement).await
    }

    /// A placement the caller may see: staff their own (a coach: of their caseload), an
    /// employer those to its own openings the cap has let through.
    pub async fn placement(&self, caller: &Caller, id: Id) -> Result<SeenPlacement> {
        let placement = self.visible_placement(caller, id).await?;
        let seen = self.seen(caller, placement).await?;
        self.log_seen(caller, std::slice::from_ref(&seen)).await?;
        Ok(seen)
    }

    /// Logs each participant an answer shows: a read, or, where the answer names the person
    /// to an employer for the first time in it, a read that reveals them.
    async fn log_seen(&self, caller: &Caller, seen: &[SeenPlacement]) -> Result<()> {
        let mut entries = Vec::with_capacity(seen.len());
        for s in seen {
            let id = s.placement.participant_id;
            match s.revealed {
                Some(_) => entries.extend(caller.reveals([id])),
                None => entries.extend(caller.reads([id], "placement")),
            }
        }
        if !entries.is_empty() {
            self.store.log_reads(&entries).await?;
        }
        Ok(())
    }

    async fn visible_placement(&self, caller: &Caller, id: Id) -> Result<Placement> {
        let placement = self.store.placement(id).await?;
        let Some(placement) = placement else {
            return Err(ServiceError::not_found("placement", id));
        };
        let visible = match caller.role() {
            Role::Admin | Role::Matcher => true,
            Role::Coach => {
                let coach = self
                    .store
                    .participant_coach(placement.participant_id)
                    .await?;
                coach.is_some_and(|c| caller.owns_participant(c))
            }
            // Only what reached the employer: a proposal its cap held back never did, even
            // once withdrawn while it waited.
            Role::Employer => {
                caller.employer_id() == Some(placement.employer_id)
                    && placement.proposed_at.is_some()
            }
        };
        caller.visible(visible, "placement", id)?;
        Ok(placement)
    }

    /// The placements within the caller's reach, newest first: a coach's participants', an
    /// employer's openings' (releasing first what this month's cap now allows), everyone's
    /// for job matchers and admins.
    pub async fn placements(
        &self,
        caller: &Caller,
        query: PlacementQuery,
    ) -> Result<Vec<SeenPlacement>> {
        let mut filter = PlacementFilter {
            participant_ids: query.participant_id.map(|p| vec![p]),
            opening_id: query.opening_id,
            status: query.status,
            offset: query.offset,
            limit: Some(query.limit),
            ..PlacementFilter::default()
        };
        match caller.role() {
            Role::Admin | Role::Matcher => {}
            Role::Coach => filter.coach_id = caller.user_id(),
            Role::Employer => {
                let Some(employer) = caller.employer_id() else {
                    return Ok(Vec::new());
                };
                if query.participant_id.is_some() {
                    return Err(InputError::new(
                        Code::InvalidParameter,
                        "participant_id",
                        "an employer lists its placements by opening or status; candidates have no ids it can know",
                    )
                    .into());
                }
                self.store
                    .release_waiting(employer, month_start(Utc::now()))
                    .await?;
                filter.employer_id = Some(employer);
                filter.without_waiting = true;
            }
        }
        let mut seen = Vec::new();
        for p in self.store.placements(&filter).await? {
            seen.push(self.seen(caller, p).await?);
        }
        self.log_seen(caller, &seen).await?;
        Ok(seen)
    }

    /// Moves a placement on a step. An employer answers proposals to its own openings
    /// (interview, started, declined); staff may also withdraw and end. A step out of order
    /// answers 409, as does a start when the opening is full or the participant has started
    /// elsewhere. A start sets the participant's status to internship or job; an end sets it
    /// from the outcome.
    pub async fn step_placement(
        &self,
        caller: &Caller,
        id: Id,
        to: PlacementStatus,
        outcome: Option<Outcome>,
        form: Option<EmploymentForm>,
        visibility: Visibility,
    ) -> Result<SeenPlacement> {
        let placement = self.visible_placement(caller, id).await?;
        if !may_take(caller.role(), to) {
            return Err(UserError::Forbidden {
                role: caller.role(),
            }
            .into());
        }
        match (to, outcome) {
            (PlacementStatus::Ended, None) => {
                return Err(InputError::new(
                    Code::MissingField,
                    "outcome",
                    "an end needs its outcome: job, subsidised_job, internship, studies, other_income, returned_to_support or left",
                )
                .into());
            }
            (s, Some(_)) if s != PlacementStatus::Ended => {
                return Err(InputError::invalid(
                    "outcome",
                    "an outcome goes with the status ended only",
                )
                .into());
            }
            _ => {}
        }
        if form.is_some() && outcome != Some(Outcome::SubsidisedJob) {
            return Err(InputError::invalid(
                "form",
                "a form goes with the outcome subsidised_job only",
            )
            .into());
        }
        if !placement.status.can_become(to) {
            return Err(ServiceError::conflict(
                Code::StepOutOfOrder,
                format!(
                    "placement {id} is {}; {}",
                    placement.status.as_str(),
                    steps_from(placement.status)
                ),
            ));
        }
        if to == PlacementStatus::Started
            && !self
                .store
                .unavailable_participants(Some(&[placement.participant_id]))
                .await?
                .is_empty()
        {
            return Err(unavailable());
        }
        let now = Utc::now();
        let form = match (outcome, form) {
            (Some(Outcome::SubsidisedJob), None) => self
                .store
                .opening(placement.opening_id)
                .await?
                .map(|o| o.employment_form)
                .filter(|f| *f != EmploymentForm::Ordinary),
            (_, form) => form,
        };
        let facts = self
            .facts_after(placement.participant_id, placement.kind, to, outcome, now)
            .await?;
        let applied = self
            .store
            .step_placement(&PlacementStep {
                id,
                from: placement.status,
                to,
                outcome,
                form,
                user_id: caller.user_id(),
                role: caller.role(),
                at: now,
                facts,
            })
            .await?;
        let placement = match applied {
            StepApplied::Done(p) => p,
            StepApplied::Moved => {
                return Err(ServiceError::conflict(
                    Code::StepOutOfOrder,
                    format!("placement {id} changed meanwhile; read it again"),
                ));
            }
            StepApplied::OpeningFull => {
                return Err(ServiceError::conflict(
                    Code::OpeningFull,
                    format!(
                        "opening {} has no place free: every place is taken by a started placement",
                        placement.opening_id
                    ),
                ));
            }
            StepApplied::ParticipantPlaced(_) => return Err(unavailable()),
        };
        self.after_write(visibility).await;
        let seen = self.seen(caller, placement).await?;
        self.log_seen(caller, std::slice::from_ref(&seen)).await?;
        Ok(seen)
    }

    /// The participant's facts as a step leaves them (JSON and unit), or `None` when the step
    /// changes no status.
    async fn facts_after(
        &self,
        participant_id: Id,
        kind: OpeningKind,
        to: PlacementStatus,
        outcome: Option<Outcome>,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, Option<String>)>> {
        let status = match (to, outcome) {
            (PlacementStatus::Started, _) => match kind {
                OpeningKind::Internship => ProgrammeStatus::Internship,
                OpeningKind::Vacancy => ProgrammeStatus::Job,
            },
            (PlacementStatus::Ended, Some(o)) => o.status(),
            _ => return Ok(None),
        };
        let mut facts: Programme = match self.store.programme_history(participant_id).await?.pop() {
            Some(r) => decode(&r.facts, "programme facts")?,
            None => Programme::default(),
        };
        facts.status = status;
        facts.left_at = match status {
            ProgrammeStatus::Left => Some(facts.left_at.unwrap_or(now)),
            _ => None,
        };
        // A status set here must satisfy what a coach's own write would.
        check(&facts, now).map_err(ServiceError::from)?;
        let json = serde_json::to_string(&facts).map_err(|e| InternalError::Task(e.to_string()))?;
        Ok(Some((json, facts.unit)))
    }

    /// Shapes a placement for the caller; an employer's read of a started placement reveals
    /// the person. Not logged here: see [`Engine::log_seen`].
    async fn seen(&self, caller: &Caller, placement: Placement) -> Result<SeenPlacement> {
        let employer = caller
            .employer_id()
            .filter(|_| caller.role() == Role::Employer);
        let Some(employer) = employer else {
            return Ok(SeenPlacement {
                pseudonym: self.staff_pseudonym(placement.participant_id),
                placement,
                for_employer: false,
                revealed: None,
            });
        };
        let pseudonym = self
            .secret
            .employer_pseudonym(employer, placement.participant_id);
        // Logged by the caller with the rest of the answer, as a read that reveals.
        let revealed = match placement.started_at {
            Some(_) => self
                .store
                .participant(placement.participant_id)
                .await?
                .map(|p| p.identity),
            None => None,
        };
        Ok(SeenPlacement {
            placement,
            pseudonym,
            for_employer: true,
            revealed,
        })
    }

    /// Sets (or with `None` lifts) an employer's monthly cap on proposals: the employer's own
    /// users and admins.
    pub async fn set_employer_cap(
        &self,
        caller: &Caller,
        employer_id: Id,
        monthly_proposals: Option<u32>,
    ) -> Result<Cap> {
        caller.require(&[Role::Admin, Role::Employer])?;
        caller.visible(caller.owns_employer(employer_id), "employer", employer_id)?;
        if let Some(n) = monthly_proposals
            && n > MAX_MONTHLY_CAP
        {
            return Err(InputError::invalid(
                "monthly_proposals",
                format!("monthly_proposals must be 0 to {MAX_MONTHLY_CAP}, not {n}; leave it null for no cap"),
            )
            .into());
        }
        if !self
            .store
            .set_employer_cap(employer_id, monthly_proposals)
            .await?
        {
            return Err(ServiceError::not_found("employer", employer_id));
        }
        let start = month_start(Utc::now());
        self.store.release_waiting(employer_id, start).await?;
        self.employer_cap(caller, employer_id).await
    }

    /// An employer's cap and this month's use: the employer's own users and staff.
    pub async fn employer_cap(&self, caller: &Caller, employer_id: Id) -> Result<Cap> {
        caller.require(&[Role::Admin, Role::Matcher, Role::Coach, Role::Employer])?;
        let own = caller.role() != Role::Employer || caller.employer_id() == Some(employer_id);
        caller.visible(own, "employer", employer_id)?;
        let start = month_start(Utc::now());
        let state = self
            .store
            .employer_caps(&[employer_id], start)
            .await?
            .pop()
            .map(|(_, s)| s)
            .ok_or(ServiceError::not_found("employer", employer_id))?;
        Ok(Cap {
            employer_id,
            month_start: start,
            state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_starts_on_its_first_day_at_midnight_utc() {
        let t = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 0).unwrap();
        assert_eq!(
            month_start(t),
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn an_employer_answers_but_never_withdraws_or_ends() {
        use PlacementStatus::*;
        for s in [Interview, Started, Declined] {
            assert!(may_take(Role::Employer, s));
        }
        for s in [Withdrawn, Ended, Proposed, Waiting] {
            assert!(!may_take(Role::Employer, s), "{s:?}");
        }
        assert!(may_take(Role::Coach, Ended));
        assert!(!may_take(Role::Matcher, Waiting));
    }

    #[test]
    fn steps_go_forward_only() {
        use PlacementStatus::*;
        assert!(Proposed.can_become(Started));
        assert!(!Started.can_become(Interview));
        assert!(!Ended.can_become(Ended));
        assert!(!Declined.can_become(Started));
        assert_eq!(steps_from(Ended), "it is final");
        assert_eq!(
            steps_from(Interview),
            "it can become started, declined, withdrawn"
        );
    }
}
