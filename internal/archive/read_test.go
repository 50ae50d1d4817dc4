package archive_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
)

// readCase is a document Read must accept ("" code) or refuse with code
// and a message that holds msg.
type readCase struct {
	code, msg string
}

// craftedCases are the documents in testdata/read, by file name. Each is
// the valid one with one thing changed.
var craftedCases = map[string]readCase{
	"valid":                       {},
	"format-wrong":                {reel.EINVALID, `format is "tar"`},
	"format-missing":              {reel.EINVALID, `member "version" out of order: "format" must come first`},
	"version-newer":               {reel.EUNSUPPORT, "format version 2 is newer"},
	"version-zero":                {reel.EINVALID, "version 0 is not"},
	"version-2pow63":              {reel.EINVALID, "version: number 9223372036854775808 where an integer"},
	"version-string":              {reel.EINVALID, "version: string where an integer"},
	"member-out-of-order":         {reel.EINVALID, `member "events" out of order: "session" must come first`},
	"member-unknown-top":          {reel.EINVALID, `unknown member "signature" where "checkpoints" must come`},
	"member-unknown-last":         {reel.EINVALID, `unknown member "extra" after "checkpoints"`},
	"field-unknown-event":         {reel.EINVALID, `events[1]: unknown field "colour"`},
	"field-unknown-session":       {reel.EINVALID, `session: unknown field "secret"`},
	"field-duplicate-last-wins":   {},
	"field-case-folded":           {},
	"session-null":                {reel.EINVALID, "session.source: empty"},
	"session-id-mismatch":         {reel.EINVALID, "session.id"},
	"session-source-empty":        {reel.EINVALID, "session.source: empty"},
	"event-count-huge":            {reel.EINVALID, "session.event_count: 9223372036854775807, over the limit"},
	"event-count-negative":        {reel.EINVALID, "session.event_count: -1 is negative"},
	"event-count-low":             {reel.EINVALID, "events: more than the session's event_count of 1"},
	"event-count-high":            {reel.EINVALID, "events: 2, but the session's event_count is 5"},
	"event-count-2pow63":          {reel.EINVALID, "session.event_count: number 9223372036854775808"},
	"event-count-float":           {reel.EINVALID, "session.event_count: number 2.0"},
	"raw-null":                    {reel.EINVALID, "raw: an array wanted, found null"},
	"raw-not-object":              {reel.EINVALID, "raw[0]: number where an object is wanted"},
	"raw-index-gap":               {reel.EINVALID, "raw[1].index: 2, want 1"},
	"raw-index-negative":          {reel.EINVALID, "raw[0].index: -1, want 0"},
	"raw-index-2pow63":            {reel.EINVALID, "raw[1].index: number 9223372036854775808"},
	"raw-offset-negative":         {reel.EINVALID, "raw[1].offset: -8 is negative"},
	"raw-offset-overflow":         {reel.EINVALID, "raw[0].offset: 9223372036854775800 plus the record's 8 bytes overflows"},
	"raw-status-empty":            {reel.EINVALID, "raw[1].status: empty"},
	"raw-base64-invalid":          {reel.EINVALID, "raw[1].base64: illegal base64 data"},
	"raw-base64-bad-padding":      {reel.EINVALID, "raw[1].base64: illegal base64 data"},
	"raw-text-and-base64":         {reel.EINVALID, "raw[1].text and base64"},
	"raw-text-not-string":         {reel.EINVALID, "raw[0].text: object where a string is wanted"},
	"event-seq-duplicate":         {reel.EINVALID, "events[1].seq: 0, want 1"},
	"event-seq-2pow63":            {reel.EINVALID, "events[1].seq: number 9223372036854775808"},
	"event-seq-float":             {reel.EINVALID, "events[1].seq: number 1e0"},
	"event-raw-index-dangling":    {reel.EINVALID, "events[1].raw_index: 2 is not the index of a raw record"},
	"event-raw-index-negative":    {reel.EINVALID, "events[0].raw_index: -1"},
	"event-time-out-of-range":     {reel.EINVALID, "events[0].time: 2300-01-01"},
	"event-time-garbage":          {reel.EINVALID, `events[0]: time "yesterday" is not RFC 3339`},
	"event-exit-code-2pow63":      {reel.EINVALID, "events[1].exit_code: number 9223372036854775808"},
	"event-input-nested":          {reel.EINVALID, "events[1].input: object where a string is wanted"},
	"event-escape-malformed":      {reel.EINVALID, "events[0].text: malformed \\ufffe escape"},
	"event-escape-ascii":          {reel.EINVALID, "events[0].text: malformed \\ufffe escape"},
	"event-escape-noncanonical":   {reel.EINVALID, "events[0].text: malformed \\ufffe escape"},
	"event-escape-valid":          {},
	"checkpoint-seq-out-of-range": {reel.EINVALID, "checkpoints[1].seq: 3 is outside 0 to 2"},
	"checkpoint-seq-negative":     {reel.EINVALID, "checkpoints[1].seq: -1"},
	"checkpoint-label-duplicate":  {reel.EINVALID, `checkpoints[1].label: "start" names an earlier checkpoint`},
	"checkpoint-id-duplicate":     {reel.EINVALID, `checkpoints[1].id: "c1" names an earlier checkpoint`},
	"checkpoint-id-empty":         {reel.EINVALID, "checkpoints[1].id: empty"},
	"checkpoint-state-nested":     {reel.EINVALID, "checkpoints[1].state: object where a string is wanted"},
	"truncated":                   {reel.EINVALID, "truncated after byte"},
	"truncated-after-close":       {reel.EINVALID, "truncated after byte"},
	"trailing-document":           {reel.EINVALID, "data after the document's end"},
	"trailing-garbage":            {reel.EINVALID, "malformed JSON"},
	"empty":                       {reel.EINVALID, "truncated after byte 0"},
	"not-an-object":               {reel.EINVALID, "the document: an object wanted, found ["},
	"nested-session":              {reel.EINVALID, "exceeded max depth"},
	"nested-unknown-field":        {reel.EINVALID, `events[1]: unknown field "x"`},
}

