//! Carries out the runbook commands `update` asks for, off the UI task: reading and saving
//! progress, reading a runbook file, fetching one linked by URL, appending to the audit log,
//! and running steps with their output streamed back as events.

use tokio::sync::{mpsc, oneshot};

use super::exec::{self, Stream};
use super::fetch;
use super::library::load_named;
use super::progress;
use crate::command::RunbookCommand;
use crate::event::{Event, RunbookResult};
use crate::journal;

/// Lines buffered between a running step and the forwarder.
const LINE_BUFFER: usize = 256;

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok()
}

/// Runs one runbook command to completion and sends its results to `tx`. `cancel` stops a
/// running step (its whole process group); other commands ignore it. `KillStep` is handled by
/// whoever holds the run's cancel sender, so it does nothing here.
pub async fn perform(
    command: RunbookCommand,
    tx: mpsc::Sender<Event>,
    cancel: oneshot::Receiver<()>,
) {
    let send = |result: RunbookResult| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(Event::Runbook(Box::new(result))).await;
        }
    };
    match command {
        RunbookCommand::LoadProgress { path } => {
            let file = path.clone();
            let outcome = blocking(move || progress::load(&file))
                .await
                .unwrap_or_else(|| Err(std::io::Error::other("reader task failed")))
                .map_err(|e| e.to_string());
            send(RunbookResult::ProgressLoaded { path, outcome }).await;
        }
        RunbookCommand::SaveProgress { path, progress } => {
            let file = path.clone();
            let saved = blocking(move || progress::save(&file, &progress)).await;
            if let Some(Err(error)) = saved {
                tracing::warn!(path = %path.display(), %error, "runbook progress not saved");
            }
        }
        RunbookCommand::LoadRunbook { path, trusted_dirs } => {
            let file = path.clone();
            let outcome = blocking(move || load_named(&file, &trusted_dirs))
                .await
                .map_or_else(
                    || Err("reader task failed".to_string()),
                    |r| r.map(Box::new).map_err(|e| e.to_string()),
                );
            send(RunbookResult::RunbookLoaded { path, outcome }).await;
        }
        RunbookCommand::FetchRunbook { url } => {
            let outcome = fetch::fetch(&url, fetch::FETCH_TIMEOUT).await.map(Box::new);
            if let Err(error) = &outcome {
                tracing::warn!(%url, %error, "runbook not fetched");
            }
            send(RunbookResult::RunbookFetched { url, outcome }).await;
        }
        RunbookCommand::Audit { path, entry } => {
            let file = path.clone();
            let written = blocking(move || journal::append(&file, &entry)).await;
            if let Some(Err(error)) = written {
                tracing::error!(path = %path.display(), %error, "audit entry not written");
            }
        }
        RunbookCommand::RunStep { run_id, spec } => {
            let (lines_tx, mut lines_rx) = mpsc::channel::<(Stream, String)>(LINE_BUFFER);
            let forward = async {
                while let Some((stream, line)) = lines_rx.recv().await {
                    // A step that prints a token ondeck holds shows *** instead.
                    let line = crate::secrets::mask(&line).into_owned();
                    send(RunbookResult::StepOutput {
                        run_id,
                        stream,
                        line,
                    })
                    .await;
                }
            };
            let (finished, ()) = tokio::join!(exec::run(&spec, lines_tx, cancel), forward);
            tracing::info!(run_id, status = %finished.status.describe(), "runbook step finished");
            send(RunbookResult::StepFinished { run_id, finished }).await;
        }
        // The app holds the run's cancel sender and handles this itself.
        RunbookCommand::KillStep { .. } => {}
    }
}
