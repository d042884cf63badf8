//! Employers and their openings: register, read, change, close, and search the open ones.
//!
//! Takes domain values already understood at the edge; checks what only the database knows
//! (the employer exists) and keeps the index in step after every write.

use std::collections::BTreeMap;

use super::error::{Code, InputError, Result, ServiceError, UserError};
use super::{Caller, Engine, Visibility};
use crate::index::SearchQuery;
use crate::model::{Employer, Id, Opening, OpeningKind, OpeningStatus, Role};

/// Who may post and change openings: staff for any employer, an employer's user for its own.
const PUBLISHERS: &[Role] = &[Role::Admin, Role::Matcher, Role::Employer];
/// The unit's own staff.
pub(super) const STAFF: &[Role] = &[Role::Admin, Role::Coach, Role::Matcher];

/// A search of open openings: words, filters and the page wanted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchRequest {
    pub text: Option<String>,
    pub kind: Option<OpeningKind>,
    /// A kommunkod or a municipality name.
    pub municipality: Option<String>,
    /// An SSYK code of any level (1 to 4 digits) or an occupation's name.
    pub occupation: Option<String>,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
}

/// One page of search hits, best first, each opening with its relevance.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchPage {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub hits: Vec<(Opening, f32)>,
}

impl Engine {
    pub async fn create_employer(&self, caller: &Caller, employer: &Employer) -> Result<Employer> {
        caller.require(&[Role::Admin, Role::Matcher])?;
        Ok(self
            .store
            .create_employer(
                &employer.name,
                employer.org_number.as_deref(),
                employer.municipality_code.as_deref(),
            )
            .await?)
    }

    /// An employer's record: staff see any, an employer's user only its own.
    pub async fn employer(&self, caller: &Caller, id: Id) -> Result<Employer> {
        caller.visible(
            caller.role() != Role::Employer || caller.owns_employer(id),
            "employer",
            id,
        )?;
        self.store
            .employer(id)
            .await?
            .ok_or(ServiceError::not_found("employer", id))
    }

    async fn require_employer(&self, id: Id) -> Result<()> {
        if self.store.employer(id).await?.is_none() {
            return Err(InputError::new(
                Code::UnknownEmployer,
                "employer_id",
                format!("employer_id {id} does not exist; create the employer first with POST /v1/employers"),
            )
            .into());
        }
        Ok(())
    }

    /// Posts an opening: staff for any employer, an employer's user for its own.
    pub async fn create_opening(
        &self,
        caller: &Caller,
        opening: &Opening,
        visibility: Visibility,
    ) -> Result<Opening> {
        caller.require(PUBLISHERS)?;
        require_posting_for(caller, opening.employer_id)?;
        self.require_employer(opening.employer_id).await?;
        let created = self.store.create_opening(opening).await?;
        self.after_write(visibility).await;
        Ok(created)
    }

    /// One opening: staff see any, an employer's user only its own.
    pub async fn opening(&self, caller: &Caller, id: Id) -> Result<Opening> {
        let opening = self
            .store
            .opening(id)
            .await?
            .ok_or(ServiceError::not_found("opening", id))?;
        caller.visible(
            caller.role() != Role::Employer || caller.owns_employer(opening.employer_id),
            "opening",
            id,
        )?;
        Ok(opening)
    }

    /// An opening the caller may change: 403 for a role that never does, 404 when it is
    /// another employer's or does not exist.
    async fn require_publisher(&self, caller: &Caller, id: Id) -> Result<Opening> {
        caller.require(PUBLISHERS)?;
        let opening = self.opening(caller, id).await?;
        caller.visible(caller.owns_employer(opening.employer_id), "opening", id)?;
        Ok(opening)
    }

    /// Replaces an opening's content; a missing opening answers before a missing employer.
    pub async fn update_opening(
        &self,
        caller: &Caller,
        id: Id,
        opening: &Opening,
        visibility: Visibility,
    ) -> Result<Opening> {
        let stored = self.require_publisher(caller, id).await?;
        require_posting_for(caller, opening.employer_id)?;
        self.require_employer(opening.employer_id).await?;
        // An imported opening stays linked to its ad: a re-import still finds it.
        let opening = Opening {
            source: stored.source,
            ..opening.clone()
        };
        let updated = self
            .store
            .update_opening(id, &opening)
            .await?
            .ok_or(ServiceError::not_found("opening", id))?;
        self.after_write(visibility).await;
        Ok(updated)
    }

