package tui

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/reel-sh/reel"
)

// styles are the model's looks; without colour only bold, faint,
// underline and reverse video are used.
type styles struct {
	id, dim, kind, match, selected, hitHead, status, err, label lipgloss.Style
}

func newStyles(color bool) styles {
	p := lipgloss.NewStyle()
	s := styles{
		id: p, dim: p.Faint(true), kind: p, match: p.Bold(true).Underline(true),
		selected: p.Reverse(true), hitHead: p.Bold(true).Reverse(true), status: p.Faint(true),
		err: p.Bold(true), label: p.Bold(true),
	}
	if color {
		s.id = p.Foreground(lipgloss.Color("6"))
		s.kind = p.Foreground(lipgloss.Color("4"))
		s.match = p.Bold(true).Foreground(lipgloss.Color("3"))
		s.err = p.Bold(true).Foreground(lipgloss.Color("1"))
		s.label = p.Bold(true).Foreground(lipgloss.Color("5"))
	}
	return s
}

// layout is where the panes go at the current size.
type layout struct {
	listRows, listWidth       int
	previewRows, previewWidth int
	side                      bool // preview beside the list, else below (or none when previewRows is 0)
}

// header and footer lines around the panes.
const chromeRows = 3

func (m *Model) layout() layout {
	body := max(1, m.height-chromeRows)
	switch {
	case m.width >= SideBySideWidth:
		lw := m.width * 45 / 100
		return layout{listRows: body, listWidth: lw, previewRows: body, previewWidth: m.width - lw - 3, side: true}
	case body >= 18:
		lr := body / 2
		return layout{listRows: lr, listWidth: m.width, previewRows: body - lr - 1, previewWidth: m.width}
	default:
		return layout{listRows: body, listWidth: m.width}
	}
}

