//! Each taxonomy file read into the [`Taxonomy`]: skills and their aliases, occupations with
//! their names and skills, municipalities, languages and licences. Rows are checked as they
//! are read; what a row needs of the CSV layer comes from the parent module.

use super::{
    OCCUPATIONS, Row, SKILLS, Source, Sources, exact_name, index, insert_id, occupation_keys,
    pipe_list, rarity, warn_skipped,
};
use crate::model::{ConceptId, GeoPoint, Occupation};
use crate::taxonomy::ad_text::SwedishPhrases;
use crate::taxonomy::error::TaxonomyError;
use crate::taxonomy::fold::fold;
use crate::taxonomy::lexicon::LexiconBuilder;
use crate::taxonomy::swedish::SwedishLevels;
use crate::taxonomy::{Language, Licence, LicenceKind, Municipality, Skill, Taxonomy};

impl Taxonomy {
    pub(crate) fn from_sources(src: &Sources<'_>) -> Result<Taxonomy, TaxonomyError> {
        let mut tax = Taxonomy::default();
        tax.load_skills(&src.skills, src.skill_aliases.as_ref())?;
        tax.load_occupations(
            &src.occupations,
            &src.occupation_names,
            src.occupation_aliases.as_ref(),
        )?;
        tax.load_occupation_skills(&src.occupation_skills)?;
        if let Some(source) = &src.related_skills {
            tax.load_related_skills(source)?;
        }
        if let Some(source) = &src.related_occupations {
            tax.load_related_occupations(source)?;
        }
        tax.load_municipalities(&src.municipalities)?;
        tax.load_languages(&src.languages)?;
        tax.load_licences(&src.licences)?;
        tax.swedish = SwedishLevels::parse(&src.swedish_levels.table()?)?;
        tax.swedish_phrases = SwedishPhrases::parse(&src.swedish_phrases.table()?)?;
        Ok(tax)
    }

    fn load_skills(
        &mut self,
        skills: &Source<'_>,
        aliases: Option<&Source<'_>>,
    ) -> Result<(), TaxonomyError> {
        let table = skills.table()?;
        let [id, label, demand] = table.columns(["concept_id", "label", "demand"])?;
        let mut lex = LexiconBuilder::new(false);
        let mut folded_labels = Vec::new();
        for row in table.rows() {
            let row = row?;
            let concept = row.required(id, "concept_id")?;
            let text = row.required(label, "label")?;
            let d = row.get(demand);
            let d: u32 = d.parse().map_err(|_| {
                row.error(format!("demand {d:?} is not a whole number of occupations"))
            })?;
            let i = index(self.skills.len());
            insert_id(&mut self.skill_ids, concept, i, &row)?;
            let folded = fold(text);
            lex.label(&folded, i);
            folded_labels.push(folded);
            self.skills.push(Skill {
                id: ConceptId(concept.to_owned()),
                label: text.to_owned(),
                demand: d,
                rarity: 1.0,
            });
        }
        let max_demand = self.skills.iter().map(|s| s.demand).max().unwrap_or(0);
        for s in &mut self.skills {
            s.rarity = rarity(s.demand, max_demand);
        }

        if let Some(aliases) = aliases {
            let table = aliases.table()?;
            let [id, label_en, list] = table.columns(["concept_id", "label_en", "aliases"])?;
            let skills = &self.skills;
            let describe = |i: u32| {
                let s = &skills[i as usize];
                format!("{} ({})", s.id, s.label)
            };
            for row in table.rows() {
                let row = row?;
                let concept = row.required(id, "concept_id")?;
                let &i = self.skill_ids.get(concept).ok_or_else(|| {
                    row.error(format!(
                        "concept id {concept:?} is not in {SKILLS}; aliases can only name known skills"
                    ))
                })?;
                let own = &folded_labels[i as usize];
                let en = row.get(label_en);
                for alias in std::iter::once(en)
                    .filter(|s| !s.is_empty())
                    .chain(pipe_list(row.get(list)))
                {
                    lex.alias(&fold(alias), i, own, row.origin(), &describe)?;
                }
                self.skill_alias_count += 1;
            }
        }
        self.skill_lexicon = lex.build();
        Ok(())
    }

