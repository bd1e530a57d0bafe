package hostcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Severity grades a finding.
type Severity string

// The severities, from harmless to blocking.
const (
	Pass Severity = "pass"
	Info Severity = "info"
	Warn Severity = "warn"
	Fail Severity = "fail"
)

// Finding is one result of one check. The JSON form (id, severity, title,
// found, why, fix) is the stable schema of `jailkit check --format json`.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Found says what was seen on this host.
	Found string `json:"found"`
	// Why is one sentence on why it matters.
	Why string `json:"why"`
	// Fix is the exact command or config line that fixes it ("" for a pass).
	Fix string `json:"fix"`
}

// Group returns the group of an ID: "NET" for JK-NET-010.
func Group(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// Groups is the order groups are reported in.
var Groups = []string{"NET", "MAIL", "DEVFS", "JAIL", "HOST", "USERS", "SVC"}

// GroupTitles names each group for the text report.
var GroupTitles = map[string]string{
	"NET":   "Network listeners and addresses",
	"MAIL":  "Mail on the host",
	"DEVFS": "devfs rules",
	"JAIL":  "Jail parameters",
	"HOST":  "Host hardening and resources",
	"USERS": "User accounts",
	"SVC":   "Services that do not belong in a jail",
}

// Summary counts findings per severity.
type Summary struct {
	Fail int `json:"fail"`
	Warn int `json:"warn"`
	Info int `json:"info"`
	Pass int `json:"pass"`
}

// ReportSchema names the JSON schema of a Report; it changes only when a
// field is removed or changes meaning.
const ReportSchema = "jailkit.check/v1"

// Report is the result of Run.
type Report struct {
	Schema   string    `json:"schema"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
}

// JSON returns the report as indented JSON with a final newline, without
// HTML escaping (fixes hold "&&" and "<").
func (r *Report) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Failed reports whether any finding failed.
func (r *Report) Failed() bool { return r.Summary.Fail > 0 }

// Port is a protocol and port a planned jail listens on.
type Port struct {
	Proto string // "tcp" or "udp"
	Port  int
}

// String returns "tcp/53".
func (p Port) String() string { return fmt.Sprintf("%s/%d", p.Proto, p.Port) }

// Planned describes a jail about to be installed, in plain terms, so that
// hostcheck needs nothing from the install engine. The engine (and
// `jailkit check --recipe R --ip IP`) fills it from a recipe.
type Planned struct {
	Name   string // jail name
	Recipe string // recipe name, such as dns or dhcp
	// IPs are the jail's addresses.
	IPs []netip.Addr
	// Ports are what the service listens on inside the jail.
	Ports []Port
	// DevfsUnhide lists device patterns the jail's devfs ruleset must
	// unhide on top of devfsrules_jail ("bpf*" for DHCP).
	DevfsUnhide []string
	// KernelModules must be loaded on the host.
	KernelModules []string
	// HostRCConf are rc.conf settings the host needs.
	HostRCConf map[string]string
	// SendmailOff says the host's sendmail must be fully off (a mail jail).
	SendmailOff bool
	// VNet is "", "no", "optional" or "required".
	VNet string
	// Role is what the recipe declares the jail to be; "" for none.
	Role Role
	// NewBase says the install extracts a FreeBSD base (a thick jail's, or
	// the first thin jail's shared one) and patches it with
	// freebsd-update: both need a host securelevel of 0 or below.
	NewBase bool
}

// Role is what a planned jail is to the service checks, as its recipe's
// roles declare it.
type Role string

// The roles the service checks tell apart.
const (
	RoleDNSPrimary   Role = "dns-primary"   // serves a zone as its primary
	RoleDNSSecondary Role = "dns-secondary" // serves a zone as a secondary
	RoleMail         Role = "mail"          // receives mail on port 25
)

// Mail reports whether the planned jail is a mail server.
func (p *Planned) Mail() bool { return p.SendmailOff || p.Role == RoleMail }

// Options selects what Run checks.
type Options struct {
	// Planned are the jails about to be installed; their checks run too.
	Planned []Planned
	// Only, when not empty, keeps only these check IDs (or groups, such
	// as NET or JK-NET).
	Only []string
	// Skip drops these check IDs or groups.
	Skip []string
}

// ErrUnknownCheck is returned by ValidateIDs for an ID that is not in the
// catalogue.
var ErrUnknownCheck = errors.New("unknown check")

// ValidateIDs checks that every ID (or group) names something in the
// catalogue.
func ValidateIDs(ids []string) error {
	for _, id := range ids {
		if matchAny(id) {
			continue
		}
		return fmt.Errorf("%q: %w (known IDs look like JK-NET-010; groups: %s)", id, ErrUnknownCheck, strings.Join(Groups, ", "))
	}
	return nil
}

func matchAny(sel string) bool {
	for _, c := range catalogue {
		if selects(sel, c.ID) {
			return true
		}
	}
	return false
}

// selects reports whether a selector picks id: the ID itself, with or
// without its "JK-" prefix (JK-NET-010, NET-010), or its group (NET, JK-NET).
func selects(sel, id string) bool {
	sel = strings.ToUpper(strings.TrimSpace(sel))
	if !strings.HasPrefix(sel, "JK-") {
		sel = "JK-" + sel
	}
	return sel == id || sel == "JK-"+Group(id)
}

// Check is one entry of the catalogue.
type Check struct {
	ID    string
	Title string
	// Severity says what the check reports when it finds something,
	// for the catalogue ("warn; fail when ...").
	Severity string
	// What says what is checked.
	What string
	// Why is the article's reasoning, one sentence.
	Why string
	// Fix is the general form of the fix; findings carry the exact one.
	Fix string
	// Planned marks a check that only runs when an install is planned.
	Planned bool
	// Needs lists the facts the check reads.
	Needs []string
	// Pass says what a pass means, for the finding when nothing is wrong.
	Pass string

	run func(c *runCtx) []Finding
}

// Catalogue returns every check in report order.
func Catalogue() []Check { return slices.Clone(catalogue) }

// runCtx is what a check sees.
type runCtx struct {
	f       *Facts
	planned []Planned
	check   *Check
	host    string // the host's own address for fixes, or HOST_IP

	// Derived views, computed once per Run.
	hostSocks []*freebsd.Socket
	jailSocks map[string][]*freebsd.Socket
}

// finding makes a finding of the running check.
func (c *runCtx) finding(sev Severity, found, fix string) Finding {
	return Finding{ID: c.check.ID, Severity: sev, Title: c.check.Title, Found: found, Why: c.check.Why, Fix: fix}
}

// Run applies the catalogue to the facts. Checks whose facts are missing
// report one info finding saying so; a check that finds nothing reports a
// pass. Findings come in catalogue order.
func Run(f *Facts, opts Options) Report {
	c := &runCtx{f: f, planned: opts.Planned, host: "HOST_IP"}
	if a, ok := f.HostAddr(); ok {
		c.host = a.String()
	}
	r := Report{Schema: ReportSchema}
	for i := range catalogue {
		ch := &catalogue[i]
		if !chosen(ch.ID, opts) {
			continue
		}
		if ch.Planned && len(opts.Planned) == 0 {
			continue
		}
		c.check = ch
		var out []Finding
		var missing []string
		for _, need := range ch.Needs {
			if !f.Have(need) {
				missing = append(missing, fmt.Sprintf("%s (%s)", need, f.Missing[need]))
			}
		}
		if len(missing) > 0 {
			out = []Finding{c.finding(Info, "not checked: "+strings.Join(missing, ", ")+" could not be read", "")}
		} else {
			out = ch.run(c)
			if out == nil {
				continue
			}
			if len(out) == 0 {
				out = []Finding{c.finding(Pass, ch.Pass, "")}
			}
		}
		for _, fd := range out {
			switch fd.Severity {
			case Fail:
				r.Summary.Fail++
			case Warn:
				r.Summary.Warn++
			case Info:
				r.Summary.Info++
			case Pass:
				r.Summary.Pass++
			}
			r.Findings = append(r.Findings, fd)
		}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	return r
}

func chosen(id string, opts Options) bool {
	if len(opts.Only) > 0 {
		ok := false
		for _, s := range opts.Only {
			if selects(s, id) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, s := range opts.Skip {
		if selects(s, id) {
			return false
		}
	}
	return true
}
