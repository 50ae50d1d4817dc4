package httpapi

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/unixsock"
)

func TestDial_Unavailable(t *testing.T) {
	dir := shortDir(t)
	t.Run("NoSocket", func(t *testing.T) {
		_, err := Dial(filepath.Join(dir, "none.sock"))
		if !IsUnavailable(err) || reel.ErrorCode(err) != reel.EUNSUPPORT {
			t.Fatalf("Dial = %v, want unavailable", err)
		}
		if reel.ErrorHint(err) != "start it with: reel daemon" {
			t.Fatalf("hint = %q", reel.ErrorHint(err))
		}
	})
	t.Run("NotASocket", func(t *testing.T) {
		p := filepath.Join(dir, "file")
		os.WriteFile(p, nil, 0o600)
		_, err := Dial(p)
		if IsUnavailable(err) {
			t.Fatalf("Dial of a regular file = %v, want a plain error the user must fix", err)
		}
		wantCode(t, err, reel.EINVALID, "not a socket")
	})
	t.Run("TCPRefused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, err = DialTCP("http://"+addr, testToken)
		if !IsUnavailable(err) {
			t.Fatalf("DialTCP = %v, want unavailable", err)
		}
	})
	t.Run("ErrURL", func(t *testing.T) {
		for _, u := range []string{"127.0.0.1:80", "ftp://x", "http://"} {
			if _, err := DialTCP(u, testToken); reel.ErrorCode(err) != reel.EINVALID {
				t.Errorf("DialTCP(%q) = %v, want invalid", u, err)
			}
		}
	})
	t.Run("ServerGone", func(t *testing.T) {
		path := filepath.Join(dir, "gone.sock")
		l, err := unixsock.Listen(path)
		if err != nil {
			t.Fatal(err)
		}
		srv := NewServer(Services{}, Options{}).HTTPServer()
		go srv.Serve(l)
		c, err := Dial(path)
		if err != nil {
			t.Fatal(err)
		}
		srv.Close()
		c.Close()
		err = c.Health(context.Background())
		if !IsUnavailable(err) {
			t.Fatalf("Health after the server went = %v, want unavailable", err)
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		c, _, _ := unixServer(t, Services{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := c.Health(ctx)
		if !errors.Is(err, context.Canceled) || IsUnavailable(err) {
			t.Fatalf("Health(canceled) = %v, want context.Canceled", err)
		}
	})
}
