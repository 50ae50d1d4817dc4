package archive

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestText_Escape(t *testing.T) {
	for _, tc := range []struct{ name, in, enc string }{
		{"OK", "plain ünïcode \x00 text", "plain ünïcode \x00 text"},
		{"Empty", "", ""},
		{"NotUTF8", "a\xffb\xc3(", "a\uFFFEffb\uFFFEc3("},
		{"Escape", "x\uFFFEy", "x\uFFFE\uFFFEy"},
		{"EscapeBeforeHex", "\uFFFEff", "\uFFFE\uFFFEff"},
		{"CutAtEnd", "caf\xc3", "caf\uFFFEc3"},
		{"Surrogate", "\xed\xa0\x80", "\uFFFEed\uFFFEa0\uFFFE80"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := encText(tc.in); got != tc.enc {
				t.Errorf("encText(%q) = %q, want %q", tc.in, got, tc.enc)
			}
			got, err := decText(tc.enc)
			if err != nil || got != tc.in {
				t.Errorf("decText(%q) = %q, %v; want %q", tc.enc, got, err, tc.in)
			}
		})
	}
	for _, bad := range []string{"\uFFFE", "\uFFFEf", "\uFFFEzz", "\uFFFEFF", "\uFFFE41", "\uFFFEc3\uFFFEa9", "ok\uFFFE\uFFFE\uFFFE"} {
		t.Run("Err"+bad, func(t *testing.T) {
			if got, err := decText(bad); !errors.Is(err, errEscape) {
				t.Errorf("decText(%q) = %q, %v; want errEscape", bad, got, err)
			}
		})
	}
}

// TestUTF8Reader_Read reads text through utf8Reader whole, a byte at a
// time and in halves: valid text passes unchanged, a byte that is not
// UTF-8 fails wherever the reads cut it.
func TestUTF8Reader_Read(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"OK", "a€𝄞é\n" + strings.Repeat("日本", 100), true},
		{"OKEmpty", "", true},
		{"ErrByte", "abc\xffdef", false},
		{"ErrCutAtEnd", "abc\xe2\x82", false},
		{"ErrCutInside", "abc\xe2\x82def", false},
		{"ErrContinuation", "abc\x82\x82\x82\x82def", false},
		{"ErrSurrogate", "a\xed\xa0\x80", false},
		{"ErrOverlong", "a\xc0\xaf", false},
	} {
		for _, how := range []string{"whole", "bytes", "halves"} {
			t.Run(tc.name+"/"+how, func(t *testing.T) {
				var r io.Reader = strings.NewReader(tc.in)
				switch how {
				case "bytes":
					r = iotest.OneByteReader(r)
				case "halves":
					r = iotest.HalfReader(r)
				}
				got, err := io.ReadAll(&utf8Reader{r: r})
				switch {
				case tc.ok && (err != nil || !bytes.Equal(got, []byte(tc.in))):
					t.Errorf("got %q, %v; want %q", got, err, tc.in)
				case !tc.ok && !errors.Is(err, errNotUTF8):
					t.Errorf("got %v, want errNotUTF8", err)
				}
			})
		}
	}
}

func TestCapReader_Read(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  int64
		err  error
	}{
		{"OK", "0123456789", 10, nil},
		{"OKShort", "0123", 10, nil},
		{"ErrTooLarge", "0123456789x", 10, errTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := io.ReadAll(&capReader{r: iotest.OneByteReader(strings.NewReader(tc.in)), left: tc.max})
			if !errors.Is(err, tc.err) || (err == nil && string(got) != tc.in) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tc.in, tc.err)
			}
		})
	}
	t.Run("ErrSource", func(t *testing.T) {
		boom := errors.New("disk on fire")
		_, err := io.ReadAll(&capReader{r: iotest.ErrReader(boom), left: 10})
		var se *sourceError
		if !errors.As(err, &se) || !errors.Is(err, boom) {
			t.Errorf("got %v, want a sourceError wrapping %v", err, boom)
		}
	})
}
