package archive_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
)

// fuzzLimits are small limits, so that the fuzzer reaches them.
var fuzzLimits = archive.Limits{
	MaxBytes: 64 << 10, MaxRecords: 256, MaxEvents: 256, MaxCheckpoints: 64,
	MaxRecordBytes: 8 << 10, MaxTextBytes: 8 << 10,
}

// allocBound is the most Read may allocate for n bytes of input: a
// multiple of the bytes it reads, never more than MaxBytes and one, plus
// a constant for the decoder's buffers and the fuzzing machinery, which
// allocates on other goroutines while Read runs.
func allocBound(n int, lim archive.Limits) uint64 {
	read := uint64(min(int64(n), lim.MaxBytes+1))
	return 32*read + 1<<20
}

// readAlloc reads data with lim and returns what Read allocated.
func readAlloc(data []byte, lim archive.Limits) (*archive.Document, error, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	doc, err := archive.Read(bytes.NewReader(data), lim)
	runtime.ReadMemStats(&after)
	return doc, err, after.TotalAlloc - before.TotalAlloc
}

// FuzzRead reads any bytes as a document. Read never panics; it refuses
// with EINVALID or EUNSUPPORT only; it allocates within allocBound; and a
// document it accepts is within the limits and is canonical: written and
// read again, it is written as the same bytes.
func FuzzRead(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err, alloc := readAlloc(data, fuzzLimits)
		if bound := allocBound(len(data), fuzzLimits); alloc > bound {
			t.Errorf("Read of %d bytes allocated %d bytes, over %d", len(data), alloc, bound)
		}
		if err != nil {
			if code := reel.ErrorCode(err); code != reel.EINVALID && code != reel.EUNSUPPORT {
				t.Fatalf("error code %s: %v", code, err)
			}
			if doc != nil {
				t.Fatalf("a document with the error %v", err)
			}
			return
		}
		lim := fuzzLimits
		if len(doc.Raw) > lim.MaxRecords || len(doc.Events) > lim.MaxEvents || len(doc.Checkpoints) > lim.MaxCheckpoints {
			t.Fatalf("accepted %d raw, %d events, %d checkpoints, over the limits", len(doc.Raw), len(doc.Events), len(doc.Checkpoints))
		}
		var first bytes.Buffer
		if err := archive.Write(&first, doc); err != nil {
			t.Fatalf("write an accepted document: %v", err)
		}
		again, err := archive.Read(bytes.NewReader(first.Bytes()), archive.DefaultLimits())
		if err != nil {
			t.Fatalf("read a written document: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := archive.Write(&second, again); err != nil {
			t.Fatalf("write again: %v", err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("not canonical:\n%s\n---\n%s", first.Bytes(), second.Bytes())
		}
	})
}

// fuzzSeeds returns the crafted documents of testdata/read, a written
// odd document, and ones that stress allocation.
func fuzzSeeds(t testing.TB) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "read", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var seeds [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	var buf bytes.Buffer
	if err := archive.Write(&buf, oddDocument()); err != nil {
		t.Fatal(err)
	}
	return append(append(seeds, buf.Bytes()), allocSeeds()...)
}

// allocSeeds are documents that make Read allocate the most per byte:
// many of the smallest elements, each a large struct once decoded.
func allocSeeds() [][]byte {
	head := func(events int) string {
		return fmt.Sprintf(`{"format":"reel","version":1,"session":{"id":"5e63eb7b1ffa481eded7a53bfe03dd4d","source":"codex","native_id":"n1","event_count":%d},"raw":[`, events)
	}
	var seeds [][]byte
	// Many raw records.
	var b strings.Builder
	b.WriteString(head(0))
	for i := range 250 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"index":%d,"status":"o"}`, i)
	}
	b.WriteString(`],"events":[],"checkpoints":[]}`)
	seeds = append(seeds, []byte(b.String()))
	// Many events.
	b.Reset()
	b.WriteString(head(250) + `{"status":"o"}],"events":[`)
	for i := range 250 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"seq":%d}`, i)
	}
	b.WriteString(`],"checkpoints":[`)
	for i := range 60 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","seq":0}`, i)
	}
	b.WriteString(`]}`)
	seeds = append(seeds, []byte(b.String()))
	// Events past the limit, each refused only once decoded.
	b.Reset()
	b.WriteString(head(1<<40) + `{"status":"o"}],"events":[`)
	for i := range 3000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"seq":%d}`, i)
	}
	b.WriteString(`],"checkpoints":[]}`)
	seeds = append(seeds, []byte(b.String()))
	// A long string of escapes, and deep nesting.
	seeds = append(seeds, []byte(head(0)+`{"status":"o","text":"`+strings.Repeat(`\u0000`, 8000)+`"}],"events":[],"checkpoints":[]}`))
	seeds = append(seeds, []byte(head(0)+`{"status":"o","x":`+strings.Repeat("[", 60000)))
	return seeds
}

// TestRead_AllocBound reads the seeds of FuzzRead and checks that Read
// stays within allocBound, and that the documents meant to be valid are.
func TestRead_AllocBound(t *testing.T) {
	worst := 0.0
	for i, seed := range fuzzSeeds(t) {
		_, err, alloc := readAlloc(seed, fuzzLimits)
		if bound := allocBound(len(seed), fuzzLimits); alloc > bound {
			t.Errorf("seed %d (%d bytes, %v): allocated %d, over %d", i, len(seed), err, alloc, bound)
		}
		if len(seed) >= 4096 {
			worst = max(worst, float64(alloc)/float64(len(seed)))
		}
	}
	for i, seed := range allocSeeds()[:2] {
		if _, err := archive.Read(bytes.NewReader(seed), fuzzLimits); err != nil {
			t.Errorf("alloc seed %d: %v", i, err)
		}
	}
	t.Logf("most allocated per input byte, for seeds of 4 KiB or more: %.1f", worst)
}
