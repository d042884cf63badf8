//! Allocation: places scarce openings among many participants at once, maximising the total
//! weighted match score, with each opening's free places and each participant's number of
//! proposals as capacities. Exact: a minimum-cost flow, solved by successive shortest paths
//! with Johnson potentials, one participant at a time as in the Hungarian method.
//!
//! Each participant may also stay without a proposal (an edge of cost 0 straight to the sink),
//! so a pair is chosen only when it adds to the total; a later participant can take a place
//! from an earlier one along an alternating path whenever that raises the total. Costs are
//! whole numbers (scores × weights in millionths), so the optimum is exact and the answer is
//! the same on every machine for the same input.
//!
//! Openings may also share a group capacity: an employer that takes only so many proposals a
//! month, whatever its openings' places. A group is a node between its openings and the sink,
//! so the optimum stays exact under both bounds.
//!
//! Pure: indices in, indices out. The caller decides which pairs are allowed (never an excluded
//! pair), prunes each participant's list and maps indices back to ids.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One participant's side: how many proposals they may get, and their priority weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seat {
    pub proposals: u32,
    /// The unit's priority policy for this participant: scores count this many times.
    pub weight: f64,
}

/// An allowed pair and its match score in [0, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub participant: u32,
    pub opening: u32,
    pub score: f32,
}

/// Capacities shared by several openings: `of[o]` names opening `o`'s group, if any, and
/// `room[g]` is the most pairs group `g`'s openings may take together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Groups {
    pub of: Vec<Option<u32>>,
    pub room: Vec<u32>,
}

/// What the solver chose.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Assignment {
    /// Chosen pairs as indices into the input's edges, ascending.
    pub edges: Vec<usize>,
    /// The total weighted score, in millionths.
    pub total: i64,
}

/// A pair's value in the objective: its score times the participant's weight, in millionths.
pub fn value(score: f32, weight: f64) -> i64 {
    (f64::from(score) * weight * 1e6).round() as i64
}

/// Chooses the pairs that maximise the total of [`value`], with at most `places[o]` pairs per
/// opening, at most `seats[p].proposals` per participant and each pair at most once. Pairs of
/// value 0 or less are never chosen; edges naming an index out of range are ignored.
pub fn allocate(seats: &[Seat], places: &[u32], edges: &[Edge]) -> Assignment {
    allocate_grouped(seats, places, &Groups::default(), edges)
}

/// [`allocate`], with at most `groups.room[g]` pairs over the openings of each group `g` as
/// well. An opening naming a group out of range, or beyond `groups.of`, has no group.
pub fn allocate_grouped(
    seats: &[Seat],
    places: &[u32],
    groups: &Groups,
    edges: &[Edge],
) -> Assignment {
    Solver::new(seats, places, groups, edges).solve()
}

const INF: i64 = i64::MAX / 4;

struct Solver<'a> {
    seats: &'a [Seat],
    places: &'a [u32],
    edges: &'a [Edge],
    /// Each opening's group, when it has one in range.
    group_of: Vec<Option<usize>>,
    /// Each group's room and how much of it is taken.
    room: &'a [u32],
    group_taken: Vec<u32>,
    /// Each group's openings.
    members: Vec<Vec<usize>>,
    /// Edge values, and each participant's usable edges (CSR: `out[start[p]..start[p + 1]]`).
    values: Vec<i64>,
    start: Vec<usize>,
    out: Vec<usize>,
    chosen: Vec<bool>,
    /// Per opening, the chosen edges into it.
    taken: Vec<Vec<usize>>,
    /// Node potentials: participants `0..P`, openings `P..P+O`, groups `P+O..P+O+G`, the
    /// sink last.
    potential: Vec<i64>,
    dist: Vec<i64>,
    /// How each participant or opening was reached from another: the edge.
    via: Vec<usize>,
    /// The node each node was reached from.
    from: Vec<usize>,
    /// The node the sink was last reached from: an opening with a free place, or a
    /// participant left without one.
    sink_from: usize,
    touched: Vec<usize>,
}

