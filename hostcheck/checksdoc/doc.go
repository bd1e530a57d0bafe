// Package checksdoc renders hostcheck's catalogue as docs/checks.md, the
// reference of every check: its ID, severity, what it reads, why it
// matters and the fix. A test keeps the file in step with the catalogue.
package checksdoc
