// Package engine turns a recipe and a set of values into the files of a jail
// and, on a host, into an ordered plan of side effects.
//
// Engine is the library half of jailkit: it never prints, never reads
// os.Stdout or os.Stderr and never decides colours or exit codes. It returns
// values and errors; cmd/jailkit shows them. Errors that stem from the user's
// input wrap ErrInput so the CLI can exit with status 2.
//
// Data flows one way: a Recipe (decoded strictly from YAML) and the user's
// settings become Values (typed and validated), Values render to Files
// (pure: same input, same bytes), and Files plus host facts become a Plan
// that a System applies.
package engine
