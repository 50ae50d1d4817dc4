# reel shell integration for bash 5.0 or newer (for EPOCHREALTIME). Load it from ~/.bashrc with
#   eval "$(reel init bash)"
# It defines `reel` as a function, so that `reel rec start` and
# `reel rec stop` act on this shell, and a prompt hook that appends one line
# per command to the active recording's journal. Until a recording starts,
# the hook is one variable test; no process is started for it, ever. See
# internal/journal/doc.go for the journal and the lock.

__reel_bin=@REEL_BIN@
__reel_locks=@REEL_LOCKS@
# __reel_q is one character, so that PS0 can run arithmetic (which may
# assign) in a substring of length 0 and print nothing.
__reel_q=' '
__reel_ps0='${__reel_q:0:(__reel_t0=${EPOCHREALTIME//[.,]/})*0}'

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
# the lock then belongs to this shell, for as long as it lives.
__reel_start() {
	if ((BASH_VERSINFO[0] < 5)); then
		printf 'reel: recording needs bash 5.0 or newer; this is bash %s\n' "$BASH_VERSION" >&2
		return 6
	fi
	local lock="$__reel_locks/pending-$$-${EPOCHREALTIME//[.,]/}.lock" fd out rc
	if ! { exec {fd}>>"$lock"; } 2>/dev/null; then
		command mkdir -p -m 700 -- "$__reel_locks" && exec {fd}>>"$lock" || return 1
	fi
	out=$("$__reel_bin" rec start --emit bash --shell-pid $$ --lock-fd "$fd" --lock-path "$lock" "$@")
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
# __reel_id, __reel_name, __reel_journal, __reel_lock and __reel_cmdfile.
__reel_attach() {
	__reel_lockfd=$1
	__reel_n=0
	__reel_t0=
	__reel_pwd=$PWD
	PS0="${PS0-}$__reel_ps0"
	# Every command that enters history moves the history number on, so a
	# number that did not move means the command was kept out of history
	# (a leading space, HISTIGNORE) and is not recorded either.
	__reel_histcontrol_set=${HISTCONTROL+x}
	__reel_histcontrol=${HISTCONTROL-}
	local hc= part
	local IFS=:
	for part in ${HISTCONTROL-}; do
		case $part in
		ignoreboth | ignorespace) hc=${hc:+$hc:}ignorespace ;;
		ignoredups | erasedups) ;;
		*) hc=${hc:+$hc:}$part ;;
		esac
	done
	HISTCONTROL=$hc
	__reel_history_off=
	if [[ ! -o history ]]; then
		__reel_history_off=1
		set -o history
	fi
	HISTTIMEFORMAT= builtin history 1 >|"$__reel_cmdfile" 2>/dev/null
	local line=
	IFS= read -r -d '' line <"$__reel_cmdfile"
	line=${line#"${line%%[![:space:]]*}"}
	__reel_lasth=${line%%[!0-9]*}
}

__reel_detach() {
	if [[ -n ${__reel_lockfd-} ]]; then
		exec {__reel_lockfd}>&-
	fi
	PS0=${PS0//"$__reel_ps0"/}
	if [[ -n $__reel_histcontrol_set ]]; then
		HISTCONTROL=$__reel_histcontrol
	else
		unset HISTCONTROL
	fi
	if [[ -n $__reel_history_off ]]; then
		set +o history
	fi
	command rm -f -- "$__reel_cmdfile" 2>/dev/null
	if [[ -n ${1-} ]]; then
		printf 'reel: recording %s was %s elsewhere; this shell no longer records\n' "$__reel_name" "$1" >&2
	fi
	unset __reel_id __reel_name __reel_journal __reel_lock __reel_cmdfile __reel_lockfd __reel_n __reel_t0 __reel_lasth __reel_pwd
}

# __reel_json sets __reel_j to $1 escaped for a JSON string.
__reel_json() {
	local s=$1 b='\' q='"'
	s=${s//"$b"/"$b$b"}
	s=${s//"$q"/"$b$q"}
	s=${s//$'\n'/"${b}n"}
	s=${s//$'\t'/"${b}t"}
	s=${s//$'\r'/"${b}r"}
	if [[ $s == *[$'\001'-$'\037']* ]]; then
		local out= c i
		for ((i = 0; i < ${#s}; i++)); do
			c=${s:i:1}
			case $c in
			[$'\001'-$'\037']) printf -v c '\\u%04x' "'$c" ;;
			esac
			out+=$c
		done
		s=$out
	fi
	__reel_j=$s
}

# __reel_precmd runs first in PROMPT_COMMAND. It writes the command that
# just finished: its text from history (read through a scratch file, as a
# subshell would cost a fork), the folder it was typed in, its times from
# PS0 and now, and its exit status, which it hands on unchanged.
__reel_precmd() {
	local rc=$?
	[[ -n ${__reel_journal-} ]] || return $rc
	local t1=${EPOCHREALTIME//[.,]/} t0=${__reel_t0-} cwd=${__reel_pwd-}
	__reel_t0=
	__reel_pwd=$PWD
	[[ -n $t0 ]] || return $rc
	if [[ ! -e $__reel_lock ]]; then
		__reel_detach stopped
		return $rc
	fi
	HISTTIMEFORMAT= builtin history 1 >|"$__reel_cmdfile" 2>/dev/null
	local line= num
	IFS= read -r -d '' line <"$__reel_cmdfile"
	line=${line#"${line%%[![:space:]]*}"}
	num=${line%%[!0-9]*}
	[[ -n $num && $num != "${__reel_lasth-}" ]] || return $rc
	__reel_lasth=$num
	line=${line#"$num"}
	line=${line#\*}
	line=${line#  }
	line=${line%$'\n'}
	__reel_n=$((__reel_n + 1))
	__reel_json "$line"
	local cmd=$__reel_j
	__reel_json "$cwd"
	printf '{"t":"cmd","n":%d,"cmd":"%s","cwd":"%s","start_us":%s,"end_us":%s,"exit":%d}\n' \
		"$__reel_n" "$cmd" "$__reel_j" "$t0" "$t1" "$rc" >>"$__reel_journal"
	return $rc
}

if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
	[[ " ${PROMPT_COMMAND[*]} " == *" __reel_precmd "* ]] || PROMPT_COMMAND=(__reel_precmd "${PROMPT_COMMAND[@]}")
elif [[ ${PROMPT_COMMAND-} != *__reel_precmd* ]]; then
	PROMPT_COMMAND="__reel_precmd${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
