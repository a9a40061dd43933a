//! `hashbank exchange add|list|pause|resume|remove`: operators make this
//! bank follow other banks' feeds (its sources); and the follower that
//! `hashbank serve` runs for them: it pulls each active source's feed from
//! its saved cursor, applies each page in one write with the cursor
//! (`Bank::apply_exchange_page`), and sends the reports and outcomes of
//! this bank's platforms on hashes held only from a source to that source.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use client::{ApiKey, BankClient, ClientError};
use hashbank_bank::{Bank, Forward, ForwardKind, Outcome, Settings, Source};

use crate::bank_args::{runtime, DatabaseArgs};

/// Options of `hashbank exchange`.
#[derive(Args, Debug)]
pub struct ExchangeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(subcommand)]
    action: ExchangeAction,
}

#[derive(Subcommand, Debug)]
enum ExchangeAction {
    /// Follow another bank's feed (a source) with a platform key it issued
    /// to this bank: `hashbank serve` puts its hashes on this bank's feed.
    Add {
        /// The source's name here (letters, digits, dots, dashes,
        /// underscores); forwarded reports' content references start with it.
        name: String,
        /// The source bank's URL (https://, or http:// to this machine).
        #[arg(long = "from", value_name = "URL")]
        from: String,
        /// A file whose first line is the platform key the source issued.
        /// The key is kept in this bank's database (it must be sent).
        #[arg(long, value_name = "FILE")]
        key_file: PathBuf,
    },
    /// List sources: name, URL, hashes held, last fetch, lag, last error,
    /// paused.
    List,
    /// Stop fetching from a source for now (its hashes stay).
    Pause {
        /// The source's name.
        name: String,
    },
    /// Fetch from a paused source again.
    Resume {
        /// The source's name.
        name: String,
    },
    /// Stop following a source: the hashes held only from it leave
    /// matching and go off this bank's feed as deletions.
    Remove {
        /// The source's name.
        name: String,
    },
}

/// Runs the exchange command.
pub fn run(args: ExchangeArgs) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        let bank = match args.action {
            ExchangeAction::List => args.db.open_to_read().await?,
            _ => args.db.open(Settings::default()).await?,
        };
        match args.action {
            ExchangeAction::Add {
                name,
                from,
                key_file,
            } => {
                let key = ApiKey::from_file(&key_file)?;
                if !client::is_url(&from) {
                    anyhow::bail!("{from}: not a bank URL (give https://HOST)");
                }
                if client::sends_in_clear(&from) {
                    anyhow::bail!(
                        "{from}: the key would cross the network in clear over http://; use https://"
                    );
                }
                bank.add_exchange(&name, &from, key.expose()).await?;
                eprintln!(
                    "hashbank: exchange {name:?} added: `hashbank serve` follows {from}'s feed"
                );
            }
            ExchangeAction::List => {
                let sources = bank.list_exchanges().await?;
                println!(
                    "{:<20}  {:<32}  {:>8}  {:<20}  {:>8}  {:<6}  {:>8}  error",
                    "name", "url", "hashes", "fetched", "lag", "paused", "forwards"
                );
                for s in sources {
                    println!(
                        "{:<20}  {:<32}  {:>8}  {:<20}  {:>8}  {:<6}  {:>8}  {}",
                        s.name,
                        s.url,
                        s.hashes,
                        s.fetched_at.as_deref().unwrap_or("-"),
                        s.lag.map_or("-".to_string(), |l| l.to_string()),
                        if s.paused { "yes" } else { "no" },
                        s.pending_forwards,
                        match (&s.error, &s.error_at) {
                            (Some(e), Some(at)) => format!("{at}: {e}"),
                            (Some(e), None) => e.clone(),
                            _ => "-".to_string(),
                        }
                    );
                }
            }
            ExchangeAction::Pause { name } => {
                bank.pause_exchange(&name, true).await?;
                eprintln!("hashbank: exchange {name:?} paused");
            }
            ExchangeAction::Resume { name } => {
                bank.pause_exchange(&name, false).await?;
                eprintln!("hashbank: exchange {name:?} resumed");
            }
            ExchangeAction::Remove { name } => {
                let hashes = bank.remove_exchange(&name).await?;
                eprintln!(
                    "hashbank: exchange {name:?} removed; the {hashes} hashes held from it are \
                     off matching and the feed unless a case or another source holds them"
                );
            }
        }
        bank.db().close().await;
        Ok(0)
    })
}

/// Feed entries asked per page from a source, the most a feed gives: each
/// page is one write here, and a random-id insert costs most in the pages
/// it dirties, so larger writes cost less per hash (a page holds this
/// bank's write lock for about a second at a million hashes).
const PAGE: u32 = 10_000;
/// Pages applied from one source per round, before the others get theirs.
const PAGES_PER_ROUND: usize = 5;
/// The largest answer read from a source (a page of videos can be large;
/// past it, the page is asked again smaller).
const MAX_ANSWER_BYTES: u64 = 64 << 20;
/// The longest wait between tries after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Forwards sent to one source per round.
const FORWARDS_PER_ROUND: i64 = 100;
/// Tries of a forward the source refuses outright (not a failure that may
/// pass) before it is given up.
const MAX_FORWARD_TRIES: i64 = 20;

