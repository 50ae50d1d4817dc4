package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

var (
	_ reel.Importer         = (*Recording)(nil)
	_ reel.CheckpointParser = (*recordingParser)(nil)
)

// Recording imports reel's own shell recordings: the NDJSON journals that
// the shell hooks and reel replay write (see internal/journal for the line
// format), one file per recording, named <id>.ndjson.
type Recording struct{}

// NewRecording returns the shell recording importer.
func NewRecording() *Recording { return &Recording{} }

// Source returns "shell".
func (*Recording) Source() string { return journal.Source }

// Discover calls fn for every journal directly under root, in path order.
// A recording's journal never moves, so its path is its identity.
func (*Recording) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	return discoverJournals(ctx, root, journal.Ext, "shell recordings", func(path string, _ fs.DirEntry) error {
		return fn(reel.SourceFile{
			Path:     path,
			Source:   journal.Source,
			NativeID: strings.TrimSuffix(filepath.Base(path), journal.Ext),
			Layout:   reel.LayoutLines,
		})
	})
}

// discoverJournals calls fn with the absolute path of every file named
// *ext directly under root (not hidden), in name order: reel's own
// journals, one file per session. A missing root holds none; what names
// them in errors.
func discoverJournals(ctx context.Context, root, ext, what string, fn func(path string, e fs.DirEntry) error) error {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("discover %s: %w", what, err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("discover %s: %w", what, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ext) || strings.HasPrefix(name, ".") {
			continue
		}
		if err := fn(filepath.Join(abs, name), e); err != nil {
			return err
		}
	}
	return nil
}

// recordingStateVersion is bumped when recordingState changes
// incompatibly. Version 2 counts events and keeps checkpoint labels; a
// cursor with an older state reads the journal again from the top.
const recordingStateVersion = 2

// recordingState is what a parser needs to resume after the lines so far.
type recordingState struct {
	Version   int       `json:"v"`
	NativeID  string    `json:"native_id"`
	Header    bool      `json:"header,omitempty"`
	Kind      string    `json:"kind,omitempty"`
	Title     string    `json:"title,omitempty"`
	Project   string    `json:"project,omitempty"`
	Host      string    `json:"host,omitempty"`
	Shell     string    `json:"shell,omitempty"`
	TTY       string    `json:"tty,omitempty"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
	Status    string    `json:"status,omitempty"`
	// Events counts the events parsed so far: the seq of the next one.
	Events int64 `json:"events"`
	// Labels maps each checkpoint label seen to its checkpoint's id.
	Labels map[string]string `json:"labels,omitempty"`
}

// recordingParser maps one journal's lines into events and checkpoints.
type recordingParser struct {
	st recordingState
	// taken holds the checkpoints parsed since TakeCheckpoints.
	taken []reel.Checkpoint
}

// NewParser returns a parser for one journal, resumed from state when
// state is not nil.
func (*Recording) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := &recordingParser{}
	if state != nil {
		if err := json.Unmarshal(state, &p.st); err != nil {
			return nil, reel.Errorf(reel.ECORRUPT, "restore shell recording parser state: %v", err)
		}
		if p.st.Version != recordingStateVersion {
			return nil, reel.Errorf(reel.ECORRUPT, "restore shell recording parser state: version %d, want %d", p.st.Version, recordingStateVersion)
		}
		return p, nil
	}
	p.st = recordingState{Version: recordingStateVersion, NativeID: f.NativeID, Status: reel.StatusActive}
	if p.st.NativeID == "" {
		p.st.NativeID = strings.TrimSuffix(filepath.Base(f.Path), journal.Ext)
	}
	return p, nil
}

// Parse reads one journal line. A line that is not a JSON object is an
// error (a torn line); a well-formed line of a type this reel does not know
// is kept as RecordUnknown, its text searchable as a KindOther event.
func (p *recordingParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	line := bytes.TrimSpace(rec.Data)
	var probe struct {
		T string `json:"t"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		return nil, &reel.Error{Code: reel.EINVALID, Message: "invalid journal line", Err: err}
	}
	rec.Type = probe.T
	var err error
	var events []reel.Event
	switch probe.T {
	case journal.TypeStart:
		err = p.header(line)
	case journal.TypeCmd:
		events, err = p.command(line)
	case journal.TypeOut:
		events, err = p.output(line)
	case journal.TypeSkip:
		events, err = p.skip(line)
	case journal.TypeMeta:
		var m journal.Meta
		if err = json.Unmarshal(line, &m); err == nil && m.Name != "" {
			p.st.Title = m.Name
		}
	case journal.TypeEnd:
		err = p.footer(line)
	case journal.TypeCheckpoint:
		err = p.checkpoint(line)
	case "":
		rec.Status, rec.Reason = reel.RecordUnknown, "line has no type"
		events = []reel.Event{{Kind: reel.KindOther, Text: string(line)}}
	default:
		rec.Status, rec.Reason = reel.RecordUnknown, "unknown line type "+probe.T
		events = []reel.Event{{Kind: reel.KindOther, Text: string(line)}}
	}
	if err != nil {
		return nil, &reel.Error{Code: reel.EINVALID, Message: "invalid " + probe.T + " line", Err: err}
	}
	p.st.Events += int64(len(events))
	return events, nil
}

