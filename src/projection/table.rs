//! Rows of features column by column under dense ordinals: what a ranking scans. The open
//! openings are one table (tagged with their kind), the participants another.
//!
//! A row's ordinal is its place in every column. Removing one moves the last row into its
//! place, so the columns stay dense and a scan never meets a hole; the id map and the posting
//! lists are only touched by writes, never by a ranking.

use std::hash::Hash;

use rustc_hash::FxHashMap;

use crate::model::{EARTH_RADIUS_KM, GeoPoint, Id, OpeningKind, SsykCode};
use crate::rank::{
    Facet, Key, OccupationSet, OpeningFeatures, ParticipantFacet, ParticipantFeatures,
    SkillWeights, Unit, unit,
};

/// What a table needs of its rows.
pub trait Row: Clone {
    /// The compact facts a ranking's cheap pass reads of the row, kept as their own column.
    type Facet: Copy;
    fn id(&self) -> Id;
    /// The facet, interning what it points to in `slots`.
    fn facet(&self, slots: &mut Slots, weights: &SkillWeights) -> Self::Facet;
    /// The skill keys the row lists or holds, in two lists (an opening's must-have and merit
    /// skills; a participant's skills and related skills), each sorted: what its posting lists
    /// are of. Read by writes only.
    fn skill_lists(&self) -> [Vec<Key>; 2];
    fn location(&self) -> Option<GeoPoint>;
}

impl Row for OpeningFeatures {
    type Facet = Facet;

    fn id(&self) -> Id {
        self.id
    }

    fn facet(&self, slots: &mut Slots, weights: &SkillWeights) -> Facet {
        let occupation = self.occupation.map_or(0, |c| slots.occupation(c));
        let licences = self
            .licences
            .iter()
            .fold(0, |mask, &k| mask | slots.licence_bit(k));
        Facet::of(self, occupation, licences, weights)
    }

    fn skill_lists(&self) -> [Vec<Key>; 2] {
        [self.must.clone(), self.merit.clone()]
    }

    fn location(&self) -> Option<GeoPoint> {
        self.location
    }
}

impl Row for ParticipantFeatures {
    type Facet = ParticipantFacet;

    fn id(&self) -> Id {
        self.id
    }

    fn facet(&self, slots: &mut Slots, _: &SkillWeights) -> ParticipantFacet {
        let licences = self
            .licences
            .iter()
            .fold(0, |mask, &k| mask | slots.licence_bit(k));
        let occupations = slots.occupation_set(OccupationSet {
            occupations: self.occupations.iter().map(|&(c, _)| (c, 0.0)).collect(),
            related: self.related_occupations.clone(),
        });
        ParticipantFacet::of(
            self,
            occupations,
            slots.travel_limit(self.max_travel_km),
            licences,
        )
    }

    fn skill_lists(&self) -> [Vec<Key>; 2] {
        let related = self.related_skills.iter().map(|r| r.to).collect();
        [self.skills.clone(), related]
    }

    fn location(&self) -> Option<GeoPoint> {
        self.location
    }
}

/// What facets point into, each once; it only grows. Occupation groups (a few hundred) by
/// index, and the first licences met (the taxonomy has a handful) by bit of a mask; for
/// participants, their sets of occupation groups (people share them: one or two groups from a
/// few hundred) and their own travel limits (a few round numbers) by index.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    occupations: Vec<SsykCode>,
    occupation_slots: FxHashMap<SsykCode, u16>,
    licences: Vec<Key>,
    occupation_sets: Vec<OccupationSet>,
    occupation_set_slots: FxHashMap<OccupationSetKey, u32>,
    travel_limits: Vec<Option<f64>>,
    travel_limit_slots: FxHashMap<Option<u64>, u16>,
    /// Some participant's travel limit has no slot of its own.
    travel_limits_overflowed: bool,
}