/// How a source has been doing.
struct Follow {
    failures: u32,
    next: Instant,
    limit: u32,
}

/// `interval` doubled per failure, up to [`MAX_BACKOFF`].
fn backoff(interval: Duration, failures: u32) -> Duration {
    interval
        .saturating_mul(1u32 << failures.min(16))
        .min(MAX_BACKOFF)
}

/// Follows every active source every `interval`, forever (until the task
/// is dropped): what `hashbank serve` runs beside the server. A failure is
/// recorded on its source and retried with backoff.
pub async fn follow(bank: Arc<Bank>, interval: Duration) {
    while !bank.matcher().is_ready() {
        tokio::time::sleep(interval).await;
    }
    let mut state: HashMap<i64, Follow> = HashMap::new();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A source that had more to give than a round takes is read again
    // at once, not at the next tick.
    let mut more = false;
    loop {
        if !more {
            ticker.tick().await;
        }
        more = false;
        let sources = match bank.active_sources().await {
            Ok(sources) => sources,
            Err(err) => {
                tracing::warn!(error = %err, "reading the exchanges failed");
                continue;
            }
        };
        for source in sources {
            let follow = state.entry(source.id).or_insert(Follow {
                failures: 0,
                next: Instant::now(),
                limit: PAGE,
            });
            if Instant::now() < follow.next {
                continue;
            }
            match fetch(&bank, source.clone(), follow.limit).await {
                Ok(left) => {
                    more |= left;
                    follow.failures = 0;
                    follow.limit = PAGE;
                }
                Err(err) => {
                    follow.failures += 1;
                    let wait = backoff(interval, follow.failures);
                    follow.next = Instant::now() + wait;
                    if err.to_string().contains("an answer over") {
                        follow.limit = (follow.limit / 4).max(1);
                    }
                    let text = format!("{err:#}");
                    tracing::warn!(
                        exchange = %source.name,
                        error = %text,
                        retry_in_ms = wait.as_millis() as u64,
                        "fetching from a source failed"
                    );
                    if let Err(err) = bank.exchange_failed(&source, &text).await {
                        tracing::warn!(error = %err, "recording an exchange's error failed");
                    }
                }
            }
            send_forwards(&bank, &source, interval).await;
        }
    }
}

/// A client of `source`, trying each request once (the follower retries).
fn client_of(source: &Source) -> Result<BankClient, ClientError> {
    Ok(
        BankClient::new(&source.url, ApiKey::new(source.key.clone()))?
            .with_attempts(1)
            .with_max_answer_bytes(MAX_ANSWER_BYTES),
    )
}

/// Starts `call` with a client of `source` on a blocking thread (the
/// client is a blocking one, made and dropped there).
fn spawn_client<T: Send + 'static>(
    source: &Source,
    call: impl FnOnce(&BankClient) -> Result<T, ClientError> + Send + 'static,
) -> tokio::task::JoinHandle<Result<T, ClientError>> {
    let source = source.clone();
    tokio::task::spawn_blocking(move || client_of(&source).and_then(|c| call(&c)))
}

/// Runs `call` with a client of `source` ([`spawn_client`]) to its end.
async fn with_client<T: Send + 'static>(
    source: &Source,
    call: impl FnOnce(&BankClient) -> Result<T, ClientError> + Send + 'static,
) -> anyhow::Result<Result<T, ClientError>> {
    spawn_client(source, call)
        .await
        .context("the exchange's request task failed")
}

/// Asks `source` for a page of its feed after `after` ([`spawn_client`]).
fn request_page(
    source: &Source,
    after: i64,
    limit: u32,
) -> tokio::task::JoinHandle<Result<hashbank_bank::FeedPage, ClientError>> {
    spawn_client(source, move |c| c.feed_page(after, limit))
}

/// Pulls and applies pages of `source`'s feed until it has no more (or
/// this round's share is used); true when it has more. The next page is
/// asked for while one is applied, so that the source's work and the
/// network overlap this bank's writing.
async fn fetch(bank: &Bank, mut source: Source, limit: u32) -> anyhow::Result<bool> {
    let mut next = Some(request_page(&source, source.cursor, limit));
    for round in 0..PAGES_PER_ROUND {
        let Some(asked) = next.take() else { break };
        let page = asked
            .await
            .context("the exchange's request task failed")??;
        if let Some(head) = page.head_cursor.filter(|&h| h < source.cursor) {
            let text = format!(
                "the source's feed ends at cursor {head}, before this bank's cursor {} \
                 (was it restored from a backup?): reading it again from 0",
                source.cursor
            );
            tracing::warn!(exchange = %source.name, "{text}");
            bank.exchange_reread(&source, &text).await?;
            return Ok(false);
        }
        if page.entries.is_empty() {
            bank.exchange_fetched(&source, &page).await?;
            return Ok(false);
        }
        let last = !page.more || round + 1 == PAGES_PER_ROUND;
        // Asked before this page is applied; left unread when applying
        // fails or is skipped.
        if !last {
            next = Some(request_page(&source, page.next_cursor, limit));
        }
        let applied = bank.apply_exchange_page(&source, &page).await?;
        if applied.skipped {
            return Ok(false);
        }
        tracing::info!(
            exchange = %source.name,
            added = applied.added,
            deleted = applied.deleted,
            looped = applied.looped,
            refused = applied.refused,
            cursor = page.next_cursor,
            "applied a page of a source's feed"
        );
        source.cursor = page.next_cursor;
        if last {
            return Ok(page.more);
        }
    }
    Ok(true)
}

