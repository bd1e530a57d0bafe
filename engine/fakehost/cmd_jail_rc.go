package fakehost

import (
	"slices"
	"sort"
	"strings"
)

// rcStart simulates the exec.start "/bin/sh /etc/rc" of a jail being
// created: rc(8) (libexec/rc/rc) runs every rc.d script in rcorder, and
// each script's run_rc_command (libexec/rc/rc.subr) starts its daemon
// only when checkyesno of its rcvar says YES in the jail's rc.conf. A
// script exists once its package is installed (ports put it in
// /usr/local/etc/rc.d). So the jail comes up with every service of
// Config.Services that is installed and enabled already running.
func (h *Host) rcStart(j *Jail) {
	cfg, err := h.Config()
	if err != nil {
		return
	}
	sub, err := h.files.OpenRoot(j.Path)
	if err != nil {
		return
	}
	installed, _ := sub.ReadFile("/var/db/pkg/installed")
	pkgs := strings.Fields(string(installed))
	names := make([]string, 0, len(cfg.Services))
	for name := range cfg.Services {
		names = append(names, name)
	}
	sort.Strings(names) // rcorder's order does not matter here; a map's would differ run to run
	for _, name := range names {
		svc := cfg.Services[name]
		if svc.Package != "" && !slices.Contains(pkgs, svc.Package) {
			continue
		}
		if _, ok := enabledIn(sub, name, svc, "start"); !ok || slices.Contains(j.Running, name) {
			continue
		}
		j.Running = append(j.Running, name)
	}
}