// TestRead_Crafted reads every document of testdata/read, each whole and
// one byte at a time (so that every element and character is cut across
// reads), and checks the error code and message.
func TestRead_Crafted(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "read", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(craftedCases) {
		t.Errorf("%d files in testdata/read, %d cases", len(files), len(craftedCases))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		tc, ok := craftedCases[name]
		if !ok {
			t.Errorf("%s: no case", f)
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			checkRead(t, data, archive.Limits{}, tc)
		})
	}
}

// TestRead_Limits reads documents over each limit, and ones that are not
// UTF-8.
func TestRead_Limits(t *testing.T) {
	valid, err := os.ReadFile(filepath.Join("testdata", "read", "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	big := oddDocument()
	big.Events[1].Text = strings.Repeat("x", 5000)
	big.Raw[2].Data = bytes.Repeat([]byte{0xff}, 3000)
	var bigDoc bytes.Buffer
	if err := archive.Write(&bigDoc, big); err != nil {
		t.Fatal(err)
	}
	notUTF8 := bytes.Replace(valid, []byte(`"title":"t"`), []byte("\"title\":\"t\xff\""), 1)
	cutChar := bytes.Replace(valid, []byte(`"title":"t"`), []byte("\"title\":\"t\xe2\x82\""), 1)
	// Many of the smallest events: those Write makes, and crafted ones.
	events := func(n int, event string) []byte {
		var b strings.Builder
		fmt.Fprintf(&b, `{"format":"reel","version":1,"session":{"id":"5e63eb7b1ffa481eded7a53bfe03dd4d","source":"codex","native_id":"n1","event_count":%d},"raw":[{"status":"ok","text":"{}"}],"events":[`, n)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, event, i)
		}
		b.WriteString(`],"checkpoints":[]}`)
		return []byte(b.String())
	}
	smallest := events(30000, `{"seq":%d,"kind":"","text":"","raw_index":0}`)
	crafted := events(30000, `{"seq":%d}`)
	many := archive.Limits{MaxEvents: 1 << 20}
	for _, tc := range []struct {
		name string
		data []byte
		lim  archive.Limits
		readCase
	}{
		{"OKSmallestEvents", smallest, archive.Limits{MaxBytes: int64(len(smallest)), MaxEvents: 1 << 20}, readCase{}},
		{"ErrTinyEvents", crafted, many, readCase{reel.EINVALID, "a document written by reel holds at most 8 times its size"}},
		{"OK", valid, archive.Limits{MaxBytes: int64(len(valid)), MaxRecords: 2, MaxEvents: 2, MaxCheckpoints: 2, MaxRecordBytes: 8, MaxTextBytes: 32}, readCase{}},
		{"ErrMaxBytes", valid, archive.Limits{MaxBytes: int64(len(valid)) - 1}, readCase{reel.EINVALID, "larger than the limit of"}},
		{"ErrMaxBytesSmall", valid, archive.Limits{MaxBytes: 20}, readCase{reel.EINVALID, "larger than the limit of 20 bytes"}},
		{"ErrMaxRecords", valid, archive.Limits{MaxRecords: 1}, readCase{reel.EINVALID, "raw: more than the limit of 1"}},
		{"ErrMaxEvents", valid, archive.Limits{MaxEvents: 1}, readCase{reel.EINVALID, "session.event_count: 2, over the limit of 1 events"}},
		{"ErrMaxCheckpoints", valid, archive.Limits{MaxCheckpoints: 1}, readCase{reel.EINVALID, "checkpoints: more than the limit of 1"}},
		{"ErrMaxRecordBytesText", valid, archive.Limits{MaxRecordBytes: 7}, readCase{reel.EINVALID, "raw[0]: 8 bytes of data, over the limit of 7"}},
		{"ErrMaxRecordBytesBase64", bigDoc.Bytes(), archive.Limits{MaxRecordBytes: 2999}, readCase{reel.EINVALID, "raw[2]: 3000 bytes of data, over the limit of 2999"}},
		{"ErrMaxRecordBytesBase64Early", bigDoc.Bytes(), archive.Limits{MaxRecordBytes: 2000}, readCase{reel.EINVALID, "raw[2].base64: about 2998 bytes of data, over the limit of 2000"}},
		{"ErrMaxTextBytes", bigDoc.Bytes(), archive.Limits{MaxTextBytes: 4999}, readCase{reel.EINVALID, "events[1].text: 5000 bytes, over the limit of 4999"}},
		{"ErrNotUTF8", notUTF8, archive.Limits{}, readCase{reel.EINVALID, "not valid UTF-8: byte"}},
		{"ErrCutCharacter", cutChar, archive.Limits{}, readCase{reel.EINVALID, "not valid UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkRead(t, tc.data, tc.lim, tc.readCase) })
	}
}

// checkRead reads data whole and one byte at a time and checks the
// outcome against want.
func checkRead(t *testing.T, data []byte, lim archive.Limits, want readCase) {
	t.Helper()
	for _, r := range []struct {
		how string
		r   func() *bytes.Reader
	}{{"whole", nil}, {"byte by byte", nil}} {
		var doc *archive.Document
		var err error
		if r.how == "whole" {
			doc, err = archive.Read(bytes.NewReader(data), lim)
		} else {
			doc, err = archive.Read(iotest.OneByteReader(bytes.NewReader(data)), lim)
		}
		switch {
		case want.code == "" && err != nil:
			t.Errorf("%s: got %v, want no error", r.how, err)
		case want.code == "" && doc == nil:
			t.Errorf("%s: no document", r.how)
		case want.code != "" && err == nil:
			t.Errorf("%s: no error, want %s %q", r.how, want.code, want.msg)
		case want.code != "" && (reel.ErrorCode(err) != want.code || !strings.Contains(err.Error(), want.msg)):
			t.Errorf("%s: got %s %q, want %s containing %q", r.how, reel.ErrorCode(err), err, want.code, want.msg)
		case want.code != "" && doc != nil:
			t.Errorf("%s: a document with the error", r.how)
		}
	}
	if want.code == reel.EUNSUPPORT {
		_, err := archive.Read(bytes.NewReader(data), lim)
		if reel.ErrorHint(err) == "" {
			t.Errorf("%s has no hint", err)
		}
	}
}
