package mcp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
)

// SearchInput is the input of search.
type SearchInput struct {
	Query   string `json:"query" jsonschema:"what to find: words (all must match), \"quoted phrases\", prefix* terms, AND, OR, NOT, -word to exclude, parentheses"`
	Source  string `json:"source,omitempty" jsonschema:"only these sources, comma-separated: claude-code, codex, gemini, opencode, cursor, aider, pi, copilot, amp, droid, shell-history, shell"`
	Project string `json:"project,omitempty" jsonschema:"only sessions whose project path contains this text (case-insensitive)"`
	Session string `json:"session,omitempty" jsonschema:"only this session (id or unique prefix)"`
	Since   string `json:"since,omitempty" jsonschema:"only events since: a duration back from now (90m, 36h, 7d, 2w), a date (2026-01-02) or RFC 3339"`
	Until   string `json:"until,omitempty" jsonschema:"only events before: same forms as since"`
	Kind    string `json:"kind,omitempty" jsonschema:"only these event kinds, comma-separated: message, reasoning, tool_call, tool_result, command, output, system, summary, checkpoint, other"`
	Limit   int    `json:"limit,omitempty" jsonschema:"at most this many hits, 1 to 100; default 20"`
}

// SearchOutput is the output of search.
type SearchOutput struct {
	// Query is the query as reel understood it.
	Query string     `json:"query" jsonschema:"the query as reel parsed it"`
	Hits  []reel.Hit `json:"hits" jsonschema:"matching events, best first; pass session_id to get_session with offset seq to read around a hit"`
	Note  string     `json:"note,omitempty"`
}

// SessionsInput is the input of list_sessions.
type SessionsInput struct {
	Source  string `json:"source,omitempty" jsonschema:"only these sources, comma-separated (claude-code, codex, …)"`
	Project string `json:"project,omitempty" jsonschema:"only sessions whose project path contains this text (case-insensitive)"`
	Since   string `json:"since,omitempty" jsonschema:"only sessions active since: a duration back from now (90m, 36h, 7d, 2w), a date (2026-01-02) or RFC 3339"`
	Limit   int    `json:"limit,omitempty" jsonschema:"at most this many sessions, 1 to 200; default 20"`
}

// SessionsOutput is the output of list_sessions.
type SessionsOutput struct {
	Sessions []reel.Session `json:"sessions" jsonschema:"sessions, most recently active first"`
}

// SessionInput is the input of get_session.
type SessionInput struct {
	Session string `json:"session" jsonschema:"the session's id or a unique prefix of it"`
	Offset  int    `json:"offset,omitempty" jsonschema:"the first event to return (its seq); 0 to start at the beginning, next_offset to go on"`
	Limit   int    `json:"limit,omitempty" jsonschema:"at most this many events, 1 to 200; default 50 (a page also ends early at 64 KiB of text)"`
}

// SessionOutput is the output of get_session.
type SessionOutput struct {
	Session reel.Session `json:"session"`
	Page
}

// RecentInput is the input of recent_activity.
type RecentInput struct {
	Since  string `json:"since,omitempty" jsonschema:"sessions active since: a duration back from now (90m, 36h, 7d, 2w), a date or RFC 3339; default 24h"`
	Limit  int    `json:"limit,omitempty" jsonschema:"at most this many sessions, 1 to 50; default 10"`
	Events int    `json:"events,omitempty" jsonschema:"the last this many events of each session, 1 to 20; default 5"`
}

// RecentSession is one session of recent_activity with its last events.
type RecentSession struct {
	Session    reel.Session `json:"session"`
	LastEvents []Event      `json:"last_events" jsonschema:"the session's last events in seq order, each text cut to 500 bytes"`
}

// RecentOutput is the output of recent_activity.
type RecentOutput struct {
	Since    time.Time       `json:"since" jsonschema:"the start of the window"`
	Sessions []RecentSession `json:"sessions" jsonschema:"sessions, most recently active first"`
}

func (t *tools) addStoreTools(s *mcpsdk.Server) {
	addTool(s, &mcpsdk.Tool{Name: "search", Annotations: readOnly("Search sessions"),
		Description: `Full-text search over the events of every stored session (agent conversations, tool calls and results, shell commands), best match first.
Use it to find how something was done or fixed before, an error message seen earlier, or where a file or topic came up. Each hit names its session_id and seq: read around it with get_session {session: session_id, offset: seq}.`},
		t.search)
	addTool(s, &mcpsdk.Tool{Name: "list_sessions", Annotations: readOnly("List sessions"),
		Description: `Lists stored sessions, most recently active first, with their source, project folder, title, times, event count and tokens. Narrow by source, project or since.`},
		t.listSessions)
	addTool(s, &mcpsdk.Tool{Name: "get_session", Annotations: readOnly("Read a session"),
		Description: `Returns one session and one page of its events in order. Pages are bounded (at most 200 events and 64 KiB of text, each event's text cut to 4000 bytes, with text_cut_bytes saying how much was cut); call again with offset set to next_offset until next_offset is absent.`},
		t.getSession)
	addTool(s, &mcpsdk.Tool{Name: "recent_activity", Annotations: readOnly("Recent activity"),
		Description: `Returns the sessions active most recently (within since, default the last 24 hours), each with its last few events: a quick picture of what the user and their agents have been doing.`},
		t.recentActivity)
}

