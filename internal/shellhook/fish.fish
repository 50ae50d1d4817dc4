# reel shell integration for fish 3.1 or newer. Load it from
# ~/.config/fish/config.fish with
#   reel init fish | source
# It defines `reel` as a function, so that `reel rec start` and
# `reel rec stop` act on this shell, and fish_preexec/fish_postexec hooks
# that append one line per command to the active recording's journal.
# Until a recording starts, each hook is one variable test. Fish has no
# clock builtin, so while recording each command costs one `date`. Fish
# cannot keep a file descriptor either, so the recording's keeper process
# (reel rec keep) holds its lock and exits when this shell does. See
# internal/journal/doc.go for the journal and the lock.

set -g __reel_bin @REEL_BIN@
set -g __reel_locks @REEL_LOCKS@

function reel --description 'reel, with rec start/stop acting on this shell'
    if test (count $argv) -ge 2; and test "$argv[1]" = rec
        switch $argv[2]
            case start
                $__reel_bin rec start --emit fish --shell-pid $fish_pid $argv[3..-1] | source
                return $pipestatus[1]
            case stop
                $__reel_bin rec stop $argv[3..-1]
                set -l rc $status
                if set -q __reel_lock; and not test -e "$__reel_lock"
                    __reel_detach
                end
                return $rc
        end
    end
    $__reel_bin $argv
end

# __reel_attach is called by the output of `reel rec start`, after it set
# __reel_id, __reel_name, __reel_journal and __reel_lock.
function __reel_attach
    set -g __reel_n 0
end

function __reel_detach
    if test (count $argv) -gt 0
        printf 'reel: recording %s was %s elsewhere; this shell no longer records\n' $__reel_name $argv[1] >&2
    end
    set -e __reel_id __reel_name __reel_journal __reel_lock __reel_n __reel_cmd __reel_cwd
end

# __reel_json prints $argv[1] escaped for a JSON string.
function __reel_json
    set -l lines (string replace -a -- '\\' '\\\\' $argv[1] | string replace -a -- '"' '\\"' | string replace -a -- \t '\\t' | string replace -a -- \r '\\r')
    set -l s (string join '\\n' -- $lines)
    if string match -qr '[\x01-\x1f]' -- $s
        set -l out
        for c in (string split '' -- $s)
            if string match -qr '[\x01-\x1f]' -- $c
                set c (printf '\\\\u%04x' "'$c")
            end
            set -a out $c
        end
        set s (string join '' -- $out)
    end
    printf '%s' $s
end

function __reel_preexec --on-event fish_preexec
    set -q __reel_journal; or return 0
    # A line that fish keeps out of history is kept out of the recording.
    string match -q ' *' -- $argv[1]; and return 0
    set -g __reel_cmd $argv[1]
    set -g __reel_cwd $PWD
end

function __reel_postexec --on-event fish_postexec
    set -l rc $status
    set -q __reel_journal; or return 0
    set -q __reel_cmd; or return 0
    if not test -e "$__reel_lock"
        __reel_detach stopped
        return 0
    end
    set -l t1 (command date +%s%6N)
    set -l t0 (math -s0 "$t1 - $CMD_DURATION * 1000")
    set -g __reel_n (math $__reel_n + 1)
    set -l cmd (__reel_json $__reel_cmd)
    set -l cwd (__reel_json $__reel_cwd)
    set -e __reel_cmd
    printf '{"t":"cmd","n":%d,"cmd":"%s","cwd":"%s","start_us":%s,"end_us":%s,"exit":%d}\n' \
        $__reel_n "$cmd" "$cwd" $t0 $t1 $rc >>$__reel_journal
end
