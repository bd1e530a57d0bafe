package plan

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode"
)

// The actions a Step can take. Every one is a single, typed side effect:
// there is no action that hands a string to a shell.
const (
	ActRun       = "run"       // run Argv (never through a shell)
	ActMkdir     = "mkdir"     // create Path (and missing parents) with Mode
	ActWrite     = "write"     // write Content to Path atomically with Mode, Owner, Group
	ActRemove    = "remove"    // remove the file or empty directory Path
	ActRemoveAll = "removeall" // remove the tree Path (never following symlinks)
	ActBackup    = "backup"    // copy the host file Path to Target before it is edited
	ActVerify    = "verify"    // check that Path has the SHA256 sum
	ActCheck     = "check"     // read-only post-check (runs Argv, judges its output)
	ActRmdir     = "rmdir"     // remove the directory Path when empty; keep it when something else is in it
	ActScrub     = "scrub"     // remove every entry under Path that is not a regular file or a directory, never following links
)

// Step is one ordered action of a Plan. Paths are host paths, or paths
// inside the jail when Root is set (the jail root on the host), in which
// case the step goes through a System opened with OpenRoot(Root) so no
// symlink inside the jail can lead it out.
type Step struct {
	// Name says what the step is for, in a few words; errors name it.
	Name   string   `json:"name"`
	Action string   `json:"action"`
	Argv   []string `json:"argv,omitempty"`
	// Env holds NAME=value entries added to the environment of Argv.
	Env     []string `json:"env,omitempty"`
	Root    string   `json:"root,omitempty"`
	Path    string   `json:"path,omitempty"`
	Paths   []string `json:"paths,omitempty"` // mkdir of several directories
	Target  string   `json:"target,omitempty"`
	Mode    string   `json:"mode,omitempty"` // octal, such as "0644"
	Owner   string   `json:"owner,omitempty"`
	Group   string   `json:"group,omitempty"`
	Content *string  `json:"content,omitempty"`
	// Diff is a unified diff against the file that is there now, for a
	// write that replaces one.
	Diff   string `json:"diff,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// Undo is what rollback does for this step, in order.
	Undo []Step `json:"undo,omitempty"`
	// UndoAfter runs once rollback has undone every step: a restart that
	// must see the files as they were again.
	UndoAfter []Step `json:"undo_after,omitempty"`
	// Progress marks a long command whose output is streamed.
	Progress bool `json:"progress,omitempty"`
	// Expect is what a post-check requires of its command's output.
	Expect *Listeners `json:"expect,omitempty"`
	// Refuse fails a check whose output has lines starting with it
	// (etcupdate status lists each conflict as "  C /path").
	Refuse string `json:"refuse,omitempty"`
}

// Mutates says whether the step changes the host.
func (s *Step) Mutates() bool { return s.Action != ActVerify && s.Action != ActCheck }

func (s *Step) mode() fs.FileMode {
	n, err := strconv.ParseUint(s.Mode, 8, 32)
	if err != nil {
		return 0o644
	}
	m := fs.FileMode(n & 0o777)
	if n&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// ModeString writes a mode the way chmod(1) reads it: 0644, 1777.
func ModeString(m fs.FileMode) string {
	n := uint32(m.Perm())
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return fmt.Sprintf("%04o", n)
}

// Content returns b as a step's content.
func Content(b []byte) *string {
	s := string(b)
	return &s
}

// Plan is what install or uninstall will do, in order.
type Plan struct {
	// Command is "install" or "uninstall".
	Command string   `json:"command"`
	Jail    string   `json:"jail"`
	Recipe  string   `json:"recipe,omitempty"`
	Release string   `json:"release,omitempty"`
	Arch    string   `json:"arch,omitempty"`
	Address []string `json:"address,omitempty"`
	// Interface is the host interface the jail's addresses live on.
	Interface string `json:"interface,omitempty"`
	// VNet is the epair and bridge of a VNET jail; nil for a shared-IP
	// jail, whose addresses are aliases on Interface.
	VNet *VNet `json:"vnet,omitempty"`
	// Thin says whether the jail shares a read-only base.
	Thin bool `json:"thin"`
	// RecipeSource is the file of a user's recipe; "" for a built-in one.
	RecipeSource string `json:"recipe_source,omitempty"`
	// HostNeeds is what the recipe asks of the host, one line each, and
	// Grants the capabilities the user granted it.
	HostNeeds []string `json:"host_needs,omitempty"`
	Grants    []string `json:"grants,omitempty"`
	// Preflight holds the host checks that were run and what they found.
	Preflight []Finding `json:"preflight"`
	// Notes are facts worth telling the user (host resolvers copied, a
	// fact that could not be read).
	Notes []string `json:"notes,omitempty"`
	Steps []Step   `json:"steps"`
}

// Finding is one pre-flight result as the plan shows it.
type Finding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Found    string `json:"found"`
	Fix      string `json:"fix,omitempty"`
}

// Changes returns the number of steps that change the host; zero means
// the host already is what the plan wants.
func (p *Plan) Changes() int {
	n := 0
	for i := range p.Steps {
		if p.Steps[i].Mutates() {
			n++
		}
	}
	return n
}

// JSON returns the plan as one indented JSON object with an ordered
// "steps" array.
func (p *Plan) JSON() ([]byte, error) {
	if p.Steps == nil {
		p.Steps = []Step{}
	}
	if p.Preflight == nil {
		p.Preflight = []Finding{}
	}
	return json.MarshalIndent(p, "", "  ")
}

// QuoteArgv shows an argv the way a reader would type it into sh(1), so a
// line can be copied and run. It is for display only: jailkit never hands
// it to a shell.
func QuoteArgv(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+,@%", r))
		}) {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// Text renders the plan for people: each step numbered with its command as
// argv, each file with its full content, or a diff when it replaces one.
func (p *Plan) Text() string {
	var b strings.Builder
	what := p.Jail
	if p.Recipe != "" {
		what += " (" + p.Recipe + ")"
	}
	fmt.Fprintf(&b, "%s plan for jail %s\n", p.Command, what)
	if len(p.Address) > 0 {
		kind := "thin"
		if !p.Thin {
			kind = "thick"
		}
		on := p.Interface
		if p.VNet != nil {
			on = fmt.Sprintf("%s (VNET: %s on %s)", p.VNet.Jail(), p.VNet.Host(), p.VNet.Bridge)
		}
		fmt.Fprintf(&b, "  address %s on %s, FreeBSD %s %s, %s jail\n", strings.Join(p.Address, ", "), on, p.Release, p.Arch, kind)
	}
	if p.RecipeSource != "" {
		fmt.Fprintf(&b, "  recipe from %s (a user recipe)\n", p.RecipeSource)
	}
	if len(p.HostNeeds) > 0 {
		b.WriteString("the recipe asks of the host:\n")
		for _, h := range p.HostNeeds {
			fmt.Fprintf(&b, "  %s\n", h)
		}
	}
	if len(p.Grants) > 0 {
		fmt.Fprintf(&b, "granted: %s\n", strings.Join(p.Grants, ", "))
	}
	if len(p.Preflight) > 0 {
		b.WriteString("pre-flight:\n")
		for _, f := range p.Preflight {
			fmt.Fprintf(&b, "  %-4s %s %s\n", f.Severity, f.ID, f.Found)
			if f.Fix != "" && f.Severity != "pass" {
				fmt.Fprintf(&b, "       fix: %s\n", f.Fix)
			}
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if p.Changes() == 0 {
		fmt.Fprintf(&b, "no changes: jail %s is already as planned\n", p.Jail)
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		fmt.Fprintf(&b, "%2d. %s\n", i+1, s.Name)
		writeStepBody(&b, s, "      ")
		for _, u := range s.Undo {
			fmt.Fprintf(&b, "      undo: %s\n", oneLine(&u))
		}
		for _, u := range s.UndoAfter {
			fmt.Fprintf(&b, "      undo at the end: %s\n", oneLine(&u))
		}
	}
	return b.String()
}

func where(s *Step, p string) string {
	if s.Root != "" {
		return s.Root + p + " (inside the jail: " + p + ")"
	}
	return p
}

func writeStepBody(b *strings.Builder, s *Step, ind string) {
	switch s.Action {
	case ActRun, ActCheck:
		if len(s.Env) > 0 {
			fmt.Fprintf(b, "%senv: %s\n", ind, QuoteArgv(s.Env))
		}
		fmt.Fprintf(b, "%s%s: %s\n", ind, s.Action, QuoteArgv(s.Argv))
		if s.Refuse != "" {
			fmt.Fprintf(b, "%s  fails on a line starting with %q\n", ind, s.Refuse)
		}
	case ActMkdir:
		paths := s.Paths
		if s.Path != "" {
			paths = append([]string{s.Path}, paths...)
		}
		for _, p := range paths {
			fmt.Fprintf(b, "%smkdir %s %s %s\n", ind, s.Mode, ownerText(s), where(s, p))
		}
	case ActWrite:
		fmt.Fprintf(b, "%swrite %s %s %s\n", ind, s.Mode, ownerText(s), where(s, s.Path))
		if s.Diff != "" {
			for _, l := range strings.SplitAfter(strings.TrimSuffix(Printable(s.Diff), "\n"), "\n") {
				fmt.Fprintf(b, "%s  %s", ind, l)
			}
			b.WriteString("\n")
		} else if s.Content != nil {
			for _, l := range strings.SplitAfter(strings.TrimSuffix(Printable(*s.Content), "\n"), "\n") {
				fmt.Fprintf(b, "%s| %s", ind, l)
			}
			b.WriteString("\n")
		}
	case ActBackup:
		fmt.Fprintf(b, "%scopy %s to %s\n", ind, s.Path, s.Target)
	case ActVerify:
		if s.SHA256 == "" {
			fmt.Fprintf(b, "%ssha256 of %s must be the one %s lists\n", ind, s.Path, s.Target)
		} else {
			fmt.Fprintf(b, "%ssha256 of %s must be %s\n", ind, s.Path, s.SHA256)
		}
	default:
		fmt.Fprintf(b, "%s%s %s\n", ind, s.Action, where(s, s.Path))
	}
}

func ownerText(s *Step) string {
	if s.Owner == "" {
		return "root:wheel"
	}
	return s.Owner + ":" + s.Group
}

func oneLine(s *Step) string {
	switch s.Action {
	case ActRun:
		if len(s.Env) > 0 {
			return "run " + QuoteArgv(s.Env) + " " + QuoteArgv(s.Argv)
		}
		return "run " + QuoteArgv(s.Argv)
	case ActWrite:
		return "write back the previous " + where(s, s.Path)
	}
	return s.Action + " " + where(s, s.Path)
}

// Printable shows each control character, C1 control and invisible
// format character (a bidi override) of s as an escape such as \x1b or
// \u202e, keeping tabs and newlines: a plan prints file contents a
// recipe's templates made, and printing them must not drive the terminal.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unprintable) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unprintable(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

func unprintable(r rune) bool {
	return r != '\t' && r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r))
}
