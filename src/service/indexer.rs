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
use super::{Engine, Visibility, learning};

/// How many outbox rows one catch-up step applies in one index commit.
const OUTBOX_BATCH: i64 = 1000;

/// Under a steady stream of writes, the least time from one index commit's start to the
/// next: each commit writes a segment that is merged later, and committing the few writes
/// that arrive during one commit, one commit after another, spent more of the machine on
/// segments than on the writes (8 clients creating openings: tantivy's indexing and merging
/// took 60 % of the server's CPU). It bounds how long a `?wait=indexed` write waits on top.
const COMMIT_GAP: std::time::Duration = std::time::Duration::from_millis(50);

impl Engine {
    /// Loads the in-memory features from the database and brings the index up to date.
    /// Returns whether the index must be rebuilt (it is missing, unreadable, or out of step
    /// with the database); it is then taken out of service until [`Engine::rebuild_beside`]
    /// swaps a new one in.
    pub(super) async fn load_projection(&self) -> Result<bool> {
        let guard = self.indexer.lock().await;
        let head = self.store.outbox_head().await?;
        let any_open = self.project_all().await?;
        let index = self.index.read().clone();
        let rebuild = match index {
            None => true,
            Some(index) => {
                let applied = index.applied_seq();
                // Ahead of the database, never written, or emptied: the index was lost or
                // replaced. It holds the open openings only, so closed ones alone leave it
                // empty by right.
                let out_of_step = index.num_docs() == 0 && any_open;
                applied > head || (applied == 0 && head > 0) || out_of_step
            }
        };
        if rebuild {
            // The projection is at `head`; without an index it follows on this cursor.
            self.applied.send_replace(head);
            tracing::warn!(
                head,
                "the index is out of step with the database; rebuilding it beside the live one, search answers 503 until it is back"
            );
            *self.index.write() = None;
        }
        drop(guard);
        self.catch_up().await?;
        Ok(rebuild)
    }

    /// Computes the projection anew from every stored opening and profile, with the taxonomy
    /// in force, and puts it in the place of the one in use; returns whether any stored
    /// opening is open.
    pub(super) async fn project_all(&self) -> Result<bool> {
        let started = self.store.started_per_opening(None).await?;
        let unavailable = self.store.unavailable_participants(None).await?;
        let available = Available::new(started, unavailable);
        let taxonomy = self.taxonomy();
        // Built aside and swapped in: rankings meanwhile read the one in use, and the
        // openings' texts are read a page at a time, never all at once.
        let mut p = Projection::default();
        let mut any_open = false;
        self.store
            .openings_in_pages(|page| {
                any_open |= page.iter().any(|o| o.status == OpeningStatus::Open);
                for o in page.iter().filter(|o| available.opening(o)) {
                    p.upsert_opening(o, &taxonomy);
                }
            })
            .await?;
        if learning::learns(&self.profile) {
            let counts = self.store.placement_counts().await?;
            learning::apply_track_records(&mut p, &counts, None);
        }
        let profiles = self.store.all_profiles().await?;
        for (id, profile) in profiles.iter().filter(|(id, _)| available.participant(*id)) {
            p.upsert_participant(*id, profile, &taxonomy);
        }
        p.arrange();
        self.presented.forget_all();
        *self.projection.write() = p;
        Ok(any_open)
    }

