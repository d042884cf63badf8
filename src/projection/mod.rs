//! The projection of the database that matching reads, in memory: the open openings and the
//! participants, each a [`Table`] of features in columns with skill postings, and the
//! vocabulary of skill keys both share. Fed by the service's indexer from the
//! outbox; read by every ranking under a read lock.
//!
//! Owns turning stored objects into features ([`features`]), keeping the columns dense as
//! rows come and go, and answering "the top k openings for this participant" and "the top k
//! participants for this opening" through the core's pruned ranking. What it must not do: read the database, lock, or know about HTTP.

pub mod features;
mod table;

#[cfg(test)]
mod tests;

use crate::model::{Id, Opening, OpeningKind, OpeningStatus, Profile};
use crate::rank::{
    Context, OpeningColumns, OpeningFeatures, ParticipantColumns, ParticipantFeatures, RankOptions,
    Ranking, Request, Scan, Within, best_related_credit, rank_participants_pruned, rank_scanned,
    scan_openings, skill_credits, travel_limit,
};
use crate::taxonomy::Taxonomy;
pub use features::{Keys, TermLabel};
pub use table::{OpeningTable, ParticipantTable, Row, Table};

/// What [`Projection::prepare_openings`] found for one participant, valid while the
/// projection is not changed (the caller holds its read lock).
pub struct Prepared {
    kind: Option<OpeningKind>,
    /// Per opening, the weighted skill credit of its must-have and merit skills.
    hits: [Vec<f32>; 2],
    /// The openings that may be within reach, when the rest can be counted out unseen, and
    /// how many of `kind` the rest are.
    near: Option<(Vec<u32>, usize)>,
    /// The cheap pass over the openings within reach.
    scan: Scan,
}

/// What matching reads, derived from the database.
#[derive(Default)]
pub struct Projection {
    pub keys: Keys,
    openings: OpeningTable,
    participants: ParticipantTable,
    /// Each open opening's employer, for the track records that are shared by an employer.
    employer_of: rustc_hash::FxHashMap<Id, Id>,
    /// Each opening's track record, kept across upserts until it is set again.
    track_records: rustc_hash::FxHashMap<Id, f32>,
}

impl Projection {
    /// Applies an opening's current state: open openings are ranked, others are not.
    pub fn upsert_opening(&mut self, o: &Opening, taxonomy: &Taxonomy) {
        if o.status == OpeningStatus::Open {
            let mut f = features::opening_features(o, &mut self.keys, taxonomy);
            f.track_record = self.track_records.get(&o.id).copied();
            self.openings.upsert(f, o.kind, &self.keys.weights);
            self.employer_of.insert(o.id, o.employer_id);
        } else {
            self.remove_opening(o.id);
        }
    }

    pub fn remove_opening(&mut self, id: Id) {
        self.openings.remove(id);
        self.employer_of.remove(&id);
    }

    /// Sets an opening's track record (see `rank/category/track_record.rs`), now and for
    /// later upserts of it.
    pub fn set_track_record(&mut self, id: Id, record: f32) {
        self.track_records.insert(id, record);
        self.openings.amend(id, |f| f.track_record = Some(record));
    }

    /// The open openings with their employer and kind, of these employers (`None`: of all).
    pub fn openings_of(
        &self,
        employers: Option<&std::collections::BTreeSet<Id>>,
    ) -> Vec<(Id, Id, OpeningKind)> {
        self.employer_of
            .iter()
            .filter(|(_, e)| employers.is_none_or(|set| set.contains(e)))
            .filter_map(|(&o, &e)| {
                let at = self.openings.ordinal(o)?;
                Some((o, e, self.openings.tags()[at as usize]))
            })
            .collect()
    }

    pub fn upsert_participant(&mut self, id: Id, profile: &Profile, taxonomy: &Taxonomy) {
        let f = features::participant_features(id, profile, &mut self.keys, taxonomy);
        self.participants.upsert(f, (), &self.keys.weights);
    }

    pub fn remove_participant(&mut self, id: Id) {
        self.participants.remove(id);
    }

    /// Puts both tables' rows in grid-cell order ([`Table::arrange`]): after a bulk load.
    pub fn arrange(&mut self) {
        self.openings.arrange();
        self.participants.arrange();
    }

    pub fn openings(&self) -> &OpeningTable {
        &self.openings
    }

    pub fn participants(&self) -> &ParticipantTable {
        &self.participants
    }

    /// Features of an open opening.
    pub fn open_opening(&self, id: Id) -> Option<&OpeningFeatures> {
        self.openings.get(id)
    }

    /// How many open openings there are, of one kind or of any.
    pub fn open_count(&self, kind: Option<OpeningKind>) -> usize {
        self.openings.count(kind)
    }

    /// The top openings for a participant among every open one (of `kind`, when given), with
    /// `text` relevance by opening id (openings it does not name score 0 on text; `None`: the
    /// text category does not apply). Equal to the core's exhaustive ranking of them all.
    pub fn rank_openings(
        &self,
        participant: &ParticipantFeatures,
        kind: Option<OpeningKind>,
        text: Option<&[(Id, f32)]>,
        ctx: Context<'_>,
        options: RankOptions,
    ) -> Ranking {
        let prepared = self.prepare_openings(participant, kind, ctx, options);
        self.rank_prepared(participant, prepared, text, ctx, options)
    }

