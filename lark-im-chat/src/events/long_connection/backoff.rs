//! How long to wait before the next connection attempt.
//!
//! The first attempt after a connection ends waits a random time within the server's
//! `ReconnectNonce`, so that a fleet of clients cut off at once does not reconnect at once.
//! Each further attempt in a row waits twice as long as the one before, from the initial
//! backoff up to the server's `ReconnectInterval`, with jitter (between half and all of it).

use std::time::Duration;

use super::config::{Settings, Tuning};

/// The wait before attempt `attempt` (1-based) of a row of attempts.
pub(crate) fn delay(attempt: u32, tuning: &Tuning, settings: &Settings) -> Duration {
    if attempt <= 1 {
        return tuning.reconnect_nonce.mul_f64(rand::random::<f64>());
    }
    let doublings = (attempt - 2).min(31);
    let base = settings
        .initial_backoff
        .saturating_mul(1 << doublings)
        .min(tuning.reconnect_interval);
    base.mul_f64(0.5 + rand::random::<f64>() * 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_within_nonce_then_doubling_up_to_the_interval() {
        let settings = Settings::new("http://x");
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
}
