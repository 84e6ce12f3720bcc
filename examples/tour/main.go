// Command tour is the README's API tour as a program: the Core planning and assembling a
// water dimer's many-body expansion with the embedded program computing each fragment
// calculation, then the Computer running a whole ManyBodyInput on a goroutine pool. The
// README shows this file from its imports on; a test keeps the two the same and runs it.
//
//	go run ./examples/tour
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if err := tour(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}
