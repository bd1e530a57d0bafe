// Package fakeupdate simulates freebsd-update(8) for the fake host: fetch
// against a stand-in update server (a patch level in a file), install
// into a base directory with what it replaced kept for rollback, and
// rollback. engine/fakehost runs it; tests only.
package fakeupdate
