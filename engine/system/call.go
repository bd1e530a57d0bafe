package system

import (
	"io/fs"
	"strings"
	"sync/atomic"
)

var seq atomic.Uint64

func nextSeq() uint64 { return seq.Add(1) }

// Call is one call made on a System, as a Recorder or DryRun keeps it.
type Call struct {
	// Seq orders calls across every Recorder and DryRun in the process,
	// so a test can tell whether two runs interleaved.
	Seq     uint64      `json:"seq"`
	Op      string      `json:"op"`             // run, write, mkdir, remove, removeall, rename, symlink, chown, chmod, read, lstat, readdir, readlink, sysctl, openroot, interfaces, kldstat, statfs, jail_get
	Root    string      `json:"root,omitempty"` // the OpenRoot directory the call went through, "" for the host
	Path    string      `json:"path,omitempty"`
	Target  string      `json:"target,omitempty"` // rename's new name, symlink's target
	Argv    []string    `json:"argv,omitempty"`
	Env     []string    `json:"env,omitempty"`
	Mutates bool        `json:"mutates,omitempty"`
	Data    []byte      `json:"data,omitempty"`
	Mode    fs.FileMode `json:"mode,omitempty"`
	UID     int         `json:"uid,omitempty"`
	GID     int         `json:"gid,omitempty"`
}

// String shows the call on one line for test failures and logs.
func (c Call) String() string {
	switch c.Op {
	case "run":
		return "run " + strings.Join(c.Argv, " ")
	case "rename", "symlink":
		return c.Op + " " + c.Root + c.Path + " " + c.Target
	}
	return c.Op + " " + c.Root + c.Path
}

// mutatingOps are the file operations that change a host.
var mutatingOps = map[string]bool{
	"write": true, "mkdir": true, "remove": true, "removeall": true,
	"rename": true, "symlink": true, "chown": true, "chmod": true,
}

// IsMutation says whether c changed (or, in a dry run, would change) the host.
func (c Call) IsMutation() bool {
	if c.Op == "run" {
		return c.Mutates
	}
	return mutatingOps[c.Op]
}