    pub async fn close_opening(
        &self,
        caller: &Caller,
        id: Id,
        visibility: Visibility,
    ) -> Result<Opening> {
        self.require_publisher(caller, id).await?;
        let closed = self
            .store
            .close_opening(id)
            .await?
            .ok_or(ServiceError::not_found("opening", id))?;
        self.after_write(visibility).await;
        Ok(closed)
    }

    /// The stored openings with these ids, by id, to present (the results of a match or a
    /// search): those kept from earlier answers, the rest read and kept (see `presented`).
    pub(super) async fn openings_by_id(&self, ids: &[Id]) -> Result<BTreeMap<Id, Opening>> {
        let mut lookup = self.presented.lookup(ids);
        if !lookup.missing.is_empty() {
            let read = self.store.openings(&lookup.missing).await?;
            self.presented.keep(&lookup, &read);
            lookup.found.extend(read.into_iter().map(|o| (o.id, o)));
        }
        Ok(lookup.found)
    }

    /// An employer's openings, open and closed, newest first, each open one with how many
    /// participants pass its hard rules: for staff, and for the employer's own users (another
    /// employer's answers 404).
    pub async fn employer_openings(
        self: &std::sync::Arc<Self>,
        caller: &Caller,
        employer_id: Id,
    ) -> Result<Vec<(Opening, Option<usize>)>> {
        caller.visible(
            caller.role() != Role::Employer || caller.owns_employer(employer_id),
            "employer",
            employer_id,
        )?;
        self.store
            .employer(employer_id)
            .await?
            .ok_or(ServiceError::not_found("employer", employer_id))?;
        let openings = self.store.employer_openings(employer_id).await?;
        let open: Vec<Opening> = openings
            .iter()
            .filter(|o| o.status == OpeningStatus::Open)
            .cloned()
            .collect();
        let mut counts = self.suitable_counts(open).await?.into_iter();
        Ok(openings
            .into_iter()
            .map(|o| {
                let count = (o.status == OpeningStatus::Open)
                    .then(|| counts.next())
                    .flatten();
                (o, count)
            })
            .collect())
    }

    /// Full-text search of open openings with Swedish stemming.
    pub async fn search(&self, caller: &Caller, request: SearchRequest) -> Result<SearchPage> {
        caller.require(STAFF)?;
        let municipality_code = match &request.municipality {
            Some(m) => Some(
                self.taxonomy()
                    .lookup_municipality(m)
                    .map_err(|e| InputError::taxonomy("municipality", e))?
                    .code
                    .clone(),
            ),
            None => None,
        };
        let occupation_code = match request.occupation.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(group) if group.len() < 4 && group.bytes().all(|b| b.is_ascii_digit()) => {
                Some(group.to_string())
            }
            Some(o) => Some(
                self.taxonomy()
                    .occupation(o)
                    .map_err(|e| InputError::taxonomy("occupation", e))?
                    .code
                    .to_string(),
            ),
        };
        let found = self.index()?.search(&SearchQuery {
            text: request.text.filter(|t| !t.trim().is_empty()),
            kind: request.kind,
            municipality_code,
            occupation_code,
            offset: (request.page - 1) * request.per_page,
            limit: request.per_page,
        })?;
        let ids: Vec<Id> = found.hits.iter().map(|h| h.0).collect();
        let mut openings = self.openings_by_id(&ids).await?;
        Ok(SearchPage {
            total: found.total,
            page: request.page,
            per_page: request.per_page,
            hits: found
                .hits
                .iter()
                .filter_map(|(id, score)| openings.remove(id).map(|o| (o, *score)))
                .collect(),
        })
    }
}

/// A body may only post for an employer the caller may post for: staff for any, an employer's
/// user for its own (403 otherwise; the API already refuses an employer naming one).
fn require_posting_for(caller: &Caller, employer_id: Id) -> Result<()> {
    if caller.owns_employer(employer_id) {
        Ok(())
    } else {
        Err(UserError::Forbidden {
            role: caller.role(),
        }
        .into())
    }
}
