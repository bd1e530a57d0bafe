//go:build linux

package recipes_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/render"
	"golang.org/x/sys/unix"
)

// dhcpdConf is where the dhcp recipe puts dhcpd's config inside the jail.
const dhcpdConf = "/usr/local/etc/dhcpd.conf"

// dhcpdCheck runs dhcpd's own config test on a rendered dhcpd.conf.
func dhcpdCheck(t *testing.T, conf string) (string, error) {
	t.Helper()
	return run(t, time.Minute, "dhcpd", "-t", "-4", "-cf", conf)
}

// TestDHCPConformanceCheck runs "dhcpd -t" on every dhcp case.
func TestDHCPConformanceCheck(t *testing.T) {
	requireTool(t, "dhcpd")
	for _, file := range casesOf(t, "dhcp") {
		name := strings.TrimSuffix(filepath.Base(file), ".args")
		t.Run(name, func(t *testing.T) {
			root, _ := renderTo(t, "dhcp", file)
			if out, err := dhcpdCheck(t, filepath.Join(root, dhcpdConf)); err != nil {
				t.Fatalf("dhcpd -t refused the rendered %s: %v\n%s", dhcpdConf, err, out)
			}
		})
	}
}

// TestDHCPConformanceRejectsBroken proves "dhcpd -t" can fail on what the
// recipe writes: each edit breaks the rendered file in a way dhcpd refuses.
func TestDHCPConformanceRejectsBroken(t *testing.T) {
	requireTool(t, "dhcpd")
	tests := []struct {
		name string
		edit func(string) string
	}{
		{"misspelt statement", func(s string) string {
			return strings.Replace(s, "max-lease-time 7200;", "max-lease-tim 7200;", 1)
		}},
		{"lease time that is no number", func(s string) string {
			return strings.Replace(s, "default-lease-time 600;", "default-lease-time ten;", 1)
		}},
		{"netmask that does not fit the subnet", func(s string) string {
			return strings.Replace(s, "netmask 255.255.255.0", "netmask 255.255.0.0", 1)
		}},
		{"range outside the subnet", func(s string) string {
			return strings.Replace(s, "range 192.0.2.150", "range 198.51.100.150", 1)
		}},
		{"unbalanced brace", func(s string) string {
			return strings.Replace(s, "}\n", "\n", 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := renderTo(t, "dhcp", "testdata/values/dhcp-static.args")
			p := filepath.Join(root, dhcpdConf)
			breakFile(t, p, tc.edit)
			out, err := dhcpdCheck(t, p)
			if err == nil {
				t.Fatalf("dhcpd -t accepted a broken %s:\n%s", dhcpdConf, out)
			}
			t.Logf("rejected as expected: %s", dhcpdReason(out))
		})
	}
}

// dhcpdReason picks dhcpd's "FILE line N: reason" lines out of its
// output, which ends in a long plea to read the bug-reporting pages.
func dhcpdReason(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " line ") || strings.Contains(l, "bad range") || strings.Contains(l, "bad subnet") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) == 0 {
		return strings.TrimSpace(out)
	}
	return strings.Join(lines, " | ")
}

// dhcpdRCVars are the rc.conf variables net/isc-dhcp44-server's
// rc.d/isc-dhcpd reads (files/isc-dhcpd.in). Listing 7's dhcpd_umask,
// dhcpd_makedev_enable, dhcpd_jail_enable, dhcpd_rootdir, dhcpd_hostname
// and dhcpd_ipaddress are not among them any more: written, they would do
// nothing and mislead the reader.
var dhcpdRCVars = []string{"dhcpd_enable", "dhcpd_flags", "dhcpd_ifaces", "dhcpd_conf",
	"dhcpd_withumask", "dhcpd_chuser_enable", "dhcpd_withuser", "dhcpd_withgroup",
	"dhcpd_chroot_enable", "dhcpd_devfs_enable", "dhcpd_chrootdir", "dhcpd_includedir"}

// readRCConf reads name="value" lines of a rendered rc.conf.
func readRCConf(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			t.Fatalf("%s: %q is not name=\"value\"", file, line)
		}
		if _, dup := vars[k]; dup {
			t.Errorf("%s: %s is set twice", file, k)
		}
		vars[k] = v[1 : len(v)-1]
	}
	return vars
}

