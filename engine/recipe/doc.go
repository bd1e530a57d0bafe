// Package recipe reads jailkit recipes: the jailkit/v1 format decoded
// strictly from YAML with every problem reported at once as file:line,
// the typed parameters and their values, and the catalogue of built-in
// and user recipes.
//
// A recipe is data, not code: nothing here runs a command, renders a
// template or touches a host. Recipes are untrusted (they get shared and
// downloaded, and jailkit runs as root), so what one may ask of the host
// is a closed vocabulary (hostvocab.go), what weakens a jail is a named
// capability the user grants (capability.go), every printed or written
// field is checked (text.go), and a user's recipe directory is read
// through os.Root, regular files only (dirfs.go).
package recipe
