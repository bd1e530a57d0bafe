// Package install plans and applies the installation and the removal of
// one jail: release media, the host's configuration (jail.conf.d, rc.conf
// through sysrc, devfs.rules, a bridge for VNET jails), the jail's files,
// packages and services, the post-check of its listeners, and the state
// file. Planning reads the host through a System and changes nothing;
// Install and Uninstall take the host lock and apply the plan, rolling
// back on failure.
package install
