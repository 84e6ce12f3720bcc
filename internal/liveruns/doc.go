// Package liveruns keeps a registry of the qcmb runs alive on this machine, so that what a
// run killed outright (kill -9, a crash, a power cut) left behind is removed by the next
// qcmb that starts: its processes, found by the run's token in their environment (their
// process group or session does not matter), and its scratch directory.
//
// A run (Begin) gets a random token, set in TokenEnv, and a scratch root of its own in
// the registry directory, set as TMPDIR: every process it starts (workers, external
// programs, resident processes and the processes they fork) inherits both, so everything
// they write to temporary files is under the root, and every one of them carries the
// token. The registry, $TMPDIR/qcmb-runs-UID, holds one file per run: the token and the
// run's process (host, boot, pid and start time, see package procid). Begin first sweeps
// the runs whose process is gone: it kills their marked processes and removes their
// roots. End, when the run ends normally, does the same for its own run, and removes the
// registry directory once it is empty: when no qcmb run is alive, nothing of qcmb's is
// left in TMPDIR. A qcmb process started by a run on this machine (a subprocess worker)
// joins that run instead of registering its own.
package liveruns
