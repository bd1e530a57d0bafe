package install

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jailkit/jailkit/engine/fakehost"
	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

func newFakeHost(t testing.TB) *fakehost.Host {
	t.Helper()
	h, err := fakehost.New(t.TempDir(), fakehost.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func dnsRecipe(t testing.TB) *recipe.Recipe {
	t.Helper()
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get("dns")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testOpts() Options {
	return Options{LockWait: 5 * time.Second, CheckTries: 1, Version: "test"}
}

func dnsSpec(sets ...string) render.JailSpec {
	return render.JailSpec{IPs: []string{"192.0.2.53"}, Sets: sets}
}

// mutatingRuns returns the commands that changed the host, one line each.
func mutatingRuns(rec *system.Recorder) []string {
	var cmds []string
	for _, c := range rec.Mutations() {
		if c.Op == "run" {
			cmds = append(cmds, strings.Join(c.Argv, " "))
		}
	}
	return cmds
}

func snapshot(t testing.TB, h *fakehost.Host) map[string]string {
	t.Helper()
	s, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// uninstallToStart uninstalls jail name and requires the fake host to be
// byte for byte what it was in before.
func uninstallToStart(t testing.TB, ctx context.Context, h *fakehost.Host, name string, opts UninstallOptions, before map[string]string) {
	t.Helper()
	if _, err := Uninstall(ctx, h, name, opts); err != nil {
		t.Fatalf("uninstall %s: %v", name, err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("uninstall %s left the host changed (-before +after):\n%s", name, diff)
	}
}

func readHost(t testing.TB, h *fakehost.Host, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.Dir, p))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestInstallLifecycle is the end-to-end flow: install, install again
// (nothing changes, no mutating command runs), install with a changed
// value (only the files it changes are rewritten, the service restarts),
// uninstall (the host is byte for byte what it was).
func TestInstallLifecycle(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := dnsRecipe(t)
	before := snapshot(t, h)

	p, err := Install(ctx, h, r, dnsSpec(), testOpts())
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	if p.Changes() == 0 {
		t.Fatal("a first install reported no changes")
	}
	if jls := fakehost.MustRun(t, h, "jls"); !strings.Contains(jls, "192.0.2.53") || !strings.Contains(jls, "dns.home.lan") {
		t.Errorf("jls does not show the jail:\n%s", jls)
	}
	sock := fakehost.MustRun(t, h, "sockstat", "-46l", "-j", "dns")
	if !strings.Contains(sock, "192.0.2.53:53") || strings.Contains(sock, "*:53") {
		t.Errorf("named should listen on 192.0.2.53:53 only:\n%s", sock)
	}
	if rc := readHost(t, h, "etc/rc.conf"); !strings.Contains(rc, `jail_enable="YES"`) || !strings.HasPrefix(rc, `hostname="host.home.lan"`) {
		t.Errorf("host rc.conf:\n%s", rc)
	}
	if jc := readHost(t, h, "etc/jail.conf"); !HasInclude([]byte(jc)) {
		t.Errorf("jail.conf lacks the include line:\n%s", jc)
	}
	conf := readHost(t, h, "etc/jail.conf.d/dns.conf")
	for _, want := range []string{`ip4.addr = "em0|192.0.2.53/32";`, "enforce_statfs = 2;", "securelevel = 2;", "children.max = 0;",
		"allow.noraw_sockets;", "devfs_ruleset = 4;", "nullfs ro"} {
		if !strings.Contains(conf, want) {
			t.Errorf("dns.conf lacks %q", want)
		}
	}
	root := "usr/local/jails/containers/dns"
	if nc := readHost(t, h, root+"/usr/local/etc/namedb/named.conf"); !strings.Contains(nc, "listen-on\t{ 192.0.2.53; };") {
		t.Errorf("named.conf not bound to the jail address:\n%s", nc)
	}
	if rv := readHost(t, h, root+"/etc/resolv.conf"); !strings.Contains(rv, "nameserver 192.0.2.1") || strings.Contains(rv, "127.0.0.1") {
		t.Errorf("resolv.conf should carry the host's non-loopback resolvers:\n%s", rv)
	}
	if pk := readHost(t, h, root+"/var/db/pkg/installed"); strings.TrimSpace(pk) != "bind920" {
		t.Errorf("packages: %q", pk)
	}
	st, err := state.ReadState(h, "dns")
	if err != nil || st == nil {
		t.Fatalf("state: %v %v", st, err)
	}
	if len(st.Files) != 10 || st.Files[0].Path == "" {
		t.Errorf("state records %d files", len(st.Files))
	}
	for _, f := range st.Files {
		if !f.Dir && len(f.SHA256) != 64 {
			t.Errorf("state file record without sha256: %+v", f)
		}
	}

	// Again, same values: nothing changes, no mutating call at all.
	rec := system.NewRecorder(h)
	p, err = Install(ctx, rec, r, dnsSpec(), testOpts())
	if err != nil {
		t.Fatalf("re-install: %v", err)
	}
	if p.Changes() != 0 {
		t.Errorf("re-install plans %d changes:\n%s", p.Changes(), p.Text())
	}
	if m := rec.Mutations(); len(m) != 0 {
		t.Errorf("re-install mutated the host: %v", m)
	}

	// A changed value: only the zone files change, named restarts.
	rec = system.NewRecorder(h)
	_, err = Install(ctx, rec, r, dnsSpec("serial=7"), testOpts())
	if err != nil {
		t.Fatalf("install with a change: %v", err)
	}
	var writes []string
	var cmds []string
	for _, c := range rec.Mutations() {
		switch c.Op {
		case "write":
			writes = append(writes, c.Root+c.Path)
		case "run":
			cmds = append(cmds, strings.Join(c.Argv, " "))
		case "mkdir", "chown":
			// The parent of a rewritten file is made sure of; its
			// owner is set from the jail's passwd.
			if !strings.HasPrefix(c.Root+c.Path, "/"+root+"/usr/local/etc/namedb/primary") {
				t.Errorf("unexpected mutation %v", c)
			}
		default:
			t.Errorf("unexpected mutation %v", c)
		}
	}
	wantWrites := []string{
		"/" + root + "/usr/local/etc/namedb/primary/forward.db",
		"/" + root + "/usr/local/etc/namedb/primary/reverse.db",
		state.StatePath("dns"),
	}
	if diff := cmp.Diff(wantWrites, writes); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"service -j dns named restart"}, cmds); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if fw := readHost(t, h, root+"/usr/local/etc/namedb/primary/forward.db"); !strings.Contains(fw, "7") {
		t.Errorf("forward.db does not carry the new serial:\n%s", fw)
	}

	// Uninstall: back to the start, byte for byte.
	uninstallToStart(t, ctx, h, "dns", UninstallOptions{LockWait: time.Second}, before)
}

var faultAll = flag.Bool("fault-all", false, "fail every single mutation of the dns install, not the first and last of each step")

// TestInstallFaultInjection makes every step of the dns install fail (its
// first and its last mutation, or with -fault-all every mutation) and
// proves the host is byte for byte as before, jail and service state
// included, and that the error names the step.
func TestInstallFaultInjection(t *testing.T) {
	faultEveryStep(t, dnsRecipe(t), dnsSpec())
}

// faultEveryStep counts the mutations of a clean install of spec step by
// step, then, on a fresh fake host each, fails the first and the last
// mutation of every step (every mutation with -fault-all). Each failure
// must name its step and cause, roll back completely, and leave the host
// byte for byte as it was; every mutating step must have been failed.
func faultEveryStep(t *testing.T, r *recipe.Recipe, spec render.JailSpec) {
	t.Helper()
	ctx := context.Background()
	h := newFakeHost(t)
	fault, count := fakehost.FailNth(-1)
	h.Fault = fault
	opts := testOpts()
	var starts []int
	opts.OnStep = func(i, n int, s *plan.Step) { starts = append(starts, count()) }
	p, err := Install(ctx, h, r, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	starts = append(starts, count())
	var targets []int
	for i := range p.Steps {
		first, last := starts[i]+1, starts[i+1]
		if last < first {
			if p.Steps[i].Mutates() {
				t.Errorf("step %q changed nothing", p.Steps[i].Name)
			}
			continue
		}
		if *faultAll {
			for n := first; n <= last; n++ {
				targets = append(targets, n)
			}
			continue
		}
		targets = append(targets, first)
		if last != first {
			targets = append(targets, last)
		}
	}
	var mu sync.Mutex
	failed := map[string]bool{}
	for _, n := range targets {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			t.Parallel()
			h := newFakeHost(t)
			before := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			_, err := Install(ctx, h, r, spec, testOpts())
			var se *plan.StepError
			if !errors.As(err, &se) {
				t.Fatalf("want a StepError, got %v", err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("step %d of %d (%s) failed", se.Index, se.Total, se.Step)) ||
				!strings.Contains(err.Error(), "injected failure") {
				t.Errorf("the error does not name the step and cause: %v", err)
			}
			if len(se.NotUndone) > 0 {
				t.Errorf("rollback left %v", se.NotUndone)
			}
			mu.Lock()
			failed[se.Step] = true
			mu.Unlock()
			h.Fault = nil
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host changed (-before +after):\n%s", se.Step, diff)
			}
		})
	}
	t.Cleanup(func() {
		for _, s := range p.Steps {
			if s.Mutates() && !failed[s.Name] {
				t.Errorf("step %q was never made to fail", s.Name)
			}
		}
	})
}

// TestInstallPostCheckFails rolls back when the service does not listen
// where it should.
func TestInstallPostCheckFails(t *testing.T) {
	h := newFakeHost(t)
	cfg, _ := h.Config()
	svc := cfg.Services["named"]
	svc.Ports = nil // named starts but binds nothing
	cfg.Services["named"] = svc
	if err := h.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h)
	_, err := Install(context.Background(), h, dnsRecipe(t), dnsSpec(), testOpts())
	if err == nil || !strings.Contains(err.Error(), "nothing listens on 192.0.2.53 port udp/53") {
		t.Fatalf("want a post-check failure, got %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("host changed:\n%s", diff)
	}
}

// TestRollbackReportsWhatStays makes an undo fail too: the error says
// what could not be undone.
func TestRollbackReportsWhatStays(t *testing.T) {
	h := newFakeHost(t)
	h.Fault = func(c system.Call) error {
		if c.Op == "run" && len(c.Argv) > 1 && c.Argv[0] == "service" && c.Argv[len(c.Argv)-1] == "restart" {
			return errors.New("service refuses")
		}
		if c.Op == "run" && c.Argv[0] == "jail" && c.Argv[len(c.Argv)-2] == "-r" {
			return errors.New("jail will not stop")
		}
		return nil
	}
	_, err := Install(context.Background(), h, dnsRecipe(t), dnsSpec(), testOpts())
	var se *plan.StepError
	if !errors.As(err, &se) || se.Step != "start named in the jail" {
		t.Fatalf("want the service step to fail, got %v", err)
	}
	if len(se.NotUndone) == 0 || !strings.Contains(strings.Join(se.NotUndone, "\n"), "jail will not stop") {
		t.Errorf("NotUndone = %v", se.NotUndone)
	}
	if !strings.Contains(err.Error(), "rollback could not undo") {
		t.Errorf("error: %v", err)
	}
}

// TestPlantedSymlinks: a jail's root user plants links that lead out of
// the jail; a re-install must not write through them.
func TestPlantedSymlinks(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	for _, tc := range []struct {
		name, link, target string
	}{
		{"resolv.conf to master.passwd", "etc/resolv.conf", "/etc/master.passwd"},
		{"namedb to /etc", "usr/local/etc/namedb", "/etc"},
		{"relative escape", "usr/local/etc/namedb", "../../../../../../../../etc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHost(t)
			if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
				t.Fatal(err)
			}
			root := filepath.Join(h.Dir, "usr/local/jails/containers/dns")
			link := filepath.Join(root, tc.link)
			if err := os.RemoveAll(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(tc.target, link); err != nil {
				t.Fatal(err)
			}
			hostBefore := snapshot(t, h)
			realPasswd, _ := os.ReadFile("/etc/master.passwd")
			_, err := Install(ctx, h, r, dnsSpec("serial=9", "resolvers=192.0.2.2"), testOpts())
			if err == nil || !errors.Is(err, system.ErrEscapes) {
				t.Fatalf("want a refusal naming the escaping link, got %v", err)
			}
			if diff := cmp.Diff(hostBefore, snapshot(t, h)); diff != "" {
				t.Errorf("the install changed the host:\n%s", diff)
			}
			if after, _ := os.ReadFile("/etc/master.passwd"); string(after) != string(realPasswd) {
				t.Error("the real /etc/master.passwd changed")
			}
		})
	}
}

