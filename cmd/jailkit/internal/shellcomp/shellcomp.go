package shellcomp

// Script returns the completion script for shell (bash, zsh or fish), and
// whether there is one.
func Script(shell string) (string, bool) {
	s, ok := scripts[shell]
	return s, ok
}

// scripts are the thin shell ends of "jailkit __complete", by shell.
var scripts = map[string]string{
	"bash": `# bash completion for jailkit(8), printed by "jailkit completion bash"
_jailkit() {
	local IFS=$'\n' out
	out=($(jailkit __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
	if [ "${out[0]}" = ":files" ]; then
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}"))
	else
		COMPREPLY=("${out[@]}")
	fi
}
complete -F _jailkit jailkit
`,
	"zsh": `#compdef jailkit
# zsh completion for jailkit(8), printed by "jailkit completion zsh"
_jailkit() {
	local -a out
	out=(${(f)"$(jailkit __complete "${(@)words[2,CURRENT]}" 2>/dev/null)"})
	if [[ "${out[1]}" == ":files" ]]; then
		_files
	else
		compadd -- "${out[@]}"
	fi
}
if [[ "$funcstack[1]" == "_jailkit" ]]; then
	_jailkit "$@"
else
	compdef _jailkit jailkit
fi
`,
	"fish": `# fish completion for jailkit(8), printed by "jailkit completion fish"
function __jailkit_complete
	set -l words (commandline -opc)
	set -e words[1]
	# An empty current token substitutes to no word at all; __complete
	# needs it as an empty last word.
	set -l cur (commandline -ct)
	set -q cur[1]; or set cur ""
	set -l out (jailkit __complete $words "$cur" 2>/dev/null)
	if test "$out[1]" = ":files"
		__fish_complete_path (commandline -ct)
	else
		printf '%s\n' $out
	end
end
complete -c jailkit -f -a '(__jailkit_complete)'
`,
}
