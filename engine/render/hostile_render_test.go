package render

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/recipe"
)

// allowedFuncs is every function a template may call. A sprig upgrade
// that adds a function, or a change that forgets to remove one, fails
// TestFuncMapAllowList until the function is judged: reproducible (no
// clock, time zone, randomness, environment, network or OS), and bounded
// (guard.go checks its result; a precheck if it can make far more than it
// is given).
var allowedFuncs = strings.Fields(`
abbrev abbrevboth add add1 add1f addf adler32sum all any append atoi b32dec b32enc b64dec b64enc
base biggest camelcase cat ceil chunk clean coalesce compact concat contains deepCopy deepEqual
default dict dig dir div divf empty ext fail first float64 floor fromJson get has hasKey hasPrefix
hasSuffix indent initial initials int int64 isAbs join kebabcase keys kindIs kindOf last list lower
max maxf merge mergeOverwrite min minf mod mul mulf mustAppend mustChunk mustCompact mustDeepCopy
mustFirst mustFromJson mustHas mustInitial mustLast mustMerge mustMergeOverwrite mustPrepend mustPush
mustRegexFind mustRegexFindAll mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral
mustRegexSplit mustRest mustReverse mustSlice mustToJson mustToPrettyJson mustToRawJson mustUniq
mustWithout networkOf nindent nospace omit pick pluck plural prepend ptrLabel push quote rcQuote
regexFind regexFindAll regexMatch regexQuoteMeta regexReplaceAll regexReplaceAllLiteral regexSplit
relName repeat replace rest reverse reverseZone round semver semverCompare seq set sha1sum sha256sum
sha512sum slice snakecase sortAlpha split splitList splitn squote sub subf substr swapcase ternary
title toDecimal toJson toPrettyJson toRawJson toString toStrings trim trimAll trimPrefix trimSuffix
trimall trunc tuple typeIs typeIsLike typeOf uniq unset until untilStep untitle upper urlJoin
urlParse values without wrap wrapWith`)

// TestFuncMapAllowList: the function map is exactly the allow-list, and
// every function that reads the clock, randomness or the environment is
// gone.
func TestFuncMapAllowList(t *testing.T) {
	var got []string
	for name := range New().FuncMap() {
		got = append(got, name)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(allowedFuncs))
	for _, n := range got {
		if !slices.Contains(want, n) {
			t.Errorf("template function %q is not on the allow-list", n)
		}
	}
	for _, n := range want {
		if !slices.Contains(got, n) {
			t.Errorf("allow-listed function %q is missing", n)
		}
	}
	for _, n := range []string{"shuffle", "now", "date", "randAlpha", "uuidv4", "genPrivateKey", "env", "osBase"} {
		if slices.Contains(got, n) {
			t.Errorf("non-reproducible %q is in the function map", n)
		}
	}
}

// TestHostileTemplates: a template that would make gigabytes, loop for
// ever or crash stops with an input error (exit status 2), and memory
// stays bounded.
func TestHostileTemplates(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"repeat a gigabyte", `{{ repeat 1073741824 "x" }}`, "repeat would make 1.0 GiB"},
		{"repeat overflow", `{{ repeat 9223372036854775807 "xx" }}`, "repeat would make"},
		{"output past the file limit", `{{ range 20000 }}{{ repeat 1000 "x" }}{{ end }}`, "rendered file is larger than the limit of 16 MiB"},
		{"until a billion", `{{ range until 1000000000 }}{{ end }}`, "until (elements)"},
		{"untilStep", `{{ untilStep 0 2000000000 1 }}`, "untilStep"},
		{"seq", `{{ seq 1 100000000 }}`, "seq"},
		{"indent", `{{ indent 100000000 "a\nb\nc" }}`, "indent"},
		{"nindent", `{{ nindent 100000000 "a" }}`, "nindent"},
		{"replace quadratic", `{{ $s := repeat 5000 "x" }}{{ replace "" $s $s }}`, "replace"},
		{"wrapWith", `{{ $s := repeat 100000 "x" }}{{ wrapWith 1 $s $s }}`, "wrapWith"},
		{"regexReplaceAll", `{{ $s := repeat 100000 "x" }}{{ regexReplaceAll "" $s $s }}`, "regexReplaceAll"},
		{"doubling print", `{{ $s := "xx" }}{{ range 64 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}`, "print would make"},
		{"doubling cat", `{{ $s := "xx" }}{{ range 64 }}{{ $s = cat $s $s }}{{ end }}`, "cat"},
		{"list of shared big strings", `{{ $s := repeat 1000000 "x" }}{{ $l := list }}{{ range 1000 }}{{ $l = append $l $s }}{{ end }}{{ toJson $l }}`, "work of the template"},
		{"dict of big values", `{{ $s := repeat 1000000 "x" }}{{ $d := dict }}{{ range $i := 1000 }}{{ $_ := set $d (toString $i) (upper $s) }}{{ end }}`, "work of the template"},
		{"nested shared lists", `{{ $a := list (repeat 8000000 "x") }}{{ $b := list $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a $a }}{{ toJson $b }}`, "work of the template"},
		// Nested past the depth deepSize looks at: too deep counts as
		// too big, not as free.
		{"deep nesting", `{{$x := repeat 1000000 "y"}}{{range 70}}{{$x = list $x}}{{end}}{{range 16}}{{$x = list $x $x}}{{end}}{{toJson $x}}`, "work of the template"},
		// fmt honours widths up to a million, taken from an argument.
		{"printf widths", `{{ printf (repeat 300 "%[1]*[2]d") 1000000 1 }}`, "printf would make"},
		{"divide by zero", `{{ div 1 0 }}`, "divide by zero"},
		{"endless recursion", `{{ define "a" }}{{ template "a" }}{{ end }}{{ template "a" }}`, "depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := e.renderString("hostile.yaml", "x", 3, tt.src, &Context{})
			if err == nil {
				t.Fatalf("%s rendered", tt.src)
			}
			if !errors.Is(err, inputerr.ErrInput) {
				t.Errorf("%v is not an input error", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "hostile.yaml:3: ") {
				t.Errorf("error %q, want hostile.yaml:3: ... %q", err, tt.want)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error of %d bytes echoes the value", len(err.Error()))
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 2*MaxWork {
				t.Errorf("allocated %d MiB", grew>>20)
			}
		})
	}
}