// TestDHCPRCConfMatchesThePortsScript pins the jail's rc.conf to what the
// port's rc script understands: every dhcpd_ variable is one it reads, and
// the Listing 7 settings are there with their modern names.
func TestDHCPRCConfMatchesThePortsScript(t *testing.T) {
	for _, file := range casesOf(t, "dhcp") {
		name := strings.TrimSuffix(filepath.Base(file), ".args")
		t.Run(name, func(t *testing.T) {
			root, _ := renderTo(t, "dhcp", file)
			vars := readRCConf(t, filepath.Join(root, "etc/rc.conf"))
			for k := range vars {
				if strings.HasPrefix(k, "dhcpd_") && !slices.Contains(dhcpdRCVars, k) {
					t.Errorf("rc.conf sets %s, which rc.d/isc-dhcpd does not read", k)
				}
			}
			want := map[string]string{"dhcpd_enable": "YES", "dhcpd_flags": "-q", "dhcpd_conf": dhcpdConf,
				"dhcpd_withumask": "022", "dhcpd_chuser_enable": "YES", "dhcpd_withuser": "dhcpd",
				"dhcpd_withgroup": "dhcpd", "dhcpd_chroot_enable": "NO"}
			for k, v := range want {
				if vars[k] != v {
					t.Errorf("rc.conf %s=%q, want %q", k, vars[k], v)
				}
			}
		})
	}
}

