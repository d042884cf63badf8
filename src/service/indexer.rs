//! The indexer: feeds the in-memory [`Projection`] and the tantivy index of openings from the
//! outbox, in sequence order. Owns loading them at start, catching up after writes, following
//! the outbox for changes other processes write, and rebuilding a lost or damaged index.
//!
//! A write is safe once the database commits; everything here may lag and catch up, and a
//! failure leaves the outbox rows for the next attempt. What this module must not do: write to
//! the database, or answer requests.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::index::{IndexChange, IndexError, OpeningIndex};
use crate::model::{Id, Opening, OpeningStatus, Profile};
use crate::projection::{Projection, features};
use crate::store::{ChangeListener, Entity, OutboxEntry, Store};

use super::error::{InternalError, Result};
use super::{Engine, Visibility};

/// How many outbox rows one catch-up step applies in one index commit.
const OUTBOX_BATCH: i64 = 1000;

impl Engine {
    /// Rebuilds the in-memory features from the database and brings the index up to date.
    pub(super) async fn load_projection(&self) -> Result<()> {
        let guard = self.indexer.lock().await;
        let head = self.store.outbox_head().await?;
        let openings = self.store.all_openings().await?;
        let profiles = self.store.all_profiles().await?;
        {
            let mut p = self.projection.write();
            *p = Projection::default();
            for o in &openings {
                p.upsert_opening(o, &self.taxonomy);
            }
            for (id, profile) in &profiles {
                p.upsert_participant(*id, profile, &self.taxonomy);
            }
        }
        let applied = self.index.applied_seq();
        // Ahead of the database, never written, or emptied: the index was lost or replaced. It
        // holds the open openings only, so closed ones alone leave it empty by right.
        let out_of_step =
            self.index.num_docs() == 0 && openings.iter().any(|o| o.status == OpeningStatus::Open);
        if applied > head || (applied == 0 && head > 0) || out_of_step {
            tracing::info!(applied, head, "rebuilding the index from the database");
            rebuild_index(&self.index, &openings, head)?;
        }
        drop(guard);
        self.catch_up().await
    }

    /// Applies outbox rows after the index's last commit to the index and the projection, in
    /// order. A failure leaves the rows for the next call: the write itself is already safe.
    pub async fn catch_up(&self) -> Result<()> {
        let _guard = self.indexer.lock().await;
        loop {
            let after = self.index.applied_seq();
            let entries = self.store.outbox_after(after, OUTBOX_BATCH).await?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                self.applied.send_replace(after);
                return Ok(());
            };
            // A row holds its object's latest state: load each changed one once, in one query.
            // Present means upsert, gone means deleted.
            let opening_ids = changed(&entries, Entity::Opening);
            let mut current: BTreeMap<Id, Opening> = self
                .store
                .openings(&opening_ids)
                .await?
                .into_iter()
                .map(|o| (o.id, o))
                .collect();
            let openings: Vec<(Id, Option<Opening>)> = opening_ids
                .into_iter()
                .map(|id| (id, current.remove(&id)))
                .collect();
            let participant_ids = changed(&entries, Entity::Participant);
            let mut profiles: BTreeMap<Id, Profile> = self
                .store
                .profiles(&participant_ids)
                .await?
                .into_iter()
                .collect();
            let profiles: Vec<(Id, Option<Profile>)> = participant_ids
                .into_iter()
                .map(|id| (id, profiles.remove(&id)))
                .collect();
            let changes = {
                let mut p = self.projection.write();
                let mut changes = Vec::with_capacity(openings.len());
                for (id, opening) in &openings {
                    match opening {
                        // The index holds the open openings only, as the projection does.
                        Some(o) if o.status == OpeningStatus::Open => {
                            p.upsert_opening(o, &self.taxonomy);
                            changes.push(IndexChange::Upsert(features::indexed_opening(o)));
                        }
                        _ => {
                            p.remove_opening(*id);
                            changes.push(IndexChange::Delete(*id));
                        }
                    }
                }
                for (id, profile) in &profiles {
                    match profile {
                        Some(profile) => p.upsert_participant(*id, profile, &self.taxonomy),
                        None => p.remove_participant(*id),
                    }
                }
                changes
            };
            self.index.apply(changes, last)?;
            self.applied.send_replace(last);
        }
    }

    /// Follows the outbox until `stop` turns true: woken by local writes, by the database's
    /// notification of another process's commit where it has them (PostgreSQL), and every
    /// `every` in any case, for changes another process wrote (an import, another instance)
    /// and notifications lost. Writes that commit while a
    /// catch-up runs are applied together by the next one, in one index commit: group commit,
    /// its delay bounded by one catch-up.
    pub async fn follow_outbox(
        self: Arc<Self>,
        every: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let wake = Arc::clone(&self.wake);
        let _running = Following::new(&self);
        // Held weakly, so a follower never keeps a dropped engine (and its index lock) alive.
        let engine = Arc::downgrade(&self);
        drop(self);
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut listener = None;
        loop {
            let notified = async {
                match listener.as_mut() {
                    Some(l) => ChangeListener::changed(l).await,
                    None => std::future::pending().await,
                }
            };
            let heard = tokio::select! {
                _ = ticks.tick() => Ok(()),
                _ = wake.notified() => Ok(()),
                heard = notified => heard,
                _ = stop.wait_for(|stopped| *stopped) => return,
            };
            let Some(engine) = engine.upgrade() else {
                return;
            };
            if let Err(e) = heard {
                tracing::warn!(error = %e, "listening for other instances' changes failed; polling until it is back");
                listener = None;
            }
            if listener.is_none() {
                listener = match engine.store.change_listener().await {
                    Ok(listener) => listener,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for other instances' changes; polling");
                        None
                    }
                };
            }
            if let Err(e) = engine.catch_up().await {
                tracing::warn!(error = %e, "following the outbox failed; retrying");
            }
        }
    }

    /// After a committed write: hands it to the follower, and with [`Visibility::Searchable`]
    /// waits until it is applied. An index failure is logged and shows as lag, never as a
    /// failed write, because the database has already committed.
    pub(super) async fn after_write(&self, visibility: Visibility) {
        if self.followers.load(Ordering::Acquire) == 0 {
            // No follower (a command, a bench): apply it here, as nobody else will.
            if let Err(e) = self.catch_up().await {
                tracing::error!(error = %e, "index catch-up failed; it is retried on the next write");
            }
            return;
        }
        if visibility == Visibility::Committed {
            self.wake.notify_one();
            return;
        }
        let head = match self.store.outbox_head().await {
            Ok(head) => head,
            Err(e) => {
                tracing::warn!(error = %e, "reading the outbox head failed; not waiting for the index");
                self.wake.notify_one();
                return;
            }
        };
        let mut applied = self.applied.subscribe();
        self.wake.notify_one();
        let searchable = applied.wait_for(|seq| *seq >= head);
        if tokio::time::timeout(SEARCHABLE_WITHIN, searchable)
            .await
            .is_err()
        {
            tracing::warn!(
                head,
                "a write was not searchable in time; the index catches up later"
            );
        }
    }
}

