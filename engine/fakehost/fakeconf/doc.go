// Package fakeconf is the data of a simulated FreeBSD host: its fixed
// configuration (release, interfaces, listeners, the services its jails
// can run) and the state its commands change (jails, datasets, modules,
// cloned interfaces), as package fakehost stores them in JSON. It also
// answers sysctl(3) from the configuration the way the kernel does: an
// OID's kind and raw bytes.
package fakeconf
