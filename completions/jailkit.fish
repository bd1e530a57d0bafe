# fish completion for jailkit(8), printed by "jailkit completion fish"
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
