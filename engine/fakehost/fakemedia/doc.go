// Package fakemedia makes the release media the fake mirror serves: a
// small base.txz with the skeleton of a FreeBSD base system and the
// MANIFEST that carries its sha256, as bsdinstall's distribution sets are
// listed.
package fakemedia
