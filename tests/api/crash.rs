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
    let mut acknowledged: Vec<(i64, String)> = Vec::new();
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
                        if let Ok(v) = r.json::<Value>().await {
                            acked.push((v["id"].as_i64().unwrap(), w));
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

    let app = spawn_app_in(&data).await;
    // The last start resumed from the index's commit; it converges without a local write.
    let mut status = app.status().await;
    for _ in 0..500 {
        if status["index_lag"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        status = app.status().await;
    }
    assert_eq!(status["index_lag"], 0, "{status}");
    assert_eq!(
        status["indexed_openings"], status["open_openings"],
        "{status}"
    );
    for (id, w) in &acknowledged {
        let o = app.get_json(&format!("/v1/openings/{id}")).await;
        assert_eq!(
            o["title"],
            format!("Lagerjobb {w}"),
            "acknowledged opening {id}"
        );
    }
    let stored = status["openings"].as_i64().unwrap();
    assert!(stored >= acknowledged.len() as i64);
    let found = app.get_json("/v1/openings?q=lagerjobb&per_page=1").await;
    assert_eq!(
        found["total"].as_i64().unwrap(),
        stored,
        "search finds every stored opening"
    );
    for (id, w) in acknowledged.iter().step_by(acknowledged.len().div_ceil(25)) {
        let hit = app.get_json(&format!("/v1/openings?q={w}")).await;
        assert_eq!(hit["openings"][0]["opening_id"], *id, "search for {w}");
    }
    println!(
        "{cycles} kills: {} writes acknowledged, none lost, {stored} stored",
        acknowledged.len()
    );
    app.stop().await;
}

on_both_backends!(acknowledged_writes_survive_sigkill_and_the_index_converges,);
