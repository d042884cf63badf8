//! Turns domain openings and profiles into the ranking core's features and the index's
//! documents, and the core's keys back into labelled terms. Pure: no store, no locks.

use crate::index::IndexedOpening;
use crate::model::SsykCode;
use crate::model::{ConceptId, GeoPoint, Opening, Place, Profile, Term};
use crate::rank::{
    Key, OpeningFeatures, ParticipantFeatures, Related, SkillWeights, Vocabulary, key_set,
};
use crate::taxonomy::Taxonomy;

/// Prefix of vocabulary names for free text, so it never collides with a concept id.
const FREE_TEXT: &str = "text:";

/// The vocabulary name of a term: its concept id, or its folded free text.
fn term_name(term: &Term) -> String {
    match term {
        Term::Concept { id, .. } => id.0.clone(),
        Term::FreeText { text } => format!("{FREE_TEXT}{}", crate::taxonomy::fold(text)),
    }
}

/// The shared vocabulary of skill and licence keys with their rarity weights.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    pub vocabulary: Vocabulary,
    pub weights: SkillWeights,
}

impl Keys {
    fn intern(&mut self, term: &Term, taxonomy: &Taxonomy) -> Key {
        let name = term_name(term);
        let known = self.vocabulary.get(&name);
        let key = self.vocabulary.key(&name);
        if known.is_none()
            && let Some(id) = term.concept_id()
        {
            set_weights(&mut self.weights, key, id, taxonomy);
        }
        key
    }

    /// The key of a concept, interning it when new.
    fn intern_concept(&mut self, id: &ConceptId, taxonomy: &Taxonomy) -> Key {
        let known = self.vocabulary.get(id.as_str());
        let key = self.vocabulary.key(id.as_str());
        if known.is_none() {
            set_weights(&mut self.weights, key, id, taxonomy);
        }
        key
    }

    /// Keys of terms, interning new ones (stored openings and participants).
    pub fn intern_all<'a>(
        &mut self,
        terms: impl IntoIterator<Item = &'a Term>,
        taxonomy: &Taxonomy,
    ) -> Vec<Key> {
        key_set(
            terms
                .into_iter()
                .map(|t| self.intern(t, taxonomy))
                .collect(),
        )
    }

    /// Keys of terms already known; a term no opening uses cannot change a score (ad-hoc profiles).
    pub fn lookup_all<'a>(&self, terms: impl IntoIterator<Item = &'a Term>) -> Vec<Key> {
        key_set(
            terms
                .into_iter()
                .filter_map(|t| self.vocabulary.get(&term_name(t)))
                .collect(),
        )
    }

    /// The concept id or free text behind a key, with its label.
    pub fn describe(&self, key: Key, taxonomy: &Taxonomy) -> TermLabel {
        let name = self.vocabulary.name(key).unwrap_or_default();
        match name.strip_prefix(FREE_TEXT) {
            Some(text) => TermLabel {
                id: None,
                label: text.to_owned(),
            },
            None => {
                let id = ConceptId(name.to_owned());
                let label = taxonomy
                    .skill_label(&id)
                    .map(str::to_owned)
                    .or_else(|| taxonomy.licence(name).ok().map(|l| l.label.clone()))
                    .unwrap_or_else(|| name.to_owned());
                TermLabel {
                    id: Some(id),
                    label,
                }
            }
        }
    }

    /// A licence or certificate behind a key, under the licence's own label ("Truckkort (TLP
    /// 10)"), which is what a coach and a plan call it; a certificate is a skill concept too,
    /// whose taxonomy label is longer.
    pub fn describe_licence(&self, key: Key, taxonomy: &Taxonomy) -> TermLabel {
        let mut term = self.describe(key, taxonomy);
        if let Some(licence) = term
            .id
            .as_ref()
            .and_then(|id| taxonomy.licence(id.as_str()).ok())
        {
            term.label = licence.label.clone();
        }
        term
    }
}

/// A concept's rarity weight and specificity, as the taxonomy gives them.
fn set_weights(weights: &mut SkillWeights, key: Key, id: &ConceptId, taxonomy: &Taxonomy) {
    weights.set(key, taxonomy.skill_rarity(id));
    if let Some(s) = taxonomy.skill_specificity(id) {
        weights.set_specificity(key, s);
    }
}

/// A term in evidence: the concept id when there is one, and what to show.
#[derive(Clone, Debug, PartialEq)]
pub struct TermLabel {
    pub id: Option<ConceptId>,
    pub label: String,
}

/// A position for a place: the given point, else the municipality's main town.
pub fn point_of(place: &Place, taxonomy: &Taxonomy) -> Option<GeoPoint> {
    place.point.or_else(|| {
        taxonomy
            .municipality_of(place.municipality_code.as_deref())
            .map(|m| m.point)
    })
}