// TestTemplateTimeLimit: a template that loops without end is abandoned
// when its time is up. The loop here ends by itself well after the
// lowered limit, so no goroutine is left burning.
func TestTemplateTimeLimit(t *testing.T) {
	tests := []struct{ name, src string }{
		{"calls functions", `{{ range 3000000 }}{{ $x := add 1 1 }}{{ end }}`},
		{"writes", `{{ range 3000000 }}{{ "" }}{{ end }}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New()
			e.maxTime = time.Millisecond
			_, err := e.renderString("loop.yaml", "x", 2, tt.src, &Context{})
			var le *LimitError
			if !errors.As(err, &le) && (err == nil || !strings.Contains(err.Error(), "ran longer than")) {
				t.Fatalf("err = %v, want the time limit", err)
			}
			if !errors.Is(err, inputerr.ErrInput) {
				t.Errorf("%v is not an input error", err)
			}
		})
	}
}

// TestTreeLimit: the sum of a jail's files is bounded even when each file
// stays under the file limit.
func TestTreeLimit(t *testing.T) {
	tfs := fstest.MapFS{"big.tmpl": {Data: []byte(`{{ repeat 15000000 "x" }}`)}}
	y := "apiVersion: jailkit/v1\nname: big\nsummary: big\nfiles:\n"
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		y += "  - {template: big.tmpl, path: /usr/local/etc/" + p + "}\n"
	}
	r, err := recipe.ParseRecipe("big.yaml", []byte(y), tfs)
	if err != nil {
		t.Fatal(err)
	}
	v, err := New().NewValues(r, JailSpec{IPs: []string{"192.0.2.10"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Render(v)
	if err == nil || !errors.Is(err, inputerr.ErrInput) || !strings.Contains(err.Error(), "the jail's rendered files") {
		t.Fatalf("Render = %v, want the tree limit", err)
	}
}

// TestAcceptedLargeTemplate: a large but legitimate file (a zone of ten
// thousand hosts) renders within the limits.
func TestAcceptedLargeTemplate(t *testing.T) {
	src := `{{ range $i := until 10000 }}host{{ $i }} IN A 192.0.2.{{ mod $i 250 }}
{{ end }}{{ $l := list }}{{ range until 2000 }}{{ $l = append $l "x" }}{{ end }}{{ len $l }}`
	out, err := New().renderString("ok.yaml", "x", 1, src, &Context{})
	if err != nil || !strings.HasSuffix(out, "2000") || strings.Count(out, "\n") != 10000 {
		t.Fatalf("render = %d bytes, %v", len(out), err)
	}
}

// TestGuardsLetOrdinaryCallsThrough: the prechecks refuse what would pass
// a limit, not legal calls: an empty untilStep, a printf with many
// ordinary verbs and literal widths.
func TestGuardsLetOrdinaryCallsThrough(t *testing.T) {
	for src, want := range map[string]string{
		`{{ untilStep 10 0 1 }}`: "[]",
		`{{ printf "%s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s" "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" }}`: "a b c d e f g h i j k l m n o p q r s t",
		`{{ printf "%-10s|%5d" "x" 42 }}`: "x         |   42",
		`{{ print "a" 1 }}`:               "a1",
	} {
		out, err := New().renderString("ok.yaml", "x", 1, src, &Context{})
		if err != nil || out != want {
			t.Errorf("%s = %q, %v; want %q", src, out, err, want)
		}
	}
}
