package main

import (
	"os"
	"path/filepath"

	"github.com/jailkit/jailkit/engine/config"
	"github.com/jailkit/jailkit/engine/install"
	"github.com/jailkit/jailkit/engine/render"
)

// confEnv names the environment variable that points jailkit at another
// configuration file, as --config does; tests and staging use it.
const confEnv = "JAILKIT_CONF"

// loadConfig reads the configuration file: --config, else $JAILKIT_CONF,
// both required to exist, else the default under --root, which may be
// missing. A bad file is bad input (exit 2) naming its line.
func (a *app) loadConfig() error {
	p, required := a.configPath, true
	if p == "" {
		p = os.Getenv(confEnv)
	}
	if p == "" {
		p, required = filepath.Join(a.root, config.DefaultPath), false
	}
	c, err := config.Load(p, required)
	a.conf = c
	return err
}

// withConfig fills what the command line left empty in a jail's spec from
// the configuration file: flags win over the file.
func (a *app) withConfig(spec render.JailSpec) render.JailSpec {
	if spec.Release == "" {
		spec.Release = a.conf.Release
	}
	if spec.Interface == "" {
		spec.Interface = a.conf.Interface
	}
	if spec.JailsDir == "" {
		spec.JailsDir = a.conf.JailsDir
	}
	return spec
}

// installOptions returns the install options every command that plans or
// changes jails starts from, with the configuration file's jails
// directory and bridge; bridge, the --bridge flag, wins over the file.
func (a *app) installOptions(bridge string) install.Options {
	if bridge == "" {
		bridge = a.conf.Bridge
	}
	return install.Options{Version: versionString(), Progress: a.progressOut(), Bridge: bridge, JailsDir: a.conf.JailsDir}
}
