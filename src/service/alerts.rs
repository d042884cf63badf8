//! Alerts: new matches for what staff follow. A coach follows a participant or their whole
//! caseload, a job matcher a saved search; every new or changed open opening is ranked
//! against the participants followed (its candidates, as a job matcher sees them) and
//! searched with the saved searches, and what passes a subscription's threshold is recorded
//! once. `GET /v1/alerts` hands a user what is new since they last looked; a subscription with
//! a webhook also has its alerts posted there, retried with backoff, with ids, titles and
//! scores only.
//!
//! What this module must not do: put personal data in a webhook's payload, or hold up the
//! indexer: alerts are found by the follower after it has applied a batch.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::error::{InputError, InternalError, Result, ServiceError};
use super::{Caller, Engine};
use crate::index::SearchQuery;
use crate::model::{Id, OpeningKind, Role};
use crate::rank::{Context, RankOptions};
use crate::store::{AlertRecord, Delivery, NewAlert, Subscription, SubscriptionTarget};

/// Who may follow and read alerts: the unit's staff.
const FOLLOWERS: &[Role] = &[Role::Admin, Role::Coach, Role::Matcher];

/// The threshold of a subscription that names none.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Most alerts one look returns; the rest wait for the next.
pub const MAX_ALERTS: usize = 500;

/// Up to this many changed openings are ranked one by one against every participant; beyond
/// (a bulk import) each followed participant's best openings are looked through instead.
const PER_OPENING_LIMIT: usize = 256;

/// How many of a followed participant's best openings a bulk change is looked for in.
const PER_PARTICIPANT_DEPTH: usize = 200;

/// Most openings a saved search is looked through for a batch's changes.
const SEARCH_DEPTH: usize = 10_000;

/// Attempts at a webhook before it is given up; the waits between double from a second.
pub const WEBHOOK_ATTEMPTS: i64 = 8;

/// A job matcher's saved search: the search box's words and filters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub text: Option<String>,
    pub kind: Option<OpeningKind>,
    /// A kommunkod.
    pub municipality_code: Option<String>,
}

/// What a subscription follows, as asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Follow {
    Participant(Id),
    Caseload,
    /// Words and filters; the municipality as given (a code or a name).
    Search {
        text: Option<String>,
        kind: Option<OpeningKind>,
        municipality: Option<String>,
    },
}

/// A subscription as its owner sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Followed {
    pub id: Id,
    pub participant_id: Option<Id>,
    pub caseload: bool,
    pub search: Option<SavedSearch>,
    pub threshold: f64,
    pub webhook_url: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
}

/// A new match.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub record: AlertRecord,
    pub opening_title: String,
    pub opening_kind: OpeningKind,
    /// The staff's code for the participant, for a subscription to people.
    pub pseudonym: Option<String>,
}

fn followed(s: Subscription) -> Result<Followed> {
    let (participant_id, caseload, search) =
        match s.target {
            SubscriptionTarget::Participant(p) => (Some(p), false, None),
            SubscriptionTarget::Caseload => (None, true, None),
            SubscriptionTarget::Search(json) => (
                None,
                false,
                Some(serde_json::from_str(&json).map_err(|e| {
                    InternalError::Task(format!("reading saved search {}: {e}", s.id))
                })?),
            ),
        };
    Ok(Followed {
        id: s.id,
        participant_id,
        caseload,
        search,
        threshold: s.threshold,
        webhook_url: s.webhook_url,
        created_at: s.created_at,
    })
}

/// A webhook address this build can post to: plain `http://` with a host, at most 2,000
/// characters.
fn check_webhook(url: &str) -> std::result::Result<(), InputError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        InputError::invalid(
            "webhook_url",
            format!("webhook_url {url:?} is not a URL: {e}"),
        )
    })?;
    if url.len() > 2000 || parsed.scheme() != "http" || parsed.host_str().is_none() {
        return Err(InputError::invalid(
            "webhook_url",
            format!(
                "webhook_url {url:?} must be an http:// address of at most 2000 characters (put a TLS-terminating relay in front of an https endpoint)"
            ),
        ));
    }
    Ok(())
}

/// The body posted to a webhook: no names, no participant ids, no codes for people; the
/// receiver reads the alerts themselves with `GET /v1/alerts`.
#[derive(Serialize)]
struct WebhookBody {
    subscription_id: Id,
    alerts: Vec<WebhookAlert>,
}

