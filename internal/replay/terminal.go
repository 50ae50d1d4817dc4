package replay

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// ask prompts for one step and returns y, n, a or q.
func ask(in *bufio.Reader, w io.Writer, o Outcome, i, n int) byte {
	for {
		fmt.Fprintf(w, "[%d/%d] step %d in %s:\n  %s\nrun it? [y]es, [n]o, [a]ll the rest, [q]uit: ", i, n, o.N, o.Dir,
			strings.ReplaceAll(o.Command, "\n", "\n  "))
		line, err := in.ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "" && strings.Contains("ynaq", a[:1]) {
			return a[0]
		}
		if err != nil {
			fmt.Fprintln(w)
			return 'q'
		}
	}
}

// DefaultShell is bash when there is one, else sh.
func DefaultShell() string {
	if p, err := exec.LookPath("bash"); err == nil {
		return p
	}
	return "/bin/sh"
}

// limitBuffer keeps the first limit bytes written and counts the rest.
type limitBuffer struct {
	strings.Builder
	limit   int
	dropped int64
}

// Write never fails and always reports all of p written, as io.MultiWriter
// wants.
func (b *limitBuffer) Write(p []byte) (int, error) {
	keep := min(len(p), max(b.limit-b.Len(), 0))
	b.dropped += int64(len(p) - keep)
	b.Builder.Write(p[:keep])
	return len(p), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func orReader(r io.Reader) io.Reader {
	if r == nil {
		return strings.NewReader("")
	}
	return r
}

func orWriter(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
