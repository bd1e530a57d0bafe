package ops

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// Kinds of drift of one file.
const (
	// DriftEdited: the file changed since jailkit wrote it (a local
	// edit); install stops rather than overwrite it, unless --force.
	DriftEdited = "edited"
	// DriftMissing: the recipe renders the file and it is not there.
	DriftMissing = "missing"
	// DriftRecipe: the file is what jailkit wrote, but the recipe now
	// renders it otherwise (a newer recipe); install would update it.
	DriftRecipe = "recipe"
	// DriftMode: the content is right, its mode is not.
	DriftMode = "mode"
)

// FileDrift is one file of a jail that is not what its recipe renders.
type FileDrift struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	// Diff is a unified diff from the file in the jail to what the recipe
	// renders: the change an install would make. Lines starting with "-"
	// are what a local edit added.
	Diff string `json:"diff,omitempty"`
	Mode string `json:"mode,omitempty"` // for DriftMode: the mode it has
}

// Drift is how a jail's files differ from what its recipe renders from
// its recorded values.
type Drift struct {
	Jail   string      `json:"jail"`
	Recipe string      `json:"recipe"`
	Files  []FileDrift `json:"files"`
}

// DiffJail reads jail name's state and compares its files with what its
// recipe renders now. It changes nothing.
func DiffJail(ctx context.Context, sys system.System, cat *recipe.Catalog, name string) (*Drift, error) {
	st, err := readState(sys, name)
	if err != nil {
		return nil, err
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	r, err := cat.Get(st.Recipe)
	if err != nil {
		return nil, fmt.Errorf("jail %s: %w", name, err)
	}
	return JailDrift(sys, st, r)
}

// JailDrift compares the files of the jail st describes with what recipe
// r renders from the values st records. Every read goes through the jail
// root's os.Root, so a symlink the jail's root user planted cannot make
// jailkit read a host file.
func JailDrift(sys system.System, st *state.State, r *recipe.Recipe) (*Drift, error) {
	v, err := Values(st, r)
	if err != nil {
		return nil, err
	}
	files, err := render.Render(v)
	if err != nil {
		return nil, err
	}
	jsys, err := sys.OpenRoot(st.Path)
	if err != nil {
		return nil, fmt.Errorf("open the jail root %s: %w", st.Path, err)
	}
	recorded := map[string]string{}
	for _, f := range st.Files {
		recorded[f.Path] = f.SHA256
	}
	d := &Drift{Jail: st.Name, Recipe: st.Recipe, Files: []FileDrift{}}
	for _, f := range files {
		if f.Dir {
			continue
		}
		fd, err := fileDrift(jsys, f, recorded)
		if err != nil {
			return nil, fmt.Errorf("%s in jail %s: %w", f.Path, st.Name, err)
		}
		if fd != nil {
			d.Files = append(d.Files, *fd)
		}
	}
	return d, nil
}

// fileDrift compares one rendered file with the jail's; nil when equal.
func fileDrift(jsys system.System, f render.File, recorded map[string]string) (*FileDrift, error) {
	have, err := jsys.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return &FileDrift{Path: f.Path, Kind: DriftMissing, Diff: plan.UnifiedDiff(f.Path, nil, f.Content)}, nil
	}
	if err != nil {
		return nil, err
	}
	if bytes.Equal(have, f.Content) {
		fi, err := jsys.Lstat(f.Path)
		if err == nil && fi.Mode().Perm() != f.Mode.Perm() {
			return &FileDrift{Path: f.Path, Kind: DriftMode, Mode: plan.ModeString(fi.Mode())}, nil
		}
		return nil, nil
	}
	kind := DriftEdited
	sum := sha256.Sum256(have)
	if rec, ok := recorded[f.Path]; ok && rec == hex.EncodeToString(sum[:]) {
		kind = DriftRecipe
	}
	return &FileDrift{Path: f.Path, Kind: kind, Diff: plan.UnifiedDiff(f.Path, have, f.Content)}, nil
}

// Clean says whether nothing drifted but what a newer recipe renders.
func (d *Drift) Clean() bool {
	for _, f := range d.Files {
		if f.Kind != DriftRecipe {
			return false
		}
	}
	return true
}
