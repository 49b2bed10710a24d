//! The frames of an AF_XDP queue's UMEM, apart from the sockets and rings: the memory
//! ([`Area`]), which frames are whose (transmit, lent to the receive side's answers
//! ([`AnswerQueue`]), receive), and the steps the queue's halves take on descriptors: a batch of
//! answers and probes gathered for the transmit ring ([`Batch`], [`gather`]), completed frames
//! given back to their free list ([`give_back`]), a received frame read and its frame freed
//! ([`take_received`]). xdpilone moves the descriptors through the kernel's rings; everything
//! here is tested without a socket, over an area the test maps itself.

use super::err;
use crossbeam_queue::ArrayQueue;
use masscan_engine::driver::DriverError;
use std::ptr::NonNull;
use xdpilone::xdp::XdpDesc;

pub(super) const FRAME_SIZE: u32 = 2048;
/// Frames per queue (24 MiB): 8,192 for transmit (4,096 of them lent to the receive side's
/// answers) and 4,096 for receive.
pub(super) const FRAMES: u32 = 12_288;
pub(super) const TX_FRAMES: u32 = 8192;
/// Transmit frames lent to the receive side for its answers, per queue (the last ones of the
/// transmit half of the UMEM).
pub(super) const ANSWER_FRAMES: u32 = 4096;
pub(super) const ANSWER_FIRST: u32 = TX_FRAMES - ANSWER_FRAMES;

/// The answer frames of one queue, by UMEM address: each is in exactly one place at a time:
/// free (the receive side may write it), ready (written, waiting for the transmit side), or on
/// the transmit ring (given back to `free` when it completes).
pub(super) struct AnswerQueue {
    pub(super) free: ArrayQueue<u64>,
    pub(super) ready: ArrayQueue<(u64, u32)>,
}

impl AnswerQueue {
    pub(super) fn new() -> Self {
        let free = ArrayQueue::new(ANSWER_FRAMES as usize);
        for i in ANSWER_FIRST..TX_FRAMES {
            let _ = free.push(u64::from(i * FRAME_SIZE));
        }
        Self {
            free,
            ready: ArrayQueue::new(ANSWER_FRAMES as usize),
        }
    }

    pub(super) fn owns(addr: u64) -> bool {
        (u64::from(ANSWER_FIRST * FRAME_SIZE)..u64::from(TX_FRAMES * FRAME_SIZE)).contains(&addr)
    }
}

/// Page-aligned anonymous memory for one UMEM, unmapped when the last user is gone.
pub(super) struct Area {
    pub(super) ptr: NonNull<u8>,
    pub(super) len: usize,
}

// SAFETY: the area is plain memory; the transmit and receive halves touch disjoint frames of it.
unsafe impl Send for Area {}
// SAFETY: as above: concurrent users never touch the same frame.
unsafe impl Sync for Area {}

impl Area {
    pub(super) fn new(len: usize) -> Result<Self, DriverError> {
        // SAFETY: an anonymous private mapping; the result is checked.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_POPULATE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(err("mmap of the UMEM", std::io::Error::last_os_error()));
        }
        Ok(Self {
            ptr: NonNull::new(p as *mut u8).expect("mmap returned null"),
            len,
        })
    }

    /// The frame at UMEM address `addr` (its chunk, from `addr` to the chunk's end). Panics if
    /// the chunk is not inside the area.
    ///
    /// # Safety
    ///
    /// The caller must own the frame at `addr` for as long as the returned slice lives: it took
    /// the address off one of its own free lists or its receive ring (so neither the kernel nor
    /// the other half of the queue can be using that frame), and makes no other slice of the
    /// same frame while this one is alive.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn frame(&self, addr: u64) -> &mut [u8] {
        let chunk_end = (addr / u64::from(FRAME_SIZE) + 1) * u64::from(FRAME_SIZE);
        assert!(chunk_end as usize <= self.len);
        // SAFETY: in bounds (checked above); the caller owns the frame (this function's
        // contract), so no other live slice or the kernel aliases it.
        unsafe {
            std::slice::from_raw_parts_mut(
                self.ptr.as_ptr().add(addr as usize),
                (chunk_end - addr) as usize,
            )
        }
    }
}

impl Drop for Area {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `new`; the sockets using it are closed (the
        // rings that hold this Arc drop theirs first).
        unsafe {
            libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.len);
        }
    }
}

/// The start of the frame (UMEM chunk) that address `addr` is in.
#[inline]
pub(super) fn chunk(addr: u64) -> u64 {
    addr - addr % u64::from(FRAME_SIZE)
}

/// A completed transmit descriptor's frame, back where it came from: the answer side's free
/// queue for a lent frame, else the transmit side's free list.
#[inline]
pub(super) fn give_back(addr: u64, answers: &AnswerQueue, free: &mut Vec<u64>) {
    let frame = chunk(addr);
    if AnswerQueue::owns(frame) {
        let _ = answers.free.push(frame);
    } else {
        free.push(frame);
    }
}

