// Package inputerr classifies errors caused by the user's input (a flag, a
// --set value, a recipe or lab file) rather than by the host: every error
// here wraps ErrInput, so the CLI exits with status 2 on it, and carries
// the field or file position it is about.
package inputerr
