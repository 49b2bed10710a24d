//! The lab tests, one test binary (`cargo test -p masscan --test lab`), one module per subject.
//! Every test brings up its own lab (scripts/lab.sh: network namespaces and veth with a unique
//! random name, taken down on drop, even on failure) and runs the scans inside it; they are
//! `#[ignore]`d unless asked for, because they need root: `./scripts/test.sh` runs them (as
//! root, `--include-ignored`). One lab exists at a time: `Lab` holds test-support's lock while
//! it is up, because the tests measure rates and timings on a shared machine (and some use
//! fixed host-wide resources: DPDK's runtime directory, the PF_RING stand-in, the Slurm
//! daemons' ports), so the test threads of this binary take turns.

mod common;

mod bacnet;
mod banners;
mod canary;
mod clients;
mod compat;
mod coverage;
mod depth;
mod dpdk;
mod flood;
mod hellos_a;
mod hellos_b;
mod hostile;
mod industrial;
mod interfaces;
mod link;
mod metrics;
mod outputs;
mod pairs;
mod pfring;
mod probes;
mod rawip;
mod reference;
mod resume;
mod scan;
mod seccomp;
mod slurm;
mod spoofed_v6;
mod tls;
mod unexpected_ports;
mod vulns;
mod xdp;
