// Package fakepkg is the fake host's package tool and repository as plain
// functions: which words make the pkg bootstrapper answer yes, what a
// package of the fake repository contains, and the log of what the jails'
// pkg fetched from it. engine/fakehost runs them; tests read the log.
package fakepkg
