// Package lint checks a recipe the way a recipe author needs it checked:
// strict decoding, a static walk of every template branch for unknown
// .Params and .Jail references, and a render with sample values, every
// problem reported at once as file:line.
package lint