// TestSymlinkPlantedAfterPlanning: the link appears between planning and
// applying (a race the jail's root could win). A directory link makes the
// write through os.Root fail and the run roll back; a file link is
// replaced by the new file (rename does not follow it). Either way
// nothing outside the jail changes.
func TestSymlinkPlantedAfterPlanning(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	for _, tc := range []struct {
		link, target string
		fails        bool
	}{
		{"usr/local/etc/namedb", "/etc", true},
		{"etc/resolv.conf", "/etc/master.passwd", false},
	} {
		t.Run(tc.link, func(t *testing.T) {
			h := newFakeHost(t)
			if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
				t.Fatal(err)
			}
			p, err := PlanInstall(ctx, h, r, dnsSpec("serial=3", "resolvers=192.0.2.2"), testOpts())
			if err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(h.Dir, "usr/local/jails/containers/dns", tc.link)
			if err := os.RemoveAll(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(tc.target, link); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, h)
			err = plan.Apply(ctx, h, p, plan.ApplyOptions{})
			after := snapshot(t, h)
			for k, v := range after {
				if !strings.HasPrefix(k, "usr/local/jails/containers/dns/") && k != ".fakehost/state.json" && k != "var/db/jailkit/dns.json" && before[k] != v {
					t.Errorf("%s outside the jail changed", k)
				}
			}
			if tc.fails {
				if !errors.Is(err, system.ErrEscapes) {
					t.Fatalf("want ErrEscapes, got %v", err)
				}
				if target, err := os.Readlink(link); err != nil || target != tc.target {
					t.Errorf("the planted link should be left alone: %q %v", target, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink != 0 {
				t.Errorf("the link should have been replaced by a file: %v %v", fi, err)
			}
		})
	}
}

// TestBadInput: every refusal happens before any change and is an input
// error (exit status 2).
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	for _, tc := range []struct {
		name  string
		setup func(h *fakehost.Host)
		spec  render.JailSpec
		want  string
	}{
		{"address of another jail", func(h *fakehost.Host) {
			h.AddJail(fakehost.Jail{Name: "www", Path: "/usr/local/jails/containers/www", Iface: "em0", IP4: []string{"192.0.2.53"}})
		}, dnsSpec(), "already used by jail www"},
		{"address of a host interface", nil, render.JailSpec{IPs: []string{"192.0.2.10"}}, "already configured on host interface em0"},
		{"name taken by a running jail", func(h *fakehost.Host) {
			h.AddJail(fakehost.Jail{Name: "dns", Path: "/jails/dns", IP4: []string{"192.0.2.99"}})
		}, dnsSpec(), "jail name dns is already taken"},
		{"name taken by a jail.conf", func(h *fakehost.Host) {
			os.WriteFile(filepath.Join(h.Dir, "etc/jail.conf"), []byte("dns {\n\tpath = \"/jails/dns\";\n}\n"), 0o644)
		}, dnsSpec(), "jail name dns is already taken"},
		{"unknown release", nil, render.JailSpec{IPs: []string{"192.0.2.53"}, Release: "13.9-RELEASE"}, "is not on https://download.freebsd.org"},
		{"release newer than the host", nil, render.JailSpec{IPs: []string{"192.0.2.53"}, Release: "15.0-RELEASE"}, "newer than the host's"},
		{"arm64 jail on amd64", nil, render.JailSpec{IPs: []string{"192.0.2.53"}, Arch: "arm64"}, "cannot run a arm64 jail"},
		{"no such interface", nil, render.JailSpec{IPs: []string{"192.0.2.53"}, Interface: "lo1"}, "the host has no interface lo1"},
		{"wildcard listener on the port", func(h *fakehost.Host) {
			cfg, _ := h.Config()
			cfg.Listeners = append(cfg.Listeners, fakehost.Listener{User: "root", Command: "unbound", PID: 9, Proto: "udp4", Addr: "*", Port: 53})
			h.SetConfig(cfg)
		}, dnsSpec(), "JK-NET-010"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHost(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			before := snapshot(t, h)
			rec := system.NewRecorder(h)
			_, err := Install(ctx, rec, r, tc.spec, testOpts())
			if err == nil || !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an input error with %q, got %v", tc.want, err)
			}
			if m := rec.Mutations(); len(m) > 0 {
				t.Errorf("mutations before the refusal: %v", m)
			}
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("host changed:\n%s", diff)
			}
		})
	}
}

