//! How long the next wait for the server may last: the transport's timeout
//! for one wait, cut short by the deadline of the exchange it is part of.

use std::time::{Duration, Instant};

use super::error::Expired;

/// The limits on waiting for a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock {
    /// The longest one read or write may wait; `None` for no limit.
    pub timeout: Option<Duration>,
    /// When the current exchange must be over; `None` between exchanges.
    pub deadline: Option<Instant>,
}

/// How long a wait may last, and what it means when it lapses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wait {
    pub at_most: Duration,
    pub lapsed: Expired,
}

impl Clock {
    /// The next wait starting `now`: `None` for no limit at all, an error
    /// when the deadline has already passed.
    pub(crate) fn wait(&self, now: Instant) -> Result<Option<Wait>, Expired> {
        let left = match self.deadline {
            Some(deadline) if deadline <= now => return Err(Expired::Deadline),
            Some(deadline) => Some(deadline - now),
            None => None,
        };
        Ok(match (self.timeout, left) {
            (None, None) => None,
            (Some(timeout), None) => Some(Wait {
                at_most: timeout,
                lapsed: Expired::Timeout(timeout),
            }),
            (Some(timeout), Some(left)) if timeout < left => Some(Wait {
                at_most: timeout,
                lapsed: Expired::Timeout(timeout),
            }),
            (_, Some(left)) => Some(Wait {
                at_most: left,
                lapsed: Expired::Deadline,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_wait_is_the_timeout_until_the_deadline_is_nearer() {
        let now = Instant::now();
        let clock = Clock {
            timeout: Some(10 * SECOND),
            deadline: Some(now + 25 * SECOND),
        };
        assert_eq!(
            clock.wait(now),
            Ok(Some(Wait {
                at_most: 10 * SECOND,
                lapsed: Expired::Timeout(10 * SECOND)
            }))
        );
        assert_eq!(
            clock.wait(now + 20 * SECOND),
            Ok(Some(Wait {
                at_most: 5 * SECOND,
                lapsed: Expired::Deadline
            })),
            "five seconds before the deadline, a wait may last five seconds"
        );
        assert_eq!(clock.wait(now + 25 * SECOND), Err(Expired::Deadline));
    }

    #[test]
    fn without_limits_a_wait_is_unbounded_and_a_deadline_alone_bounds_it() {
        let now = Instant::now();
        let mut clock = Clock {
            timeout: None,
            deadline: None,
        };
        assert_eq!(clock.wait(now), Ok(None));
        clock.deadline = Some(now + SECOND);
        assert_eq!(
            clock.wait(now),
            Ok(Some(Wait {
                at_most: SECOND,
                lapsed: Expired::Deadline
            }))
        );
    }
}
