//! Workers for tasks that are not the runs of a plan: a calibration's
//! particles, an advice's paired runs. Task `i` of `0..n` is computed on
//! a pool of `threads` workers, and each result is handed to the calling
//! thread as soon as it is known, in any order; the caller makes the
//! result independent of that order (it keys everything by task).
//!
//! Like the runner's pool, this is one of the places that start threads
//! (see the module documentation of `sweep`).

use super::stop::Stop;
use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Computes `work(i)` for every `i` in `0..n` on `threads` workers and
/// hands each result to `done` on the calling thread. Workers take no new
/// task once `stop` is requested or `done` has failed; the tasks running
/// finish and are handed over (except after a failure). The first error of
/// `done` is returned.
pub fn run_tasks<T, W, D>(n: usize, threads: usize, stop: &Stop, work: W, mut done: D) -> Result<()>
where
    T: Send,
    W: Fn(usize) -> T + Sync,
    D: FnMut(usize, T) -> Result<()>,
{
    if n == 0 {
        return Ok(());
    }
    let threads = threads.clamp(1, n);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("profspace-task-{i}"))
        .build()
        .map_err(|e| Error::internal(format!("cannot start the worker threads: {e}")))?;
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, T)>();
    let mut error = None;
    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, failed, work) = (&next, &failed, &work);
            scope.spawn(move |_| {
                loop {
                    if stop.requested() || failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let result = work(i);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, result) in rx.iter() {
            if error.is_some() {
                continue;
            }
            if let Err(e) = done(i, result) {
                failed.store(true, Ordering::Relaxed);
                error = Some(e);
            }
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_is_done_once_whatever_the_threads() {
        for threads in [1, 2, 5] {
            let mut seen = vec![0u32; 50];
            run_tasks(
                50,
                threads,
                &Stop::new(),
                |i| i * i,
                |i, sq| {
                    assert_eq!(sq, i * i);
                    seen[i] += 1;
                    Ok(())
                },
            )
            .unwrap();
            assert!(seen.iter().all(|&c| c == 1), "{threads} threads: {seen:?}");
        }
    }

    #[test]
    fn a_failure_is_returned_and_nothing_after_it_is_handed_over() {
        let mut handed = 0;
        let err = run_tasks(
            1000,
            2,
            &Stop::new(),
            |i| i,
            |i, _| {
                handed += 1;
                if i == 3 {
                    Err(Error::internal("task 3"))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "task 3");
        assert!(handed < 1000, "results were handed over after the failure");
    }

    #[test]
    fn a_stop_request_takes_no_new_tasks() {
        let stop = Stop::new();
        stop.request(super::super::Reason::Requested);
        let mut handed = 0;
        run_tasks(
            100,
            2,
            &stop,
            |i| i,
            |_, _| {
                handed += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(handed, 0);
    }
}
