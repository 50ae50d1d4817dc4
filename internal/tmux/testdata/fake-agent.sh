#!/bin/sh
# fake-agent.sh is a FAKE coding agent for tests: it stands in for claude,
# codex and the rest, which tests cannot run. Like them it prints a
# prompt and waits for the user's input, answering each line.
echo "fake-agent ready (FAKE_VAR=${FAKE_VAR:-unset}) pid $$"
while printf 'fake-agent> '; IFS= read -r line; do
	case "$line" in
	color) printf '\033[1;31mred alert\033[0m\n' ;;
	many) i=0; while [ $i -lt 80 ]; do echo "line $i"; i=$((i+1)); done ;;
	quit) exit 0 ;;
	*) echo "fake-agent got: $line" ;;
	esac
done
