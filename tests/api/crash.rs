//! The server killed with SIGKILL at random moments while clients write: every write that got
//! a 2xx is in the database, and after the last restart the index converges on exactly the
//! stored openings. `JOBMATCH_KILL_CYCLES` sets the number of kills (10 by default).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cli::{create_employer, serve_binary, token_create};
use crate::helpers::*;

/// A word no other opening contains: letters only, all of one length, so that no word is the
/// first part of another (search finds a compound by its first part).
fn word(n: usize) -> String {
    let mut n = n;
    let mut w = String::from("krasch");
    for _ in 0..4 {
        w.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    w
}

async fn acknowledged_writes_survive_sigkill_and_the_index_converges() {
    let cycles: usize = std::env::var("JOBMATCH_KILL_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = token_create(&data, &["--role", "matcher"]);
    let client = reqwest::Client::new();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261201);
    let mut employer: Option<i64> = None;
    // (id, unique word, whether its close was acknowledged too)
    let mut acknowledged: Vec<(i64, String, bool)> = Vec::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..cycles {
        let (mut child, addr, _log) = serve_binary(&data);
        let employer_id = match employer {
            Some(id) => id,
            None => *employer.insert(create_employer(&client, &addr, &token, "Krasch AB").await),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (client, token, addr) = (client.clone(), token.clone(), addr.clone());
                let (stop, next) = (Arc::clone(&stop), Arc::clone(&next));
                tokio::spawn(async move {
                    let mut acked = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let w = word(next.fetch_add(1, Ordering::Relaxed));
                        let mut body = warehouse_opening(employer_id);
                        body["title"] = json!(format!("Lagerjobb {w}"));
                        let sent = client
                            .post(format!("http://{addr}/v1/openings"))
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await;
                        let Ok(r) = sent else { break };
                        if r.status() != StatusCode::CREATED {
                            continue;
                        }
                        let Ok(v) = r.json::<Value>().await else {
                            continue;
                        };
                        let id = v["id"].as_i64().unwrap();
                        acked.push((id, w, false));
                        // Every fifth is closed again, so "exactly the open ones" is tested.
                        if acked.len() % 5 == 0 {
                            let closed = client
                                .delete(format!("http://{addr}/v1/openings/{id}"))
                                .bearer_auth(&token)
                                .send()
                                .await;
                            if closed.is_ok_and(|r| r.status() == StatusCode::OK) {
                                acked.last_mut().unwrap().2 = true;
                            }
                        }
                    }
                    acked
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..400))).await;
        child.kill().unwrap();
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            acknowledged.extend(w.await.unwrap());
        }
    }
    assert!(
        acknowledged.len() >= cycles,
        "the clients wrote between kills: {}",
        acknowledged.len()
    );

    let restarted = std::time::Instant::now();
    let app = spawn_app_in(&data).await;
    // The last start resumed from the index's commit; it converges without a local write.
    let mut status = app.ready_status().await;
    for _ in 0..500 {
        if status["index_lag"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        status = app.status().await;
    }
    assert_eq!(status["index_lag"], 0, "{status}");
    let converged = restarted.elapsed();
    assert_eq!(
        status["indexed_openings"], status["open_openings"],
        "{status}"
    );
    // Whether each acknowledged opening is open as stored: a close cut off by a kill may have
    // committed without its answer, so the database, not the client, says what search owes.
    let mut stored_open = Vec::with_capacity(acknowledged.len());
    for (id, w, closed) in &acknowledged {
        let o = app.get_json(&format!("/v1/openings/{id}")).await;
        assert_eq!(
            o["title"],
            format!("Lagerjobb {w}"),
            "acknowledged opening {id}"
        );
        if *closed {
            assert_eq!(o["status"], "closed", "acknowledged close of {id}");
        }
        stored_open.push(o["status"] == "open");
    }
    let stored = status["openings"].as_i64().unwrap();
    let open = status["open_openings"].as_i64().unwrap();
    let closes = acknowledged.iter().filter(|(_, _, closed)| *closed).count();
    assert!(stored >= acknowledged.len() as i64);
    assert!(open <= stored - closes as i64, "{status}");
    let found = app.get_json("/v1/openings?q=lagerjobb&per_page=1").await;
    assert_eq!(
        found["total"].as_i64().unwrap(),
        open,
        "search finds exactly the open openings"
    );
    let sample = acknowledged.len().div_ceil(40);
    for ((id, w, _), open) in acknowledged.iter().zip(&stored_open).step_by(sample) {
        let hit = app.get_json(&format!("/v1/openings?q={w}")).await;
        if !open {
            assert_eq!(hit["total"], 0, "closed {id} is not found by {w}");
        } else {
            assert_eq!(hit["openings"][0]["opening_id"], *id, "search for {w}");
        }
    }
    println!(
        "{} after {cycles} kills: {} writes acknowledged ({closes} of them closes too), none \
         lost, {stored} stored, {open} open; converged {converged:?} after the last restart",
        crate::helpers::backend_name(),
        acknowledged.len() + closes,
    );
    app.stop().await;
}

on_both_backends!(acknowledged_writes_survive_sigkill_and_the_index_converges,);
