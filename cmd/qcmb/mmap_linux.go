package main

import "syscall"

// mapPopulate has Linux map every page of a file at once, in one call, rather than fault
// them in one by one as they are read.
const mapPopulate = syscall.MAP_POPULATE
