package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// ApplyOptions tune how a plan runs.
type ApplyOptions struct {
	// Progress receives the output of long commands.
	Progress io.Writer
	// CheckTries and CheckDelay bound how long a post-check waits for a
	// service to bind.
	CheckTries int
	CheckDelay time.Duration
	// OnStep, when set, is called before each step runs (1-based index),
	// so the caller can show where the run is.
	OnStep func(i, total int, s *Step)
}

// StepError is a plan that failed at one step and was rolled back.
type StepError struct {
	Index int // 1-based
	Total int
	Step  string
	Err   error
	// Undone counts the completed steps that were rolled back.
	Undone int
	// NotUndone lists what rollback could not undo, one line each.
	NotUndone []string
}

// Error names the step, says what failed and what rollback did.
func (e *StepError) Error() string {
	msg := fmt.Sprintf("step %d of %d (%s) failed: %v; ", e.Index, e.Total, e.Step, e.Err)
	if len(e.NotUndone) == 0 {
		return msg + fmt.Sprintf("rolled back the %d completed steps", e.Undone)
	}
	return msg + fmt.Sprintf("rollback could not undo: %s", strings.Join(e.NotUndone, "; "))
}

// Unwrap returns the step's error.
func (e *StepError) Unwrap() error { return e.Err }

// Apply runs the plan's steps in order through sys. When a step fails it
// undoes the completed steps in reverse and returns a *StepError naming
// the step and whatever could not be undone.
func Apply(ctx context.Context, sys system.System, p *Plan, opts ApplyOptions) error {
	if opts.CheckTries <= 0 {
		opts.CheckTries = 1
	}
	ex := &executor{ctx: ctx, sys: sys, opts: opts}
	for i := range p.Steps {
		s := &p.Steps[i]
		if opts.OnStep != nil {
			opts.OnStep(i+1, len(p.Steps), s)
		}
		// A step that writes files does not watch ctx: stop before the
		// next step once SIGINT or SIGTERM came, and roll back.
		err := ctx.Err()
		ran := err == nil
		if !ran {
			err = fmt.Errorf("interrupted before this step: %w", err)
		} else if err = ex.do(s); err == nil {
			continue
		}
		se := &StepError{Index: i + 1, Total: len(p.Steps), Step: s.Name, Err: err}
		// An interrupted run (Ctrl-C cancels ctx) must still roll back,
		// and a second signal must not cut the rollback short.
		ex.ctx = context.WithoutCancel(ctx)
		rollingBack.Add(1)
		defer rollingBack.Add(-1)
		// The failed step may have done part of its work: undo its file
		// effects (ignoring what is not there), never its commands.
		for _, u := range s.Undo {
			if ran && u.Action != ActRun {
				if uerr := ex.do(&u); uerr != nil && !errors.Is(uerr, fs.ErrNotExist) {
					se.NotUndone = append(se.NotUndone, fmt.Sprintf("step %d (%s): %s: %v", i+1, s.Name, oneLine(&u), uerr))
				}
			}
		}
		var after []Step
		var afterOf []int
		for k := i - 1; k >= 0; k-- {
			done := &p.Steps[k]
			se.Undone++
			for _, u := range done.Undo {
				if uerr := ex.do(&u); uerr != nil {
					se.NotUndone = append(se.NotUndone, fmt.Sprintf("step %d (%s): %s: %v", k+1, done.Name, oneLine(&u), uerr))
				}
			}
			for _, u := range done.UndoAfter {
				after = append(after, u)
				afterOf = append(afterOf, k)
			}
		}
		for n := range after {
			u, k := &after[n], afterOf[n]
			if uerr := ex.do(u); uerr != nil {
				se.NotUndone = append(se.NotUndone, fmt.Sprintf("step %d (%s): %s: %v", k+1, p.Steps[k].Name, oneLine(u), uerr))
			}
		}
		return se
	}
	return nil
}

// rollingBack counts the Applys of this process that are rolling back.
var rollingBack atomic.Int32

// RollingBack says whether an Apply of this process is undoing steps now:
// a caller that handles signals lets it finish rather than exit.
func RollingBack() bool { return rollingBack.Load() > 0 }