/// Copies into `descs` the descriptors `next` gives, at most `room` (and 256) of them, until
/// it gives none; returns how many.
#[inline]
pub(super) fn gather(
    room: usize,
    mut next: impl FnMut() -> Option<(u64, u32)>,
    descs: &mut [XdpDesc; 256],
) -> usize {
    let mut n = 0;
    while n < room.min(256) {
        let Some((addr, len)) = next() else { break };
        descs[n] = XdpDesc {
            addr,
            len,
            options: 0,
        };
        n += 1;
    }
    n
}

/// The descriptors of one transmit reservation: first up to `answers` of the frames the
/// receive side wrote, then up to `probes_max` probes, each a free transmit frame filled in
/// place by `fill` (a frame left empty goes back to the free list and ends the batch).
pub(super) struct Batch<'a, F> {
    free: &'a mut Vec<u64>,
    area: &'a Area,
    ready: &'a ArrayQueue<(u64, u32)>,
    answers_left: usize,
    probes_max: usize,
    fill: F,
    /// Probes given so far, and their bytes.
    pub(super) probes: usize,
    pub(super) bytes: u64,
}

impl<'a, F: FnMut(&mut [u8]) -> usize> Batch<'a, F> {
    /// # Safety
    ///
    /// Every address on `free` must be a frame of `area` that the caller owns (not on a ring,
    /// not lent), for as long as the batch lives.
    #[inline]
    pub(super) unsafe fn new(
        free: &'a mut Vec<u64>,
        area: &'a Area,
        ready: &'a ArrayQueue<(u64, u32)>,
        answers: usize,
        probes_max: usize,
        fill: F,
    ) -> Self {
        Self {
            free,
            area,
            ready,
            answers_left: answers,
            probes_max,
            fill,
            probes: 0,
            bytes: 0,
        }
    }

    /// The next descriptor for the ring, if any.
    #[inline]
    pub(super) fn next(&mut self) -> Option<(u64, u32)> {
        if self.answers_left > 0 {
            self.answers_left -= 1;
            if let Some(d) = self.ready.pop() {
                return Some(d);
            }
            self.answers_left = 0;
        }
        if self.probes == self.probes_max {
            return None;
        }
        let addr = self.free.pop()?;
        // SAFETY: `addr` came off the free list, whose frames the caller owns (`new`'s
        // contract): not on the ring (the kernel has completed it) nor lent to the receive side;
        // the slice dies with `fill`'s call.
        let len = (self.fill)(unsafe { self.area.frame(addr) });
        if len == 0 {
            self.free.push(addr);
            return None;
        }
        self.bytes += len as u64;
        self.probes += 1;
        Some((addr, len as u32))
    }
}

/// Hands the frame of a received descriptor (`addr`, `len`) to `on_frame`, its length clamped
/// to the frame, and puts the frame on `free`.
///
/// # Safety
///
/// The kernel must have handed the frame at `addr` to the caller (it came off the rx ring) and
/// it must not be on any ring or list until now.
#[inline]
pub(super) unsafe fn take_received<F: FnMut(&[u8])>(
    area: &Area,
    addr: u64,
    len: u32,
    free: &mut Vec<u64>,
    on_frame: &mut F,
) {
    // SAFETY: the caller owns the frame (this function's contract) until its address goes on
    // `free` below, after this slice is gone.
    let frame = unsafe { area.frame(addr) };
    let len = (len as usize).min(frame.len());
    on_frame(&frame[..len]);
    free.push(chunk(addr));
}

#[cfg(test)]
mod tests {
    use super::*;

    const FS: u64 = FRAME_SIZE as u64;

    fn area() -> Area {
        Area::new((FRAMES * FRAME_SIZE) as usize).expect("an anonymous mapping")
    }

    /// What the frame at `addr` holds, `len` bytes of it.
    fn read(area: &Area, addr: u64, len: usize) -> Vec<u8> {
        // SAFETY: the test owns every frame of its area; the slice dies here.
        let frame = unsafe { area.frame(addr) };
        frame[..len].to_vec()
    }

    fn no_desc() -> [XdpDesc; 256] {
        [XdpDesc {
            addr: 0,
            len: 0,
            options: 0,
        }; 256]
    }