impl<'a> Solver<'a> {
    fn new(seats: &'a [Seat], places: &'a [u32], groups: &'a Groups, edges: &'a [Edge]) -> Self {
        let (np, no, ng) = (seats.len(), places.len(), groups.room.len());
        let group_of: Vec<Option<usize>> = (0..no)
            .map(|o| {
                groups
                    .of
                    .get(o)
                    .copied()
                    .flatten()
                    .map(|g| g as usize)
                    .filter(|&g| g < ng)
            })
            .collect();
        let mut members = vec![Vec::new(); ng];
        for (o, g) in group_of.iter().enumerate() {
            if let Some(g) = g {
                members[*g].push(o);
            }
        }
        let values: Vec<i64> = edges
            .iter()
            .map(|e| match seats.get(e.participant as usize) {
                Some(s) if (e.opening as usize) < no => value(e.score, s.weight),
                _ => 0,
            })
            .collect();
        let mut count = vec![0usize; np + 1];
        for (i, e) in edges.iter().enumerate() {
            if values[i] > 0 {
                count[e.participant as usize + 1] += 1;
            }
        }
        for p in 0..np {
            count[p + 1] += count[p];
        }
        let start = count.clone();
        let mut fill = count;
        let mut out = vec![0; start[np]];
        for (i, e) in edges.iter().enumerate() {
            if values[i] > 0 {
                let p = e.participant as usize;
                out[fill[p]] = i;
                fill[p] += 1;
            }
        }
        let nodes = np + no + ng + 1;
        Solver {
            seats,
            places,
            edges,
            group_of,
            room: &groups.room,
            group_taken: vec![0; ng],
            members,
            values,
            start,
            out,
            chosen: vec![false; edges.len()],
            taken: vec![Vec::new(); no],
            potential: vec![0; nodes],
            dist: vec![INF; nodes],
            via: vec![usize::MAX; nodes],
            from: vec![usize::MAX; nodes],
            sink_from: usize::MAX,
            touched: Vec::new(),
        }
    }

    fn sink(&self) -> usize {
        self.seats.len() + self.places.len() + self.room.len()
    }

    fn group_node(&self, g: usize) -> usize {
        self.seats.len() + self.places.len() + g
    }

    fn opening_node(&self, edge: usize) -> usize {
        self.seats.len() + self.edges[edge].opening as usize
    }

    fn solve(mut self) -> Assignment {
        for p in 0..self.seats.len() {
            // Reduced costs out of a participant seen for the first time must not be negative:
            // its potential is the highest its edges ask for.
            let sink = self.sink();
            let mut pot = self.potential[sink];
            for &e in &self.out[self.start[p]..self.start[p + 1]] {
                pot = pot.max(self.potential[self.opening_node(e)] + self.values[e]);
            }
            self.potential[p] = pot;
            for _ in 0..self.seats[p].proposals {
                if !self.augment(p) {
                    break;
                }
            }
        }
        let edges: Vec<usize> = (0..self.edges.len()).filter(|&e| self.chosen[e]).collect();
        let total = edges.iter().map(|&e| self.values[e]).sum();
        Assignment { edges, total }
    }

