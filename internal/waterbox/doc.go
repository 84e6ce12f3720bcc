// Package waterbox builds water clusters procedurally for tests, benchmarks and examples:
// a spherical droplet cut from a jittered simple-cubic lattice at liquid density (about
// 3.1 Å between neighbouring oxygens), each molecule a rigid water at a random orientation
// and one fragment. The same seed gives the same cluster.
package waterbox
