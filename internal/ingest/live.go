package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/proc"
)

var (
	_ reel.Importer         = (*Live)(nil)
	_ reel.CheckpointParser = (*liveParser)(nil)
)

// Live imports the journals of reel's live sessions of one source (see
// internal/live for the line format): <root>/<session id>.ndjson, where
// root is that source's folder under the live folder.
type Live struct{ source string }

// NewLive returns the importer of the live sessions of source, such as
// reel.SourceHooks.
func NewLive(source string) *Live { return &Live{source: source} }

// Source returns the source the importer reads.
func (l *Live) Source() string { return l.source }

// Discover calls fn for every non-empty journal directly under root, in
// path order. A journal never moves, so its path is its identity; an
// empty one is a session whose first line was never written.
func (l *Live) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	return discoverJournals(ctx, root, live.Ext, "live sessions", func(path string, e fs.DirEntry) error {
		if fi, err := e.Info(); err != nil || fi.Size() == 0 {
			return nil
		}
		return fn(reel.SourceFile{Path: path, Source: l.source, Layout: reel.LayoutLines})
	})
}

// liveStateVersion is bumped when liveState changes incompatibly.
const liveStateVersion = 1

// liveState is what a parser needs to resume after the lines so far.
type liveState struct {
	Version       int        `json:"v"`
	SessionID     string     `json:"session_id,omitempty"`
	NativeID      string     `json:"native_id"`
	ParentID      string     `json:"parent_id,omitempty"`
	Title         string     `json:"title,omitempty"`
	Project       string     `json:"project,omitempty"`
	GitBranch     string     `json:"git_branch,omitempty"`
	Model         string     `json:"model,omitempty"`
	ClientVersion string     `json:"client_version,omitempty"`
	Host          string     `json:"host,omitempty"`
	StartedAt     time.Time  `json:"started_at"`
	EndedAt       time.Time  `json:"ended_at"`
	Owner         proc.Owner `json:"owner"`
	// Ended is set by an end line and cleared by a resume; Status is the
	// end line's.
	Ended  bool        `json:"ended,omitempty"`
	Status string      `json:"status,omitempty"`
	Next   int64       `json:"next"`
	Tokens reel.Tokens `json:"tokens"`
}

// liveParser maps one live journal's lines into events and checkpoints.
type liveParser struct {
	st  liveState
	cps []reel.Checkpoint
}

// NewParser returns a parser for one journal, resumed from state when
// state is not nil.
func (l *Live) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := &liveParser{}
	if state != nil {
		if err := json.Unmarshal(state, &p.st); err != nil {
			return nil, reel.Errorf(reel.ECORRUPT, "restore live session parser state: %v", err)
		}
		if p.st.Version != liveStateVersion {
			return nil, reel.Errorf(reel.ECORRUPT, "restore live session parser state: version %d, want %d", p.st.Version, liveStateVersion)
		}
		return p, nil
	}
	// A journal whose header cannot be read still makes a session of its
	// own, named by its file.
	p.st = liveState{Version: liveStateVersion, NativeID: "journal:" + strings.TrimSuffix(filepath.Base(f.Path), live.Ext)}
	return p, nil
}

// Parse reads one journal line. An event line yields its event exactly
// as appended; an event whose seq skips ahead (its predecessors' lines
// could not be read) is preceded by one system event per missing seq, so
// that seqs and checkpoints stay those of the journal; one whose seq goes
// back is a duplicate. A checkpoint line yields no event: its checkpoint
// is taken by TakeCheckpoints. A line of a type this reel does not know
// is kept raw as RecordUnknown, without an event, for the same reason.
func (p *liveParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	l, err := live.ParseLine(rec.Data)
	if err != nil {
		return nil, &reel.Error{Code: reel.EINVALID, Message: "invalid live journal line", Err: err}
	}
	rec.Type = l.T
	st := &p.st
	switch {
	case l.Header != nil:
		h := l.Header
		st.SessionID, st.NativeID, st.ParentID, st.Title, st.Project = h.SessionID, h.NativeID, h.ParentID, h.Title, h.Project
		st.GitBranch, st.Model, st.ClientVersion, st.Host, st.StartedAt, st.Owner = h.GitBranch, h.Model, h.Version, h.Host, h.StartedAt, h.Owner
	case l.Event != nil:
		return p.event(rec, *l.Event), nil
	case l.Checkpoint != nil:
		c := *l.Checkpoint
		c.SessionID = st.SessionID
		p.cps = append(p.cps, c)
	case l.Update != nil:
		st.Title, st.Model, st.ClientVersion = pick(l.Update.Title, st.Title), pick(l.Update.Model, st.Model), pick(l.Update.Version, st.ClientVersion)
	case l.Resume != nil:
		st.Owner, st.Ended, st.Status = l.Resume.Owner, false, ""
	case l.End != nil:
		st.Ended, st.Status = true, l.End.Status
		if l.End.Time.After(st.EndedAt) {
			st.EndedAt = l.End.Time
		}
	default:
		rec.Status, rec.Reason = reel.RecordUnknown, "unknown live journal line type "+fmt.Sprintf("%q", l.T)
	}
	return nil, nil
}

func (p *liveParser) event(rec *reel.RawRecord, e reel.Event) []reel.Event {
	st := &p.st
	if e.Seq < st.Next {
		rec.Status, rec.Reason = reel.RecordDuplicate, fmt.Sprintf("event seq %d repeats (next is %d)", e.Seq, st.Next)
		return nil
	}
	var out []reel.Event
	for seq := st.Next; seq < e.Seq; seq++ {
		out = append(out, reel.Event{Time: e.Time, Kind: reel.KindSystem, Role: reel.RoleSystem,
			Text: fmt.Sprintf("event %d of this live session was lost: its journal line could not be read", seq)})
	}
	st.Next = e.Seq + 1
	st.Tokens = st.Tokens.Add(e.Tokens)
	if e.Time.After(st.EndedAt) {
		st.EndedAt = e.Time
	}
	return append(out, e)
}

func pick(s, old string) string {
	if s != "" {
		return s
	}
	return old
}

// TakeCheckpoints returns the checkpoints parsed since the last call.
func (p *liveParser) TakeCheckpoints() []reel.Checkpoint {
	cps := p.cps
	p.cps = nil
	return cps
}

// Session returns the session as known so far. One that has not ended is
// active while its owner lives and interrupted once it is dead.
func (p *liveParser) Session() reel.Session {
	st := &p.st
	s := reel.Session{
		NativeID: st.NativeID, ParentID: st.ParentID, Title: st.Title, Project: st.Project, GitBranch: st.GitBranch,
		Host: st.Host, Model: st.Model, Version: st.ClientVersion, StartedAt: st.StartedAt, EndedAt: st.EndedAt,
		Status: st.Status, Tokens: st.Tokens,
	}
	switch {
	case st.Ended && s.Status == "":
		s.Status = reel.StatusCompleted
	case !st.Ended && st.Owner.Alive():
		s.Status = reel.StatusActive
	case !st.Ended:
		s.Status = reel.StatusInterrupted
	}
	if s.EndedAt.IsZero() {
		s.EndedAt = s.StartedAt
	}
	return s
}

// State returns the parser's state as JSON.
func (p *liveParser) State() ([]byte, error) { return json.Marshal(p.st) }
