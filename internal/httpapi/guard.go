package httpapi

import (
	"crypto/subtle"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/reel-sh/reel"
)

// guard wraps h in the checks s.opts asks for, cheapest refusal first:
// the rate limit, the Host header, then the token.
func (s *Server) guard(h http.Handler) http.Handler {
	if s.opts.Token != "" {
		h = s.requireToken(h)
	}
	if s.opts.CheckHost {
		h = s.checkHost(h)
	}
	if s.opts.RateLimit > 0 {
		h = s.limitRate(h)
	}
	return h
}

// requireToken refuses requests without the bearer token (401).
func (s *Server) requireToken(h http.Handler) http.Handler {
	want := []byte(s.opts.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="reel"`)
			msg := "missing bearer token"
			if ok {
				msg = "wrong bearer token" // the token itself is never logged or echoed
			}
			writeError(w, r, s.log, withStatus(http.StatusUnauthorized, reel.Errorf(reel.EINVALID, "%s", msg).
				WithHint("send Authorization: Bearer TOKEN, with the token from the daemon's token file")))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// checkHost refuses requests whose Host is not an allowed name (421), so
// that a page whose DNS name was rebound to 127.0.0.1 cannot reach the
// API from a browser.
func (s *Server) checkHost(h http.Handler) http.Handler {
	names := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	full := map[string]bool{}
	for _, a := range append([]string{s.opts.Addr}, s.opts.AllowedHosts...) {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		if host, _, err := net.SplitHostPort(a); err == nil {
			full[a] = true
			if a == s.opts.Addr && host != "" && !net.ParseIP(host).IsUnspecified() {
				names[host] = true // the listen address's host, on any port
			}
			continue
		}
		names[strings.Trim(a, "[]")] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		name := host
		if h, _, err := net.SplitHostPort(host); err == nil {
			name = h
		}
		if !names[strings.Trim(name, "[]")] && !full[host] {
			writeError(w, r, s.log, withStatus(http.StatusMisdirectedRequest,
				reel.Errorf(reel.EINVALID, "host %q is not allowed", r.Host).
					WithHint("use localhost, 127.0.0.1 or [::1], or add the name to [daemon] allowed_hosts")))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// limitRate gives each client (remote IP) a token bucket of
// opts.RateLimit requests per second, bursts of twice as many; 429 with
// Retry-After beyond it.
func (s *Server) limitRate(h http.Handler) http.Handler {
	l := &limiters{every: rate.Limit(s.opts.RateLimit), burst: max(1, int(math.Ceil(2*s.opts.RateLimit))),
		clients: map[string]*client{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.RemoteAddr
		if h, _, err := net.SplitHostPort(ip); err == nil {
			ip = h
		}
		if wait := l.take(ip, time.Now()); wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, r, s.log, withStatus(http.StatusTooManyRequests,
				reel.Errorf(reel.EBUSY, "too many requests: over %g a second", s.opts.RateLimit).
					WithHint("retry after "+strconv.Itoa(secs)+"s, or raise [daemon] rate_limit")))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// limiters holds a token bucket per client, and forgets the ones idle
// long enough to be full again.
type limiters struct {
	every   rate.Limit
	burst   int
	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// idleAfter is how long a client must be silent before its bucket is
// dropped; by then it is full, so dropping it changes nothing.
const idleAfter = 5 * time.Minute

// take takes one request from ip's bucket at now: 0 if it may go ahead,
// else how long until it may.
func (l *limiters) take(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > idleAfter {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c := l.clients[ip]
	if c == nil {
		c = &client{lim: rate.NewLimiter(l.every, l.burst)}
		l.clients[ip] = c
	}
	c.seen = now
	if c.lim.AllowN(now, 1) {
		return 0
	}
	res := c.lim.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	res.CancelAt(now)
	return max(wait, time.Nanosecond)
}