    fn load_occupations(
        &mut self,
        groups: &Source<'_>,
        names: &Source<'_>,
        aliases: Option<&Source<'_>>,
    ) -> Result<(), TaxonomyError> {
        let table = groups.table()?;
        let [code, id, label] = table.columns(["ssyk_code", "concept_id", "label"])?;
        let mut rows: Vec<(Occupation, u64)> = Vec::new();
        let mut skipped = Vec::new();
        for row in table.rows() {
            let row = row?;
            if row.get(code).is_empty() {
                skipped.push(row.line);
                continue;
            }
            let occupation = Occupation {
                code: row.ssyk(code)?,
                concept_id: ConceptId(row.required(id, "concept_id")?.to_owned()),
                label: row.required(label, "label")?.to_owned(),
            };
            rows.push((occupation, row.line));
        }
        warn_skipped(
            &groups.name,
            "occupation groups without an SSYK code",
            &skipped,
        );
        rows.sort_by_key(|(o, _)| o.code);
        for (i, (o, line)) in rows.iter().enumerate() {
            let duplicate = if self.occupation_codes.insert(o.code, index(i)).is_some() {
                format!("duplicate SSYK code {}", o.code)
            } else if self
                .occupation_ids
                .insert(o.concept_id.0.clone(), index(i))
                .is_some()
            {
                format!("duplicate concept id {:?}", o.concept_id.0)
            } else {
                continue;
            };
            return Err(TaxonomyError::parse(&groups.name, *line, duplicate));
        }
        self.occupations = rows.into_iter().map(|(o, _)| o).collect();

        let table = names.table()?;
        let [id, label, code] = table.columns(["concept_id", "label", "ssyk_code"])?;
        let mut named: Vec<(u32, String)> = Vec::new();
        let mut skipped = Vec::new();
        for row in table.rows() {
            let row = row?;
            let c = row.ssyk(code)?;
            let Some(&group) = self.occupation_codes.get(&c) else {
                skipped.push(row.line);
                continue;
            };
            insert_id(
                &mut self.occupation_ids,
                row.required(id, "concept_id")?,
                group,
                &row,
            )?;
            named.push((group, row.required(label, "label")?.to_owned()));
        }
        warn_skipped(
            &names.name,
            "occupation names whose SSYK group is not in the group file",
            &skipped,
        );
        // Names are sorted by group so that a shortened name several groups share resolves to
        // the lowest code, whatever order the file is in.
        named.sort_by_key(|(g, _)| *g);

        // Tiers, each complete before the next: group labels, full occupation names, the parts
        // of slash-separated labels, then the parts without their qualifier. Within a tier the
        // lowest SSYK code wins.
        let mut lex = LexiconBuilder::new(false);
        let groups: Vec<(u32, &str)> = self
            .occupations
            .iter()
            .enumerate()
            .map(|(i, o)| (index(i), o.label.as_str()))
            .chain(named.iter().map(|(g, l)| (*g, l.as_str())))
            .collect();
        for (g, l) in &groups {
            lex.label(&fold(l), *g);
        }
        // Curated titles come before the derived tiers: they settle what a shortened name that
        // several groups share ("Undersköterska") means in everyday use.
        if let Some(aliases) = aliases {
            let table = aliases.table()?;
            let [alias, code] = table.columns(["alias", "ssyk_code"])?;
            let occupations = &self.occupations;
            let describe = |i: u32| {
                let o = &occupations[i as usize];
                format!("{} ({})", o.code, o.label)
            };
            for row in table.rows() {
                let row = row?;
                let c = row.ssyk(code)?;
                let &g = self
                    .occupation_codes
                    .get(&c)
                    .ok_or_else(|| row.error(format!("SSYK code {c} is not in {OCCUPATIONS}")))?;
                let own = fold(&occupations[g as usize].label);
                let text = row.required(alias, "alias")?;
                lex.alias(&fold(text), g, &own, row.origin(), &describe)?;
            }
        }
        let derived: Vec<(u32, Vec<String>, Vec<String>)> = groups
            .iter()
            .map(|(g, l)| {
                let (parts, heads) = occupation_keys(l);
                (*g, parts, heads)
            })
            .collect();
        for (g, parts, _) in &derived {
            parts.iter().for_each(|p| lex.label(p, *g));
        }
        for (g, _, heads) in &derived {
            heads.iter().for_each(|h| lex.label(h, *g));
        }
        self.occupation_lexicon = lex.build();
        Ok(())
    }

