package freebsd

// DefaultJailsDir is where jails live unless told otherwise: the FreeBSD
// Handbook's layout (chapter "Jails and Containers") keeps release media in
// media/, templates in templates/ and each jail's root in containers/NAME
// under /usr/local/jails.
const DefaultJailsDir = "/usr/local/jails"
