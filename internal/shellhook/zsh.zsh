# reel shell integration for zsh 5.1 or newer. Load it from ~/.zshrc with
#   eval "$(reel init zsh)"
# It defines `reel` as a function, so that `reel rec start` and
# `reel rec stop` act on this shell, and preexec/precmd hooks that append
# one line per command to the active recording's journal. Until a recording
# starts, each hook is one variable test; no process is started for them,
# ever. See internal/journal/doc.go for the journal and the lock.

zmodload zsh/datetime 2>/dev/null
typeset -g __reel_bin=@REEL_BIN@
typeset -g __reel_locks=@REEL_LOCKS@

reel() {
	if [[ ${1-} == rec ]]; then
		case ${2-} in
		start) __reel_start "${@:3}"; return ;;
		stop) __reel_stop "${@:3}"; return ;;
		esac
	fi
	"$__reel_bin" "$@"
}

# __reel_start opens a fresh lock file on a descriptor this shell keeps and
# runs `reel rec start`, which locks it through the inherited descriptor:
# the lock then belongs to this shell, for as long as it lives. With
# zsh/system the journal is written through an O_SYNC descriptor, so every
# line is on disk when the prompt returns.
__reel_start() {
	local lock="$__reel_locks/pending-$$-${EPOCHREALTIME//[.,]/}.lock" fd out rc sync=
	zmodload zsh/system 2>/dev/null && sync=--self-sync
	if ! { exec {fd}>>"$lock" } 2>/dev/null; then
		command mkdir -p -m 700 -- "$__reel_locks" && exec {fd}>>"$lock" || return 1
	fi
	out=$("$__reel_bin" rec start --emit zsh --shell-pid $$ --lock-fd "$fd" --lock-path "$lock" $sync "$@")
	rc=$?
	if ((rc == 0)) && [[ -n $out ]]; then
		eval "$out"
	fi
	if [[ ${__reel_lockfd-} != "$fd" ]]; then
		exec {fd}>&-
	fi
	return $rc
}

__reel_stop() {
	"$__reel_bin" rec stop "$@"
	local rc=$?
	if [[ -n ${__reel_lock-} && ! -e $__reel_lock ]]; then
		__reel_detach
	fi
	return $rc
}

# __reel_attach is called by the output of `reel rec start`, after it set
# __reel_id, __reel_name, __reel_journal and __reel_lock.
__reel_attach() {
	typeset -g __reel_lockfd=$1 __reel_n=0 __reel_t0= __reel_jfd=
	if (( ${+builtins[sysopen]} )); then
		sysopen -w -a -o sync,cloexec -u __reel_jfd "$__reel_journal" 2>/dev/null || __reel_jfd=
	fi
}

__reel_detach() {
	[[ -n ${__reel_lockfd-} ]] && exec {__reel_lockfd}>&-
	[[ -n ${__reel_jfd-} ]] && exec {__reel_jfd}>&-
	if [[ -n ${1-} ]]; then
		print -r -u2 -- "reel: recording $__reel_name was $1 elsewhere; this shell no longer records"
	fi
	unset __reel_id __reel_name __reel_journal __reel_lock __reel_cmdfile __reel_lockfd __reel_jfd __reel_n __reel_t0 __reel_cmd __reel_cwd
}

# __reel_json sets REPLY to $1 escaped for a JSON string.
__reel_json() {
	local s=$1 b='\' q='"'
	s=${s//$b/$b$b}
	s=${s//$q/$b$q}
	s=${s//$'\n'/${b}n}
	s=${s//$'\t'/${b}t}
	s=${s//$'\r'/${b}r}
	if [[ $s == *[$'\x01'-$'\x1f']* ]]; then
		local out= c i
		for ((i = 1; i <= ${#s}; i++)); do
			c=${s[i]}
			case $c in
			[$'\x01'-$'\x1f']) printf -v c '\\u%04x' "'$c" ;;
			esac
			out+=$c
		done
		s=$out
	fi
	REPLY=$s
}

__reel_preexec() {
	[[ -n ${__reel_journal-} ]] || return 0
	local line=${1:-$3}
	# A line that the shell keeps out of history is kept out of the
	# recording too.
	[[ -o hist_ignore_space && $line == ' '* ]] && return 0
	typeset -g __reel_cmd=$line __reel_cwd=$PWD
	typeset -g __reel_t0=$((epochtime[1] * 1000000 + epochtime[2] / 1000))
}

# __reel_precmd runs first among the precmd hooks and hands the exit
# status on unchanged.
__reel_precmd() {
	local rc=$?
	[[ -n ${__reel_journal-} ]] || return $rc
	[[ -n ${__reel_t0-} ]] || return $rc
	local t1=$((epochtime[1] * 1000000 + epochtime[2] / 1000)) t0=$__reel_t0
	__reel_t0=
	if [[ ! -e $__reel_lock ]]; then
		__reel_detach stopped
		return $rc
	fi
	((__reel_n++))
	local REPLY cmd
	__reel_json "$__reel_cmd"
	cmd=$REPLY
	__reel_json "$__reel_cwd"
	local line="{\"t\":\"cmd\",\"n\":$__reel_n,\"cmd\":\"$cmd\",\"cwd\":\"$REPLY\",\"start_us\":$t0,\"end_us\":$t1,\"exit\":$rc}"
	if [[ -n $__reel_jfd ]]; then
		print -r -u $__reel_jfd -- "$line"
	else
		print -r -- "$line" >>"$__reel_journal"
	fi
	return $rc
}

autoload -Uz add-zsh-hook
add-zsh-hook preexec __reel_preexec
precmd_functions=(__reel_precmd ${precmd_functions:#__reel_precmd})
