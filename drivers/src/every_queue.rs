//! A backend seen with every receive queue merged into one ([`EveryQueue`]): for the router
//! and neighbour resolution before a scan, whose replies may arrive on any receive queue when
//! the backend spreads them by hash (DPDK's net_af_packet with several queue pairs).

use masscan_engine::driver::{Capabilities, Driver, DriverError, QueueStats, RxQueue};
use std::time::Duration;

/// A view of a backend for resolving the router and neighbours when replies may arrive on any
/// of its receive queues (DPDK's net_af_packet with several queue pairs spreads them by hash):
/// queue pair 0's transmit queue with every receive queue polled in turn.
pub struct EveryQueue<'a, D>(pub &'a mut D);

/// Every receive queue of a backend, polled in turn.
pub struct MergedRx<R>(Vec<R>);

impl<R: RxQueue> RxQueue for MergedRx<R> {
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        let mut n = 0;
        for q in &mut self.0 {
            n += q.receive(max.saturating_sub(n), &mut on_frame)?;
        }
        Ok(n)
    }

    fn wait(&mut self, timeout: Duration) {
        // Poll again soon rather than sleep on one queue while another has the answer.
        if let Some(q) = self.0.first_mut() {
            q.wait(timeout.min(Duration::from_millis(1)));
        }
    }

    fn stats(&self) -> QueueStats {
        QueueStats::default()
    }
}

impl<D: Driver> Driver for EveryQueue<'_, D> {
    type Tx = D::Tx;
    type Rx = MergedRx<D::Rx>;

    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }

    fn open_queue(&mut self, _index: usize) -> Result<(D::Tx, MergedRx<D::Rx>), DriverError> {
        let (tx, rx0) = self.0.open_queue(0)?;
        let mut rxs = vec![rx0];
        for k in 1..self.0.capabilities().queues {
            rxs.push(self.0.open_queue(k)?.1);
        }
        Ok((tx, MergedRx(rxs)))
    }

    fn open_answer_queue(&mut self, index: usize) -> Result<D::Tx, DriverError> {
        self.0.open_answer_queue(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offline::{Offline, OfflineRx, OfflineTx};

    /// Offline queues whose receive side k replays two frames filled with byte k.
    struct Replaying(Offline);

    impl Driver for Replaying {
        type Tx = OfflineTx;
        type Rx = OfflineRx;

        fn capabilities(&self) -> Capabilities {
            self.0.capabilities()
        }

        fn open_queue(&mut self, index: usize) -> Result<(OfflineTx, OfflineRx), DriverError> {
            let (tx, _) = self.0.open_queue(index)?;
            Ok((tx, OfflineRx::replay(vec![vec![index as u8; 60]], 2)))
        }

        fn open_answer_queue(&mut self, index: usize) -> Result<OfflineTx, DriverError> {
            self.0.open_answer_queue(index)
        }
    }

    #[test]
    fn every_receive_queue_is_polled_within_the_batch_limit() {
        let mut driver = Replaying(Offline::new(3));
        let (_, mut rx) = EveryQueue(&mut driver).open_queue(2).unwrap();
        let mut seen = Vec::new();
        assert_eq!(rx.receive(3, |f| seen.push(f[0])).unwrap(), 3);
        assert_eq!(rx.receive(64, |f| seen.push(f[0])).unwrap(), 3);
        assert_eq!(rx.receive(64, |f| seen.push(f[0])).unwrap(), 0);
        assert_eq!(seen, [0, 0, 1, 1, 2, 2]);
    }
}
