// Package templates holds the config templates that jailkit's recipes
// name, embedded into the binary. Each recipe has a directory; base/ holds
// the files every jail gets.
package templates

import "embed"

// FS holds every template, under its recipe's directory.
//
//go:embed all:*
var FS embed.FS
