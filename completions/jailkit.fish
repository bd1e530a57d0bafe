# fish completion for jailkit(8), printed by "jailkit completion fish"
function __jailkit_complete
	set -l words (commandline -opc)
	set -e words[1]
	set -l out (jailkit __complete $words (commandline -ct | string collect -a) 2>/dev/null)
	if test "$out[1]" = ":files"
		__fish_complete_path (commandline -ct)
	else
		printf '%s\n' $out
	end
end
complete -c jailkit -f -a '(__jailkit_complete)'