// View draws the model.
func (m *Model) View() tea.View {
	if m.quitting {
		return tea.NewView("")
	}
	var b strings.Builder
	b.WriteString(m.input.View())
	b.WriteByte('\n')
	b.WriteString(fit(m.statusLine(), m.width))
	b.WriteByte('\n')
	l := m.layout()
	list := m.listLines(l.listRows, l.listWidth)
	var preview []string
	if l.previewRows > 0 {
		preview = m.previewLines(l.previewRows, l.previewWidth)
	}
	switch {
	case l.side:
		sep := m.styles.dim.Render(" │ ")
		for i := range l.listRows {
			b.WriteString(pad(list[i], l.listWidth))
			b.WriteString(sep)
			b.WriteString(preview[i])
			b.WriteByte('\n')
		}
	default:
		for _, line := range list {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		if l.previewRows > 0 {
			b.WriteString(m.styles.dim.Render(strings.Repeat("─", m.width)))
			b.WriteByte('\n')
			for _, line := range preview {
				b.WriteString(line)
				b.WriteByte('\n')
			}
		}
	}
	b.WriteString(fit(m.styles.dim.Render(m.helpLine()), m.width))
	v := tea.NewView(b.String())
	v.Cursor = m.input.Cursor()
	if m.editingProject {
		v.Cursor = nil
	}
	v.AltScreen = true
	v.WindowTitle = "reel search"
	return v
}

func (m *Model) statusLine() string {
	st := m.styles
	src := "any"
	if m.sourceIdx > 0 {
		src = m.sources[m.sourceIdx-1]
	}
	proj := m.project
	if proj == "" && !m.editingProject {
		proj = "any"
	}
	if m.editingProject {
		proj += "▏"
	}
	tr := "any"
	if d := TimeRanges[m.timeIdx]; d > 0 {
		tr = "last " + shortDuration(d)
	}
	kind := "any"
	if m.kindIdx > 0 {
		kind = Kinds[m.kindIdx-1]
	}
	parts := []string{
		st.label.Render("source:") + " " + src,
		st.label.Render("project:") + " " + proj,
		st.label.Render("time:") + " " + tr,
		st.label.Render("kind:") + " " + kind,
	}
	line := strings.Join(parts, "  ")
	switch {
	case m.err != nil:
		line += "  " + st.err.Render("error: "+m.err.Error())
	case m.status != "":
		line += "  " + st.err.Render(m.status)
	case m.pending:
		line += "  " + st.status.Render("searching…")
	case m.query != "":
		line += "  " + st.status.Render(fmt.Sprintf("%d hits · %s", len(m.hits), millis(m.searchMs)))
	}
	return line
}

func (m *Model) helpLine() string {
	if m.editingProject {
		return "type a project substring · enter/esc done · ctrl+u clear"
	}
	return "↑/↓ move · enter pager · ctrl+r resume command · ctrl+s source · ctrl+o project · ctrl+t time · ctrl+k kind · esc quit"
}

// listLines draws the hits, two lines each, scrolled to keep the
// selection visible.
func (m *Model) listLines(rows, width int) []string {
	out := make([]string, 0, rows)
	if len(m.hits) == 0 {
		msg := ""
		switch {
		case m.input.Value() == "":
			msg = "Type to search every session."
		case m.pending:
		case m.query != "":
			msg = "No matches."
		}
		out = append(out, fit(m.styles.dim.Render(msg), width))
	}
	per := 2
	visible := max(1, rows/per)
	if m.selected < m.offset {
		m.offset = m.selected
	}
	if m.selected >= m.offset+visible {
		m.offset = m.selected - visible + 1
	}
	for i := m.offset; i < len(m.hits) && len(out)+per <= rows; i++ {
		h := m.hits[i]
		what := describe(h.Kind, h.Role, h.Tool)
		head := fmt.Sprintf("%s %s %s %s %s %s",
			m.styles.id.Render(reel.ShortID(h.SessionID)), m.styles.dim.Render(fmt.Sprintf("#%d", h.Seq)),
			h.Time.Local().Format("01-02 15:04"), h.Source, m.styles.kind.Render(what),
			m.styles.dim.Render(projectName(h.Project)+" · "+oneLine(h.Title)))
		snip := "  " + m.highlight(oneLine(h.Snippet), h.Highlights)
		if i == m.selected {
			head = m.styles.selected.Render(pad(ansi.Strip(truncate(head, width)), width))
		}
		out = append(out, fit(head, width), fit(snip, width))
	}
	for len(out) < rows {
		out = append(out, "")
	}
	return out[:rows]
}

// previewLines draws the events around the selected hit, the hit marked
// and kept in view.
func (m *Model) previewLines(rows, width int) []string {
	var lines []string
	hitLine := 0
	if len(m.hits) > 0 {
		h := m.hits[m.selected]
		if sess, ok := m.sessions[h.SessionID]; ok {
			lines = append(lines, fit(m.styles.label.Render(oneLine(sess.Title)), width),
				fit(m.styles.dim.Render(fmt.Sprintf("%s · %s · %d events", sess.Source, orDash(sess.Project), sess.EventCount)), width))
		}
		if m.previewErr != nil {
			lines = append(lines, fit(m.styles.err.Render("preview: "+m.previewErr.Error()), width))
		}
		for _, e := range m.preview {
			what := describe(e.Kind, e.Role, e.Tool)
			head := fmt.Sprintf("#%d %s %s", e.Seq, e.Time.Local().Format("15:04:05"), what)
			isHit := e.Seq == h.Seq
			if isHit {
				hitLine = len(lines)
				lines = append(lines, m.styles.hitHead.Render(pad("▶ "+truncate(head, width-2), width)))
			} else {
				lines = append(lines, fit(m.styles.dim.Render("  "+head), width))
			}
			text := e.Text
			maxLines := 3
			if isHit {
				maxLines = 8
			}
			for i, l := range wrapLines(text, width-4) {
				if i == maxLines {
					lines = append(lines, fit(m.styles.dim.Render("    …"), width))
					break
				}
				if isHit {
					l = m.highlightWords(l)
				}
				lines = append(lines, fit("    "+l, width))
			}
		}
	}
	// Keep the hit in view: start a little above it when the pane is
	// too short for all.
	start := 0
	if len(lines) > rows && hitLine > rows/3 {
		start = min(hitLine-rows/3, len(lines)-rows)
	}
	lines = lines[start:]
	for len(lines) < rows {
		lines = append(lines, "")
	}
	return lines[:rows]
}

// highlight paints byte ranges of plain text.
func (m *Model) highlight(text string, ranges [][2]int) string {
	var b strings.Builder
	last := 0
	for _, r := range ranges {
		if r[0] < last || r[1] > len(text) || r[0] >= r[1] {
			continue
		}
		b.WriteString(text[last:r[0]])
		b.WriteString(m.styles.match.Render(text[r[0]:r[1]]))
		last = r[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// highlightWords paints the query's words where they occur in a line of
// the preview.
func (m *Model) highlightWords(line string) string {
	lower := strings.ToLower(line)
	var ranges [][2]int
	for _, w := range strings.Fields(strings.ToLower(m.query)) {
		w = strings.Trim(w, `"*()-`)
		if len(w) < 2 || w == "and" || w == "or" || w == "not" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(lower[i:], w)
			if j < 0 {
				break
			}
			ranges = append(ranges, [2]int{i + j, i + j + len(w)})
			i += j + len(w)
		}
	}
	sortRanges(ranges)
	return m.highlight(line, ranges)
}

func sortRanges(r [][2]int) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j][0] < r[j-1][0]; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

// wrapLines wraps text to width, keeping its own line breaks.
func wrapLines(text string, width int) []string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\t", "    "))
	if text == "" {
		return nil
	}
	return strings.Split(ansi.Wrap(text, max(10, width), ""), "\n")
}

// fit cuts a styled line to width.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// pad cuts or fills a styled line to exactly width.
func pad(s string, width int) string {
	s = fit(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

func truncate(s string, n int) string { return ansi.Truncate(s, max(n, 1), "…") }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func projectName(p string) string {
	if p == "" {
		return "-"
	}
	return filepath.Base(p)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shortDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return fmt.Sprintf("%dh", d/time.Hour)
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

// describe names an event by its kind and its tool, else its role.
func describe(kind, role, tool string) string {
	switch {
	case tool != "":
		return kind + " " + tool
	case role != "":
		return kind + " " + role
	}
	return kind
}
