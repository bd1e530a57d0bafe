package render

import "github.com/jailkit/jailkit/engine/recipe"

// baseFiles are rendered into every jail before the recipe's own files:
// the article's Listing 4, modernised.
var baseFiles = []recipe.FileSpec{
	{Template: "base/rc.conf.tmpl", Path: "/etc/rc.conf", Mode: "0644"},
	{Template: "base/resolv.conf.tmpl", Path: "/etc/resolv.conf", Mode: "0644"},
	{Template: "base/fstab.tmpl", Path: "/etc/fstab", Mode: "0644"},
	{Template: "base/loghost.conf.tmpl", Path: "/usr/local/etc/syslog.d/jailkit-loghost.conf", Mode: "0644", When: "{{ .Params.loghost }}"},
	{Template: "base/sshd_config.tmpl", Path: "/etc/ssh/sshd_config", Mode: "0644", When: "{{ or .Params.sshd .Recipe.SSHD }}"},
}

// FileSpecs returns every file a recipe renders: the common base first,
// then the recipe's own.
func FileSpecs(r *recipe.Recipe) []recipe.FileSpec {
	return append(append([]recipe.FileSpec{}, baseFiles...), r.Files...)
}

// BaseFileSpecs returns the files of the common base, which render from
// the built-in templates only.
func BaseFileSpecs() []recipe.FileSpec { return append([]recipe.FileSpec{}, baseFiles...) }
