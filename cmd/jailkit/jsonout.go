package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// The schema names of jailkit's JSON outputs, each a top-level "schema"
// field as check's hostcheck.ReportSchema is. A consumer checks the name
// and the major version, which changes only when a field is removed or
// changes meaning; new fields may appear within a version (docs/json.md,
// docs/schema/).
const (
	schemaShow    = "jailkit.recipe/v1"
	schemaRecipes = "jailkit.recipes/v1"
	schemaPlan    = "jailkit.plan/v1"
	schemaLabPlan = "jailkit.lab-plan/v1"
	schemaLabRun  = "jailkit.lab-result/v1"
	schemaLabUndo = "jailkit.lab-destroy-plan/v1"
	schemaList    = "jailkit.list/v1"
	schemaStatus  = "jailkit.status/v1"
	schemaDiff    = "jailkit.diff/v1"
)

// writeJSON prints v, which has its own schema field, as one indented
// JSON object.
func writeJSON(w io.Writer, v any) error {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

// writeSchemaJSON prints data, an indented JSON object an engine package
// made, with the schema field first. The engine's types stay free of the
// CLI's output contract: a plan inside a lab plan carries no schema.
func writeSchemaJSON(w io.Writer, schema string, data []byte) error {
	out, err := withSchema(data, schema)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

// withSchema puts "schema": schema first in the JSON object data.
func withSchema(data []byte, schema string) ([]byte, error) {
	data = bytes.TrimSpace(data)
	if len(data) < 2 || data[0] != '{' {
		return nil, fmt.Errorf("json output is not an object")
	}
	name, err := json.Marshal(schema)
	if err != nil {
		return nil, err
	}
	rest := bytes.TrimSpace(data[1:])
	var b bytes.Buffer
	b.WriteString("{\n  \"schema\": ")
	b.Write(name)
	if len(rest) > 0 && rest[0] != '}' {
		b.WriteString(",\n  ")
	} else {
		b.WriteString("\n")
	}
	b.Write(rest)
	return b.Bytes(), nil
}
