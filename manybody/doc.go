// Package manybody plans and assembles many-body expansion (MBE) calculations, the Go
// counterpart of MolSSI QCManyBody's ManyBodyCore. It is pure: it imports only qcschema,
// computes nothing itself and runs no program; package manybody/computer runs the tasks
// of a plan on an executor and calls Analyze.
//
// A Core takes a fragmented Molecule and Keywords (BSSE treatments, the model chemistry of
// each n-body level, an optional "supersystem" level, return_total_data,
// supersystem_ie_only, embedding charges). Core.Plan lists every fragment calculation
// (Task: model chemistry, real fragments, basis fragments) that the requested treatments
// need, exactly the unique set QCManyBody's compute_map yields; Core.Molecule builds the
// molecule of a task (ghost atoms for counterpoise basis functions, point charges for
// embedding); Core.Analyze assembles the task results into total and interaction
// energies, gradients and Hessians, the per-treatment body dicts and every
// ManyBodyResultProperties value QCManyBody reports, with its printed n-body tables.
// KeywordsFromInput resolves a ManyBodyInput's keywords by the ManyBodyComputer's rules.
//
// # Conventions
//
// Fragments are 1-indexed in tasks and labels, as in QCManyBody; a task's label is
// QCManyBody's JSON form `["mc", [1], [1, 2]]`, so component results can be exchanged with
// it. Geometry, gradients and Hessians are in bohr and hartree, flat and row-major. A
// task's gradient has one row per atom of its basis fragments, in the parent molecule's
// atom order.
//
// # Semantics
//
// The BSSE treatments are nocp (each subsystem in its own basis), cp (every subsystem in
// the full-cluster basis; monomers in their own basis too when total data are wanted) and
// vmfc (Valiron-Mayer function counterpoise: every subset of an n-body cluster in that
// cluster's basis). The first treatment listed is returned. A single model chemistry with
// vmfc also yields nocp, and cp when max_nbody equals the number of fragments. Levels of
// one model chemistry must be contiguous; several model chemistries give a multilevel
// expansion in which each n-body increment comes from the model chemistry of that level.
// A supersystem model chemistry adds the whole cluster minus its own nocp expansion
// through max_nbody, correcting everything beyond max_nbody. supersystem_ie_only computes
// only the 1-body and nfragments-body tasks.
//
// # Distance screening
//
// Keywords.Screening (a qcmb extension, the "screening" keyword) drops the clusters of
// distant fragments (and by energy, below): a cluster of k >= 2 fragments is kept when every pair of its
// fragments is within the level-k cutoff, by the min_atom or centroid metric. The kept
// clusters are found as cliques of a neighbour graph built with a cell list, so planning
// scales with what is kept, not with C(N, n). The screened expansion sums the n-body
// increments of the kept clusters only: nocp computes the kept clusters in their own
// basis; vmfc every subcluster of a kept cluster in that cluster's basis; cp cannot be
// screened. A task's weight then depends on which of its supersets were kept and is
// computed per task; when nothing is dropped the Core is exactly the unscreened one.
// Plan.Screening reports kept and dropped clusters per level.
//
// # Adaptive expansions: energy screening
//
// Screening.Energy (the "energy" member of the screening keyword) makes the compute map
// follow the results. A cluster S of k >= 3 fragments is computed when it passes the
// distance cutoffs (if any), every (k-1)-fragment subcluster of S was kept, and at least
// one of them, T, has |dE(T)| >= t_k, where dE(T) = sum over U in T of (-1)^(|T|-|U|) E(U)
// is T's n-body increment, each E(U) in U's own basis at the deciding model chemistry:
// the estimator if one is named (another entry of the specifications, such as xtb or a
// small basis), else the model chemistry of level k-1. Levels without a threshold keep
// every cluster whose subclusters were all kept; all thresholds 0 is the unscreened
// expansion, with the same tasks and the same numbers. The kept clusters are assembled as
// distance screening's: nocp sums their increments (energies, gradients, Hessians), vmfc
// computes every subcluster of a kept cluster in its basis, which makes each kept
// increment exact; cp cannot be screened.
//
// A Core with energy screening is adaptive (Core.Adaptive): its Plan is an upper bound,
// every task that may run, and an Expansion (Core.NewExpansion) runs it. The caller asks
// for the tasks that are ready (Expansion.Ready), runs them however it likes, hands each
// result back (Expansion.Add) and gets the tasks that became ready. A cluster is decided
// the moment the increments of its subclusters are known, so there is no barrier between
// levels: tetramers are released while trimers still run. Expansion.Bound is an upper
// bound on the tasks until the last decision (Expansion.Decided), Expansion.Plan the tasks
// the expansion ran, with per-level counts of the clusters kept and dropped and the largest
// increment among the subclusters of a dropped cluster, and Expansion.Analyze the result.
// Decisions and result depend only on the results, never on the order they arrive in.
// A static plan is the case where every task is ready at once, so Plan and Analyze work as
// they always did; Analyze of an adaptive Core runs the expansion from the components it
// is given.
//
// # Assembly
//
// All of QCManyBody's assembly is linear in the task results. For every task the Core
// computes once the weight it carries into each (bsse type, n-body) body-dict entry and
// into the returned value; it depends only on the task's model chemistry and its numbers
// of real and basis fragments. Every output is then a weighted scatter-add of
// fragment-sized arrays into the full-size result, done in plan order, so results are
// bitwise identical whatever order the components arrived in, and no full-size copy of a
// task's array is ever made.
package manybody
