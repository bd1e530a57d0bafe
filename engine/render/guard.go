package render

import (
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"time"
)

// Template execution cannot be interrupted in text/template, so every
// function a template may call is wrapped: the wrapper fails once the
// execution is out of time, refuses arguments that would make a result
// past the limits before the function allocates it, and charges what the
// function made to the execution's budget. A loop that makes no call and
// writes nothing cannot be stopped from outside; it is abandoned when its
// time is up and the error is returned (the process exits soon after).

// builtinOverrides replace text/template's builtins that make strings of
// any size, so their results are counted too.
var builtinOverrides = template.FuncMap{
	"print":    fmt.Sprint,
	"printf":   fmt.Sprintf,
	"println":  fmt.Sprintln,
	"html":     template.HTMLEscaper,
	"js":       template.JSEscaper,
	"urlquery": template.URLQueryEscaper,
}

// precheck refuses a call whose result would pass a limit, before the
// function makes it.
type precheck func(args []any) error

func intArg(a any) int64 {
	switch x := a.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

func strArg(a any) int64 {
	if s, ok := a.(string); ok {
		return int64(len(s))
	}
	return 0
}

func tooBig(what string, n int64) error {
	if n > MaxFileSize || n < 0 {
		return &LimitError{What: what, Size: n, Limit: MaxFileSize}
	}
	return nil
}

func tooMany(what string, n int64) error {
	if n > MaxElems || n < 0 {
		return &LimitError{What: what + " (elements)", Size: n, Limit: MaxElems}
	}
	return nil
}

// mulSat multiplies without overflow, saturating at 1<<62.
func mulSat(a, b int64) int64 {
	const most = 1 << 62
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > most/b {
		return most
	}
	return a * b
}

// prechecks are the functions whose result can be far larger than their
// arguments.
var prechecks = map[string]precheck{
	"repeat": func(a []any) error { return tooBig("repeat", mulSat(intArg(a[0]), strArg(a[1]))) },
	"until":  func(a []any) error { return tooMany("until", intArg(a[0])) },
	"untilStep": func(a []any) error {
		start, stop, step := intArg(a[0]), intArg(a[1]), intArg(a[2])
		if step == 0 {
			return nil
		}
		if (stop-start)/step <= 0 {
			return nil // an empty list, as sprig's untilStep gives
		}
		return tooMany("untilStep", (stop-start)/step)
	},
	"printf":  printfCheck,
	"print":   func(a []any) error { return tooBig("print", argsSize(variadic(a, 0))) },
	"println": func(a []any) error { return tooBig("println", argsSize(variadic(a, 0))) },
	"seq": func(a []any) error {
		var n []int64
		for _, x := range a[0].([]int) {
			n = append(n, int64(x))
		}
		span := int64(0)
		switch len(n) {
		case 1:
			span = n[0]
		case 2:
			span = n[1] - n[0]
		case 3:
			if n[1] != 0 {
				span = (n[2] - n[0]) / n[1]
			}
		}
		if span < 0 {
			span = -span
		}
		return tooMany("seq", span)
	},
	"indent":  indentCheck("indent"),
	"nindent": indentCheck("nindent"),
	"replace": func(a []any) error {
		old, new, src := a[0].(string), a[1].(string), a[2].(string)
		if len(new) <= len(old) {
			return nil
		}
		n := int64(len(src) + 1)
		if old != "" {
			n = int64(strings.Count(src, old))
		}
		return tooBig("replace", int64(len(src))+mulSat(n, int64(len(new)-len(old))))
	},
	"wrapWith": func(a []any) error {
		width, with, s := intArg(a[0]), strArg(a[1]), strArg(a[2])
		if width < 1 {
			width = 1
		}
		return tooBig("wrapWith", s+mulSat(s/width+1, with))
	},
	"regexReplaceAll":            regexReplaceCheck("regexReplaceAll"),
	"mustRegexReplaceAll":        regexReplaceCheck("mustRegexReplaceAll"),
	"regexReplaceAllLiteral":     regexReplaceCheck("regexReplaceAllLiteral"),
	"mustRegexReplaceAllLiteral": regexReplaceCheck("mustRegexReplaceAllLiteral"),
}

func indentCheck(name string) precheck {
	return func(a []any) error {
		s, _ := a[1].(string)
		lines := int64(strings.Count(s, "\n") + 2)
		return tooBig(name, int64(len(s))+mulSat(lines, intArg(a[0])))
	}
}

// regexReplaceCheck bounds a replacement: each match of the pattern (at
// most one per byte, plus one) becomes repl, whose $1 references can each
// stand for the whole input.
func regexReplaceCheck(name string) precheck {
	return func(a []any) error {
		s, repl := strArg(a[1]), strArg(a[2])
		per := repl
		if strings.Contains(a[2].(string), "$") {
			per = mulSat(repl, s+1)
		}
		return tooBig(name, s+mulSat(s+1, per))
	}
}

// variadic returns the arguments of a variadic call from position i on:
// a wrapped variadic function receives them as one slice.
func variadic(a []any, i int) []any {
	if len(a) == i+1 {
		if rest, ok := a[i].([]any); ok {
			return rest
		}
	}
	if i > len(a) {
		return nil
	}
	return a[i:]
}

// argsSize is what printing args can make at most: each argument's size
// plus a separator.
func argsSize(a []any) int64 {
	var n int64
	for _, x := range a {
		n += deepSize(x, MaxFileSize) + 1
		if n > MaxFileSize {
			return n
		}
	}
	return n
}

// fmtMaxWidth is the largest width or precision fmt honours
// (fmt/print.go, tooLarge: 1e6).
const fmtMaxWidth = 1_000_000

// printfCheck bounds what printf can make before it runs: fmt builds the
// whole result in memory, and a format such as %[1]*[2]d repeated asks
// for up to a million bytes per verb from one small argument. The bound
// is the format's length plus, for each verb, its width (a literal one,
// or fmt's limit when it comes from an argument with *) and the largest
// argument (an indexed verb may print any of them, any number of times).
func printfCheck(a []any) error {
	if len(a) == 0 {
		return nil
	}
	format, _ := a[0].(string)
	var biggest int64
	for _, x := range variadic(a, 1) {
		biggest = max(biggest, deepSize(x, MaxFileSize))
	}
	n := int64(len(format))
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i++; i < len(format) && format[i] == '%' {
			continue
		}
		width := int64(0)
		for ; i < len(format) && strings.IndexByte("+-# 0123456789.*[]", format[i]) >= 0; i++ {
			switch c := format[i]; {
			case c == '*':
				width += fmtMaxWidth
			case c >= '0' && c <= '9':
				width = min(width*10+int64(c-'0'), 2*fmtMaxWidth)
			}
		}
		if n += width + biggest; n > MaxFileSize {
			return tooBig("printf", n)
		}
	}
	return nil
}