/// Features of an opening the projection does not hold yet (a catch-up failed), without
/// changing or copying the vocabulary: a term new to it gets a key past its end, weighted as
/// interning would weigh it. No participant holds such a key, so it only counts as missing.
/// Also returns the skill weights to rank with when a new concept needs its own: the shared
/// ones plus those of the new keys.
pub fn detached_opening_features(
    o: &Opening,
    keys: &Keys,
    taxonomy: &Taxonomy,
) -> (OpeningFeatures, Option<SkillWeights>) {
    let mut weights: Option<SkillWeights> = None;
    let mut extra: std::collections::HashMap<String, Key> = std::collections::HashMap::new();
    let mut key_of = |terms: &[Term]| {
        key_set(
            terms
                .iter()
                .map(|t| {
                    let name = term_name(t);
                    if let Some(k) = keys.vocabulary.get(&name) {
                        return k;
                    }
                    let next = Key::try_from(keys.vocabulary.len() + extra.len())
                        .expect("fewer than 4 billion terms");
                    *extra.entry(name).or_insert_with(|| {
                        if let Some(id) = t.concept_id() {
                            let weights = weights.get_or_insert_with(|| keys.weights.clone());
                            set_weights(weights, next, id, taxonomy);
                        }
                        next
                    })
                })
                .collect(),
        )
    };
    let features = OpeningFeatures {
        id: o.id,
        must: key_of(&o.skills_required),
        merit: key_of(&o.skills_merit),
        occupation: o.occupation.as_ref().map(|x| x.code),
        swedish_min: o.swedish_min,
        swedish_strict: o.swedish_required,
        licences: key_of(&o.licences),
        location: point_of(&o.workplace, taxonomy),
        start_date: o.start_date,
        deadline: o.deadline,
        hours: o.hours,
        track_record: None,
    };
    (features, weights)
}

pub fn opening_features(o: &Opening, keys: &mut Keys, taxonomy: &Taxonomy) -> OpeningFeatures {
    OpeningFeatures {
        id: o.id,
        must: keys.intern_all(&o.skills_required, taxonomy),
        merit: keys.intern_all(&o.skills_merit, taxonomy),
        occupation: o.occupation.as_ref().map(|x| x.code),
        swedish_min: o.swedish_min,
        swedish_strict: o.swedish_required,
        licences: keys.intern_all(&o.licences, taxonomy),
        location: point_of(&o.workplace, taxonomy),
        start_date: o.start_date,
        deadline: o.deadline,
        hours: o.hours,
        track_record: None,
    }
}

/// Licence terms a participant holds: declared licences, certificates listed among skills, and
/// everything they imply (CE implies C and B).
fn held_licences(profile: &Profile, taxonomy: &Taxonomy) -> Vec<Term> {
    let declared = profile
        .licences
        .iter()
        .chain(&profile.skills)
        .filter_map(Term::concept_id)
        .filter(|id| taxonomy.licence(id.as_str()).is_ok());
    taxonomy
        .expand_licences(declared)
        .into_iter()
        .map(|id| Term::Concept {
            label: id.0.clone(),
            id,
            input: None,
        })
        .collect()
}

/// Features of a stored participant, interning new terms so later openings can meet them.
pub fn participant_features(
    id: i64,
    p: &Profile,
    keys: &mut Keys,
    taxonomy: &Taxonomy,
) -> ParticipantFeatures {
    let licences = held_licences(p, taxonomy);
    let skills = keys.intern_all(&p.skills, taxonomy);
    let licences = keys.intern_all(&licences, taxonomy);
    // Related skills get keys too, so an opening that lists one later meets them.
    let held = keys_of(&p.skills, &keys.vocabulary);
    let related = related_skills(held, &skills, taxonomy, |id| {
        Some(keys.intern_concept(id, taxonomy))
    });
    features_with(id, p, taxonomy, skills, related, licences)
}

/// The keys of a profile's concept skills, with their concept ids.
fn keys_of<'a>(terms: &'a [Term], vocabulary: &Vocabulary) -> Vec<(&'a ConceptId, Key)> {
    terms
        .iter()
        .filter_map(|t| {
            let id = t.concept_id()?;
            Some((id, vocabulary.get(id.as_str())?))
        })
        .collect()
}