/// What became of one forward.
enum Sent {
    /// Done, with the source's report id for a report.
    Done(Option<i64>),
    /// Given up: the source will never take it.
    Dropped(String),
    /// Not yet (its report is not sent yet).
    Waiting,
    /// Failed in a way that may pass.
    Failed(String),
}

/// Sends the forwards to `source` that are due.
async fn send_forwards(bank: &Bank, source: &Source, interval: Duration) {
    let due = match bank.due_forwards(source, FORWARDS_PER_ROUND).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "reading the forwards failed");
            return;
        }
    };
    for forward in due {
        let id = forward.id;
        let tries = forward.attempts;
        let sent = send(source, forward).await;
        let recorded = match sent {
            Sent::Done(remote) => bank.forward_done(id, remote, None).await,
            Sent::Dropped(why) => {
                tracing::warn!(exchange = %source.name, "a forward given up: {why}");
                bank.forward_done(id, None, Some(&why)).await
            }
            Sent::Waiting => Ok(()),
            Sent::Failed(why) => {
                let wait = backoff(interval, (tries + 1).min(16) as u32);
                tracing::info!(exchange = %source.name, "a forward failed, retrying: {why}");
                if tries + 1 >= MAX_FORWARD_TRIES && why.starts_with("refused") {
                    bank.forward_done(id, None, Some(&why)).await
                } else {
                    bank.forward_failed(id, &why, wait).await
                }
            }
        };
        if let Err(err) = recorded {
            tracing::warn!(error = %err, "recording a forward failed");
        }
    }
}

async fn send(source: &Source, forward: Forward) -> Sent {
    let hash_id = forward.source_hash_id;
    let result = match forward.what {
        ForwardKind::Report {
            value,
            label,
            content_ref,
        } => {
            with_client(source, move |c| {
                c.report(
                    u64::try_from(hash_id).unwrap_or(u64::MAX),
                    &value,
                    label.as_deref(),
                    &content_ref,
                )
                .map(Some)
            })
            .await
        }
        ForwardKind::Outcome {
            outcome,
            remote_report,
        } => {
            let remote = match remote_report {
                None => return Sent::Waiting,
                Some(None) => return Sent::Dropped("its report was not forwarded".into()),
                Some(Some(remote)) => remote,
            };
            let Ok(outcome) = outcome.parse::<Outcome>() else {
                return Sent::Dropped(format!("unknown outcome {outcome:?}"));
            };
            with_client(source, move |c| c.outcome(remote, outcome).map(|()| None)).await
        }
    };
    match result {
        Err(err) => Sent::Failed(format!("{err:#}")),
        Ok(Ok(remote)) => Sent::Done(remote),
        // A second report of the same content: sent before (a restart
        // between sending and recording it); the answer names it (a source
        // of an older version only in its message).
        Ok(Err(ClientError::Api {
            status: 409,
            message,
            report_id,
            ..
        })) => match report_id.or_else(|| earlier_report(&message)) {
            Some(id) => Sent::Done(Some(id)),
            None => Sent::Dropped(format!("the source answered 409: {message}")),
        },
        // The source no longer has the hash (withdrawn there since).
        Ok(Err(ClientError::Api {
            status: 404,
            message,
            ..
        })) => Sent::Dropped(format!("the source answered 404: {message}")),
        Ok(Err(err @ ClientError::Api { .. })) => Sent::Failed(format!("refused: {err}")),
        Ok(Err(err)) => Sent::Failed(err.to_string()),
    }
}

/// The report id in the message of an older bank's 409 answer to a second
/// report of the same content ("... report 123").
fn earlier_report(message: &str) -> Option<i64> {
    message
        .rsplit_once("report ")
        .and_then(|(_, id)| id.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earlier_report_is_read_from_the_conflict() {
        assert_eq!(
            earlier_report("this platform already reported this content for hash 7: report 123"),
            Some(123)
        );
        assert_eq!(earlier_report("something else"), None);
    }

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let second = Duration::from_secs(1);
        assert_eq!(backoff(second, 1), Duration::from_secs(2));
        assert_eq!(backoff(second, 3), Duration::from_secs(8));
        assert_eq!(backoff(second, 40), MAX_BACKOFF);
    }
}
