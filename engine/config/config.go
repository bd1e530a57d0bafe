package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// DefaultPath is where jailkit looks for its configuration file, under
// the host's "/" (--root).
const DefaultPath = "/usr/local/etc/jailkit/jailkit.conf"

// Config is the parsed file. An empty field was not set, and the
// built-in default applies.
type Config struct {
	JailsDir   string   // jails_dir: where media, bases and jails live
	Release    string   // release: the FreeBSD release of new jails
	Bridge     string   // bridge: the host bridge of VNET jails
	Interface  string   // interface: the host interface of shared-IP jails
	RecipeDirs []string // recipes: extra recipe directories, in order
}

// Keys lists every key the file may hold, with what it sets, for the
// documentation and the error about an unknown key.
var Keys = []string{"jails_dir", "release", "bridge", "interface", "recipes"}

// Load reads the file at p. A missing file is an empty Config unless
// required, which is how a path the user named explicitly is read.
func Load(p string, required bool) (Config, error) {
	data, err := readConfig(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !required {
			return Config{}, nil
		}
		return Config{}, &inputerr.FieldError{Field: "--config", Problem: fmt.Sprintf("cannot read %s: %v", p, errors.Unwrap(err)),
			Hint: "give the path of a readable jailkit.conf, or none for " + DefaultPath}
	}
	return Parse(p, data)
}

// Parse reads the text of a configuration file named name and returns
// every error in it at once, each as file:line.
func Parse(name string, data []byte) (Config, error) {
	var c Config
	var errs inputerr.ErrorList
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	for n := 1; sc.Scan(); n++ {
		bad := func(format string, args ...any) {
			errs = append(errs, &inputerr.PosError{File: name, Line: n, Msg: fmt.Sprintf(format, args...)})
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok {
			bad("%q is not key = value", line)
			continue
		}
		value, err := unquote(value)
		if err != nil {
			bad("%s: %v", key, err)
			continue
		}
		if prev, dup := seen[key]; dup && key != "recipes" {
			bad("%s is set again (first on line %d)", key, prev)
			continue
		}
		seen[key] = n
		if err := c.set(key, value); err != nil {
			bad("%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, &inputerr.PosError{File: name, Msg: err.Error()})
	}
	if len(errs) > 0 {
		return Config{}, errs
	}
	return c, nil
}

// unquote takes the value out of optional double quotes, as sysrc(8)
// writes rc.conf values; inside them nothing is special but the closing
// quote, and a value is one line.
func unquote(v string) (string, error) {
	if strings.HasPrefix(v, `"`) {
		if len(v) < 2 || !strings.HasSuffix(v, `"`) || strings.Contains(v[1:len(v)-1], `"`) {
			return "", errors.New("unbalanced double quote")
		}
		return v[1 : len(v)-1], nil
	}
	if i := strings.IndexAny(v, "\"#"); i >= 0 {
		return "", fmt.Errorf("%q: quote the whole value, and put comments on their own line", v)
	}
	return v, nil
}

// set validates value by the type key wants and stores it.
func (c *Config) set(key, value string) error {
	if value == "" {
		return fmt.Errorf("%s has no value", key)
	}
	switch key {
	case "jails_dir", "recipes":
		if !path.IsAbs(value) || path.Clean(value) != value || strings.ContainsAny(value, " \t\n") {
			return fmt.Errorf("%s: %q is not an absolute, clean path without spaces", key, value)
		}
		if key == "jails_dir" {
			c.JailsDir = value
		} else {
			c.RecipeDirs = append(c.RecipeDirs, value)
		}
	case "release":
		if err := render.ValidRelease(value); err != nil {
			return fmt.Errorf("release: %w", err)
		}
		c.Release = value
	case "bridge", "interface":
		if !freebsd.ValidInterfaceName(value) {
			return fmt.Errorf("%s: %q is not an interface name such as em0 or bridge0", key, value)
		}
		if key == "bridge" {
			c.Bridge = value
		} else {
			c.Interface = value
		}
	default:
		return fmt.Errorf("unknown key %q (known: %s)", key, strings.Join(Keys, ", "))
	}
	return nil
}

// maxConfigSize bounds the configuration file: a few lines in practice.
const maxConfigSize = 1 << 20

// readConfig reads p if it is a regular file of at most maxConfigSize
// bytes: a FIFO or a device named as the configuration must not hang or
// flood every jailkit command.
func readConfig(p string) ([]byte, error) {
	root, err := os.OpenRoot(filepath.Dir(p))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return system.ReadRegular(root, filepath.Base(p), maxConfigSize)
}
