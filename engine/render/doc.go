// Package render turns a recipe and the user's settings into the files of
// a jail.
//
// NewValues validates the settings against the recipe (every problem at
// once); an Engine renders Values to Files. Rendering is pure: same recipe
// and values, same bytes. Templates run with sprig's hermetic functions
// minus anything that reads the clock, the environment, randomness or the
// network, and with missingkey=error. Rendering is bounded: every
// function is wrapped (guard.go) so that one file, one jail's tree, the
// work of one execution and its time stay under the limits in limits.go,
// and a template that would pass them stops with a LimitError, which is
// bad input. WriteTree writes a rendered tree
// under a root through os.Root.
package render
