//! [`CategoryMap`]: one value per [`Category`], so scores, weights and validation walk the
//! category list instead of naming every category by hand.
//!
//! Owns the map and its JSON forms: an object keyed by category name, in [`Category::ALL`]
//! order. It must not know what the values mean beyond that; the one exception is reading
//! weights, where a missing name takes the category's default weight.

use std::fmt;
use std::ops::{Index, IndexMut};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::category::Category;

/// A value for every category, stored in an array indexed by the category, so a lookup is an
/// index and the whole map is `Copy` when its values are.
///
/// ```
/// use jobmatch::rank::{Category, CategoryMap};
///
/// let mut seen = CategoryMap::from_fn(|_| 0u32);
/// seen[Category::Distance] += 1;
/// assert_eq!(seen.iter().map(|(_, n)| n).sum::<u32>(), 1);
/// assert_eq!(seen.map(|n| n * 2)[Category::Distance], 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CategoryMap<T>([T; Category::COUNT]);

impl<T> CategoryMap<T> {
    /// A map whose value for each category is `f(category)`, called in [`Category::ALL`] order.
    pub fn from_fn(f: impl FnMut(Category) -> T) -> Self {
        CategoryMap(Category::ALL.map(f))
    }

    /// A map of `f` applied to each value, in [`Category::ALL`] order.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> CategoryMap<U> {
        CategoryMap(self.0.map(f))
    }

    /// Each category with its value, in [`Category::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Category, &T)> {
        Category::ALL.into_iter().zip(&self.0)
    }
}

impl<T: Default> Default for CategoryMap<T> {
    fn default() -> Self {
        CategoryMap::from_fn(|_| T::default())
    }
}

impl<T> Index<Category> for CategoryMap<T> {
    type Output = T;

    fn index(&self, category: Category) -> &T {
        // The enum has no explicit discriminants, so they run 0..COUNT in `ALL` order.
        &self.0[category as usize]
    }
}

impl<T> IndexMut<Category> for CategoryMap<T> {
    fn index_mut(&mut self, category: Category) -> &mut T {
        &mut self.0[category as usize]
    }
}

impl<T: fmt::Debug> fmt::Debug for CategoryMap<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(c, v)| (c.name(), v)))
            .finish()
    }
}

/// An object keyed by category name in [`Category::ALL`] order; `None` is written as `null`,
/// as a struct with one optional field per category would.
impl<T: Serialize> Serialize for CategoryMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Category::COUNT))?;
        for (category, value) in self.iter() {
            map.serialize_entry(category.name(), value)?;
        }
        map.end()
    }
}

/// Reads weights: an object keyed by category name, where a category left out takes its
/// [`Category::default_weight`], so a profile written before a category existed still loads.
/// An unknown or repeated name is refused rather than dropped, since a misspelt weight would
/// otherwise silently fall back to its default.
impl<'de> Deserialize<'de> for CategoryMap<f32> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Weights;

        impl<'de> Visitor<'de> for Weights {
            type Value = CategoryMap<f32>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of weights keyed by category name")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
                let mut given = CategoryMap::from_fn(|_| None);
                while let Some(name) = entries.next_key::<String>()? {
                    let Some(category) = Category::from_name(&name) else {
                        let known: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
                        return Err(de::Error::custom(format!(
                            "unknown weight {name:?}; expected one of {}",
                            known.join(", ")
                        )));
                    };
                    if given[category].is_some() {
                        return Err(de::Error::custom(format!(
                            "weight {category} is given twice"
                        )));
                    }
                    given[category] = Some(entries.next_value::<f32>()?);
                }
                Ok(CategoryMap::from_fn(|c| {
                    given[c].unwrap_or_else(|| c.default_weight())
                }))
            }
        }

        deserializer.deserialize_map(Weights)
    }
}

/// The schema of [`CategoryScores`](super::CategoryScores): an object with one nullable number
/// per category, the shape a struct with one `Option<f32>` field per category derives.
impl PartialSchema for CategoryMap<Option<f32>> {
    fn schema() -> RefOr<Schema> {
        let score = || {
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Float)))
        };
        Category::ALL
            .into_iter()
            .fold(ObjectBuilder::new(), |object, c| {
                object.property(c.name(), score())
            })
            .description(Some(SCORES_DESCRIPTION))
            .into()
    }
}

impl ToSchema for CategoryMap<Option<f32>> {
    fn name() -> std::borrow::Cow<'static, str> {
        "CategoryScores".into()
    }
}

/// The description the API document gives the `categories` object.
const SCORES_DESCRIPTION: &str = "The score of each category in [0, 1]; `None` where the category does not apply to the pair\n(the opening asks nothing of it, or a location is unknown). The total is the weighted mean\nover the categories that apply.";
