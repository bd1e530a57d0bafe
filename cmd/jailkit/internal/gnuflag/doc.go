// Package gnuflag parses command lines GNU-style over the standard flag
// package: --name VALUE or --name=VALUE anywhere among the arguments, "--"
// to end the flags, errors that name a flag as the user typed it and
// suggest the nearest one. The flag package's FlagSets stay the one
// description of a command's flags, which the help and the shell
// completion read too.
package gnuflag
