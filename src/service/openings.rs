//! Employers and their openings: register, read, change, close, and search the open ones.
//!
//! Takes domain values already understood at the edge; checks what only the database knows
//! (the employer exists) and keeps the index in step after every write.

use std::collections::BTreeMap;

use super::error::{Code, InputError, Result, ServiceError};
use super::{Caller, Engine};
use crate::index::SearchQuery;
use crate::model::{Employer, Id, Opening, OpeningKind};

/// A search of open openings: words, filters and the page wanted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchRequest {
    pub text: Option<String>,
    pub kind: Option<OpeningKind>,
    /// A kommunkod or a municipality name.
    pub municipality: Option<String>,
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
    pub async fn create_employer(&self, _caller: &Caller, employer: &Employer) -> Result<Employer> {
        Ok(self
            .store
            .create_employer(
                &employer.name,
                employer.org_number.as_deref(),
                employer.municipality_code.as_deref(),
            )
            .await?)
    }

    pub async fn employer(&self, _caller: &Caller, id: Id) -> Result<Employer> {
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

    pub async fn create_opening(&self, _caller: &Caller, opening: &Opening) -> Result<Opening> {
        self.require_employer(opening.employer_id).await?;
        let created = self.store.create_opening(opening).await?;
        self.after_write().await;
        Ok(created)
    }

    pub async fn opening(&self, _caller: &Caller, id: Id) -> Result<Opening> {
        self.store
            .opening(id)
            .await?
            .ok_or(ServiceError::not_found("opening", id))
    }

    /// Replaces an opening's content; a missing opening answers before a missing employer.
    pub async fn update_opening(
        &self,
        caller: &Caller,
        id: Id,
        opening: &Opening,
    ) -> Result<Opening> {
        self.opening(caller, id).await?;
        self.require_employer(opening.employer_id).await?;
        let updated = self
            .store
            .update_opening(id, opening)
            .await?
            .ok_or(ServiceError::not_found("opening", id))?;
        self.after_write().await;
        Ok(updated)
    }

    pub async fn close_opening(&self, _caller: &Caller, id: Id) -> Result<Opening> {
        let closed = self
            .store
            .close_opening(id)
            .await?
            .ok_or(ServiceError::not_found("opening", id))?;
        self.after_write().await;
        Ok(closed)
    }

    /// The stored openings with these ids, by id, to hydrate hits and rankings.
    pub(super) async fn openings_by_id(&self, ids: &[Id]) -> Result<BTreeMap<Id, Opening>> {
        Ok(self
            .store
            .openings(ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect())
    }

    /// Full-text search of open openings with Swedish stemming.
    pub async fn search(&self, _caller: &Caller, request: SearchRequest) -> Result<SearchPage> {
        let municipality_code = match &request.municipality {
            Some(m) => Some(
                self.taxonomy
                    .lookup_municipality(m)
                    .map_err(|e| InputError::taxonomy("municipality", e))?
                    .code
                    .clone(),
            ),
            None => None,
        };
        let found = self.index.search(&SearchQuery {
            text: request.text.filter(|t| !t.trim().is_empty()),
            kind: request.kind,
            municipality_code,
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
