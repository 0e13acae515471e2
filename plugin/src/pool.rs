//! The idle connections of a transport, newest first. Only bookkeeping: the
//! sync and the tokio transport each limit how many are open their own way.

use std::time::{Duration, Instant};

/// Idle connections and whether the transport was shut down.
pub(crate) struct Idle<C> {
    parked: Vec<(C, Instant)>,
    shut: bool,
}

impl<C> Default for Idle<C> {
    fn default() -> Self {
        Self {
            parked: Vec::new(),
            shut: false,
        }
    }
}

impl<C> Idle<C> {
    /// The most recently used connection idle for less than `timeout`,
    /// and every connection idle for longer, to be closed by the caller.
    pub(crate) fn take(&mut self, timeout: Duration) -> (Option<C>, Vec<C>) {
        let (fresh, expired): (Vec<_>, Vec<_>) = std::mem::take(&mut self.parked)
            .into_iter()
            .partition(|(_, since)| since.elapsed() < timeout);
        self.parked = fresh;
        let expired = expired.into_iter().map(|(c, _)| c).collect();
        (self.parked.pop().map(|(c, _)| c), expired)
    }

    /// Parks a connection for the next message; gives it back when the
    /// transport is shut down.
    pub(crate) fn put(&mut self, conn: C) -> Option<C> {
        if self.shut {
            return Some(conn);
        }
        self.parked.push((conn, Instant::now()));
        None
    }

    /// Marks the transport shut down and hands over every idle connection.
    pub(crate) fn shut(&mut self) -> Vec<C> {
        self.shut = true;
        std::mem::take(&mut self.parked)
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    }

    /// Whether the transport was shut down.
    pub(crate) fn is_shut(&self) -> bool {
        self.shut
    }

    /// How many connections are idle.
    pub(crate) fn len(&self) -> usize {
        self.parked.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_connection_is_reused_and_stale_ones_handed_back() {
        let mut idle = Idle::default();
        idle.put(1);
        idle.put(2);
        assert_eq!(idle.take(Duration::from_secs(60)), (Some(2), vec![]));
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(idle.take(Duration::from_millis(10)), (None, vec![1]));
        assert_eq!(idle.len(), 0);
    }

    #[test]
    fn after_shutdown_nothing_is_parked() {
        let mut idle = Idle::default();
        idle.put(1);
        assert_eq!(idle.shut(), vec![1]);
        assert_eq!(idle.put(2), Some(2));
        assert!(idle.is_shut());
    }
}
