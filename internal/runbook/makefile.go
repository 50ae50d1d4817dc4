package runbook

import (
	"fmt"
	"io"
	"strings"
)

// writeMakefile writes one target, run, whose recipe is the steps in one
// bash that stops at the first failure (.ONESHELL), so folders and
// variables carry from step to step as in the recording. Every $ of a
// command is doubled for make.
func writeMakefile(w io.Writer, p *plan) error {
	b := &strings.Builder{}
	for _, l := range p.header() {
		b.WriteString("# " + l + "\n")
	}
	b.WriteString("# Run: make run (ROOT=folder to start elsewhere; each variable can be set the same way).\n\n")
	b.WriteString("SHELL := /bin/bash\n.SHELLFLAGS := -euo pipefail -c\n.ONESHELL:\n\nROOT ?= $(CURDIR)\n")
	for _, v := range p.vars {
		fmt.Fprintf(b, "%s ?= %s\n", v.Name, v.Value)
	}
	b.WriteString("\n.PHONY: run\nrun:\n")
	dir := ""
	for _, st := range p.steps {
		if st.skip != "" {
			fmt.Fprintf(b, "\t# step %d %s:\n%s\n", st.N, st.skip, recipe(commentOut(makeEscape(st.Command), "# ")))
			continue
		}
		if st.dir != dir {
			dir = st.dir
			b.WriteString("\tcd " + makeDir(dir) + "\n")
		}
		fmt.Fprintf(b, "\t# step %d\n%s\n", st.N, recipe(st.text(makeEscape, func(name string, _ bool) string { return "$(" + name + ")" })))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// makeDir refers to a step's folder from a recipe.
func makeDir(dir string) string {
	switch {
	case dir == ".":
		return `"$(ROOT)"`
	case strings.HasPrefix(dir, "/"):
		return makeEscape(shellQuote(dir))
	}
	return `"$(ROOT)"/` + makeEscape(shellQuote(dir))
}

// makeEscape keeps make from expanding a command's $.
func makeEscape(s string) string { return strings.ReplaceAll(s, "$", "$$") }

// recipe indents every line of s with a tab, as make wants.
func recipe(s string) string { return "\t" + strings.ReplaceAll(s, "\n", "\n\t") }
