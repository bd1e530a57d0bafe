// Package describe turns a recipe and the values of one jail into the
// words and lists jailkit show prints, as text or JSON: what the jail
// installs, starts, listens on, writes and needs from the host. No
// template code reaches the user.
package describe
