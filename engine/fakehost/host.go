package fakehost

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/jailkit/jailkit/engine/system"
)

// Iface is one host network interface and its addresses (ADDR/LEN).
type Iface struct {
	Name  string   `json:"name"`
	Addrs []string `json:"addrs"`
}

// Listener is one listening socket on the host, as sockstat shows it.
type Listener struct {
	User    string `json:"user"`
	Command string `json:"command"`
	PID     int    `json:"pid"`
	Proto   string `json:"proto"` // tcp4, udp4, tcp6, udp46 ...
	Addr    string `json:"addr"`  // "*" for a wildcard
	Port    int    `json:"port"`
}

// Port is one port a service listens on once started.
type Port struct {
	Proto string `json:"proto"` // tcp or udp
	Port  int    `json:"port"`
}

// Service says what starting an rc.d service in a jail needs and does.
type Service struct {
	Package string `json:"package"`
	// RCVar is the rc.conf knob that must be YES; NAME_enable when "".
	RCVar   string `json:"rcvar,omitempty"`
	Command string `json:"command"`
	Ports   []Port `json:"ports"`
	// BindFrom is a file in the jail whose "local-address ADDR;" line is
	// the one address the service binds; without that line it binds the
	// wildcard, as ISC dhcpd's fallback socket does (common/socket.c,
	// if_register_socket binds local_address, INADDR_ANY by default).
	BindFrom string `json:"bind_from,omitempty"`
}

// Config is the fake host's fixed configuration.
type Config struct {
	OSRelease  string             `json:"osrelease"` // kern.osrelease, such as 14.3-RELEASE-p2
	Arch       string             `json:"arch"`      // hw.machine_arch
	Interfaces []Iface            `json:"interfaces"`
	Listeners  []Listener         `json:"listeners"`
	Releases   []string           `json:"releases"` // what the fake mirror serves
	Services   map[string]Service `json:"services"`
	// Datasets are the ZFS datasets and their mountpoints; none means a
	// host without ZFS.
	Datasets []Dataset `json:"datasets,omitempty"`
	// FailCommand makes every mutating command whose argv, joined with
	// spaces, contains it fail (for CLI scripts; tests use Host.Fault).
	FailCommand string `json:"fail_command,omitempty"`
	// MemberIfaddrs is net.link.bridge.member_ifaddrs: on 15+ a bridge
	// member may keep its address only when it is set.
	MemberIfaddrs bool `json:"member_ifaddrs,omitempty"`
	// Securelevel is kern.securelevel: above 0, freebsd-update install
	// refuses (usr.sbin/freebsd-update/freebsd-update.sh,
	// install_check_params) and schg flags cannot be cleared.
	Securelevel int `json:"securelevel,omitempty"`
	// HostPkg says the host's pkg is bootstrapped (/usr/local/sbin/pkg
	// exists); a fresh host has only the bootstrapper /usr/sbin/pkg.
	HostPkg bool `json:"host_pkg,omitempty"`
}

// Dataset is a ZFS dataset and where it is mounted.
type Dataset struct {
	Name       string `json:"name"`
	Mountpoint string `json:"mountpoint"`
}

// Jail is one running jail of the fake host.
type Jail struct {
	JID      int      `json:"jid"`
	Name     string   `json:"name"`
	Path     string   `json:"path"`
	Hostname string   `json:"hostname"`
	Iface    string   `json:"iface,omitempty"`
	IP4      []string `json:"ip4"`
	IP6      []string `json:"ip6"`
	Running  []string `json:"services"` // started rc.d services
	// VNet says the jail has its own network stack (jls: vnet "new");
	// its vnet.interface is then owned by it, and Poststop holds the
	// exec.poststop commands "jail -r" runs once the jail is gone.
	VNet     bool       `json:"vnet,omitempty"`
	Poststop [][]string `json:"poststop,omitempty"`
}

// NetIf is an interface ifconfig created (an epair side or a bridge).
type NetIf struct {
	Name string `json:"name"`
	Jail string `json:"jail,omitempty"` // the VNET jail it was moved into
}

// State is what changes as commands run.
type State struct {
	Jails []Jail `json:"jails"`
	// Datasets are the datasets zfs create made.
	Datasets []Dataset `json:"datasets,omitempty"`
	// Modules are the kernel modules kldload loaded.
	Modules []string `json:"modules,omitempty"`
	// StoppedHost are host daemons (commands of Config.Listeners) that
	// "service NAME onestop" stopped; sockstat no longer shows them.
	StoppedHost []string `json:"stopped_host,omitempty"`
	// NetIfs are the cloned interfaces "ifconfig NAME create" made.
	NetIfs []NetIf `json:"netifs,omitempty"`
	// Members are the members "ifconfig BRIDGE addm" gave each bridge
	// (a configured one or a created one).
	Members map[string][]string `json:"members,omitempty"`
}

