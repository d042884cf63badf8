//! Who is asking, and what they may do. Every use case receives a [`Caller`] and asks it here
//! before touching an object: a role that may never use a use case is refused
//! ([`UserError::Forbidden`], 403); an object outside the caller's reach (another coach's
//! participant, another employer's opening) is answered as if it did not exist
//! ([`UserError::NotFound`], 404), so its existence is not revealed.
//!
//! What this module must not do: authenticate (the API turns a token into a caller) or read
//! the store.

use super::error::{Result, ServiceError, UserError};
use crate::model::{Id, Role, User};
use crate::store::AccessEntry;

/// The signed-in user a request acts for, or the system itself (the command line, the demo
/// seed, a bench), which has an admin's rights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    user_id: Option<Id>,
    role: Role,
    employer_id: Option<Id>,
    label: String,
    /// What the request is for, as the access log records it (`GET /v1/participants/{id}`).
    purpose: Option<String>,
}

impl Caller {
    /// A process acting on its own behalf, named for the access log.
    pub fn system(name: &str) -> Self {
        Caller {
            user_id: None,
            role: Role::Admin,
            employer_id: None,
            label: format!("system:{name}"),
            purpose: None,
        }
    }

    pub fn user(user: &User) -> Self {
        Caller {
            user_id: Some(user.id),
            role: user.role,
            employer_id: user.employer_id,
            label: format!("user:{}", user.id),
            purpose: None,
        }
    }

    /// The same caller, acting for `purpose` (the matched route, never the raw path: a path
    /// or query can carry personal data).
    pub fn for_purpose(mut self, purpose: String) -> Self {
        self.purpose = Some(purpose);
        self
    }

    /// Access-log rows for reads of these participants by this caller, for `use_case` when the
    /// request named no purpose.
    pub fn reads(
        &self,
        participants: impl IntoIterator<Item = Id>,
        use_case: &str,
    ) -> Vec<AccessEntry> {
        let action = self.purpose.as_deref().unwrap_or(use_case);
        participants
            .into_iter()
            .map(|participant_id| AccessEntry {
                participant_id,
                user_id: self.user_id,
                role: self.role,
                actor: self.label.clone(),
                action: action.to_owned(),
            })
            .collect()
    }

    /// Access-log rows for a read that shows these participants' identity to someone who did
    /// not know it: an employer at the start of a placement.
    pub fn reveals(&self, participants: impl IntoIterator<Item = Id>) -> Vec<AccessEntry> {
        let mut entries = self.reads(participants, "placement");
        for e in &mut entries {
            e.action.push_str(" (identity revealed)");
        }
        entries
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The user behind the request; `None` for the system.
    pub fn user_id(&self) -> Option<Id> {
        self.user_id
    }

    /// The employer an employer's user acts for.
    pub fn employer_id(&self) -> Option<Id> {
        self.employer_id
    }

    /// How the caller appears in the access log: ids only, never personal data.
    pub fn actor(&self) -> &str {
        &self.label
    }

    /// Refuses a role that may never use this use case.
    pub fn require(&self, allowed: &[Role]) -> Result<()> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(UserError::Forbidden { role: self.role }.into())
        }
    }

    /// Whether the caller may see this participant's identity and full profile: an admin, or
    /// the coach whose caseload it is on.
    pub fn owns_participant(&self, coach_id: Option<Id>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Coach => coach_id.is_some() && coach_id == self.user_id,
            Role::Matcher | Role::Employer => false,
        }
    }

    /// Whether the caller may change this employer's openings: staff may change any, an
    /// employer's user only its own.
    pub fn owns_employer(&self, employer_id: Id) -> bool {
        match self.role {
            Role::Admin | Role::Matcher => true,
            Role::Employer => self.employer_id == Some(employer_id),
            Role::Coach => false,
        }
    }

    /// `NotFound` unless `visible`: what a caller may not see, it is not told exists.
    pub fn visible(&self, visible: bool, entity: &'static str, id: Id) -> Result<()> {
        if visible {
            Ok(())
        } else {
            Err(ServiceError::not_found(entity, id))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: Id, role: Role, employer_id: Option<Id>) -> Caller {
        Caller::user(&User {
            id,
            role,
            name: format!("u{id}"),
            employer_id,
        })
    }

    #[test]
    fn a_coach_owns_their_caseload_only() {
        let coach = user(7, Role::Coach, None);
        assert!(coach.owns_participant(Some(7)));
        assert!(!coach.owns_participant(Some(8)));
        assert!(!coach.owns_participant(None));
        assert!(user(1, Role::Admin, None).owns_participant(Some(8)));
        assert!(!user(2, Role::Matcher, None).owns_participant(Some(2)));
        assert!(!user(3, Role::Employer, Some(3)).owns_participant(Some(3)));
    }

    #[test]
    fn an_employer_owns_its_own_openings_only() {
        let employer = user(5, Role::Employer, Some(40));
        assert!(employer.owns_employer(40));
        assert!(!employer.owns_employer(41));
        assert!(user(2, Role::Matcher, None).owns_employer(41));
        assert!(!user(7, Role::Coach, None).owns_employer(40));
    }

    #[test]
    fn a_role_outside_the_list_is_forbidden_and_the_actor_holds_ids_only() {
        let coach = user(7, Role::Coach, None);
        assert!(coach.require(&[Role::Coach, Role::Admin]).is_ok());
        assert!(matches!(
            coach.require(&[Role::Matcher]),
            Err(ServiceError::User(UserError::Forbidden {
                role: Role::Coach
            }))
        ));
        assert_eq!(coach.actor(), "user:7");
        assert_eq!(Caller::system("import").role(), Role::Admin);
    }
}
