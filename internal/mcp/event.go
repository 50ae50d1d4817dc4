package mcp

import (
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// Page bounds: a page of events never holds more than maxPage events,
// more than a per-event cut of text each, or more than pageBudget bytes of
// text in all, so one response stays well within what a client's context
// can take.
const (
	defaultPage = 50
	maxPage     = 200
	eventText   = 4000      // bytes of text kept per event in a page
	pageBudget  = 64 * 1024 // bytes of text in one page
	recentText  = 500       // bytes of text kept per event in recent_activity
)

// Event is one event of a session as a tool returns it: its text cut to a
// bound, with the number of bytes cut.
type Event struct {
	Seq  int64     `json:"seq" jsonschema:"the event's position in its session, dense from 0"`
	Time time.Time `json:"time"`
	Kind string    `json:"kind" jsonschema:"message, reasoning, tool_call, tool_result, command, output, system, summary, checkpoint or other"`
	Role string    `json:"role,omitempty" jsonschema:"user, assistant, system or tool"`
	Tool string    `json:"tool,omitempty" jsonschema:"the tool's name, for tool calls and results"`
	// CallID links a tool_result to its tool_call.
	CallID   string `json:"call_id,omitempty" jsonschema:"links a tool_result to its tool_call"`
	Text     string `json:"text" jsonschema:"the message, tool input or output, or command line; cut to a bound"`
	TextCut  int    `json:"text_cut_bytes,omitempty" jsonschema:"how many bytes of text were cut off the end (0 when whole)"`
	ExitCode *int   `json:"exit_code,omitempty"`
	IsError  bool   `json:"is_error,omitempty"`
}

// eventOf returns e's view with its text cut to at most max bytes, on a
// UTF-8 boundary.
func eventOf(e reel.Event, max int) Event {
	text, cut := cutText(e.Text, max)
	return Event{Seq: e.Seq, Time: e.Time, Kind: e.Kind, Role: e.Role, Tool: e.Tool, CallID: e.CallID,
		Text: text, TextCut: cut, ExitCode: e.ExitCode, IsError: e.IsError}
}

// cutText returns s cut to at most max bytes, ending on a rune boundary,
// and how many bytes it cut.
func cutText(s string, max int) (string, int) {
	if len(s) <= max {
		return s, 0
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], len(s) - n
}

// Page is one page of a list of events, as get_session and
// events_between_checkpoints return it (its fields inline in theirs).
type Page struct {
	Offset int     `json:"offset" jsonschema:"the offset of the first event returned"`
	Events []Event `json:"events" jsonschema:"one page of events in seq order; each text is cut to 4000 bytes (text_cut_bytes says how much was cut)"`
	// NextOffset is absent on the last page.
	NextOffset *int `json:"next_offset,omitempty" jsonschema:"pass as offset for the next page; absent after the last page"`
	CutEvents  int  `json:"cut_events,omitempty" jsonschema:"how many events of this page had their text cut"`
}

// pageOf returns the page at offset of a list of events, given evs, the
// list's events from offset on (at least limit of them, and one more when
// the list goes on): at most limit events, fewer when their text reaches
// pageBudget (always at least one).
func pageOf(evs []reel.Event, offset, limit int) Page {
	p := Page{Offset: offset, Events: []Event{}}
	budget := pageBudget
	n := 0
	for ; n < len(evs) && n < limit; n++ {
		ev := eventOf(evs[n], eventText)
		if n > 0 && len(ev.Text) > budget {
			break
		}
		budget -= len(ev.Text)
		if ev.TextCut > 0 {
			p.CutEvents++
		}
		p.Events = append(p.Events, ev)
	}
	if n < len(evs) {
		next := offset + n
		p.NextOffset = &next
	}
	return p
}