// TestDHCPRejectsBadValues renders the dhcp recipe with values that cannot
// work and requires an input error that names the parameter to fix.
func TestDHCPRejectsBadValues(t *testing.T) {
	c, err := recipe.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Get("dhcp")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ip   string
		sets []string
		want string // in the error
	}{
		{"host without MAC", "192.0.2.67", []string{"hosts=printer=192.0.2.20"}, "--set hosts"},
		{"host with a bad MAC", "192.0.2.67", []string{"hosts=printer=00:11:22:33:44=192.0.2.20"}, "--set hosts"},
		{"host with a bad address", "192.0.2.67", []string{"hosts=printer=00:11:22:33:44:55=192.0.2.300"}, "--set hosts"},
		{"host outside the subnet", "192.0.2.67", []string{"hosts=printer=00:11:22:33:44:55=198.51.100.20"}, "outside subnet"},
		{"host inside the range", "192.0.2.67", []string{"hosts=printer=00:11:22:33:44:55=192.0.2.150"}, "dynamic range"},
		{"same MAC twice", "192.0.2.67", []string{"hosts=a=00:11:22:33:44:55=192.0.2.20,b=00:11:22:33:44:55=192.0.2.21"}, "given twice"},
		{"same name twice", "192.0.2.67", []string{"hosts=a=00:11:22:33:44:55=192.0.2.20,A=00:11:22:33:44:56=192.0.2.21"}, "given twice"},
		{"one end of the range", "192.0.2.67", []string{"range_start=192.0.2.10"}, "range_end"},
		{"range backwards", "192.0.2.67", []string{"range_start=192.0.2.200", "range_end=192.0.2.150"}, "comes after"},
		{"range outside the subnet", "192.0.2.67", []string{"range_start=198.51.100.10", "range_end=198.51.100.20"}, "outside subnet"},
		{"range holds the jail", "192.0.2.150", nil, "jail's own address"},
		{"router elsewhere", "192.0.2.67", []string{"routers=198.51.100.1"}, "--set routers"},
		{"default lease above max", "192.0.2.67", []string{"default_lease=90000"}, "--set default_lease"},
		{"small subnet without range", "192.0.2.67", []string{"subnet=192.0.2.64/28"}, "--set range_start"},
		{"subnet without room", "192.0.2.67", []string{"subnet=192.0.2.66/31"}, "--set subnet"},
		{"interface name", "192.0.2.67", []string{"interfaces=EM0"}, "--set interfaces"},
		{"vnet without interface", "192.0.2.67", []string{"vnet=true"}, "--set vnet"},
		{"interface with a semicolon", "192.0.2.67", []string{"interfaces=em0;x"}, "--set interfaces"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := render.NewValues(r, render.JailSpec{IPs: []string{tc.ip}, Sets: tc.sets})
			if err == nil {
				_, err = render.Render(v)
			}
			if err == nil {
				t.Fatalf("%v rendered; want an error about %s", tc.sets, tc.want)
			}
			if !errors.Is(err, inputerr.ErrInput) {
				t.Errorf("error is not an input error: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// The DHCP client below is the few lines of RFC 2131 the test needs; no
// DHCP client is installed on the test machines, and a Go one lets the
// test read every option of the answer.

// DHCP message types (option 53).
const (
	dhcpDiscover = 1
	dhcpOffer    = 2
	dhcpRequest  = 3
	dhcpAck      = 5
	dhcpNak      = 6
)

// dhcpMsg is one BOOTP/DHCP message.
type dhcpMsg struct {
	op     byte // 1 request, 2 reply
	xid    uint32
	flags  uint16 // 0x8000: answer by broadcast
	yiaddr netip.Addr
	chaddr net.HardwareAddr
	opts   map[byte][]byte
}

var dhcpCookie = []byte{99, 130, 83, 99}

// marshal encodes m with its options (end option included).
func (m *dhcpMsg) marshal() []byte {
	b := make([]byte, 236)
	b[0], b[1], b[2] = m.op, 1, 6 // Ethernet, 6-byte addresses
	binary.BigEndian.PutUint32(b[4:], m.xid)
	binary.BigEndian.PutUint16(b[10:], m.flags)
	copy(b[28:44], m.chaddr)
	b = append(b, dhcpCookie...)
	keys := make([]byte, 0, len(m.opts))
	for k := range m.opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = append(b, k, byte(len(m.opts[k])))
		b = append(b, m.opts[k]...)
	}
	return append(b, 255)
}

// parseDHCP decodes a DHCP message.
func parseDHCP(b []byte) (*dhcpMsg, error) {
	if len(b) < 240 || !bytes.Equal(b[236:240], dhcpCookie) {
		return nil, errors.New("not a DHCP message")
	}
	m := &dhcpMsg{op: b[0], xid: binary.BigEndian.Uint32(b[4:]), flags: binary.BigEndian.Uint16(b[10:]),
		chaddr: net.HardwareAddr(slices.Clone(b[28:34])), opts: map[byte][]byte{}}
	m.yiaddr, _ = netip.AddrFromSlice(b[16:20])
	for i := 240; i < len(b); {
		code := b[i]
		if code == 255 {
			break
		}
		if code == 0 {
			i++
			continue
		}
		if i+1 >= len(b) || i+2+int(b[i+1]) > len(b) {
			return nil, errors.New("truncated option")
		}
		m.opts[code] = b[i+2 : i+2+int(b[i+1])]
		i += 2 + int(b[i+1])
	}
	return m, nil
}

// msgType returns option 53, or 0.
func (m *dhcpMsg) msgType() byte {
	if v := m.opts[53]; len(v) == 1 {
		return v[0]
	}
	return 0
}

// addrs reads an option that is a list of IPv4 addresses.
func (m *dhcpMsg) addrs(code byte) []string {
	var out []string
	v := m.opts[code]
	for i := 0; i+4 <= len(v); i += 4 {
		out = append(out, netip.AddrFrom4([4]byte(v[i:i+4])).String())
	}
	return out
}

// dhcpClient is a UDP socket on port 68 inside a namespace, bound to one
// link, that broadcasts requests and reads the server's broadcast answers.
type dhcpClient struct {
	conn *net.UDPConn
	link string
}

// newDHCPClient opens the client socket inside ns on link.
func newDHCPClient(t *testing.T, ns *namespace, link string) *dhcpClient {
	t.Helper()
	var pc net.PacketConn
	err := ns.inNamespace(func() error {
		lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
				if serr == nil {
					serr = unix.BindToDevice(int(fd), link)
				}
			})
			return errors.Join(err, serr)
		}}
		var err error
		pc, err = lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:68")
		return err
	})
	if err != nil {
		t.Fatalf("DHCP client socket on %s: %v", link, err)
	}
	c := &dhcpClient{conn: pc.(*net.UDPConn), link: link}
	t.Cleanup(func() { c.conn.Close() })
	return c
}

// exchange broadcasts m and returns the first answer with m's xid, or an
// error when none comes within timeout.
func (c *dhcpClient) exchange(m *dhcpMsg, timeout time.Duration) (*dhcpMsg, error) {
	dst := &net.UDPAddr{IP: net.IPv4bcast, Port: 67}
	if _, err := c.conn.WriteToUDP(m.marshal(), dst); err != nil {
		return nil, fmt.Errorf("send on %s: %w", c.link, err)
	}
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 1500)
	for {
		if err := c.conn.SetReadDeadline(deadline); err != nil {
			return nil, err
		}
		n, _, err := c.conn.ReadFromUDP(buf)
		if err != nil {
			return nil, fmt.Errorf("no answer on %s within %v: %w", c.link, timeout, err)
		}
		r, err := parseDHCP(buf[:n])
		if err != nil || r.op != 2 || r.xid != m.xid {
			continue // not ours: another client's broadcast answer
		}
		return r, nil
	}
}