func (t *tools) search(ctx context.Context, in SearchInput) (SearchOutput, error) {
	limit, err := checkLimit(in.Limit, 20, 100)
	if err != nil {
		return SearchOutput{}, err
	}
	kinds, err := checkKinds(in.Kind)
	if err != nil {
		return SearchOutput{}, err
	}
	q := reel.SearchQuery{Query: reel.ParseQuery(in.Query),
		Filter: reel.Filter{Sources: splitComma(in.Source), Project: in.Project, Kinds: kinds, Limit: limit}}
	if q.Filter.Since, q.Filter.Until, err = humanize.ParseRange(in.Since, in.Until, time.Now()); err != nil {
		return SearchOutput{}, err
	}
	out := SearchOutput{Query: q.Query.String(), Hits: []reel.Hit{}}
	if q.Query.Empty() {
		out.Note = fmt.Sprintf("nothing to search for in %q: a query needs a word with a letter or digit that is not excluded", in.Query)
		return out, nil
	}
	if in.Session != "" {
		sess, err := t.deps.Store.Session(ctx, in.Session)
		if err != nil {
			return SearchOutput{}, err
		}
		q.Filter.SessionID = sess.ID
	}
	hits, err := t.deps.Store.Search(ctx, q)
	if err != nil {
		return SearchOutput{}, err
	}
	if hits != nil {
		out.Hits = hits
	}
	if len(hits) == 0 {
		out.Note = "no matches; try fewer words, a prefix (migrat*), OR, or wider filters"
	}
	return out, nil
}

func (t *tools) listSessions(ctx context.Context, in SessionsInput) (SessionsOutput, error) {
	limit, err := checkLimit(in.Limit, 20, 200)
	if err != nil {
		return SessionsOutput{}, err
	}
	f := reel.Filter{Sources: splitComma(in.Source), Project: in.Project, Limit: limit}
	if f.Since, err = humanize.ParseTime(in.Since, time.Now()); err != nil {
		return SessionsOutput{}, err
	}
	list, err := t.deps.Store.Sessions(ctx, f)
	if err != nil {
		return SessionsOutput{}, err
	}
	if list == nil {
		list = []reel.Session{}
	}
	return SessionsOutput{Sessions: list}, nil
}

func (t *tools) getSession(ctx context.Context, in SessionInput) (SessionOutput, error) {
	limit, err := checkLimit(in.Limit, defaultPage, maxPage)
	if err != nil {
		return SessionOutput{}, err
	}
	if in.Offset < 0 {
		return SessionOutput{}, reel.Errorf(reel.EINVALID, "offset %d is negative", in.Offset).
			WithHint("use 0 for the first page, then next_offset")
	}
	sess, err := t.deps.Store.Session(ctx, in.Session)
	if err != nil {
		return SessionOutput{}, err
	}
	evs, err := t.eventRange(ctx, sess.ID, in.Offset, in.Offset+limit+1)
	if err != nil {
		return SessionOutput{}, err
	}
	return SessionOutput{Session: sess, Page: pageOf(evs, in.Offset, limit)}, nil
}

// eventRange returns the events of a session with from <= seq < to (to
// may pass the end), reading that range alone.
func (t *tools) eventRange(ctx context.Context, sessionID string, from, to int) ([]reel.Event, error) {
	if to <= from {
		return []reel.Event{}, nil // a SeqTo of 0 would be no bound
	}
	return t.deps.Store.Events(ctx, sessionID, reel.Filter{SeqFrom: int64(from), SeqTo: int64(to)})
}

func (t *tools) recentActivity(ctx context.Context, in RecentInput) (RecentOutput, error) {
	limit, err := checkLimit(in.Limit, 10, 50)
	if err != nil {
		return RecentOutput{}, err
	}
	n, err := checkLimit(in.Events, 5, 20)
	if err != nil {
		return RecentOutput{}, err
	}
	if in.Since == "" {
		in.Since = "24h"
	}
	f := reel.Filter{Limit: limit}
	if f.Since, err = humanize.ParseTime(in.Since, time.Now()); err != nil {
		return RecentOutput{}, err
	}
	list, err := t.deps.Store.Sessions(ctx, f)
	if err != nil {
		return RecentOutput{}, err
	}
	out := RecentOutput{Since: f.Since, Sessions: []RecentSession{}}
	for _, sess := range list {
		evs, err := t.eventRange(ctx, sess.ID, max(0, int(sess.EventCount)-n), int(sess.EventCount))
		if err != nil {
			return RecentOutput{}, err
		}
		rs := RecentSession{Session: sess, LastEvents: make([]Event, 0, len(evs))}
		for _, e := range evs {
			rs.LastEvents = append(rs.LastEvents, eventOf(e, recentText))
		}
		out.Sessions = append(out.Sessions, rs)
	}
	return out, nil
}

// checkLimit returns v, or def when v is 0; EINVALID outside 1..max.
func checkLimit(v, def, max int) (int, error) {
	if v == 0 {
		return def, nil
	}
	if v < 0 || v > max {
		return 0, reel.Errorf(reel.EINVALID, "limit %d is out of range", v).
			WithHint(fmt.Sprintf("use 1 to %d, or leave it out for %d", max, def))
	}
	return v, nil
}

// kinds are the event kinds a filter may name.
var kinds = []string{reel.KindMessage, reel.KindReasoning, reel.KindToolCall, reel.KindToolResult,
	reel.KindCommand, reel.KindOutput, reel.KindSystem, reel.KindSummary, reel.KindCheckpoint, reel.KindOther}

// checkKinds splits a comma-separated list of kinds; EINVALID, listing the
// kinds, for one reel does not have.
func checkKinds(s string) ([]string, error) {
	list := splitComma(s)
	for _, k := range list {
		if !slices.Contains(kinds, k) {
			return nil, reel.Errorf(reel.EINVALID, "unknown event kind %q", k).
				WithHint("kinds: " + strings.Join(kinds, ", "))
		}
	}
	return list, nil
}

// splitComma splits a comma-separated list, dropping empty entries.
func splitComma(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
