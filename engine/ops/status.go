package ops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// JailStatus is what status reports of one jail.
type JailStatus struct {
	Name   string `json:"name"`
	Recipe string `json:"recipe"`
	// State is "running", "stopped" or "unknown" (jls could not run).
	State string `json:"state"`
	// StoppedOnPurpose says jailkit stop stopped it.
	StoppedOnPurpose bool     `json:"stopped_by_jailkit,omitempty"`
	JID              int      `json:"jid,omitempty"`
	Addresses        []string `json:"addresses"`
	// Listeners is the post-check's verdict on a running jail: "ok", or
	// what is missing or listens on "*"; "" when not checked.
	Listeners string `json:"listeners,omitempty"`
	// Release is the release the jail was installed from; Userland is
	// the base's version with its patch level, from the jail's own
	// /bin/freebsd-version ("" when it could not be read).
	Release  string `json:"release"`
	Userland string `json:"userland,omitempty"`
	// Updates lists the packages with a newer version in the jail's
	// repository, as "name-version" (nil when not asked or not known).
	Updates []string    `json:"updates,omitempty"`
	Drift   []FileDrift `json:"drift"`
	// Problems are what makes the jail's status fail; Notes what could
	// not be found out.
	Problems []string `json:"problems"`
	Notes    []string `json:"notes,omitempty"`
}

// StatusOptions say what status looks at beyond the files and jls.
type StatusOptions struct {
	Recipes *recipe.Catalog
	// Updates asks the jail's pkg for pending updates, which fetches the
	// repository catalogue: off for a quick look.
	Updates bool
}

// Status reports on the named jails (every jail jailkit manages when
// names is empty), in start order. It changes nothing on the host. A jail
// has a problem when it does not run (unless jailkit stop stopped it),
// when its listeners are missing or also on "*", or when its files
// drifted (a local edit, a missing file, a changed mode).
func Status(ctx context.Context, sys system.System, names []string, opts StatusOptions) ([]JailStatus, error) {
	sts, err := Select(sys, opts.Recipes, names, len(names) == 0)
	if err != nil {
		return nil, err
	}
	running, known, why := Running(ctx, sys)
	out := make([]JailStatus, 0, len(sts))
	for _, st := range sts {
		js := JailStatus{Name: st.Name, Recipe: st.Recipe, State: "unknown", Release: st.Release, StoppedOnPurpose: st.Extra[StoppedKey] != "",
			Addresses: append(append([]string{}, st.IP4...), st.IP6...), Drift: []FileDrift{}, Problems: []string{}}
		if !known {
			js.Notes = append(js.Notes, "jls could not run: "+why)
		} else if j, up := running[st.Name]; up {
			js.State, js.JID = "running", j.JID
		} else {
			js.State = "stopped"
			if !js.StoppedOnPurpose {
				js.Problems = append(js.Problems, "the jail is not running")
			}
		}
		js.Userland, err = Userland(sys, st)
		if err != nil {
			js.Notes = append(js.Notes, err.Error())
		}
		r := lookup(opts.Recipes, st)
		if r == nil {
			js.Notes = append(js.Notes, "recipe "+st.Recipe+" is not known here: listeners and drift not checked")
		} else {
			js.look(ctx, sys, st, r, opts)
		}
		out = append(out, js)
	}
	return out, nil
}

// look checks a jail's listeners, drift and pending updates.
func (js *JailStatus) look(ctx context.Context, sys system.System, st *state.State, r *recipe.Recipe, opts StatusOptions) {
	v, err := Values(st, r)
	if err != nil {
		js.Problems = append(js.Problems, err.Error())
		return
	}
	if s, ok := install.PostCheck(v, st.VNet != nil, hostRelease(sys)); ok && js.State == "running" {
		js.Listeners = "ok"
		out, err := sys.Run(ctx, system.Cmd{Argv: s.Argv})
		if err == nil {
			err = s.Expect.Judge(out)
		}
		if err != nil {
			js.Listeners = err.Error()
			js.Problems = append(js.Problems, "listeners: "+err.Error())
		}
	}
	d, err := JailDrift(sys, st, r)
	if err != nil {
		js.Problems = append(js.Problems, "drift: "+err.Error())
	} else {
		js.Drift = d.Files
		for _, f := range d.Files {
			if f.Kind != DriftRecipe {
				js.Problems = append(js.Problems, fmt.Sprintf("%s: %s", f.Path, driftText[f.Kind]))
			}
		}
	}
	if opts.Updates && js.State == "running" {
		js.Updates, err = PendingUpdates(ctx, sys, st.Name)
		if err != nil {
			js.Notes = append(js.Notes, "pending updates could not be read: "+err.Error())
		}
	}
}

