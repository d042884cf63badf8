//! Ranking quality of one list against graded relevance, and the mean over participants.
//!
//! Gains are `2^grade − 1`; "relevant" means grade 2 or more (a group close to the
//! participant's, all hard rules met).

use serde::Serialize;

/// Grades from this one up count as relevant for MRR and recall.
pub const RELEVANT: u8 = 2;

fn gain(grade: u8) -> f64 {
    f64::from((1u32 << grade.min(8)) - 1)
}

fn dcg(grades: impl IntoIterator<Item = u8>) -> f64 {
    grades
        .into_iter()
        .enumerate()
        .map(|(i, g)| gain(g) / ((i + 2) as f64).log2())
        .sum()
}

/// The quality of one participant's list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListQuality {
    pub ndcg10: f64,
    pub reciprocal_rank: f64,
    pub recall20: f64,
    /// Top-10 slots filled with grade 0, and slots filled at all.
    pub zero_slots: usize,
    pub slots: usize,
    /// Top-10 slots an ideal list would fill with grade 0: there are not ten better.
    pub ideal_zero_slots: usize,
}

/// `list`: the grades of the ranked results, best first; `all`: the grade of every candidate;
/// `eligible`: how many candidates a list could hold (those no hard rule leaves out).
/// A participant with nothing relevant at all scores 1 on NDCG and recall when the list holds
/// no gain either (nothing could have been done better).
pub fn quality(list: &[u8], all: &[u8], eligible: usize) -> ListQuality {
    let mut ideal: Vec<u8> = all.iter().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let ideal_dcg = dcg(ideal.iter().copied().take(10));
    let got = dcg(list.iter().copied().take(10));
    let ndcg10 = if ideal_dcg > 0.0 {
        (got / ideal_dcg).min(1.0)
    } else {
        1.0
    };
    let reciprocal_rank = list
        .iter()
        .position(|&g| g >= RELEVANT)
        .map_or(0.0, |i| 1.0 / (i + 1) as f64);
    let relevant = all.iter().filter(|&&g| g >= RELEVANT).count();
    let found = list.iter().take(20).filter(|&&g| g >= RELEVANT).count();
    let recall20 = if relevant == 0 {
        1.0
    } else {
        found as f64 / relevant.min(20) as f64
    };
    let top = &list[..list.len().min(10)];
    let ideal_slots = eligible.min(10);
    ListQuality {
        ideal_zero_slots: ideal_slots - ideal.len().min(ideal_slots),
        ndcg10,
        reciprocal_rank,
        recall20,
        zero_slots: top.iter().filter(|&&g| g == 0).count(),
        slots: top.len(),
    }
}

/// The figures of one profile on one part of the set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Figures {
    pub participants: usize,
    pub ndcg10: f64,
    pub mrr: f64,
    pub recall20: f64,
    /// Share of the top-10 slots given to openings of relevance 0.
    pub zero_relevance_share10: f64,
    /// The same share for ideal lists: where fewer than ten openings are relevant at all.
    pub ideal_zero_share10: f64,
    /// Mean NDCG@10 of the worst tenth of participants.
    pub worst_decile_ndcg10: f64,
}

impl Figures {
    pub fn of(lists: &[ListQuality]) -> Figures {
        let n = lists.len().max(1) as f64;
        let mean = |f: fn(&ListQuality) -> f64| lists.iter().map(f).sum::<f64>() / n;
        let mut ndcg: Vec<f64> = lists.iter().map(|l| l.ndcg10).collect();
        ndcg.sort_by(f64::total_cmp);
        let decile = ndcg.len().div_ceil(10).max(1).min(ndcg.len().max(1));
        let worst = if ndcg.is_empty() {
            0.0
        } else {
            ndcg[..decile].iter().sum::<f64>() / decile as f64
        };
        let slots: usize = lists.iter().map(|l| l.slots).sum();
        let zero: usize = lists.iter().map(|l| l.zero_slots).sum();
        let ideal_zero: usize = lists.iter().map(|l| l.ideal_zero_slots).sum();
        Figures {
            participants: lists.len(),
            ndcg10: mean(|l| l.ndcg10),
            mrr: mean(|l| l.reciprocal_rank),
            recall20: mean(|l| l.recall20),
            zero_relevance_share10: if slots == 0 {
                0.0
            } else {
                zero as f64 / slots as f64
            },
            ideal_zero_share10: if slots == 0 {
                0.0
            } else {
                ideal_zero as f64 / slots as f64
            },
            worst_decile_ndcg10: worst,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ideal_list_scores_one_and_a_reversed_one_less() {
        let all = [3, 0, 2, 1, 0];
        let ideal = quality(&[3, 2, 1], &all, 5);
        assert!((ideal.ndcg10 - 1.0).abs() < 1e-12);
        assert_eq!(ideal.reciprocal_rank, 1.0);
        assert_eq!(ideal.recall20, 1.0);
        let worse = quality(&[0, 1, 2, 3], &all, 5);
        assert!(worse.ndcg10 < 0.7, "{}", worse.ndcg10);
        assert_eq!(worse.reciprocal_rank, 1.0 / 3.0);
        assert_eq!(worse.zero_slots, 1);
        // By hand: DCG 7/log2(5) + 3/log2(4) + 1/log2(3) over 7 + 3/log2(3) + 1/2.
        let expected =
            (7.0 / 5f64.log2() + 1.5 + 1.0 / 3f64.log2()) / (7.0 + 3.0 / 3f64.log2() + 0.5);
        assert!((worse.ndcg10 - expected).abs() < 1e-12);
        let nothing = quality(&[0, 0], &[0, 0, 1], 3);
        assert_eq!(
            nothing.ideal_zero_slots, 2,
            "one of three could be relevant"
        );
        assert_eq!(nothing.ndcg10, 0.0);
        assert_eq!(nothing.recall20, 1.0, "nothing relevant to find");
    }

    #[test]
    fn figures_average_and_the_worst_decile_is_the_bottom_tenth() {
        let lists: Vec<ListQuality> = (0..20)
            .map(|i| ListQuality {
                ndcg10: f64::from(i) / 20.0,
                reciprocal_rank: 1.0,
                recall20: 0.5,
                zero_slots: 1,
                slots: 10,
                ideal_zero_slots: 0,
            })
            .collect();
        let f = Figures::of(&lists);
        assert!((f.ndcg10 - 0.475).abs() < 1e-12);
        assert!(
            (f.worst_decile_ndcg10 - 0.025).abs() < 1e-12,
            "{}",
            f.worst_decile_ndcg10
        );
        assert!((f.zero_relevance_share10 - 0.1).abs() < 1e-12);
        assert_eq!(f.participants, 20);
    }
}