// checkpoint reads a checkpoint line. Its seq must be within the events
// parsed so far (it may mark the next one), and its label must name no
// other checkpoint of the journal: either would make the store refuse the
// whole batch. A line without an id gets the one its fields derive.
func (p *recordingParser) checkpoint(line []byte) error {
	var c journal.Checkpoint
	if err := json.Unmarshal(line, &c); err != nil {
		return err
	}
	if c.Seq < 0 || c.Seq > p.st.Events {
		return fmt.Errorf("seq %d is outside the %d events before it", c.Seq, p.st.Events)
	}
	cp := c.Checkpoint(journal.SessionID(p.st.NativeID))
	if err := cp.Validate(); err != nil {
		return err
	}
	if other, ok := p.st.Labels[cp.Label]; ok && cp.Label != "" && other != cp.ID {
		return fmt.Errorf("label %q already names checkpoint %s", cp.Label, reel.ShortID(other))
	}
	if cp.Label != "" {
		if p.st.Labels == nil {
			p.st.Labels = map[string]string{}
		}
		p.st.Labels[cp.Label] = cp.ID
	}
	p.taken = append(p.taken, cp)
	return nil
}

// TakeCheckpoints returns the checkpoints parsed since the last call and
// forgets them. Their SessionID is the one the journal's id derives; the
// sync engine sets the session's.
func (p *recordingParser) TakeCheckpoints() []reel.Checkpoint {
	out := p.taken
	p.taken = nil
	return out
}

func (p *recordingParser) header(line []byte) error {
	var h journal.Header
	if err := json.Unmarshal(line, &h); err != nil {
		return err
	}
	p.st.Header = true
	p.st.Kind, p.st.Title, p.st.Host, p.st.Shell, p.st.TTY = h.Kind, h.Name, h.Host, h.Shell, h.TTY
	p.st.StartedAt = h.StartedAt
	if h.Cwd != "" {
		p.st.Project = h.Cwd
	}
	return nil
}

// commandInput is what a command event's Input holds: where and how it ran.
type commandInput struct {
	N     int    `json:"n"`
	Step  int    `json:"step,omitempty"`
	Cwd   string `json:"cwd,omitempty"`
	Shell string `json:"shell,omitempty"`
	Host  string `json:"host,omitempty"`
	TTY   string `json:"tty,omitempty"`
	// EndedAt is when the command ended; Time and Duration give it too,
	// but this survives a missing start time.
	EndedAt time.Time `json:"ended_at"`
}

func (p *recordingParser) command(line []byte) ([]reel.Event, error) {
	var c journal.Command
	if err := json.Unmarshal(line, &c); err != nil {
		return nil, err
	}
	if p.st.Project == "" {
		p.st.Project = c.Cwd
	}
	end := c.End()
	if end.After(p.st.EndedAt) {
		p.st.EndedAt = end
	}
	in, _ := json.Marshal(commandInput{N: c.N, Step: c.Step, Cwd: c.Cwd, Shell: p.st.Shell, Host: p.st.Host, TTY: p.st.TTY, EndedAt: end})
	exit := c.Exit
	role := reel.RoleUser
	if p.st.Kind == journal.KindReplay {
		role = reel.RoleTool
	}
	return []reel.Event{{
		Time: c.Start(), Kind: reel.KindCommand, Role: role, Text: c.Cmd, ExitCode: &exit, IsError: exit != 0,
		Duration: c.Duration(), Input: in,
	}}, nil
}

func (p *recordingParser) output(line []byte) ([]reel.Event, error) {
	var o journal.Output
	if err := json.Unmarshal(line, &o); err != nil {
		return nil, err
	}
	text := o.Text
	if o.Dropped > 0 {
		text += fmt.Sprintf("\n[… %d more bytes not kept]", o.Dropped)
	}
	return []reel.Event{{Time: p.st.EndedAt, Kind: reel.KindOutput, Role: reel.RoleTool, Text: text}}, nil
}

func (p *recordingParser) skip(line []byte) ([]reel.Event, error) {
	var s journal.Skip
	if err := json.Unmarshal(line, &s); err != nil {
		return nil, err
	}
	in, _ := json.Marshal(commandInput{N: s.Step, Step: s.Step, Cwd: s.Cwd})
	return []reel.Event{{
		Time: s.At, Kind: reel.KindSystem, Role: reel.RoleSystem,
		Text: fmt.Sprintf("skipped step %d (%s): %s", s.Step, s.Reason, s.Cmd), Input: in,
	}}, nil
}

func (p *recordingParser) footer(line []byte) error {
	var f journal.Footer
	if err := json.Unmarshal(line, &f); err != nil {
		return err
	}
	if f.Name != "" {
		p.st.Title = f.Name
	}
	if !f.EndedAt.IsZero() {
		p.st.EndedAt = f.EndedAt
	}
	switch {
	case f.Recovered || f.Status == journal.StatusRecovered || f.Torn != nil:
		p.st.Status = reel.StatusRecovered
	case f.Status == journal.StatusInterrupted:
		p.st.Status = reel.StatusInterrupted
	default:
		p.st.Status = reel.StatusCompleted
	}
	return nil
}

// Session returns the recording as known so far. One without a footer is
// active: recovery gives a dead one its footer.
func (p *recordingParser) Session() reel.Session {
	s := reel.Session{
		Source: journal.Source, NativeID: p.st.NativeID, Title: p.st.Title, Project: p.st.Project,
		Host: p.st.Host, StartedAt: p.st.StartedAt, EndedAt: p.st.EndedAt, Status: p.st.Status,
	}
	if s.EndedAt.IsZero() {
		s.EndedAt = s.StartedAt
	}
	return s
}

// State returns the parser's state as JSON.
func (p *recordingParser) State() ([]byte, error) { return json.Marshal(p.st) }