#[derive(Serialize)]
struct WebhookAlert {
    alert_id: Id,
    opening_id: Id,
    score: f64,
    found_at: chrono::DateTime<Utc>,
}

impl Engine {
    /// Follows a participant (their coach or an admin), a coach's own caseload, or a saved
    /// search (any of the unit's staff).
    pub async fn subscribe(
        &self,
        caller: &Caller,
        follow: Follow,
        threshold: Option<f64>,
        webhook_url: Option<String>,
    ) -> Result<Followed> {
        caller.require(FOLLOWERS)?;
        let user_id = caller.user_id().ok_or_else(|| {
            InputError::invalid(
                "caller",
                "only a signed-in user can follow; the system cannot",
            )
        })?;
        let threshold = threshold.unwrap_or(DEFAULT_THRESHOLD);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(InputError::invalid(
                "threshold",
                format!("threshold must be 0 to 1, not {threshold}"),
            )
            .into());
        }
        if let Some(url) = &webhook_url {
            check_webhook(url)?;
        }
        let target = match follow {
            Follow::Participant(id) => {
                self.require_keeper(caller, id).await?;
                SubscriptionTarget::Participant(id)
            }
            Follow::Caseload => {
                if caller.role() != Role::Coach {
                    return Err(InputError::invalid(
                        "caseload",
                        "only a coach has a caseload; follow participants or a saved search",
                    )
                    .into());
                }
                SubscriptionTarget::Caseload
            }
            Follow::Search {
                text,
                kind,
                municipality,
            } => {
                let municipality_code = match municipality {
                    Some(m) => Some(
                        self.taxonomy()
                            .lookup_municipality(&m)
                            .map_err(|e| InputError::taxonomy("municipality", e))?
                            .code
                            .clone(),
                    ),
                    None => None,
                };
                let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
                if text.as_ref().is_some_and(|t| t.chars().count() > 500) {
                    return Err(InputError::invalid(
                        "q",
                        "a saved search is at most 500 characters",
                    )
                    .into());
                }
                let saved = SavedSearch {
                    text,
                    kind,
                    municipality_code,
                };
                let json = serde_json::to_string(&saved)
                    .map_err(|e| InternalError::Task(e.to_string()))?;
                SubscriptionTarget::Search(json)
            }
        };
        let stored = self
            .store
            .create_subscription(user_id, &target, threshold, webhook_url.as_deref())
            .await?;
        followed(stored)
    }

    /// The caller's own subscriptions.
    pub async fn subscriptions(&self, caller: &Caller) -> Result<Vec<Followed>> {
        caller.require(FOLLOWERS)?;
        let Some(user_id) = caller.user_id() else {
            return Ok(Vec::new());
        };
        self.store
            .subscriptions(Some(user_id))
            .await?
            .into_iter()
            .map(followed)
            .collect()
    }

    /// Stops following; its alerts go with it.
    pub async fn unsubscribe(&self, caller: &Caller, id: Id) -> Result<()> {
        caller.require(FOLLOWERS)?;
        let user_id = caller.user_id().unwrap_or(0);
        if self.store.delete_subscription(id, user_id).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found("subscription", id))
        }
    }

    /// What is new for the caller since they last looked, oldest first; once returned, an
    /// alert is looked at. Each participant named is logged as read.
    pub async fn alerts(&self, caller: &Caller, limit: usize) -> Result<Vec<Alert>> {
        caller.require(FOLLOWERS)?;
        let Some(user_id) = caller.user_id() else {
            return Ok(Vec::new());
        };
        let records = self
            .store
            .take_alerts(user_id, limit.min(MAX_ALERTS) as i64)
            .await?;
        let opening_ids: Vec<Id> = records.iter().map(|r| r.opening_id).collect();
        let openings: HashMap<Id, (String, OpeningKind)> = self
            .store
            .openings(&opening_ids)
            .await?
            .into_iter()
            .map(|o| (o.id, (o.title, o.kind)))
            .collect();
        // Only the caller's own people now: a participant moved to another coach since the
        // match was found is theirs to hear of.
        let named: BTreeSet<Id> = records.iter().filter_map(|r| r.participant_id).collect();
        let mut people: BTreeSet<Id> = BTreeSet::new();
        for p in named {
            let coach = self.store.participant_coach(p).await?;
            if coach.is_some_and(|c| caller.owns_participant(c)) {
                people.insert(p);
            }
        }
        let records: Vec<AlertRecord> = records
            .into_iter()
            .filter(|r| r.participant_id.is_none_or(|p| people.contains(&p)))
            .collect();
        self.store
            .log_reads(&caller.reads(people, "alerts"))
            .await?;
        Ok(records
            .into_iter()
            .filter_map(|record| {
                let (title, kind) = openings.get(&record.opening_id)?.clone();
                Some(Alert {
                    pseudonym: record.participant_id.map(|p| self.staff_pseudonym(p)),
                    opening_title: title,
                    opening_kind: kind,
                    record,
                })
            })
            .collect())
    }

    /// Remembers openings a batch changed, for the follower to find alerts for.
    pub(super) fn note_changed_openings(&self, ids: &[Id]) {
        if self.followers.load(std::sync::atomic::Ordering::Acquire) > 0 && !ids.is_empty() {
            self.changed_openings.lock().extend_from_slice(ids);
        }
    }

    /// Finds and records the new matches of the openings changed since the last call: each
    /// open one ranked against every participant (its candidates), kept for each subscription
    /// that follows the participant and whose threshold the score reaches; and each saved
    /// search run, kept when it finds a changed opening. Returns how many alerts were new.
    pub async fn find_alerts(self: &Arc<Self>) -> Result<u64> {
        let changed: Vec<Id> = {
            let mut pending = self.changed_openings.lock();
            let mut ids = std::mem::take(&mut *pending);
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        if changed.is_empty() {
            return Ok(0);
        }
        let subscriptions = self.store.subscriptions(None).await?;
        if subscriptions.is_empty() {
            return Ok(0);
        }
        // Who is followed, by whom and from what threshold.
        let mut follows: HashMap<Id, Vec<(Id, f64)>> = HashMap::new();
        let mut searches = Vec::new();
        for s in &subscriptions {
            match &s.target {
                SubscriptionTarget::Participant(p) => {
                    follows.entry(*p).or_default().push((s.id, s.threshold))
                }
                SubscriptionTarget::Caseload => {
                    for p in self.store.caseload(Some(s.user_id)).await? {
                        follows.entry(p).or_default().push((s.id, s.threshold));
                    }
                }
                SubscriptionTarget::Search(json) => match serde_json::from_str::<SavedSearch>(json)
                {
                    Ok(saved) => searches.push((s.id, saved)),
                    Err(e) => {
                        tracing::warn!(subscription = s.id, error = %e, "unreadable saved search")
                    }
                },
            }
        }
        let mut alerts = Vec::new();
        if !follows.is_empty() {
            let engine = Arc::clone(self);
            let changed = changed.clone();
            alerts = self
                .on_ranking_threads(move || engine.matches_of(&changed, &follows))
                .await?;
        }
        if !searches.is_empty()
            && let Ok(index) = self.index()
        {
            let changed: BTreeSet<Id> = changed.iter().copied().collect();
            for (subscription_id, saved) in searches {
                let found = index.search(&SearchQuery {
                    text: saved.text.clone(),
                    kind: saved.kind,
                    municipality_code: saved.municipality_code.clone(),
                    occupation_code: None,
                    offset: 0,
                    limit: SEARCH_DEPTH,
                });
                let found = match found {
                    Ok(found) => found,
                    Err(e) => {
                        tracing::warn!(subscription = subscription_id, error = %e, "a saved search failed");
                        continue;
                    }
                };
                alerts.extend(
                    found
                        .hits
                        .iter()
                        .filter(|(id, _)| changed.contains(id))
                        .map(|&(opening_id, relevance)| NewAlert {
                            subscription_id,
                            opening_id,
                            participant_id: None,
                            score: f64::from(relevance),
                        }),
                );
            }
        }
        if alerts.is_empty() {
            return Ok(0);
        }
        let added = self.store.insert_alerts(&alerts, Utc::now()).await?;
        if added > 0 {
            self.deliveries.notify_one();
        }
        Ok(added)
    }

    /// The matches of changed openings with followed participants, on rayon's threads.
    fn matches_of(&self, changed: &[Id], follows: &HashMap<Id, Vec<(Id, f64)>>) -> Vec<NewAlert> {
        let p = self.read_projection();
        let ctx = Context {
            profile: &self.profile,
            skill_weights: &p.keys.weights,
            today: Utc::now().date_naive(),
        };
        let mut alerts = Vec::new();
        let mut keep = |opening_id: Id, participant_id: Id, score: f32| {
            for &(subscription_id, threshold) in follows.get(&participant_id).into_iter().flatten()
            {
                if f64::from(score) >= threshold {
                    alerts.push(NewAlert {
                        subscription_id,
                        opening_id,
                        participant_id: Some(participant_id),
                        score: f64::from(score),
                    });
                }
            }
        };
        let open: Vec<Id> = changed
            .iter()
            .copied()
            .filter(|id| p.open_opening(*id).is_some())
            .collect();
        if open.len() <= PER_OPENING_LIMIT {
            let everyone = RankOptions {
                k: p.participants().len().max(1),
                include_excluded: false,
            };
            for &opening_id in &open {
                if let Some(features) = p.open_opening(opening_id) {
                    for s in p.rank_participants(features, ctx, everyone).results {
                        keep(opening_id, s.id, s.score);
                    }
                }
            }
        } else {
            let open: BTreeSet<Id> = open.into_iter().collect();
            let depth = RankOptions {
                k: PER_PARTICIPANT_DEPTH,
                include_excluded: false,
            };
            for &participant_id in follows.keys() {
                if let Some(features) = p.participants().get(participant_id) {
                    let ranking = p.rank_openings(features, None, None, ctx, depth);
                    for s in ranking.results.iter().filter(|s| open.contains(&s.id)) {
                        keep(s.id, participant_id, s.score);
                    }
                }
            }
        }
        alerts
    }

    /// Posts the alerts due to their webhooks, a subscription's together, and records what
    /// came of it: delivered, retried after a doubling wait, or given up after
    /// [`WEBHOOK_ATTEMPTS`]. Returns how many alerts were delivered.
    pub async fn deliver_alerts(&self, client: &reqwest::Client) -> Result<usize> {
        let now = Utc::now();
        let due = self.store.due_deliveries(now, 500).await?;
        let mut batches: HashMap<(Id, String), Vec<(AlertRecord, i64)>> = HashMap::new();
        for d in due {
            batches
                .entry((d.alert.subscription_id, d.webhook_url))
                .or_default()
                .push((d.alert, d.attempts));
        }
        let mut delivered = 0;
        for ((subscription_id, url), alerts) in batches {
            let body = WebhookBody {
                subscription_id,
                alerts: alerts
                    .iter()
                    .map(|(a, _)| WebhookAlert {
                        alert_id: a.id,
                        opening_id: a.opening_id,
                        score: a.score,
                        found_at: a.created_at,
                    })
                    .collect(),
            };
            let ids: Vec<Id> = alerts.iter().map(|(a, _)| a.id).collect();
            let attempts = alerts.iter().map(|(_, n)| *n).max().unwrap_or(0);
            let sent = client
                .post(&url)
                .timeout(Duration::from_secs(5))
                .json(&body)
                .send()
                .await;
            let outcome = match sent {
                Ok(r) if r.status().is_success() => {
                    delivered += ids.len();
                    Delivery::Delivered(Utc::now())
                }
                failed => {
                    let why = match failed {
                        Ok(r) => format!("answered {}", r.status()),
                        Err(e) => e.to_string(),
                    };
                    if attempts + 1 >= WEBHOOK_ATTEMPTS {
                        tracing::warn!(subscription = subscription_id, %why, "a webhook kept failing; its alerts stay readable but are no longer posted");
                        Delivery::GaveUp
                    } else {
                        tracing::info!(subscription = subscription_id, %why, attempt = attempts + 1, "a webhook failed; retrying later");
                        let wait = chrono::Duration::seconds(1 << attempts.clamp(0, 16));
                        Delivery::Retry(Utc::now() + wait)
                    }
                }
            };
            self.store.record_delivery(&ids, outcome).await?;
        }
        Ok(delivered)
    }

    /// Posts alerts to webhooks until `stop` turns true: woken when alerts are found, and
    /// every second for retries that have come due.
    pub async fn follow_deliveries(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let wake = Arc::clone(&self.deliveries);
        let engine = Arc::downgrade(&self);
        drop(self);
        let client = reqwest::Client::new();
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = wake.notified() => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            let Some(engine) = engine.upgrade() else {
                return;
            };
            if let Err(e) = engine.deliver_alerts(&client).await {
                tracing::warn!(error = %e, "delivering alerts failed; retrying");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_webhook;

    #[test]
    fn a_webhook_is_a_plain_http_address() {
        assert!(check_webhook("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_webhook("http://intranet.kommun.se/larm").is_ok());
        for bad in [
            "https://example.se/x",
            "ftp://example.se",
            "inte en adress",
            "http://",
        ] {
            assert!(check_webhook(bad).is_err(), "{bad}");
        }
    }
}
