package runbook

import (
	"fmt"
	"io"
	"path"
	"strings"
)

// writeDockerfile writes a Dockerfile that runs the steps at build time,
// in bash, from /work, which stands for the folder the recording started
// in. Variables become build arguments; a multi-line command becomes a
// heredoc (BuildKit's Dockerfile syntax 1.4).
func writeDockerfile(w io.Writer, p *plan) error {
	b := &strings.Builder{}
	b.WriteString("# syntax=docker/dockerfile:1\n")
	for _, l := range p.header() {
		b.WriteString("# " + l + "\n")
	}
	b.WriteString("ARG BASE_IMAGE=debian:bookworm-slim\nFROM ${BASE_IMAGE}\n")
	b.WriteString(`SHELL ["/bin/bash", "-euo", "pipefail", "-c"]` + "\n")
	for _, v := range p.vars {
		fmt.Fprintf(b, "ARG %s=%s\n", v.Name, v.Value)
	}
	dir := ""
	for _, st := range p.steps {
		if st.skip != "" {
			fmt.Fprintf(b, "# step %d %s:\n%s\n", st.N, st.skip, commentOut(st.Command, "# "))
			continue
		}
		if st.dir != dir {
			dir = st.dir
			wd := st.dir
			if !strings.HasPrefix(wd, "/") {
				wd = path.Join("/work", wd)
			}
			fmt.Fprintf(b, "WORKDIR %s\n", strings.ReplaceAll(wd, "$", `\$`))
		}
		text := st.text(same, shellRef)
		if !strings.Contains(text, "\n") && !strings.HasSuffix(text, `\`) {
			fmt.Fprintf(b, "# step %d\nRUN %s\n", st.N, text)
			continue
		}
		delim := "REEL_EOF"
		for strings.Contains(text, delim) {
			delim += "_"
		}
		fmt.Fprintf(b, "# step %d\nRUN <<'%s'\n%s\n%s\n", st.N, delim, text, delim)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
