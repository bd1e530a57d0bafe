package recipes_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
)

// The linux recipe has no daemon to run: the Linux ABI lives in the
// host's kernel, and Debian cannot load FreeBSD modules. What can be
// proven here is that the recipe declares every host need the ABI has
// (rc.d/linux, the modules, the mounts jail(8) makes), in an order that
// can be mounted, onto mount points the rendered jail has, without
// weakening the jail, and that "jailkit show linux" tells the admin all
// of it.

// linuxRecipe returns the built-in linux recipe.
func linuxRecipe(t *testing.T) *recipe.Recipe {
	t.Helper()
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get("linux")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLinuxHostNeeds checks what the recipe asks of the host.
func TestLinuxHostNeeds(t *testing.T) {
	r := linuxRecipe(t)
	h := r.Host
	if !slices.Equal(r.Packages, []string{"linux_base-rl9"}) {
		t.Errorf("packages %v, want linux_base-rl9 (linux_base-c7 is end of life)", r.Packages)
	}
	if len(h.RCConf) != 1 || h.RCConf[0].Name != "linux_enable" || h.RCConf[0].Value != "YES" {
		t.Errorf("host rc_conf %v, want linux_enable=YES (rc.d/linux is nojail: only the host can run it)", h.RCConf)
	}
	for _, m := range []string{"linux64", "linprocfs", "linsysfs", "fdescfs"} {
		if !slices.Contains(h.KernelModules, m) {
			t.Errorf("kernel_modules %v lack %s", h.KernelModules, m)
		}
	}
	// A jail that could mount for itself would defeat enforce_statfs,
	// which jailkit writes as 2 and no recipe may change (the host
	// vocabulary refuses enforce_statfs and allow.mount*): the host
	// mounts for the jail, and that is the linux capability the user
	// grants.
	if len(h.JailParams) != 0 {
		t.Errorf("jail_params %v, want none: the host mounts for the jail", h.JailParams)
	}
	if !slices.Equal(r.Capabilities, []string{"linux"}) {
		t.Errorf("capabilities %v, want [linux]", r.Capabilities)
	}
	want := map[string]string{ // path inside the jail -> fstype
		"/compat/linux/proc":    "linprocfs",
		"/compat/linux/sys":     "linsysfs",
		"/compat/linux/dev":     "devfs",
		"/compat/linux/dev/shm": "tmpfs",
		"/compat/linux/dev/fd":  "fdescfs",
	}
	got := map[string]string{}
	for _, m := range h.Mounts {
		got[m.Path] = m.FSType
	}
	if !mapsEqual(got, want) {
		t.Errorf("mounts %v, want %v", got, want)
	}
	for _, m := range h.Mounts {
		if m.FSType != "devfs" {
			continue
		}
		// Without a ruleset a devfs shows the host's every device.
		if !strings.Contains(m.Options, "ruleset=${devfs_ruleset}") {
			t.Errorf("devfs on %s has options %q; it needs ruleset=${devfs_ruleset} so the jail's ruleset applies", m.Path, m.Options)
		}
	}
	// The linux module's /dev/shm is hidden by devfsrules_jail unless unhidden.
	for _, p := range []string{"shm", "shm/*"} {
		if !slices.Contains(h.DevfsUnhide, p) {
			t.Errorf("devfs_unhide %v lacks %q, the mount point of /compat/linux/dev/shm", h.DevfsUnhide, p)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestLinuxMountsCanBeMounted checks that jail(8) can mount the recipe's
// file systems in the order given: every mount point is a directory the
// rendered jail has, or lies inside a file system mounted before it
// (dev/shm and dev/fd exist in devfs once the linux module is loaded).
func TestLinuxMountsCanBeMounted(t *testing.T) {
	r := linuxRecipe(t)
	files := renderCase(t, "linux", "testdata/values/linux.args")
	dirs := map[string]bool{}
	for _, f := range files {
		if f.Dir {
			dirs[f.Path] = true
		}
	}
	var mounted []string
	for _, m := range r.Host.Mounts {
		parent := path.Dir(m.Path)
		switch {
		case dirs[m.Path]:
		case slices.Contains(mounted, parent) && (m.FSType == "tmpfs" || m.FSType == "fdescfs") && parent == "/compat/linux/dev":
		default:
			t.Errorf("mount point %s (%s) is neither rendered nor inside a file system mounted before it", m.Path, m.FSType)
		}
		// Every directory on the way to the mount point must exist too.
		for p := parent; p != "/"; p = path.Dir(p) {
			if !dirs[p] && !slices.Contains(mounted, p) {
				t.Errorf("mount point %s: its parent %s is not rendered", m.Path, p)
			}
		}
		mounted = append(mounted, m.Path)
	}
	// The jail's own fstab stays empty: a jail cannot mount.
	for _, f := range files {
		if f.Path != "/etc/fstab" {
			continue
		}
		for _, line := range strings.Split(string(f.Content), "\n") {
			if line != "" && !strings.HasPrefix(line, "#") {
				t.Errorf("the jail's /etc/fstab has a mount line %q; jail(8) mounts from the host", line)
			}
		}
	}
}

// TestLinuxRefusesI386 checks the one arch the recipe cannot serve:
// linux_base-rl9 (Rocky Linux 9) has no 32-bit package.
func TestLinuxRefusesI386(t *testing.T) {
	r := linuxRecipe(t)
	for _, tc := range []struct {
		arch string
		ok   bool
	}{{"amd64", true}, {"arm64", true}, {"i386", false}} {
		v, err := render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.80"}, Arch: tc.arch})
		if err != nil {
			t.Fatal(err)
		}
		_, err = render.Render(v)
		switch {
		case tc.ok && err != nil:
			t.Errorf("--arch %s: %v", tc.arch, err)
		case !tc.ok && (err == nil || !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "--arch i386")):
			t.Errorf("--arch %s: got %v, want an input error naming --arch i386", tc.arch, err)
		}
	}
}

// TestLinuxShowPrintsHostNeeds builds jailkit and requires "jailkit show
// linux" to print every host need the recipe declares, so the admin sees
// what install will do to the host.
func TestLinuxShowPrintsHostNeeds(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build jailkit: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "jailkit")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goTool, "build", "-o", bin, "./cmd/jailkit")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/jailkit: %v\n%s", err, out)
	}
	show := exec.CommandContext(ctx, bin, "show", "linux")
	show.Env = append(os.Environ(), "NO_COLOR=1")
	outb, err := show.CombinedOutput()
	out := string(outb)
	if err != nil {
		t.Fatalf("jailkit show linux: %v\n%s", err, out)
	}
	r := linuxRecipe(t)
	want := slices.Clone(r.Host.KernelModules)
	for _, v := range r.Host.RCConf {
		want = append(want, v.Name)
	}
	for _, m := range r.Host.Mounts {
		want = append(want, m.FSType+" "+m.Source+" on "+m.Path)
	}
	want = append(want, "shm", "enforce_statfs", "linux_base-rl9")
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("jailkit show linux does not mention %q:\n%s", w, out)
		}
	}
}
