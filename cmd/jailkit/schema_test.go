package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestJSONSchemas runs every command that prints JSON, on a simulated
// host where it needs one, and validates the output against the JSON
// Schema in docs/schema that its "schema" field names: the documented
// top-level fields and their types. Every schema file is used.
func TestJSONSchemas(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	labFile := filepath.Join(dir, "lab.yaml")
	if err := os.WriteFile(labFile, []byte(schemaLab), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args   []string
		schema string // "" for a run whose output is not checked
	}{
		{[]string{"recipes", "--format", "json"}, schemaRecipes},
		{[]string{"show", "www", "--set", "tls=true", "--format", "json"}, schemaShow},
		{[]string{"check", "--from", "../../hostcheck/testdata/snapshots/clean", "--format", "json"}, "jailkit.check/v1"},
		{[]string{"--root", root, "list", "--format", "json"}, schemaList},
		{[]string{"--root", root, "install", "dns", "--ip", "192.0.2.53", "--dry-run", "--format", "json"}, schemaPlan},
		{[]string{"--root", root, "lab", "plan", labFile, "--format", "json"}, schemaLabPlan},
		{[]string{"--root", root, "lab", "apply", labFile, "--format", "json"}, schemaLabRun},
		{[]string{"--root", root, "list", "--format", "json"}, schemaList},
		{[]string{"--root", root, "status", "--format", "json"}, schemaStatus},
		{[]string{"--root", root, "diff", "ns", "--format", "json"}, schemaDiff},
		{[]string{"--root", root, "lab", "destroy", labFile, "--dry-run", "--format", "json"}, schemaLabUndo},
		{[]string{"--root", root, "uninstall", "ns", "--format", "json"}, schemaPlan},
	}
	used := map[string]bool{}
	for _, st := range steps {
		var stdout, stderr bytes.Buffer
		if code := newApp(&stdout, &stderr, openFakeHost).run(append([]string{"--no-color"}, st.args...)); code != 0 {
			t.Fatalf("jailkit %s exited %d:\n%s", strings.Join(st.args, " "), code, stderr.String())
		}
		var doc map[string]any
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			t.Fatalf("jailkit %s: %v", strings.Join(st.args, " "), err)
		}
		if doc["schema"] != st.schema {
			t.Errorf("jailkit %s: schema %v, want %s", strings.Join(st.args, " "), doc["schema"], st.schema)
			continue
		}
		used[st.schema] = true
		for _, p := range validate(loadSchema(t, st.schema), doc, "") {
			t.Errorf("jailkit %s: %s", strings.Join(st.args, " "), p)
		}
	}
	files, _ := filepath.Glob("../../docs/schema/*.schema.json")
	for _, f := range files {
		name := "jailkit." + strings.Replace(strings.TrimSuffix(filepath.Base(f), ".schema.json"), "-v", "/v", 1)
		if !used[name] {
			t.Errorf("%s is not checked against any output", f)
		}
	}
}

const schemaLab = `apiVersion: jailkit/v1
name: small
network:
  interface: em0
  subnet: 192.0.2.0/24
  gateway: 192.0.2.1
  domain: home.lan
jails:
  - name: ns
    recipe: dns
    address: 192.0.2.53
`

// loadSchema reads the schema file of name (jailkit.plan/v1 is
// docs/schema/plan-v1.schema.json) and checks it names itself.
func loadSchema(t *testing.T, name string) map[string]any {
	t.Helper()
	file := strings.Replace(strings.TrimPrefix(name, "jailkit."), "/", "-", 1) + ".schema.json"
	data, err := os.ReadFile(filepath.Join("../../docs/schema", file))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return s
}

// validate checks v against the part of JSON Schema the documented
// schemas use: type, const, enum, required, properties and items. It
// returns every problem, each with its JSON path.
func validate(s map[string]any, v any, at string) []string {
	var out []string
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: ", or(at, "/"))+fmt.Sprintf(format, args...))
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, v) {
		bad("%v is not %v", v, c)
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, x := range e {
			found = found || reflect.DeepEqual(x, v)
		}
		if !found {
			bad("%v is not one of %v", v, e)
		}
	}
	if typ, ok := s["type"].(string); ok && !hasType(v, typ) {
		bad("%T is not %s", v, typ)
		return out
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range asList(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				bad("required field %q is missing", r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, ps := range props {
			if x, ok := obj[k]; ok {
				out = append(out, validate(ps.(map[string]any), x, at+"/"+k)...)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if is, ok := s["items"].(map[string]any); ok {
			for i, x := range arr {
				out = append(out, validate(is, x, fmt.Sprintf("%s/%d", at, i))...)
			}
		}
	}
	return out
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := v.(float64)
		return ok
	}
	return false
}

func asList(v any) []any { l, _ := v.([]any); return l }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
