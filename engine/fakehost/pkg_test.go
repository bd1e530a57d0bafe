package fakehost

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailkit/jailkit/engine/system"
)

// startedJail gives a host with one running jail "dns" at /jails/dns.
func startedJail(t *testing.T, cfg Config) *Host {
	t.Helper()
	h, err := New(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(h.Dir, "jails/dns/etc"), 0o755)
	os.MkdirAll(filepath.Join(h.Dir, "etc/jail.conf.d"), 0o755)
	os.WriteFile(filepath.Join(h.Dir, "etc/jail.conf.d/dns.conf"),
		[]byte("dns {\n\tpath = \"/jails/dns\";\n\thost.hostname = \"dns.lan\";\n\tip4.addr = \"em0|192.0.2.53/32\";\n}\n"), 0o644)
	h.mustRun(t, true, "jail", "-f", "/etc/jail.conf.d/dns.conf", "-c", "dns")
	return h
}

// TestPkg follows usr.sbin/pkg/pkg.c (the bootstrapper) and freebsd/pkg
// src/main.c (the real pkg) for the argv jailkit could run.
func TestPkg(t *testing.T) {
	bootstrapped := DefaultConfig()
	bootstrapped.HostPkg = true
	tests := []struct {
		name      string
		cfg       Config
		bootstrap bool // run the jail's pkg bootstrap first
		argv      []string
		env       []string
		wantErr   string
	}{
		// The bootstrapper's getopt stops at NAME: -y is never seen.
		{"host pkg -j on a fresh host", DefaultConfig(), true, []string{"pkg", "-j", "dns", "install", "-y", "bind920"}, nil, "ASSUME_ALWAYS_YES"},
		// With the variable it would bootstrap the host: never wanted.
		{"host pkg -j with ASSUME_ALWAYS_YES", DefaultConfig(), true, []string{"pkg", "-j", "dns", "install", "-y", "bind920"}, []string{"ASSUME_ALWAYS_YES=yes"}, "bootstrap itself on the host"},
		{"host pkg -y after the subcommand", DefaultConfig(), true, []string{"pkg", "install", "-y", "bind920"}, nil, "bootstrap itself on the host"},
		{"host pkg -j once bootstrapped", bootstrapped, true, []string{"pkg", "-j", "dns", "install", "-y", "bind920"}, nil, ""},
		{"jail pkg before bootstrap", DefaultConfig(), false, []string{"jexec", "-l", "dns", "/usr/local/sbin/pkg", "install", "-y", "bind920"}, nil, "No such file"},
		{"jail bootstrapper without -y", DefaultConfig(), false, []string{"jexec", "-l", "dns", "/usr/sbin/pkg", "bootstrap"}, nil, "ASSUME_ALWAYS_YES"},
		{"jail pkg after bootstrap", DefaultConfig(), true, []string{"jexec", "-l", "dns", "/usr/local/sbin/pkg", "install", "-y", "bind920"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startedJail(t, tt.cfg)
			if tt.bootstrap {
				h.mustRun(t, true, "jexec", "-l", "dns", "/usr/sbin/pkg", "bootstrap", "-y")
			}
			_, err := h.Run(context.Background(), system.Cmd{Argv: tt.argv, Env: tt.env, Mutates: true})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := h.read(t, "jails/dns/var/db/pkg/installed"); got != "bind920\n" {
					t.Errorf("installed = %q", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
}
