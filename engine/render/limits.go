package render

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/jailkit/jailkit/engine/inputerr"
)

// Limits a rendering never passes. No real configuration comes near them;
// they are there so that a hostile or broken recipe stops with a clear
// error instead of filling the memory or the disk, or never ending.
const (
	// MaxFileSize bounds one rendered file, and any one string a template
	// function makes.
	MaxFileSize = 16 << 20
	// MaxTreeSize bounds the sum of a jail's rendered files.
	MaxTreeSize = 64 << 20
	// MaxWork bounds what the template functions of one execution may
	// make in all: the sum of the sizes of their results (strings and
	// lists, counted deeply). A loop that grows a value round by round
	// reaches it long before the memory runs out.
	MaxWork = 256 << 20
	// MaxElems bounds the length of a list a function makes (until, seq,
	// splitList...).
	MaxElems = 1 << 20
	// MaxExecTime bounds one execution of a template.
	MaxExecTime = 10 * time.Second
)

// LimitError says a template passed one of the limits. It is bad input:
// the recipe asks for more than a jail's configuration can be.
type LimitError struct {
	What  string // "rendered file", "repeat", "work"
	Size  int64  // how much was asked, when known
	Limit int64
}

// Error names what passed which limit.
func (e *LimitError) Error() string {
	if e.What == "time" {
		return fmt.Sprintf("template ran longer than %s; a template must not loop without end", time.Duration(e.Limit))
	}
	if e.Size > 0 {
		return fmt.Sprintf("%s would make %s, more than the limit of %s", e.What, sizeText(e.Size), sizeText(e.Limit))
	}
	return fmt.Sprintf("%s is larger than the limit of %s", e.What, sizeText(e.Limit))
}

// Unwrap makes a LimitError an input error (exit status 2).
func (e *LimitError) Unwrap() error { return inputerr.ErrInput }

// sizeText prints a byte count for a person: 16 MiB, 1.5 GiB, 300 bytes.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// budget is what one execution of a template may still spend. The
// functions and the writer of that execution share it; when the
// execution is abandoned (it ran out of time) every later call fails, so
// a runaway template stops at its next function call or write.
type budget struct {
	deadline  time.Time
	work      atomic.Int64
	abandoned atomic.Bool
	limit     time.Duration
}

// reset readies b for a new execution.
func (b *budget) reset(limit time.Duration) {
	b.work.Store(0)
	b.abandoned.Store(false)
	b.limit = limit
	b.deadline = time.Now().Add(limit)
}

// check fails once the execution is out of time or abandoned.
func (b *budget) check() error {
	if b.abandoned.Load() || time.Now().After(b.deadline) {
		return &LimitError{What: "time", Limit: int64(b.limit)}
	}
	return nil
}

// spend charges n bytes of work.
func (b *budget) spend(what string, n int64) error {
	if n > MaxWork || b.work.Add(n) > MaxWork {
		return &LimitError{What: what + " (work of the template in all)", Size: b.work.Load(), Limit: MaxWork}
	}
	return nil
}

// limitedWriter collects a rendered file and refuses to grow past max or
// to go on after the execution's time is up.
type limitedWriter struct {
	buf []byte
	max int64
	b   *budget
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if err := w.b.check(); err != nil {
		return 0, err
	}
	if int64(len(w.buf))+int64(len(p)) > w.max {
		return 0, &LimitError{What: "rendered file", Limit: w.max}
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// deepSize is the size of a value a function returned: the bytes of its
// strings and 16 bytes per element of its lists and maps, counted through
// nested lists and maps. It stops counting past limit, so a value that
// shares one big list a million times costs no more than limit to judge.
func deepSize(v any, limit int64) int64 {
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return 0
	case string:
		return int64(len(x))
	case []byte:
		return int64(len(x))
	case []string:
		n := int64(16 * len(x))
		for _, s := range x {
			if n += int64(len(s)); n > limit {
				return n
			}
		}
		return n
	}
	return reflectSize(reflect.ValueOf(v), limit, 0)
}

// reflectSize is deepSize for the kinds a type switch cannot name.
func reflectSize(v reflect.Value, limit int64, depth int) int64 {
	if depth > 64 {
		// Too deep to judge counts as too big: a value nested past
		// this cost nothing before, which let list-of-list tricks
		// make gigabytes on a small budget.
		return limit + 1
	}
	switch v.Kind() {
	case reflect.String:
		return int64(v.Len())
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		return reflectSize(v.Elem(), limit, depth+1)
	case reflect.Slice, reflect.Array:
		n := int64(16 * v.Len())
		for i := 0; i < v.Len() && n <= limit; i++ {
			n += reflectSize(v.Index(i), limit-n, depth+1)
		}
		return n
	case reflect.Map:
		n := int64(16 * v.Len())
		it := v.MapRange()
		for n <= limit && it.Next() {
			n += reflectSize(it.Key(), limit-n, depth+1) + reflectSize(it.Value(), limit-n, depth+1)
		}
		return n
	}
	return 0
}
