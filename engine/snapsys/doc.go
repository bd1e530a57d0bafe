// Package snapsys plans against a collected host: System is a read-only
// system.System backed by a directory that jailkit collect wrote (layout
// in docs/snapshot.md), so install --dry-run, lab plan, status and diff
// given --from DIR see the host's files, command outputs and sysctls as
// they were, on any OS. CollectState adds to such a directory what those
// commands read beyond the checks' facts: jailkit's state files and the
// files each jail's install recorded.
package snapsys
