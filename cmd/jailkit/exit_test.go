package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestExitStatus pins the CLI contract's exit statuses, which testscript's
// "! exec" cannot tell apart: 2 for bad usage or input (with one error
// line naming the field and nothing written), 1 for a failure, 0 for
// success.
func TestExitStatus(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	tests := []struct {
		name  string
		args  []string
		want  int
		field string // the error line must start with this
	}{
		{"render ok", []string{"render", "dns", "--ip", "192.0.2.53", "--out", out + "-ok"}, 0, ""},
		{"ip out of range", []string{"render", "dns", "--ip", "300.1.1.1", "--out", out}, 2, "--ip:"},
		{"prefix too long", []string{"render", "dns", "--ip", "192.0.2.53/40", "--out", out}, 2, "--ip:"},
		{"name with ;", []string{"render", "dns", "--ip", "192.0.2.53", "--name", "a;b", "--out", out}, 2, "--name:"},
		{"name with ..", []string{"render", "dns", "--ip", "192.0.2.53", "--name", "../x", "--out", out}, 2, "--name:"},
		{"hostname with space", []string{"render", "dns", "--ip", "192.0.2.53", "--hostname", "bad host", "--out", out}, 2, "--hostname:"},
		{"quote in zone", []string{"render", "dns", "--ip", "192.0.2.53", "--set", `zone=x"; };`, "--out", out}, 2, "--set zone:"},
		{"unknown param", []string{"render", "dns", "--ip", "192.0.2.53", "--set", "nosuchparam=1", "--out", out}, 2, "--set nosuchparam:"},
		{"missing ip", []string{"render", "dns", "--out", out}, 2, "--ip:"},
		{"unknown recipe", []string{"render", "nosuch", "--ip", "192.0.2.53", "--out", out}, 2, "recipe:"},
		{"unknown command", []string{"nosuch"}, 2, "unknown command"},
		{"unknown flag", []string{"render", "dns", "--ipp", "x"}, 2, "unknown flag --ipp"},
		{"install bad ip dry-run", []string{"install", "dns", "--ip", "300.1.1.1", "--dry-run"}, 2, "--ip:"},
		{"install bad release name", []string{"install", "dns", "--ip", "192.0.2.53", "--release", "14.3", "--dry-run"}, 2, "--release:"},
		{"check bad format", []string{"check", "--from", "nosuch", "--format", "xml"}, 2, ""},
		{"lint broken", []string{"lint", "nosuch.yaml"}, 2, "PATH:"},
		{"show ok", []string{"show", "dns"}, 0, ""},
	}
	type tc = struct {
		name  string
		args  []string
		want  int
		field string
	}
	// A snapshot is planned against, never changed; one that is not
	// there is bad input.
	tests = append(tests,
		tc{"install --from without --dry-run", []string{"install", "dns", "--ip", "192.0.2.53", "--from", out}, 2, "--from:"},
		tc{"status --from nothing", []string{"status", "--from", out}, 2, "--from:"},
		tc{"diff --from nothing", []string{"diff", "dns", "--from", out}, 2, "--from:"})
	if runtime.GOOS != "freebsd" {
		// Off FreeBSD every command that changes the host stops before
		// it changes anything, and says it needs FreeBSD.
		lab := filepath.Join(t.TempDir(), "lab.yaml")
		labYAML := "apiVersion: jailkit/v1\nname: l\nnetwork:\n  interface: em0\n  subnet: 192.0.2.0/24\n  gateway: 192.0.2.1\n" +
			"  domain: l.lan\njails:\n  - name: ns\n    recipe: dns\n    address: 192.0.2.53\n"
		if err := os.WriteFile(lab, []byte(labYAML), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"install", "dns", "--ip", "192.0.2.53"}, {"uninstall", "dns"}, {"lab", "apply", lab}, {"lab", "destroy", lab},
			{"start", "dns"}, {"stop", "--all"}, {"restart", "dns"}, {"update", "--all"}, {"snapshot", "dns", "x"}, {"rollback", "dns", "x"}, {"console", "dns"}} {
			cmd := args[0]
			if cmd == "lab" {
				cmd += " " + args[1]
			}
			tests = append(tests, tc{cmd + " off FreeBSD", args, 2, cmd + " changes a FreeBSD host"})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(append([]string{"--no-color"}, tt.args...), &stdout, &stderr)
			if got != tt.want {
				t.Fatalf("jailkit %s exited %d, want %d\nstderr:\n%s", strings.Join(tt.args, " "), got, tt.want, stderr.String())
			}
			if tt.want == 2 && tt.field != "" && !strings.HasPrefix(stderr.String(), "jailkit: error: "+tt.field) {
				t.Errorf("first error line does not name %q:\n%s", tt.field, stderr.String())
			}
			if tt.want == 2 {
				if _, err := os.Stat(out); err == nil {
					t.Errorf("bad input wrote %s", out)
				}
			}
		})
	}
}

// TestConfigExitStatus: a bad jailkit.conf is bad input, exit 2 with the
// file and line first, whichever way the file was named.
func TestConfigExitStatus(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "jailkit.conf")
	if err := os.WriteFile(bad, []byte("bridge = bridge0\nbrdge = bridge1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  string
		args []string
	}{
		{"--config", "", []string{"--config", bad, "recipes"}},
		{"--config after the command", "", []string{"recipes", "--config", bad}},
		{"JAILKIT_CONF", bad, []string{"recipes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(confEnv, tt.env)
			var stdout, stderr bytes.Buffer
			if got := run(append([]string{"--no-color"}, tt.args...), &stdout, &stderr); got != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", got, exitUsage, stderr.String())
			}
			if want := "jailkit: error: " + bad + ":2: unknown key \"brdge\""; !strings.HasPrefix(stderr.String(), want) {
				t.Errorf("stderr = %q, want it to start with %q", stderr.String(), want)
			}
			if stdout.Len() > 0 {
				t.Errorf("a bad configuration still printed %q", stdout.String())
			}
		})
	}
}
