// Package opshelp holds the long --help texts of the commands that
// change a jail's base and release (update, upgrade), which say step by
// step what they run, so that cmd/jailkit stays a thin CLI.
package opshelp
