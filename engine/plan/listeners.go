package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Listeners is what a post-check requires of a jail's sockets, as
// sockstat lists them (libxo JSON or -w text, see
// freebsd.SockstatListenArgv): every port listens on one of Addrs, and none
// on a wildcard address.
type Listeners struct {
	Ports []Port   `json:"ports"`
	Addrs []string `json:"addresses"`
}

// Port is a transport ("tcp" or "udp") and a port number.
type Port struct {
	Proto string `json:"proto"`
	Port  int    `json:"port"`
}

// String returns "tcp/53".
func (p Port) String() string { return fmt.Sprintf("%s/%d", p.Proto, p.Port) }

// Judge checks sockstat output against l and says every port that is
// missing or also listens on "*".
func (l *Listeners) Judge(out []byte) error {
	socks, err := freebsd.ParseSockstatOutput(out)
	if err != nil {
		return err
	}
	var problems []string
	for _, pt := range l.Ports {
		found := false
		for _, s := range socks {
			if s.Transport() != pt.Proto || s.Local.Port != pt.Port {
				continue
			}
			if s.Local.Wildcard {
				problems = append(problems, fmt.Sprintf("%s listens on *:%d (%s), not only on the jail's address", s.Command, pt.Port, s.Proto))
				continue
			}
			if slices.Contains(l.Addrs, s.Local.Addr.WithZone("").String()) {
				found = true
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("nothing listens on %s port %s", strings.Join(l.Addrs, ", "), pt))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
