package runbook

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// writeGitHub writes a GitHub Actions workflow, run by hand
// (workflow_dispatch), with one step per command in the checked-out
// repository, which stands for the folder the recording started in.
func writeGitHub(w io.Writer, p *plan) error {
	b := &strings.Builder{}
	for _, l := range p.header() {
		b.WriteString("# " + l + "\n")
	}
	fmt.Fprintf(b, "name: %s\non:\n  workflow_dispatch:\njobs:\n  runbook:\n    runs-on: ubuntu-latest\n", yamlString(orUntitled(p.rb.Title)))
	writeYAMLVars(b, "    env:\n", "      ", p.vars)
	b.WriteString("    steps:\n      - uses: actions/checkout@v4\n")
	for _, st := range p.steps {
		if st.skip != "" {
			fmt.Fprintf(b, "      # step %d %s:\n%s\n", st.N, st.skip, commentOut(st.Command, "      # "))
			continue
		}
		fmt.Fprintf(b, "      - name: %s\n", yamlString(fmt.Sprintf("%d: %s", st.N, firstLine(st.Command, 60))))
		if st.dir != "." {
			fmt.Fprintf(b, "        working-directory: %s\n", yamlString(st.dir))
		}
		// GitHub reads ${{ … }} in run scripts as an expression.
		text := strings.ReplaceAll(st.text(same, shellRef), "${{", "${{ '${{' }}")
		b.WriteString("        run: |\n" + indent(text, "          ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeGitLab writes a GitLab CI job whose script is the steps, in one
// shell, from the project folder, which stands for the folder the
// recording started in.
func writeGitLab(w io.Writer, p *plan) error {
	b := &strings.Builder{}
	for _, l := range p.header() {
		b.WriteString("# " + l + "\n")
	}
	writeYAMLVars(b, "variables:\n", "  ", p.vars)
	b.WriteString("runbook:\n  # image: pick one with what the commands need\n  script:\n")
	dir := ""
	for _, st := range p.steps {
		if st.skip != "" {
			fmt.Fprintf(b, "    # step %d %s:\n%s\n", st.N, st.skip, commentOut(st.Command, "    # "))
			continue
		}
		if st.dir != dir {
			dir = st.dir
			cd := strings.ReplaceAll(shellDir(dir), `"$ROOT"`, `"$CI_PROJECT_DIR"`)
			b.WriteString("    - " + yamlString("cd "+cd) + "\n")
		}
		b.WriteString("    - |\n" + indent(st.text(same, shellRef), "      ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeYAMLVars(b *strings.Builder, head, ind string, vars []variable) {
	if len(vars) == 0 {
		return
	}
	b.WriteString(head)
	for _, v := range vars {
		fmt.Fprintf(b, "%s%s: %s\n", ind, v.Name, yamlString(v.Value))
	}
}

// yamlString quotes s as a YAML double-quoted scalar, which JSON escaping
// satisfies.
func yamlString(s string) string { return strconv.Quote(s) }

// indent prefixes every line of s for a YAML block scalar.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
