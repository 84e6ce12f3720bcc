// Package procid identifies processes across pid reuse and reboots, so that a record
// left by a process (a run in a result store, a run in the registry of live runs) can
// later be told to belong to a process that still runs or to one that is gone: a killed
// process cannot say so itself. A Process is its host, the boot it ran in, its pid and
// its start time; on Linux all four are known, elsewhere the pid alone is checked.
package procid
