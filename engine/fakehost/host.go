package fakehost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/jailkit/jailkit/engine/fakehost/fakeconf"
	"github.com/jailkit/jailkit/engine/fakehost/fakemedia"
	"github.com/jailkit/jailkit/engine/system"
)

// The host's fixed configuration and its changing state are plain data
// in package fakeconf; these names keep the simulation readable.
type (
	Iface    = fakeconf.Iface
	Listener = fakeconf.Listener
	Port     = fakeconf.Port
	Service  = fakeconf.Service
	Config   = fakeconf.Config
	Dataset  = fakeconf.Dataset
	Jail     = fakeconf.Jail
	NetIf    = fakeconf.NetIf
	State    = fakeconf.State
)

// DefaultConfig is a FreeBSD 14.3 amd64 host on 192.0.2.10/24 with sshd
// listening on every address (see fakeconf.Default).
func DefaultConfig() Config { return fakeconf.Default() }

// Host is the fake host. Its files live under Dir.
type Host struct {
	Dir string
	// Fault, when set, is called before every mutation; an error makes
	// the mutation fail without effect.
	Fault func(c system.Call) error

	files *system.Real
	mu    sync.Mutex
	kernelOf
	// config and state keep the parsed JSON files while their bytes
	// stay the same (fakeconf.Cached).
	config fakeconf.Cached[Config]
	state  fakeconf.Cached[State]
}

const (
	configFile = ".fakehost/config.json"
	stateFile  = ".fakehost/state.json"
	// LockFile is where jailkit's lock lives; Snapshot leaves it out
	// because a lock file stays behind by design (removing it would race
	// with a waiting process).
	LockFile = "var/run/jailkit.lock"
)

// New makes a fresh fake host in dir (usually t.TempDir()): the config,
// an empty state, and the host files a FreeBSD install has (rc.conf,
// resolv.conf, devfs.rules defaults, /var/run, /var/db).
func New(dir string, cfg Config) (*Host, error) {
	skel := map[string]string{
		"etc/rc.conf":              "hostname=\"host.home.lan\"\nifconfig_em0=\"inet 192.0.2.10/24\"\ndefaultrouter=\"192.0.2.1\"\nsshd_enable=\"YES\"\n",
		"etc/resolv.conf":          "search home.lan\nnameserver 192.0.2.1\nnameserver 127.0.0.1\n",
		"etc/defaults/devfs.rules": fakemedia.DefaultDevfsRules,
		"etc/master.passwd":        "root:$6$secret:0:0::0:0:Charlie &:/root:/bin/sh\n",
		"etc/passwd":               "root:*:0:0:Charlie &:/root:/bin/sh\n",
		"etc/group":                "wheel:*:0:root\n",
	}
	for _, d := range []string{"var/run", "var/db", "var/db/freebsd-update", "usr/local/etc", "etc", ".fakehost"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	for name, content := range skel {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	if err := writeJSON(filepath.Join(dir, configFile), cfg); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(dir, stateFile), State{Jails: []Jail{}}); err != nil {
		return nil, err
	}
	return Open(dir)
}

// Open opens an existing fake host; a directory without one gets a fresh
// fake host with DefaultConfig first (so a testscript only has to name
// a directory).
func Open(dir string) (*Host, error) {
	if _, err := os.Stat(filepath.Join(dir, configFile)); errors.Is(err, fs.ErrNotExist) {
		var cfg Config
		if data, err := os.ReadFile(filepath.Join(dir, ".fakehost.json")); err == nil {
			// A script may give its own config beside the root.
			if err := json.Unmarshal(data, &cfg); err != nil {
				return nil, fmt.Errorf("fakehost: %w", err)
			}
		} else {
			cfg = DefaultConfig()
		}
		return New(dir, cfg)
	}
	r, err := system.NewReal(dir)
	if err != nil {
		return nil, err
	}
	r.NoSync = true
	h := &Host{Dir: dir, files: r}
	h.kernelOf = h.kernel
	return h, nil
}

func writeJSON(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(data, '\n'), 0o644)
}

// Config returns the host's configuration.
func (h *Host) Config() (Config, error) { return h.config.Load(filepath.Join(h.Dir, configFile)) }

// SetConfig replaces the host's configuration.
func (h *Host) SetConfig(c Config) error { return writeJSON(filepath.Join(h.Dir, configFile), c) }

