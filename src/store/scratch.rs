//! [`ScratchDatabase`]: a fresh, empty PostgreSQL database on a server, dropped when the value
//! is. What the tests and benches use to give each run a database of its own, so runs on one
//! server neither see nor disturb each other (`JOBMATCH_TEST_POSTGRES` names the server in CI).
//!
//! What this module must not do: touch a database it did not create.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, ConnectOptions};

use super::StoreError;

/// A database created for one run, named `jobmatch_scratch_<pid>_<n>_<random>`, dropped (with
/// any connections still open to it) on drop.
#[derive(Debug)]
pub struct ScratchDatabase {
    server: PgConnectOptions,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates the database on the server `server_url` names (any database on it; only the
    /// connection is used).
    pub async fn create(server_url: &str) -> Result<ScratchDatabase, StoreError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let server = PgConnectOptions::from_str(server_url)?;
        let name = format!(
            "jobmatch_scratch_{}_{}_{:08x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut conn: PgConnection = server.connect().await?;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await?;
        let url = server_url_with_database(server_url, &name);
        Ok(ScratchDatabase { server, name, url })
    }

    /// The URL of the new database, for [`Store::open`](super::Store::open) or
    /// `--database-url`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// `server_url` with its path (the database name) replaced by `name`, query kept.
fn server_url_with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Drop runs outside async code's reach, possibly on a runtime's own thread: drop the
        // database from a thread of its own with a runtime of its own, and wait for it.
        let server = self.server.clone();
        let name = std::mem::take(&mut self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async move {
                let mut conn: PgConnection = server.connect().await.map_err(|e| e.to_string())?;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop a scratch database: {e}"),
            Err(_) => eprintln!("dropping a scratch database panicked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::server_url_with_database;

    #[test]
    fn the_database_name_replaces_the_path_and_keeps_the_query() {
        assert_eq!(
            server_url_with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            server_url_with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            server_url_with_database("postgresql://h", "x"),
            "postgresql://h/x"
        );
    }
}