    /// Rebuilds the index from the database in a sibling directory while the instance
    /// serves, then swaps it in and catches it up; retried until it succeeds. Meanwhile the
    /// projection keeps following the outbox, so candidates stay current, and what needs the
    /// index answers 503.
    pub(super) async fn rebuild_beside(self: Arc<Self>) {
        let started = std::time::Instant::now();
        loop {
            match self.try_rebuild().await {
                Ok(docs) => {
                    tracing::info!(
                        docs,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "index rebuilt and in service"
                    );
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, "rebuilding the index failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn try_rebuild(&self) -> Result<u64> {
        let next_dir = build_beside(&self.store, &self.index_dir).await?;
        {
            // No catch-up runs while the directories change hands.
            let _guard = self.indexer.lock().await;
            swap_in(&next_dir, &self.index_dir)?;
            let index = OpeningIndex::open_or_create(&self.index_dir)?;
            *self.index.write() = Some(Arc::new(index));
        }
        // Applies what was written since `head` to the new index (and, harmlessly, again to
        // the projection).
        self.catch_up().await?;
        Ok(self.index()?.num_docs())
    }

    /// Applies outbox rows after the index's last commit to the index and the projection, in
    /// order. A failure leaves the rows for the next call: the write itself is already safe.
    pub async fn catch_up(&self) -> Result<()> {
        let _guard = self.indexer.lock().await;
        let index = self.index.read().clone();
        let mut previous: Option<std::time::Instant> = None;
        loop {
            // While the index is rebuilt the projection follows on its own cursor.
            let after = self.applied_by(index.as_deref());
            let mut entries = self.store.outbox_after(after, OUTBOX_BATCH).await?;
            // Rows that arrived while the last step was applied: writes are streaming in, so
            // gather them for the rest of the gap into one commit. A writer that waits for
            // each of its writes to be searchable adds none meanwhile, and is not held up.
            if let Some(began) = previous
                && !entries.is_empty()
                && (entries.len() as i64) < OUTBOX_BATCH
            {
                let rest =
                    (began + COMMIT_GAP).saturating_duration_since(std::time::Instant::now());
                if !rest.is_zero() {
                    tokio::time::sleep(rest).await;
                    entries = self.store.outbox_after(after, OUTBOX_BATCH).await?;
                }
            }
            previous = Some(std::time::Instant::now());
            let Some(last) = entries.last().map(|e| e.seq) else {
                self.applied.send_replace(after);
                return Ok(());
            };
            // A new taxonomy first: it recomputes every feature, and this batch's changes are
            // then applied with it.
            if entries.iter().any(|e| e.entity == Entity::Taxonomy) {
                self.reload_taxonomy().await?;
            }
            // A row holds its object's latest state: load each changed one once, in one query.
            // Present means upsert, gone means deleted.
            let opening_ids = changed(&entries, Entity::Opening);
            // Before the projection changes, so no answer ranked by the new projection
            // presents an opening as it was.
            self.presented.forget(&opening_ids);
            let mut current: BTreeMap<Id, Opening> = self
                .store
                .openings(&opening_ids)
                .await?
                .into_iter()
                .map(|o| (o.id, o))
                .collect();
            let openings: Vec<(Id, Option<Opening>)> = opening_ids
                .iter()
                .map(|&id| (id, current.remove(&id)))
                .collect();
            let participant_ids = changed(&entries, Entity::Participant);
            let mut profiles: BTreeMap<Id, Profile> = self
                .store
                .profiles(&participant_ids)
                .await?
                .into_iter()
                .collect();
            let available = Available::new(
                self.store.started_per_opening(Some(&opening_ids)).await?,
                self.store
                    .unavailable_participants(Some(&participant_ids))
                    .await?,
            );
            let profiles: Vec<(Id, Option<Profile>)> = participant_ids
                .into_iter()
                .map(|id| (id, profiles.remove(&id)))
                .collect();
            // Learning from outcomes: every change to an opening may be a placement's step.
            let counts = match learning::learns(&self.profile) && !openings.is_empty() {
                true => Some(self.store.placement_counts().await?),
                false => None,
            };
            let taxonomy = self.taxonomy();
            let changes = {
                let mut p = self.projection.write();
                let mut changes = Vec::with_capacity(openings.len());
                for (id, opening) in &openings {
                    match opening {
                        // The index holds the open openings only, as the projection does.
                        // A full opening stays searchable but leaves matching.
                        Some(o) if o.status == OpeningStatus::Open => {
                            if available.opening(o) {
                                p.upsert_opening(o, &taxonomy);
                            } else {
                                p.remove_opening(o.id);
                            }
                            changes.push(IndexChange::Upsert(features::indexed_opening(o)));
                        }
                        _ => {
                            p.remove_opening(*id);
                            changes.push(IndexChange::Delete(*id));
                        }
                    }
                }
                if let Some(counts) = &counts {
                    // An employer's record is shared by all its openings: refresh them all.
                    let employers: std::collections::BTreeSet<Id> = openings
                        .iter()
                        .filter_map(|(_, o)| o.as_ref().map(|o| o.employer_id))
                        .collect();
                    learning::apply_track_records(&mut p, counts, Some(&employers));
                }
                for (id, profile) in &profiles {
                    match profile {
                        Some(profile) if available.participant(*id) => {
                            p.upsert_participant(*id, profile, &taxonomy)
                        }
                        _ => p.remove_participant(*id),
                    }
                }
                changes
            };
            if let Some(index) = &index {
                index.apply(changes, last)?;
            }
            self.applied.send_replace(last);
            self.note_changed_openings(&opening_ids);
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
            // After the batch is searchable, so writers waiting for it are not held up.
            if let Err(e) = engine.find_alerts().await {
                tracing::warn!(error = %e, "finding alerts failed; those changes alert no one");
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

/// Opens the index under `dir`, creating it if missing; `None` if it is unusable (damaged,
/// or of another schema), to be rebuilt beside it. A locked one belongs to a running process
/// and is an error. Leftovers of a rebuild cut short are removed: a rebuild starts afresh.
pub fn open_index(dir: &Path) -> Result<Option<OpeningIndex>> {
    remove_if_present(&sibling(dir, "next"))?;
    remove_if_present(&sibling(dir, "old"))?;
    match OpeningIndex::open_or_create(dir) {
        Ok(index) => Ok(Some(index)),
        Err(e @ IndexError::Open { .. }) => {
            tracing::warn!(error = %e, dir = %dir.display(), "index unusable; it will be rebuilt from the database");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Builds the open openings of the database, as of its outbox head, into a fresh index in the
/// directory beside `index_dir` (`index.next`), committed and closed, ready for [`swap_in`].
async fn build_beside(store: &Store, index_dir: &Path) -> Result<std::path::PathBuf> {
    let next_dir = sibling(index_dir, "next");
    let head = store.outbox_head().await?;
    let mut openings = Vec::new();
    store
        .openings_in_pages(|page| openings.extend(page))
        .await?;
    remove_if_present(&next_dir)?;
    rebuild_index(&OpeningIndex::open_or_create(&next_dir)?, &openings, head)?;
    Ok(next_dir)
}

/// `index` → `index.next`: a directory beside `dir` for a rebuild's stages.
fn sibling(dir: &Path, stage: &str) -> std::path::PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(stage);
    dir.with_file_name(name)
}

fn remove_if_present(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(InternalError::Index(IndexError::Io(e)).into()),
    }
}

/// Puts the built index at `next` in the place of the one at `live`: the old directory is
/// renamed aside, the new one renamed in, the old one removed. A crash in between leaves
/// `live` missing or stale, and the next start rebuilds; it never leaves a mix. The
/// repository's `index/.gitkeep` moves with the directory.
fn swap_in(next: &Path, live: &Path) -> Result<()> {
    let io = |e: std::io::Error| InternalError::Index(IndexError::Io(e));
    let old = sibling(live, "old");
    if live.join(".gitkeep").exists() {
        std::fs::write(next.join(".gitkeep"), b"").map_err(io)?;
    }
    match std::fs::rename(live, &old) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e).into()),
    }
    std::fs::rename(next, live).map_err(io)?;
    remove_if_present(&old)
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
    // Refused if a running server holds the index; it rebuilds its own.
    drop(open_index(index_dir)?);
    let next_dir = build_beside(store, index_dir).await?;
    swap_in(&next_dir, index_dir)?;
    Ok(OpeningIndex::open_or_create(index_dir)?.num_docs())
}

/// What placements and statuses leave out of matching: openings whose every place a started
/// placement has taken, and participants placed or settled (job, studies, left).
struct Available {
    started: std::collections::HashMap<Id, i64>,
    unavailable: std::collections::HashSet<Id>,
}

impl Available {
    fn new(started: Vec<(Id, i64)>, unavailable: Vec<Id>) -> Self {
        Available {
            started: started.into_iter().collect(),
            unavailable: unavailable.into_iter().collect(),
        }
    }

    /// An opening with a place free; one without starts is never full, whatever its places.
    fn opening(&self, o: &Opening) -> bool {
        self.started
            .get(&o.id)
            .is_none_or(|&n| o.free_places(n) > 0)
    }

    fn participant(&self, id: Id) -> bool {
        !self.unavailable.contains(&id)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::WeightProfile;
    use crate::service::{Caller, SearchRequest, Secret, ServiceError};
    use crate::store::Op;
    use crate::taxonomy::Taxonomy;

    async fn engine_over(dir: &Path, store: &Store) -> Arc<Engine> {
        Engine::open(
            store.clone(),
            &dir.join("index"),
            Arc::new(Taxonomy::embedded().expect("taxonomy")),
            WeightProfile::default(),
            Secret::from_text("a key of sixteen or more").expect("secret"),
        )
        .await
        .expect("engine")
    }

    /// The status once the index is in service, failing after 30 s.
    async fn ready(engine: &Engine, caller: &Caller) -> crate::service::Status {
        for _ in 0..3000 {
            let status = engine.status(caller).await.expect("status");
            if status.index_ready {
                return status;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the index was not rebuilt within 30 s");
    }

    fn everything() -> SearchRequest {
        SearchRequest {
            text: None,
            kind: None,
            municipality: None,
            occupation: None,
            page: 1,
            per_page: 1,
        }
    }

    /// On a current-thread runtime the rebuild spawned by `Engine::open` cannot have run before
    /// the first request below: the damaged index is out of service, not answering partly.
    #[tokio::test]
    async fn a_damaged_index_answers_rebuilding_until_the_one_built_beside_it_is_swapped_in() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open_sqlite_file(&dir.path().join("jobmatch.db"))
            .await
            .expect("store");
        let taxonomy = Taxonomy::embedded().expect("taxonomy");
        let file = crate::demo::generate(&taxonomy, crate::demo::SEED, crate::startup::today());
        let batch = file.to_batch(&taxonomy).expect("batch");
        crate::service::import_into(&store, &batch)
            .await
            .expect("import");
        let open = store.counts().await.expect("counts").open_openings;
        let caller = Caller::system("test");
        {
            // Imported before any index existed: the first start builds it the same way.
            let engine = engine_over(dir.path(), &store).await;
            assert!(engine.search(&caller, everything()).await.is_err());
            ready(&engine, &caller).await;
            let page = engine.search(&caller, everything()).await.expect("search");
            assert_eq!(page.total as i64, open);
        }

        std::fs::write(dir.path().join("index/meta.json"), b"{ damaged").expect("damage");
        let engine = engine_over(dir.path(), &store).await;
        let err = engine.search(&caller, everything()).await.expect_err("503");
        assert!(matches!(err, ServiceError::IndexRebuilding), "{err}");
        let status = ready(&engine, &caller).await;
        assert_eq!(status.indexed_openings as i64, open);
        assert_eq!(status.index_applied, status.outbox_head);
        let page = engine.search(&caller, everything()).await.expect("search");
        assert_eq!(page.total as i64, open);
        assert!(!dir.path().join("index.next").exists());
        assert!(!dir.path().join("index.old").exists());
    }

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
