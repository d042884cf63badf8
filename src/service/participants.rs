//! Participants: register, read (every read logged), change and delete.
//!
//! Identity and matchable profile arrive apart and are stored apart; only reads that return
//! identity go through [`Engine::participant`], which logs them before returning anything.

use super::error::{Result, ServiceError};
use super::{Caller, Engine};
use crate::model::{Id, Identity, Participant, Profile};

impl Engine {
    pub async fn create_participant(
        &self,
        _caller: &Caller,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<Participant> {
        let created = self.store.create_participant(identity, profile).await?;
        self.after_write().await;
        Ok(created)
    }

    /// Reads a participant for `caller`; the read is logged before anything is returned.
    pub async fn participant(&self, caller: &Caller, id: Id) -> Result<Participant> {
        let p = self
            .store
            .participant(id)
            .await?
            .ok_or(ServiceError::not_found("participant", id))?;
        self.store
            .log_participant_read(id, caller.actor(), "read")
            .await?;
        Ok(p)
    }

    pub async fn update_participant(
        &self,
        _caller: &Caller,
        id: Id,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<Participant> {
        let updated = self
            .store
            .update_participant(id, identity, profile)
            .await?
            .ok_or(ServiceError::not_found("participant", id))?;
        self.after_write().await;
        Ok(updated)
    }

    pub async fn delete_participant(&self, _caller: &Caller, id: Id) -> Result<()> {
        if !self.store.delete_participant(id).await? {
            return Err(ServiceError::not_found("participant", id));
        }
        self.after_write().await;
        Ok(())
    }
}