    #[test]
    fn the_answer_queue_starts_with_every_lent_frame_and_owns_just_those() {
        let q = AnswerQueue::new();
        assert_eq!(q.free.len(), ANSWER_FRAMES as usize);
        assert!(q.ready.is_empty());
        while let Some(a) = q.free.pop() {
            assert!(AnswerQueue::owns(a) && a % FS == 0, "{a}");
        }
        let first = u64::from(ANSWER_FIRST) * FS;
        assert!(!AnswerQueue::owns(first - FS));
        assert!(AnswerQueue::owns(first));
        assert!(AnswerQueue::owns(u64::from(TX_FRAMES) * FS - FS));
        assert!(
            !AnswerQueue::owns(u64::from(TX_FRAMES) * FS),
            "receive frames"
        );
        assert_eq!(chunk(3 * FS + 17), 3 * FS);
        assert_eq!(chunk(3 * FS), 3 * FS);
    }

    #[test]
    fn a_batch_puts_answers_first_then_probes_filled_in_place() {
        let area = area();
        let q = AnswerQueue::new();
        let r = u64::from(ANSWER_FIRST) * FS;
        for (k, len) in [(0, 60u32), (1, 61), (2, 62)] {
            q.ready.push((r + k * FS, len)).unwrap();
        }
        let mut free = vec![0, FS, 2 * FS];
        let mut k = 0u8;
        // SAFETY: the test owns every frame of its area.
        let mut batch = unsafe {
            Batch::new(&mut free, &area, &q.ready, 2, 2, |f: &mut [u8]| {
                k += 1;
                f[..64].fill(k);
                64
            })
        };
        let mut descs = no_desc();
        let n = gather(256, || batch.next(), &mut descs);
        let (probes, bytes) = (batch.probes, batch.bytes);
        let got: Vec<(u64, u32)> = descs[..n].iter().map(|d| (d.addr, d.len)).collect();
        assert_eq!(got, [(r, 60), (r + FS, 61), (2 * FS, 64), (FS, 64)]);
        assert_eq!((probes, bytes), (2, 128));
        assert_eq!(read(&area, 2 * FS, 65), [&[1u8; 64][..], &[0]].concat());
        assert_eq!(read(&area, FS, 64), [2; 64]);
        assert_eq!(free, [0], "the frame not used stays free");
        assert_eq!(
            q.ready.pop(),
            Some((r + 2 * FS, 62)),
            "the answer left waits"
        );
    }

    #[test]
    fn a_batch_stops_at_the_rooms_end_and_at_an_empty_frame() {
        let area = area();
        let q = AnswerQueue::new();
        let r = u64::from(ANSWER_FIRST) * FS;
        q.ready.push((r, 60)).unwrap();
        let mut free = vec![0, FS, 2 * FS, 3 * FS];
        let mut calls = 0;
        // More answers asked for than are ready: the probes follow the one there is.
        // SAFETY: the test owns every frame of its area.
        let mut batch = unsafe {
            Batch::new(&mut free, &area, &q.ready, 5, 4, |f: &mut [u8]| {
                calls += 1;
                f[0] = 9;
                if calls < 3 {
                    60
                } else {
                    0
                }
            })
        };
        let mut descs = no_desc();
        assert_eq!(gather(2, || batch.next(), &mut descs), 2, "room for two");
        assert_eq!((descs[0].addr, descs[1].addr), (r, 3 * FS));
        // The third probe's frame is left empty: it goes back, and the batch ends.
        assert_eq!(gather(256, || batch.next(), &mut descs), 1);
        assert_eq!(descs[0].addr, 2 * FS);
        assert_eq!(batch.probes, 2);
        assert_eq!(free, [0, FS]);
        assert_eq!(calls, 3);
    }

    #[test]
    fn completed_frames_go_back_to_the_list_they_came_from() {
        let q = AnswerQueue::new();
        let lent = q.free.pop().unwrap();
        let mut free = Vec::new();
        give_back(5 * FS + 100, &q, &mut free);
        assert_eq!(free, [5 * FS]);
        give_back(lent + 7, &q, &mut free);
        assert_eq!(free, [5 * FS]);
        assert_eq!(q.free.len(), ANSWER_FRAMES as usize);
    }

    #[test]
    fn a_received_frame_is_read_clamped_to_its_frame_and_freed() {
        let area = area();
        let rx = u64::from(TX_FRAMES) * FS;
        // SAFETY: the test owns every frame of its area; the slice dies here.
        let frame = unsafe { area.frame(rx + 256) };
        frame[..100].fill(0x5a);
        let mut free = Vec::new();
        let mut got = Vec::new();
        let mut on_frame = |f: &[u8]| got.push(f.to_vec());
        // SAFETY: the test owns every frame of its area.
        unsafe { take_received(&area, rx + 256, 100, &mut free, &mut on_frame) };
        // A length past the frame's end is cut at it.
        // SAFETY: as above.
        unsafe { take_received(&area, rx + FS + 16, 4000, &mut free, &mut on_frame) };
        assert_eq!(got[0], [0x5a; 100]);
        assert_eq!(got[1].len(), FRAME_SIZE as usize - 16);
        assert_eq!(free, [rx, rx + FS]);
    }
}
