// Package recipes holds jailkit's built-in recipes, one YAML file per
// service, embedded into the binary.
package recipes

import "embed"

// FS holds every built-in recipe file (*.yaml).
//
//go:embed *.yaml
var FS embed.FS