// lease runs DISCOVER, OFFER, REQUEST, ACK for the client hardware
// address mac and returns the offer and the ack.
func (c *dhcpClient) lease(t *testing.T, mac net.HardwareAddr, xid uint32) (offer, ack *dhcpMsg) {
	t.Helper()
	params := []byte{1, 3, 6, 12, 15, 51, 54}
	discover := &dhcpMsg{op: 1, xid: xid, flags: 0x8000, chaddr: mac,
		opts: map[byte][]byte{53: {dhcpDiscover}, 55: params}}
	offer, err := c.exchange(discover, 5*time.Second)
	if err != nil {
		t.Fatalf("DISCOVER from %s: %v", mac, err)
	}
	if offer.msgType() != dhcpOffer {
		t.Fatalf("DISCOVER from %s: answer is message type %d, want an OFFER (2)", mac, offer.msgType())
	}
	request := &dhcpMsg{op: 1, xid: xid + 1, flags: 0x8000, chaddr: mac, opts: map[byte][]byte{
		53: {dhcpRequest}, 50: offer.yiaddr.AsSlice(), 54: offer.opts[54], 55: params}}
	ack, err = c.exchange(request, 5*time.Second)
	if err != nil {
		t.Fatalf("REQUEST from %s for %s: %v", mac, offer.yiaddr, err)
	}
	if ack.msgType() != dhcpAck || ack.yiaddr != offer.yiaddr {
		t.Fatalf("REQUEST from %s for %s: got message type %d for %s, want an ACK (5) for the offered address",
			mac, offer.yiaddr, ack.msgType(), ack.yiaddr)
	}
	return offer, ack
}

// dhcpdArgv builds dhcpd's command line from the rendered rc.conf the way
// rc.d/isc-dhcpd does (flags, -cf, -lf, -pf, -user, -group, interfaces),
// plus -f -d to keep it in the foreground and log to stderr. Debian has
// no dhcpd user, so dhcpd drops to nobody:nogroup instead.
func dhcpdArgv(t *testing.T, root, leases, pidfile string) []string {
	t.Helper()
	vars := readRCConf(t, filepath.Join(root, "etc/rc.conf"))
	argv := append([]string{"dhcpd", "-f", "-d", "-4"}, strings.Fields(vars["dhcpd_flags"])...)
	argv = append(argv, "-cf", filepath.Join(root, vars["dhcpd_conf"]), "-lf", leases, "-pf", pidfile)
	if vars["dhcpd_chuser_enable"] == "YES" {
		if vars["dhcpd_withuser"] != "dhcpd" || vars["dhcpd_withgroup"] != "dhcpd" {
			t.Fatalf("rc.conf runs dhcpd as %s:%s; the test maps only dhcpd:dhcpd", vars["dhcpd_withuser"], vars["dhcpd_withgroup"])
		}
		argv = append(argv, "-user", "nobody", "-group", "nogroup")
	}
	ifaces := strings.Fields(vars["dhcpd_ifaces"])
	if len(ifaces) == 0 {
		t.Fatalf("rc.conf has no dhcpd_ifaces; the serve test renders with --set interfaces")
	}
	return append(argv, ifaces...)
}

// dhcpPacketLinks names the links that the namespace's packet sockets
// (how dhcpd reads frames on Linux, as bpf does on FreeBSD) are bound to,
// from /proc/PID/net/packet and the namespace's link list.
func dhcpPacketLinks(t *testing.T, ns *namespace) []string {
	t.Helper()
	names := map[string]string{}
	for _, line := range strings.Split(ns.mustRun(t, 10*time.Second, "ip", "-o", "link", "show"), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
			names[strings.TrimSuffix(f[0], ":")] = name
		}
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/packet", ns.pid))
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 5 {
			continue
		}
		name, ok := names[f[4]]
		if !ok {
			name = "ifindex " + f[4]
		}
		if !slices.Contains(links, name) {
			links = append(links, name)
		}
	}
	slices.Sort(links)
	return links
}

var leaseRE = regexp.MustCompile(`(?m)^lease ([0-9.]+) \{(?:\n[^}]*)*?\n  hardware ethernet ([0-9a-f:]+);`)

