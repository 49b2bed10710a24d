//! The AF_PACKET rings' layouts and the code that walks them, apart from the sockets: the
//! TPACKET_V2 transmit ring (slots filled in place and marked for sending) and the TPACKET_V3
//! receive ring (blocks of frames read in order and handed back whole). They work on a
//! [`RingMem`], which is the kernel's mapping in a live queue and a buffer of the test's own in
//! the unit tests below, so the walking is tested without root.

use masscan_engine::driver::QueueStats;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicU32, Ordering};

/// Size of one TX frame slot (header + frame).
pub(super) const TX_FRAME_SIZE: usize = 2048;
/// TX slots per queue.
pub(super) const TX_FRAMES: usize = 1024;
/// Where frame data starts in a TPACKET_V2 TX slot: TPACKET_ALIGN(sizeof(tpacket2_hdr)).
pub(super) const TX_DATA_OFFSET: usize = 32;
/// RX ring: blocks of 1 MiB, 32 of them per queue.
pub(super) const RX_BLOCK_SIZE: usize = 1 << 20;
pub(super) const RX_BLOCKS: usize = 32;

const TP_STATUS_AVAILABLE: u32 = 0;
const TP_STATUS_SEND_REQUEST: u32 = 1;
const TP_STATUS_SENDING: u32 = 2;
const TP_STATUS_WRONG_FORMAT: u32 = 4;
const TP_STATUS_USER: u32 = 1;
const TP_STATUS_KERNEL: u32 = 0;

// tpacket_block_desc: version u32, offset_to_priv u32, then tpacket_hdr_v1:
// block_status u32 (at 8), num_pkts u32 (12), offset_to_first_pkt u32 (16), blk_len u32 (20), ...
const BLOCK_STATUS: usize = 8;
const BLOCK_NUM_PKTS: usize = 12;
const BLOCK_FIRST: usize = 16;
// tpacket3_hdr: tp_next_offset u32 (0), tp_sec (4), tp_nsec (8), tp_snaplen (12), tp_len (16),
// tp_status (20), tp_mac u16 (24), ...
const PKT_NEXT: usize = 0;
const PKT_SNAPLEN: usize = 12;
const PKT_LEN: usize = 16;
const PKT_MAC: usize = 24;
/// The sockaddr_ll after the header (at TPACKET_ALIGN(sizeof(tpacket3_hdr)) = 48): sll_pkttype
/// is its byte 10.
const PKT_SLL_PKTTYPE: usize = 48 + 10;
const PACKET_OUTGOING: u8 = 4;

/// Ring memory shared with the kernel: every access is bounds-checked, the status words are
/// read and written atomically.
pub(super) struct RingMem {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the memory is owned by one queue, which is used by one thread at a time.
unsafe impl Send for RingMem {}

impl RingMem {
    /// # Safety
    ///
    /// `ptr` must be 4-byte aligned and valid for reads and writes of `len` bytes for as long
    /// as the returned value is used, and nothing but the kernel's side of the ring protocol
    /// (status words handing slots and blocks back and forth) may access that memory meanwhile.
    pub(super) unsafe fn new(ptr: NonNull<u8>, len: usize) -> Self {
        assert!((ptr.as_ptr() as usize).is_multiple_of(4));
        Self { ptr, len }
    }

    /// The status word at `offset` (the first field of every ring header), shared with the kernel.
    fn status(&self, offset: usize) -> &AtomicU32 {
        assert!(offset + 4 <= self.len && offset.is_multiple_of(4));
        // SAFETY: in bounds and aligned (checked, and the base is 4-aligned by `new`'s
        // contract); the kernel and we access the word atomically.
        unsafe { &*(self.ptr.as_ptr().add(offset) as *const AtomicU32) }
    }

    fn u32_at(&self, offset: usize) -> u32 {
        assert!(offset + 4 <= self.len);
        // SAFETY: in bounds (checked); unaligned read of memory the kernel handed to us.
        unsafe { std::ptr::read_unaligned(self.ptr.as_ptr().add(offset) as *const u32) }
    }

    fn u16_at(&self, offset: usize) -> u16 {
        assert!(offset + 2 <= self.len);
        // SAFETY: as `u32_at`.
        unsafe { std::ptr::read_unaligned(self.ptr.as_ptr().add(offset) as *const u16) }
    }

