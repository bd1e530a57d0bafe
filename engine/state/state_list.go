package state

import (
	"context"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// JailInfo is one jail jailkit manages, as list shows it.
type JailInfo struct {
	Name      string   `json:"name"`
	Recipe    string   `json:"recipe"`
	Version   string   `json:"recipe_version"`
	Addresses []string `json:"addresses"`
	Interface string   `json:"interface"`
	Release   string   `json:"release"`
	Arch      string   `json:"arch"`
	Path      string   `json:"path"`
	// State is "running", "stopped", or "unknown" when jls cannot run.
	State string `json:"state"`
	JID   int    `json:"jid,omitempty"`
}

// List returns the jails jailkit manages on sys, sorted by name, with
// whether each is running.
func List(ctx context.Context, sys system.System) ([]JailInfo, error) {
	states, err := ListStates(sys)
	if err != nil {
		return nil, err
	}
	jids := map[string]int{}
	known := false
	src := &hostcheck.LiveSource{Sys: sys}
	if out, err := src.Output(ctx, "jls-json"); err == nil {
		if js, err := freebsd.ParseJlsJSON(out); err == nil {
			known = true
			for _, j := range js {
				jids[j.Name] = j.JID
			}
		}
	}
	out := make([]JailInfo, 0, len(states))
	for _, s := range states {
		ji := JailInfo{Name: s.Name, Recipe: s.Recipe, Version: s.RecipeVersion,
			Addresses: append(append([]string{}, s.IP4...), s.IP6...), Interface: s.Interface,
			Release: s.Release, Arch: s.Arch, Path: s.Path, State: "unknown"}
		if known {
			ji.State = "stopped"
			if jid, ok := jids[s.Name]; ok {
				ji.State, ji.JID = "running", jid
			}
		}
		out = append(out, ji)
	}
	return out, nil
}
