package fakehost

import (
	"github.com/jailkit/jailkit/engine/fakehost/fakeupdate"
	"github.com/jailkit/jailkit/engine/system"
)

// freebsdVersion prints Config.OSRelease.
func (h *Host) freebsdVersion(a []string) ([]byte, error) {
	cfg, err := h.Config()
	if err != nil {
		return nil, err
	}
	return []byte(cfg.OSRelease + "\n"), nil
}

// BasePatch is the fake host's stand-in for update.FreeBSD.org: the
// newest patch level it has for every release, a number. A test writes
// it; without it the newest is 2.
const BasePatch = fakeupdate.BasePatch

// freebsdUpdate runs the freebsd-update simulation on the host's files.
func (h *Host) freebsdUpdate(cmd system.Cmd) ([]byte, error) {
	cfg, err := h.Config()
	if err != nil {
		return nil, err
	}
	return fakeupdate.Run(h.files, h.Dir, fakeupdate.Host{Machine: cfg.Machine(), OSRelease: cfg.OSRelease, Securelevel: cfg.Securelevel}, cmd)
}
