package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// Client talks to a reel server. It implements reel.Supervisor,
// reel.Timeline and reel.HookSink; Store returns its reel.Store view. It
// is safe for concurrent use.
type Client struct {
	base  string // scheme and host, no trailing slash
	token string
	where string // the socket or URL, for messages
	hc    *http.Client
	// Timeout bounds each call but Sync and Export, which only the
	// context bounds. Dial and DialTCP set 30 s.
	Timeout time.Duration
}

var (
	_ reel.Supervisor = (*Client)(nil)
	_ reel.Timeline   = (*Client)(nil)
	_ reel.HookSink   = (*Client)(nil)
)

// dialTimeout bounds connecting, and pingTimeout the health check that
// Dial and DialTCP make.
const (
	dialTimeout = 2 * time.Second
	pingTimeout = 3 * time.Second
)

// Dial returns a client of the server on the unix socket at socketPath,
// after checking that it answers. IsUnavailable(err) when nothing is
// there or nothing answers, so the caller can open the store directly.
func Dial(socketPath string) (*Client, error) {
	fi, err := os.Stat(socketPath)
	if err != nil {
		return nil, unavailable(socketPath, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return nil, reel.Errorf(reel.EINVALID, "connect to reel daemon: %s is not a socket", socketPath)
	}
	d := &net.Dialer{Timeout: dialTimeout}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", socketPath)
		},
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     time.Minute,
	}
	c := &Client{base: "http://reel", where: socketPath, hc: &http.Client{Transport: tr}, Timeout: 30 * time.Second}
	return c, c.ping()
}

// DialTCP returns a client of the server at baseURL (http://host:port),
// which it authenticates to with token, after checking that it answers.
// EINVALID for a URL that is not http or https with a host, or an empty
// token; IsUnavailable(err) when nothing answers.
func DialTCP(baseURL, token string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, reel.Errorf(reel.EINVALID, "connect to reel daemon: %q is not an http:// or https:// URL with a host", baseURL)
	}
	if token == "" {
		return nil, reel.Errorf(reel.EINVALID, "connect to reel daemon at %s: no token", baseURL).
			WithHint("the daemon's TCP listener needs the token in its token file")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: dialTimeout}).DialContext
	tr.MaxIdleConnsPerHost = 64
	c := &Client{base: u.Scheme + "://" + u.Host + strings.TrimRight(u.Path, "/"), token: token, where: baseURL,
		hc: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // never resend the token elsewhere
		}}, Timeout: 30 * time.Second}
	return c, c.ping()
}

// Close releases the client's idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// ping checks that the server answers GET /healthz.
func (c *Client) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	err := c.do(ctx, "GET", "/healthz", nil, nil, &okResponse{}, true)
	if err != nil {
		c.Close()
	}
	return err
}

// Health checks that the server answers.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, "GET", "/healthz", nil, nil, &okResponse{}, true)
}

// unavailableError marks a server that is not there or not answering.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// unavailable is the error of a daemon that cannot be reached at where.
func unavailable(where string, err error) error {
	return &reel.Error{Code: reel.EUNSUPPORT, Message: "reel daemon is not answering at " + where,
		Hint: "start it with: reel daemon", Err: &unavailableError{err}}
}

// IsUnavailable reports whether err says the daemon is not there or not
// answering (no socket, a stale one, a refused connection), so that the
// caller may open the store directly instead.
func IsUnavailable(err error) bool {
	var ue *unavailableError
	return errors.As(err, &ue)
}

// do makes one call: query and body (JSON, if not nil) out, the JSON
// response into out (when not nil), an error body back into a
// *reel.Error. bounded applies c.Timeout.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any, bounded bool) error {
	resp, err := c.send(ctx, method, path, query, body, bounded)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: read response: %w", method, path, err)
	}
	return nil
}

// send sends a request and returns a response of status 2xx, whose body
// the caller closes; any other is turned into its error. With bounded,
// the response body must be read before c.Timeout too.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any, bounded bool) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	if !bounded || c.Timeout <= 0 {
		return c.roundTrip(ctx, method, u, rd)
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	resp, err := c.roundTrip(ctx, method, u, rd)
	if err != nil {
		cancel()
		return nil, err
	}
	// The body is read after send returns: cancel when it is closed.
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody cancels its request's context when closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (c *Client) roundTrip(ctx context.Context, method, u string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" && ctx.Err() == nil {
			return nil, unavailable(c.where, err)
		}
		return nil, fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, responseError(req, resp)
}

// responseError turns an error response back into the *reel.Error the
// server answered.
func responseError(req *http.Request, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var eb errorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code == "" {
		return reel.Errorf(reel.EINTERNAL, "%s %s: HTTP %s, not a reel error", req.Method, req.URL.Path, resp.Status)
	}
	return &reel.Error{Code: eb.Error.Code, Message: eb.Error.Message, Hint: eb.Error.Hint}
}
