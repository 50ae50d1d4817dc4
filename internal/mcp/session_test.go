package mcp_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/mcp"
)

func TestSearch(t *testing.T) {
	st := openStore(t)
	cs := connect(t, mcp.Deps{Store: st}, mcp.Options{})
	t.Run("OK", func(t *testing.T) {
		var out mcp.SearchOutput
		call(t, cs, "search", map[string]any{"query": "flaky migration"}, &out)
		got := map[string]int64{}
		for _, h := range out.Hits {
			got[h.SessionID] = h.Seq
		}
		if len(out.Hits) != 2 || got[apiID] != 42 || got[webID] != 2 {
			t.Errorf("hits = %+v, want api #42 and web #2", out.Hits)
		}
		if out.Query == "" {
			t.Errorf("no parsed query")
		}
	})
	t.Run("Filters", func(t *testing.T) {
		for _, tt := range []struct {
			args map[string]any
			want string
		}{
			{map[string]any{"query": "flaky", "source": "codex"}, webID},
			{map[string]any{"query": "flaky", "source": "aider, claude-code"}, apiID},
			{map[string]any{"query": "flaky", "project": "SRC/API"}, apiID},
			{map[string]any{"query": "flaky", "since": "1d"}, apiID},
			{map[string]any{"query": "flaky", "until": "2d"}, webID},
			{map[string]any{"query": "flaky", "session": webID[:8]}, webID},
			{map[string]any{"query": "flaky", "kind": "message", "limit": 1, "session": apiID}, apiID},
		} {
			var out mcp.SearchOutput
			call(t, cs, "search", tt.args, &out)
			if len(out.Hits) != 1 || out.Hits[0].SessionID != tt.want {
				t.Errorf("search %v = %+v, want one hit in %s", tt.args, out.Hits, tt.want)
			}
		}
	})
	t.Run("NoHits", func(t *testing.T) {
		var out mcp.SearchOutput
		call(t, cs, "search", map[string]any{"query": "flaky", "kind": "tool_call"}, &out)
		if len(out.Hits) != 0 || out.Hits == nil || out.Note == "" {
			t.Errorf("out = %+v, want [] hits and a note", out)
		}
		out = mcp.SearchOutput{}
		call(t, cs, "search", map[string]any{"query": "-flaky"}, &out)
		if len(out.Hits) != 0 || !strings.Contains(out.Note, "nothing to search for") {
			t.Errorf("out = %+v, want a note that nothing is searched", out)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, args := range []map[string]any{
			{"query": "flaky", "limit": 101},
			{"query": "flaky", "limit": -1},
			{"query": "flaky", "kind": "tool-call"},
			{"query": "flaky", "since": "yesterday"},
			{"query": "flaky", "limit": "ten"}, // refused by the input schema
			{"limit": 3},                       // no query
			{"query": "flaky", "colour": "red"},
		} {
			e := callErr(t, cs, "search", args)
			if e.Code != reel.EINVALID || e.Hint == "" {
				t.Errorf("search %v: error %+v, want invalid with a hint", args, e)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		e := callErr(t, cs, "search", map[string]any{"query": "flaky", "session": "0000000000"})
		if e.Code != reel.ENOTFOUND {
			t.Errorf("error = %+v, want not_found", e)
		}
	})
}

func TestListSessions(t *testing.T) {
	st := openStore(t)
	cs := connect(t, mcp.Deps{Store: st}, mcp.Options{})
	ids := func(args map[string]any) []string {
		var out mcp.SessionsOutput
		call(t, cs, "list_sessions", args, &out)
		var got []string
		for _, s := range out.Sessions {
			got = append(got, s.ID)
		}
		return got
	}
	for _, tt := range []struct {
		name string
		args map[string]any
		want []string
	}{
		{"All", nil, []string{apiID, bigID, webID}},
		{"Limit", map[string]any{"limit": 2}, []string{apiID, bigID}},
		{"Source", map[string]any{"source": "codex"}, []string{webID}},
		{"Project", map[string]any{"project": "big"}, []string{bigID}},
		{"Since", map[string]any{"since": "24h"}, []string{apiID, bigID}},
		{"None", map[string]any{"source": "aider"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(tt.args); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("sessions = %v, want %v", got, tt.want)
			}
		})
	}
	if e := callErr(t, cs, "list_sessions", map[string]any{"limit": 201}); e.Code != reel.EINVALID {
		t.Errorf("limit 201: %+v", e)
	}
}

func TestGetSession_Pages(t *testing.T) {
	st := openStore(t)
	cs := connect(t, mcp.Deps{Store: st}, mcp.Options{})
	var seqs []int64
	offset, pages, cut := 0, 0, 0
	for {
		var out mcp.SessionOutput
		call(t, cs, "get_session", map[string]any{"session": apiID[:10], "offset": offset, "limit": 64}, &out)
		pages++
		if out.Session.ID != apiID || out.Offset != offset {
			t.Fatalf("page at %d: session %s offset %d", offset, out.Session.ID, out.Offset)
		}
		for _, e := range out.Events {
			seqs = append(seqs, e.Seq)
			if !utf8.ValidString(e.Text) || len(e.Text) > 4000 {
				t.Errorf("event %d: %d bytes of text, valid UTF-8 %v", e.Seq, len(e.Text), utf8.ValidString(e.Text))
			}
			if e.Seq == hugeSeq {
				if e.TextCut == 0 || len(e.Text) != 3999 || len(e.Text)+e.TextCut != 10002 {
					t.Errorf("huge event: %d bytes kept, %d cut; want 3,999 (whole runes) of 10,002", len(e.Text), e.TextCut)
				}
			} else if e.TextCut != 0 {
				t.Errorf("event %d: %d bytes cut from a short text", e.Seq, e.TextCut)
			}
		}
		cut += out.CutEvents
		if out.NextOffset == nil {
			break
		}
		if *out.NextOffset != offset+len(out.Events) {
			t.Fatalf("next_offset %d after %d events from %d", *out.NextOffset, len(out.Events), offset)
		}
		offset = *out.NextOffset
	}
	if pages != 5 || cut != 1 || len(seqs) != apiEvents {
		t.Errorf("%d pages, %d cut events, %d events; want 5, 1, %d", pages, cut, len(seqs), apiEvents)
	}
	for i, s := range seqs {
		if s != int64(i) {
			t.Fatalf("event %d has seq %d: pages skip or repeat events", i, s)
		}
	}
}

func TestGetSession_Budget(t *testing.T) {
	st := openStore(t)
	cs := connect(t, mcp.Deps{Store: st}, mcp.Options{})
	// 50 events of 3,000 bytes: a page of 200 ends at 21 (64 KiB of text).
	var out mcp.SessionOutput
	call(t, cs, "get_session", map[string]any{"session": bigID, "limit": 200}, &out)
	if len(out.Events) != 21 || out.NextOffset == nil || *out.NextOffset != 21 {
		t.Fatalf("%d events, next %v; want 21 and 21", len(out.Events), out.NextOffset)
	}
	out = mcp.SessionOutput{}
	call(t, cs, "get_session", map[string]any{"session": bigID, "offset": 42, "limit": 200}, &out)
	if len(out.Events) != 8 || out.Events[0].Seq != 42 || out.NextOffset != nil {
		t.Errorf("last page: %d events from %d, next %v; want 8 from 42 and none", len(out.Events), out.Events[0].Seq, out.NextOffset)
	}
	out = mcp.SessionOutput{}
	call(t, cs, "get_session", map[string]any{"session": bigID, "offset": 50}, &out)
	if len(out.Events) != 0 || out.Events == nil || out.NextOffset != nil {
		t.Errorf("past the end: %+v, want [] and no next", out.Events)
	}
}

func TestGetSession_Err(t *testing.T) {
	st := openStore(t)
	cs := connect(t, mcp.Deps{Store: st}, mcp.Options{})
	for _, tt := range []struct {
		args map[string]any
		code string
	}{
		{map[string]any{"session": "ffffffffff"}, reel.ENOTFOUND},
		{map[string]any{"session": apiID, "offset": -1}, reel.EINVALID},
		{map[string]any{"session": apiID, "limit": 201}, reel.EINVALID},
		{map[string]any{}, reel.EINVALID},
	} {
		if e := callErr(t, cs, "get_session", tt.args); e.Code != tt.code || e.Message == "" {
			t.Errorf("get_session %v: %+v, want %s", tt.args, e, tt.code)
		}
	}
}

func TestRecentActivity(t *testing.T) {
	st := openStore(t)
	cs := connect(t, mcp.Deps{Store: st}, mcp.Options{})
	var out mcp.RecentOutput
	call(t, cs, "recent_activity", nil, &out)
	if len(out.Sessions) != 2 || out.Sessions[0].Session.ID != apiID || out.Sessions[1].Session.ID != bigID {
		t.Fatalf("sessions = %+v, want api then big", out.Sessions)
	}
	last := out.Sessions[0].LastEvents
	if len(last) != 5 || last[0].Seq != apiEvents-5 || last[4].Seq != apiEvents-1 {
		t.Errorf("last events of api: %+v, want seqs 295..299", last)
	}
	for _, e := range out.Sessions[1].LastEvents {
		if len(e.Text) != 500 || e.TextCut != 2500 {
			t.Errorf("big #%d: %d bytes kept, %d cut; want 500 and 2,500", e.Seq, len(e.Text), e.TextCut)
		}
	}
	out = mcp.RecentOutput{}
	call(t, cs, "recent_activity", map[string]any{"since": "7d", "limit": 1, "events": 2}, &out)
	if len(out.Sessions) != 1 || len(out.Sessions[0].LastEvents) != 2 {
		t.Errorf("limit 1, events 2: %+v", out.Sessions)
	}
	out = mcp.RecentOutput{}
	call(t, cs, "recent_activity", map[string]any{"since": "7d"}, &out)
	if len(out.Sessions) != 3 {
		t.Errorf("7d: %d sessions, want 3", len(out.Sessions))
	}
	if e := callErr(t, cs, "recent_activity", map[string]any{"events": 21}); e.Code != reel.EINVALID {
		t.Errorf("events 21: %+v", e)
	}
}
