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
// distant fragments: a cluster of k >= 2 fragments is kept when every pair of its
// fragments is within the level-k cutoff, by the min_atom or centroid metric. The kept
// clusters are found as cliques of a neighbour graph built with a cell list, so planning
// scales with what is kept, not with C(N, n). The screened expansion sums the n-body
// increments of the kept clusters only: nocp computes the kept clusters in their own
// basis; vmfc every subcluster of a kept cluster in that cluster's basis; cp cannot be
// screened. A task's weight then depends on which of its supersets were kept and is
// computed per task; when nothing is dropped the Core is exactly the unscreened one.
// Plan.Screening reports kept and dropped clusters per level.
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
