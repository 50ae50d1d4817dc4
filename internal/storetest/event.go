package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func testEvents(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()

	t.Run("RoundTrip", func(t *testing.T) {
		st := open(t)
		ss := newSession(reel.SourceCodex, "events")
		zero, two := 0, 2
		zone := time.FixedZone("PST", -8*3600)
		want := []reel.Event{
			{Seq: 0, Time: time.Date(2025, 3, 14, 1, 2, 3, 999999999, zone), Kind: reel.KindMessage,
				Role: reel.RoleUser, Text: "hello — ünïcode ✓ 迁移\n\ttabs", NativeID: "u-1", RawIndex: 0},
			{Seq: 1, Time: at(time.Second), Kind: reel.KindToolCall, Role: reel.RoleAssistant,
				Tool: "Bash", CallID: "call_1", MessageID: "msg_1", Model: "gpt-5-codex", Text: "go test ./...",
				Input:  json.RawMessage(`{"command":["go","test","./..."],"timeout":120}`),
				Tokens: reel.Tokens{Input: 100, Output: 20, CacheRead: 5000, CacheCreation: 7, Reasoning: 11}, RawIndex: 1},
			{Seq: 2, Time: at(2 * time.Second), Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "Bash",
				CallID: "call_1", Text: "ok", ExitCode: &zero, Duration: 1500 * time.Millisecond, RawIndex: 3},
			{Seq: 3, Kind: reel.KindCommand, Text: "false", ExitCode: &two, IsError: true, RawIndex: 4},
			{Seq: 4, Time: at(4 * time.Second), Kind: reel.KindOther, Text: "", RawIndex: 5},
		}
		b := &reel.Batch{Session: ss}
		for i := range want {
			want[i].SessionID = ss.ID
			b.Events = append(b.Events, want[i])
		}
		apply(t, st, b)
		got := events(t, st, ss.ID, reel.Filter{})
		if len(got) != len(want) {
			t.Fatalf("got %d events, want %d", len(got), len(want))
		}
		for i := range got {
			got[i].Time = utc(t, "Time", got[i].Time)
			want[i].Time = want[i].Time.UTC()
			if !bytes.Equal(got[i].Input, want[i].Input) {
				t.Errorf("event %d input = %s, want %s", i, got[i].Input, want[i].Input)
			}
			got[i].Input, want[i].Input = nil, nil
			equal(t, "event", got[i], want[i])
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		_, err := st.Events(ctx, reel.SessionID("codex", "missing"), reel.Filter{})
		wantCode(t, err, reel.ENOTFOUND)
	})

	st := open(t)
	ss := newSession(reel.SourceClaudeCode, "filters")
	apply(t, st, batch(ss, 0,
		ev{text: "e0", kind: reel.KindMessage, role: reel.RoleUser},
		ev{text: "e1", kind: reel.KindReasoning, role: reel.RoleAssistant},
		ev{text: "e2", kind: reel.KindToolCall, role: reel.RoleAssistant},
	))
	apply(t, st, batch(ss, 3,
		ev{text: "e3", kind: reel.KindToolResult, role: reel.RoleTool},
		ev{text: "e4", kind: reel.KindMessage, role: reel.RoleAssistant},
		ev{text: "e5", kind: reel.KindMessage, role: reel.RoleUser},
	))
	empty := newSession(reel.SourceClaudeCode, "empty")
	apply(t, st, &reel.Batch{Session: empty})

	tests := []struct {
		name string
		id   string
		f    reel.Filter
		want []string
	}{
		{"OKSeqOrder", ss.ID, reel.Filter{}, []string{"e0", "e1", "e2", "e3", "e4", "e5"}},
		{"OKNoEvents", empty.ID, reel.Filter{}, []string{}},
		{"OKKinds", ss.ID, reel.Filter{Kinds: []string{reel.KindMessage, reel.KindToolCall}}, []string{"e0", "e2", "e4", "e5"}},
		{"OKRoles", ss.ID, reel.Filter{Roles: []string{reel.RoleAssistant}}, []string{"e1", "e2", "e4"}},
		{"OKKindsAndRoles", ss.ID, reel.Filter{Kinds: []string{reel.KindMessage}, Roles: []string{reel.RoleUser}}, []string{"e0", "e5"}},
		{"OKSinceInclusive", ss.ID, reel.Filter{Since: at(4 * time.Second)}, []string{"e4", "e5"}},
		{"OKUntilExclusive", ss.ID, reel.Filter{Until: at(2 * time.Second)}, []string{"e0", "e1"}},
		{"OKSinceUntil", ss.ID, reel.Filter{Since: at(time.Second), Until: at(3*time.Second + 1)}, []string{"e1", "e2", "e3"}},
		{"OKLimit", ss.ID, reel.Filter{Limit: 2}, []string{"e0", "e1"}},
		{"OKLimitAfterFilter", ss.ID, reel.Filter{Roles: []string{reel.RoleAssistant}, Limit: 2}, []string{"e1", "e2"}},
		{"OKSessionFiltersIgnored", ss.ID, reel.Filter{Sources: []string{"nothing"}, Limit: 1}, []string{"e0"}},
		{"OKSeqFromInclusive", ss.ID, reel.Filter{SeqFrom: 4}, []string{"e4", "e5"}},
		{"OKSeqToExclusive", ss.ID, reel.Filter{SeqTo: 2}, []string{"e0", "e1"}},
		{"OKSeqRangeAcrossBatches", ss.ID, reel.Filter{SeqFrom: 2, SeqTo: 5}, []string{"e2", "e3", "e4"}},
		{"OKSeqRangeEmpty", ss.ID, reel.Filter{SeqFrom: 3, SeqTo: 3}, []string{}},
		{"OKSeqRangeReversed", ss.ID, reel.Filter{SeqFrom: 4, SeqTo: 2}, []string{}},
		{"OKSeqBeyondEnd", ss.ID, reel.Filter{SeqFrom: 6}, []string{}},
		{"OKSeqToBeyondEnd", ss.ID, reel.Filter{SeqFrom: 5, SeqTo: 100}, []string{"e5"}},
		{"OKSeqWithKindsAndLimit", ss.ID, reel.Filter{SeqFrom: 1, SeqTo: 6, Kinds: []string{reel.KindMessage, reel.KindToolCall}, Limit: 2}, []string{"e2", "e4"}},
		{"OKSeqAndTime", ss.ID, reel.Filter{SeqFrom: 1, Until: at(3 * time.Second)}, []string{"e1", "e2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equal(t, "texts", eventTexts(t, st, tt.id, tt.f), tt.want)
		})
	}
}

func testRawRecords(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()
	st := open(t)
	ss := newSession(reel.SourceClaudeCode, "raw")
	want := []reel.RawRecord{
		{Data: []byte("{\"type\":\"user\",\"text\":\"hi\"}\n"), Type: "user", Status: reel.RecordOK},
		{Data: []byte("\xff\xfe\x00{not utf-8 \xc3\x28}\n"), Status: reel.RecordInvalid, Reason: "invalid JSON"},
		{Data: []byte("\n"), Status: reel.RecordInvalid, Reason: "empty line"},
		{Data: []byte("  \r\n"), Status: reel.RecordInvalid, Reason: "blank line"},
		{Data: []byte("{\"type\":\"future\"}\n"), Type: "future", Status: reel.RecordUnknown, Reason: "unknown type", Name: "part/msg_1/prt_2.json"},
		{Data: []byte("{\"type\":\"user\",\"text\":\"hi\"}\n"), Type: "user", Status: reel.RecordDuplicate, Name: "message:msg_ü 1"},
		{Data: []byte(`{"type":"assistant","text":"torn`), Type: "", Status: reel.RecordInvalid, Reason: "no newline"},
	}
	var file []byte
	for i := range want {
		want[i].Index = int64(i)
		want[i].Offset = int64(len(file))
		file = append(file, want[i].Data...)
	}
	// Two batches, so the order cannot come from one insert.
	b1, b2 := &reel.Batch{Session: ss}, &reel.Batch{Session: ss, FromRaw: 4, FromSeq: 0}
	b1.Raw, b2.Raw = append([]reel.RawRecord(nil), want[:4]...), append([]reel.RawRecord(nil), want[4:]...)
	apply(t, st, b1)
	apply(t, st, b2)

	t.Run("OKExactBytes", func(t *testing.T) {
		var got []reel.RawRecord
		var joined []byte
		err := st.RawRecords(ctx, ss.ID, func(r reel.RawRecord) error {
			got = append(got, r)
			joined = append(joined, r.Data...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(joined, file) {
			t.Errorf("concatenated records = %q, want the file %q", joined, file)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d records, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i].Data, want[i].Data) {
				t.Errorf("record %d data = %q, want %q", i, got[i].Data, want[i].Data)
			}
			got[i].Data, want[i].Data = nil, nil
			equal(t, "record", got[i], want[i])
		}
	})

	t.Run("OKStopsAtError", func(t *testing.T) {
		stop := errors.New("stop here")
		calls := 0
		err := st.RawRecords(ctx, ss.ID, func(r reel.RawRecord) error {
			calls++
			if r.Index == 1 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Errorf("error = %v, want fn's", err)
		}
		equal(t, "calls", calls, 2)
	})

	t.Run("OKNoRecords", func(t *testing.T) {
		empty := newSession(reel.SourceCodex, "no-raw")
		apply(t, st, &reel.Batch{Session: empty})
		equal(t, "records", rawData(t, st, empty.ID), []string{})
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		err := st.RawRecords(ctx, reel.SessionID("codex", "missing"), func(reel.RawRecord) error {
			t.Error("fn called for a missing session")
			return nil
		})
		wantCode(t, err, reel.ENOTFOUND)
	})
}
