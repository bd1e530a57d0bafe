package system

// Execer is a System that can replace the running jailkit with a command,
// as "jailkit console" does with jexec: the terminal then belongs to the
// command and jailkit is gone. Real does it with execve(2); DryRun and
// Recorder only record the call, so a test or a dry run sees it.
type Execer interface {
	// Exec replaces the process with argv (argv[0] an absolute path:
	// execve(2) does no PATH search), its environment extended by env. It
	// returns only when it failed.
	Exec(argv, env []string) error
}

// Exec records the command a dry run would replace jailkit with.
func (d *DryRun) Exec(argv, env []string) error {
	d.add(Call{Op: "exec", Argv: append([]string(nil), argv...), Env: append([]string(nil), env...)})
	return nil
}

// Exec records the call and hands it to Base when Base can exec.
func (r *Recorder) Exec(argv, env []string) error {
	r.add(Call{Op: "exec", Argv: append([]string(nil), argv...), Env: append([]string(nil), env...)})
	if e, ok := r.Base.(Execer); ok {
		return e.Exec(argv, env)
	}
	return nil
}
