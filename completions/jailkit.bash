# bash completion for jailkit(8), printed by "jailkit completion bash"
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
