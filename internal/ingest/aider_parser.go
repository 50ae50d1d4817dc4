package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// aiderStateVersion is bumped when aiderState changes incompatibly.
const aiderStateVersion = 1

// Line classes, which are also the records' types.
const (
	aiderHeader    = "header"
	aiderUser      = "user"
	aiderAssistant = "assistant"
	aiderTool      = "tool_output"
)

// aiderState is everything the parser knows; State returns it as JSON.
type aiderState struct {
	Version   int         `json:"v"`
	NativeID  string      `json:"native_id"`
	Project   string      `json:"project,omitempty"`
	Title     string      `json:"title,omitempty"`
	Model     string      `json:"model,omitempty"`
	Client    string      `json:"client_version,omitempty"`
	StartedAt time.Time   `json:"started_at"`
	Tokens    reel.Tokens `json:"tokens"`
	// ContentEnd is the offset just past the run's last non-blank line,
	// where the last message is given back.
	ContentEnd int64 `json:"content_end"`
	// PrevEnd is the offset just past the last record parsed, or -1: a
	// record that starts later followed blank lines.
	PrevEnd int64 `json:"prev_end"`
	// Marked is true once a user line ended with aider's hard line break,
	// which tells user input from headings in replies for the rest of the
	// run.
	Marked bool `json:"marked,omitempty"`
	// Last is the class of the last non-blank line.
	Last  string     `json:"last,omitempty"`
	Block aiderBlock `json:"block"`
	// Pending holds finished messages not yet returned: a reply waits for
	// the "Tokens:" line aider writes after it.
	Pending []reel.Event `json:"pending,omitempty"`
}

// aiderBlock is the message being gathered: consecutive lines of a class.
type aiderBlock struct {
	Class  string      `json:"class,omitempty"`
	Lines  []string    `json:"lines,omitempty"`
	Tokens reel.Tokens `json:"tokens"`
}

// aiderParser turns one run's lines into events.
type aiderParser struct {
	st aiderState
}

func newAiderParser(nativeID, project string, r aiderRun, loc *time.Location) *aiderParser {
	return &aiderParser{st: aiderState{
		Version:    aiderStateVersion,
		NativeID:   nativeID,
		Project:    project,
		StartedAt:  r.started,
		ContentEnd: r.contentEnd,
		PrevEnd:    -1,
	}}
}

func (p *aiderParser) restore(state []byte) error {
	if err := json.Unmarshal(state, &p.st); err != nil {
		return reel.Errorf(reel.ECORRUPT, "restore aider parser state: %v", err)
	}
	if p.st.Version != aiderStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore aider parser state: version %d, want %d", p.st.Version, aiderStateVersion)
	}
	return nil
}

// State returns the parser's state as JSON.
func (p *aiderParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode aider parser state: %w", err)
	}
	return b, nil
}

// Session returns the run as known so far. aider records one time per run,
// its start, so it is also the end.
func (p *aiderParser) Session() reel.Session {
	title := p.st.Title
	if title == "" {
		title = "aider chat"
		if !p.st.StartedAt.IsZero() {
			title += " " + p.st.StartedAt.Format(aiderTimeLayout)
		}
	}
	return reel.Session{
		Source:    reel.SourceAider,
		NativeID:  p.st.NativeID,
		Title:     title,
		Project:   p.st.Project,
		Model:     p.st.Model,
		Version:   p.st.Client,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.StartedAt,
		Tokens:    p.st.Tokens,
	}
}

// Parse reads one line of the run. Messages span lines, so a line returns
// the messages it finished, if any; the run's last line returns the rest.
func (p *aiderParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	line := strings.TrimRight(string(rec.Data), "\r\n")
	if strings.TrimSpace(line) == "" {
		rec.Type = "blank"
		return p.atEnd(rec, nil), nil
	}
	gap := p.st.PrevEnd >= 0 && rec.Offset > p.st.PrevEnd
	p.st.PrevEnd = rec.Offset + int64(len(rec.Data))
	if bytes.IndexByte(rec.Data, 0) >= 0 {
		// Not text aider wrote. The run's last messages are still given
		// back when it is the last line: they stand without it.
		if out := p.atEnd(rec, nil); len(out) > 0 {
			rec.Type, rec.Status, rec.Reason = "binary", reel.RecordUnknown, "binary data in a text log"
			return out, nil
		}
		return nil, fmt.Errorf("parse aider line %d: binary data", rec.Line())
	}
	class := p.classify(line)
	rec.Type = class
	var out []reel.Event
	switch class {
	case aiderHeader:
		out = p.flush()
	case aiderUser:
		if p.st.Block.Class != aiderUser || gap {
			out = p.flush()
			p.st.Block.Class = aiderUser
		}
		p.st.Block.Lines = append(p.st.Block.Lines, aiderUserText(line))
	case aiderAssistant:
		if p.st.Block.Class != aiderAssistant {
			out = p.flush()
			p.st.Block.Class = aiderAssistant
		} else if gap {
			p.st.Block.Lines = append(p.st.Block.Lines, "")
		}
		p.st.Block.Lines = append(p.st.Block.Lines, strings.TrimRight(line, " \t"))
	case aiderTool:
		p.toolLine(rec, aiderToolText(line))
	}
	p.st.Last = class
	return p.atEnd(rec, out), nil
}