    fn set_u32(&mut self, offset: usize, v: u32) {
        assert!(offset + 4 <= self.len);
        // SAFETY: in bounds (checked); the slot belongs to us while its status says so.
        unsafe { std::ptr::write_unaligned(self.ptr.as_ptr().add(offset) as *mut u32, v) }
    }

    fn slice(&self, offset: usize, len: usize) -> &[u8] {
        assert!(offset.checked_add(len).is_some_and(|e| e <= self.len));
        // SAFETY: in bounds (checked); the block belongs to us until we hand it back.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().add(offset), len) }
    }

    fn slice_mut(&mut self, offset: usize, len: usize) -> &mut [u8] {
        assert!(offset.checked_add(len).is_some_and(|e| e <= self.len));
        // SAFETY: in bounds (checked); the slot belongs to us while its status is AVAILABLE.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().add(offset), len) }
    }
}

/// The TPACKET_V2 transmit ring of [`TX_FRAMES`] slots of [`TX_FRAME_SIZE`] bytes.
pub(super) struct TxRing {
    mem: RingMem,
    /// The slot filled next.
    head: usize,
}

impl TxRing {
    /// A ring over `mem` (at least `TX_FRAMES * TX_FRAME_SIZE` bytes), filled from slot 0.
    pub(super) fn new(mem: RingMem) -> Self {
        assert!(mem.len >= TX_FRAMES * TX_FRAME_SIZE);
        Self { mem, head: 0 }
    }

    /// Fills up to `max` free slots of the ring, each by `fill`, and marks them for sending;
    /// the frames go out at the next kick. Returns how many; counts them (and a full ring) in
    /// `stats`.
    #[inline]
    pub(super) fn fill_slots<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        mut fill: F,
        stats: &mut QueueStats,
    ) -> usize {
        let mut n = 0;
        let mut bytes = 0u64;
        while n < max {
            let slot = self.head * TX_FRAME_SIZE;
            let status = self.mem.status(slot).load(Ordering::Acquire);
            if status == TP_STATUS_WRONG_FORMAT {
                // The kernel refused the frame in this slot (too short or too long): drop it.
                self.mem
                    .status(slot)
                    .store(TP_STATUS_AVAILABLE, Ordering::Release);
            } else if status != TP_STATUS_AVAILABLE {
                stats.tx_ring_full += 1;
                break;
            }
            let len = {
                let frame = self
                    .mem
                    .slice_mut(slot + TX_DATA_OFFSET, TX_FRAME_SIZE - TX_DATA_OFFSET);
                fill(frame)
            };
            if len == 0 {
                break;
            }
            // tpacket2_hdr: tp_status, tp_len, tp_snaplen, ...
            self.mem.set_u32(slot + 4, len as u32);
            self.mem.set_u32(slot + 8, len as u32);
            fence(Ordering::Release);
            self.mem
                .status(slot)
                .store(TP_STATUS_SEND_REQUEST, Ordering::Release);
            self.head = (self.head + 1) % TX_FRAMES;
            bytes += len as u64;
            n += 1;
        }
        stats.tx_frames += n as u64;
        stats.tx_bytes += bytes;
        n
    }

    /// Whether any slot is still waiting to be sent or being sent.
    pub(super) fn busy(&self) -> bool {
        (0..TX_FRAMES).any(|i| {
            matches!(
                self.mem.status(i * TX_FRAME_SIZE).load(Ordering::Acquire),
                TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING
            )
        })
    }
}

/// The TPACKET_V3 receive ring of [`RX_BLOCKS`] blocks of [`RX_BLOCK_SIZE`] bytes.
pub(super) struct RxRing {
    mem: RingMem,
    /// The block we read next.
    block: usize,
    /// Inside a block: (frames left, offset of the next frame header).
    in_block: Option<(u32, usize)>,
}

impl RxRing {
    /// A ring over `mem` (at least `RX_BLOCKS * RX_BLOCK_SIZE` bytes), read from block 0.
    pub(super) fn new(mem: RingMem) -> Self {
        assert!(mem.len >= RX_BLOCKS * RX_BLOCK_SIZE);
        Self {
            mem,
            block: 0,
            in_block: None,
        }
    }