    fn load_occupation_skills(&mut self, source: &Source<'_>) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [code, ids] = table.columns(["ssyk_code", "skill_ids"])?;
        for row in table.rows() {
            let row = row?;
            let c = row.ssyk(code)?;
            let mut list = Vec::new();
            for id in pipe_list(row.get(ids)) {
                if !self.skill_ids.contains_key(id) {
                    return Err(row.error(format!("skill {id:?} is not in {SKILLS}")));
                }
                list.push(ConceptId(id.to_owned()));
            }
            if self.occupation_skills.insert(c, list).is_some() {
                return Err(row.error(format!("SSYK code {c} is listed twice")));
            }
        }
        Ok(())
    }

    fn load_related_skills(&mut self, source: &Source<'_>) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [from, to, similarity] = table.columns(["skill_id", "related_id", "similarity"])?;
        for row in table.rows() {
            let row = row?;
            let skill = |column: usize| {
                let id = row.get(column);
                self.skill_ids
                    .get(id)
                    .copied()
                    .ok_or_else(|| row.error(format!("skill {id:?} is not in {SKILLS}")))
            };
            let (a, b) = (skill(from)?, skill(to)?);
            if a == b {
                return Err(row.error("a skill is not related to itself"));
            }
            let sim = similarity_of(&row, similarity)?;
            self.related_skills.entry(a).or_default().push((b, sim));
        }
        self.related_skills
            .values_mut()
            .for_each(most_similar_first);
        Ok(())
    }

    fn load_related_occupations(&mut self, source: &Source<'_>) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [from, to, similarity] = table.columns(["ssyk_code", "related_code", "similarity"])?;
        for row in table.rows() {
            let row = row?;
            let (a, b) = (row.ssyk(from)?, row.ssyk(to)?);
            for code in [a, b] {
                if !self.occupation_codes.contains_key(&code) {
                    return Err(row.error(format!("SSYK code {code} is not in {OCCUPATIONS}")));
                }
            }
            if a == b {
                return Err(row.error("a group is not related to itself"));
            }
            let sim = similarity_of(&row, similarity)?;
            self.related_occupations
                .entry(a)
                .or_default()
                .push((b, sim));
        }
        self.related_occupations
            .values_mut()
            .for_each(most_similar_first);
        Ok(())
    }

