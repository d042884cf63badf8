//! The openings that matches and searches present, kept in memory between requests. A match
//! over 100k openings spent about a third of its time reading its twenty openings back from
//! SQLite (each row crosses the database's worker thread on its own): 0.45 of 1.5 ms.
//!
//! The outbox follower forgets an opening as it applies a change to it, and a read that ran
//! while a change was applied is not kept, so an opening is never presented older than the
//! projection that ranked it. Bounded: the openings a unit's caseloads keep meeting stay,
//! the rest are read again.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;

use lru::LruCache;
use parking_lot::Mutex;

use crate::model::{Id, Opening};

/// Openings kept: a few thousand presented openings of a day's matches and searches, about
/// 1 KB each.
pub(super) const PRESENTED_OPENINGS: NonZeroUsize = NonZeroUsize::new(10_000).unwrap();

pub(super) struct PresentedOpenings {
    inner: Mutex<Inner>,
}

struct Inner {
    /// Counts the changes forgotten: a read begun at an older count may hold a version the
    /// follower has forgotten since, and is not kept.
    changes: u64,
    openings: LruCache<Id, Opening>,
}

/// What a look-up found, and how to keep what the caller then reads.
pub(super) struct Lookup {
    pub found: BTreeMap<Id, Opening>,
    pub missing: Vec<Id>,
    changes: u64,
}

impl PresentedOpenings {
    pub(super) fn new(capacity: NonZeroUsize) -> Self {
        PresentedOpenings {
            inner: Mutex::new(Inner {
                changes: 0,
                openings: LruCache::new(capacity),
            }),
        }
    }

    /// The kept openings of `ids`, and the ids to read from the database.
    pub(super) fn lookup(&self, ids: &[Id]) -> Lookup {
        let mut inner = self.inner.lock();
        let mut found = BTreeMap::new();
        let mut missing = Vec::new();
        for &id in ids {
            match inner.openings.get(&id) {
                Some(o) => {
                    found.insert(id, o.clone());
                }
                None => missing.push(id),
            }
        }
        Lookup {
            found,
            missing,
            changes: inner.changes,
        }
    }

    /// Keeps openings read after `lookup`, unless a change was forgotten meanwhile: the read
    /// may then hold the version before it.
    pub(super) fn keep(&self, lookup: &Lookup, read: &[Opening]) {
        let mut inner = self.inner.lock();
        if inner.changes != lookup.changes {
            return;
        }
        for o in read {
            inner.openings.put(o.id, o.clone());
        }
    }

    /// Forgets openings a change was applied to.
    pub(super) fn forget(&self, ids: &[Id]) {
        let mut inner = self.inner.lock();
        inner.changes += 1;
        for id in ids {
            inner.openings.pop(id);
        }
    }

    /// Forgets every opening: the projection was computed anew.
    pub(super) fn forget_all(&self) {
        let mut inner = self.inner.lock();
        inner.changes += 1;
        inner.openings.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EmploymentForm, Hours, OpeningKind, OpeningStatus, Place};

    fn opening_titled(id: Id, title: &str) -> Opening {
        Opening {
            id,
            employer_id: 1,
            kind: OpeningKind::Vacancy,
            title: title.into(),
            description: String::new(),
            occupation: None,
            skills_required: Vec::new(),
            skills_merit: Vec::new(),
            swedish_min: None,
            swedish_required: false,
            licences: Vec::new(),
            workplace: Place {
                municipality_code: None,
                point: None,
            },
            places: 1,
            start_date: None,
            deadline: None,
            hours: Hours::Full,
            employment_form: EmploymentForm::Ordinary,
            supervisor: false,
            status: OpeningStatus::Open,
            source: None,
        }
    }

    fn cache(capacity: usize) -> PresentedOpenings {
        PresentedOpenings::new(NonZeroUsize::new(capacity).unwrap())
    }

    fn titles(found: &BTreeMap<Id, Opening>) -> Vec<(Id, String)> {
        found.iter().map(|(&id, o)| (id, o.title.clone())).collect()
    }

    #[test]
    fn kept_openings_are_found_and_the_rest_are_to_be_read() {
        let presented = cache(10);
        let first = presented.lookup(&[1, 2]);
        assert_eq!(first.missing, [1, 2]);
        presented.keep(&first, &[opening_titled(1, "Lagerarbetare")]);
        let second = presented.lookup(&[1, 2]);
        assert_eq!(titles(&second.found), [(1, "Lagerarbetare".to_owned())]);
        assert_eq!(second.missing, [2]);
    }

    #[test]
    fn a_read_that_ran_while_a_change_was_applied_is_not_kept() {
        let presented = cache(10);
        let before = presented.lookup(&[1]);
        // The follower applies a change to opening 1 while the old version is being read.
        presented.forget(&[1]);
        presented.keep(&before, &[opening_titled(1, "Old title")]);
        assert_eq!(presented.lookup(&[1]).missing, [1]);

        let after = presented.lookup(&[1]);
        presented.keep(&after, &[opening_titled(1, "New title")]);
        assert_eq!(
            titles(&presented.lookup(&[1]).found),
            [(1, "New title".to_owned())]
        );
        presented.forget(&[1]);
        assert_eq!(presented.lookup(&[1]).missing, [1], "forgotten on change");
    }

    #[test]
    fn the_least_recently_presented_go_first_and_all_go_when_everything_is_projected_anew() {
        let presented = cache(2);
        let lookup = presented.lookup(&[1, 2, 3]);
        presented.keep(&lookup, &[opening_titled(1, "a"), opening_titled(2, "b")]);
        presented.lookup(&[1]);
        let lookup = presented.lookup(&[3]);
        presented.keep(&lookup, &[opening_titled(3, "c")]);
        assert_eq!(presented.lookup(&[1, 2, 3]).missing, [2]);
        presented.forget_all();
        assert_eq!(presented.lookup(&[1, 3]).missing, [1, 3]);
    }
}
