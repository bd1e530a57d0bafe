package checksdoc

import (
	"fmt"
	"strings"

	"github.com/jailkit/jailkit/hostcheck"
)

// Markdown renders the catalogue as docs/checks.md: one entry per
// check ID with its severity, what it checks, why and the fix. A test keeps
// the file in step with the table.
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# jailkit check: the catalogue

<!-- Generated from hostcheck/catalogue.go by
     go test ./hostcheck/checksdoc -update ; do not edit by hand. -->

` + "`jailkit check`" + ` audits a FreeBSD host before jails share it, live or from a
snapshot written by ` + "`jailkit collect`" + ` (see snapshot.md). Every finding has a
stable ID from this list, a severity, what was found on the host, why it
matters and the exact fix for that host.

Severities: **pass** (checked, nothing wrong), **info** (worth knowing, or
the check could not read the facts it needs), **warn** (fix it before jails
share the host), **fail** (an install would break or be unsafe).
` + "`jailkit check`" + ` exits 1 when any finding fails, 0 otherwise, and 2 on bad
usage. Select checks with ` + "`--only`" + ` and ` + "`--skip`" + ` (IDs, or groups such as
` + "`NET`" + `). Checks marked *planned* run only for an install being planned,
with ` + "`--recipe R --ip IP`" + ` or in ` + "`jailkit install`" + `'s pre-flight.

`)
	b.WriteString("| ID | Title | Severity |\n|---|---|---|\n")
	for _, c := range hostcheck.Catalogue() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", c.ID, strings.ToLower(c.ID), c.Title, c.Severity)
	}
	group := ""
	for _, c := range hostcheck.Catalogue() {
		if g := hostcheck.Group(c.ID); g != group {
			group = g
			fmt.Fprintf(&b, "\n## %s: %s\n", g, hostcheck.GroupTitles[g])
		}
		fmt.Fprintf(&b, "\n### %s\n\n**%s**", c.ID, c.Title)
		if c.Planned {
			b.WriteString(" (planned)")
		}
		fmt.Fprintf(&b, "\n\n- Severity: %s\n- Checks: %s\n- Why: %s\n- Fix: `%s`\n", c.Severity, c.What, c.Why, c.Fix)
		if len(c.Needs) > 0 {
			fmt.Fprintf(&b, "- Reads: %s\n", strings.Join(c.Needs, ", "))
		}
	}
	return b.String()
}
