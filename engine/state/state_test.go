package state

import (
	"strings"
	"testing"
)

// TestValidate: uninstall removes what a state file lists, so a damaged
// or forged file must not point it at the rest of the host.
func TestValidate(t *testing.T) {
	good := func() *State {
		return &State{Name: "dns", Path: "/usr/local/jails/containers/dns", Resources: []Resource{
			{Kind: ResDir, Path: "/usr/local/jails/containers/dns", Whole: true},
			{Kind: ResDir, Path: "/usr/local", Shared: true},
			{Kind: ResFile, Path: "/etc/jail.conf.d/dns.conf"},
			{Kind: ResLine, Path: "/etc/jail.conf", Text: ".include"},
			{Kind: ResDevfs, Path: "/etc/devfs.rules"},
			{Kind: ResRCVar, Path: "/etc/rc.conf", Name: "jail_enable", Value: "YES"},
			{Kind: ResBackup, Path: "/var/db/jailkit/backup/dns/etc_rc.conf"},
			{Kind: ResDataset, Path: "/usr/local/jails/containers/dns", Name: "zroot/jails/containers/dns"},
			{Kind: ResBridge, Name: "bridge0", Value: "em0"},
		}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("a state file install writes is refused: %v", err)
	}
	tests := []struct {
		name string
		edit func(*State)
		want string
	}{
		{"root outside containers", func(s *State) { s.Path = "/etc" }, `jail root "/etc"`},
		{"root of another name", func(s *State) { s.Path = "/usr/local/jails/containers/www" }, "jail root"},
		{"a whole tree outside the jails", func(s *State) { s.Resources[1] = Resource{Kind: ResDir, Path: "/usr", Whole: true} }, `dir "/usr"`},
		{"another jail's conf", func(s *State) { s.Resources[2].Path = "/etc/jail.conf.d/www.conf" }, "file"},
		{"a line in passwd", func(s *State) { s.Resources[3].Path = "/etc/passwd" }, "line"},
		{"an rc.conf name with a newline", func(s *State) { s.Resources[5].Name = "x\ny" }, "rc.conf"},
		{"a backup elsewhere", func(s *State) { s.Resources[6].Path = "/etc/master.passwd" }, "backup"},
		{"a dataset of another jail", func(s *State) { s.Resources[7].Name = "zroot/jails/containers/www" }, "zfs"},
		{"a dataset name like an option", func(s *State) { s.Resources[7].Name = "-r zroot" }, "zfs"},
		{"a bridge that is a NIC", func(s *State) { s.Resources[8].Name = "em0" }, "bridge"},
		{"a relative path", func(s *State) { s.Resources[2].Path = "etc/jail.conf.d/dns.conf" }, "file"},
		{"an unknown kind", func(s *State) { s.Resources[0].Kind = "script" }, "script"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good()
			tt.edit(s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "refusing to uninstall") {
				t.Fatalf("Validate() = %v, want a refusal naming %q", err, tt.want)
			}
		})
	}
}