// State returns the jails and services now running.
func (h *Host) State() (State, error) { return h.state.Load(filepath.Join(h.Dir, stateFile)) }

func (h *Host) saveState(s State) error {
	sort.Slice(s.Jails, func(i, j int) bool { return s.Jails[i].JID < s.Jails[j].JID })
	return writeJSON(filepath.Join(h.Dir, stateFile), s)
}

// AddJail records a running jail that jailkit did not make (for tests of
// "name taken" and "address used by another jail").
func (h *Host) AddJail(j Jail) error {
	s, err := h.State()
	if err != nil {
		return err
	}
	j.JID = nextJID(s)
	s.Jails = append(s.Jails, j)
	return h.saveState(s)
}

func nextJID(s State) int {
	n := 1
	for _, j := range s.Jails {
		if j.JID >= n {
			n = j.JID + 1
		}
	}
	return n
}

// Snapshot returns every entry under the host's directory (the lock file
// aside) as path -> "mode content" or "symlink -> target", so two
// snapshots compare byte for byte, jail and service state included.
func (h *Host) Snapshot() (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(h.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(h.Dir, p)
		if rel == LockFile || rel == PkgFetchLog {
			return nil
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "symlink -> " + t
		case info.IsDir():
			out[rel] = fmt.Sprintf("dir %v", info.Mode())
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("%v %s", info.Mode(), data)
		}
		return nil
	})
	return out, err
}

// FailNth returns a Fault that fails the nth mutation (counting from 1)
// and lets every other one through. Count reports how many it has seen.
func FailNth(n int) (fault func(system.Call) error, count func() int) {
	var mu sync.Mutex
	seen := 0
	return func(c system.Call) error {
			mu.Lock()
			defer mu.Unlock()
			seen++
			if seen == n {
				return fmt.Errorf("fakehost: injected failure of mutation %d (%s)", n, c)
			}
			return nil
		}, func() int {
			mu.Lock()
			defer mu.Unlock()
			return seen
		}
}

func (h *Host) fault(c system.Call) error {
	if h.Fault == nil {
		return nil
	}
	return h.Fault(c)
}

// Sysctl answers from the config the way the kernel does: it hands out
// each OID's kind and raw bytes (an int is four little-endian bytes, as
// x/sys/unix.SysctlRaw returns it) and decodes them with the same
// system.SysctlText the real System uses, so a caller that compared raw
// bytes with "1" fails here as it would on FreeBSD.
func (h *Host) Sysctl(name string) (string, error) {
	cfg, err := h.Config()
	if err != nil {
		return "", err
	}
	kind, raw, ok := cfg.SysctlRaw(name)
	if !ok {
		return "", fmt.Errorf("sysctl: unknown oid '%s'", name)
	}
	return system.SysctlText(kind, raw, 8)
}

// TryLock takes a real flock on a file under the fake root, so two
// processes (or two goroutines) on one fake host exclude each other.
func (h *Host) TryLock(name string) (func() error, string, error) {
	root, err := os.OpenRoot(h.Dir)
	if err != nil {
		return nil, "", err
	}
	unlock, holder, err := system.FlockUnder(root, name)
	root.Close()
	return unlock, holder, err
}

// Run simulates a FreeBSD command; see commands.go.
func (h *Host) Run(ctx context.Context, cmd system.Cmd) ([]byte, error) {
	if len(cmd.Argv) == 0 {
		return nil, errors.New("run: empty argv")
	}
	// Like exec.CommandContext: nothing starts once ctx is done.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cmd.Mutates {
		if err := h.fault(system.Call{Op: "run", Argv: cmd.Argv, Mutates: true}); err != nil {
			return nil, err
		}
		cfg, err := h.Config()
		if err != nil {
			return nil, err
		}
		if cfg.FailCommand != "" && strings.Contains(strings.Join(cmd.Argv, " "), cfg.FailCommand) {
			return nil, &system.ExitError{Argv: cmd.Argv, Err: errors.New("exit status 1"), Stderr: "fakehost: failing as configured"}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.run(cmd)
}

// configAndState reads the host's configuration and its current state,
// which most commands need both of.
func (h *Host) configAndState() (Config, State, error) {
	cfg, err := h.Config()
	if err != nil {
		return Config{}, State{}, err
	}
	st, err := h.State()
	return cfg, st, err
}
