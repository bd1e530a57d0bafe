package install

import (
	"fmt"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
)

// PortsDir is the ports tree: the host's, mounted read-only at the same
// path in the jail by install --ports (the article's pattern: build from
// ports in a jail without giving it a copy of its own, or a way to write
// the host's).
const PortsDir = "/usr/ports"

// planPorts checks the host has a ports tree to share and, in a jail root
// an earlier install made, makes its mount point (a new root gets it with
// the other mount points). The mount itself is a line of the jail's
// jail.conf.d file, so it comes and goes with that file: the restart a
// rewritten file causes mounts it, uninstall drops it.
func (p *planner) planPorts() error {
	if !p.st.Ports {
		return nil
	}
	if fi, err := p.sys.Lstat(PortsDir); err != nil || !fi.IsDir() {
		return &inputerr.FieldError{Field: "--ports", Problem: fmt.Sprintf("the host has no ports tree at %s", PortsDir),
			Hint: "fetch it first, for example: git clone https://git.FreeBSD.org/ports.git /usr/ports"}
	}
	if !p.rootExists {
		return nil
	}
	jsys, err := p.jailRoot()
	if err != nil {
		return err
	}
	if _, err := jsys.Lstat(PortsDir); err == nil {
		return nil
	}
	j := p.v.Jail
	p.add(plan.Step{Name: "create the mount point " + PortsDir + " in the jail", Action: plan.ActMkdir, Root: j.Path, Path: PortsDir, Mode: "0755",
		Undo: []plan.Step{{Action: plan.ActRmdir, Root: j.Path, Path: PortsDir}}})
	return nil
}