/// Skills related to those held, not held themselves, each once with its most similar route.
fn related_skills(
    held_concepts: Vec<(&ConceptId, Key)>,
    held: &[Key],
    taxonomy: &Taxonomy,
    mut key: impl FnMut(&ConceptId) -> Option<Key>,
) -> Vec<Related<Key>> {
    let mut out: Vec<Related<Key>> = Vec::new();
    for (id, via) in held_concepts {
        for (other, similarity) in taxonomy.related_skills(id) {
            let Some(to) = key(other) else { continue };
            if held.binary_search(&to).is_err() {
                out.push(Related {
                    to,
                    via,
                    similarity,
                });
            }
        }
    }
    one_route_each(out)
}

/// Occupation groups related to the participant's by the skills they ask for, not among the
/// participant's own, each once with its most similar route.
fn related_occupations(p: &Profile, taxonomy: &Taxonomy) -> Vec<Related<SsykCode>> {
    let own: Vec<SsykCode> = p.occupations.iter().map(|e| e.occupation.code).collect();
    let out: Vec<Related<SsykCode>> = own
        .iter()
        .flat_map(|&via| {
            taxonomy
                .related_occupations(via)
                .iter()
                .map(move |&(to, similarity)| Related {
                    to,
                    via,
                    similarity,
                })
        })
        .filter(|r| !own.contains(&r.to))
        .collect();
    one_route_each(out)
}

/// Relations sorted by what they lead to, each kept once: the most similar route, the lower
/// `via` on ties, so the same profile always gets the same features and evidence.
fn one_route_each<T: Ord + Copy>(mut out: Vec<Related<T>>) -> Vec<Related<T>> {
    out.sort_by(|a, b| {
        a.to.cmp(&b.to)
            .then(b.similarity.total_cmp(&a.similarity))
            .then(a.via.cmp(&b.via))
    });
    out.dedup_by_key(|r| r.to);
    out
}

/// Features of a profile for one ranking, without changing the vocabulary: a term no opening
/// uses has no key and cannot change a score.
pub fn participant_features_lookup(
    id: i64,
    p: &Profile,
    keys: &Keys,
    taxonomy: &Taxonomy,
) -> ParticipantFeatures {
    let licences = held_licences(p, taxonomy);
    let skills = keys.lookup_all(&p.skills);
    let related = related_skills(
        keys_of(&p.skills, &keys.vocabulary),
        &skills,
        taxonomy,
        |id| keys.vocabulary.get(id.as_str()),
    );
    features_with(id, p, taxonomy, skills, related, keys.lookup_all(&licences))
}

fn features_with(
    id: i64,
    p: &Profile,
    taxonomy: &Taxonomy,
    skills: Vec<Key>,
    related_skills: Vec<Related<Key>>,
    licences: Vec<Key>,
) -> ParticipantFeatures {
    ParticipantFeatures {
        id,
        skills,
        related_skills,
        occupations: p
            .occupations
            .iter()
            .map(|e| (e.occupation.code, e.years))
            .collect(),
        related_occupations: related_occupations(p, taxonomy),
        swedish: p.swedish_level,
        location: point_of(&p.home, taxonomy),
        max_travel_km: p.max_travel_km,
        licences,
        available_from: p.available_from,
        hours: p.hours,
    }
}

/// The index document of an opening.
pub fn indexed_opening(o: &Opening) -> IndexedOpening {
    IndexedOpening {
        id: o.id,
        kind: o.kind,
        title: o.title.clone(),
        description: free_text_of(o),
        municipality_code: o.workplace.municipality_code.clone(),
        occupation_code: o.occupation.as_ref().map(|occ| occ.code.to_string()),
    }
}

/// Description plus the free-text skills, which have no concept to match on.
fn free_text_of(o: &Opening) -> String {
    let mut text = o.description.clone();
    for t in o.skills_required.iter().chain(&o.skills_merit) {
        if let Term::FreeText { text: t } = t {
            text.push('\n');
            text.push_str(t);
        }
    }
    text
}

/// Scales search scores to [0, 1] by `best`, the text input the core expects; `None` when
/// nothing matched any text, so the text category does not apply at all.
pub fn scale_relevance(scores: &[f32], best: f32) -> Option<Vec<f32>> {
    (best > 0.0).then(|| scores.iter().map(|&s| (s / best).clamp(0.0, 1.0)).collect())
}

#[cfg(test)]
mod tests {
    use super::scale_relevance;

    #[test]
    fn relevance_scales_by_the_best_passing_opening_and_is_absent_when_nothing_matched() {
        assert_eq!(
            scale_relevance(&[2.0, 1.0, 0.0], 2.0),
            Some(vec![1.0, 0.5, 0.0])
        );
        assert_eq!(scale_relevance(&[4.0, 1.0], 2.0), Some(vec![1.0, 0.5]));
        assert_eq!(scale_relevance(&[0.0, 0.0], 0.0), None);
    }
}
