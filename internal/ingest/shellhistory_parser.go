package ingest

import (
	"encoding/json"
	"fmt"

	"time"

	"github.com/reel-sh/reel"
)

// shellStateVersion is bumped when shellState changes incompatibly.
const shellStateVersion = 1

// shellState is everything a shell history parser knows.
type shellState struct {
	Version   int       `json:"v"`
	Shell     string    `json:"shell"`
	NativeID  string    `json:"native_id"`
	Day       string    `json:"day"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
}

// shellParser turns one day's history entries into command events.
type shellParser struct {
	st shellState
}

func newShellParser(shell, nativeID, day string) *shellParser {
	return &shellParser{st: shellState{Version: shellStateVersion, Shell: shell, NativeID: nativeID, Day: day}}
}

func (p *shellParser) restore(state []byte) error {
	if err := json.Unmarshal(state, &p.st); err != nil {
		return reel.Errorf(reel.ECORRUPT, "restore shell history parser state: %v", err)
	}
	if p.st.Version != shellStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore shell history parser state: version %d, want %d", p.st.Version, shellStateVersion)
	}
	return nil
}

// State returns the parser's state as JSON.
func (p *shellParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode shell history parser state: %w", err)
	}
	return b, nil
}

// Session returns the day as known so far. A shell history names no
// project and no host.
func (p *shellParser) Session() reel.Session {
	day := p.st.Day
	if day == shellUndated || day == "" {
		day = "(undated)"
	}
	return reel.Session{
		Source:    reel.SourceShellHistory,
		NativeID:  p.st.NativeID,
		Title:     p.st.Shell + " history " + day,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
	}
}

// Parse reads one history entry into a command event. Errors say where
// the entry is, never what it holds: shell history holds secrets.
func (p *shellParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	c, err := parseShellEntry(p.st.Shell, rec.Data)
	if err != nil {
		return nil, fmt.Errorf("parse %s history entry at offset %d: %w", p.st.Shell, rec.Offset, err)
	}
	rec.Type = c.typ
	if c.typ == "blank" {
		return nil, nil
	}
	if c.reason != "" {
		rec.Status, rec.Reason = reel.RecordUnknown, c.reason
		return []reel.Event{{Time: p.st.EndedAt, Kind: reel.KindOther, Text: c.text}}, nil
	}
	if !c.time.IsZero() {
		if p.st.StartedAt.IsZero() || c.time.Before(p.st.StartedAt) {
			p.st.StartedAt = c.time
		}
		if c.time.After(p.st.EndedAt) {
			p.st.EndedAt = c.time
		}
	}
	return []reel.Event{{
		Time:     c.time,
		Kind:     reel.KindCommand,
		Role:     reel.RoleUser,
		Text:     c.text,
		Duration: c.duration,
	}}, nil
}
