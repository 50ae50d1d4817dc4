package archive_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
)

// benchDocument returns a session of n raw records of about 600 bytes,
// each with one event of about 200 bytes of text, as a sync makes them.
func benchDocument(n int) *archive.Document {
	sess := reel.Session{Source: reel.SourceClaudeCode, NativeID: "bench", Status: reel.StatusCompleted, EventCount: int64(n)}
	sess.ID = reel.SessionID(sess.Source, sess.NativeID)
	doc := &archive.Document{Session: sess}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var off int64
	for i := range n {
		text := fmt.Sprintf("message %d: %s", i, strings.Repeat("lorem ipsum dolor sit amet ", 7))
		data := []byte(fmt.Sprintf(`{"type":"user","uuid":"%08d","message":{"role":"user","content":%q},"cwd":"/work/project","sessionId":"bench","timestamp":"2026-01-02T03:04:05Z","version":"2.0.1","gitBranch":"main","extra":"%s"}`+"\n",
			i, text, strings.Repeat("x", 200)))
		doc.Raw = append(doc.Raw, reel.RawRecord{Index: int64(i), Offset: off, Data: data, Type: "user", Status: reel.RecordOK})
		off += int64(len(data))
		doc.Events = append(doc.Events, reel.Event{SessionID: sess.ID, Seq: int64(i), Time: t0.Add(time.Duration(i) * time.Second),
			Kind: reel.KindMessage, Role: reel.RoleUser, Text: text, NativeID: fmt.Sprintf("%08d", i), RawIndex: int64(i)})
	}
	return doc
}

func BenchmarkWrite(b *testing.B) {
	doc := benchDocument(20000)
	var buf bytes.Buffer
	if err := archive.Write(&buf, doc); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := archive.Write(io.Discard, doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	var buf bytes.Buffer
	if err := archive.Write(&buf, benchDocument(20000)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := archive.Read(bytes.NewReader(buf.Bytes()), archive.DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
