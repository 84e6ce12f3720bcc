// Package proctoken finds and kills processes by a token in their environment. Every
// process inherits its parent's environment, so a variable set with a random token when a
// program (or a whole run) is started marks all its descendants: those that left its
// process group or session, or were orphaned to init, included. This is how what a killed
// program or run left behind is found and ended. It needs /proc (Linux); elsewhere
// nothing is found and the process group is what callers can kill.
package proctoken
