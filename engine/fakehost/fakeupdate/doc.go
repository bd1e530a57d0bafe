// Package fakeupdate simulates, for the fake host, the tools that update
// a jail's base: freebsd-update(8) (fetch against a stand-in update
// server, a patch level in a file; install into a base directory with
// what it replaced kept for rollback; rollback), etcupdate(8)'s extract,
// update and status, and tar's create mode that feeds etcupdate its
// trees. engine/fakehost runs them; tests only.
package fakeupdate
