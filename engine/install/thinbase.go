package install

import (
	"path"
	"strconv"
	"strings"

	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// BaseKey records in a thin jail's state (Extra) the shared base it
// mounts when that is not its release's first one: jailkit update
// patches a shared base as a copy beside it, templates/RELEASE-ARCH.N,
// and moves the jails to the copy.
const BaseKey = "base"

// RecordedBase returns the shared base a thin jail's state says it
// mounts: the recorded generation of its release's base, or the first
// one. A recorded path that is not a generation of that base is not
// believed.
func RecordedBase(st *state.State, jailsDir string) string {
	def := BaseDir(jailsDir, st.Release, st.Arch)
	if g, ok := generation(def, st.Extra[BaseKey]); ok && g > 1 {
		return st.Extra[BaseKey]
	}
	return def
}

// generation reads N of base.N (1 for base itself).
func generation(base, dir string) (int, bool) {
	if dir == base {
		return 1, true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(dir, base+"."))
	if !strings.HasPrefix(dir, base+".") || err != nil || n < 2 || strconv.Itoa(n) != strings.TrimPrefix(dir, base+".") {
		return 0, false
	}
	return n, true
}

// NewestBase returns the newest generation of a release's shared base
// that exists (0 and base when none does).
func NewestBase(sys system.System, base string) (int, string) {
	newest, dir := 0, base
	entries, err := sys.ReadDir(path.Dir(base))
	if err != nil {
		return 0, base
	}
	for _, e := range entries {
		full := path.Join(path.Dir(base), e.Name())
		if g, ok := generation(base, full); ok && e.IsDir() && g > newest {
			newest, dir = g, full
		}
	}
	return newest, dir
}

// thinBase is the shared base this thin install mounts: on a re-install
// the one the jail's state records, else the newest generation of its
// release's base (a new jail gets the patches jailkit update applied).
// It is recorded in the new state when it is not the first one.
func (p *planner) thinBase() string {
	j := p.v.Jail
	def := BaseDir(p.opts.JailsDir, j.Release, j.Arch)
	base := def
	if p.old != nil && p.old.Thin && p.old.Release == j.Release && p.old.Arch == j.Arch {
		base = RecordedBase(p.old, p.opts.JailsDir)
	} else if g, newest := NewestBase(p.sys, def); g > 1 {
		base = newest
	}
	if base != def {
		if p.st.Extra == nil {
			p.st.Extra = map[string]string{}
		}
		p.st.Extra[BaseKey] = base
	}
	return base
}
