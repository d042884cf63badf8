//! A participant's gaps on the wire: each single change, what it would open, in words too.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{Id, SwedishLevel};
use crate::service::gaps::{Change, Gap, Gaps};

/// One change to the profile.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeView {
    /// Swedish one CEFR step higher.
    Swedish {
        from: Option<SwedishLevel>,
        to: SwedishLevel,
    },
    /// A licence or certificate the openings within reach ask for.
    Licence { id: Option<String>, label: String },
    /// A skill the openings within reach ask for as a must.
    Skill { id: Option<String>, label: String },
    /// 10 km more travel (from the default limit when none is stated).
    Travel { from_km: Option<f64>, to_km: f64 },
    /// Available full time as well as part time.
    FullTime,
}

/// The change in Swedish and English, for the participant's plan.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SentenceView {
    pub sv: String,
    pub en: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GapView {
    pub change: ChangeView,
    pub sentence: SentenceView,
    /// How many more open openings would pass the hard rules.
    pub more_openings: i64,
    /// The mean of the five best scores today, and with the change.
    pub best_five_before: f32,
    pub best_five_after: f32,
    /// For a licence or skill: how many open openings within reach ask for it.
    pub asked_by: Option<usize>,
}

/// What would open doors, most doors first; `plan` is the first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GapsView {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    /// Open openings passing the hard rules today.
    pub passing: usize,
    pub plan: Option<GapView>,
    pub gaps: Vec<GapView>,
}

fn sentence(change: &Change) -> SentenceView {
    let level = |l: Option<SwedishLevel>| l.map_or("ingen".to_owned(), |l| l.as_str().to_owned());
    let (sv, en) = match change {
        Change::Swedish { from, to } => (
            format!("svenska ett steg upp ({} → {})", level(*from), to.as_str()),
            format!(
                "Swedish one step up ({} → {})",
                from.map_or("none", |l| l.as_str()),
                to.as_str()
            ),
        ),
        Change::Licence { label, .. } => (format!("ta {label}"), format!("get {label}")),
        Change::Skill { label, .. } => (format!("lära sig {label}"), format!("learn {label}")),
        Change::Travel { to_km, .. } => (
            format!("kunna resa {to_km:.0} km"),
            format!("travel up to {to_km:.0} km"),
        ),
        Change::FullTime => (
            "kunna arbeta heltid".to_owned(),
            "be available full time".to_owned(),
        ),
    };
    SentenceView { sv, en }
}

impl From<Gap> for GapView {
    fn from(g: Gap) -> Self {
        let sentence = sentence(&g.change);
        GapView {
            change: match g.change {
                Change::Swedish { from, to } => ChangeView::Swedish { from, to },
                Change::Licence { id, label } => ChangeView::Licence { id, label },
                Change::Skill { id, label } => ChangeView::Skill { id, label },
                Change::Travel { from_km, to_km } => ChangeView::Travel { from_km, to_km },
                Change::FullTime => ChangeView::FullTime,
            },
            sentence,
            more_openings: g.more_openings,
            best_five_before: g.best_before,
            best_five_after: g.best_after,
            asked_by: g.asked_by,
        }
    }
}

impl From<Gaps> for GapsView {
    fn from(g: Gaps) -> Self {
        let gaps: Vec<GapView> = g.gaps.into_iter().map(Into::into).collect();
        GapsView {
            participant_id: g.participant_id,
            passing: g.passing,
            plan: gaps.first().cloned(),
            gaps,
        }
    }
}
