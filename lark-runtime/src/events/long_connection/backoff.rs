//! How long to wait before the next connection attempt.
//!
//! The first attempt after a connection ends waits a random time within the server's
//! `ReconnectNonce`, so that a fleet of clients cut off at once does not reconnect at once.
//! Each further attempt in a row waits twice as long as the one before, from the initial
//! backoff up to the server's `ReconnectInterval`, with jitter (between half and all of it).
//!
//! Connections that open and then die young (within one ping interval) in a row wait longer
//! still, whatever the server's interval says: the initial backoff doubled per young death,
//! up to `max_backoff` (minutes), with the same jitter. A server that accepts and closes at
//! once is otherwise hit every `ReconnectInterval`. A connection that stays up resets it.

use std::time::Duration;

use super::config::{Settings, Tuning};
use crate::retry::Backoff;

/// The wait before attempt `attempt` (1-based) of a row of attempts.
pub(crate) fn delay(attempt: u32, tuning: &Tuning, settings: &Settings) -> Duration {
    if attempt <= 1 {
        return tuning.reconnect_nonce.mul_f64(rand::random::<f64>());
    }
    Backoff::new(settings.initial_backoff, tuning.reconnect_interval).jittered(attempt - 2)
}

/// The least wait after `young` connections in a row died young (none for 0).
pub(crate) fn young_delay(young: u32, settings: &Settings) -> Duration {
    if young == 0 {
        return Duration::ZERO;
    }
    Backoff::new(settings.initial_backoff, settings.max_backoff).jittered(young - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_within_nonce_then_doubling_up_to_the_interval() {
        let settings = Settings::new();
        let tuning = Tuning {
            ping_interval: Duration::from_secs(120),
            reconnect_interval: Duration::from_secs(10),
            reconnect_nonce: Duration::from_secs(3),
            reconnect_count: None,
        };
        for _ in 0..100 {
            assert!(delay(1, &tuning, &settings) <= Duration::from_secs(3));
            let second = delay(2, &tuning, &settings);
            assert!(second >= Duration::from_millis(500) && second <= Duration::from_secs(1));
            let third = delay(3, &tuning, &settings);
            assert!(third >= Duration::from_secs(1) && third <= Duration::from_secs(2));
            let late = delay(40, &tuning, &settings);
            assert!(late >= Duration::from_secs(5) && late <= Duration::from_secs(10));
        }
    }

    #[test]
    fn young_deaths_double_past_the_interval_up_to_the_cap() {
        let mut settings = Settings::new();
        settings.max_backoff = Duration::from_secs(60);
        assert_eq!(young_delay(0, &settings), Duration::ZERO);
        for _ in 0..100 {
            let first = young_delay(1, &settings);
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
            let eighth = young_delay(8, &settings);
            assert!(eighth >= Duration::from_secs(30) && eighth <= Duration::from_secs(60));
            let late = young_delay(u32::MAX, &settings);
            assert!(late >= Duration::from_secs(30) && late <= Duration::from_secs(60));
        }
    }
}
