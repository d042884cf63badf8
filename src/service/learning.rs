//! Learning from outcomes: each open opening's track record, from how the proposals to it and
//! to its employer have gone (see `rank/category/track_record.rs` for the smoothing), set on
//! the projection for the core to score when the weight profile gives the category weight.
//! Off by default: with weight 0 nothing here runs.
//!
//! What this module must not do: read the store (the indexer hands it the counts) or score.

use std::collections::{BTreeSet, HashMap};

use crate::model::{Id, OpeningKind};
use crate::projection::Projection;
use crate::rank::{Category, PlacementCounts, WeightProfile, track_record};
use crate::store::OpeningCounts;

/// Whether the profile learns from outcomes at all.
pub fn learns(profile: &WeightProfile) -> bool {
    profile.weights[Category::TrackRecord] > 0.0
}

fn counts_of(c: &OpeningCounts) -> PlacementCounts {
    let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
    PlacementCounts {
        proposed: n(c.proposed),
        started: n(c.started),
        internships_ended: n(c.internships_ended),
        internships_to_jobs: n(c.internships_to_jobs),
    }
}

/// Sets the track record of every open opening of these employers (`None`: of all) from the
/// counts of every opening that has had proposals.
pub fn apply_track_records(
    p: &mut Projection,
    counts: &[OpeningCounts],
    employers: Option<&BTreeSet<Id>>,
) {
    let mut all = PlacementCounts::default();
    let mut by_employer: HashMap<Id, PlacementCounts> = HashMap::new();
    let mut by_opening: HashMap<Id, PlacementCounts> = HashMap::new();
    for c in counts {
        let one = counts_of(c);
        all.add(&one);
        by_employer.entry(c.employer_id).or_default().add(&one);
        by_opening.insert(c.opening_id, one);
    }
    let none = PlacementCounts::default();
    for (opening, employer, kind) in p.openings_of(employers) {
        let record = track_record(
            by_opening.get(&opening).unwrap_or(&none),
            by_employer.get(&employer).unwrap_or(&none),
            &all,
            kind == OpeningKind::Internship,
        );
        p.set_track_record(opening, record);
    }
}
