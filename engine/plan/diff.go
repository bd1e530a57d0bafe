package plan

import (
	"fmt"
	"strings"
)

// maxDiffCells bounds the work of the line diff; larger files are shown
// as a whole replacement.
const maxDiffCells = 4_000_000

// UnifiedDiff returns a unified diff (three lines of context) from old to
// new, labelled with name; "" when they are equal.
func UnifiedDiff(name string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	a, b := splitLines(string(old)), splitLines(string(new))
	var b2 strings.Builder
	fmt.Fprintf(&b2, "--- %s\n+++ %s\n", name, name)
	if len(a)*len(b) > maxDiffCells {
		fmt.Fprintf(&b2, "@@ -1,%d +1,%d @@\n", len(a), len(b))
		for _, l := range a {
			b2.WriteString("-" + l)
		}
		for _, l := range b {
			b2.WriteString("+" + l)
		}
		return b2.String()
	}
	ops := diffLines(a, b)
	// Group the edit script into hunks with 3 lines of context.
	const ctx = 3
	type op struct {
		kind byte // ' ', '-', '+'
		line string
		ai   int
		bi   int
	}
	var all []op
	ai, bi := 0, 0
	for _, k := range ops {
		switch k {
		case ' ':
			all = append(all, op{' ', a[ai], ai, bi})
			ai++
			bi++
		case '-':
			all = append(all, op{'-', a[ai], ai, bi})
			ai++
		case '+':
			all = append(all, op{'+', b[bi], ai, bi})
			bi++
		}
	}
	for i := 0; i < len(all); {
		if all[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-ctx, 0)
		end := i
		for end < len(all) {
			if all[end].kind != ' ' {
				end++
				continue
			}
			// Look ahead: a change within 2*ctx joins this hunk.
			j := end
			for j < len(all) && all[j].kind == ' ' && j-end < 2*ctx {
				j++
			}
			if j < len(all) && all[j].kind != ' ' {
				end = j
				continue
			}
			end = min(end+ctx, len(all))
			break
		}
		na, nb := 0, 0
		for _, o := range all[start:end] {
			if o.kind != '+' {
				na++
			}
			if o.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(&b2, "@@ -%d,%d +%d,%d @@\n", all[start].ai+1, na, all[start].bi+1, nb)
		for _, o := range all[start:end] {
			b2.WriteByte(o.kind)
			b2.WriteString(o.line)
			if !strings.HasSuffix(o.line, "\n") {
				b2.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return b2.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// diffLines returns an edit script of ' ', '-' and '+' from a longest
// common subsequence.
func diffLines(a, b []string) []byte {
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []byte
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, ' ')
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, '-')
			i++
		default:
			out = append(out, '+')
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, '-')
	}
	for ; j < m; j++ {
		out = append(out, '+')
	}
	return out
}
