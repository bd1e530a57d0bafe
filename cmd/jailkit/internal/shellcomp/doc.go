// Package shellcomp holds the bash, zsh and fish completion scripts of
// jailkit. Each is a thin shell end: it hands the words typed so far to the
// hidden "jailkit __complete" command and offers what that prints (or
// file names, when it prints ":files").
package shellcomp