var driftText = map[string]string{
	DriftEdited:  "changed in the jail since jailkit wrote it",
	DriftMissing: "missing from the jail",
	DriftMode:    "has another mode than the recipe's",
}

// userlandRE finds the version freebsd-version prints with -u: the
// script holds it as USERLAND_VERSION="14.3-RELEASE-p2"
// (bin/freebsd-version/freebsd-version.sh.in).
var userlandRE = regexp.MustCompile(`(?m)^USERLAND_VERSION="([0-9]+\.[0-9]+-[A-Z0-9]+(?:-p[0-9]+)?)"`)

// Userland reads the jail's base version and patch level from its
// /bin/freebsd-version, without running anything in the jail: in the
// shared base for a thin jail (whose /bin is a nullfs mount of it), in
// the jail root for a thick one, through os.Root either way.
func Userland(sys system.System, st *state.State) (string, error) {
	root := st.Path
	if st.Thin {
		root = BaseOf(st)
	}
	rsys, err := sys.OpenRoot(root)
	if err != nil {
		return "", fmt.Errorf("the base %s could not be opened: %w", root, err)
	}
	data, err := rsys.ReadFile("/bin/freebsd-version")
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s/bin/freebsd-version is missing: the patch level is not known", root)
	}
	if err != nil {
		return "", err
	}
	v, ok := ParseUserland(data)
	if !ok {
		return "", fmt.Errorf("%s/bin/freebsd-version holds no USERLAND_VERSION", root)
	}
	return v, nil
}

// ParseUserland returns the USERLAND_VERSION a freebsd-version script
// holds, such as 14.3-RELEASE-p2.
func ParseUserland(script []byte) (string, bool) {
	m := userlandRE.FindSubmatch(script)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

// PendingUpdates asks the jail's own pkg which installed packages its
// repository has a newer version of: pkg version -R compares with the
// remote catalogue (updating it first), -l "<" keeps only those that
// need updating, one "name-version <" a line (freebsd/pkg
// src/version.c). jexec -l runs it inside the jail in a clean
// environment, so the jail's pkg.conf, ABI and network are used; pkg is
// PendingArgv asks the jail's own pkg which installed packages its
// repository has newer versions of (freebsd/pkg src/version.c: -R the
// remote catalogue, -l '<' the older ones).
func PendingArgv(jail string) []string {
	return []string{"jexec", "-l", jail, "/usr/local/sbin/pkg", "version", "-R", "-l", "<"}
}

// named by its path because the bootstrapper in /usr/sbin is not it.
func PendingUpdates(ctx context.Context, sys system.System, jail string) ([]string, error) {
	out, err := sys.Run(ctx, system.Cmd{Argv: PendingArgv(jail)})
	if err != nil {
		return nil, err
	}
	return ParsePkgVersion(out), nil
}

// ParsePkgVersion returns the packages "pkg version -l <" lists as
// needing an update, each "name-version" ("%n-%v %S" per line, with -v
// a comment after: freebsd/pkg src/version.c, print_version).
//
// The output comes from the jail's own pkg, which the jail's root
// controls: only words that look like a package and version are taken,
// so nothing from it reaches a terminal, a step name or the state file
// raw.
func ParsePkgVersion(out []byte) []string {
	updates := []string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[1] == "<" && len(f[0]) <= 128 && pkgVersionRE.MatchString(f[0]) {
			updates = append(updates, f[0])
		}
	}
	return updates
}

// pkgVersionRE is a package name with its version, such as
// bind920-9.20.4 or py311-setuptools-63.1.0_1,1.
var pkgVersionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+._@,-]*$`)
