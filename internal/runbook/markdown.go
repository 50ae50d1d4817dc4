package runbook

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// writeMarkdown writes a runbook for people: each step with its folder,
// time and outcome, in a bash code block.
func writeMarkdown(w io.Writer, p *plan) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# %s\n\n", orUntitled(p.rb.Title))
	for _, l := range p.header()[1:] {
		b.WriteString(l + " ")
	}
	fmt.Fprintf(b, "Session `%s`, %d steps.\n", p.rb.SessionID, len(p.steps))
	if len(p.vars) > 0 {
		b.WriteString("\n## Variables\n\nSet these first; the steps refer to them.\n\n```bash\n")
		for _, v := range p.vars {
			fmt.Fprintf(b, "export %s=%s\n", v.Name, shellQuote(v.Value))
		}
		b.WriteString("```\n")
	}
	b.WriteString("\n## Steps\n")
	for _, st := range p.steps {
		fmt.Fprintf(b, "\n### %d. `%s`\n\n", st.N, strings.ReplaceAll(firstLine(st.Command, 60), "`", "'"))
		var notes []string
		if st.dir != "." {
			notes = append(notes, "in `"+st.dir+"`")
		}
		if st.Duration > 0 {
			notes = append(notes, "took "+st.Duration.Round(time.Millisecond).String())
		}
		if st.skip != "" {
			notes = append(notes, "**"+st.skip+"**")
		}
		if len(notes) > 0 {
			b.WriteString(strings.ToUpper(notes[0][:1]) + strings.Join(notes, ", ")[1:] + ".\n\n")
		}
		text := st.Command
		if st.skip == "" {
			text = st.text(same, shellRef)
		}
		fence := "```"
		for strings.Contains(text, fence) {
			fence += "`"
		}
		fmt.Fprintf(b, "%sbash\n%s\n%s\n", fence, text, fence)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