type executor struct {
	ctx  context.Context
	sys  system.System
	opts ApplyOptions
}

// target returns the System a step works through: the host's, or the
// jail root's (confined by os.Root).
func (ex *executor) target(s *Step) (system.System, error) {
	if s.Root == "" {
		return ex.sys, nil
	}
	js, err := ex.sys.OpenRoot(s.Root)
	if err != nil {
		return nil, fmt.Errorf("open the jail root %s: %w", s.Root, err)
	}
	return js, nil
}

// do runs one step: a command or a check on the host, or a file action
// through the System of the step's root.
func (ex *executor) do(s *Step) error {
	switch s.Action {
	case ActRun:
		var progress io.Writer
		if s.Progress {
			progress = ex.opts.Progress
		}
		_, err := ex.sys.Run(ex.ctx, system.Cmd{Argv: s.Argv, Env: s.Env, Mutates: true, Progress: progress})
		return err
	case ActCheck:
		return ex.check(s)
	case ActVerify:
		return ex.verify(s)
	case ActBackup:
		return ex.backup(s)
	}
	t, err := ex.target(s)
	if err != nil {
		return err
	}
	switch s.Action {
	case ActMkdir:
		return ex.mkdir(t, s)
	case ActWrite:
		return ex.write(t, s)
	case ActRemove:
		return describe(s.Path, t.Remove(s.Path))
	case ActRemoveAll:
		return describe(s.Path, t.RemoveAll(s.Path))
	case ActSameTypes, ActRestoreTree:
		// t is the jail root's System (Root is set), Path a host path.
		for _, p := range s.Paths {
			if s.Action == ActSameTypes {
				err = sameTypes(ex.sys, t, s.Path, p, 0)
			} else {
				err = restoreTree(ex.sys, t, s.Path, p, 0)
			}
			if err != nil {
				return describe(path.Join(s.Root, p), err)
			}
		}
		return nil
	case ActScrub:
		// Through a root at the cache: a relative link a jail swapped in
		// cannot lead the walk out of it (os.Root refuses).
		r, err := t.OpenRoot(s.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return describe(s.Path, err)
		}
		return describe(s.Path, scrub(r, "/", 0))
	case ActRmdir:
		err := t.Remove(s.Path)
		if err != nil && (errors.Is(err, fs.ErrNotExist) || isNotEmpty(err)) {
			return nil // still in use by something else: kept
		}
		return describe(s.Path, err)
	}
	return fmt.Errorf("unknown action %q", s.Action)
}