/// An occupation set as a hash key: the groups, and each related group with the bits of its
/// similarity.
type OccupationSetKey = (Vec<SsykCode>, Vec<(SsykCode, SsykCode, u32)>);

impl Slots {
    fn occupation(&mut self, code: SsykCode) -> u16 {
        *self.occupation_slots.entry(code).or_insert_with(|| {
            self.occupations.push(code);
            u16::try_from(self.occupations.len() - 1).expect("fewer SSYK groups than u16")
        })
    }

    fn occupation_set(&mut self, set: OccupationSet) -> u32 {
        let key = (
            set.occupations.iter().map(|&(c, _)| c).collect(),
            set.related
                .iter()
                .map(|r| (r.to, r.via, r.similarity.to_bits()))
                .collect(),
        );
        *self.occupation_set_slots.entry(key).or_insert_with(|| {
            self.occupation_sets.push(set);
            u32::try_from(self.occupation_sets.len() - 1).expect("fewer than 4 billion sets")
        })
    }

    /// The slot of a participant's own travel limit. Past 65,535 distinct limits it is
    /// `u16::MAX`, which has no slot: a ranking then reads the limit from the features.
    fn travel_limit(&mut self, km: Option<f64>) -> u16 {
        let key = km.map(f64::to_bits);
        if let Some(&at) = self.travel_limit_slots.get(&key) {
            return at;
        }
        match u16::try_from(self.travel_limits.len()) {
            Ok(at) if at < u16::MAX => {
                self.travel_limits.push(km);
                self.travel_limit_slots.insert(key, at);
                at
            }
            _ => {
                self.travel_limits_overflowed = true;
                u16::MAX
            }
        }
    }

    /// The licence's bit, or [`Facet::OTHER_LICENCE`] once every other bit is taken.
    fn licence_bit(&mut self, key: Key) -> u16 {
        let at = match self.licences.iter().position(|&k| k == key) {
            Some(at) => at,
            None if self.licences.len() < Facet::LICENCE_BITS => {
                self.licences.push(key);
                self.licences.len() - 1
            }
            None => return Facet::OTHER_LICENCE,
        };
        1 << at
    }
}

/// Side of a cell of the location grid, in degrees: about 11 km north to south, so the
/// cells meeting a travel limit's box of tens of km hold little beyond its circle (100k
/// openings, the suite's 200 participants: 87 % of the rows they scan are within reach,
/// against 69 % with cells of half a degree).
const CELL_DEG: f64 = 0.1;

/// A cell of the location grid: latitude and longitude divided by [`CELL_DEG`], rounded down.
type Cell = (i32, i32);

pub(super) fn cell_of(point: Option<GeoPoint>) -> Option<Cell> {
    point.map(|p| (cell_index(p.lat), cell_index(p.lon)))
}

/// The index of the cells' row (of a latitude) or column (of a longitude).
fn cell_index(degrees: f64) -> i32 {
    (degrees / CELL_DEG).floor() as i32
}

/// Rows in columns, each with a tag (an opening's kind), a posting list per skill and one
/// per cell of the location grid.
#[derive(Clone)]
pub struct Table<R: Row, T> {
    features: Vec<R>,
    facets: Vec<R::Facet>,
    slots: Slots,
    units: Vec<Option<Unit>>,
    tags: Vec<T>,
    ordinals: FxHashMap<Id, u32>,
    /// Per skill list, by skill key: the ordinals of the rows that list it, unordered.
    postings: [Vec<Vec<u32>>; 2],
    /// By grid cell, the ordinals of the rows located in it, unordered; `None`: no location.
    cells: FxHashMap<Option<Cell>, Vec<u32>>,
    /// How many rows carry each tag, so counting never scans.
    counts: FxHashMap<T, usize>,
}

/// The open openings, tagged with their kind.
pub type OpeningTable = Table<OpeningFeatures, OpeningKind>;

/// Every participant.
pub type ParticipantTable = Table<ParticipantFeatures, ()>;

