//! Participants: register, read (every read logged), change, delete and erase.
//!
//! Identity and matchable profile arrive apart and are stored apart. Only an admin and the
//! participant's own coach reach a participant at all: for anyone else it does not exist.

use super::error::{Result, ServiceError};
use super::{Caller, Engine, Visibility};
use crate::model::{Id, Identity, Participant, Profile, Programme, Role};

/// Who may register and keep participants: a coach (their own caseload) and an admin.
const KEEPERS: &[Role] = &[Role::Admin, Role::Coach];

impl Engine {
    /// Registers a participant: a coach's lands on their own caseload; an admin may name the
    /// coach (`coach_id`) or leave the caseload open.
    pub async fn create_participant(
        &self,
        caller: &Caller,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
        visibility: Visibility,
    ) -> Result<Participant> {
        caller.require(KEEPERS)?;
        let coach_id = match caller.role() {
            Role::Coach => caller.user_id(),
            _ => coach_id,
        };
        self.require_coach(coach_id).await?;
        let created = self
            .store
            .create_participant(identity, profile, coach_id)
            .await?;
        // The answer shows the person: a read like any other.
        self.store
            .log_reads(&caller.reads([created.id], "participant.create"))
            .await?;
        self.after_write(visibility).await;
        Ok(created)
    }

    /// `coach_id` names a coach, when it names anyone.
    async fn require_coach(&self, coach_id: Option<Id>) -> Result<()> {
        let Some(id) = coach_id else {
            return Ok(());
        };
        match self.store.user(id).await? {
            Some(user) if user.role == Role::Coach => Ok(()),
            _ => Err(super::InputError::new(
                super::Code::UnknownCoach,
                "coach_id",
                format!("coach_id {id} is not a coach; create one with `jobmatch token create --role coach`"),
            )
            .into()),
        }
    }

    /// Checks that the caller keeps this participant: 403 for a role that never does, 404 when
    /// it is not theirs or does not exist.
    pub(super) async fn require_keeper(&self, caller: &Caller, id: Id) -> Result<()> {
        caller.require(KEEPERS)?;
        let coach = self.store.participant_coach(id).await?;
        caller.visible(
            coach.is_some_and(|coach_id| caller.owns_participant(coach_id)),
            "participant",
            id,
        )
    }

    /// The matchable profile of a participant the caller keeps, read for `use_case` and logged
    /// as such: what suggestions and gaps start from.
    pub(super) async fn kept_profile(
        &self,
        caller: &Caller,
        id: Id,
        use_case: &str,
    ) -> Result<crate::model::Profile> {
        self.require_keeper(caller, id).await?;
        let profile = self
            .store
            .participant_profile(id)
            .await?
            .ok_or(ServiceError::not_found("participant", id))?;
        self.store.log_reads(&caller.reads([id], use_case)).await?;
        Ok(profile)
    }

    /// Reads a participant for `caller`; the read is logged before anything is returned.
    pub async fn participant(&self, caller: &Caller, id: Id) -> Result<Participant> {
        self.require_keeper(caller, id).await?;
        let p = self
            .store
            .participant(id)
            .await?
            .ok_or(ServiceError::not_found("participant", id))?;
        self.store
            .log_reads(&caller.reads([id], "participant.read"))
            .await?;
        Ok(p)
    }

    /// The caller's caseload (everyone for an admin), in id order, each with the programme
    /// facts in force: what a coach opens the day with. Every participant listed is a logged
    /// read.
    pub async fn caseload(&self, caller: &Caller) -> Result<Vec<(Participant, Option<Programme>)>> {
        caller.require(&[Role::Admin, Role::Coach])?;
        let coach = (caller.role() == Role::Coach)
            .then(|| caller.user_id())
            .flatten();
        let ids = self.store.caseload(coach).await?;
        let (facts, _) = self.facts_in_reach(caller).await?;
        let mut facts: std::collections::HashMap<Id, Programme> = facts.into_iter().collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            // One gone between the two reads is left out, not an error.
            if let Some(p) = self.store.participant(id).await? {
                out.push((p, facts.remove(&id)));
            }
        }
        self.store
            .log_reads(&caller.reads(out.iter().map(|(p, _)| p.id), "participant.caseload"))
            .await?;
        Ok(out)
    }

    /// A participant's matchable profile without identity: for matchers (any participant)
    /// and for whoever keeps the participant. Logged like every read.
    pub async fn participant_profile(&self, caller: &Caller, id: Id) -> Result<Profile> {
        caller.require(&[Role::Admin, Role::Coach, Role::Matcher])?;
        if caller.role() == Role::Coach {
            self.require_keeper(caller, id).await?;
        }
        let profile = self
            .store
            .participant_profile(id)
            .await?
            .ok_or(ServiceError::not_found("participant", id))?;
        self.store
            .log_reads(&caller.reads([id], "participant.profile"))
            .await?;
        Ok(profile)
    }

    /// Replaces identity and profile; an admin may also move the participant to another coach.
    pub async fn update_participant(
        &self,
        caller: &Caller,
        id: Id,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
        visibility: Visibility,
    ) -> Result<Participant> {
        self.require_keeper(caller, id).await?;
        let coach_id = coach_id.filter(|_| caller.role() == Role::Admin);
        self.require_coach(coach_id).await?;
        let updated = self
            .store
            .update_participant(id, identity, profile, coach_id)
            .await?
            .ok_or(ServiceError::not_found("participant", id))?;
        self.store
            .log_reads(&caller.reads([id], "participant.update"))
            .await?;
        self.after_write(visibility).await;
        Ok(updated)
    }

    /// Deletes a participant; with `erase`, also makes sure no copy is left in the database's
    /// files. Either way the projection forgets them before this returns.
    pub async fn delete_participant(&self, caller: &Caller, id: Id, erase: bool) -> Result<()> {
        self.require_keeper(caller, id).await?;
        let deleted = if erase {
            self.store.erase_participant(id).await?
        } else {
            self.store.delete_participant(id).await?
        };
        if !deleted {
            return Err(ServiceError::not_found("participant", id));
        }
        // A removed person must be gone from matching before the answer says so.
        self.after_write(Visibility::Searchable).await;
        Ok(())
    }
}

impl Engine {
    /// One page of the access log, of one participant or of all: an admin's audit.
    pub async fn audit(
        &self,
        caller: &Caller,
        participant_id: Option<Id>,
        page: usize,
        per_page: usize,
    ) -> Result<Vec<crate::store::AccessRecord>> {
        caller.require(&[Role::Admin])?;
        let offset = (page.saturating_sub(1)).saturating_mul(per_page);
        Ok(self
            .store
            .access_log(
                participant_id,
                i64::try_from(offset).unwrap_or(i64::MAX),
                i64::try_from(per_page).unwrap_or(i64::MAX),
            )
            .await?)
    }
}