// TestDHCPConformanceServe starts dhcpd on the rendered config in a
// server namespace joined to a client namespace by a veth pair, and
// requires a full DISCOVER-OFFER-REQUEST-ACK exchange: a dynamic address
// from the configured range with the configured options, and the fixed
// address for a known MAC. A second link of the server namespace, not in
// dhcpd_ifaces, must get no answer at all: dhcpd_ifaces is what keeps a
// jail's dhcpd to its own link (ISC dhcpd reads frames through bpf or
// LPF, and its one UDP socket, the fallback on port 67, is bound to the
// jail's address by local-address: a wildcard there would be *:67 in the
// post-check).
func TestDHCPConformanceServe(t *testing.T) {
	requireTool(t, "dhcpd")
	const fixedMAC = "02:6a:6b:00:00:20"
	root, _ := renderTo(t, "dhcp", render.JailSpec{
		Name: "dhcp", IPs: []string{"192.0.2.67/24"},
		Sets: []string{
			"interfaces=jk0", "routers=192.0.2.1", "name_servers=192.0.2.53",
			"domain_name=lan.example.org", "default_lease=600", "max_lease=7200",
			"range_start=192.0.2.100", "range_end=192.0.2.109",
			"hosts=printer=" + fixedMAC + "=192.0.2.20",
		},
	})

	server, client, other := newNamespace(t), newNamespace(t), newNamespace(t)
	vethPair(t, server, client, "jk0", "jk1")
	vethPair(t, server, other, "jk2", "jk3")
	server.addAddr(t, "jk0", "192.0.2.67/24")
	client.addAddr(t, "jk1", "192.0.2.2/24")
	server.addAddr(t, "jk2", "198.51.100.1/24")
	other.addAddr(t, "jk3", "198.51.100.2/24")

	state := t.TempDir()
	if err := os.Chmod(state, 0o777); err != nil {
		t.Fatal(err)
	}
	leases := filepath.Join(state, "dhcpd.leases")
	if err := os.WriteFile(leases, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(leases, 0o666); err != nil {
		t.Fatal(err)
	}
	d := server.start(t, dhcpdArgv(t, root, leases, filepath.Join(state, "dhcpd.pid"))...)
	// dhcpd_flags="-q" silences the log, so readiness is read from the
	// kernel: the fallback UDP socket comes after the link's packet socket.
	server.waitListen(t, d, "udp", "192.0.2.67:67", 20*time.Second)
	for _, a := range server.listening(t, "udp", 67) {
		if a.IsUnspecified() {
			t.Errorf("dhcpd also listens on %s:67, a wildcard the post-check refuses", a)
		}
	}
	if got, want := dhcpPacketLinks(t, server), []string{"jk0"}; !slices.Equal(got, want) {
		t.Fatalf("dhcpd reads frames on %v, want only %v (dhcpd_ifaces)", got, want)
	}

	c := newDHCPClient(t, client, "jk1")
	mac := net.HardwareAddr{0x02, 0x6a, 0x6b, 0x00, 0x00, 0x01}
	offer, ack := c.lease(t, mac, 0x6a6b0001)
	lo, hi := netip.MustParseAddr("192.0.2.100"), netip.MustParseAddr("192.0.2.109")
	if offer.yiaddr.Less(lo) || hi.Less(offer.yiaddr) {
		t.Errorf("offered %s, outside the configured range %s-%s", offer.yiaddr, lo, hi)
	}
	checks := []struct {
		what string
		got  []string
		want []string
	}{
		{"server identifier", ack.addrs(54), []string{"192.0.2.67"}},
		{"subnet mask", ack.addrs(1), []string{"255.255.255.0"}},
		{"routers", ack.addrs(3), []string{"192.0.2.1"}},
		{"name servers", ack.addrs(6), []string{"192.0.2.53"}},
		{"domain name", []string{string(ack.opts[15])}, []string{"lan.example.org"}},
	}
	for _, ck := range checks {
		if !slices.Equal(ck.got, ck.want) {
			t.Errorf("ACK %s = %v, want %v", ck.what, ck.got, ck.want)
		}
	}
	if v := ack.opts[51]; len(v) != 4 || binary.BigEndian.Uint32(v) != 600 {
		t.Errorf("ACK lease time = %v, want 600 s (default_lease)", v)
	}

	fixed, _ := net.ParseMAC(fixedMAC)
	_, fack := c.lease(t, fixed, 0x6a6b0020)
	if fack.yiaddr.String() != "192.0.2.20" || string(fack.opts[12]) != "printer" {
		t.Errorf("known MAC %s got %s named %q, want its fixed address 192.0.2.20 named printer",
			fixedMAC, fack.yiaddr, fack.opts[12])
	}

	// The dynamic lease is on disk, written by dhcpd after its privilege drop.
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, _ := os.ReadFile(leases)
		found := false
		for _, m := range leaseRE.FindAllStringSubmatch(string(data), -1) {
			if m[1] == ack.yiaddr.String() && m[2] == mac.String() {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no lease of %s to %s in %s:\n%s", ack.yiaddr, mac, leases, data)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The link that is not in dhcpd_ifaces gets no answer.
	oc := newDHCPClient(t, other, "jk3")
	discover := &dhcpMsg{op: 1, xid: 0x6a6b0099, flags: 0x8000,
		chaddr: net.HardwareAddr{0x02, 0x6a, 0x6b, 0x00, 0x00, 0x99}, opts: map[byte][]byte{53: {dhcpDiscover}}}
	if r, err := oc.exchange(discover, 3*time.Second); err == nil {
		t.Fatalf("a DISCOVER on jk2, which is not in dhcpd_ifaces, was answered with type %d for %s", r.msgType(), r.yiaddr)
	}
	if d.exited() {
		t.Fatalf("dhcpd exited: %v\n%s", d.err, d.log())
	}
}

// hostBlockRE is the one shape a fixed-address block may take.
var hostBlockRE = regexp.MustCompile(`(?m)^host ([a-z0-9-]+) \{\n\thardware ethernet ((?:[0-9a-f]{2}:){5}[0-9a-f]{2});\n\tfixed-address ((?:[0-9]{1,3}\.){3}[0-9]{1,3});\n\toption host-name "([a-z0-9-]+)";\n\}$`)

// FuzzDHCPHosts feeds arbitrary text to the hosts parameter, parsed the
// way --set parses it and checked by the dhcp template. Whatever is not
// refused as bad input must become exactly one well-formed host block per
// entry, inside the subnet and outside the dynamic range: nothing a user
// types can add a statement to dhcpd.conf.
func FuzzDHCPHosts(f *testing.F) {
	for _, s := range []string{
		"printer=00:11:22:33:44:55=192.0.2.20",
		"a=00:11:22:33:44:55=192.0.2.20,b=AA:BB:CC:DD:EE:FF=192.0.2.21",
		"x=00:11:22:33:44:55=192.0.2.20; deny booting",
		"x=00:11:22:33:44:55=192.0.2.20}\nhost y {",
		"x=00:11:22:33:44:55=192.0.2.150",
		"=",
		"a==",
		"a=b=c=d",
	} {
		f.Add(s)
	}
	c, err := recipe.LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	r, err := c.Get("dhcp")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, hosts string) {
		v, err := render.NewValues(r, render.JailSpec{IPs: []string{"192.0.2.67"}, Sets: []string{"hosts=" + hosts}})
		var files []render.File
		if err == nil {
			files, err = render.Render(v)
		}
		if err != nil {
			if !errors.Is(err, inputerr.ErrInput) {
				t.Fatalf("hosts=%q: an error that is not bad input: %v", hosts, err)
			}
			return
		}
		var conf string
		for _, f := range files {
			if f.Path == dhcpdConf {
				conf = string(f.Content)
			}
		}
		entries := v.Params["hosts"].([]any)
		blocks := hostBlockRE.FindAllStringSubmatch(conf, -1)
		if len(blocks) != len(entries) || strings.Count(conf, "\nhost ") != len(entries) {
			t.Fatalf("hosts=%q: %d entries became %d host blocks:\n%s", hosts, len(entries), len(blocks), conf)
		}
		for _, b := range blocks {
			ip := netip.MustParseAddr(b[3])
			if !netip.MustParsePrefix("192.0.2.0/24").Contains(ip) ||
				(!ip.Less(netip.MustParseAddr("192.0.2.100")) && ip.Less(netip.MustParseAddr("192.0.2.200"))) {
				t.Fatalf("hosts=%q: fixed address %s is outside the subnet or inside the range", hosts, ip)
			}
		}
		if strings.Count(conf, "{") != strings.Count(conf, "}") || strings.Count(conf, "\nsubnet ") != 1 {
			t.Fatalf("hosts=%q: the structure of dhcpd.conf changed:\n%s", hosts, conf)
		}
	})
}