    /// One shortest path from participant `p` to the sink in the residual graph; applies it
    /// when it raises the total. Returns false when the cheapest way on is to stay unplaced.
    fn augment(&mut self, p: usize) -> bool {
        let sink = self.sink();
        let np = self.seats.len();
        let mut heap = BinaryHeap::new();
        self.set(p, 0, usize::MAX);
        heap.push(Reverse((0i64, p)));
        let mut settled = Vec::new();
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > self.dist[u] {
                continue;
            }
            settled.push(u);
            if u == sink {
                break;
            }
            let no = self.places.len();
            if u < np {
                // Staying unplaced costs 0; an edge not yet chosen costs its negated value.
                self.relax_sink(u, d + self.potential[u] - self.potential[sink], &mut heap);
                for i in self.start[u]..self.start[u + 1] {
                    let e = self.out[i];
                    if !self.chosen[e] {
                        let v = self.opening_node(e);
                        let nd = d - self.values[e] + self.potential[u] - self.potential[v];
                        self.relax(v, nd, e, u, &mut heap);
                    }
                }
            } else if u < np + no {
                let o = u - np;
                if (self.taken[o].len() as u64) < u64::from(self.places[o]) {
                    // A free place: to the sink, or through the opening's group.
                    let reduced = d + self.potential[u];
                    match self.group_of[o] {
                        None => self.relax_sink(u, reduced - self.potential[sink], &mut heap),
                        Some(g) => {
                            let v = self.group_node(g);
                            self.relax(v, reduced - self.potential[v], usize::MAX, u, &mut heap);
                        }
                    }
                }
                // Taking back a place: the participant who held it looks elsewhere.
                for k in 0..self.taken[o].len() {
                    let e = self.taken[o][k];
                    let v = self.edges[e].participant as usize;
                    let nd = d + self.values[e] + self.potential[u] - self.potential[v];
                    self.relax(v, nd, e, u, &mut heap);
                }
            } else {
                let g = u - np - no;
                if self.group_taken[g] < self.room[g] {
                    self.relax_sink(u, d + self.potential[u] - self.potential[sink], &mut heap);
                }
                // A group that is full passes its room on: one of its openings gives a pair up.
                for k in 0..self.members[g].len() {
                    let o = self.members[g][k];
                    if !self.taken[o].is_empty() {
                        let v = np + o;
                        let nd = d + self.potential[u] - self.potential[v];
                        self.relax(v, nd, usize::MAX, u, &mut heap);
                    }
                }
            }
        }
        let reached = self.dist[sink];
        // The path's real cost (reduced cost less the potentials at its ends): negative when
        // it raises the total.
        let placed = reached < INF && reached - self.potential[p] + self.potential[sink] < 0;
        if reached < INF {
            // Settled nodes move by their distance less the sink's; the rest stay, which is the
            // textbook update shifted by one constant, so reduced costs stay non-negative.
            for &u in &settled {
                self.potential[u] += self.dist[u] - reached;
            }
        }
        if placed {
            self.apply_path();
        }
        for &u in &self.touched {
            self.dist[u] = INF;
            self.via[u] = usize::MAX;
            self.from[u] = usize::MAX;
        }
        self.touched.clear();
        self.sink_from = usize::MAX;
        placed
    }

    fn relax(
        &mut self,
        node: usize,
        d: i64,
        via: usize,
        from: usize,
        heap: &mut BinaryHeap<Reverse<(i64, usize)>>,
    ) {
        if d < self.dist[node] {
            self.set(node, d, via);
            self.from[node] = from;
            heap.push(Reverse((d, node)));
        }
    }

    fn relax_sink(&mut self, from: usize, d: i64, heap: &mut BinaryHeap<Reverse<(i64, usize)>>) {
        let sink = self.sink();
        if d < self.dist[sink] {
            self.set(sink, d, usize::MAX);
            self.sink_from = from;
            heap.push(Reverse((d, sink)));
        }
    }

    fn set(&mut self, node: usize, d: i64, via: usize) {
        if self.dist[node] == INF {
            self.touched.push(node);
        }
        self.dist[node] = d;
        self.via[node] = via;
    }

    /// Walks the path back from the sink: an opening entered from a participant by an edge now
    /// chosen, a participant entered from an opening by an edge now released; steps through a
    /// group move no pair, but a path that ends through a group takes one of its room.
    fn apply_path(&mut self) {
        let (np, no) = (self.seats.len(), self.places.len());
        let mut node = self.sink_from;
        if node >= np + no && node != usize::MAX {
            self.group_taken[node - np - no] += 1;
        }
        while node != usize::MAX {
            let e = self.via[node];
            if e != usize::MAX {
                let o = self.edges[e].opening as usize;
                if node >= np {
                    self.chosen[e] = true;
                    self.taken[o].push(e);
                } else {
                    self.chosen[e] = false;
                    self.taken[o].retain(|&x| x != e);
                }
            }
            node = self.from[node];
        }
    }
}

#[cfg(test)]
mod tests;
