package render

import (
	"fmt"
	"sync"
	"testing"
)

// TestEngineCachesAreBounded: an Engine keeps at most maxCached entries in
// each cache and still renders past the bound.
func TestEngineCachesAreBounded(t *testing.T) {
	e := New()
	ctx := &Context{Params: map[string]any{"n": 7}}
	for i := range maxCached + 100 {
		src := fmt.Sprintf("{{ add .Params.n %d }}", i)
		out, err := e.renderString("t.yaml", "x", 1, src, ctx)
		if err != nil || out != fmt.Sprint(7+i) {
			t.Fatalf("%s = %q, %v", src, out, err)
		}
		re := fmt.Sprintf("^x%d$", i)
		if !e.funcs["regexMatch"].(func(string, string) bool)(re, fmt.Sprintf("x%d", i)) {
			t.Fatalf("regexMatch %s failed", re)
		}
	}
	if len(e.inline) != maxCached || len(e.regexps) != maxCached {
		t.Errorf("caches hold %d expressions and %d regexps, want %d each", len(e.inline), len(e.regexps), maxCached)
	}
}

// TestEngineConcurrent: one Engine serves the jails of a lab at once.
func TestEngineConcurrent(t *testing.T) {
	e := New()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				ctx := &Context{Params: map[string]any{"n": g}}
				src := fmt.Sprintf("{{ if regexMatch \"^[0-9]+$\" (toString .Params.n) }}%d{{ end }}", i%10)
				if out, err := e.renderString("t.yaml", "x", 1, src, ctx); err != nil || out != fmt.Sprint(i%10) {
					t.Errorf("%q = %q, %v", src, out, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
