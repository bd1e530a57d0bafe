package snapsys_test

import "flag"

// go test ./... -update refreshes every package's golden files; this one
// has none, but must take the flag like the rest.
var _ = flag.Bool("update", false, "rewrite golden files (none in this package)")