impl<R: Row, T> Default for Table<R, T> {
    fn default() -> Self {
        Table {
            features: Vec::new(),
            facets: Vec::new(),
            slots: Slots::default(),
            units: Vec::new(),
            tags: Vec::new(),
            ordinals: FxHashMap::default(),
            postings: [Vec::new(), Vec::new()],
            cells: FxHashMap::default(),
            counts: FxHashMap::default(),
        }
    }
}

impl<R: Row, T: Copy + Eq + Hash> Table<R, T> {
    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// How many rows there are, with one tag or with any.
    pub fn count(&self, tag: Option<T>) -> usize {
        match tag {
            None => self.features.len(),
            Some(t) => self.counts.get(&t).copied().unwrap_or(0),
        }
    }

    pub fn get(&self, id: Id) -> Option<&R> {
        self.ordinals
            .get(&id)
            .map(|&at| &self.features[at as usize])
    }

    /// The ordinal of an opening, valid until the next write.
    pub fn ordinal(&self, id: Id) -> Option<u32> {
        self.ordinals.get(&id).copied()
    }

    pub fn features(&self) -> &[R] {
        &self.features
    }

    pub fn facets(&self) -> &[R::Facet] {
        &self.facets
    }

    /// The occupation groups the facets point into.
    pub fn occupations(&self) -> &[SsykCode] {
        &self.slots.occupations
    }

    /// The licences of the facets' licence bits, bit 0 first.
    pub fn licences(&self) -> &[Key] {
        &self.slots.licences
    }

    /// The participants' occupation sets the facets point into.
    pub fn occupation_sets(&self) -> &[OccupationSet] {
        &self.slots.occupation_sets
    }

    /// The participants' own travel limits the facets point into.
    pub fn travel_limits(&self) -> &[Option<f64>] {
        &self.slots.travel_limits
    }

    /// Whether some participant's own travel limit is not among [`Self::travel_limits`].
    pub fn travel_limits_overflowed(&self) -> bool {
        self.slots.travel_limits_overflowed
    }

    pub fn units(&self) -> &[Option<Unit>] {
        &self.units
    }

    pub fn tags(&self) -> &[T] {
        &self.tags
    }

    /// Adds a row, or replaces the one with its id.
    /// `weights` are the skills' weights, read into the facet.
    pub fn upsert(&mut self, features: R, tag: T, weights: &SkillWeights) {
        let id = features.id();
        let at = match self.ordinals.get(&id) {
            Some(&at) => {
                self.unlist(at);
                self.uncount(self.tags[at as usize]);
                let i = at as usize;
                self.units[i] = features.location().map(unit);
                self.facets[i] = features.facet(&mut self.slots, weights);
                self.tags[i] = tag;
                self.features[i] = features;
                at
            }
            None => {
                let at = u32::try_from(self.features.len()).expect("fewer than 4 billion rows");
                self.units.push(features.location().map(unit));
                self.facets.push(features.facet(&mut self.slots, weights));
                self.tags.push(tag);
                self.features.push(features);
                self.ordinals.insert(id, at);
                at
            }
        };
        *self.counts.entry(tag).or_default() += 1;
        self.list(at);
    }

    /// Changes a row's features in place; only for fields no facet, posting list or cell
    /// reads (an opening's track record). `false` when there is no such row.
    pub fn amend(&mut self, id: Id, change: impl FnOnce(&mut R)) -> bool {
        match self.ordinals.get(&id) {
            Some(&at) => {
                change(&mut self.features[at as usize]);
                true
            }
            None => false,
        }
    }

    fn uncount(&mut self, tag: T) {
        if let Some(n) = self.counts.get_mut(&tag) {
            *n -= 1;
        }
    }