/// Longest a write waits to become searchable before answering anyway (it is committed).
const SEARCHABLE_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Counts a follower as running for as long as it lives.
struct Following(std::sync::Weak<Engine>);

impl Following {
    fn new(engine: &Arc<Engine>) -> Self {
        engine.followers.fetch_add(1, Ordering::AcqRel);
        Following(Arc::downgrade(engine))
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        if let Some(engine) = self.0.upgrade() {
            engine.followers.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Opens the index under `dir`, replacing an unusable one with an empty index; a locked one
/// belongs to a running process and is an error.
pub fn open_index(dir: &Path) -> Result<OpeningIndex> {
    match OpeningIndex::open_or_create(dir) {
        Ok(index) => Ok(index),
        Err(e @ IndexError::Open { .. }) => {
            tracing::warn!(error = %e, dir = %dir.display(), "index unusable; rebuilding it from the database");
            clear_dir(dir).map_err(|e| InternalError::Index(IndexError::Io(e)))?;
            Ok(OpeningIndex::open_or_create(dir)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces the index with the open ones of `openings`, read at or after outbox sequence
/// `head`.
pub fn rebuild_index(index: &OpeningIndex, openings: &[Opening], head: i64) -> Result<()> {
    let docs: Vec<_> = openings
        .iter()
        .filter(|o| o.status == OpeningStatus::Open)
        .map(features::indexed_opening)
        .collect();
    Ok(index.rebuild(docs, head)?)
}

/// `jobmatch reindex`: rebuilds the index under `index_dir` from the database, once, without
/// loading what serving needs.
pub async fn reindex(store: &Store, index_dir: &Path) -> Result<u64> {
    let index = open_index(index_dir)?;
    let head = store.outbox_head().await?;
    let openings = store.all_openings().await?;
    rebuild_index(&index, &openings, head)?;
    Ok(index.num_docs())
}

/// The distinct ids of one kind of entity that outbox entries name, ascending.
fn changed(entries: &[OutboxEntry], entity: Entity) -> Vec<Id> {
    let mut ids: Vec<Id> = entries
        .iter()
        .filter(|e| e.entity == entity)
        .map(|e| e.entity_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Empties a directory but keeps the repository's `index/.gitkeep`.
fn clear_dir(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n == ".gitkeep") {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Op;

    fn entry(seq: i64, entity: Entity, entity_id: Id) -> OutboxEntry {
        OutboxEntry {
            seq,
            entity,
            entity_id,
            op: Op::Upsert,
        }
    }

    #[test]
    fn changed_names_each_id_of_one_entity_once_ascending() {
        let entries = [
            entry(1, Entity::Opening, 7),
            entry(2, Entity::Participant, 7),
            entry(3, Entity::Opening, 3),
            entry(4, Entity::Opening, 7),
        ];
        assert_eq!(changed(&entries, Entity::Opening), [3, 7]);
        assert_eq!(changed(&entries, Entity::Participant), [7]);
    }
}