    /// What a ranking of openings needs besides the text: the participant's skill credit per
    /// opening from the postings, the openings within reach, and the cheap pass over them.
    /// Independent of the text, so a caller can find the text relevance meanwhile.
    pub fn prepare_openings(
        &self,
        participant: &ParticipantFeatures,
        kind: Option<OpeningKind>,
        ctx: Context<'_>,
        options: RankOptions,
    ) -> Prepared {
        let table = &self.openings;
        let curves = &ctx.profile.curves;
        let [must, merit] =
            table.weighted_hits(skill_credits(participant, curves), ctx.skill_weights);
        let eligible = self.eligible(kind);
        // Without a list of the excluded, openings in grid cells beyond the travel limit need
        // no look: they are counted as excluded.
        let near = participant
            .location
            .zip(travel_limit(participant, curves).map(|(km, _)| km))
            .filter(|_| !options.include_excluded)
            .and_then(|(home, km)| table.near(home, km))
            .map(|rows| {
                let inside = match &eligible {
                    None => rows.len(),
                    Some(e) => rows.iter().filter(|&&i| e(i as usize)).count(),
                };
                let outside = table.count(kind) - inside;
                (rows, outside)
            });
        let hits = [must.as_slice(), merit.as_slice()];
        let columns = self.opening_columns(eligible.as_ref().map(|e| e as _));
        let scan = scan_openings(participant, columns, hits, within(&near), ctx, options);
        Prepared {
            kind,
            hits: [must, merit],
            near,
            scan,
        }
    }

    /// [`rank_openings`](Self::rank_openings) from what [`prepare_openings`](Self::prepare_openings)
    /// found for the same participant, kind, context and options.
    pub fn rank_prepared(
        &self,
        participant: &ParticipantFeatures,
        prepared: Prepared,
        text: Option<&[(Id, f32)]>,
        ctx: Context<'_>,
        options: RankOptions,
    ) -> Ranking {
        let table = &self.openings;
        let text: Option<Vec<(u32, f32)>> = text.map(|hits| {
            let mut at: Vec<(u32, f32)> = hits
                .iter()
                .filter_map(|&(id, score)| table.ordinal(id).map(|o| (o, score)))
                .collect();
            at.sort_unstable_by_key(|t| t.0);
            at.dedup_by_key(|t| t.0);
            at
        });
        let eligible = self.eligible(prepared.kind);
        let request = Request {
            hits: [&prepared.hits[0], &prepared.hits[1]],
            text: text.as_deref(),
            within: within(&prepared.near),
        };
        let columns = self.opening_columns(eligible.as_ref().map(|e| e as _));
        rank_scanned(participant, columns, request, prepared.scan, ctx, options)
    }

    /// Whether the opening at an ordinal is of `kind`; `None` without a kind, when every
    /// opening is, so nothing needs to look.
    fn eligible(&self, kind: Option<OpeningKind>) -> Option<impl Fn(usize) -> bool + Sync + '_> {
        let kinds = self.openings.tags();
        kind.map(|want| move |i: usize| kinds[i] == want)
    }

    fn opening_columns<'a>(
        &'a self,
        eligible: Option<&'a (dyn Fn(usize) -> bool + Sync)>,
    ) -> OpeningColumns<'a> {
        let table = &self.openings;
        OpeningColumns {
            features: table.features(),
            facets: table.facets(),
            occupations: table.occupations(),
            licences: table.licences(),
            units: table.units(),
            eligible,
        }
    }

    /// The top participants for an opening among all of them; equal to the core's exhaustive
    /// ranking of them all.
    pub fn rank_participants(
        &self,
        opening: &OpeningFeatures,
        ctx: Context<'_>,
        options: RankOptions,
    ) -> Ranking {
        let table = &self.participants;
        let n = table.len();
        let related = best_related_credit(&ctx.profile.curves);
        // Held skills (list 0) earn full credit, related ones (list 1) at most `related`.
        let mut hits = [vec![0.0f32; n], vec![0.0f32; n]];
        for (sums, wanted) in hits.iter_mut().zip([&opening.must, &opening.merit]) {
            for &key in wanted {
                let w = ctx.skill_weights.get(key);
                if w <= 0.0 {
                    continue;
                }
                for (list, credit) in [(0, w), (1, w * related)] {
                    for &at in table.posting(list, key) {
                        sums[at as usize] += credit;
                    }
                }
            }
        }
        // Without a list of the excluded, participants in grid cells beyond the longest travel
        // limit need no look: they are counted as excluded.
        let default = ctx.profile.curves.default_travel_km.map(f64::from);
        let longest = table
            .travel_limits()
            .iter()
            .try_fold(0.0f64, |longest, own| {
                own.or(default).map(|km| longest.max(km))
            })
            .filter(|_| !options.include_excluded && !table.travel_limits_overflowed());
        let near = opening
            .location
            .zip(longest)
            .and_then(|(workplace, km)| table.near(workplace, km));
        let columns = ParticipantColumns {
            within: near.as_deref().map(|rows| Within {
                rows,
                eligible_outside: n - rows.len(),
            }),
            features: table.features(),
            facets: table.facets(),
            occupation_sets: table.occupation_sets(),
            travel_limits: table.travel_limits(),
            licences: table.licences(),
            units: table.units(),
            hits: [&hits[0], &hits[1]],
        };
        rank_participants_pruned(opening, columns, ctx, options)
    }
}

/// The openings near a participant as the pruned ranking takes them.
fn within(near: &Option<(Vec<u32>, usize)>) -> Option<Within<'_>> {
    near.as_ref().map(|(rows, outside)| Within {
        rows,
        eligible_outside: *outside,
    })
}
