// Package signals turns SIGINT and SIGTERM into the cancellation of
// jailkit's context: the running command stops at its next step and takes
// back what it did, a second signal or a grace period ends the process,
// and a rollback in progress is never cut short.
package signals