// DefaultConfig is a FreeBSD 14.3 amd64 host on 192.0.2.10/24 with sshd
// listening on every address.
func DefaultConfig() Config {
	return Config{
		OSRelease: "14.3-RELEASE-p2",
		Arch:      "amd64",
		Interfaces: []Iface{
			{Name: "em0", Addrs: []string{"192.0.2.10/24"}},
			{Name: "lo0", Addrs: []string{"127.0.0.1/8"}},
		},
		Listeners: []Listener{
			{User: "root", Command: "sshd", PID: 1021, Proto: "tcp4", Addr: "*", Port: 22},
			{User: "root", Command: "syslogd", PID: 702, Proto: "udp4", Addr: "192.0.2.10", Port: 514},
		},
		Releases: []string{"14.2-RELEASE", "14.3-RELEASE", "15.0-RELEASE"},
		Services: map[string]Service{
			"named":    {Package: "bind920", Command: "named", Ports: []Port{{"udp", 53}, {"tcp", 53}}},
			"apache24": {Package: "apache24", Command: "httpd", Ports: []Port{{"tcp", 80}}},
			"isc-dhcpd": {Package: "isc-dhcp44-server", Command: "dhcpd", RCVar: "dhcpd_enable", Ports: []Port{{"udp", 67}},
				BindFrom: "/usr/local/etc/dhcpd.conf"},
			"postfix": {Package: "postfix", Command: "master", Ports: []Port{{"tcp", 25}}},
			"sshd":    {Package: "", Command: "sshd", Ports: []Port{{"tcp", 22}}},
		},
	}
}

// Host is the fake host. Its files live under Dir.
type Host struct {
	Dir string
	// Fault, when set, is called before every mutation; an error makes
	// the mutation fail without effect.
	Fault func(c system.Call) error

	files *system.Real
	mu    sync.Mutex
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
		"etc/defaults/devfs.rules": defaultDevfsRules,
		"etc/master.passwd":        "root:$6$secret:0:0::0:0:Charlie &:/root:/bin/sh\n",
		"etc/passwd":               "root:*:0:0:Charlie &:/root:/bin/sh\n",
		"etc/group":                "wheel:*:0:root\n",
	}
	for _, d := range []string{"var/run", "var/db", "usr/local/etc", "etc", ".fakehost"} {
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
	return &Host{Dir: dir, files: r}, nil
}

func writeJSON(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(data, '\n'), 0o644)
}

// Config returns the host's configuration.
func (h *Host) Config() (Config, error) {
	var c Config
	data, err := os.ReadFile(filepath.Join(h.Dir, configFile))
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(data, &c)
}

// SetConfig replaces the host's configuration.
func (h *Host) SetConfig(c Config) error { return writeJSON(filepath.Join(h.Dir, configFile), c) }

// State returns the jails and services now running.
func (h *Host) State() (State, error) {
	var s State
	data, err := os.ReadFile(filepath.Join(h.Dir, stateFile))
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(data, &s)
}

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
		if rel == LockFile {
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
	kind, raw, ok := cfg.sysctlRaw(name)
	if !ok {
		return "", fmt.Errorf("sysctl: unknown oid '%s'", name)
	}
	return system.SysctlText(kind, raw, 8)
}

// sysctlRaw is the kernel side of Sysctl: an OID's kind and its bytes.
func (c Config) sysctlRaw(name string) (uint32, []byte, bool) {
	str := func(v string) (uint32, []byte, bool) { return system.CtlTypeString, append([]byte(v), 0), true }
	num := func(v int) (uint32, []byte, bool) {
		return system.CtlTypeInt, binary.LittleEndian.AppendUint32(nil, uint32(int32(v))), true
	}
	switch name {
	case "kern.osrelease":
		return str(c.OSRelease)
	case "hw.machine":
		return str(c.machine())
	case "hw.machine_arch":
		return str(c.Arch)
	case "kern.securelevel":
		return num(c.Securelevel)
	case "security.jail.jailed":
		return num(0)
	case "net.link.bridge.member_ifaddrs":
		return num(map[bool]int{true: 1, false: 0}[c.MemberIfaddrs])
	}
	return 0, nil, false
}

// machine is hw.machine for the host's hw.machine_arch (sys/kern/kern_mib.c:
// MACHINE is the platform, MACHINE_ARCH the processor architecture).
func (c Config) machine() string {
	switch c.Arch {
	case "aarch64":
		return "arm64"
	case "armv7":
		return "arm"
	}
	return c.Arch
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
