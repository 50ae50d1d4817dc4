package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

const testToken = "s3cr3t-t0ken-0123456789abcdef"

func TestServer_Token(t *testing.T) {
	st := testStore(t)
	addr, logs := tcpServer(t, Services{Store: st}, Options{Token: testToken, CheckHost: true})
	hc := &http.Client{}
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"ErrMissing", "", 401},
		{"ErrWrong", "Bearer wrong-token", 401},
		{"ErrPrefix", "Bearer " + testToken[:10], 401},
		{"ErrScheme", "Basic " + testToken, 401},
		{"OK", "Bearer " + testToken, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			r := rawCall(t, hc, "GET", "http://"+addr+"/v1/sessions?limit=1", nil, hdr)
			if r.status != tc.status {
				t.Fatalf("status = %d (%s), want %d", r.status, r.body, tc.status)
			}
			if tc.status == 401 {
				if e := errorOf(t, r); e.Code != reel.EINVALID || r.header.Get("WWW-Authenticate") == "" {
					t.Fatalf("error %+v, WWW-Authenticate %q", e, r.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
	t.Run("Client", func(t *testing.T) {
		c, err := DialTCP("http://"+addr, testToken)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ss, err := c.Sessions(context.Background(), reel.Filter{Limit: 3})
		if err != nil || len(ss) != 3 {
			t.Fatalf("Sessions = %d, %v", len(ss), err)
		}
		_, err = DialTCP("http://"+addr, "wrong")
		wantCode(t, err, reel.EINVALID, "wrong bearer token")
		_, err = DialTCP("http://"+addr, "")
		wantCode(t, err, reel.EINVALID, "no token")
	})
	if strings.Contains(logs.String(), testToken) || strings.Contains(logs.String(), "wrong-token") {
		t.Fatalf("a token is in the log: %s", logs.String())
	}
}

func TestServer_Host(t *testing.T) {
	addr, _ := tcpServer(t, Services{}, Options{CheckHost: true, AllowedHosts: []string{"reel.internal", "box.lan:9000"}})
	_, port, _ := strings.Cut(addr, ":")
	hc := &http.Client{}
	for _, tc := range []struct {
		host   string
		status int
	}{
		{addr, 200},
		{"localhost:" + port, 200},
		{"LOCALHOST", 200},
		{"[::1]:" + port, 200},
		{"127.0.0.1", 200},
		{"reel.internal:" + port, 200},
		{"box.lan:9000", 200},
		{"box.lan:9001", 421},
		{"evil.example", 421},
		{"evil.example:" + port, 421},
		{"127.0.0.1.evil.example", 421},
		{"localhost.evil.example:" + port, 421},
	} {
		t.Run(tc.host, func(t *testing.T) {
			r := rawCall(t, hc, "GET", "http://"+addr+"/healthz", nil, map[string]string{"Host": tc.host})
			if r.status != tc.status {
				t.Fatalf("status = %d (%s), want %d", r.status, r.body, tc.status)
			}
			if tc.status == 421 {
				if e := errorOf(t, r); e.Code != reel.EINVALID || !strings.Contains(e.Message, "is not allowed") {
					t.Fatalf("error %+v", e)
				}
			}
		})
	}
}

func TestServer_RateLimit(t *testing.T) {
	addr, _ := tcpServer(t, Services{}, Options{RateLimit: 2}) // bursts of 4
	hc := &http.Client{}
	var statuses []int
	var last rawResponse
	for range 6 {
		last = rawCall(t, hc, "GET", "http://"+addr+"/healthz", nil, nil)
		statuses = append(statuses, last.status)
	}
	// Six requests at once: the burst of 4 goes through (perhaps one
	// more, if a token came back meanwhile), the last is refused.
	if statuses[0] != 200 || statuses[3] != 200 || statuses[5] != 429 {
		t.Fatalf("statuses = %v, want 4 of 200 then 429", statuses)
	}
	e := errorOf(t, last)
	secs, err := strconv.Atoi(last.header.Get("Retry-After"))
	if e.Code != reel.EBUSY || err != nil || secs < 1 {
		t.Fatalf("error %+v, Retry-After %q", e, last.header.Get("Retry-After"))
	}
	// The unix socket has no limit.
	c, _, _ := unixServer(t, Services{})
	for i := range 50 {
		if err := c.Health(context.Background()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

func TestLimiters_Forget(t *testing.T) {
	l := &limiters{every: 1, burst: 2, clients: map[string]*client{}}
	t0 := base
	if l.take("a", t0) != 0 || l.take("a", t0) != 0 || l.take("a", t0) == 0 {
		t.Fatal("a burst of 2 should let 2 through and hold the third")
	}
	l.take("b", t0.Add(idleAfter+2*time.Minute))
	if _, ok := l.clients["a"]; ok || len(l.clients) != 1 {
		t.Fatalf("clients = %v, want a forgotten", l.clients)
	}
}

func TestOptions_ValidateTCP(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		ok   bool
	}{
		{"OK", Options{Token: testToken, CheckHost: true, RateLimit: 200}, true},
		{"ErrNoToken", Options{CheckHost: true}, false},
		{"ErrShortToken", Options{Token: "short", CheckHost: true}, false},
		{"ErrNoHostCheck", Options{Token: testToken}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.ValidateTCP()
			if (err == nil) != tc.ok || (err != nil && reel.ErrorCode(err) != reel.EINVALID) {
				t.Fatalf("ValidateTCP = %v, want ok %v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Fatalf("the error shows the token: %v", err)
			}
		})
	}
}
