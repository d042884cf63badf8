//! Several instances on one PostgreSQL database, as a city's shared deployment runs: two real
//! `jobmatch serve` processes, each with its own data directory (index and projection),
//! following the one outbox. A write through either is seen by both, a token made beside one
//! works on the other, and a write whose transaction commits late, after later ones, is still
//! applied by every instance.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::cli::{create_employer, serve_binary, token_create};
use crate::helpers::*;

/// One running `jobmatch serve` process.
struct Instance {
    child: std::process::Child,
    addr: String,
    _log: std::thread::JoinHandle<String>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn start(data: &std::path::Path) -> Instance {
    let (child, addr, log) = serve_binary(data);
    Instance {
        child,
        addr,
        _log: log,
    }
}

async fn get(client: &Client, at: &Instance, token: &str, path: &str) -> (StatusCode, Value) {
    let r = client
        .get(format!("http://{}{path}", at.addr))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn post(client: &Client, at: &Instance, token: &str, path: &str, body: &Value) -> Value {
    let r = client
        .post(format!("http://{}{path}", at.addr))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "POST {path}");
    r.json().await.unwrap()
}

/// Polls `path` on `at` until `found` holds of the answer, for at most 5 s, and returns how
/// long it took.
async fn within_lag(
    client: &Client,
    at: &Instance,
    token: &str,
    path: &str,
    found: impl Fn(&Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = get(client, at, token, path).await;
        if status == StatusCode::OK && found(&body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} on {} did not show the change within 5 s: {body}",
            at.addr
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn total(body: &Value) -> i64 {
    body["total"].as_i64().unwrap_or(-1)
}

async fn two_instances_share_one_database_and_each_follows_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let (a_dir, b_dir) = (dir.path().join("a"), dir.path().join("b"));
    let matcher = token_create(&a_dir, &["--role", "matcher"]);
    let coach = token_create(&a_dir, &["--role", "coach", "--name", "Coach Al"]);
    let (a, b) = (start(&a_dir), start(&b_dir));
    let client = Client::new();

    // Written through A, seen by B: search, suggestions and candidates.
    let employer = create_employer(&client, &a.addr, &matcher, "Delad AB").await;
    let mut body = warehouse_opening(employer);
    body["title"] = json!("Lagerarbetare delatlager");
    let opening = post(&client, &a, &matcher, "/v1/openings", &body).await["id"]
        .as_i64()
        .unwrap();
    let participant =
        post(&client, &a, &coach, "/v1/participants", &participant_body()).await["id"]
            .as_i64()
            .unwrap();
    let lag = within_lag(&client, &b, &matcher, "/v1/openings?q=delatlager", |v| {
        total(v) == 1 && v["openings"][0]["opening_id"] == opening
    })
    .await;
    let suggested = format!("/v1/participants/{participant}/suggestions");
    within_lag(&client, &b, &coach, &suggested, |v| {
        v["suggestions"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["opening_id"] == opening))
    })
    .await;
    // Changed through A after B presented it: B presents it as it is now.
    body["title"] = json!("Lagerarbetare nyttlager");
    let changed = client
        .put(format!("http://{}/v1/openings/{opening}", a.addr))
        .bearer_auth(&matcher)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    within_lag(&client, &b, &matcher, "/v1/openings?q=lagerarbetare", |v| {
        total(v) == 1 && v["openings"][0]["title"] == "Lagerarbetare nyttlager"
    })
    .await;
    within_lag(&client, &b, &coach, &suggested, |v| {
        v["suggestions"].as_array().is_some_and(|s| {
            s.iter()
                .any(|s| s["opening_id"] == opening && s["title"] == "Lagerarbetare nyttlager")
        })
    })
    .await;
    within_lag(
        &client,
        &b,
        &matcher,
        &format!("/v1/openings/{opening}/candidates"),
        |v| {
            v["candidates"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["participant_id"] == participant))
        },
    )
    .await;

    // A token made beside B works on A at once, and its revocation too.
    let second = token_create(&b_dir, &["--role", "matcher", "--name", "Matcher B"]);
    assert_eq!(
        get(&client, &a, &second, "/v1/status").await.0,
        StatusCode::OK
    );
    let revoked = crate::cli::jobmatch()
        .args(["token", "revoke", "--data-dir"])
        .arg(&b_dir)
        .arg(&second)
        .output()
        .unwrap();
    assert!(revoked.status.success());
    for at in [&a, &b] {
        let (status, _) = get(&client, at, &second, "/v1/status").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    // A write through A whose transaction stays open after it queued its outbox row, while
    // later writes through B commit and are applied: a cursor over insertion order would step
    // past it. The trigger below holds exactly that write open for two seconds.
    let url = database_url().expect("a PostgreSQL test");
    let mut db = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE FUNCTION hold_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           IF EXISTS (SELECT 1 FROM openings WHERE id = NEW.entity_id AND title LIKE 'Långsam%') \
           THEN PERFORM pg_sleep(2); END IF; RETURN NULL; END; $$; \
         CREATE TRIGGER hold_slow AFTER INSERT ON outbox FOR EACH ROW \
           WHEN (NEW.entity = 'opening') EXECUTE FUNCTION hold_slow();",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let slow = {
        let (client, matcher, addr) = (client.clone(), matcher.clone(), a.addr.clone());
        let mut body = warehouse_opening(employer);
        body["title"] = json!("Långsam lagerkvist");
        tokio::spawn(async move {
            let r = client
                .post(format!("http://{addr}/v1/openings"))
                .bearer_auth(&matcher)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut fast = Vec::new();
    for n in 0..3 {
        let mut body = warehouse_opening(employer);
        body["title"] = json!(format!("Snabb lagerkvick{n}"));
        fast.push(
            post(&client, &b, &matcher, "/v1/openings", &body).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for at in [&a, &b] {
        within_lag(&client, at, &matcher, "/v1/openings?q=snabb", |v| {
            total(v) == 3
        })
        .await;
        let (_, held) = get(&client, at, &matcher, "/v1/openings?q=lagerkvist").await;
        assert_eq!(total(&held), 0, "still uncommitted: {held}");
    }
    let slow = slow.await.unwrap();
    let (inserted_first,): (bool,) = sqlx::query_as(
        "SELECT (SELECT MIN(id) FROM outbox WHERE entity_id = $1) \
              < (SELECT MIN(id) FROM outbox WHERE entity_id = $2)",
    )
    .bind(slow)
    .bind(fast[0])
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(
        inserted_first,
        "the held write queued its row before the later ones"
    );
    let mut lags = vec![lag];
    for at in [&a, &b] {
        lags.push(
            within_lag(&client, at, &matcher, "/v1/openings?q=lagerkvist", |v| {
                total(v) == 1 && v["openings"][0]["opening_id"] == slow
            })
            .await,
        );
    }

    // Each instance reports itself, the shared head and its own lag.
    let (_, sa) = get(&client, &a, &matcher, "/v1/status").await;
    let (_, sb) = get(&client, &b, &matcher, "/v1/status").await;
    assert_ne!(sa["instance"], sb["instance"]);
    assert_eq!(sa["database"], "postgres");
    assert_eq!(sa["outbox_head"], sb["outbox_head"]);
    for s in [&sa, &sb] {
        assert_eq!(s["index_lag"], 0, "{s}");
        assert_eq!(s["indexed_openings"], 5, "{s}");
    }
    println!("two instances: a write through one reached the other within {lags:?}");
}

#[tokio::test]
async fn two_instances() {
    on(
        Backend::Postgres,
        two_instances_share_one_database_and_each_follows_every_write(),
    )
    .await
}
