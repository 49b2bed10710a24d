//! Several interfaces as one driver (the original's `adapter[0]`, `adapter[1]`, ...): each
//! interface is a driver of the same backend with the same number of queues, and the scan sees
//! their queues one after the other. Queue `k` is queue `k % per` of interface `k / per`, so
//! the threads of the scan split into one group of pinned threads per interface.

use masscan_engine::driver::{Capabilities, Driver, DriverError};

/// One driver per interface, in interface order.
pub struct Several<D> {
    drivers: Vec<D>,
    per: usize,
}

impl<D: Driver> Several<D> {
    /// `per`: the queues each interface gives the scan (its threads).
    pub fn new(drivers: Vec<D>, per: usize) -> Self {
        assert!(
            !drivers.is_empty() && per > 0,
            "at least one interface and one queue"
        );
        Self { drivers, per }
    }

    /// Each interface's driver.
    pub fn drivers(&self) -> &[D] {
        &self.drivers
    }

    fn locate(&self, index: usize) -> Result<(usize, usize), DriverError> {
        let (nic, queue) = (index / self.per, index % self.per);
        if nic >= self.drivers.len() {
            return Err(DriverError::Other(format!(
                "queue {index}: {} interface(s) of {} queue(s) each",
                self.drivers.len(),
                self.per
            )));
        }
        Ok((nic, queue))
    }
}

impl<D: Driver> Driver for Several<D> {
    type Tx = D::Tx;
    type Rx = D::Rx;

    fn capabilities(&self) -> Capabilities {
        let first = self.drivers[0].capabilities();
        Capabilities {
            queues: self.per * self.drivers.len(),
            zero_copy: self.drivers.iter().all(|d| d.capabilities().zero_copy),
            mtu: self
                .drivers
                .iter()
                .map(|d| d.capabilities().mtu)
                .min()
                .unwrap_or(first.mtu),
            ..first
        }
    }

    fn open_queue(&mut self, index: usize) -> Result<(Self::Tx, Self::Rx), DriverError> {
        let (nic, queue) = self.locate(index)?;
        self.drivers[nic].open_queue(queue)
    }

    fn open_answer_queue(&mut self, index: usize) -> Result<Self::Tx, DriverError> {
        let (nic, queue) = self.locate(index)?;
        self.drivers[nic].open_answer_queue(queue)
    }

    fn needs_privileges_to_close(&self) -> Option<String> {
        self.drivers
            .iter()
            .find_map(|d| d.needs_privileges_to_close())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Offline;
    use masscan_engine::driver::TxQueue;

    #[test]
    fn queues_follow_interface_order() {
        let mut d = Several::new(vec![Offline::new(2), Offline::new(2)], 2);
        assert_eq!(d.capabilities().queues, 4);
        for k in 0..4 {
            let (mut tx, _rx) = d.open_queue(k).unwrap();
            assert_eq!(tx.transmit(1, |b| b.len().min(60)).unwrap(), 1);
        }
        assert!(d.open_queue(4).is_err());
        assert!(d.open_answer_queue(3).is_ok());
    }
}
