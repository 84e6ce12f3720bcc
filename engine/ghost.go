package engine

// GhostChecker is implemented by programs that can say up front whether they accept ghost
// atoms (Molecule.Real false: basis functions without nucleus or electrons). Counterpoise
// (cp) and vmfc plans need ghosts; a planner can refuse such a plan before running anything
// when the program's SupportsGhosts returns false, and suggest nocp instead. Programs that do
// not implement GhostChecker are assumed to support ghosts.
type GhostChecker interface {
	SupportsGhosts() bool
}

// SupportsGhosts reports whether p accepts ghost atoms: p's own answer when it implements
// GhostChecker, true otherwise.
func SupportsGhosts(p Program) bool {
	if g, ok := p.(GhostChecker); ok {
		return g.SupportsGhosts()
	}
	return true
}