    /// Removes a row; absent is fine.
    pub fn remove(&mut self, id: Id) {
        let Some(at) = self.ordinals.remove(&id) else {
            return;
        };
        self.unlist(at);
        let i = at as usize;
        self.uncount(self.tags[i]);
        let last = (self.features.len() - 1) as u32;
        if at != last {
            // The last row moves into the hole: its postings and id follow it.
            let moved = self.features[last as usize].id();
            let [a, b] = self.features[last as usize].skill_lists();
            for (list, keys) in [(0, a), (1, b)] {
                for key in keys {
                    let posting = &mut self.postings[list][key as usize];
                    if let Some(slot) = posting.iter_mut().find(|o| **o == last) {
                        *slot = at;
                    }
                }
            }
            let cell = cell_of(self.features[last as usize].location());
            if let Some(slot) = self
                .cells
                .get_mut(&cell)
                .and_then(|c| c.iter_mut().find(|o| **o == last))
            {
                *slot = at;
            }
            self.ordinals.insert(moved, at);
        }
        self.features.swap_remove(i);
        self.units.swap_remove(i);
        self.facets.swap_remove(i);
        self.tags.swap_remove(i);
    }

    /// Puts the rows in the order of their grid cells, south to north and then west to east,
    /// those without a location last: a travel limit's box is then a few runs of neighbouring
    /// rows instead of rows strewn over the columns, so a ranking's scan reads memory in order
    /// rather than a cache line per row. Rows written later are appended (or fill a removed
    /// row's place), so the order holds for the rows present now; a ranking is the same in
    /// any order.
    pub fn arrange(&mut self) {
        let n = self.features.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by_cached_key(|&at| {
            let cell = cell_of(self.features[at as usize].location());
            (cell.is_none(), cell)
        });
        // Where each row goes.
        let mut to = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            to[old as usize] = new as u32;
        }
        let renumber = |at: &mut u32| *at = to[*at as usize];
        self.ordinals.values_mut().for_each(renumber);
        self.postings
            .iter_mut()
            .flatten()
            .chain(self.cells.values_mut())
            .flatten()
            .for_each(renumber);
        // In place, a swap at a time: each puts one row where it belongs.
        for i in 0..n {
            loop {
                let j = to[i] as usize;
                if j == i {
                    break;
                }
                self.features.swap(i, j);
                self.facets.swap(i, j);
                self.units.swap(i, j);
                self.tags.swap(i, j);
                to.swap(i, j);
            }
        }
    }

    fn list(&mut self, at: u32) {
        let cell = cell_of(self.features[at as usize].location());
        self.cells.entry(cell).or_default().push(at);
        let [a, b] = self.features[at as usize].skill_lists();
        for (list, keys) in [(0, a), (1, b)] {
            for key in keys {
                let postings = &mut self.postings[list];
                let k = key as usize;
                if postings.len() <= k {
                    postings.resize_with(k + 1, Vec::new);
                }
                postings[k].push(at);
            }
        }
    }

    fn unlist(&mut self, at: u32) {
        let cell = cell_of(self.features[at as usize].location());
        if let Some(rows) = self.cells.get_mut(&cell)
            && let Some(j) = rows.iter().position(|o| *o == at)
        {
            rows.swap_remove(j);
            if rows.is_empty() {
                self.cells.remove(&cell);
            }
        }
        let [a, b] = self.features[at as usize].skill_lists();
        for (list, keys) in [(0, a), (1, b)] {
            for key in keys {
                if let Some(posting) = self.postings[list].get_mut(key as usize)
                    && let Some(j) = posting.iter().position(|o| *o == at)
                {
                    posting.swap_remove(j);
                }
            }
        }
    }

    /// The ordinals listed under a skill in one list (0 or 1), unordered.
    pub fn posting(&self, list: usize, key: Key) -> &[u32] {
        self.postings[list]
            .get(key as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// Per row and list, the summed weights of the row's keys that are among `skills`, each
    /// times its credit: for an opening, the weighted must-have and merit skills a participant
    /// holds (credit 1) or holds a related skill of (its partial credit).
    pub fn weighted_hits(
        &self,
        skills: impl IntoIterator<Item = (Key, f32)>,
        weights: &SkillWeights,
    ) -> [Vec<f32>; 2] {
        let n = self.features.len();
        let mut sums = [vec![0.0f32; n], vec![0.0f32; n]];
        for (key, credit) in skills {
            let w = weights.get(key) * credit;
            if w <= 0.0 {
                continue;
            }
            for (list, sum) in sums.iter_mut().enumerate() {
                for &at in self.posting(list, key) {
                    sum[at as usize] += w;
                }
            }
        }
        sums
    }

    /// The rows that may be located within `km` of `centre`, and those without a location, in
    /// ascending order: every row of each grid cell that meets the box enclosing the circle, so
    /// some are farther. `None` when the box cannot be bounded (a limit that is not finite and
    /// positive, a centre that is not a point).
    pub fn near(&self, centre: GeoPoint, km: f64) -> Option<Vec<u32>> {
        if !(centre.is_valid() && km.is_finite() && km >= 0.0) {
            return None;
        }
        // The box of the circle, widened by a metre or so against rounding. Its longitude
        // half-width is asin(sin r / cos lat): the circle is widest north or south of its centre.
        let radius = km / EARTH_RADIUS_KM * (1.0 + 1e-9) + 1e-7;
        let margin = 1e-5;
        let lat = centre.lat.to_radians();
        let lats = (
            (lat - radius).to_degrees() - margin,
            (lat + radius).to_degrees() + margin,
        );
        let lons = (lats.0 > -90.0 && lats.1 < 90.0)
            .then(|| (radius.sin() / lat.cos()).min(1.0).asin().to_degrees() + margin)
            .map(|half| (centre.lon - half, centre.lon + half))
            .filter(|(west, east)| *west > -180.0 && *east < 180.0);
        let meets = |(cell_lat, cell_lon): Cell| {
            let (south, west) = (
                f64::from(cell_lat) * CELL_DEG,
                f64::from(cell_lon) * CELL_DEG,
            );
            south <= lats.1
                && south + CELL_DEG >= lats.0
                && lons.is_none_or(|(w, e)| west <= e && west + CELL_DEG >= w)
        };
        let mut bits = vec![0u64; self.features.len().div_ceil(64)];
        let mut take = |rows: &[u32]| {
            for &at in rows {
                bits[at as usize / 64] |= 1 << (at % 64);
            }
        };
        // The cells of the box are looked up one by one when they are fewer than the cells
        // there are (a cell more on each side against rounding; `meets` decides).
        // Bounded: with `lons` the box lies within ±90° and ±180°.
        let probes = lons.map(|(west, east)| {
            let lat_cells = cell_index(lats.0) - 1..=cell_index(lats.1) + 1;
            let lon_cells = cell_index(west) - 1..=cell_index(east) + 1;
            (lat_cells, lon_cells)
        });
        match probes.filter(|(a, o)| a.clone().count() * o.clone().count() < self.cells.len()) {
            Some((lat_cells, lon_cells)) => {
                for cell in lat_cells.flat_map(|a| lon_cells.clone().map(move |o| (a, o))) {
                    if meets(cell)
                        && let Some(rows) = self.cells.get(&Some(cell))
                    {
                        take(rows);
                    }
                }
                if let Some(rows) = self.cells.get(&None) {
                    take(rows);
                }
            }
            None => {
                for (cell, rows) in &self.cells {
                    if cell.is_none_or(meets) {
                        take(rows);
                    }
                }
            }
        }
        let mut rows = Vec::with_capacity(bits.iter().map(|w| w.count_ones() as usize).sum());
        for (w, &word) in bits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                rows.push((w * 64) as u32 + word.trailing_zeros());
                word &= word - 1;
            }
        }
        Some(rows)
    }
}
