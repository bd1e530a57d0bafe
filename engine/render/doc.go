// Package render turns a recipe and the user's settings into the files of
// a jail.
//
// NewValues validates the settings against the recipe (every problem at
// once); an Engine renders Values to Files. Rendering is pure: same recipe
// and values, same bytes. Templates run with sprig's hermetic functions
// minus anything that reads the clock, the environment, randomness or the
// network, and with missingkey=error. WriteTree writes a rendered tree
// under a root through os.Root.
package render