// scrub removes every entry under dir that is not a regular file or a
// directory (links, FIFOs, sockets, devices), looking with Lstat so no
// link is followed: the shared package cache is cleaned this way before
// a jail mounts it, as pkg would append through a planted link.
func scrub(sys system.System, dir string, depth int) error {
	if depth > 32 {
		// A tree no package cache has: a jail planted it to make every
		// later scrub fail. It goes, without following links.
		return sys.RemoveAll(dir)
	}
	ents, err := sys.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := path.Join(dir, e.Name())
		fi, err := sys.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			if err := scrub(sys, p, depth+1); err != nil {
				return err
			}
		case !fi.Mode().IsRegular():
			if err := sys.Remove(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// check runs a post-check until its output meets Expect, up to CheckTries
// times: a daemon may bind a moment after it forked.
func (ex *executor) check(s *Step) error {
	var err error
	for try := 0; try < ex.opts.CheckTries; try++ {
		if try > 0 {
			select {
			case <-ex.ctx.Done():
				return ex.ctx.Err()
			case <-time.After(ex.opts.CheckDelay):
			}
		}
		var out []byte
		out, err = ex.sys.Run(ex.ctx, system.Cmd{Argv: s.Argv, Env: s.Env})
		if err == nil && s.Expect != nil {
			err = s.Expect.Judge(out)
		}
		if err == nil && s.Refuse != "" {
			err = refused(out, s.Refuse)
		}
		if err == nil {
			return nil
		}
	}
	return err
}

// verify compares a file's sha256 with the step's, or with the one the
// release MANIFEST named by Target lists.
func (ex *executor) verify(s *Step) error {
	// Streamed: base.txz is some 200 MB, past what ReadFile takes.
	got, err := system.SHA256File(ex.sys, s.Path)
	if err != nil {
		return err
	}
	want := s.SHA256
	if want == "" && s.Target != "" {
		m, err := ex.sys.ReadFile(s.Target)
		if err != nil {
			return err
		}
		entries, err := freebsd.ParseManifest(m)
		if err != nil {
			return err
		}
		want = entries[path.Base(s.Path)].SHA256
	}
	if got != want {
		return fmt.Errorf("%s has sha256 %s, the MANIFEST says %s: the download is damaged or not genuine", s.Path, got, want)
	}
	return nil
}

// backup copies a host file to Target with its mode, before an edit.
func (ex *executor) backup(s *Step) error {
	data, err := ex.sys.ReadFile(s.Path)
	if err != nil {
		return err
	}
	mode := fs.FileMode(0o600)
	if fi, err := ex.sys.Lstat(s.Path); err == nil {
		mode = fi.Mode().Perm()
	}
	return ex.sys.WriteFile(s.Target, data, mode)
}

func (ex *executor) mkdir(t system.System, s *Step) error {
	paths := s.Paths
	if s.Path != "" {
		paths = append([]string{s.Path}, paths...)
	}
	for _, p := range paths {
		if err := t.MkdirAll(p, s.mode()); err != nil {
			return describe(p, err)
		}
		if err := t.Chmod(p, s.mode()); err != nil {
			return describe(p, err)
		}
		if err := ex.chown(t, s, p); err != nil {
			return err
		}
	}
	return nil
}

func (ex *executor) write(t system.System, s *Step) error {
	if s.Content == nil {
		return fmt.Errorf("write %s: no content", s.Path)
	}
	if s.Root != "" {
		if err := t.MkdirAll(path.Dir(s.Path), 0o755); err != nil {
			return describe(s.Path, err)
		}
	}
	if err := t.WriteFile(s.Path, []byte(*s.Content), s.mode()); err != nil {
		return describe(s.Path, err)
	}
	return ex.chown(t, s, s.Path)
}

// isNotEmpty says rmdir found the directory in use: ENOTEMPTY, or EEXIST,
// which POSIX allows rmdir(2) to return instead.
func isNotEmpty(err error) bool {
	return errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, fs.ErrExist)
}

// describe names the reason a reader needs when a path leads out of its
// root.
func describe(p string, err error) error {
	if err == nil {
		return nil
	}
	if system.Escapes(err) {
		return fmt.Errorf("%s: %w (%v)", p, system.ErrEscapes, err)
	}
	return err
}

// chown sets the owner of a file in a jail root to the ids the JAIL's
// passwd and group give the names (never the host's: the same name can
// have another id there).
func (ex *executor) chown(t system.System, s *Step, p string) error {
	if s.Root == "" || s.Owner == "" {
		return nil
	}
	uid, err := lookupID(t, "/etc/passwd", s.Owner, 2)
	if err != nil {
		return fmt.Errorf("owner of %s: %w", p, err)
	}
	gid, err := lookupID(t, "/etc/group", s.Group, 2)
	if err != nil {
		return fmt.Errorf("group of %s: %w", p, err)
	}
	return describe(p, t.Chown(p, uid, gid))
}

// lookupID finds name in a passwd or group file (field 3 is the id).
func lookupID(t system.System, file, name string, field int) (int, error) {
	data, err := t.ReadFile(file)
	if err != nil {
		return 0, fmt.Errorf("read the jail's %s: %w", file, describe(file, err))
	}
	id, ok := freebsd.IDs(data)[name]
	if !ok {
		return 0, fmt.Errorf("the jail's %s has no %q", file, name)
	}
	return id, nil
}

// refused fails when lines of out start with prefix, naming them.
func refused(out []byte, prefix string) error {
	var bad []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, prefix) {
			bad = append(bad, strings.TrimSpace(l))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("the output lists %s", strings.Join(bad, ", "))
	}
	return nil
}