// atEnd appends every message still held when rec is the run's last
// non-blank line.
func (p *aiderParser) atEnd(rec *reel.RawRecord, out []reel.Event) []reel.Event {
	if rec.Offset+int64(len(rec.Data)) >= p.st.ContentEnd {
		out = append(out, p.flush()...)
	}
	return out
}

// classify names a line's class by the rules aider writes by (io.py):
// user input is "#### " lines, each ending in a Markdown hard break (two
// spaces), tool and system output is "> " lines, anything else is the
// reply. A reply may hold its own "#### " headings, which have no hard
// break: once the run shows hard breaks, a "####" line without one is a
// heading. Files whose trailing spaces were lost (an editor strips them)
// fall back to context: a "####" line is input unless it follows reply
// text.
func (p *aiderParser) classify(line string) string {
	if _, ok := aiderHeaderTime([]byte(line)); ok {
		return aiderHeader
	}
	if strings.HasPrefix(line, "####") && (len(line) == 4 || line[4] == ' ') {
		if strings.HasSuffix(line, "  ") {
			p.st.Marked = true
			return aiderUser
		}
		if !p.st.Marked && p.st.Last != aiderAssistant {
			return aiderUser
		}
		return aiderAssistant
	}
	if strings.HasPrefix(line, ">") && (len(line) == 1 || line[1] == ' ') {
		return aiderTool
	}
	return aiderAssistant
}

// aiderUserText is the input on a "#### " line; aider writes "<blank>"
// for an empty input.
func aiderUserText(line string) string {
	s := strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(line, "####"), " "), " \t")
	if s == "<blank>" {
		return ""
	}
	return s
}

// aiderToolText is the output on a "> " line.
func aiderToolText(line string) string {
	return strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(line, ">"), " "), " \t")
}

// toolLine adds one line of aider's own output. An applied edit becomes a
// tool result of its own; a token report counts the reply before it.
func (p *aiderParser) toolLine(rec *reel.RawRecord, text string) {
	if p.st.Block.Class != aiderTool {
		p.finish()
		p.st.Block.Class = aiderTool
	}
	if v, ok := strings.CutPrefix(text, "Aider v"); ok && p.st.Client == "" {
		p.st.Client = aiderFirstField(v)
	}
	for _, prefix := range []string{"Main model: ", "Model: "} {
		if v, ok := strings.CutPrefix(text, prefix); ok && p.st.Model == "" {
			p.st.Model = aiderFirstField(v)
		}
	}
	if path, ok := strings.CutPrefix(text, "Applied edit to "); ok {
		p.finish()
		p.st.Block.Class = aiderTool
		input, _ := json.Marshal(map[string]string{"path": aiderValidText(path)})
		p.st.Pending = append(p.st.Pending, reel.Event{
			Time: p.st.StartedAt, Kind: reel.KindToolResult, Role: reel.RoleTool,
			Tool: "edit", Text: aiderValidText(text), Input: input,
		})
		return
	}
	if tok, ok := aiderTokens(text); ok {
		p.st.Tokens = p.st.Tokens.Add(tok)
		if !p.creditReply(tok) {
			p.st.Block.Tokens = p.st.Block.Tokens.Add(tok)
		}
	}
	p.st.Block.Lines = append(p.st.Block.Lines, text)
}

// creditReply puts tok on the held reply that has no count yet.
func (p *aiderParser) creditReply(tok reel.Tokens) bool {
	for i := len(p.st.Pending) - 1; i >= 0; i-- {
		e := &p.st.Pending[i]
		if e.Kind == reel.KindMessage && e.Role == reel.RoleAssistant {
			if !e.Tokens.IsZero() {
				return false
			}
			e.Tokens = tok
			return true
		}
	}
	return false
}

// finish turns the block being gathered into a held event.
func (p *aiderParser) finish() {
	b := p.st.Block
	p.st.Block = aiderBlock{}
	var e reel.Event
	switch b.Class {
	case aiderUser:
		text := aiderValidText(strings.Join(b.Lines, "\n"))
		if p.st.Title == "" {
			p.st.Title = aiderTitle(text)
		}
		e = reel.Event{Kind: reel.KindMessage, Role: reel.RoleUser, Text: text}
	case aiderAssistant:
		text := strings.Trim(strings.Join(b.Lines, "\n"), "\n")
		if text == "" {
			return
		}
		e = reel.Event{Kind: reel.KindMessage, Role: reel.RoleAssistant, Text: aiderValidText(text), Model: p.st.Model}
	case aiderTool:
		text := strings.Trim(strings.Join(b.Lines, "\n"), "\n")
		if text == "" && b.Tokens.IsZero() {
			return
		}
		e = reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: aiderValidText(text), Tokens: b.Tokens}
	default:
		return
	}
	e.Time = p.st.StartedAt
	p.st.Pending = append(p.st.Pending, e)
}

// flush finishes the block and returns every held event.
func (p *aiderParser) flush() []reel.Event {
	p.finish()
	out := p.st.Pending
	p.st.Pending = nil
	return out
}
