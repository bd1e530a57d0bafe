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
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", name, name)
	if len(a)*len(b) > maxDiffCells {
		fmt.Fprintf(&out, "@@ -1,%d +1,%d @@\n", len(a), len(b))
		for _, l := range a {
			out.WriteString("-" + l)
		}
		for _, l := range b {
			out.WriteString("+" + l)
		}
		return out.String()
	}
	all := editScript(a, b, diffLines(a, b))
	for i := 0; i < len(all); {
		if all[i].kind == ' ' {
			i++
			continue
		}
		start, end := max(i-diffContext, 0), hunkEnd(all, i)
		writeHunk(&out, all[start:end])
		i = end
	}
	return out.String()
}

// diffContext is how many unchanged lines stand around a change.
const diffContext = 3

// diffOp is one line of an edit script with its place in both files.
type diffOp struct {
	kind   byte // ' ', '-', '+'
	line   string
	ai, bi int
}

// editScript pairs the kinds diffLines returns with the lines of a and b.
func editScript(a, b []string, kinds []byte) []diffOp {
	all := make([]diffOp, 0, len(kinds))
	ai, bi := 0, 0
	for _, k := range kinds {
		switch k {
		case ' ':
			all = append(all, diffOp{' ', a[ai], ai, bi})
			ai++
			bi++
		case '-':
			all = append(all, diffOp{'-', a[ai], ai, bi})
			ai++
		case '+':
			all = append(all, diffOp{'+', b[bi], ai, bi})
			bi++
		}
	}
	return all
}

// hunkEnd returns where the hunk starting with the change at i ends: a
// change within twice the context joins it.
func hunkEnd(all []diffOp, i int) int {
	end := i
	for end < len(all) {
		if all[end].kind != ' ' {
			end++
			continue
		}
		j := end
		for j < len(all) && all[j].kind == ' ' && j-end < 2*diffContext {
			j++
		}
		if j < len(all) && all[j].kind != ' ' {
			end = j
			continue
		}
		return min(end+diffContext, len(all))
	}
	return end
}

func writeHunk(out *strings.Builder, hunk []diffOp) {
	na, nb := 0, 0
	for _, o := range hunk {
		if o.kind != '+' {
			na++
		}
		if o.kind != '-' {
			nb++
		}
	}
	fmt.Fprintf(out, "@@ -%d,%d +%d,%d @@\n", hunk[0].ai+1, na, hunk[0].bi+1, nb)
	for _, o := range hunk {
		out.WriteByte(o.kind)
		out.WriteString(o.line)
		if !strings.HasSuffix(o.line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
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