    /// Whether a frame may be waiting: a block is being read, or the next one is ours.
    pub(super) fn ready(&self) -> bool {
        self.in_block.is_some()
            || self
                .mem
                .status(self.block * RX_BLOCK_SIZE + BLOCK_STATUS)
                .load(Ordering::Acquire)
                & TP_STATUS_USER
                != 0
    }

    /// Hands up to `max` received frames to `on_frame`, in order, skipping outgoing ones, and
    /// gives each block back to the kernel once read. Returns how many; counts them in `stats`.
    #[inline]
    pub(super) fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
        stats: &mut QueueStats,
    ) -> usize {
        let mut n = 0;
        while n < max {
            let base = self.block * RX_BLOCK_SIZE;
            let (left, at) = match self.in_block {
                Some(s) => s,
                None => {
                    if self.mem.status(base + BLOCK_STATUS).load(Ordering::Acquire) & TP_STATUS_USER
                        == 0
                    {
                        break;
                    }
                    let count = self.mem.u32_at(base + BLOCK_NUM_PKTS);
                    let first = self.mem.u32_at(base + BLOCK_FIRST) as usize;
                    (count, base + first)
                }
            };
            if left == 0 || at + PKT_MAC + 2 > base + RX_BLOCK_SIZE {
                // Block done (or its header is not what we expect): give it back.
                self.mem
                    .status(base + BLOCK_STATUS)
                    .store(TP_STATUS_KERNEL, Ordering::Release);
                self.block = (self.block + 1) % RX_BLOCKS;
                self.in_block = None;
                continue;
            }
            let snap = self.mem.u32_at(at + PKT_SNAPLEN) as usize;
            let wire_len = self.mem.u32_at(at + PKT_LEN) as u64;
            let mac = self.mem.u16_at(at + PKT_MAC) as usize;
            let next = self.mem.u32_at(at + PKT_NEXT) as usize;
            // In a fanout group PACKET_IGNORE_OUTGOING does not apply (it is the group's hook
            // that receives), so our own and the kernel's outgoing frames are skipped here.
            let outgoing = at + PKT_SLL_PKTTYPE < base + RX_BLOCK_SIZE
                && self.mem.slice(at + PKT_SLL_PKTTYPE, 1)[0] == PACKET_OUTGOING;
            if !outgoing && at + mac + snap <= base + RX_BLOCK_SIZE {
                on_frame(self.mem.slice(at + mac, snap));
                stats.rx_frames += 1;
                stats.rx_bytes += wire_len;
                n += 1;
            }
            self.in_block = Some((left - 1, if next == 0 { usize::MAX / 2 } else { at + next }));
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ring memory the test owns, zeroed (every TX slot available, every RX block the
    /// kernel's); the test plays the kernel's side through raw pointers only.
    struct Buffer {
        base: NonNull<u8>,
        words: usize,
    }

    impl Buffer {
        fn new(len: usize) -> Self {
            let words = len / 8;
            let b: Box<[u64]> = vec![0u64; words].into_boxed_slice();
            let base = NonNull::new(Box::into_raw(b) as *mut u64 as *mut u8).unwrap();
            Self { base, words }
        }

        fn len(&self) -> usize {
            self.words * 8
        }

        fn mem(&self) -> RingMem {
            // SAFETY: 8-aligned, valid for `len` bytes until the buffer drops, which each test
            // does after its ring (declared later, dropped first); the test touches the memory
            // only between the ring's calls, as the kernel's side of the protocol.
            unsafe { RingMem::new(self.base, self.len()) }
        }

        fn put(&self, offset: usize, bytes: &[u8]) {
            assert!(offset + bytes.len() <= self.len());
            // SAFETY: in bounds (checked); no reference into the buffer is alive.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    bytes.as_ptr(),
                    self.base.as_ptr().add(offset),
                    bytes.len(),
                )
            }
        }

        fn put_u32(&self, offset: usize, v: u32) {
            self.put(offset, &v.to_ne_bytes());
        }

        fn get(&self, offset: usize, len: usize) -> Vec<u8> {
            assert!(offset + len <= self.len());
            let mut v = vec![0; len];
            // SAFETY: in bounds (checked); no mutable reference into the buffer is alive.
            unsafe {
                std::ptr::copy_nonoverlapping(self.base.as_ptr().add(offset), v.as_mut_ptr(), len)
            }
            v
        }

        fn get_u32(&self, offset: usize) -> u32 {
            u32::from_ne_bytes(self.get(offset, 4).try_into().unwrap())
        }
    }

    impl Drop for Buffer {
        fn drop(&mut self) {
            let p = std::ptr::slice_from_raw_parts_mut(self.base.as_ptr() as *mut u64, self.words);
            // SAFETY: the box made in `new`, given back once.
            drop(unsafe { Box::from_raw(p) });
        }
    }

    fn tx() -> (Buffer, TxRing) {
        let buf = Buffer::new(TX_FRAMES * TX_FRAME_SIZE);
        let ring = TxRing::new(buf.mem());
        (buf, ring)
    }

    /// Fills each slot with `len` bytes of `byte`.
    fn frames_of(len: usize, byte: u8) -> impl FnMut(&mut [u8]) -> usize {
        move |f: &mut [u8]| {
            f[..len].fill(byte);
            len
        }
    }

    #[test]
    fn tx_fills_free_slots_in_place_and_marks_them_for_sending() {
        let (buf, mut ring) = tx();
        let mut stats = QueueStats::default();
        let mut k = 0u8;
        let n = ring.fill_slots(
            3,
            |f| {
                k += 1;
                f[..60 + usize::from(k)].fill(k);
                60 + usize::from(k)
            },
            &mut stats,
        );
        assert_eq!(n, 3);
        for (i, k) in (1..=3u8).enumerate() {
            let slot = i * TX_FRAME_SIZE;
            let len = 60 + usize::from(k);
            assert_eq!(buf.get_u32(slot), TP_STATUS_SEND_REQUEST);
            assert_eq!(buf.get_u32(slot + 4), len as u32, "tp_len");
            assert_eq!(buf.get_u32(slot + 8), len as u32, "tp_snaplen");
            assert_eq!(buf.get(slot + TX_DATA_OFFSET, len), vec![k; len]);
            assert_eq!(buf.get(slot + TX_DATA_OFFSET + len, 1), [0]);
        }
        assert_eq!(buf.get_u32(3 * TX_FRAME_SIZE), TP_STATUS_AVAILABLE);
        assert_eq!((stats.tx_frames, stats.tx_bytes), (3, 61 + 62 + 63));
        assert!(ring.busy());
        buf.put_u32(0, TP_STATUS_SENDING);
        for i in 1..3 {
            buf.put_u32(i * TX_FRAME_SIZE, TP_STATUS_AVAILABLE);
        }
        assert!(ring.busy(), "a slot being sent is busy");
        buf.put_u32(0, TP_STATUS_AVAILABLE);
        assert!(!ring.busy());
    }

    #[test]
    fn tx_stops_at_a_slot_the_kernel_holds_and_wraps_around() {
        let (buf, mut ring) = tx();
        let mut stats = QueueStats::default();
        assert_eq!(
            ring.fill_slots(usize::MAX, frames_of(64, 1), &mut stats),
            TX_FRAMES
        );
        assert_eq!(stats.tx_ring_full, 1);
        assert_eq!(ring.fill_slots(8, frames_of(64, 2), &mut stats), 0);
        assert_eq!(stats.tx_ring_full, 2);
        // The kernel sent the first two frames: the next fill wraps around to them.
        buf.put_u32(0, TP_STATUS_AVAILABLE);
        buf.put_u32(TX_FRAME_SIZE, TP_STATUS_AVAILABLE);
        assert_eq!(ring.fill_slots(8, frames_of(70, 3), &mut stats), 2);
        assert_eq!(buf.get(TX_DATA_OFFSET, 70), vec![3; 70]);
        assert_eq!(buf.get(TX_FRAME_SIZE + TX_DATA_OFFSET, 70), vec![3; 70]);
        assert_eq!(buf.get_u32(4), 70);
        assert_eq!(buf.get(2 * TX_FRAME_SIZE + TX_DATA_OFFSET, 64), vec![1; 64]);
        assert_eq!(stats.tx_frames, TX_FRAMES as u64 + 2);
    }

    #[test]
    fn tx_reuses_a_refused_slot_and_an_unfilled_one() {
        let (buf, mut ring) = tx();
        let mut stats = QueueStats::default();
        // Nothing to send: the slot stays free and is the next one filled.
        assert_eq!(ring.fill_slots(4, |_| 0, &mut stats), 0);
        assert_eq!(buf.get_u32(0), TP_STATUS_AVAILABLE);
        assert_eq!(ring.fill_slots(1, frames_of(64, 7), &mut stats), 1);
        assert_eq!(buf.get(TX_DATA_OFFSET, 64), vec![7; 64]);
        assert_eq!(
            ring.fill_slots(TX_FRAMES - 1, frames_of(64, 7), &mut stats),
            TX_FRAMES - 1
        );
        // The kernel refused the first frame: its slot is dropped and filled again.
        buf.put_u32(0, TP_STATUS_WRONG_FORMAT);
        assert_eq!(ring.fill_slots(2, frames_of(80, 8), &mut stats), 1);
        assert_eq!(buf.get_u32(0), TP_STATUS_SEND_REQUEST);
        assert_eq!(buf.get(TX_DATA_OFFSET, 80), vec![8; 80]);
        assert_eq!(stats.tx_ring_full, 1);
    }

    /// Where the test puts the frame data after each tpacket3_hdr + sockaddr_ll.
    const MAC: usize = 80;
    /// The first frame's header in a block (after the block descriptor).
    const FIRST: usize = 48;

    /// One frame of a block: its bytes, its length on the wire, whether it is outgoing.
    struct Frame {
        bytes: Vec<u8>,
        wire: u32,
        outgoing: bool,
    }

    fn frame(len: usize, byte: u8) -> Frame {
        Frame {
            bytes: vec![byte; len],
            wire: len as u32 + 4,
            outgoing: false,
        }
    }

    /// The kernel's side: fills block `b` with `frames` (each header 16-aligned after the
    /// previous frame, the last one's next offset 0) and hands it to us.
    fn put_block(buf: &Buffer, b: usize, frames: &[Frame]) {
        let base = b * RX_BLOCK_SIZE;
        buf.put_u32(base + BLOCK_NUM_PKTS, frames.len() as u32);
        buf.put_u32(base + BLOCK_FIRST, FIRST as u32);
        let mut at = base + FIRST;
        for (i, f) in frames.iter().enumerate() {
            let size = (MAC + f.bytes.len()).next_multiple_of(16);
            let next = if i + 1 == frames.len() { 0 } else { size };
            buf.put_u32(at + PKT_NEXT, next as u32);
            buf.put_u32(at + PKT_SNAPLEN, f.bytes.len() as u32);
            buf.put_u32(at + PKT_LEN, f.wire);
            buf.put(at + PKT_MAC, &(MAC as u16).to_ne_bytes());
            buf.put(
                at + PKT_SLL_PKTTYPE,
                &[if f.outgoing { PACKET_OUTGOING } else { 0 }],
            );
            buf.put(at + MAC, &f.bytes);
            at += size;
        }
        buf.put_u32(base + BLOCK_STATUS, TP_STATUS_USER);
    }

    fn rx() -> (Buffer, RxRing) {
        let buf = Buffer::new(RX_BLOCKS * RX_BLOCK_SIZE);
        let ring = RxRing::new(buf.mem());
        (buf, ring)
    }

    fn take(ring: &mut RxRing, max: usize, stats: &mut QueueStats) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        let n = ring.receive(max, |f| got.push(f.to_vec()), stats);
        assert_eq!(n, got.len());
        got
    }

    #[test]
    fn rx_walks_a_blocks_frames_skips_outgoing_ones_and_hands_it_back() {
        let (buf, mut ring) = rx();
        let mut stats = QueueStats::default();
        assert!(!ring.ready());
        assert!(take(&mut ring, 64, &mut stats).is_empty());
        let mut ours = frame(42, 0xee);
        ours.outgoing = true;
        put_block(&buf, 0, &[frame(60, 1), ours, frame(1514, 3)]);
        assert!(ring.ready());
        let got = take(&mut ring, 64, &mut stats);
        assert_eq!(got, [vec![1; 60], vec![3; 1514]]);
        assert_eq!((stats.rx_frames, stats.rx_bytes), (2, 64 + 1518));
        assert_eq!(buf.get_u32(BLOCK_STATUS), TP_STATUS_KERNEL, "handed back");
        assert!(!ring.ready(), "block 1 is still the kernel's");
        // The next block is read next.
        put_block(&buf, 1, &[frame(70, 4)]);
        assert_eq!(take(&mut ring, 64, &mut stats), [vec![4; 70]]);
        assert_eq!(buf.get_u32(RX_BLOCK_SIZE + BLOCK_STATUS), TP_STATUS_KERNEL);
    }

    #[test]
    fn rx_stops_at_max_inside_a_block_and_goes_on_from_there() {
        let (buf, mut ring) = rx();
        let mut stats = QueueStats::default();
        let frames: Vec<Frame> = (1..=5).map(|k| frame(60, k)).collect();
        put_block(&buf, 0, &frames);
        assert_eq!(take(&mut ring, 2, &mut stats), [vec![1; 60], vec![2; 60]]);
        assert_eq!(
            buf.get_u32(BLOCK_STATUS),
            TP_STATUS_USER,
            "still being read"
        );
        assert!(ring.ready());
        assert_eq!(
            take(&mut ring, 64, &mut stats),
            [vec![3; 60], vec![4; 60], vec![5; 60]]
        );
        assert_eq!(buf.get_u32(BLOCK_STATUS), TP_STATUS_KERNEL);
        assert_eq!(stats.rx_frames, 5);
    }

    #[test]
    fn rx_wraps_from_the_last_block_to_the_first() {
        let (buf, mut ring) = rx();
        let mut stats = QueueStats::default();
        for b in 0..RX_BLOCKS {
            put_block(&buf, b, &[frame(60, b as u8)]);
        }
        let got = take(&mut ring, usize::MAX, &mut stats);
        let want: Vec<Vec<u8>> = (0..RX_BLOCKS).map(|b| vec![b as u8; 60]).collect();
        assert_eq!(got, want);
        for b in 0..RX_BLOCKS {
            assert_eq!(
                buf.get_u32(b * RX_BLOCK_SIZE + BLOCK_STATUS),
                TP_STATUS_KERNEL
            );
        }
        put_block(&buf, 0, &[frame(61, 0xaa)]);
        assert_eq!(take(&mut ring, 64, &mut stats), [vec![0xaa; 61]]);
    }

    #[test]
    fn rx_never_reads_past_a_block_whatever_its_headers_say() {
        let (buf, mut ring) = rx();
        let mut stats = QueueStats::default();
        // A frame whose data would run past the block is skipped; the walk goes on.
        put_block(&buf, 0, &[frame(60, 1), frame(60, 2), frame(60, 3)]);
        let second = FIRST + (MAC + 60).next_multiple_of(16);
        buf.put_u32(second + PKT_SNAPLEN, RX_BLOCK_SIZE as u32);
        assert_eq!(take(&mut ring, 64, &mut stats), [vec![1; 60], vec![3; 60]]);
        // A block that claims more frames than it chains, with a next offset past its end:
        // what is in the block is read, then it is handed back.
        put_block(&buf, 1, &[frame(60, 4)]);
        buf.put_u32(RX_BLOCK_SIZE + BLOCK_NUM_PKTS, 9);
        buf.put_u32(RX_BLOCK_SIZE + FIRST + PKT_NEXT, RX_BLOCK_SIZE as u32);
        assert_eq!(take(&mut ring, 64, &mut stats), [vec![4; 60]]);
        assert_eq!(buf.get_u32(RX_BLOCK_SIZE + BLOCK_STATUS), TP_STATUS_KERNEL);
        // A first-frame offset past the end: nothing read, the block handed back.
        put_block(&buf, 2, &[frame(60, 5)]);
        buf.put_u32(2 * RX_BLOCK_SIZE + BLOCK_FIRST, RX_BLOCK_SIZE as u32 - 8);
        assert!(take(&mut ring, 64, &mut stats).is_empty());
        assert_eq!(
            buf.get_u32(2 * RX_BLOCK_SIZE + BLOCK_STATUS),
            TP_STATUS_KERNEL
        );
        assert_eq!(stats.rx_frames, 3);
    }
}
