// Command jailkit turns a FreeBSD host into service appliances, one jail per
// service, from recipes embedded in the binary.
//
// This package is the thin layer: flags, wiring, output, colour and exit
// codes. Everything else lives in the engine and hostcheck packages, which
// never print.
package main
