//! The scoring categories, registered once. Each category is one file in `category/` that
//! computes its score and writes its evidence, so the two can never drift apart (milli's
//! `ScoreDetails` does the same per ranking rule); the registration below turns the list into
//! the [`Category`] enum, its names, its default weights and the dispatch to each file.
//!
//! Owns what a category is and how one is found. It must not combine scores (that is
//! [`CategoryScores::total`](super::CategoryScores::total)), decide exclusions (hard rules are
//! not categories: see `score.rs`) or know about any wire format beyond the category names.
//!
//! A category file provides two functions with the same inputs, a [`Pair`] and its [`Context`]:
//!
//! - `score(pair, ctx) -> Option<f32>`: the score in [0, 1], `None` when the category does not
//!   apply to the pair. This is the hot path of ranking: it must not allocate.
//! - `explain(pair, ctx, &mut Evidence) -> Option<f32>`: writes the facts behind the score into
//!   the evidence and returns the same score, computed from the same facts.

use std::fmt;

use super::score::{Context, Evidence, Pair};

/// Registers the categories: one line per category, `Variant => module, default weight;`, in
/// the order scores are summed and shown. The module is the category's file in `category/` and
/// its name is the category's name in weight-profile files and on the wire.
macro_rules! categories {
    ($($variant:ident => $module:ident, $weight:expr;)+) => {
        $(pub(super) mod $module;)+

        /// One scoring category: a facet of fit between a participant and an opening that is
        /// scored alone in [0, 1] and weighted by the profile.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Category {
            $(
                #[doc = concat!("`", stringify!($module), "`: see `rank/category/", stringify!($module), ".rs`.")]
                $variant,
            )+
        }

        impl Category {
            /// How many categories there are: the length of every
            /// [`CategoryMap`](super::CategoryMap).
            pub const COUNT: usize = [$(Category::$variant),+].len();

            /// Every category, in the order scores are summed and shown.
            pub const ALL: [Category; Category::COUNT] = [$(Category::$variant),+];

            /// The category's name in weight-profile files and in the API's `categories` object.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Category::$variant => stringify!($module),)+
                }
            }

            /// The category's weight in the built-in profile, and in a profile file that does
            /// not name it (so files written before a category existed still load).
            pub const fn default_weight(self) -> f32 {
                match self {
                    $(Category::$variant => $weight,)+
                }
            }

            /// The pair's score in this category; `None` when the category does not apply.
            pub(super) fn score(self, pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
                match self {
                    $(Category::$variant => $module::score(pair, ctx),)+
                }
            }

            /// Writes this category's evidence and returns the score it stands behind.
            pub(super) fn explain(
                self,
                pair: Pair<'_>,
                ctx: Context<'_>,
                evidence: &mut Evidence,
            ) -> Option<f32> {
                match self {
                    $(Category::$variant => $module::explain(pair, ctx, evidence),)+
                }
            }
        }
    };
}

// Must-have skills and occupation lead because they decide whether someone can do the job;
// Swedish and distance follow because they decide whether the placement holds for a
// participant far from the labour market. The defaults sum to 1. A new category goes last (the
// wire shows categories in this order and existing totals keep their summation order); at
// weight 0 it changes no ranking until a profile gives it weight.
categories! {
    MustSkills => must_skills, 0.25;
    MeritSkills => merit_skills, 0.08;
    Occupation => occupation, 0.18;
    Experience => experience, 0.07;
    Swedish => swedish, 0.12;
    Distance => distance, 0.12;
    Licences => licences, 0.03;
    Availability => availability, 0.07;
    Text => text, 0.08;
    TrackRecord => track_record, 0.0;
}

impl Category {
    /// The category with this name, as weight-profile files spell it.
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
