//! `distance`: halves every `distance_half_life_km` between the participant's home and the
//! workplace; `unknown_distance_score` when either location is unknown, so a pair whose
//! distance is unknown neither wins nor loses by it. Always applies. Owns the distance's score and evidence;
//! the distance itself is measured once per pair ([`Pair::distance_km`], with the model's
//! great-circle formula) because the travel limit's hard rule needs it too.

use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::weights::Curves;

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    let curves = &ctx.profile.curves;
    Some(match pair.distance_km() {
        Some(km) => km_score(km, curves),
        None => curves.unknown_distance_score,
    })
}

pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    evidence.distance_km = pair.distance_km();
    score(pair, ctx)
}

/// Halves every `distance_half_life_km`; a distance that is not a number scores 0.
pub(crate) fn km_score(km: f64, curves: &Curves) -> f32 {
    let km = if km.is_finite() {
        km.max(0.0)
    } else {
        f64::INFINITY
    };
    (0.5f64.powf(km / f64::from(curves.distance_half_life_km)) as f32).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::tests::{GOTEBORG, STOCKHOLM, curves};

    #[test]
    fn distance_halves_every_ten_km() {
        let c = curves();
        assert_eq!(km_score(0.0, &c), 1.0);
        assert!((km_score(10.0, &c) - 0.5).abs() < 1e-6);
        assert!((km_score(20.0, &c) - 0.25).abs() < 1e-6);
        assert_eq!(km_score(f64::NAN, &c), 0.0);
        let km = STOCKHOLM.distance_km(GOTEBORG);
        assert!((390.0..400.0).contains(&km), "{km}");
    }
}
