// Package plan holds what jailkit will do to a host as data, and does it.
//
// A Plan is an ordered list of typed Steps (run an argv, write a file,
// make a directory, check a service's sockets...), each with the steps
// that undo it. Text and JSON show a plan for review; Apply runs one
// through a System and, when a step fails, undoes the completed steps in
// reverse. Nothing here hands a string to a shell.
package plan