// chargesArgs are functions that change a map in place and return it:
// they are charged what they add, not the whole map again.
var chargesArgs = map[string]bool{"set": true, "merge": true, "mergeOverwrite": true, "mustMerge": true, "mustMergeOverwrite": true}

// guard wraps fn so that its calls are checked against b; see above.
func guard(name string, fn any, b *budget) any {
	fv := reflect.ValueOf(fn)
	ft := fv.Type()
	pre := prechecks[name]
	return reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		if err := b.check(); err != nil {
			panic(err)
		}
		var plain []any
		if pre != nil || chargesArgs[name] {
			plain = make([]any, len(args))
			for i, a := range args {
				plain[i] = a.Interface()
			}
		}
		if pre != nil {
			if err := pre(plain); err != nil {
				panic(err)
			}
		}
		var out []reflect.Value
		if ft.IsVariadic() {
			out = fv.CallSlice(args)
		} else {
			out = fv.Call(args)
		}
		if len(out) == 2 && !out[1].IsNil() {
			return out
		}
		if err := account(name, b, out[0], plain); err != nil {
			panic(err)
		}
		return out
	}).Interface()
}

// account checks a function's result against the limits and charges it
// to b.
func account(name string, b *budget, res reflect.Value, args []any) error {
	switch res.Kind() {
	case reflect.String:
		if err := tooBig(name, int64(res.Len())); err != nil {
			return err
		}
	case reflect.Slice:
		if err := tooMany(name, int64(res.Len())); err != nil {
			return err
		}
	}
	var n int64
	switch {
	case chargesArgs[name]:
		for _, a := range args[1:] {
			n += deepSize(a, MaxWork+1)
		}
	case res.Kind() == reflect.String:
		n = int64(res.Len())
	case res.Kind() == reflect.Bool, res.Kind() == reflect.Int, res.Kind() == reflect.Int64, res.Kind() == reflect.Float64:
		return nil // nothing that grows
	default:
		n = deepSize(res.Interface(), MaxWork+1)
	}
	if n == 0 {
		return nil
	}
	return b.spend(name, n)
}

// execKit is what one execution needs: a budget and the functions bound
// to it, and the templates cloned with those functions. Kits are pooled,
// so the wrapping and cloning are paid once per kit, not per execution.
type execKit struct {
	b      budget
	funcs  template.FuncMap
	clones map[*template.Template]*template.Template
}

func (e *Engine) newKit() *execKit {
	k := &execKit{clones: map[*template.Template]*template.Template{}}
	k.funcs = make(template.FuncMap, len(e.funcs)+len(builtinOverrides))
	for name, fn := range builtinOverrides {
		k.funcs[name] = guard(name, fn, &k.b)
	}
	for name, fn := range e.funcs {
		k.funcs[name] = guard(name, fn, &k.b)
	}
	return k
}

// clone returns t with k's functions.
func (k *execKit) clone(t *template.Template) (*template.Template, error) {
	if c, ok := k.clones[t]; ok {
		return c, nil
	}
	c, err := t.Clone()
	if err != nil {
		return nil, err
	}
	c.Funcs(k.funcs)
	if len(k.clones) < maxCached {
		k.clones[t] = c
	}
	return c, nil
}

// execute runs t on data within the limits and returns what it wrote.
func (e *Engine) execute(t *template.Template, data any) ([]byte, error) {
	k := e.kits.Get().(*execKit)
	c, err := k.clone(t)
	if err != nil {
		e.kits.Put(k)
		return nil, err
	}
	k.b.reset(e.maxTime)
	w := &limitedWriter{max: MaxFileSize, b: &k.b}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("template stopped: %v", r)
			}
		}()
		done <- c.Execute(w, data)
	}()
	timer := time.NewTimer(e.maxTime)
	defer timer.Stop()
	select {
	case err := <-done:
		e.kits.Put(k)
		return w.buf, err
	case <-timer.C:
		// The goroutine may still run; the kit goes with it.
		k.b.abandoned.Store(true)
		return nil, &LimitError{What: "time", Limit: int64(e.maxTime)}
	}
}
