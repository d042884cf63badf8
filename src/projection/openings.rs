//! The open openings, column by column under dense ordinals: what the match path scans.
//!
//! An opening's ordinal is its row in every column. Removing one moves the last row into its
//! place, so the columns stay dense and a scan never meets a hole; the id map and the posting
//! lists are only touched by writes, never by a ranking.

use rustc_hash::FxHashMap;

use crate::model::{Id, OpeningKind};
use crate::rank::{Key, OpeningFeatures, Unit, unit};

/// Open openings in columns, with a posting list per skill.
#[derive(Clone, Debug, Default)]
pub struct OpeningTable {
    features: Vec<OpeningFeatures>,
    units: Vec<Option<Unit>>,
    kinds: Vec<OpeningKind>,
    ordinals: FxHashMap<Id, u32>,
    /// By skill key: the ordinals of the openings that list it, must-have or merit, unordered.
    postings: Vec<Vec<u32>>,
    /// How many open openings there are of each kind, so counting never scans.
    counts: [usize; 2],
}

fn kind_slot(kind: OpeningKind) -> usize {
    match kind {
        OpeningKind::Vacancy => 0,
        OpeningKind::Internship => 1,
    }
}

/// The skill keys an opening lists, must-have and merit together, each once.
fn skills_of(f: &OpeningFeatures) -> Vec<Key> {
    let mut keys: Vec<Key> = f.must.iter().chain(&f.merit).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

impl OpeningTable {
    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// How many open openings there are, of one kind or of any.
    pub fn count(&self, kind: Option<OpeningKind>) -> usize {
        match kind {
            None => self.features.len(),
            Some(k) => self.counts[kind_slot(k)],
        }
    }

    pub fn contains(&self, id: Id) -> bool {
        self.ordinals.contains_key(&id)
    }

    pub fn get(&self, id: Id) -> Option<&OpeningFeatures> {
        self.ordinals
            .get(&id)
            .map(|&at| &self.features[at as usize])
    }

    /// The ordinal of an opening, valid until the next write.
    pub fn ordinal(&self, id: Id) -> Option<u32> {
        self.ordinals.get(&id).copied()
    }

    pub fn features(&self) -> &[OpeningFeatures] {
        &self.features
    }

    pub fn units(&self) -> &[Option<Unit>] {
        &self.units
    }

    pub fn kinds(&self) -> &[OpeningKind] {
        &self.kinds
    }

    /// Adds an open opening, or replaces the one with its id.
    pub fn upsert(&mut self, features: OpeningFeatures, kind: OpeningKind) {
        let id = features.id;
        let at = match self.ordinals.get(&id) {
            Some(&at) => {
                self.unlist(at);
                self.counts[kind_slot(self.kinds[at as usize])] -= 1;
                let i = at as usize;
                self.units[i] = features.location.map(unit);
                self.kinds[i] = kind;
                self.features[i] = features;
                at
            }
            None => {
                let at = u32::try_from(self.features.len()).expect("fewer than 4 billion openings");
                self.units.push(features.location.map(unit));
                self.kinds.push(kind);
                self.features.push(features);
                self.ordinals.insert(id, at);
                at
            }
        };
        self.counts[kind_slot(kind)] += 1;
        self.list(at);
    }

    /// Removes an opening (closed or deleted); absent is fine.
    pub fn remove(&mut self, id: Id) {
        let Some(at) = self.ordinals.remove(&id) else {
            return;
        };
        self.unlist(at);
        let i = at as usize;
        self.counts[kind_slot(self.kinds[i])] -= 1;
        let last = (self.features.len() - 1) as u32;
        if at != last {
            // The last row moves into the hole: its postings and id follow it.
            let moved = self.features[last as usize].id;
            for key in skills_of(&self.features[last as usize]) {
                if let Some(slot) = self.postings[key as usize].iter_mut().find(|o| **o == last) {
                    *slot = at;
                }
            }
            self.ordinals.insert(moved, at);
        }
        self.features.swap_remove(i);
        self.units.swap_remove(i);
        self.kinds.swap_remove(i);
    }

    fn list(&mut self, at: u32) {
        for key in skills_of(&self.features[at as usize]) {
            let k = key as usize;
            if self.postings.len() <= k {
                self.postings.resize_with(k + 1, Vec::new);
            }
            self.postings[k].push(at);
        }
    }

    fn unlist(&mut self, at: u32) {
        for key in skills_of(&self.features[at as usize]) {
            if let Some(list) = self.postings.get_mut(key as usize)
                && let Some(j) = list.iter().position(|o| *o == at)
            {
                list.swap_remove(j);
            }
        }
    }

    /// Bit per ordinal: set for every opening that lists one of `skills`.
    pub fn touched_by(&self, skills: &[Key]) -> Vec<u64> {
        let mut bits = vec![0u64; self.features.len().div_ceil(64)];
        for &key in skills {
            for &at in self
                .postings
                .get(key as usize)
                .map_or(&[][..], Vec::as_slice)
            {
                bits[at as usize / 64] |= 1 << (at % 64);
            }
        }
        bits
    }

    /// The ordinals listed under a skill (tests and diagnostics).
    pub fn posting(&self, key: Key) -> &[u32] {
        self.postings.get(key as usize).map_or(&[], Vec::as_slice)
    }
}
