package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
)

// benchFile is one generated transcript, split into lines the way the
// sync engine hands them to a parser.
type benchFile struct {
	file  reel.SourceFile
	lines [][]byte
	bytes int64
}

var (
	benchOnce   sync.Once
	benchFiles  map[string][]benchFile
	benchErr    error
	benchCorpus string
)

// TestMain removes the corpus the benchmarks generated, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchCorpus != "" {
		os.RemoveAll(benchCorpus)
	}
	os.Exit(code)
}

// benchCorpusFiles generates a corpus once per test binary and returns
// its transcripts by source.
func benchCorpusFiles(b *testing.B) map[string][]benchFile {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reel-ingest-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchCorpus = dir
		m, err := corpus.Generate(dir, corpus.Options{Events: 20000, Seed: 1})
		if err != nil {
			benchErr = err
			return
		}
		benchFiles = map[string][]benchFile{}
		for _, sf := range m.SessionFiles {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(sf.Path)))
			if err != nil {
				benchErr = err
				return
			}
			lines := bytes.SplitAfter(data, []byte("\n"))
			if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
				lines = lines[:n-1]
			}
			benchFiles[sf.Source] = append(benchFiles[sf.Source], benchFile{
				file:  reel.SourceFile{Path: filepath.Join(dir, filepath.FromSlash(sf.Path)), Source: sf.Source, NativeID: sf.NativeID},
				lines: lines,
				bytes: int64(len(data)),
			})
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFiles
}

// benchParse parses every generated transcript of one source per
// iteration and reports records per second.
func benchParse(b *testing.B, imp reel.Importer) {
	files := benchCorpusFiles(b)[imp.Source()]
	if len(files) == 0 {
		b.Fatalf("corpus holds no %s transcripts", imp.Source())
	}
	var size, records int64
	for _, f := range files {
		size += f.bytes
		records += int64(len(f.lines))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			p, err := imp.NewParser(f.file, nil)
			if err != nil {
				b.Fatal(err)
			}
			for i, line := range f.lines {
				rec := reel.RawRecord{Index: int64(i), Data: line}
				if _, err := p.Parse(&rec); err != nil {
					b.Fatalf("%s line %d: %v", f.file.Path, i, err)
				}
			}
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkClaudeParse(b *testing.B) { benchParse(b, NewClaude()) }

func BenchmarkCodexParse(b *testing.B) { benchParse(b, NewCodex()) }