    fn load_municipalities(&mut self, source: &Source<'_>) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [code, name, county, lat, lon, id] =
            table.columns(["code", "name", "county_code", "lat", "lon", "concept_id"])?;
        for row in table.rows() {
            let row = row?;
            let c = row.get(code);
            if c.len() != 4 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(row.error(format!("municipality code {c:?} is not four digits")));
            }
            let coordinate = |col: usize, what: &str| {
                let v = row.get(col);
                v.parse::<f64>()
                    .map_err(|_| row.error(format!("{what} {v:?} is not a number")))
            };
            let point = GeoPoint {
                lat: coordinate(lat, "lat")?,
                lon: coordinate(lon, "lon")?,
            };
            if !point.is_valid() {
                return Err(row.error("lat/lon is outside -90..90 / -180..180"));
            }
            let m = Municipality {
                code: c.to_owned(),
                name: row.required(name, "name")?.to_owned(),
                county_code: row.get(county).to_owned(),
                point,
                concept_id: ConceptId(row.get(id).to_owned()),
            };
            let i = index(self.municipalities.len());
            for key in [m.code.clone(), m.concept_id.0.clone(), exact_name(&m.name)] {
                if key.is_empty() {
                    continue;
                }
                if let Some(prev) = self.municipality_exact.insert(key.clone(), i) {
                    return Err(row.error(format!(
                        "{key:?} already names {}",
                        self.municipalities[prev as usize].name
                    )));
                }
            }
            // Folding merges "Håbo" and "Habo"; such a key answers neither.
            self.municipality_folded
                .entry(fold(&m.name))
                .and_modify(|v| *v = None)
                .or_insert(Some(i));
            self.municipalities.push(m);
        }
        Ok(())
    }

    fn load_languages(&mut self, source: &Source<'_>) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [id, label] = table.columns(["concept_id", "label"])?;
        let mut lex = LexiconBuilder::new(false);
        for row in table.rows() {
            let row = row?;
            let i = index(self.languages.len());
            let concept = row.required(id, "concept_id")?;
            insert_id(&mut self.language_ids, concept, i, &row)?;
            let label = row.required(label, "label")?;
            lex.label(&fold(label), i);
            self.languages.push(Language {
                id: ConceptId(concept.to_owned()),
                label: label.to_owned(),
            });
        }
        self.language_lexicon = lex.build();
        Ok(())
    }

    fn load_licences(&mut self, source: &Source<'_>) -> Result<(), TaxonomyError> {
        let table = source.table()?;
        let [id, code, label, kind, implies, aliases] =
            table.columns(["concept_id", "code", "label", "kind", "implies", "aliases"])?;
        let mut rows = Vec::new();
        for row in table.rows() {
            let row = row?;
            let k = match row.get(kind) {
                "driving" => LicenceKind::Driving,
                "certificate" => LicenceKind::Certificate,
                other => {
                    return Err(
                        row.error(format!("kind {other:?} is not one of driving, certificate"))
                    );
                }
            };
            let i = index(self.licences.len());
            let concept = row.required(id, "concept_id")?;
            insert_id(&mut self.licence_ids, concept, i, &row)?;
            let c = row.required(code, "code")?;
            if self.licence_codes.insert(c.to_owned(), i).is_some() {
                return Err(row.error(format!("duplicate licence code {c:?}")));
            }
            self.licences.push(Licence {
                concept_id: ConceptId(concept.to_owned()),
                code: c.to_owned(),
                label: row.required(label, "label")?.to_owned(),
                kind: k,
                implies: pipe_list(row.get(implies)).map(str::to_owned).collect(),
            });
            rows.push(row);
        }
        let licences = &self.licences;
        let describe = |i: u32| {
            let l = &licences[i as usize];
            format!("{} ({})", l.concept_id, l.code)
        };
        let mut lex = LexiconBuilder::new(true);
        for (i, (l, row)) in licences.iter().zip(&rows).enumerate() {
            if let Some(missing) = l
                .implies
                .iter()
                .find(|c| !self.licence_codes.contains_key(*c))
            {
                return Err(row.error(format!(
                    "implied licence {missing:?} is not a code in this file"
                )));
            }
            let own = fold(&l.label);
            let names = [l.code.as_str(), l.label.as_str()];
            for name in names.into_iter().chain(pipe_list(row.get(aliases))) {
                lex.alias(&fold(name), index(i), &own, row.origin(), &describe)?;
            }
        }
        self.licence_lexicon = lex.build();
        Ok(())
    }
}

/// Each related item once, with its highest similarity, most similar first (then by item).
fn most_similar_first<T: Ord + Copy>(list: &mut Vec<(T, f32)>) {
    list.sort_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)));
    list.dedup_by_key(|x| x.0);
    list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
}

/// A similarity in (0, 1].
fn similarity_of(row: &Row<'_>, column: usize) -> Result<f32, TaxonomyError> {
    let v = row.get(column);
    match v.parse::<f32>() {
        Ok(s) if s > 0.0 && s <= 1.0 => Ok(s),
        _ => Err(row.error(format!("similarity {v:?} is not a number in (0, 1]"))),
    }
}
