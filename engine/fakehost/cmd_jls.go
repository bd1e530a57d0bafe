package fakehost

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// jls lists the jails, as libxo JSON with --libxo and as the text table
// otherwise.
func (h *Host) jls(a []string) ([]byte, error) {
	st, err := h.State()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(a, "--libxo") {
		var b strings.Builder
		b.WriteString("   JID  IP Address      Hostname                      Path\n")
		for _, j := range st.Jails {
			ip := ""
			if len(j.IP4) > 0 && !j.VNet {
				ip = j.IP4[0]
			}
			fmt.Fprintf(&b, "%6d  %-15s %-29s %s\n", j.JID, ip, j.Hostname, j.Path)
		}
		return []byte(b.String()), nil
	}
	// As usr.sbin/jls/jls.c emits -n through libxo: every value but the
	// booleans and the address lists is printed with "%s", which libxo
	// quotes (xo_format_is_numeric), so the jid is a string.
	type jl struct {
		JID      string   `json:"jid"`
		Name     string   `json:"name"`
		Hostname string   `json:"host.hostname"`
		Path     string   `json:"path"`
		IP4      []string `json:"ip4.addr"`
		IP6      []string `json:"ip6.addr"`
		Persist  bool     `json:"persist"`
		VNet     string   `json:"vnet,omitempty"`
	}
	out := struct {
		Version string `json:"__version"`
		Info    struct {
			Jail []jl `json:"jail"`
		} `json:"jail-information"`
	}{Version: "2"}
	out.Info.Jail = []jl{}
	for _, j := range st.Jails {
		out.Info.Jail = append(out.Info.Jail, jl{JID: strconv.Itoa(j.JID), Name: j.Name, Hostname: j.Hostname, Path: j.Path,
			IP4: nonNil(j.IP4), IP6: nonNil(j.IP6), Persist: true})
		if j.VNet {
			// A VNET jail's addresses are its own stack's, not jail
			// parameters.
			last := &out.Info.Jail[len(out.Info.Jail)-1]
			last.IP4, last.IP6, last.VNet = []string{}, []string{}, "new"
		}
	}
	return json.Marshal(out)
}

// nonNil makes an empty list marshal as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
