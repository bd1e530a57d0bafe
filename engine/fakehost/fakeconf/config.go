package fakeconf

import (
	"encoding/binary"

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
	// Mounts are the nullfs mounts "mount -t nullfs" made, in order.
	Mounts []Mount `json:"mounts,omitempty"`
}

// MountedOn returns the host directory mounted on on, or "".
func (s State) MountedOn(on string) string {
	for _, m := range s.Mounts {
		if m.On == on {
			return m.From
		}
	}
	return ""
}

// Mount is a nullfs mount of the host directory From on the host path On.
type Mount struct {
	From string `json:"from"`
	On   string `json:"on"`
}

// Default is a FreeBSD 14.3 amd64 host on 192.0.2.10/24 with sshd
// listening on every address.
func Default() Config {
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

// SysctlRaw is the kernel side of fakehost's Sysctl: an OID's kind and its bytes.
func (c Config) SysctlRaw(name string) (uint32, []byte, bool) {
	str := func(v string) (uint32, []byte, bool) { return system.CtlTypeString, append([]byte(v), 0), true }
	num := func(v int) (uint32, []byte, bool) {
		return system.CtlTypeInt, binary.LittleEndian.AppendUint32(nil, uint32(int32(v))), true
	}
	switch name {
	case "kern.osrelease":
		return str(c.OSRelease)
	case "hw.machine":
		return str(c.Machine())
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

// Machine is hw.machine for the host's hw.machine_arch (sys/kern/kern_mib.c:
// MACHINE is the platform, MACHINE_ARCH the processor architecture).
func (c Config) Machine() string {
	switch c.Arch {
	case "aarch64":
		return "arm64"
	case "armv7":
		return "arm"
	}
	return c.Arch
}
