// Package recipe reads jailkit recipes: the jailkit/v1 format decoded
// strictly from YAML with every problem reported at once as file:line,
// the typed parameters and their values, and the catalogue of built-in
// and user recipes.
//
// A recipe is data, not code: nothing here runs a command, renders a
// template or touches a host.
package recipe
