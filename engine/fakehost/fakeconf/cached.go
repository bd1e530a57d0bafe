package fakeconf

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"sync"
)

// Cached is a JSON file's value, parsed once and again only when the
// file's bytes change. Reading the file back is cheap; parsing it is
// what a simulated command of a host with hundreds of jails spends its
// time on (every jexec looked the jail up in a freshly parsed state).
// Comparing the bytes, not a modification time, also sees a write by
// another process or another Host on the same directory, whatever the
// file system's time granularity. The zero Cached is ready to use.
type Cached[T any] struct {
	mu   sync.Mutex
	data []byte
	val  T
}

// Load returns the value in file name: a deep copy of the cached one
// while the file's bytes are those it was parsed from, so a caller may
// change what it gets.
func (c *Cached[T]) Load(name string) (T, error) {
	var out T
	err := c.View(name, func(v *T) { out = Clone(*v) })
	return out, err
}

// View calls f with the cached value of file name, re-parsed first when
// the file's bytes changed. f must only read it, and not keep it: no
// copy is made, which is what a lookup in a large state saves.
func (c *Cached[T]) View(name string, f func(v *T)) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.data == nil || !bytes.Equal(data, c.data) {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		c.data, c.val = data, v
	}
	f(&c.val)
	return nil
}

// Clone returns a deep copy of v: its slices, maps and pointers are new,
// so changing the copy leaves v alone. The types of this package hold
// only exported fields, plain values, slices, maps and pointers.
func Clone[T any](v T) T {
	var out T
	deepCopy(reflect.ValueOf(&out).Elem(), reflect.ValueOf(&v).Elem())
	return out
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Struct:
		for i := range src.NumField() {
			deepCopy(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src)
	}
}
