// Package lab sets up a whole home lab from one file: a network and the
// jails on it, checked across jails (names, addresses, DHCP ranges, name
// servers), wired together by the roles their recipes declare (every
// jail's A and PTR records in the zone of the jail that serves DNS, the
// DHCP server's options, the mail domain), then planned, applied in
// dependency order and destroyed in reverse.
package lab
