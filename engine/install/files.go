package install

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
)

// planFiles writes the jail's files: with base set, the common base (rc.conf,
// resolv.conf: they must be there before pkg runs); otherwise the
// recipe's own directories and files, written after the packages so the
// users they belong to exist.
func (p *planner) planFiles(files []render.File, base bool) error {
	jsys, err := p.jailRoot()
	if err != nil {
		return err
	}
	for _, f := range files {
		if isBaseFile(f) != base {
			continue
		}
		if f.Dir {
			err = p.planDir(jsys, f)
		} else {
			err = p.planFile(jsys, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// isBaseFile says whether f is written before pkg runs.
func isBaseFile(f render.File) bool {
	// rc.conf.d files are read by the jail's rc when it starts: a
	// VNET jail's netif and routing must be there before it starts,
	// or pkg finds no network.
	return !f.Dir && (f.Path == "/etc/rc.conf" || f.Path == "/etc/resolv.conf" || f.Path == "/etc/fstab" ||
		strings.HasPrefix(f.Path, "/usr/local/etc/syslog.d/") || strings.HasPrefix(f.Path, "/etc/rc.conf.d/"))
}

// jailRoot opens the jail root to compare the files with what is there;
// nil when the install makes the root.
func (p *planner) jailRoot() (system.System, error) {
	if !p.rootExists {
		return nil, nil
	}
	jsys, err := p.sys.OpenRoot(p.v.Jail.Path)
	if err != nil {
		return nil, fmt.Errorf("open the jail root %s: %w", p.v.Jail.Path, err)
	}
	return jsys, nil
}

// planDir creates directory f in the jail, or sets its mode when it is
// there with another.
func (p *planner) planDir(jsys system.System, f render.File) error {
	j := p.v.Jail
	// Undone only when empty: rollback has removed what later
	// steps put in it by then.
	undo := []plan.Step{{Action: plan.ActRmdir, Root: j.Path, Path: f.Path}}
	name := "create " + f.Path + " in the jail"
	if jsys != nil {
		fi, err := jsys.Lstat(f.Path)
		switch {
		case err == nil && fi.IsDir() && permSticky(fi.Mode()) == permSticky(f.Mode):
			return nil
		case err == nil && fi.IsDir():
			// There already: only its mode changes, and back.
			name = "set the mode of " + f.Path + " in the jail"
			undo = []plan.Step{{Action: plan.ActMkdir, Root: j.Path, Path: f.Path, Mode: plan.ModeString(fi.Mode())}}
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return jailPathError(j, f.Path, err)
		}
	}
	p.add(plan.Step{Name: name, Action: plan.ActMkdir, Root: j.Path, Path: f.Path, Mode: plan.ModeString(f.Mode),
		Owner: f.Owner, Group: f.Group, Undo: undo})
	return nil
}

// planFile writes file f in the jail unless it is there as rendered.
func (p *planner) planFile(jsys system.System, f render.File) error {
	j := p.v.Jail
	mode := plan.ModeString(f.Mode)
	var old []byte
	existed := false
	if jsys != nil {
		data, err := jsys.ReadFile(f.Path)
		switch {
		case err == nil:
			old, existed = data, true
			fi, serr := jsys.Lstat(f.Path)
			if bytes.Equal(data, f.Content) && serr == nil && fi.Mode().Perm() == f.Mode.Perm() {
				return nil
			}
		case errors.Is(err, fs.ErrNotExist):
		default:
			return jailPathError(j, f.Path, err)
		}
	}
	s := plan.Step{Name: "write " + f.Path + " in the jail", Action: plan.ActWrite, Root: j.Path, Path: f.Path, Mode: mode,
		Owner: f.Owner, Group: f.Group, Content: plan.Content(f.Content)}
	if existed {
		s.Name = "rewrite " + f.Path + " in the jail"
		s.Diff = plan.UnifiedDiff(f.Path, old, f.Content)
		if p.editedLocally(f.Path, old) && !p.opts.Force {
			p.edits = append(p.edits, s.Diff)
		}
		s.Undo = []plan.Step{{Action: plan.ActWrite, Root: j.Path, Path: f.Path, Mode: mode, Owner: f.Owner, Group: f.Group, Content: plan.Content(old)}}
	} else {
		s.Undo = []plan.Step{{Action: plan.ActRemove, Root: j.Path, Path: f.Path}}
	}
	if p.rootExists {
		p.changed = true
		if p.vnet != nil && p.jailRunning && strings.HasPrefix(f.Path, "/etc/rc.conf.d/") {
			// A VNET jail's rc reads its netif and routing only
			// when the jail starts: a new address needs a restart.
			p.restarted = true
		}
	}
	p.add(s)
	return nil
}

// planStale removes files an earlier install wrote that the recipe no
// longer renders with these values (a loghost that was unset, say), but
// only while they still hold what jailkit wrote: a file the jail's admin
// changed since is left alone.
func (p *planner) planStale(files []render.File) error {
	if p.old == nil || !p.rootExists {
		return nil
	}
	j := p.v.Jail
	now := map[string]bool{}
	for _, f := range files {
		now[f.Path] = true
	}
	jsys, err := p.jailRoot()
	if err != nil {
		return err
	}
	for _, rec := range p.old.Files {
		if rec.Dir || now[rec.Path] || recipe.CheckJailPath(rec.Path) != nil {
			continue
		}
		data, err := jsys.ReadFile(rec.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return jailPathError(j, rec.Path, err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != rec.SHA256 {
			p.plan.Notes = append(p.plan.Notes, fmt.Sprintf("%s in the jail is no longer rendered but was changed since jailkit wrote it; left as it is", rec.Path))
			continue
		}
		p.add(plan.Step{Name: "remove " + rec.Path + " from the jail (no longer rendered)", Action: plan.ActRemove, Root: j.Path, Path: rec.Path,
			Undo: []plan.Step{{Action: plan.ActWrite, Root: j.Path, Path: rec.Path, Mode: rec.Mode, Owner: rec.Owner, Group: rec.Group, Content: plan.Content(data)}}})
		p.changed = true
	}
	return nil
}

// jailPathError explains a path inside the jail that cannot be used,
// typically a symlink its root user planted that leads outside.
func jailPathError(j render.Jail, p string, err error) error {
	if system.Escapes(err) {
		return fmt.Errorf("%s in jail %s: %w (%v)", p, j.Name, system.ErrEscapes, err)
	}
	return fmt.Errorf("%s in jail %s: %w", p, j.Name, err)
}

// permSticky is a directory's permission bits with its sticky bit, which
// a mode such as 1777 keeps.
func permSticky(m fs.FileMode) fs.FileMode { return m & (fs.ModePerm | fs.ModeSticky) }

// editedLocally says whether the file at p in the jail, which holds data,
// changed since an earlier install wrote it: its sum is not the recorded
// one.
func (p *planner) editedLocally(path string, data []byte) bool {
	if p.old == nil {
		return false
	}
	sum := sha256.Sum256(data)
	for _, rec := range p.old.Files {
		if rec.Path == path && !rec.Dir {
			return rec.SHA256 != hex.EncodeToString(sum[:])
		}
	}
	return false
}

// LocalEditsError is a re-install refused because it would overwrite
// files the jail's admin changed since jailkit wrote them. It is bad
// input: nothing was changed, and --force overwrites them.
type LocalEditsError struct {
	Jail string
	// Diffs are unified diffs from each edited file to what the install
	// would write.
	Diffs []string
}

// Error names the jail, says what to do and shows the diffs.
func (e *LocalEditsError) Error() string {
	return fmt.Sprintf("jail %s: %d file(s) changed in the jail since jailkit wrote them; install would overwrite the local edits "+
		"(lines starting with -), so nothing was changed; keep them in the recipe's values, or give --force:\n%s",
		e.Jail, len(e.Diffs), strings.TrimSuffix(strings.Join(e.Diffs, ""), "\n"))
}

// Unwrap makes the refusal bad input (exit status 2).
func (e *LocalEditsError) Unwrap() error { return inputerr.ErrInput }
