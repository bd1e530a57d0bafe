package plan

import "strconv"

// VNet is a VNET jail's network as a plan shows it and its state file
// records it:
// the epair number (epairNa on the host's bridge, epairNb in the jail)
// and the bridge, so re-runs and uninstall keep them.
type VNet struct {
	Epair  int    `json:"epair"`
	Bridge string `json:"bridge"`
}

// Host returns the host's side of the epair.
func (v *VNet) Host() string { return "epair" + strconv.Itoa(v.Epair) + "a" }

// Jail returns the jail's side of the epair.
func (v *VNet) Jail() string { return "epair" + strconv.Itoa(v.Epair) + "b" }