// TestForceOverridesPreflight: --force goes on past a wildcard listener
// and the plan says so.
func TestForceOverridesPreflight(t *testing.T) {
	h := newFakeHost(t)
	cfg, _ := h.Config()
	cfg.Listeners = append(cfg.Listeners, fakehost.Listener{User: "root", Command: "unbound", PID: 9, Proto: "tcp4", Addr: "*", Port: 53})
	h.SetConfig(cfg)
	opts := testOpts()
	opts.Force = true
	p, err := PlanInstall(context.Background(), system.NewDryRun(h), dnsRecipe(t), dnsSpec(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "--force: going on despite JK-NET-010") {
		t.Errorf("notes: %v", p.Notes)
	}
}

// TestDryRunChangesNothing: the dry-run plan is complete (every command as
// argv, every file with content), valid JSON with ordered steps, and the
// host does not change.
func TestDryRunChangesNothing(t *testing.T) {
	h := newFakeHost(t)
	before := snapshot(t, h)
	dry := system.NewDryRun(h)
	p, err := PlanInstall(context.Background(), dry, dnsRecipe(t), dnsSpec(), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("dry run changed the host:\n%s", diff)
	}
	if s := dry.Skipped(); len(s) != 0 {
		t.Errorf("planning tried to mutate: %v", s)
	}
	data, err := p.JSON()
	if err != nil || !json.Valid(data) {
		t.Fatalf("invalid JSON: %v", err)
	}
	var doc struct {
		Steps []struct {
			Action  string   `json:"action"`
			Argv    []string `json:"argv"`
			Path    string   `json:"path"`
			Mode    string   `json:"mode"`
			Content *string  `json:"content"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Steps {
		switch s.Action {
		case plan.ActRun:
			if len(s.Argv) == 0 {
				t.Error("a run step without argv")
			}
			for _, a := range s.Argv {
				switch filepath.Base(a) {
				case "sh", "bash", "csh", "tcsh", "zsh", "ksh", "env", "eval":
					t.Errorf("a step runs a shell: %v", s.Argv)
				}
			}
		case plan.ActWrite:
			if s.Content == nil || s.Mode == "" || s.Path == "" {
				t.Errorf("a write step without path, mode or content: %+v", s)
			}
		}
	}
	text := p.Text()
	for _, want := range []string{
		"run: fetch -o /usr/local/jails/media/14.3-RELEASE-amd64/base.txz https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/base.txz",
		"run: jail -f /etc/jail.conf.d/dns.conf -c dns",
		"run: jexec -l dns /usr/sbin/pkg install -y bind920",
		"run: service -j dns named restart",
		"run: sysrc jail_enable=YES",
		"| 	ip4.addr = \"em0|192.0.2.53/32\";",
		"listen-on	{ 192.0.2.53; };",
		"check: sockstat -46lw -j dns",
		"| .include \"/etc/jail.conf.d/*.conf\";",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text plan lacks %q", want)
		}
	}
	// The order FreeBSD needs: media, root, config, files, start, pkg, service, check, state.
	order := []string{"fetch base.txz", "copy the jail's own", "write /etc/jail.conf.d/dns.conf", "write /etc/resolv.conf in the jail",
		"start jail dns", "bootstrap pkg", "install bind920", "write /usr/local/etc/namedb/named.conf in the jail", "start named", "check that", "record the jail"}
	last := -1
	for _, o := range order {
		i := strings.Index(text, o)
		if i < 0 || i < last {
			t.Errorf("step %q is missing or out of order", o)
		}
		last = i
	}
}

// TestDryRunShowsDiff: a dry run of a changed value shows a diff of the
// file that changes and nothing else.
func TestDryRunShowsDiff(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := dnsRecipe(t)
	if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	p, err := PlanInstall(ctx, system.NewDryRun(h), r, dnsSpec("zone=example.org"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	text := p.Text()
	if !strings.Contains(text, "+\tzone \"example.org\"") && !strings.Contains(text, "example.org") {
		t.Errorf("no diff for the zone:\n%s", text)
	}
	if strings.Contains(text, "/etc/resolv.conf in the jail") || strings.Contains(text, "fetch") {
		t.Errorf("the plan touches more than the changed files:\n%s", text)
	}
	if !strings.Contains(text, "@@ ") {
		t.Errorf("no unified diff in the plan:\n%s", text)
	}
}

// TestConcurrentInstallsNeverInterleave runs two installs at once on one
// host: the lock makes one wait for the other, so the mutations of each
// form one block.
func TestConcurrentInstallsNeverInterleave(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := dnsRecipe(t)
	recA, recB := system.NewRecorder(h), system.NewRecorder(h)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, job := range []struct {
		rec  *system.Recorder
		spec render.JailSpec
	}{{recA, dnsSpec()}, {recB, render.JailSpec{Name: "dns2", IPs: []string{"192.0.2.54"}}}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Install(ctx, job.rec, r, job.spec, testOpts())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := recA.Mutations(), recB.Mutations()
	if len(a) == 0 || len(b) == 0 {
		t.Fatal("an install did nothing")
	}
	first, second := a, b
	if b[0].Seq < a[0].Seq {
		first, second = b, a
	}
	if first[len(first)-1].Seq > second[0].Seq {
		t.Errorf("installs interleaved: first ends at %d, second starts at %d", first[len(first)-1].Seq, second[0].Seq)
	}
	list, err := state.List(ctx, h)
	if err != nil || len(list) != 2 || list[0].State != "running" || list[1].State != "running" {
		t.Errorf("list: %+v %v", list, err)
	}
}

// TestLockBusy: while another run holds the lock, install gives up after
// the wait with a clear message and changes nothing.
func TestLockBusy(t *testing.T) {
	h := newFakeHost(t)
	unlock, _, err := h.TryLock(plan.LockPath)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	rec := system.NewRecorder(h)
	opts := testOpts()
	opts.LockWait = 100 * time.Millisecond
	_, err = Install(context.Background(), rec, dnsRecipe(t), dnsSpec(), opts)
	if !errors.Is(err, plan.ErrBusy) || !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("want ErrBusy naming the holder, got %v", err)
	}
	if m := rec.Mutations(); len(m) != 0 {
		t.Errorf("mutations without the lock: %v", m)
	}
}

// TestUninstallKeepsSharedForOthers: with two jails, uninstalling one
// keeps the shared pieces and hands them over; uninstalling the other
// brings the host back to the start.
func TestUninstallKeepsSharedForOthers(t *testing.T) {
	ctx := context.Background()
	h := newFakeHost(t)
	r := dnsRecipe(t)
	before := snapshot(t, h)
	if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(ctx, h, r, render.JailSpec{Name: "ns2", IPs: []string{"192.0.2.54"}}, testOpts()); err != nil {
		t.Fatal(err)
	}
	if _, err := Uninstall(ctx, h, "dns", UninstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if jc := readHost(t, h, "etc/jail.conf"); !HasInclude([]byte(jc)) {
		t.Error("the include line went while ns2 still needs it")
	}
	if _, err := os.Stat(filepath.Join(h.Dir, "usr/local/jails/containers/dns")); !os.IsNotExist(err) {
		t.Errorf("the dns root is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(h.Dir, "usr/local/jails/templates/14.3-RELEASE-amd64")); err != nil {
		t.Errorf("the shared base went while ns2 uses it: %v", err)
	}
	uninstallToStart(t, ctx, h, "ns2", UninstallOptions{}, before)
}

// TestUninstallUnknown is an input error.
func TestUninstallUnknown(t *testing.T) {
	h := newFakeHost(t)
	_, err := Uninstall(context.Background(), h, "nosuch", UninstallOptions{})
	if !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "jailkit manages no jail named nosuch") {
		t.Fatalf("got %v", err)
	}
	_, err = Uninstall(context.Background(), h, "../etc", UninstallOptions{})
	if !errors.Is(err, inputerr.ErrInput) {
		t.Fatalf("got %v", err)
	}
}

// TestRerunFaultInjection fails every mutation of a re-install with
// changed values and proves the host is back to the installed state, and
// that a service restarted on the new files is restarted again on the
// old ones.
func TestRerunFaultInjection(t *testing.T) {
	ctx := context.Background()
	r := dnsRecipe(t)
	change := dnsSpec("serial=7", "resolvers=192.0.2.2")
	h := newFakeHost(t)
	if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
		t.Fatal(err)
	}
	fault, count := fakehost.FailNth(-1)
	h.Fault = fault
	p, err := Install(ctx, h, r, change, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	restartStep := 0
	for i, s := range p.Steps {
		if s.Name == "restart named in the jail" {
			restartStep = i + 1
		}
	}
	total := count()
	if total < 4 || restartStep == 0 {
		t.Fatalf("%d mutations, restart at step %d:\n%s", total, restartStep, p.Text())
	}
	for n := 1; n <= total; n++ {
		t.Run(fmt.Sprint("mutation ", n), func(t *testing.T) {
			t.Parallel()
			h := newFakeHost(t)
			if _, err := Install(ctx, h, r, dnsSpec(), testOpts()); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, h)
			h.Fault, _ = fakehost.FailNth(n)
			rec := system.NewRecorder(h)
			_, err := Install(ctx, rec, r, change, testOpts())
			var se *plan.StepError
			if !errors.As(err, &se) || len(se.NotUndone) > 0 {
				t.Fatalf("want a clean rollback, got %v", err)
			}
			h.Fault = nil
			restarts := 0
			for _, c := range rec.Commands() {
				if strings.Join(c, " ") == "service -j dns named restart" {
					restarts++
				}
			}
			want := map[bool]int{true: 2, false: 0}[se.Index > restartStep]
			if se.Index == restartStep {
				want = 1
			}
			if restarts != want {
				t.Errorf("failed at step %d (restart is %d): %d restarts, want %d", se.Index, restartStep, restarts, want)
			}
			if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
				t.Errorf("step %q: the host changed (-before +after):\n%s", se.Step, diff)
			}
		})
	}
}

// TestInterruptedInstallRollsBack: a cancelled context (Ctrl-C) stops the
// run, and rollback still runs its commands.
func TestInterruptedInstallRollsBack(t *testing.T) {
	h := newFakeHost(t)
	before := snapshot(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	h.Fault = func(c system.Call) error {
		if c.Op == "run" && isPkgInstall(c.Argv) {
			cancel()
			return context.Canceled
		}
		return nil
	}
	_, err := Install(ctx, h, dnsRecipe(t), dnsSpec(), testOpts())
	var se *plan.StepError
	if !errors.As(err, &se) || len(se.NotUndone) > 0 {
		t.Fatalf("want a clean rollback, got %v", err)
	}
	h.Fault = nil
	if diff := cmp.Diff(before, snapshot(t, h)); diff != "" {
		t.Errorf("host changed:\n%s", diff)
	}
}

// isPkgInstall says argv is the jail's pkg installing packages.
func isPkgInstall(argv []string) bool {
	return len(argv) > 4 && argv[0] == "jexec" && (argv[3] == "/usr/local/sbin/pkg" || argv[3] == "/usr/sbin/pkg") && argv[4] == "install"
}
