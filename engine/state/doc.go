// Package state keeps what jailkit knows about each jail it installed: one
// JSON file per jail under /var/db/jailkit, listing the jail's values, the
// files written into it and every host resource created or changed, so a
// re-run sees what changed and uninstall removes exactly what install
// created. A state file is read as untrusted input: Validate refuses one
// that points at anything jailkit never creates.
package state
